import PostgresClient

/// COPY into a table with row-level security. PostgreSQL refuses `COPY … FROM` into such a table for a login the
/// policies apply to (0A000, "COPY FROM not supported with row-level security"), which is every `dti_etl` login:
/// only the owner bypasses them. So, when the policies apply to this session, the rows go into a temporary table of
/// the same columns first and then into the table with one `INSERT … SELECT`, which the policies check; the owner
/// keeps the direct COPY (and its speed).
enum ProtectedCopy {
    /// `table` is schema-qualified (`dti.submission_sheets`), `columns` its column list, `options` the COPY options
    /// (`(FORMAT binary)` or empty). Returns what `copyIn` returns: the rows written.
    static func copyIn(_ db: PostgresConnection, table: String, columns: String, options: String = "",
                       _ produce: (CopyInWriter) throws -> Void) throws -> Int {
        let active = try db.query("SELECT pg_catalog.row_security_active(\(table)::regclass) AS active")[0]["active"].decode(Bool.self)
        guard active else { return try db.copyIn("COPY \(table) (\(columns)) FROM STDIN \(options)", produce) }
        let temp = "dti_copy_" + table.split(separator: ".").last!
        try db.simpleQuery("DROP TABLE IF EXISTS pg_temp.\(temp); CREATE TEMP TABLE \(temp) AS SELECT \(columns) FROM \(table) WITH NO DATA")
        let rows = try db.copyIn("COPY pg_temp.\(temp) (\(columns)) FROM STDIN \(options)", produce)
        try db.simpleQuery("INSERT INTO \(table) (\(columns)) SELECT \(columns) FROM pg_temp.\(temp); DROP TABLE pg_temp.\(temp)")
        return rows
    }
}
