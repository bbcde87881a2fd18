import DTITestSupport
import Foundation
import PostgresClient
import Testing

/// The binary COPY encoder against the real server: what it writes must read back exactly as PostgreSQL's own text
/// input of the same values reads.
@Suite("Binary COPY")
struct BinaryCopyTests {
    /// Numbers in machine form, with the scale as written: zeros, signs, group boundaries (4 digits), long fractions.
    static let numbers = [
        "0", "-0", "0.0", "00012", "1", "-1", "9999", "10000", "12345", "100000000", "0.5", "-0.5", ".5", "-.25",
        "12.50", "0.0001", "0.00001", "1234.5678", "99999999.99999999", "123456789012345", "-123456789012345.123456789012345",
        "0.000000000000000000000000000001", "100.000", "7.0", "1000000000000000000000000000.5",
    ]

    @Test("numeric, int4, int2, bigint, enum label, text and arrays read back as the server's own text input reads them")
    func roundTrip() throws {
        try TestDatabase.withFresh(prefix: "binary_copy") { db in
            try db.simpleQuery("""
                CREATE TYPE mood AS ENUM ('self', 'final');
                CREATE TABLE t (k bigint, n numeric, i int, y smallint, m mood, a int[], na numeric[], ta text[]);
                CREATE TABLE want (k bigint, n text);
                """)
            _ = try db.copyIn("COPY t FROM STDIN (FORMAT binary)") { writer in
                var out = BinaryCopyEncoder()
                for (k, n) in Self.numbers.enumerated() {
                    out.beginRow(fields: 8)
                    out.bigint(Int64(k) - 3)
                    let encoded = out.numeric(machineText: n)
                    #expect(encoded, "\(n)")
                    out.integer(Int32(k) * -1_000_003)
                    out.smallint(Int16(2022 + k))
                    out.text(k % 2 == 0 ? "self" : "final")
                    var a = out.beginArray(of: .int4, count: 2, hasNulls: false)
                    out.int32(4); out.int32(Int32(k)); out.int32(4); out.int32(-7)
                    out.endArray(at: a)
                    a = out.beginArray(of: .numeric, count: 2, hasNulls: true)
                    out.numeric(machineText: n); out.null()
                    out.endArray(at: a)
                    a = out.beginArray(of: .text, count: 2, hasNulls: true)
                    out.text("Xã Kiếm Thủ \(k)"); out.null()
                    out.endArray(at: a)
                }
                out.finish()
                try out.drain { try writer.write($0) }
            }
            for (k, n) in Self.numbers.enumerated() {
                let row = try db.query("""
                    SELECT n::text AS n, (n = \(n)::numeric) AS same, scale(n) = scale(\(n)::numeric) AS same_scale, i, y, m::text AS m,
                           a::text AS a, (na[1] = \(n)::numeric AND na[2] IS NULL) AS same_array, ta[1] AS t, ta[2] IS NULL AS t_null
                      FROM t WHERE k = \(k - 3)
                    """)[0]
                let same = try row["same"].decode(Bool.self), sameScale = try row["same_scale"].decode(Bool.self)
                #expect(same && sameScale, "\(n) came back as \(row["n"].text ?? "?")")
                #expect(try row["i"].decode(Int.self) == k * -1_000_003)
                #expect(try row["y"].decode(Int.self) == 2022 + k)
                #expect(row["m"].text == (k % 2 == 0 ? "self" : "final"))
                #expect(row["a"].text == "{\(k),-7}")
                #expect(try row["same_array"].decode(Bool.self))
                let textNull = try row["t_null"].decode(Bool.self)
                #expect(row["t"].text == "Xã Kiếm Thủ \(k)" && textNull)
            }
        }
    }

    @Test("text that is not a machine-form number is refused and writes nothing")
    func notNumbers() {
        for bad in ["", "-", ".", "1.", "1,5", "1e3", "+1", "1.2.3", " 1", "12a", "--1"] {
            var out = BinaryCopyEncoder()
            let before = out.bytes.count
            let encoded = out.numeric(machineText: bad)
            #expect(!encoded, "\(bad)")
            #expect(out.bytes.count == before)
        }
    }
}
