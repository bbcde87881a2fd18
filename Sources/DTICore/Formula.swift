import Foundation

/// A formula over a unit's variables as the sources write them: `a/b`, `(b+c)/a`, `(a+b+c+d)/(e+f)`, `a/b - 1`,
/// `a/12`. Evaluated exactly, as a `Fraction`.
public indirect enum Formula: Sendable, Equatable, CustomStringConvertible {
    case number(Decimal)
    case variable(String)
    case negate(Formula)
    case add(Formula, Formula)
    case subtract(Formula, Formula)
    case multiply(Formula, Formula)
    case divide(Formula, Formula)

    public struct ParseError: Error, Equatable, Sendable {
        /// 0-based offset in the formula text.
        public let offset: Int
        public let message: Message
    }

    public enum EvaluationError: Error, Equatable, Sendable {
        case missing(String)
        case zeroDenominator(String)
    }

    /// Parses a formula. Variable names are lower-case letters, digits and `_`, starting with a letter.
    public static func parse(_ text: String) throws(ParseError) -> Formula {
        var parser = Parser(Array(text.unicodeScalars))
        let f = try parser.expression()
        parser.skipSpaces()
        if parser.index < parser.scalars.count {
            throw ParseError(offset: parser.index, message: Message("formula.trailing",
                vi: "ký tự thừa '\(Character(parser.scalars[parser.index]))' trong công thức",
                en: "unexpected '\(Character(parser.scalars[parser.index]))' in formula"))
        }
        return f
    }

    /// Every variable the formula reads, in order of first use.
    public var variables: [String] {
        var seen: [String] = []
        func walk(_ f: Formula) {
            switch f {
            case .number: break
            case .variable(let v): if !seen.contains(v) { seen.append(v) }
            case .negate(let x): walk(x)
            case .add(let l, let r), .subtract(let l, let r), .multiply(let l, let r), .divide(let l, let r):
                walk(l); walk(r)
            }
        }
        walk(self)
        return seen
    }

    /// Evaluates exactly. A missing variable or a division by zero is an error naming it.
    public func evaluate(_ lookup: (String) -> Decimal?) throws(EvaluationError) -> Fraction {
        switch self {
        case .number(let d): return Fraction(d)
        case .variable(let v):
            guard let d = lookup(v) else { throw .missing(v) }
            return Fraction(d)
        case .negate(let x): return Fraction(0) - (try x.evaluate(lookup))
        case .add(let l, let r): return try l.evaluate(lookup) + r.evaluate(lookup)
        case .subtract(let l, let r): return try l.evaluate(lookup) - r.evaluate(lookup)
        case .multiply(let l, let r): return try l.evaluate(lookup) * r.evaluate(lookup)
        case .divide(let l, let r):
            let num = try l.evaluate(lookup)
            let den = try r.evaluate(lookup)
            if den.numerator.isZero { throw .zeroDenominator(r.description) }
            return num / den
        }
    }

    public var description: String {
        switch self {
        case .number(let d): return d.machineText
        case .variable(let v): return v
        case .negate(let x): return "-\(x.atom)"
        case .add(let l, let r): return "\(l)+\(r)"
        case .subtract(let l, let r): return "\(l)-\(r.atomForSubtraction)"
        case .multiply(let l, let r): return "\(l.atomForProduct)*\(r.atomForProduct)"
        case .divide(let l, let r): return "\(l.atomForProduct)/\(r.atom)"
        }
    }

    private var atom: String {
        switch self {
        case .number, .variable: return description
        default: return "(\(description))"
        }
    }
    private var atomForProduct: String {
        switch self {
        case .add, .subtract: return "(\(description))"
        default: return description
        }
    }
    private var atomForSubtraction: String {
        switch self {
        case .add, .subtract: return "(\(description))"
        default: return description
        }
    }

    private struct Parser {
        let scalars: [Unicode.Scalar]
        var index = 0
        init(_ s: [Unicode.Scalar]) { scalars = s }

        mutating func skipSpaces() {
            while index < scalars.count, scalars[index] == " " || scalars[index] == "\t" { index += 1 }
        }
        mutating func peek() -> Unicode.Scalar? {
            skipSpaces()
            return index < scalars.count ? scalars[index] : nil
        }

        mutating func expression() throws(ParseError) -> Formula {
            var lhs = try term()
            while let c = peek(), c == "+" || c == "-" || c == "\u{2212}" {
                index += 1
                let rhs = try term()
                lhs = c == "+" ? .add(lhs, rhs) : .subtract(lhs, rhs)
            }
            return lhs
        }

        mutating func term() throws(ParseError) -> Formula {
            var lhs = try factor()
            while let c = peek(), c == "*" || c == "/" || c == "\u{00D7}" || c == ":" {
                index += 1
                let rhs = try factor()
                lhs = c == "/" || c == ":" ? .divide(lhs, rhs) : .multiply(lhs, rhs)
            }
            return lhs
        }

        mutating func factor() throws(ParseError) -> Formula {
            guard let c = peek() else {
                throw ParseError(offset: index, message: Message("formula.end",
                    vi: "công thức kết thúc giữa chừng", en: "formula ends too early"))
            }
            if c == "(" {
                index += 1
                let inner = try expression()
                guard peek() == ")" else {
                    throw ParseError(offset: index, message: Message("formula.paren",
                        vi: "thiếu dấu ')' trong công thức", en: "missing ')' in formula"))
                }
                index += 1
                return inner
            }
            if c == "-" || c == "\u{2212}" {
                index += 1
                return .negate(try factor())
            }
            if ("0"..."9").contains(c) {
                let start = index
                while index < scalars.count, ("0"..."9").contains(scalars[index]) || scalars[index] == "." { index += 1 }
                let text = String(String.UnicodeScalarView(scalars[start..<index]))
                guard let d = DecimalText.decimal(text) else {
                    throw ParseError(offset: start, message: Message("formula.number",
                        vi: "số '\(text)' không hợp lệ", en: "invalid number '\(text)'"))
                }
                return .number(d)
            }
            if ("a"..."z").contains(c) {
                let start = index
                while index < scalars.count,
                      ("a"..."z").contains(scalars[index]) || ("0"..."9").contains(scalars[index]) || scalars[index] == "_" {
                    index += 1
                }
                // `profile.communes`: a field of the unit's profile, as declared checks read it (`Check`).
                if String(String.UnicodeScalarView(scalars[start..<index])) == "profile", index + 1 < scalars.count,
                   scalars[index] == ".", ("a"..."z").contains(scalars[index + 1]) {
                    index += 1
                    while index < scalars.count,
                          ("a"..."z").contains(scalars[index]) || ("0"..."9").contains(scalars[index]) || scalars[index] == "_" {
                        index += 1
                    }
                }
                return .variable(String(String.UnicodeScalarView(scalars[start..<index])))
            }
            throw ParseError(offset: index, message: Message("formula.unexpected",
                vi: "ký tự '\(Character(c))' không hợp lệ trong công thức (chỉ dùng biến a, b, …, số, + - * / và ngoặc)",
                en: "unexpected '\(Character(c))' in formula (use variables a, b, …, numbers, + - * / and parentheses)"))
        }
    }
}
