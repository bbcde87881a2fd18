import DTICore
import Foundation

/// Values typed the way a spreadsheet shows them, read once the variables are known (`Validation.resolve`) and
/// before the records are checked (`RecordChecks`). Pure: no I/O.
///
/// - `45%` (or an Excel cell formatted as a percent, which stores 0.45) is read by the variable's `scale:` (`percent`:
///   45, `ratio`: 0.45); without one it is refused, naming what was typed and both readings.
/// - `2.768` may be 2.768 or 2768. The file's decimal separator decides: `--decimal comma|dot`, or the one its other
///   values show (`0,5` or `1.234.567` → comma; `12.25` → dot). When nothing shows it (or values show both), such a
///   value is refused in a count, an amount or a number, with both readings and how to write it; points keep the
///   decimal reading (their max is small).
/// - With `--decimal`, a value that shows the other separator is refused.
enum TypedValues {
    /// The file's decimal separator, and the words that say where it came from (`--decimal comma`, `'0,5' ở dòng 3`).
    static func convention(_ staged: StagedFile, forced: DecimalConvention?) -> (DecimalConvention, vi: String, en: String)? {
        if let forced { return (forced, "--decimal \(forced.rawValue)", "--decimal \(forced.rawValue)") }
        let comma = staged.shows[.comma], dot = staged.shows[.dot]
        switch (comma, dot) {
        case (let c?, nil): return (.comma, "'\(staged.value[Int(c.first)])' \(where_(staged, c.first).vi)", "'\(staged.value[Int(c.first)])' \(where_(staged, c.first).en)")
        case (nil, let d?): return (.dot, "'\(staged.value[Int(d.first)])' \(where_(staged, d.first).vi)", "'\(staged.value[Int(d.first)])' \(where_(staged, d.first).en)")
        default: return nil
        }
    }

    static func where_(_ staged: StagedFile, _ k: Int32) -> (vi: String, en: String) {
        staged.refersByLine ? ("ở dòng \(staged.ref(Int(k)))", "on line \(staged.ref(Int(k)))") : ("ở \(staged.ref(Int(k)))", "at \(staged.ref(Int(k)))")
    }

    /// Kinds whose value a thousands separator may be part of: a misread one is off by a factor of a thousand.
    static let counted: Set<String> = ["count", "amount", "number"]

    static func resolve(_ staged: inout StagedFile, _ ref: RecordChecks.Reference, forced: DecimalConvention?) {
        let conflicting = forced.flatMap { f in staged.shows[f == .comma ? .dot : .comma] }
        if staged.ambiguous.isEmpty && staged.percents.isEmpty && conflicting == nil { return }
        let convention = Self.convention(staged, forced: forced)
        func item(_ k: Int) -> RecordChecks.Item? {
            let i = ref.items[Int(staged.itemNo[k])]
            return i.itemId != nil && (i.numeric || i.count) ? i : nil
        }
        func ambiguity(_ k: Int, _ sep: DecimalConvention, decimal: String, thousands: String, _ i: RecordChecks.Item) {
            staged.refuseValue(k, code: "value.ambiguous_decimal",
                               detail: [String(sep.separator), decimal, thousands, i.kind ?? "", i.unitOfMeasure ?? ""].joined(separator: "|"))
        }
        for (k32, a) in staged.ambiguous {
            let k = Int(k32)
            guard let i = item(k) else { continue }
            if let (c, _, _) = convention {
                if c != a.separator { staged.setNumber(k, a.thousands) }
            } else if counted.contains(i.kind ?? "") {
                ambiguity(k, a.separator, decimal: staged.number(k) ?? "", thousands: a.thousands, i)
            }
        }
        if let forced, conflicting != nil {
            for k in 0..<staged.count where item(k) != nil {
                guard case .success(let n) = TypedNumber.read(staged.value[k]), case .shows(let c) = n.form, c != forced else { continue }
                staged.refuseValue(k, code: "value.decimal_conflict", detail: "\(c.separator)|\(forced.rawValue)|\(forced.separator)")
            }
        }
        for (k32, p) in staged.percents {
            let k = Int(k32)
            guard let i = item(k), staged.valueProblem[k32] == nil else { continue }
            var n = p.value
            if case .ambiguous(let sep, let thousands) = p.form {
                if let (c, _, _) = convention { n = p.value(in: c) } else if counted.contains(i.kind ?? "") {
                    ambiguity(k, sep, decimal: p.value, thousands: thousands, i)
                    continue
                }
            }
            let ratio = (DecimalText.decimal(n) ?? 0) / 100
            switch i.percentScale {
            case .percent?: staged.setNumber(k, n)
            case .ratio?: staged.setNumber(k, ratio.machineText)
            case nil:
                staged.refuseValue(k, code: "value.percent", detail: [n, ratio.machineText, i.kind ?? "", i.unitOfMeasure ?? ""].joined(separator: "|"))
            }
        }
    }
}
