import DTICore
import Foundation
import Testing

@Suite("Display names beside the sources' verbatim text; close matches for a mistyped name")
struct DisplayNameTests {
    static func catalogue(pillar: String) -> String {
        """
        id: t-2024
        title: "T"
        source: {file: x.txt, document: "D"}
        level: district
        years: 2024
        evaluator: "E"
        total_policy: sum
        display_precision: {points: 2, percent: 1}
        pillars:
          - code: "1"
        \(pillar)
            max_points: 10
            indicators:
              - code: "1.1"
                name: "Chỉ số"
                max_points: 10
                lead: "Văn phòng HỘND&UBND huyện"
                display_lead: "Văn phòng HĐND&UBND huyện"
                notes: ["The lead is printed with HỘND (sic)."]
                rule: {kind: direct}
        """
    }

    @Test("display_name and display_lead are read beside the verbatim text; display_precision sets the published places")
    func parsed() throws {
        let (c, diagnostics) = CatalogueParser.parse(Self.catalogue(pillar: """
                name: "Thẻ chế số"
                display_name: "Thể chế số"
                notes: ["Printed \\"Thẻ chế số\\" (sic)."]
            """), file: "t.yaml")
        #expect(diagnostics.filter { $0.severity == .error }.isEmpty, "\(diagnostics)")
        let p = try #require(c?.pillars.first)
        #expect(p.name == "Thẻ chế số" && p.displayName == "Thể chế số" && p.shownName == "Thể chế số")
        let i = try #require(c?.indicator("1.1"))
        #expect(i.lead == "Văn phòng HỘND&UBND huyện" && i.shownLead == "Văn phòng HĐND&UBND huyện")
        #expect(c?.displayPrecision == DisplayPrecision(points: 2, percent: 1))
    }

    @Test("A display_name needs a note saying what the source prints")
    func needsNote() {
        let (_, diagnostics) = CatalogueParser.parse(Self.catalogue(pillar: """
                name: "Thẻ chế số"
                display_name: "Thể chế số"
            """), file: "t.yaml")
        #expect(diagnostics.contains { $0.message.code == "catalogue.display_note" })
    }

    @Test("Close matches: a typo, a dropped province prefix, diacritics; nothing for a far name", arguments: [
        ("bac-giang.tan-yenn", ["bac-giang.tan-yen"]), ("tan-yen", ["bac-giang.tan-yen"]), ("thanh-hoa.yen-đinh", ["thanh-hoa.yen-dinh"]),
        ("ha-noi.ba-dinh", []),
    ])
    func suggestions(_ input: String, _ expected: [String]) {
        let units = ["bac-giang.tan-yen", "bac-giang.yen-the", "thanh-hoa.yen-dinh", "thanh-hoa.tho-xuan"]
        #expect(Suggest.closest(to: input, among: units) == expected)
    }
}
