import Foundation
import Testing
@testable import DTICore

@Suite("Crosswalks between catalogue versions")
struct CrosswalkTests {
    static let yaml = """
    from: example-2022
    to: example-2023
    notes: ["fixture: a renamed, a split and a dropped indicator"]
    indicators:
      - {from: "1.1", to: "1.1", kind: same}
      - {from: "1.2", to: "1.5", kind: renamed}
      - {from: "2.1", to: ["2.1", "2.2"], kind: split}
      - {from: "3.1", kind: dropped}
      - {to: "3.9", kind: new}
    """

    @Test func renamedSplitDroppedAndNew() throws {
        let cw = try Crosswalk.parse(Self.yaml, file: "cw.yaml")
        let previous: [(String, IndicatorComparison.Score)] = [("1.1", (8, 10)), ("1.2", (4, 10)), ("2.1", (12, 20)), ("3.1", (5, 5))]
        let current: [(String, IndicatorComparison.Score)] = [("1.1", (9, 10)), ("1.5", (6, 10)), ("2.1", (7, 10)), ("2.2", (8, 10)), ("3.9", (2, 5))]
        let rows = IndicatorComparison.compare(current: current, previous: previous, sameCatalogue: false, crosswalk: cw)
        let byCode = Dictionary(uniqueKeysWithValues: rows.map { ($0.code, $0) })
        #expect(byCode["1.1"]?.status == .comparable && byCode["1.1"]?.deltaPoints == 1)
        #expect(byCode["1.5"]?.status == .renamed && byCode["1.5"]?.previousCodes == ["1.2"] && byCode["1.5"]?.deltaPoints == 2)
        #expect(byCode["2.1+2.2"]?.status == .split && byCode["2.1+2.2"]?.points == 15 && byCode["2.1+2.2"]?.deltaPoints == 3)
        #expect(byCode["2.1+2.2"]?.deltaPercent == Decimal(15))   // 75% − 60%
        #expect(byCode["3.1"]?.status == .dropped && byCode["3.1"]?.isComparable == false && byCode["3.1"]?.deltaPoints == nil)
        #expect(byCode["3.9"]?.status == .new && byCode["3.9"]?.deltaPoints == nil)
    }

    @Test func withoutACrosswalkNothingIsComparableAcrossCatalogues() {
        let rows = IndicatorComparison.compare(current: [("1.1", (9, 10))], previous: [("1.1", (8, 10))], sameCatalogue: false, crosswalk: nil)
        #expect(rows.first?.status == .unmapped)
        #expect(rows.first?.deltaPoints == nil)
    }

    @Test func sameCatalogueComparesByCode() {
        let rows = IndicatorComparison.compare(current: [("1.1", (9, 10)), ("1.2", (1, 10))], previous: [("1.1", (8, 10))], sameCatalogue: true, crosswalk: nil)
        #expect(rows[0].deltaPoints == 1)
        #expect(rows[1].status == .new)
    }

    @Test func aBadKindNamesTheLine() {
        let e = #expect(throws: Diagnostic.self) { try Crosswalk.parse("from: a\nto: b\nindicators:\n  - {from: \"1\", to: [\"1\", \"2\"], kind: same}\n", file: "x.yaml") }
        #expect(e?.file == "x.yaml" && e?.position.line == 4 && e?.message.vi.contains("'same' không khớp số mã") == true, "\(String(describing: e))")
        do {
            _ = try Crosswalk.parse("from: a\nto: b\nindicators:\n  - {from: \"1\", kind: vanished}\n", file: "x.yaml")
            Issue.record("expected an error")
        } catch let d as Diagnostic {
            #expect(d.position.line == 4)
        } catch { Issue.record("\(error)") }
    }
}
