import Foundation
import Yams

/// The catalogue fields that only change how reports for people print a name: `display_name` (beside a pillar's or
/// an indicator's verbatim `name`), `display_lead` (beside a verbatim `lead`) and the catalogue's `display_precision`.
/// The verbatim text is never replaced; a display text needs a note on the same item saying what the source prints.
extension CatalogueParser {
    static let displayFields = ["display_name", "display_lead"]

    /// Reads `display_name` / `display_lead` of a pillar or indicator (before `finish`, so they count as known).
    mutating func displayTexts(_ f: inout Fields, name: String?, lead: String?, notes: [String], what: String) -> (name: String?, lead: String?) {
        let nameNode = f["display_name"], leadNode = f["display_lead"]
        let displayName = string(nameNode, "display_name")
        let displayLead = string(leadNode, "display_lead")
        if (displayName != nil || displayLead != nil) && notes.isEmpty {
            error(nameNode ?? leadNode, "catalogue.display_note",
                  vi: "\(what) có display_name/display_lead nhưng không có ghi chú (notes) nói nguồn in thế nào",
                  en: "\(what) has display_name/display_lead but no note saying what the source prints")
        }
        if let displayName, displayName == name {
            error(nameNode, "catalogue.display_same", vi: "display_name trùng với name: bỏ display_name", en: "display_name equals name: drop display_name")
        }
        if let displayLead, lead == nil {
            error(leadNode, "catalogue.display_lead", vi: "display_lead '\(displayLead)' nhưng chỉ số không có lead", en: "display_lead '\(displayLead)' but the indicator has no lead")
        }
        return (displayName?.precomposedStringWithCanonicalMapping, displayLead?.precomposedStringWithCanonicalMapping)
    }

    /// `display_precision: {points: 3, percent: 2}` at the top level.
    mutating func displayPrecision(_ f: inout Fields) -> DisplayPrecision {
        var out = DisplayPrecision()
        guard var p = fields(f["display_precision"], "display_precision") else { return out }
        for (key, place) in [("points", \DisplayPrecision.points), ("percent", \DisplayPrecision.percent)] {
            if let n = int(p[key], "display_precision.\(key)") {
                if (0...6).contains(n) { out[keyPath: place] = n } else {
                    error(p.keyNode(key), "catalogue.display_precision", vi: "display_precision.\(key) = \(n): cần 0 đến 6 chữ số thập phân",
                          en: "display_precision.\(key) = \(n): expected 0 to 6 decimal places")
                }
            }
        }
        finish(p, "display_precision", allowed: ["points", "percent"])
        return out
    }
}

extension Pillar {
    /// The name reports for people print: the display name where the source's text has a typo, else verbatim.
    public var shownName: String { displayName ?? name }
}

extension Indicator {
    public var shownName: String { displayName ?? name }
    public var shownLead: String? { displayLead ?? lead }
}
