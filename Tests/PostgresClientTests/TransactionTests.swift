import DTITestSupport
import Foundation
import PostgresClient
import Testing

@Suite("transactions")
struct TransactionTests {
    struct Boom: Error {}

    @Test("a throw inside transaction rolls everything back and rethrows")
    func throwRollsBack() throws {
        try TestDatabase.withFresh(prefix: "tx_rollback") { db in
            try db.execute("CREATE TABLE t (v int)")
            #expect(throws: Boom.self) {
                try db.transaction { tx in
                    try tx.execute("INSERT INTO t VALUES (\(1)), (\(2))")
                    try tx.execute("CREATE TABLE made_inside (x int)")
                    throw Boom()
                }
            }
            #expect(!db.inTransaction)
            #expect(try db.query("SELECT count(*) AS n FROM t")[0]["n"].decode(Int.self) == 0)
            #expect(try db.query("SELECT to_regclass('made_inside') IS NULL AS gone")[0]["gone"].decode(Bool.self))
        }
    }

    @Test("a returning body commits and hands back its value")
    func commits() throws {
        try TestDatabase.withFresh(prefix: "tx_commit") { db in
            try db.execute("CREATE TABLE t (v int)")
            let n = try db.transaction { tx in try tx.execute("INSERT INTO t VALUES (1), (2), (3)") }
            #expect(n == 3)
            #expect(try db.query("SELECT sum(v) AS s FROM t")[0]["s"].decode(Int.self) == 6)
        }
    }

    @Test("a nested transaction is a savepoint: the inner one rolls back alone")
    func nestedSavepoint() throws {
        try TestDatabase.withFresh(prefix: "tx_nested") { db in
            try db.execute("CREATE TABLE t (v int)")
            try db.transaction { outer in
                try outer.execute("INSERT INTO t VALUES (1)")
                #expect(throws: Boom.self) {
                    try outer.transaction { inner in
                        try inner.execute("INSERT INTO t VALUES (2)")
                        throw Boom()
                    }
                }
                try outer.transaction { inner in try inner.execute("INSERT INTO t VALUES (3)") }
            }
            let values = try db.query("SELECT v FROM t ORDER BY v").map { try $0["v"].decode(Int.self) }
            #expect(values == [1, 3])
        }
    }

    @Test("a server error swallowed inside the body does not pass for a commit")
    func swallowedErrorIsNotACommit() throws {
        try TestDatabase.withFresh(prefix: "tx_swallow") { db in
            try db.execute("CREATE TABLE t (v int PRIMARY KEY)")
            let e = #expect(throws: PostgresError.self) {
                try db.transaction { tx in
                    try tx.execute("INSERT INTO t VALUES (1)")
                    _ = try? tx.execute("INSERT INTO t VALUES (1)")   // fails: the transaction is now aborted
                }
            }
            // Not the duplicate key itself (it was swallowed): COMMIT met an aborted transaction (25P02).
            #expect(e?.kind == .server && e?.sqlState == "25P02" && e?.message.contains("rolled back") == true, "\(String(describing: e))")
            #expect(try db.query("SELECT count(*) AS n FROM t")[0]["n"].decode(Int.self) == 0)
        }
    }
}
