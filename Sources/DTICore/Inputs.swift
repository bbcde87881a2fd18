import Foundation

/// A submitted value: a number (counts, amounts, points, yes/no as 1/0) or a text answer (a choice, `có`).
public enum InputValue: Sendable, Hashable, CustomStringConvertible {
    case number(Decimal)
    case text(String)

    /// Parses what a person typed: a number when it reads as one, otherwise the text (NFC, trimmed).
    public static func parse(_ raw: String) -> InputValue {
        if let d = DecimalText.decimal(raw) { return .number(d) }
        return .text(raw.precomposedStringWithCanonicalMapping.trimmingCharacters(in: .whitespaces))
    }

    public var number: Decimal? {
        switch self {
        case .number(let d): return d
        case .text(let t): return DecimalText.decimal(t) ?? YesNo.parse(t).map { $0 ? 1 : 0 }
        }
    }

    public var description: String {
        switch self {
        case .number(let d): d.machineText
        case .text(let t): t
        }
    }
}

/// Yes/no answers as people write them in Vietnamese or English.
public enum YesNo {
    public static let yesWords: Set<String> = ["có", "co", "yes", "y", "true", "đã", "đạt", "x", "1"]
    public static let noWords: Set<String> = ["không", "khong", "no", "n", "false", "chưa", "0"]

    public static func parse(_ text: String) -> Bool? {
        let t = text.precomposedStringWithCanonicalMapping.trimmingCharacters(in: .whitespaces).lowercased()
        if yesWords.contains(t) { return true }
        if noWords.contains(t) { return false }
        // whatever the case or the diacritics ("CO", "Khong", "kHÔNG")
        let f = AnswerText.fold(t)
        if foldedYes.contains(f) { return true }
        if foldedNo.contains(f) { return false }
        return nil
    }

    private static let foldedYes = Set(yesWords.map(AnswerText.fold)), foldedNo = Set(noWords.map(AnswerText.fold))

    /// The one form a yes/no answer is stored in, whatever was typed: "có" or "không".
    public static func canonical(_ yes: Bool) -> String { yes ? "có" : "không" }

    public static func parse(_ value: InputValue) -> Bool? {
        switch value {
        case .number(let d): return d == 1 ? true : d.isZero ? false : nil
        case .text(let t): return parse(t)
        }
    }
}

/// The values one unit submitted (or had resolved) for one indicator, by variable name.
public typealias VariableValues = [String: InputValue]

/// Every value of one unit for one catalogue and year: indicator code → variable → value.
public typealias UnitValues = [String: VariableValues]

/// Answers compared the way people mean them: case and Vietnamese diacritics do not matter ("Có", "CÓ", "co").
public enum AnswerText {
    /// Lower case, without combining marks, đ as d, trimmed.
    public static func fold(_ text: String) -> String {
        let lower = text.trimmingCharacters(in: .whitespaces).lowercased().decomposedStringWithCanonicalMapping
        var out = String.UnicodeScalarView()
        for u in lower.unicodeScalars {
            if (0x300...0x36F).contains(u.value) { continue }
            out.append(u == "đ" ? "d" : u)
        }
        return String(out)
    }
}

/// The marker that withdraws a value (issue 15 point 5): "#rút" (rút lại) or "#withdraw", in any case and with or
/// without diacritics, written in the value's cell or field. A blank means "not answered" and keeps an earlier value; a
/// marker says the earlier value no longer holds: the unit then has no current value for it, and the withdrawal stays in
/// the history beside the values it replaced.
public enum Withdrawal {
    /// As documented (`dti load --help`, README).
    public static let markers = ["#rút", "#withdraw"]
    private static let folded = Set(markers.map(AnswerText.fold))

    /// Whether a typed value is the marker. Cheap for every other value: only text whose first non-space byte is '#'
    /// is folded.
    public static func isMarker(_ value: String) -> Bool {
        var v = value
        let hash: Bool = v.withUTF8 { p in
            for b in p where b != 0x20 && b != 0x09 { return b == UInt8(ascii: "#") }
            return false
        }
        return hash && folded.contains(AnswerText.fold(value))
    }
}
