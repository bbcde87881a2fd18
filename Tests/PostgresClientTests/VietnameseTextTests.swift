import DTITestSupport
import Foundation
import PostgresClient
import Testing

@Suite("Vietnamese text")
struct VietnameseTextTests {
    static let names = ["Hương Hữu", "Thừa Thiên Huế", "Ứng Hòa", "Nhận thức số", "Sở Khoa học và Công nghệ tỉnh Bắc Giang"]

    @Test("bound Vietnamese text comes back byte for byte and stays NFC")
    func roundTripsByteExact() throws {
        try TestDatabase.withFresh(prefix: "vi_text") { db in
            try db.execute("CREATE TABLE t (id int PRIMARY KEY, name text NOT NULL)")
            for (i, name) in Self.names.enumerated() {
                #expect(name == name.precomposedStringWithCanonicalMapping, "the fixture itself is NFC")
                try db.execute("INSERT INTO t VALUES (\(i), \(name))")
            }
            let rows = try db.query("""
                SELECT id, name, name IS NFC NORMALIZED AS nfc, length(name) AS characters, octet_length(name) AS bytes
                FROM t ORDER BY id
                """)
            #expect(rows.count == Self.names.count)
            for row in rows {
                let original = Self.names[try row["id"].decode(Int.self)]
                let back = try row["name"].decode(String.self)
                #expect(Array(back.utf8) == Array(original.utf8))
                #expect(back.precomposedStringWithCanonicalMapping.utf8.elementsEqual(back.utf8), "still NFC on the way back")
                #expect(try row["nfc"].decode(Bool.self), "the server sees NFC text")
                #expect(try row["characters"].decode(Int.self) == original.unicodeScalars.count)
                #expect(try row["bytes"].decode(Int.self) == original.utf8.count)
            }
        }
    }

    @Test("Vietnamese in the SQL text itself and in a WHERE parameter")
    func literalAndLookup() throws {
        try TestDatabase.withFresh(prefix: "vi_lookup") { db in
            try db.execute("CREATE TABLE t (name text)")
            try db.execute("INSERT INTO t VALUES ('Thừa Thiên Huế')")
            let rows = try db.query("SELECT count(*) AS n FROM t WHERE name = \("Thừa Thiên Huế")")
            #expect(try rows[0]["n"].decode(Int.self) == 1)
            let upper = try db.query("SELECT upper(\("ứng hòa")) AS u")
            #expect(try upper[0]["u"].decode(String.self) == "ỨNG HÒA")
        }
    }

    @Test("decomposed (NFD) text is kept verbatim, not normalized behind our back")
    func decomposedStaysVerbatim() throws {
        try TestDatabase.withFresh(prefix: "vi_nfd") { db in
            let nfd = "Hương Hữu".decomposedStringWithCanonicalMapping
            #expect(Array(nfd.utf8) != Array("Hương Hữu".utf8))
            let back = try db.query("SELECT \(nfd)::text AS v")[0]["v"].decode(String.self)
            #expect(Array(back.utf8) == Array(nfd.utf8))
        }
    }
}
