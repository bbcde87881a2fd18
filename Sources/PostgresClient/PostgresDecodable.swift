import Foundation

/// A Swift type a cell's text decodes to.
public protocol PostgresDecodable {
    /// Decodes the text the server sent for a non-NULL value of `column`.
    static func decode(postgresText text: String, column: String) throws(PostgresError) -> Self
    /// The value for SQL NULL; non-optional types throw.
    static func decodeNull(column: String) throws(PostgresError) -> Self
}

extension PostgresDecodable {
    public static func decodeNull(column: String) throws(PostgresError) -> Self {
        throw PostgresError(.decoding, message: "column '\(column)' is NULL, expected \(Self.self)", column: column)
    }

    static func mismatch(_ text: String, _ column: String, _ why: String? = nil) -> PostgresError {
        let shown = text.count > 60 ? String(text.prefix(60)) + "…" : text
        return PostgresError(.decoding, message: "column '\(column)': '\(shown)' is not \(why ?? "a valid \(Self.self)")",
                             column: column)
    }
}

extension String: PostgresDecodable {
    public static func decode(postgresText text: String, column: String) -> String { text }
}

extension Int: PostgresDecodable {
    public static func decode(postgresText text: String, column: String) throws(PostgresError) -> Int {
        guard let v = Int(text) else { throw mismatch(text, column, "an integer") }
        return v
    }
}

extension Int32: PostgresDecodable {
    public static func decode(postgresText text: String, column: String) throws(PostgresError) -> Int32 {
        guard let v = Int32(text) else { throw mismatch(text, column, "a 32-bit integer") }
        return v
    }
}

extension Int64: PostgresDecodable {
    public static func decode(postgresText text: String, column: String) throws(PostgresError) -> Int64 {
        guard let v = Int64(text) else { throw mismatch(text, column, "a 64-bit integer") }
        return v
    }
}

extension Bool: PostgresDecodable {
    /// `t`/`f` (how the server prints `boolean`), also `true`/`false`.
    public static func decode(postgresText text: String, column: String) throws(PostgresError) -> Bool {
        switch text {
        case "t", "true": return true
        case "f", "false": return false
        default: throw mismatch(text, column, "a boolean")
        }
    }
}

extension Decimal: PostgresDecodable {
    /// Exact: the digits become the decimal's significand, never through `Double`. NaN, Infinity and more than
    /// 38 significant digits are refused.
    public static func decode(postgresText text: String, column: String) throws(PostgresError) -> Decimal {
        switch NumericText.decimal(text) {
        case .success(let d): return d
        case .failure(let why):
            throw PostgresError(.decoding, message: "column '\(column)': \(why)", column: column)
        }
    }
}

extension Date: PostgresDecodable {
    /// A `timestamptz`, `timestamp` (taken as UTC) or `date` (midnight UTC).
    public static func decode(postgresText text: String, column: String) throws(PostgresError) -> Date {
        guard let d = TimestampText.date(text) else { throw mismatch(text, column, "a date or timestamp in years 1–9999") }
        return d
    }
}

extension Data: PostgresDecodable {
    /// A `bytea` in hex form (`\x…`; the connection sets `bytea_output = 'hex'`).
    public static func decode(postgresText text: String, column: String) throws(PostgresError) -> Data {
        let utf8 = Array(text.utf8)
        guard utf8.count >= 2, utf8[0] == UInt8(ascii: "\\"), utf8[1] == UInt8(ascii: "x"), utf8.count % 2 == 0 else {
            throw mismatch(text, column, "bytea in hex form")
        }
        func nibble(_ c: UInt8) -> UInt8? {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
            default: return nil
            }
        }
        var data = Data(capacity: (utf8.count - 2) / 2)
        var i = 2
        while i < utf8.count {
            guard let hi = nibble(utf8[i]), let lo = nibble(utf8[i + 1]) else { throw mismatch(text, column, "bytea in hex form") }
            data.append(hi << 4 | lo)
            i += 2
        }
        return data
    }
}

extension Array: PostgresDecodable where Element: PostgresDecodable {
    /// A one-dimensional array (`{a,"b c",NULL}`), each element decoded as `Element`: a NULL element is nil for
    /// `[String?]` and an error for `[String]`.
    public static func decode(postgresText text: String, column: String) throws(PostgresError) -> [Element] {
        guard let elements = ArrayText.elements(text) else { throw mismatch(text, column, "a one-dimensional array") }
        var result: [Element] = []
        result.reserveCapacity(elements.count)
        for e in elements {
            if let e {
                result.append(try Element.decode(postgresText: e, column: column))
            } else {
                result.append(try Element.decodeNull(column: column))
            }
        }
        return result
    }
}

extension Optional: PostgresDecodable where Wrapped: PostgresDecodable {
    public static func decode(postgresText text: String, column: String) throws(PostgresError) -> Wrapped? {
        try Wrapped.decode(postgresText: text, column: column)
    }

    public static func decodeNull(column: String) -> Wrapped? { nil }
}

/// The text form of a one-dimensional PostgreSQL array.
enum ArrayText {
    /// The elements of `{a,"b \"c\"",NULL}`; nil when the text is not a one-dimensional array literal.
    static func elements(_ text: String) -> [String?]? {
        var scalars = Array(text.unicodeScalars)
        // A lower bound decoration (`[0:1]={a,b}`) is skipped.
        if scalars.first == "[", let eq = scalars.firstIndex(of: "=") { scalars.removeSubrange(0...eq) }
        guard scalars.first == "{", scalars.last == "}" else { return nil }
        var result: [String?] = []
        var i = 1
        let end = scalars.count - 1
        if i == end { return [] }
        while i <= end {
            var value = String.UnicodeScalarView()
            var quoted = false
            if scalars[i] == "\"" {
                quoted = true
                i += 1
                while i < end, scalars[i] != "\"" {
                    if scalars[i] == "\\", i + 1 < end { i += 1 }
                    value.append(scalars[i])
                    i += 1
                }
                guard i < end else { return nil }
                i += 1
            } else {
                while i < end, scalars[i] != "," {
                    if scalars[i] == "{" || scalars[i] == "\"" { return nil }
                    if scalars[i] == "\\", i + 1 < end { i += 1 }
                    value.append(scalars[i])
                    i += 1
                }
            }
            let s = String(value)
            result.append(!quoted && s == "NULL" ? nil : s)
            guard i == end || scalars[i] == "," else { return nil }
            i += 1
        }
        return result
    }
}
