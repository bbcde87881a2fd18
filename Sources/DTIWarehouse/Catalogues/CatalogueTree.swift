import DTICore
import Foundation

/// A catalogue printed as a tree: pillars, indicators and sub-indicators with max points (and, on request,
/// rules and variables), followed by the notes on source defects.
public enum CatalogueTree {
    public static func render(_ c: Catalogue, rules: Bool = false, language: Language = .vi) -> String {
        func t(_ vi: String, _ en: String) -> String { language == .vi ? vi : en }
        func pts(_ d: Decimal?) -> String { d.map { DecimalText.vietnamese($0) } ?? t("không ghi", "none") }
        var out: [String] = []
        out.append("\(c.id): \(c.title)")
        out.append(t("Nguồn: ", "Source: ") + c.source.document + (c.source.number.map { " — \($0)" } ?? "") + " (\(c.source.file))")
        let years = c.years.lowerBound == c.years.upperBound ? "\(c.years.lowerBound)" : "\(c.years.lowerBound)–\(c.years.upperBound)"
        out.append(t("Cấp: ", "Level: ") + c.levels.map(\.rawValue).joined(separator: ", ") + t("; năm: ", "; years: ") + years
                   + t("; đánh giá: ", "; evaluator: ") + c.evaluator)
        if c.kind == .scored {
            var line = t("Tổng trụ cột: ", "Pillar totals: ") + c.totalPolicy.rawValue
            line += t("; tổng điểm tối đa các trụ cột: ", "; pillar maxima sum to ") + pts(c.pillarMaxSum)
            if let declared = c.declaredTotal { line += t(" (công bố: ", " (declared: ") + pts(declared) + ")" }
            out.append(line)
        }
        if !c.ratingBands.isEmpty {
            out.append(t("Xếp loại: ", "Rating: ") + c.ratingBands.map { "\($0.name) \($0.inclusive ? "≥" : ">") \(DecimalText.vietnamese($0.threshold))%" }.joined(separator: "; "))
        }
        func indicator(_ i: Indicator, depth: Int) {
            let pad = String(repeating: "   ", count: depth)
            var line = "\(pad)\(i.code)  \(i.name)  [\(pts(i.maxPoints))]"
            if let tag = i.appliesTo?.tag { line += t("  (chỉ áp dụng: \(tag))", "  (applies only to: \(tag))") }
            out.append(line)
            if rules {
                if let r = i.rule { out.append("\(pad)   ↳ \(describe(r))") }
                for v in i.variables { out.append("\(pad)     \(v.name) (\(v.kind.rawValue)\(v.unit.map { ", \($0)" } ?? "")): \(v.meaning)") }
            }
            for child in i.children { indicator(child, depth: depth + 1) }
        }
        for p in c.pillars {
            let sum = p.indicatorMaxSum
            var line = "\(p.code)  \(p.name)  [\(pts(p.maxPoints))]"
            if let m = p.maxPoints, sum != m, c.kind == .scored { line += t("  (các chỉ số cộng lại \(pts(sum)))", "  (indicators add up to \(pts(sum)))") }
            if let tag = p.appliesTo?.tag { line += t("  (chỉ áp dụng: \(tag))", "  (applies only to: \(tag))") }
            out.append(line)
            for i in p.indicators { indicator(i, depth: 1) }
        }
        if !c.bonus.isEmpty {
            out.append(t("Điểm thưởng (ngoài điểm tối đa):", "Bonus (outside the max):"))
            for i in c.bonus { indicator(i, depth: 1) }
        }
        let notes = c.notes + c.pillars.flatMap { p in p.notes.map { "\(p.code): \($0)" } }
            + c.allIndicators.flatMap { i in i.notes.map { "\(i.code): \($0)" } }
        if !notes.isEmpty {
            out.append(t("Ghi chú:", "Notes:"))
            out += notes.map { "  - \($0)" }
        }
        return out.joined(separator: "\n")
    }

    static func describe(_ r: Rule) -> String {
        func pct(_ d: Decimal) -> String { DecimalText.vietnamese(d * 100) + "%" }
        switch r {
        case .ratio(let f, let over, let zero): return "ratio \(f)" + (over == .cap ? "" : ", over_one: \(over.rawValue)") + (zero == .unscored ? "" : ", zero_denominator: \(zero.rawValue)")
        case .target(let f, let target, let below, _): return "target \(f) ≥ \(pct(target))" + (below == .ratio ? " (below: ratio × max)" : "")
        case .tiers(let f, let levels, let otherwise, let gate, _):
            return "tiers \(f): " + levels.map { "≥ \(DecimalText.vietnamese($0.atLeast)) → \(pct($0.fraction))" }.joined(separator: ", ")
                + ", otherwise \(pct(otherwise))" + (gate.map { ", gate \($0)" } ?? "")
        case .yesno(let v, let yes, let no): return "yesno \(v): \(pct(yes)) / \(pct(no))"
        case .choice(let v, let options): return "choice \(v): " + options.map { "\($0.code) → \(pct($0.fraction))" }.joined(separator: ", ")
        case .composite(let parts): return "composite: " + parts.map { "\(pct($0.weight)) × (\(describe($0.rule)))" }.joined(separator: " + ")
        case .perItem(let v, let points, let cap): return "per_item \(v) × \(DecimalText.vietnamese(points))" + (cap.map { ", cap \(DecimalText.vietnamese($0))" } ?? ", cap max")
        case .minmax(let f, let higher, _): return "minmax \(f)" + (higher ? "" : " (lower is better)")
        case .growth(let f, let reference, _): return "growth \(f) vs \(pct(reference))"
        case .deduction(let v, let points, let start, let floor): return "deduction \(start.rawValue) − \(DecimalText.vietnamese(points)) × \(v)" + (floor.map { ", floor \(DecimalText.vietnamese($0))" } ?? "")
        case .direct: return "direct (points awarded)"
        case .bonus(let cap): return "bonus" + (cap.map { ", cap \(DecimalText.vietnamese($0))" } ?? "")
        case .data: return "data (no points)"
        }
    }
}
