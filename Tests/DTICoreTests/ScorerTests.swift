import Foundation
import Testing
@testable import DTICore

/// Parses a catalogue from text, failing the test on any error.
func catalogue(_ yaml: String, file: String = "test.yaml") -> Catalogue {
    let (c, diagnostics) = CatalogueParser.parse(yaml, file: file)
    #expect(!diagnostics.hasErrors, "\(diagnostics.map(\.description))")
    return c!
}

func fixture(_ name: String) -> String {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/\(name)")
    return try! String(contentsOf: url, encoding: .utf8)
}

@Suite("Pillar totals, index, rating")
struct ScorerTests {
    @Test("README worked example: 7.5 + 8.75 = 16.25 of 20")
    func workedExample() throws {
        let c = catalogue(fixture("example-district-2022.yaml"), file: "example-district-2022.yaml")
        let unit = UnitSubmission(unitCode: "x", values: [
            "3.3": ["a": .number(9000), "b": .number(12000)],
            "6.5": ["a": .number(1000), "b": .number(400), "c": .number(300)],
        ])
        let r = Scorer(catalogue: c).score(unit)
        #expect(r.indicator("3.3")?.points == d("7.5"))
        #expect(r.indicator("6.5")?.points == d("8.75"))
        #expect(r.points == d("16.25"))
        #expect(r.maxPoints == 20)
        #expect(r.percent == d("81.25"))
        let lint = CatalogueLint.check(c, file: "example-district-2022.yaml")
        #expect(lint.isEmpty, "\(lint)")
    }

    static let policyYAML = """
    id: policy-test
    title: "t"
    source: {file: 004_5a16ec0a4d3ae07f.txt, document: "d"}
    level: district
    years: 2022
    evaluator: "e"
    total_policy: POLICY
    pillars:
      - code: "5"
        name: "An toàn thông tin mạng"
        max_points: 35
        notes: ["004: indicator maxima sum to 50 against a printed 35"]
        indicators:
          - {code: "5.1", name: "A", max_points: 10, rule: {kind: direct}}
          - {code: "5.2", name: "B", max_points: 40, rule: {kind: direct}}
    """

    // 004 pillar 5: printed max 35, indicator maxima 10 + 40 = 50. A unit earning 10 + 30 = 40 raw points.
    @Test("004 pillar 5 (35 printed, 50 summed) under each policy", arguments: [
        ("sum", "40", "35"),
        ("capped", "35", "35"),
        ("rescaled", "28", "35"),
    ])
    func policies(policy: String, points: String, max: String) {
        let c = catalogue(Self.policyYAML.replacingOccurrences(of: "POLICY", with: policy))
        let r = Scorer(catalogue: c).score(UnitSubmission(unitCode: "u", values: ["5.1": ["points": .number(10)], "5.2": ["points": .number(30)]]))
        #expect(r.pillar("5")?.points == d(points))
        #expect(r.pillar("5")?.rawPoints == 40)
        #expect(r.pillar("5")?.maxPoints == d(max))
    }

    static let applicabilityYAML = """
    id: applies-test
    title: "t"
    source: {file: 001_6d81536d07bcd226.txt, document: "d"}
    level: department
    years: 2024
    evaluator: "e"
    total_policy: sum
    declared_total: 30
    pillars:
      - code: "6"
        name: "Hoạt động chính quyền số"
        max_points: 10
        indicators:
          - {code: "6.1", name: "A", max_points: 10, rule: {kind: direct}}
      - code: "7"
        name: "Hoạt động kinh tế số"
        max_points: 20
        applies_to: {tag: digital_economy}
        indicators:
          - {code: "7.1", name: "Tỷ trọng kinh tế số trong từng ngành, lĩnh vực (*)", max_points: 20, rule: {kind: direct}}
    bonus:
      - {code: "KK", name: "điểm khuyến khích", rule: {kind: bonus}, notes: ["no max in the source"]}
    """

    @Test("001 pillar 7 counts only for the departments of Phụ lục II")
    func applicability() {
        let c = catalogue(Self.applicabilityYAML)
        let values: UnitValues = ["6.1": ["points": .number(8)], "7.1": ["points": .number(15)]]
        let economy = Scorer(catalogue: c).score(UnitSubmission(unitCode: "so-cong-thuong", tags: ["digital_economy"], values: values))
        let other = Scorer(catalogue: c).score(UnitSubmission(unitCode: "so-noi-vu", values: values))
        #expect(economy.points == 23 && economy.maxPoints == 30)
        #expect(other.points == 8 && other.maxPoints == 10)
        #expect(other.indicator("7.1")?.status == .notApplicable)
        #expect(other.pillar("7")?.applicable == false)
    }

    @Test("001 bonus points add to the total but not to the max")
    func bonus() {
        let c = catalogue(Self.applicabilityYAML)
        let r = Scorer(catalogue: c).score(UnitSubmission(unitCode: "u", values: ["6.1": ["points": .number(10)], "KK": ["points": .number(2)]]))
        #expect(r.bonusPoints == 2)
        #expect(r.points == 12 && r.maxPoints == 10)
        #expect(r.percent == 120)
    }

    @Test("an unscored indicator counts 0 in its pillar and is listed, never silently")
    func unscoredIsListed() {
        let c = catalogue(Self.applicabilityYAML)
        let r = Scorer(catalogue: c).score(UnitSubmission(unitCode: "u", values: [:]))
        #expect(r.pillar("6")?.points == 0)
        #expect(r.pillar("6")?.unscored == ["6.1"])
        #expect(r.indicator("6.1")?.status == .notScored)
        #expect(r.indicator("6.1")?.notes.first?.code == "score.missing")
    }

    static let bandsYAML = """
    id: bands-test
    title: "t"
    source: {file: 000_a838f79cd4ab1221.txt, document: "d"}
    level: department
    years: 2024
    evaluator: "e"
    total_policy: sum
    rating_bands:
      - {name: "Xuất sắc", above: 95}
      - {name: "Tốt", from: 80}
      - {name: "Khá", from: 70}
      - {name: "Trung bình", from: 50}
      - {name: "Yếu kém", from: 0}
    pillars:
      - code: "I"
        name: "NHẬN THỨC SỐ"
        max_points: 100
        indicators:
          - {code: "1", name: "A", max_points: 100, rule: {kind: direct}}
    """

    @Test("000 rating bands, including the 95% the source leaves in no band", arguments: [
        ("96", "Xuất sắc"), ("95", "Tốt"), ("80", "Tốt"), ("79.999", "Khá"), ("70", "Khá"), ("50", "Trung bình"), ("49.5", "Yếu kém"), ("0", "Yếu kém"),
    ])
    func bands(points: String, rating: String) {
        let c = catalogue(Self.bandsYAML)
        let r = Scorer(catalogue: c).score(UnitSubmission(unitCode: "u", values: ["1": ["points": .number(d(points))]]))
        #expect(r.rating == rating)
    }

    static let childrenYAML = """
    id: children-test
    title: "t"
    source: {file: 002_43eff494c97e00ff.txt, document: "d"}
    level: district
    years: 2022
    evaluator: "e"
    total_policy: sum
    pillars:
      - code: "1"
        name: "Nhận thức số"
        max_points: 20
        indicators:
          - code: "1.2"
            name: "Người đứng đầu huyện (Bí thư/ Chủ tịch) chủ trì, chỉ đạo CDS"
            max_points: 20
            children:
              - {code: "1.2.1", name: "a", max_points: 10, rule: {kind: direct}}
              - {code: "1.2.2", name: "b", max_points: 10, rule: {kind: direct}}
    """

    @Test("002 1.2 is the sum of 1.2.1 and 1.2.2: 8,125 + 10 = 18,125")
    func parentIsSumOfChildren() {
        let c = catalogue(Self.childrenYAML)
        let r = Scorer(catalogue: c).score(UnitSubmission(unitCode: "thanh-hoa.yen-dinh", values: [
            "1.2.1": ["points": .number(d("8.125"))], "1.2.2": ["points": .number(10)]]))
        #expect(r.indicator("1.2")?.points == d("18.125"))
        #expect(r.pillar("1")?.points == d("18.125"))
        #expect(r.indicators.map(\.code) == ["1.2", "1.2.1", "1.2.2"])
    }

    static let minmaxYAML = """
    id: minmax-test
    title: "t"
    source: {file: 004_5a16ec0a4d3ae07f.txt, document: "d"}
    level: district
    years: 2022
    evaluator: "e"
    total_policy: sum
    pillars:
      - code: "4"
        name: "Nhân lực số"
        max_points: 10
        indicators:
          - code: "4.7"
            name: "Số lượng người dân được phổ cập kỹ năng số cơ bản trên nền tảng OneTouch"
            max_points: 10
            variables:
              - {name: a, meaning: "Số lượng người dân được phổ cập kỹ năng số cơ bản trên nền tảng OneTouch", kind: count}
              - {name: b, meaning: "Tổng dân số", kind: count}
            rule: {kind: minmax, formula: a/b}
    """

    @Test("004 4.7 min–max within each peer group separately")
    func minmaxPerPeerGroup() {
        let c = catalogue(Self.minmaxYAML)
        func unit(_ code: String, _ group: String, _ a: Int, _ b: Int) -> UnitSubmission {
            UnitSubmission(unitCode: code, peerGroup: group, values: ["4.7": ["a": .number(Decimal(a)), "b": .number(Decimal(b))]])
        }
        let results = Scorer(catalogue: c).score([
            unit("d1", "g1", 10, 100), unit("d2", "g1", 5, 100), unit("d3", "g1", 2, 100),
            unit("d4", "g2", 1, 100), unit("d5", "g2", 1, 100),
            unit("d6", "g2", 1, 0),
        ])
        let points = Dictionary(uniqueKeysWithValues: results.map { ($0.unitCode, $0.indicator("4.7")?.points) })
        #expect(points["d1"] == 10)
        #expect(points["d2"] == d("3.75"))
        #expect(points["d3"] == 0)
        #expect(points["d4"] == 10)   // equal ratios in g2: all are the best
        #expect(points["d5"] == 10)
        #expect(points["d6"] == .some(nil))   // b = 0: not scored, left out of the group
        #expect(results[5].indicator("4.7")?.status == .notScored)
        // Peer groups of several units are min–max as written: no flag.
        #expect(results.allSatisfy { $0.indicator("4.7")?.flag == nil })
    }

    /// Issue 15: a min–max indicator in a peer group of one unit got full marks silently (Tân Yên, 65 points in the
    /// demo). The points stay what the rule gives, flagged, whatever the unit's data.
    @Test("004 4.7 min–max in a peer group of one is flagged single_unit_peer_group")
    func minmaxSingleUnitPeerGroup() {
        let c = catalogue(Self.minmaxYAML)
        func unit(_ code: String, _ group: String, _ a: Int) -> UnitSubmission {
            UnitSubmission(unitCode: code, peerGroup: group, values: ["4.7": ["a": .number(Decimal(a)), "b": .number(100)]])
        }
        let results = Scorer(catalogue: c).score([unit("alone", "g1", 1), unit("d2", "g2", 10), unit("d3", "g2", 5)])
        let alone = results[0].indicator("4.7")
        #expect(alone?.points == 10)
        #expect(alone?.flag == .singleUnitPeerGroup)
        #expect(alone?.notes.map(\.code) == ["score.single_unit_peer_group"])
        #expect(results[1].indicator("4.7")?.flag == nil)
        #expect(results[2].indicator("4.7")?.flag == nil)
        // A flag on a leaf is the leaf's: the pillar is the sum of its points as always.
        #expect(results[0].pillar("4")?.points == 10)
    }
}
