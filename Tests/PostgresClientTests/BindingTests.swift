import DTITestSupport
import Foundation
import PostgresClient
import Testing

@Suite("parameters and decoding")
struct BindingTests {
    @Test("a value that looks like SQL is stored as plain text; the table survives")
    func injectionIsJustText() throws {
        try TestDatabase.withFresh(prefix: "bind_inject") { db in
            try db.execute("CREATE TABLE t (v text)")
            let evil = "'; DROP TABLE t; --"
            let query: PostgresQuery = "INSERT INTO t VALUES (\(evil))"
            #expect(query.sql == "INSERT INTO t VALUES ($1)")
            #expect(!query.sql.contains("DROP"))
            try db.execute(query)
            #expect(try db.query("SELECT v FROM t")[0]["v"].decode(String.self) == evil)
            #expect(try db.query("SELECT to_regclass('t') IS NOT NULL AS present")[0]["present"].decode(Bool.self))
            // Quotes and backslashes in the quoting helpers.
            #expect(PostgresQuery.quoteIdentifier("a\"b") == "\"a\"\"b\"")
            #expect(PostgresQuery.quoteLiteral("it's") == "'it''s'")
        }
    }

    @Test("NULLs, booleans, integers, dates and timestamps decode")
    func decodesScalars() throws {
        try TestDatabase.withFresh(prefix: "bind_scalars") { db in
            let row = try db.query("""
                SELECT NULL::text AS n, true AS t, false AS f, 42::int4 AS i4, 9007199254740993::int8 AS i8,
                       (-2147483648)::int4 AS min4, DATE '2024-02-29' AS d,
                       TIMESTAMPTZ '2024-05-01 07:30:00.25+07' AS ts, TIMESTAMP '1999-12-31 23:59:59.999999' AS local
                """)[0]
            #expect(row["n"].isNull)
            #expect(row["n"].text == nil)
            #expect(try row["n"].decode(String?.self) == nil)
            #expect(try row["n"].decode(Int?.self) == nil)
            #expect(try row["t"].decode(Bool.self) == true)
            #expect(try row["f"].decode(Bool.self) == false)
            #expect(try row["i4"].decode(Int32.self) == 42)
            #expect(try row["i4"].decode(Int.self) == 42)
            #expect(try row["i8"].decode(Int64.self) == 9_007_199_254_740_993)
            #expect(try row["min4"].decode(Int32.self) == Int32.min)
            #expect(try row["d"].decode(Date.self) == Self.utc(2024, 2, 29))
            #expect(try row["ts"].decode(Date.self) == Self.utc(2024, 5, 1, 0, 30, 0).addingTimeInterval(0.25))
            let local = try row["local"].decode(Date.self)
            #expect(abs(local.timeIntervalSince(Self.utc(1999, 12, 31, 23, 59, 59)) - 0.999999) < 1e-6)
            #expect(row.columns == ["n", "t", "f", "i4", "i8", "min4", "d", "ts", "local"])
            #expect(row[1].column == "t")
        }
    }

    @Test("bound values of every kind come back equal", arguments: [true, false])
    func boundValuesRoundTrip(_ flag: Bool) throws {
        try TestDatabase.withFresh(prefix: "bind_roundtrip") { db in
            let date = Date(timeIntervalSince1970: 1_714_548_600.123456)
            let bytes = Data([0, 1, 2, 0xFE, 0xFF, 0x27, 0x5C])
            let list = ["Hương Hữu", "a,b", "quote \" and \\ backslash", "{brace}", "", "NULL"]
            let none: Int? = nil
            let some: String? = "có"
            let row = try db.query("""
                SELECT \(flag)::boolean AS b, \(Int64.max)::int8 AS i8, \(Int32(-7))::int4 AS i4, \(date)::timestamptz AS ts,
                       \(bytes)::bytea AS by, \(list)::text[] AS list, \(none)::int AS none, \(some)::text AS some,
                       \("nền tảng"[...])::text AS sub
                """)[0]
            #expect(try row["b"].decode(Bool.self) == flag)
            #expect(try row["i8"].decode(Int64.self) == Int64.max)
            #expect(try row["i4"].decode(Int32.self) == -7)
            let back = try row["ts"].decode(Date.self)
            #expect(abs(back.timeIntervalSince(date)) < 1e-6)
            #expect(try row["by"].decode(Data.self) == bytes)
            #expect(try row["list"].decode([String].self) == list)
            #expect(try row["none"].decode(Int?.self) == nil)
            #expect(try row["some"].decode(String?.self) == "có")
            #expect(try row["sub"].decode(String.self) == "nền tảng")
        }
    }

    @Test("arrays of integers, decimals and optional strings bind and decode element by element")
    func typedArrays() throws {
        try TestDatabase.withFresh(prefix: "bind_arrays") { db in
            let ids = [3, -1, 42]
            let points: [Decimal] = [Decimal(string: "83.125")!, Decimal(string: "0.3")!]
            let maybe: [String?] = ["Huế", nil, "NULL", ""]
            let row = try db.query("""
                SELECT \(ids)::integer[] AS ids, \(points)::numeric[] AS points, \(maybe)::text[] AS maybe,
                       cardinality(\(maybe)::text[]) AS n, (\(maybe)::text[])[2] IS NULL AS second_is_null,
                       \([String]())::text[] AS empty
                """)[0]
            #expect(try row["ids"].decode([Int].self) == ids)
            #expect(try row["points"].decode([Decimal].self) == points)
            #expect(try row["maybe"].decode([String?].self) == maybe)
            #expect(try row["n"].decode(Int.self) == 4)
            #expect(try row["second_is_null"].decode(Bool.self))
            #expect(try row["empty"].decode([String].self) == [])
            // A NULL element cannot become a non-optional String: a decoding error naming the column.
            let e = #expect(throws: PostgresError.self) { try row["maybe"].decode([String].self) }
            #expect(e?.kind == .decoding && e?.column == "maybe", "\(String(describing: e))")
        }
    }

    @Test("explicit $n placeholders with init(_:binds:)")
    func explicitBinds() throws {
        try TestDatabase.withFresh(prefix: "bind_explicit") { db in
            let rows = try db.query(PostgresQuery("SELECT $1::text || ' ' || $2::text AS s, $3::int IS NULL AS n",
                                                  binds: ["Ứng", "Hòa", nil]))
            #expect(try rows[0]["s"].decode(String.self) == "Ứng Hòa")
            #expect(try rows[0]["n"].decode(Bool.self))
        }
    }

    @Test("execute returns affected rows; query returns rows that are a collection")
    func counts() throws {
        try TestDatabase.withFresh(prefix: "bind_counts") { db in
            try db.execute("CREATE TABLE t (v int)")
            #expect(try db.execute("INSERT INTO t SELECT generate_series(1, 5)") == 5)
            #expect(try db.execute("UPDATE t SET v = v + 1 WHERE v > \(3)") == 2)
            #expect(try db.execute("DELETE FROM t") == 5)
            let rows = try db.query("SELECT g AS v FROM generate_series(1, 3) g")
            #expect(rows.count == 3)
            #expect(rows.columns == ["v"])
            #expect(try rows.map { try $0["v"].decode(Int.self) } == [1, 2, 3])
            try db.simpleQuery("CREATE TABLE a (x int); INSERT INTO a VALUES (1); INSERT INTO a VALUES (2)")
            #expect(try db.query("SELECT count(*) AS n FROM a")[0]["n"].decode(Int.self) == 2)
            #expect(db.serverVersion >= 100_000)
        }
    }

    @Test("an error in the middle of several statements is reported and later ones do not run")
    func simpleQueryStops() throws {
        try TestDatabase.withFresh(prefix: "bind_simple") { db in
            try db.execute("CREATE TABLE a (x int)")
            let e = #expect(throws: PostgresError.self) {
                try db.simpleQuery("INSERT INTO a VALUES (1); INSERT INTO a VALUES ('x'); INSERT INTO a VALUES (3)")
            }
            #expect(e?.kind == .server && e?.sqlState == "22P02", "the second statement's bad integer: \(String(describing: e))")
            // The three statements form one implicit transaction: all or nothing.
            #expect(try db.query("SELECT count(*) AS n FROM a")[0]["n"].decode(Int.self) == 0)
        }
    }

    static func utc(_ y: Int, _ m: Int, _ d: Int, _ h: Int = 0, _ mi: Int = 0, _ s: Int = 0) -> Date {
        var c = DateComponents()
        (c.year, c.month, c.day, c.hour, c.minute, c.second) = (y, m, d, h, mi, s)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar.date(from: c)!
    }
}
