import Crypto
import DTITestSupport
import Foundation
import PostgresClient
import Testing

@Suite("COPY")
struct CopyTests {
    struct Stop: Error {}

    static let names = ["Hương Hữu", "Thừa Thiên Huế", "Ứng Hòa", "Nhận thức số", "Xã Tân Yên"]

    /// Row `i` of the big table in COPY text format: id, unit, year, points (numeric, trailing zeros kept),
    /// max_points, ok, day, note (NULL every 7th row).
    static func row(_ i: Int) -> String {
        let frac = i % 1000
        let fraction = frac < 10 ? "00\(frac)" : frac < 100 ? "0\(frac)" : "\(frac)"
        let day = 1 + i % 28
        return "\(i)\t\(names[i % names.count]) \(i % 997)\t\(2022 + i % 3)\t\(i % 100).\(fraction)\t100\t\(i % 2 == 0 ? "t" : "f")"
            + "\t2024-01-\(day < 10 ? "0" : "")\(day)\t\(i % 7 == 0 ? "\\N" : "ghi chú \(i)")\n"
    }

    @Test("1,000,000 rows in and back out are byte-identical (sha256 of what was sent = of what came back)")
    func millionRowRoundTrip() throws {
        try TestDatabase.withFresh(prefix: "copy_million") { db in
            try db.execute("""
                CREATE TABLE c (id int, unit text, year int, points numeric, max_points numeric, ok boolean, day date, note text)
                """)
            let total = 1_000_000
            let clock = ContinuousClock()
            let started = clock.now

            var sent = SHA256()
            var sentBytes = 0
            let rowsIn = try db.copyIn("COPY c FROM STDIN") { writer in
                var buffer = ""
                buffer.reserveCapacity(1 << 17)
                for i in 0..<total {
                    buffer += Self.row(i)
                    if buffer.utf8.count >= 1 << 16 || i == total - 1 {
                        sent.update(data: Data(buffer.utf8))
                        sentBytes += buffer.utf8.count
                        try writer.write(buffer)
                        buffer.removeAll(keepingCapacity: true)
                    }
                }
            }
            let loaded = clock.now

            var received = SHA256()
            var receivedBytes = 0
            let rowsOut = try db.copyOut("COPY (SELECT * FROM c ORDER BY id) TO STDOUT") { chunk in
                received.update(bufferPointer: chunk)
                receivedBytes += chunk.count
            }
            let finished = clock.now

            #expect(rowsIn == total)
            #expect(rowsOut == total)
            #expect(receivedBytes == sentBytes)
            #expect(Data(received.finalize()) == Data(sent.finalize()))
            print("COPY round trip of \(total) rows, \(sentBytes) bytes: in \(loaded - started), out \(finished - loaded), total \(finished - started)")

            // Spot checks through the decoders.
            let r = try db.query("SELECT unit, points, note FROM c WHERE id = \(123_457)")[0]
            #expect(try r["unit"].decode(String.self) == "Ứng Hòa \(123_457 % 997)")
            #expect(try r["points"].decode(Decimal.self) == Decimal(string: "57.457"))
            #expect(try r["note"].decode(String?.self) == "ghi chú 123457")
        }
    }

    @Test("a producer that throws aborts the COPY: nothing is loaded and the connection goes on")
    func producerThrowAborts() throws {
        try TestDatabase.withFresh(prefix: "copy_abort") { db in
            try db.execute("CREATE TABLE c (id int, name text)")
            #expect(throws: Stop.self) {
                try db.copyIn("COPY c FROM STDIN") { w in
                    try w.write("1\tmột\n2\thai\n")
                    throw Stop()
                }
            }
            #expect(try db.query("SELECT count(*) AS n FROM c")[0]["n"].decode(Int.self) == 0)
            #expect(try db.copyIn("COPY c FROM STDIN") { try $0.write(Data("3\tba\n".utf8)) } == 1)
        }
    }

    @Test("bad COPY data is a server error naming the line; the connection goes on")
    func badDataIsAServerError() throws {
        try TestDatabase.withFresh(prefix: "copy_bad") { db in
            try db.execute("CREATE TABLE c (id int, name text)")
            let error = #expect(throws: PostgresError.self) {
                try db.copyIn("COPY c FROM STDIN") { try $0.write("1\tmột\nhai\thai\n") }
            }
            #expect(error?.sqlState == "22P02")
            #expect(error?.context?.contains("line 2") == true)
            #expect(try db.query("SELECT count(*) AS n FROM c")[0]["n"].decode(Int.self) == 0)
        }
    }

    @Test("a consumer that throws cancels the COPY OUT; the connection goes on")
    func consumerThrowCancels() throws {
        try TestDatabase.withFresh(prefix: "copy_cancel") { (db: PostgresConnection) throws in
            var seen = 0
            #expect(throws: Stop.self) {
                try db.copyOut("COPY (SELECT g FROM generate_series(1, 200000) g) TO STDOUT") { _ in
                    seen += 1
                    if seen == 10 { throw Stop() }
                }
            }
            #expect(seen == 10)
            #expect(try db.query("SELECT 1 AS one")[0]["one"].decode(Int.self) == 1)
        }
    }

    @Test("COPY through the wrong door is a protocol error and leaves the connection usable")
    func wrongDoor() throws {
        try TestDatabase.withFresh(prefix: "copy_door") { db in
            try db.execute("CREATE TABLE c (id int)")
            let e1 = #expect(throws: PostgresError.self) { try db.query("COPY c FROM STDIN") }
            #expect(e1?.kind == .protocol)
            let e2 = #expect(throws: PostgresError.self) { try db.copyIn("SELECT 1") { _ in } }
            #expect(e2?.kind == .protocol)
            let e3 = #expect(throws: PostgresError.self) { try db.copyIn("COPY c TO STDOUT") { _ in } }
            #expect(e3?.kind == .protocol)
            let e4 = #expect(throws: PostgresError.self) { try db.copyOut("COPY nope TO STDOUT") { _ in } }
            #expect(e4?.sqlState == "42P01")
            #expect(try db.query("SELECT count(*) AS n FROM c")[0]["n"].decode(Int.self) == 0)
        }
    }
}
