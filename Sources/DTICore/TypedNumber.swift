import Foundation

/// Which character a file uses between the whole and the fractional part of its numbers (`--decimal comma|dot`).
public enum DecimalConvention: String, Sendable, CaseIterable, Codable {
    case comma, dot
    public var separator: Character { self == .comma ? "," : "." }
    public init?(separator: Character) {
        switch separator { case ",": self = .comma; case ".": self = .dot; default: return nil }
    }
}

/// A number as a person types it in a spreadsheet or a CSV: `2768`, `0,5`, `1.234.567`, `1.234,5`, `45%`. Pure.
///
/// One separator written once is a decimal separator unless it could also separate thousands: `2.768` (1 to 3 digits,
/// the first not 0, then exactly 3) is *ambiguous*, 2768 in a file that writes decimals with `,` and 2.768 in one that
/// writes them with `.`. A separator written more than once (`1.234.567`), or before the other (`1.234,5`), separates
/// thousands, and says which character the file uses for decimals; so does a single separator that cannot be a
/// thousands separator (`0,5`, `12.25`, `1234.567`).
public struct TypedNumber: Sendable, Equatable {
    public enum Form: Sendable, Equatable {
        /// No separator: `12`, `-3`.
        case plain
        /// Unambiguous, and shows the file's decimal separator: `0,5` (comma), `1.234.567` (comma), `12.25` (dot).
        case shows(DecimalConvention)
        /// `2.768` or `2,768`: `value` reads the separator as the decimal one, `thousands` as a thousands separator.
        case ambiguous(separator: DecimalConvention, thousands: String)
    }

    /// The machine text (`2.768`, `1234567`): for an ambiguous number, the reading with a decimal separator.
    public var value: String
    public var form: Form
    /// Written with a percent sign (`45%`, `45 %`): `value` is the number before it (45).
    public var percent: Bool

    /// The machine text of the number in a file with the given convention (nil: the reading of `value`).
    public func value(in convention: DecimalConvention?) -> String {
        if case .ambiguous(let sep, let thousands) = form, let convention, convention != sep { return thousands }
        return value
    }

    /// Reads `text` (trimmed by the caller or not). `machine`: the text is a spreadsheet's or JSON's own number in
    /// machine form (`2.768` is then 2.768, never ambiguous).
    public static func read(_ text: some StringProtocol, machine: Bool = false) -> Result<TypedNumber, DecimalText.ParseError> {
        var s = Substring(text)
        while let f = s.unicodeScalars.first, isBlank(f) { s = Substring(s.unicodeScalars.dropFirst()) }
        while let l = s.unicodeScalars.last, isBlank(l) { s = Substring(s.unicodeScalars.dropLast()) }
        var percent = false
        if s.hasSuffix("%") {
            percent = true
            s = s.dropLast()
            while let l = s.unicodeScalars.last, isBlank(l) { s = Substring(s.unicodeScalars.dropLast()) }
            if s.isEmpty { return .failure(.notANumber) }
        }
        if machine {
            return DecimalText.parse(s).map { TypedNumber(value: $0.machineText, form: .plain, percent: percent) }
        }
        let scalars = Array(s.unicodeScalars)
        var body = scalars[...]
        var sign = ""
        if let f = body.first, f == "-" || f == "+" || f == "\u{2212}" {
            if f != "+" { sign = "-" }
            body = body.dropFirst()
        }
        var dots = 0, commas = 0
        for c in body {
            switch c {
            case "0"..."9": break
            case ".": dots += 1
            case ",": commas += 1
            default: return .failure(s.isEmpty ? .empty : .notANumber)
            }
        }
        if body.isEmpty { return .failure(s.isEmpty ? .empty : .notANumber) }
        func decimal(_ digits: String) -> Result<String, DecimalText.ParseError> {
            DecimalText.parse(sign + digits).map(\.machineText)
        }
        let text = String(String.UnicodeScalarView(body))
        if dots == 0 && commas == 0 {
            return decimal(text).map { TypedNumber(value: $0, form: .plain, percent: percent) }
        }
        // One separator once: decimal, or ambiguous.
        if dots + commas == 1 {
            let sep: DecimalConvention = dots == 1 ? .dot : .comma
            let parts = text.split(separator: sep.separator, omittingEmptySubsequences: false)
            let whole = parts[0], fraction = parts[1]
            guard !fraction.isEmpty else { return .failure(.notANumber) }
            let asDecimal = decimal((whole.isEmpty ? "0" : String(whole)) + "." + fraction)
            guard case .success(let v) = asDecimal else { return asDecimal.map { TypedNumber(value: $0, form: .plain, percent: percent) } }
            if (1...3).contains(whole.count), whole.first != "0", fraction.count == 3 {
                let thousands = decimal(String(whole) + String(fraction))
                guard case .success(let t) = thousands else { return thousands.map { TypedNumber(value: $0, form: .plain, percent: percent) } }
                return .success(TypedNumber(value: v, form: .ambiguous(separator: sep, thousands: t), percent: percent))
            }
            return .success(TypedNumber(value: v, form: .shows(sep), percent: percent))
        }
        // Thousands separators: one character repeated, or before the other (written once, last).
        let grouping: Character, decimalSep: Character?
        if commas == 0 || dots == 0 {
            grouping = commas == 0 ? "." : ","
            decimalSep = nil
        } else {
            guard let last = text.last(where: { $0 == "." || $0 == "," }) else { return .failure(.notANumber) }
            let other: Character = last == "." ? "," : "."
            guard text.filter({ $0 == last }).count == 1 else { return .failure(.ambiguousSeparators) }
            grouping = other
            decimalSep = last
        }
        var integer = Substring(text), fraction: Substring = ""
        if let d = decimalSep, let at = text.lastIndex(of: d) {
            integer = text[..<at]
            fraction = text[text.index(after: at)...]
            guard !fraction.isEmpty, !fraction.contains(grouping) else { return .failure(.ambiguousSeparators) }
        }
        let groups = integer.split(separator: grouping, omittingEmptySubsequences: false)
        guard let head = groups.first, (1...3).contains(head.count), !(head.first == "0"),
              groups.dropFirst().allSatisfy({ $0.count == 3 }) else { return .failure(.ambiguousSeparators) }
        let digits = groups.joined() + (fraction.isEmpty ? "" : "." + fraction)
        let shows: DecimalConvention = grouping == "." ? .comma : .dot
        return decimal(digits).map { TypedNumber(value: $0, form: .shows(shows), percent: percent) }
    }

    private static func isBlank(_ s: Unicode.Scalar) -> Bool {
        s == " " || s == "\t" || s == "\u{00A0}" || s == "\u{202F}"
    }
}
