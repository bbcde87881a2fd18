import CLibPQ

/// The one error type of the client: what the server said (with its SQLSTATE and the fields of the error report),
/// why the connection failed, or why a value could not be encoded or decoded.
public struct PostgresError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        /// The connection could not be opened, was closed, or broke.
        case connection
        /// The server refused a statement (the SQLSTATE says why).
        case server
        /// A value the server sent does not decode to the Swift type asked for.
        case decoding
        /// A Swift value has no PostgreSQL text form (a NaN `Decimal`, a date outside years 1–9999).
        case encoding
        /// The server or libpq answered something the client did not expect (a `COPY` that was not one, …).
        case `protocol`
    }

    public var kind: Kind
    /// The five-character SQLSTATE (`23505` unique violation, `42601` syntax error, …); nil unless from the server.
    public var sqlState: String?
    /// `ERROR`, `FATAL`, `PANIC` (or a notice level); nil unless from the server.
    public var severity: String?
    /// The primary message.
    public var message: String
    public var detail: String?
    public var hint: String?
    /// 1-based position, in characters, of the error in the statement text.
    public var position: Int?
    public var schema: String?
    public var table: String?
    public var column: String?
    public var constraint: String?
    /// Where in a function or DO block the error happened.
    public var context: String?
    /// The statement that failed (its text, never its parameter values).
    public var query: String?

    public init(_ kind: Kind, message: String, sqlState: String? = nil, severity: String? = nil, detail: String? = nil,
                hint: String? = nil, position: Int? = nil, schema: String? = nil, table: String? = nil,
                column: String? = nil, constraint: String? = nil, context: String? = nil, query: String? = nil) {
        self.kind = kind
        self.message = message
        self.sqlState = sqlState
        self.severity = severity
        self.detail = detail
        self.hint = hint
        self.position = position
        self.schema = schema
        self.table = table
        self.column = column
        self.constraint = constraint
        self.context = context
        self.query = query
    }

    /// One line for a person: `ERROR 23505: duplicate key value violates … — Key (code)=(x) already exists.`
    public var description: String {
        var s = ""
        switch kind {
        case .server: s = "\(severity ?? "ERROR") \(sqlState ?? "?????"): \(message)"
        case .connection: s = "connection: \(message)"
        case .decoding: s = "decoding: \(message)"
        case .encoding: s = "encoding: \(message)"
        case .protocol: s = "protocol: \(message)"
        }
        if let detail, !detail.isEmpty { s += " — \(detail)" }
        if let hint, !hint.isEmpty { s += " (hint: \(hint))" }
        if let position { s += " (at character \(position))" }
        return s
    }
}

extension PostgresError {
    /// The fields of an error report (an error result or a notice).
    static func fromResult(_ result: OpaquePointer, query: String?) -> PostgresError {
        func field(_ code: UInt8) -> String? {
            guard let p = PQresultErrorField(result, Int32(code)) else { return nil }
            return String(cString: p)
        }
        var message = field(DiagnosticField.messagePrimary)
        if message == nil, let p = PQresultErrorMessage(result) {
            let m = String(cString: p).trimmingTrailingNewlines()
            if !m.isEmpty { message = m }
        }
        return PostgresError(
            .server, message: message ?? "unknown server error",
            sqlState: field(DiagnosticField.sqlState),
            severity: field(DiagnosticField.severityNonLocalized) ?? field(DiagnosticField.severity),
            detail: field(DiagnosticField.messageDetail), hint: field(DiagnosticField.messageHint),
            position: field(DiagnosticField.statementPosition).flatMap { Int($0) },
            schema: field(DiagnosticField.schemaName), table: field(DiagnosticField.tableName),
            column: field(DiagnosticField.columnName), constraint: field(DiagnosticField.constraintName),
            context: field(DiagnosticField.context), query: query)
    }

    /// A connection-level failure carrying libpq's `PQerrorMessage`.
    static func connection(_ connection: OpaquePointer?, _ fallback: String, query: String? = nil) -> PostgresError {
        var text = fallback
        if let connection, let p = PQerrorMessage(connection) {
            let m = String(cString: p).trimmingTrailingNewlines()
            if !m.isEmpty { text = m }
        }
        return PostgresError(.connection, message: text, query: query)
    }
}

/// The `PG_DIAG_*` field codes of `postgres_ext.h` (character macros that Swift does not import).
enum DiagnosticField {
    static let severity = UInt8(ascii: "S")
    static let severityNonLocalized = UInt8(ascii: "V")
    static let sqlState = UInt8(ascii: "C")
    static let messagePrimary = UInt8(ascii: "M")
    static let messageDetail = UInt8(ascii: "D")
    static let messageHint = UInt8(ascii: "H")
    static let statementPosition = UInt8(ascii: "P")
    static let context = UInt8(ascii: "W")
    static let schemaName = UInt8(ascii: "s")
    static let tableName = UInt8(ascii: "t")
    static let columnName = UInt8(ascii: "c")
    static let constraintName = UInt8(ascii: "n")
}

extension String {
    func trimmingTrailingNewlines() -> String {
        var s = Substring(self)
        while let last = s.last, last == "\n" || last == "\r" || last == " " { s = s.dropLast() }
        return String(s)
    }
}
