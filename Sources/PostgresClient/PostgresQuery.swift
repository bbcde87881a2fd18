import Foundation

/// A statement and its bound parameters. Interpolated values become `$1`, `$2`, … and travel separately from the
/// SQL text, so they are never spliced into it:
///
/// ```swift
/// let rows = try db.query("SELECT name FROM dti.units WHERE code = \(code) AND valid_from <= \(year)")
/// try db.execute("DELETE FROM dti.\(unescaped: table) WHERE run_id = \(runId)")
/// try db.execute("CREATE DATABASE \(identifier: name)")
/// ```
public struct PostgresQuery: Sendable, ExpressibleByStringInterpolation, CustomStringConvertible {
    /// The SQL text with `$n` placeholders.
    public var sql: String
    /// The values of `$1`, `$2`, … in order; nil is SQL NULL.
    public var binds: [(any PostgresBindable)?]

    /// A statement with explicit `$n` placeholders and their values.
    public init(_ sql: String, binds: [(any PostgresBindable)?] = []) {
        self.sql = sql
        self.binds = binds
    }

    public init(stringLiteral value: String) {
        self.init(value)
    }

    public init(stringInterpolation: StringInterpolation) {
        self.init(stringInterpolation.sql, binds: stringInterpolation.binds)
    }

    /// The SQL text (never the parameter values).
    public var description: String { sql }

    public struct StringInterpolation: StringInterpolationProtocol {
        var sql = ""
        var binds: [(any PostgresBindable)?] = []

        public init(literalCapacity: Int, interpolationCount: Int) {
            sql.reserveCapacity(literalCapacity + interpolationCount * 3)
            binds.reserveCapacity(interpolationCount)
        }

        public mutating func appendLiteral(_ literal: String) {
            sql += literal
        }

        /// A bound parameter: appends `$n`.
        public mutating func appendInterpolation(_ value: some PostgresBindable) {
            binds.append(value)
            sql += "$\(binds.count)"
        }

        /// A bound parameter that may be NULL: appends `$n` (nil binds SQL NULL).
        public mutating func appendInterpolation<Value: PostgresBindable>(_ value: Value?) {
            binds.append(value)
            sql += "$\(binds.count)"
        }

        /// Raw SQL text (a table name the program chose, a fragment it built). Never pass input from people here.
        public mutating func appendInterpolation(unescaped text: String) {
            sql += text
        }

        /// A double-quoted SQL identifier (`"dti_test_1"`, quotes inside doubled).
        public mutating func appendInterpolation(identifier name: String) {
            sql += PostgresQuery.quoteIdentifier(name)
        }
    }

    /// Double-quotes an identifier the way `quote_ident` does, doubling any `"` inside.
    public static func quoteIdentifier(_ name: String) -> String {
        "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// Single-quotes a string literal the way `quote_literal` does (for the few statements that take no
    /// parameters, such as `SET` or `CREATE DATABASE … TEMPLATE`); prefer bound parameters everywhere else.
    public static func quoteLiteral(_ text: String) -> String {
        let body = text.replacingOccurrences(of: "'", with: "''")
        return text.contains("\\") ? "E'" + body.replacingOccurrences(of: "\\", with: "\\\\") + "'" : "'" + body + "'"
    }
}
