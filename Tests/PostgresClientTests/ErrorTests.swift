import DTITestSupport
import Foundation
import PostgresClient
import Testing

@Suite("errors")
struct ErrorTests {
    @Test("a unique violation carries SQLSTATE 23505, its detail, table and constraint")
    func uniqueViolation() throws {
        try TestDatabase.withFresh(prefix: "err_unique") { db in
            try db.execute("CREATE TABLE units (code text PRIMARY KEY)")
            try db.execute("INSERT INTO units VALUES (\("x"))")
            let error = #expect(throws: PostgresError.self) { try db.execute("INSERT INTO units VALUES (\("x"))") }
            #expect(error?.kind == .server)
            #expect(error?.sqlState == "23505")
            #expect(error?.detail == "Key (code)=(x) already exists.")
            #expect(error?.table == "units")
            #expect(error?.constraint == "units_pkey")
            #expect(error?.severity == "ERROR")
            #expect(error?.query == "INSERT INTO units VALUES ($1)")
            #expect(error?.description.contains("23505") == true)
            // The connection is still usable.
            #expect(try db.query("SELECT count(*) AS n FROM units")[0]["n"].decode(Int.self) == 1)
        }
    }

    @Test("a syntax error carries its position in the statement")
    func syntaxErrorPosition() throws {
        try TestDatabase.withFresh(prefix: "err_syntax") { db in
            let sql = "SELECT 1 FROM pg_class WHER relname = 'x'"
            let error = #expect(throws: PostgresError.self) { try db.query(PostgresQuery(sql)) }
            #expect(error?.sqlState == "42601")
            #expect(error?.position == Self.position(of: "relname", in: sql))
            // Positions count characters, not bytes, in Vietnamese text too.
            let vi = "SELECT 'Thừa Thiên Huế' AS tên WHER 1 = 1"
            let e2 = #expect(throws: PostgresError.self) { try db.simpleQuery(vi) }
            #expect(e2?.position == Self.position(of: "WHER", in: vi))
        }
    }

    /// The 1-based character (Unicode scalar) position of `needle` in `text`, as PostgreSQL counts.
    static func position(of needle: String, in text: String) -> Int? {
        guard let range = text.range(of: needle) else { return nil }
        return text.unicodeScalars.distance(from: text.unicodeScalars.startIndex, to: range.lowerBound) + 1
    }

    @Test("a failed connection carries libpq's message")
    func connectionFailure() {
        let error = #expect(throws: PostgresError.self) {
            try PostgresConnection(conninfo: "host=/nonexistent/dti-socket-dir port=5432 dbname=x user=postgres connect_timeout=2")
        }
        #expect(error?.kind == .connection)
        #expect(error?.message.contains("/nonexistent/dti-socket-dir") == true)
    }

    @Test("a closed connection refuses politely")
    func closedConnection() throws {
        let db = try TestDatabase.fresh(prefix: "err_closed")
        defer { try? db.drop() }
        let c = try db.connect()
        c.close()
        c.close()
        let error = #expect(throws: PostgresError.self) { try c.query("SELECT 1") }
        #expect(error?.kind == .connection)
    }

    @Test("NULL into a non-optional, a missing column and a wrong type are decoding errors naming the column")
    func decodingErrors() throws {
        try TestDatabase.withFresh(prefix: "err_decode") { db in
            let row = try db.query("SELECT NULL::int AS n, 'abc' AS s")[0]
            let e1 = #expect(throws: PostgresError.self) { try row["n"].decode(Int.self) }
            #expect(e1?.kind == .decoding)
            #expect(e1?.column == "n")
            let e2 = #expect(throws: PostgresError.self) { try row["missing"].decode(String.self) }
            #expect(e2?.kind == .decoding && e2?.message.contains("missing") == true)
            let e3 = #expect(throws: PostgresError.self) { try row["s"].decode(Int.self) }
            #expect(e3?.kind == .decoding && e3?.column == "s" && e3?.message.contains("'s'") == true)
        }
    }
}
