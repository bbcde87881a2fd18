import DTICore
import Foundation

/// `dti score --format json|table`.
public enum ScoreReport {
    /// JSON with every indicator, pillar and the index; numbers are exact literals with a dot.
    public static func json(_ results: [ScoreFile.Result]) -> String {
        func n(_ d: Decimal?) -> String { d?.machineText ?? "null" }
        func s(_ t: String?) -> String {
            guard let t else { return "null" }
            var out = "\""
            for u in t.unicodeScalars {
                switch u {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                case "\n": out += "\\n"
                case "\r": out += "\\r"
                case "\t": out += "\\t"
                default:
                    if u.value < 0x20 { out += String(format: "\\u%04x", u.value) } else { out.unicodeScalars.append(u) }
                }
            }
            return out + "\""
        }
        var units: [String] = []
        for r in results {
            for u in r.units {
                let indicators = u.indicators.map { i in
                    "{\"indicator\":\(s(i.code)),\"pillar\":\(s(i.pillarCode)),\"points\":\(n(i.points)),\"max_points\":\(n(i.maxPoints)),\"status\":\(s(i.status.rawValue)),\"ratio\":\(n(i.ratio)),\"notes\":[\(i.notes.map { s($0.vi) }.joined(separator: ","))]}"
                }
                let pillars = u.pillars.map { p in
                    "{\"pillar\":\(s(p.code)),\"points\":\(n(p.points)),\"raw_points\":\(n(p.rawPoints)),\"max_points\":\(n(p.maxPoints)),\"percent\":\(n(p.percent)),\"applicable\":\(p.applicable),\"unscored\":[\(p.unscored.map { s($0) }.joined(separator: ","))]}"
                }
                units.append("{\"unit_code\":\(s(u.unitCode)),\"year\":\(r.year),\"catalogue\":\(s(r.catalogue.id)),\"points\":\(n(u.points)),\"bonus_points\":\(n(u.bonusPoints)),\"max_points\":\(n(u.maxPoints)),\"percent\":\(n(u.percent)),\"rating\":\(s(u.rating)),\"pillars\":[\(pillars.joined(separator: ","))],\"indicators\":[\(indicators.joined(separator: ","))]}")
            }
        }
        return "[\n" + units.joined(separator: ",\n") + "\n]\n"
    }

    /// A table for people: each unit's pillars and total, numbers in the chosen language's format.
    public static func table(_ results: [ScoreFile.Result], language: Language) -> String {
        func t(_ vi: String, _ en: String) -> String { language == .vi ? vi : en }
        func num(_ d: Decimal?) -> String {
            guard let d else { return "—" }
            return language == .vi ? DecimalText.vietnamese(d) : DecimalText.english(d)
        }
        var blocks: [String] = []
        for r in results {
            for u in r.units {
                var table = TextTable(headers: [t("trụ cột", "pillar"), t("tên", "name"), t("điểm", "points"), t("tối đa", "max"), "%"])
                for p in u.pillars where p.applicable {
                    table.add([p.code, r.catalogue.pillar(p.code)?.name ?? "", num(p.points), num(p.maxPoints), num(p.percent.map { DecimalText.round($0, places: 2) })])
                }
                if u.bonusPoints != 0 { table.add(["+", t("điểm thưởng", "bonus"), num(u.bonusPoints), "", ""]) }
                table.add([t("Tổng", "Total"), "", num(u.points), num(u.maxPoints), num(u.percent.map { DecimalText.round($0, places: 2) })])
                var lines = ["\(u.unitCode) — \(r.catalogue.id) — \(r.year)" + (u.rating.map { " — \($0)" } ?? ""), table.render()]
                let unscored = u.indicators.filter { $0.status == .notScored && $0.isLeaf }
                if !unscored.isEmpty {
                    lines.append(t("Chưa chấm (tính 0):", "Not scored (counted as 0):"))
                    lines += unscored.map { "  \($0.code): \($0.notes.map { $0.text(language) }.joined(separator: "; "))" }
                }
                blocks.append(lines.joined(separator: "\n"))
            }
        }
        return blocks.joined(separator: "\n\n")
    }
}
