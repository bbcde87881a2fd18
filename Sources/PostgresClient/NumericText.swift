import Foundation

/// PostgreSQL `numeric` text ⇄ `Foundation.Decimal`, exactly: digits in, digits out, never through `Double`.
public enum NumericText {
    /// The most significant digits a `Decimal` holds exactly.
    public static let maxSignificantDigits = 38

    /// Parses the text PostgreSQL prints for a `numeric` (or an integer): an optional `-`, digits, an optional `.`
    /// followed by digits. `NaN`, `Infinity`, exponents and more than 38 significant digits are refused.
    public static func decimal(_ text: some StringProtocol) -> Result<Decimal, NumericTextError> {
        var negative = false
        var digits: [UInt8] = []
        digits.reserveCapacity(text.utf8.count)
        var fractionDigits = 0
        var seenPoint = false
        var index = text.utf8.startIndex
        let end = text.utf8.endIndex
        if index < end, text.utf8[index] == UInt8(ascii: "-") {
            negative = true
            index = text.utf8.index(after: index)
        }
        while index < end {
            let byte = text.utf8[index]
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                digits.append(byte &- UInt8(ascii: "0"))
                if seenPoint { fractionDigits += 1 }
            case UInt8(ascii: ".") where !seenPoint:
                seenPoint = true
            default:
                return .failure(.notANumber(String(text)))
            }
            index = text.utf8.index(after: index)
        }
        if digits.isEmpty { return .failure(.notANumber(String(text))) }

        // value = digits × 10^exponent; drop leading zeros and move trailing zeros into the exponent.
        var exponent = -fractionDigits
        var first = 0
        while first < digits.count, digits[first] == 0 { first += 1 }
        var last = digits.count
        while last > first, digits[last - 1] == 0 { last -= 1; exponent += 1 }
        let significant = digits[first..<last]
        if significant.isEmpty { return .success(Decimal.zero) }
        if significant.count > maxSignificantDigits { return .failure(.tooPrecise(String(text))) }
        guard exponent >= Int(Int8.min), exponent + significant.count - 1 <= Int(Int8.max) else {
            return .failure(.outOfRange(String(text)))
        }

        // The significand from at most two 19-digit chunks, each exact in a UInt64 and in a Decimal.
        let split = max(significant.startIndex, significant.endIndex - 19)
        let high = significant[significant.startIndex..<split].reduce(UInt64(0)) { $0 * 10 + UInt64($1) }
        let low = significant[split..<significant.endIndex].reduce(UInt64(0)) { $0 * 10 + UInt64($1) }
        var significand = Decimal(low)
        if split > significant.startIndex {
            significand += Decimal(sign: .plus, exponent: significant.endIndex - split, significand: Decimal(high))
        }
        return .success(Decimal(sign: negative ? .minus : .plus, exponent: exponent, significand: significand))
    }

    /// The exact plain text of a decimal (`83.125`, `-0.5`, `1200`): every digit, no exponent, a dot.
    /// A NaN has no such text.
    public static func text(_ value: Decimal) -> String? {
        if value.isNaN { return nil }
        if value.isZero { return "0" }
        let digits = "\(value.significand)"
        guard !digits.isEmpty, digits.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
            return nil
        }
        let sign = value.sign == .minus ? "-" : ""
        let exponent = value.exponent
        if exponent >= 0 {
            return sign + digits + String(repeating: "0", count: exponent)
        }
        let scale = -exponent
        if digits.count > scale {
            let point = digits.index(digits.endIndex, offsetBy: -scale)
            return sign + digits[..<point] + "." + digits[point...]
        }
        return sign + "0." + String(repeating: "0", count: scale - digits.count) + digits
    }
}

/// Why a text is not an exact decimal.
public enum NumericTextError: Error, Sendable, Equatable, CustomStringConvertible {
    case notANumber(String)
    case tooPrecise(String)
    case outOfRange(String)

    public var description: String {
        switch self {
        case .notANumber(let t): return "'\(t)' is not a plain decimal number (NaN, Infinity and exponents are refused)"
        case .tooPrecise(let t): return "'\(t)' has more than \(NumericText.maxSignificantDigits) significant digits"
        case .outOfRange(let t): return "'\(t)' is outside the range of Decimal"
        }
    }
}
