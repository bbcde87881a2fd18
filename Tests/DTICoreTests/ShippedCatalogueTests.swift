import Foundation
import Testing
@testable import DTICore

/// The catalogues shipped in etl/catalogues, checked against what the source documents print.
enum Shipped {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func load(_ id: String) throws -> Catalogue {
        let path = root.appendingPathComponent("etl/catalogues/\(id).yaml").path
        let (c, diagnostics) = CatalogueParser.parse(try String(contentsOfFile: path, encoding: .utf8), file: path)
        let lint = c.map { CatalogueLint.check($0, file: path) } ?? []
        #expect(!(diagnostics + lint).hasErrors, "\((diagnostics + lint).filter(\.isError).map(\.description))")
        return try #require(c)
    }

    /// Top-level indicators of a pillar (as the sources count them).
    static func counts(_ c: Catalogue) -> [Int] { c.pillars.map(\.indicators.count) }
    static func maxima(_ c: Catalogue) -> [Decimal] { c.pillars.map(\.indicatorMaxSum) }
}

extension Diagnostic { var isError: Bool { severity == .error } }

@Suite("Shipped catalogues match their sources")
struct ShippedCatalogueTests {
    @Test("000 huong-huu-agencies-2024: 49 criteria in 6 pillars, maxima sum to 381, no declared total, five rating bands")
    func huongHuu() throws {
        let c = try Shipped.load("huong-huu-agencies-2024")
        #expect(c.pillars.map(\.code) == ["I", "II", "III", "IV", "V", "VI"])
        #expect(Shipped.counts(c) == [10, 2, 9, 4, 3, 21])
        #expect(Shipped.maxima(c) == [55, 20, 53, 53, 15, 185])
        #expect(c.pillars.compactMap(\.maxPoints).reduce(0, +) == 381)
        #expect(c.declaredTotal == nil)
        #expect(c.pillars[5].name == "HOẠT ĐỘNG CHÍNH QUYỀN SỞ", "verbatim, with the source's own typo")
        #expect(c.allIndicators.filter { $0.maxPoints == nil }.map(\.code) == ["20", "21", "49"])
        #expect(c.ratingBands.map(\.name) == ["Xuất sắc", "Tốt", "Khá", "Trung bình", "Yếu kém"])
        #expect(c.rating(percent: 96) == "Xuất sắc" && c.rating(percent: 95) == "Tốt" && c.rating(percent: 80) == "Tốt"
                && c.rating(percent: Decimal(string: "79.99")!) == "Khá" && c.rating(percent: 49) == "Yếu kém")
        guard case .deduction(_, let points, _, let floor)? = c.indicator("28")?.rule else { Issue.record("28 is a deduction"); return }
        #expect(points == 2 && floor == nil)
        guard case .perItem(_, let perMeeting, _)? = c.indicator("1")?.rule else { Issue.record("1 is per item"); return }
        #expect(perMeeting == Decimal(string: "0.5"))
        #expect(c.scope == ["thua-thien-hue.nam-dong.huong-huu"])
    }

    @Test("001 hanoi-city-2024: 46 indicators, 400 points; the economy pillar only for the departments of Phụ lục II")
    func hanoiCity() throws {
        let c = try Shipped.load("hanoi-city-2024")
        #expect(Shipped.counts(c).reduce(0, +) == 46)
        #expect(Shipped.maxima(c) == [30, 30, 20, 20, 50, 120, 20, 30, 80])
        #expect(c.declaredTotal == 400 && c.pillarMaxSum == 400)
        #expect(c.pillar("7")?.appliesTo?.tag == "digital_economy")
        #expect(c.allIndicators.filter { $0.rule?.kind != "bonus" }.allSatisfy { $0.rule?.kind == "direct" })
        #expect(c.bonus.count == 1 && c.bonus[0].rule?.kind == "bonus")
        #expect(c.stages == [.selfAssessment, .round1, .round2, .final])
        // A department without the tag: the pillar counts neither in points nor in max.
        let s = Scorer(catalogue: c)
        let values: UnitValues = Dictionary(uniqueKeysWithValues: c.leafIndicators.filter { $0.rule?.kind == "direct" }
            .map { ($0.code, ["points": InputValue.number($0.maxPoints!)]) })
        #expect(s.score(UnitSubmission(unitCode: "ha-noi.so-noi-vu", values: values)).maxPoints == 380)
        #expect(s.score(UnitSubmission(unitCode: "ha-noi.so-cong-thuong", tags: ["digital_economy"], values: values)).maxPoints == 400)
        #expect(s.score(UnitSubmission(unitCode: "ha-noi.so-cong-thuong", tags: ["digital_economy"], values: values)).points == 400)
    }

    @Test("001 hanoi-district-2024: 60 indicators, 500 points")
    func hanoiDistrict() throws {
        let c = try Shipped.load("hanoi-district-2024")
        #expect(Shipped.counts(c).reduce(0, +) == 60)
        #expect(Shipped.maxima(c) == [40, 30, 40, 40, 70, 90, 30, 60, 100])
        #expect(c.declaredTotal == 500 && c.pillarMaxSum == 500)
        #expect(c.levels == [.district] && c.scope == ["ha-noi"])
    }

    @Test("002 thanh-hoa-district-2022: 8 pillars, 1000 points, lead and supporting agencies")
    func thanhHoa() throws {
        let c = try Shipped.load("thanh-hoa-district-2022")
        #expect(c.pillars.map(\.maxPoints) == [100, 100, 100, 100, 100, 200, 150, 150])
        #expect(Shipped.maxima(c) == [100, 100, 100, 100, 100, 200, 150, 150])
        #expect(c.declaredTotal == 1000)
        #expect(c.indicator("1.2")?.children.map(\.code) == ["1.2.1", "1.2.2"])
        #expect(c.indicator("7.4")?.lead == "Chi Cục thuế khu vực Thiệu hóa - Yên Định")
        #expect(c.indicator("2.1")?.name == "Nghị quyết chuyên đề hoặc văn bản tương đương của cấp uỷ về chuyển đổi số của huyện, thị xã, thành phố")
        #expect(c.allIndicators.filter(\.isLeaf).allSatisfy { $0.rule?.kind == "direct" })
        #expect(c.pillars.flatMap(\.indicators).allSatisfy { $0.lead != nil }, "every indicator has its lead agency (sub-indicators 1.2.x print none)")
    }

    @Test("004 bac-giang-district-2022: printed pillar maxima and indicator sums 80/90/70/70/50/180/170/170, rescaled")
    func bacGiang() throws {
        let c = try Shipped.load("bac-giang-district-2022")
        #expect(c.pillars.prefix(8).map(\.maxPoints) == [100, 90, 70, 100, 35, 130, 140, 150])
        #expect(Shipped.maxima(c).prefix(8) == [80, 90, 70, 70, 50, 180, 170, 170])
        #expect(c.pillars[8].maxPoints == nil, "pillar 9 has no max in the source")
        #expect(c.totalPolicy == .rescaled)
        #expect(c.indicator("3.5") == nil, "missing in the source")
        #expect(c.indicator("4.9")?.maxPoints == nil && c.indicator("5.5.6")?.maxPoints == nil)
    }

    @Test("003 commune-data-2024: data items only, every item feeds a district variable or says why not")
    func communeData() throws {
        let c = try Shipped.load("commune-data-2024")
        let district = try Shipped.load("bac-giang-district-2022")
        #expect(c.kind == .data)
        let feeds = c.allIndicators.flatMap(\.variables).flatMap(\.feeds)
        #expect(feeds.count >= 40)
        // Every feed targets the district catalogue (a filter with `where` would pass on none at all).
        #expect(feeds.allSatisfy { $0.catalogue == district.id }, "\(Set(feeds.map(\.catalogue)))")
        for f in feeds {
            let target = district.indicator(f.indicator)
            #expect(target?.variables.contains { $0.name == f.variable } == true, "\(f.indicator).\(f.variable)")
        }
    }

    @Test("Every shipped file keeps Vietnamese text in NFC")
    func nfc() throws {
        let dir = Shipped.root.appendingPathComponent("etl/catalogues")
        for name in try FileManager.default.contentsOfDirectory(atPath: dir.path) where name.hasSuffix(".yaml") {
            let text = try String(contentsOf: dir.appendingPathComponent(name), encoding: .utf8)
            #expect(text.precomposedStringWithCanonicalMapping.utf8.elementsEqual(text.utf8), "\(name) is not NFC")
        }
    }
}
