import Foundation

/// A declared consistency check of an indicator (`checks:` in a catalogue): a comparison of two formulas over the
/// indicator's variables and the unit's profile, `a <= b`, `a + b <= c`, `a <= profile.communes`. Parsed once, evaluated
/// exactly (`Fraction`, no rounding). Pure: the loader supplies the values.
public struct Check: Sendable, Equatable {
    public enum Severity: String, Sendable, CaseIterable, Codable {
        /// the record is refused
        case error
        /// the record loads; the failure is listed in the load's summary and in v_check_warnings
        case warning
    }

    public enum Comparison: String, Sendable, CaseIterable {
        case lessOrEqual = "<=", less = "<", equal = "=", greaterOrEqual = ">=", greater = ">", notEqual = "!="

        public func holds(_ sign: Int) -> Bool {
            switch self {
            case .lessOrEqual: return sign <= 0
            case .less: return sign < 0
            case .equal: return sign == 0
            case .greaterOrEqual: return sign >= 0
            case .greater: return sign > 0
            case .notEqual: return sign != 0
            }
        }
    }

    /// The expression as written in the catalogue.
    public var expression: String
    public var left: Formula
    public var comparison: Comparison
    public var right: Formula
    public var severity: Severity
    /// Why the check holds, in the source's words (optional).
    public var note: String?
    public var position: SourcePosition

    /// The prefix of a name that reads the unit's yearly profile (`profile.communes`, see unit-profile.yaml).
    public static let profilePrefix = "profile."

    public init(expression: String, left: Formula, comparison: Comparison, right: Formula, severity: Severity, note: String?,
                position: SourcePosition) {
        self.expression = expression; self.left = left; self.comparison = comparison; self.right = right
        self.severity = severity; self.note = note; self.position = position
    }

    /// Parses `left OP right` with OP one of `<=`, `<`, `=`, `>=`, `>`, `!=` (also `≤`, `≥`, `≠`, `==`). The offset of a
    /// parse error is 0-based in `text`.
    public static func parse(_ text: String, severity: Severity = .error, note: String? = nil,
                             position: SourcePosition = .unknown) throws(Formula.ParseError) -> Check {
        let scalars = Array(text.unicodeScalars)
        var found: (at: Int, length: Int, op: Comparison)? = nil
        var k = 0
        while k < scalars.count {
            let c = scalars[k], next: Unicode.Scalar? = k + 1 < scalars.count ? scalars[k + 1] : nil
            var op: (Int, Comparison)? = nil
            switch c {
            case "<": op = next == "=" ? (2, .lessOrEqual) : (1, .less)
            case ">": op = next == "=" ? (2, .greaterOrEqual) : (1, .greater)
            case "=": op = next == "=" ? (2, .equal) : (1, .equal)
            case "!": if next == "=" { op = (2, .notEqual) }
            case "\u{2264}": op = (1, .lessOrEqual)
            case "\u{2265}": op = (1, .greaterOrEqual)
            case "\u{2260}": op = (1, .notEqual)
            default: break
            }
            if let (length, comparison) = op {
                if found != nil {
                    throw Formula.ParseError(offset: k, message: Message("check.two_comparisons",
                        vi: "phép kiểm tra chỉ có một phép so sánh (<=, <, =, >=, >, !=)",
                        en: "a check has exactly one comparison (<=, <, =, >=, >, !=)"))
                }
                found = (k, length, comparison)
                k += length
            } else {
                k += 1
            }
        }
        guard let found else {
            throw Formula.ParseError(offset: scalars.count, message: Message("check.no_comparison",
                vi: "phép kiểm tra cần một phép so sánh, ví dụ a <= b", en: "a check needs a comparison, e.g. a <= b"))
        }
        let lhs = String(String.UnicodeScalarView(scalars[..<found.at]))
        let rhs = String(String.UnicodeScalarView(scalars[(found.at + found.length)...]))
        let left: Formula, right: Formula
        do { left = try Formula.parse(lhs) } catch { throw error }
        do { right = try Formula.parse(rhs) } catch {
            throw Formula.ParseError(offset: error.offset + found.at + found.length, message: error.message)
        }
        return Check(expression: text, left: left, comparison: found.op, right: right, severity: severity, note: note, position: position)
    }

    /// Every name the check reads, in order of first use: the indicator's variables and `profile.` fields.
    public var names: [String] {
        var out = left.variables
        for v in right.variables where !out.contains(v) { out.append(v) }
        return out
    }

    /// The indicator's variables the check reads (names without the `profile.` prefix).
    public var variables: [String] { names.filter { !$0.hasPrefix(Self.profilePrefix) } }

    /// The profile fields the check reads (`communes` for `profile.communes`).
    public var profileFields: [String] { names.filter { $0.hasPrefix(Self.profilePrefix) }.map { String($0.dropFirst(Self.profilePrefix.count)) } }

    public enum Outcome: Sendable, Equatable {
        case holds
        /// The two sides' values (exact; a quotient that does not terminate is rounded at the 20th place for display).
        case fails(left: Decimal, right: Decimal)
        /// A value it reads is missing, or a side divides by zero: nothing to say yet.
        case notEvaluated(String)
    }

    /// Evaluates exactly; `lookup` gives a variable's or a `profile.` field's value, nil when there is none.
    public func evaluate(_ lookup: (String) -> Decimal?) -> Outcome {
        let l: Fraction, r: Fraction
        do {
            l = try left.evaluate(lookup)
            r = try right.evaluate(lookup)
        } catch {
            switch error {
            case .missing(let v): return .notEvaluated(v)
            case .zeroDenominator(let d): return .notEvaluated(d)
            }
        }
        // l − r as one fraction; both denominators are positive (Fraction keeps them so), so the sign is the numerator's.
        let difference = l.numerator * r.denominator - r.numerator * l.denominator
        let sign = difference.isZero ? 0 : (difference < 0 ? -1 : 1)
        if comparison.holds(sign) { return .holds }
        return .fails(left: l.value, right: r.value)
    }

    /// The text of one side with its value, for messages: `a + b = 13` (or just `a = 9` for a single name).
    public static func side(_ f: Formula, _ value: Decimal) -> String {
        if case .number = f { return value.machineText }
        return "\(f) = \(value.machineText)"
    }
}
