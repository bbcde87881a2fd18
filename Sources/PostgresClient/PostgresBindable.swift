import Foundation

/// A Swift value that can be sent as a bound parameter (`$1`, `$2`, …) in PostgreSQL's text format.
/// Parameters are sent with no declared type, so the server infers it from where the parameter stands.
public protocol PostgresBindable: Sendable {
    /// The text the server parses for this value, or nil for SQL NULL.
    func postgresText() throws(PostgresError) -> String?
}

extension String: PostgresBindable {
    public func postgresText() -> String? { self }
}

extension Substring: PostgresBindable {
    public func postgresText() -> String? { String(self) }
}

extension Int: PostgresBindable {
    public func postgresText() -> String? { String(self) }
}

extension Int32: PostgresBindable {
    public func postgresText() -> String? { String(self) }
}

extension Int64: PostgresBindable {
    public func postgresText() -> String? { String(self) }
}

extension Bool: PostgresBindable {
    public func postgresText() -> String? { self ? "true" : "false" }
}

extension Decimal: PostgresBindable {
    /// The exact plain text (`891.195`), never an exponent. A NaN is refused.
    public func postgresText() throws(PostgresError) -> String? {
        guard let text = NumericText.text(self) else {
            throw PostgresError(.encoding, message: "the Decimal \(self) has no exact numeric text (NaN is refused)")
        }
        return text
    }
}

extension Date: PostgresBindable {
    /// ISO-8601 in UTC with microseconds (`2024-05-01T07:30:00.000000Z`), read by the server as a `timestamptz`.
    public func postgresText() throws(PostgresError) -> String? {
        guard let text = TimestampText.text(self) else {
            throw PostgresError(.encoding, message: "the date \(self) is outside the years 1–9999")
        }
        return text
    }
}

extension Data: PostgresBindable {
    /// `bytea` in hex form (`\x48656c6c6f`).
    public func postgresText() -> String? {
        let hex: [UInt8] = Array("0123456789abcdef".utf8)
        var bytes: [UInt8] = [UInt8(ascii: "\\"), UInt8(ascii: "x")]
        bytes.reserveCapacity(2 + count * 2)
        for b in self {
            bytes.append(hex[Int(b >> 4)])
            bytes.append(hex[Int(b & 0x0F)])
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// A value that can be an element of an array parameter (`text[]`, `integer[]`, `numeric[]`, …).
public protocol PostgresArrayElement: PostgresBindable {}

extension String: PostgresArrayElement {}
extension Substring: PostgresArrayElement {}
extension Int: PostgresArrayElement {}
extension Int32: PostgresArrayElement {}
extension Int64: PostgresArrayElement {}
extension Bool: PostgresArrayElement {}
extension Decimal: PostgresArrayElement {}
extension Date: PostgresArrayElement {}
extension Data: PostgresArrayElement {}
extension Optional: PostgresArrayElement where Wrapped: PostgresArrayElement {}

extension Array: PostgresBindable where Element: PostgresArrayElement {
    /// A one-dimensional array literal: every element double-quoted with `"` and `\` escaped, nil as NULL
    /// (`{"a","b \"c\"",NULL}`). Cast it in SQL to the array type meant: `\(codes)::text[]`, `\(ids)::integer[]`.
    public func postgresText() throws(PostgresError) -> String? {
        var s = "{"
        for (i, element) in enumerated() {
            if i > 0 { s += "," }
            guard let text = try element.postgresText() else {
                s += "NULL"
                continue
            }
            s += "\""
            for ch in text.unicodeScalars {
                if ch == "\"" || ch == "\\" { s += "\\" }
                s.unicodeScalars.append(ch)
            }
            s += "\""
        }
        return s + "}"
    }
}

extension Optional: PostgresBindable where Wrapped: PostgresBindable {
    /// `nil` is SQL NULL.
    public func postgresText() throws(PostgresError) -> String? {
        switch self {
        case .none: return nil
        case .some(let value): return try value.postgresText()
        }
    }
}
