import Foundation

/// Exact decimal numbers as people write them: `0,5` and `0.5`, never through `Double`.
public enum DecimalText {
    /// The largest number of digits before the decimal separator that a submitted value may have.
    public static let maxIntegerDigits = 15
    /// The largest number of significant digits a submitted value may have.
    public static let maxSignificantDigits = 30

    public enum ParseError: Error, Equatable, Sendable {
        case empty
        case notANumber
        case tooLarge
        case tooPrecise
        case ambiguousSeparators
    }

    /// Parses `"0,5"`, `"0.5"`, `"-3"`, `"+12.25"`, `"1e3"` is refused (people do not write exponents).
    /// Surrounding spaces (and non-breaking spaces) are ignored; thousands separators are refused because
    /// `1.000` is one thousand in Vietnamese and one in English.
    public static func parse(_ text: some StringProtocol) -> Result<Decimal, ParseError> {
        var scalars = Substring(text).unicodeScalars[...]
        while let f = scalars.first, isBlank(f) { scalars = scalars.dropFirst() }
        while let l = scalars.last, isBlank(l) { scalars = scalars.dropLast() }
        if scalars.isEmpty { return .failure(.empty) }
        var negative = false
        if let f = scalars.first, f == "-" || f == "+" || f == "\u{2212}" {
            negative = f != "+"
            scalars = scalars.dropFirst()
        }
        var intDigits: [UInt8] = []
        var fracDigits: [UInt8] = []
        var seenSeparator = false
        for s in scalars {
            switch s {
            case "0"..."9":
                let d = UInt8(s.value - 48)
                if seenSeparator { fracDigits.append(d) } else { intDigits.append(d) }
            case ".", ",":
                if seenSeparator { return .failure(.ambiguousSeparators) }
                seenSeparator = true
            default:
                return .failure(.notANumber)
            }
        }
        if intDigits.isEmpty && fracDigits.isEmpty { return .failure(.notANumber) }
        if seenSeparator && fracDigits.isEmpty { return .failure(.notANumber) }
        while intDigits.count > 1, intDigits.first == 0 { intDigits.removeFirst() }
        while fracDigits.last == 0 { fracDigits.removeLast() }
        if intDigits.count > maxIntegerDigits { return .failure(.tooLarge) }
        let significant = (intDigits == [0] ? 0 : intDigits.count) + fracDigits.count
        if significant > maxSignificantDigits { return .failure(.tooPrecise) }
        var canonical = negative ? "-" : ""
        canonical += intDigits.isEmpty ? "0" : String(intDigits.map { Character(String($0)) })
        if !fracDigits.isEmpty { canonical += "." + String(fracDigits.map { Character(String($0)) }) }
        guard let value = Decimal(string: canonical, locale: posix) else { return .failure(.notANumber) }
        return .success(value.isZero ? 0 : value)
    }

    /// Parses or returns nil.
    public static func decimal(_ text: some StringProtocol) -> Decimal? {
        if case .success(let d) = parse(text) { return d }
        return nil
    }

    /// The machine form: a dot, no grouping, every digit (`891.195`).
    public static func machine(_ value: Decimal) -> String {
        if value.isZero { return "0" }
        return machineFromWord(value) ?? machineByFoundation(value)
    }

    /// Foundation's way (round to 38 places, then `description`): every value, but slow. `dti rollup` writes about
    /// 100,000 numbers for a year of 25 provinces, and this was a sixth of its own CPU time (perf, make bench).
    static func machineByFoundation(_ value: Decimal) -> String {
        var v = value
        if v.isZero { return "0" }
        var normalized = Decimal()
        NSDecimalRound(&normalized, &v, 38, .plain)
        return normalized.description
    }

    /// The same text, written directly, for a value whose exponent needs no rounding at 38 places (every point, ratio and
    /// amount dti computes in practice); nil for the rest, and for every value when the layout check below fails. Tests
    /// compare the two paths on many values.
    static func machineFromWord(_ value: Decimal) -> String? {
        guard Self.layoutKnown, !value.isNaN, let (negative, exponent0, mantissa0) = Self.parts(value),
              exponent0 >= -38, exponent0 <= 20, mantissa0 != 0 else { return nil }
        var mantissa = mantissa0, exponent = exponent0
        while mantissa % 10 == 0 { mantissa /= 10; exponent += 1 }
        var digits = String(mantissa)
        if exponent >= 0 {
            if exponent > 0 { digits += String(repeating: "0", count: exponent) }
        } else if digits.utf8.count <= -exponent {
            digits = "0." + String(repeating: "0", count: -exponent - digits.utf8.count) + digits
        } else {
            digits.insert(".", at: digits.index(digits.endIndex, offsetBy: exponent))
        }
        return negative ? "-" + digits : digits
    }

    /// Sign, exponent and mantissa, read from the bytes of the value: swift-foundation keeps `_mantissa` and
    /// `_length` internal on Linux. Its layout (20 bytes: the exponent; the length in the high 4 bits of the next byte,
    /// the sign in bit 3; two reserved bytes; eight 16-bit words of mantissa, least significant first: 128 bits) is checked once
    /// against Foundation's own answers (`layoutKnown`), and each value's exponent again against `exponent`.
    private static func parts(_ value: Decimal) -> (negative: Bool, exponent: Int, mantissa: UInt128)? {
        guard let p = rawParts(value), p.exponent == value.exponent, p.negative == (value.sign == .minus) else { return nil }
        return p
    }

    private static func rawParts(_ value: Decimal) -> (negative: Bool, exponent: Int, mantissa: UInt128)? {
        guard MemoryLayout<Decimal>.size == 20 else { return nil }
        return withUnsafeBytes(of: value) { b -> (Bool, Int, UInt128)? in
            let length = Int(b[1] >> 4)
            guard length <= 8 else { return nil }
            var mantissa: UInt128 = 0
            for w in stride(from: length - 1, through: 0, by: -1) {
                mantissa = mantissa << 16 | UInt128(b[4 + 2 * w]) | UInt128(b[5 + 2 * w]) << 8
            }
            return (b[1] & 0x08 != 0, Int(Int8(bitPattern: b[0])), mantissa)
        }
    }

    /// Whether the byte layout read by `rawParts` is the one this Foundation has: each probe rebuilt from its parts
    /// equals it.
    static let layoutKnown: Bool = {
        ["891.195", "-0.005", "500", "12345678901234567890", "1", "-7.25", "0.000001",
         "0.33333333333333333333333333333333333333", "-123456789012345678901234567890.12345678"].allSatisfy { text in
            guard let d = Decimal(string: text, locale: Locale(identifier: "en_US_POSIX")), let p = rawParts(d) else { return false }
            guard let significand = Decimal(string: String(p.mantissa), locale: Locale(identifier: "en_US_POSIX")) else { return false }
            return Decimal(sign: p.negative ? .minus : .plus, exponent: p.exponent, significand: significand) == d
        }
    }()

    /// The human form in Vietnamese: a comma for decimals, a dot between thousands (`1.234,5`), rounded to at most
    /// `fractionDigits` places (display only: stored values keep every digit).
    public static func vietnamese(_ value: Decimal, fractionDigits: Int = 3) -> String {
        human(value, fractionDigits: fractionDigits, decimalSeparator: ",", groupSeparator: ".")
    }

    /// The human form in English: `1,234.5`.
    public static func english(_ value: Decimal, fractionDigits: Int = 3) -> String {
        human(value, fractionDigits: fractionDigits, decimalSeparator: ".", groupSeparator: ",")
    }

    public static func human(_ value: Decimal, fractionDigits: Int, decimalSeparator: String, groupSeparator: String) -> String {
        let rounded = round(value, places: fractionDigits)
        let plain = machine(rounded)
        var sign = ""
        var body = Substring(plain)
        if body.hasPrefix("-") { sign = "-"; body = body.dropFirst() }
        let parts = body.split(separator: ".", omittingEmptySubsequences: false)
        let intPart = String(parts[0])
        var grouped = ""
        for (i, ch) in intPart.enumerated() {
            if i > 0 && (intPart.count - i) % 3 == 0 { grouped += groupSeparator }
            grouped.append(ch)
        }
        if parts.count > 1 { return sign + grouped + decimalSeparator + parts[1] }
        return sign + grouped
    }

    /// Rounds half away from zero (the way published tables round) to `places` decimal places.
    public static func round(_ value: Decimal, places: Int) -> Decimal {
        var v = value
        var r = Decimal()
        NSDecimalRound(&r, &v, places, .plain)
        return r
    }

    private static let posix = Locale(identifier: "en_US_POSIX")

    private static func isBlank(_ s: Unicode.Scalar) -> Bool {
        s == " " || s == "\t" || s == "\u{00A0}" || s == "\u{202F}"
    }
}

extension Decimal {
    /// The machine text of the value (dot separator, every digit).
    public var machineText: String { DecimalText.machine(self) }
}
