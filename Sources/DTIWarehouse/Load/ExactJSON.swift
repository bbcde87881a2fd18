import Foundation

/// A small JSON reader that keeps numbers as their exact text (Foundation's JSONSerialization would turn 0.1 into
/// a Double). Enough for submission files: objects, arrays, strings, numbers, true/false/null.
public indirect enum ExactJSON: Equatable, Sendable {
    case object([(String, ExactJSON)])
    case array([ExactJSON])
    case string(String)
    case number(String)
    case bool(Bool)
    case null

    public static func == (l: ExactJSON, r: ExactJSON) -> Bool {
        switch (l, r) {
        case (.object(let a), .object(let b)): return a.count == b.count && zip(a, b).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        case (.array(let a), .array(let b)): return a == b
        case (.string(let a), .string(let b)), (.number(let a), .number(let b)): return a == b
        case (.bool(let a), .bool(let b)): return a == b
        case (.null, .null): return true
        default: return false
        }
    }

    public struct ParseError: Error, Sendable {
        /// 0-based byte offset
        public let offset: Int
        public let line: Int
        public let reason: String
    }

    public subscript(key: String) -> ExactJSON? {
        if case .object(let pairs) = self { return pairs.first { $0.0 == key }?.1 }
        return nil
    }

    /// The value as text for a record field: strings as they are, numbers as their literal, booleans as có/không.
    public var fieldText: String? {
        switch self {
        case .string(let s): return s
        case .number(let n): return n
        case .bool(let b): return b ? "có" : "không"
        case .null: return ""
        default: return nil
        }
    }

    public static func parse(_ data: Data) throws(ParseError) -> ExactJSON {
        var p = Parser(bytes: [UInt8](data))
        if p.bytes.starts(with: [0xEF, 0xBB, 0xBF]) { p.i = 3 }
        let v = try p.value()
        p.skip()
        if p.i < p.bytes.count { throw p.fail("unexpected text after the end of the JSON value") }
        return v
    }

    struct Parser {
        let bytes: [UInt8]
        var i = 0

        func fail(_ reason: String) -> ParseError {
            let line = bytes[..<min(i, bytes.count)].reduce(1) { $1 == 0x0A ? $0 + 1 : $0 }
            return ParseError(offset: i, line: line, reason: reason)
        }
        mutating func skip() {
            while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x0A || bytes[i] == 0x0D || bytes[i] == 0x09 { i += 1 }
        }
        mutating func value() throws(ParseError) -> ExactJSON {
            skip()
            guard i < bytes.count else { throw fail("the JSON ends too early") }
            switch bytes[i] {
            case UInt8(ascii: "{"):
                i += 1
                var pairs: [(String, ExactJSON)] = []
                skip()
                if i < bytes.count, bytes[i] == UInt8(ascii: "}") { i += 1; return .object(pairs) }
                while true {
                    skip()
                    guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { throw fail("expected a key in quotes") }
                    let key = try string()
                    skip()
                    guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { throw fail("expected ':' after a key") }
                    i += 1
                    pairs.append((key, try value()))
                    skip()
                    guard i < bytes.count else { throw fail("the JSON ends inside an object") }
                    if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                    if bytes[i] == UInt8(ascii: "}") { i += 1; return .object(pairs) }
                    throw fail("expected ',' or '}' in an object")
                }
            case UInt8(ascii: "["):
                i += 1
                var items: [ExactJSON] = []
                skip()
                if i < bytes.count, bytes[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
                while true {
                    items.append(try value())
                    skip()
                    guard i < bytes.count else { throw fail("the JSON ends inside an array") }
                    if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                    if bytes[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
                    throw fail("expected ',' or ']' in an array")
                }
            case UInt8(ascii: "\""):
                return .string(try string())
            case UInt8(ascii: "t"):
                if bytes[i...].starts(with: Array("true".utf8)) { i += 4; return .bool(true) }
            case UInt8(ascii: "f"):
                if bytes[i...].starts(with: Array("false".utf8)) { i += 5; return .bool(false) }
            case UInt8(ascii: "n"):
                if bytes[i...].starts(with: Array("null".utf8)) { i += 4; return .null }
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                let start = i
                i += 1
                while i < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[i]) || bytes[i] == UInt8(ascii: ".")
                        || bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") || bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") {
                    i += 1
                }
                return .number(String(decoding: bytes[start..<i], as: UTF8.self))
            default:
                break
            }
            throw fail("unexpected character '\(Character(Unicode.Scalar(bytes[i])))'")
        }
        mutating func string() throws(ParseError) -> String {
            i += 1
            var out = [UInt8]()
            while i < bytes.count {
                let b = bytes[i]
                if b == UInt8(ascii: "\"") { i += 1; return String(decoding: out, as: UTF8.self) }
                if b < 0x20 { throw fail("a control character inside a string") }
                if b == UInt8(ascii: "\\") {
                    i += 1
                    guard i < bytes.count else { break }
                    switch bytes[i] {
                    case UInt8(ascii: "n"): out.append(0x0A)
                    case UInt8(ascii: "t"): out.append(0x09)
                    case UInt8(ascii: "r"): out.append(0x0D)
                    case UInt8(ascii: "b"): out.append(0x08)
                    case UInt8(ascii: "f"): out.append(0x0C)
                    case UInt8(ascii: "u"):
                        guard i + 4 < bytes.count, let code = UInt32(String(decoding: bytes[(i + 1)...(i + 4)], as: UTF8.self), radix: 16) else {
                            throw fail("a bad \\u escape")
                        }
                        i += 4
                        var scalarValue = code
                        if (0xD800...0xDBFF).contains(code), i + 6 < bytes.count, bytes[i + 1] == UInt8(ascii: "\\"), bytes[i + 2] == UInt8(ascii: "u"),
                           let low = UInt32(String(decoding: bytes[(i + 3)...(i + 6)], as: UTF8.self), radix: 16), (0xDC00...0xDFFF).contains(low) {
                            scalarValue = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                            i += 6
                        }
                        guard let scalar = Unicode.Scalar(scalarValue) else { throw fail("a bad \\u escape") }
                        out.append(contentsOf: Array(String(Character(scalar)).utf8))
                    default: out.append(bytes[i])
                    }
                    i += 1
                    continue
                }
                out.append(b)
                i += 1
            }
            throw fail("a string is not closed")
        }
    }
}
