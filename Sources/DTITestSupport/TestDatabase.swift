import DTIWarehouse
import Foundation
import Logging
import PostgresClient

/// A uniquely named database on the test server, made for one test and dropped by it:
///
/// ```swift
/// let db = try TestDatabase.fresh(prefix: "copy")      // empty
/// defer { try? db.drop() }
/// let c = try db.connect()
/// ```
/// `TestDatabase.migrated(prefix:)` is a copy of `dti_template`, which holds the repository's migrations and views
/// and is brought up to date once per test process. Tests may run in parallel: names never collide, and the
/// template is rebuilt under an exclusive advisory lock while copies take a shared one.
public struct TestDatabase: Sendable {
    public let name: String
    public let conninfo: String
    let server: TestServer

    /// The template every `migrated` database is copied from.
    public static let templateName = "dti_template"
    static let templateLockKey: Int64 = 0x6474_695F_746D_706C   // "dti_tmpl"

    /// A new connection to this database; notices go to `logger`.
    public func connect(logger: Logger? = nil) throws -> PostgresConnection {
        try PostgresConnection(conninfo: conninfo, logger: logger)
    }

    /// Drops the database (closing any connection still open to it).
    public func drop() throws {
        let admin = try PostgresConnection(conninfo: server.adminConninfo)
        defer { admin.close() }
        try admin.execute("DROP DATABASE IF EXISTS \(identifier: name) WITH (FORCE)")
    }

    /// A new, empty database named `<prefix>_<random>`.
    public static func fresh(prefix: String = "test") throws -> TestDatabase {
        let server = try TestServer.shared()
        let name = uniqueName(prefix)
        let admin = try PostgresConnection(conninfo: server.adminConninfo)
        defer { admin.close() }
        try admin.execute("CREATE DATABASE \(identifier: name)")
        return TestDatabase(name: name, conninfo: try server.conninfo(database: name), server: server)
    }

    /// A new database with the repository's migrations and views applied (a copy of `dti_template`).
    public static func migrated(prefix: String = "test") throws -> TestDatabase {
        let server = try TestServer.shared()
        try templateReady.get()
        let name = uniqueName(prefix)
        let admin = try PostgresConnection(conninfo: server.adminConninfo)
        defer { admin.close() }
        try admin.execute("SELECT pg_advisory_lock_shared(\(templateLockKey))")
        defer { _ = try? admin.execute("SELECT pg_advisory_unlock_shared(\(templateLockKey))") }
        try admin.execute("CREATE DATABASE \(identifier: name) TEMPLATE \(identifier: templateName)")
        return TestDatabase(name: name, conninfo: try server.conninfo(database: name), server: server)
    }

    /// Brings `dti_template` up to date once per process: migrate it in place, or — when an applied migration
    /// changed (someone is editing one) — drop and rebuild it.
    private static let templateReady: Result<Void, any Error> = Result {
        let server = try TestServer.shared()
        let admin = try PostgresConnection(conninfo: server.adminConninfo)
        defer { admin.close() }
        try admin.execute("SELECT pg_advisory_lock(\(templateLockKey))")
        defer { _ = try? admin.execute("SELECT pg_advisory_unlock(\(templateLockKey))") }
        do {
            try migrateTemplate(server: server, admin: admin)
        } catch let e as DTIError where e.kind == .inputRejected {
            try admin.execute("DROP DATABASE IF EXISTS \(identifier: templateName) WITH (FORCE)")
            try migrateTemplate(server: server, admin: admin)
        }
    }

    /// Creates the template when missing and applies the repository's migrations and views to it.
    private static func migrateTemplate(server: TestServer, admin: PostgresConnection) throws {
        let exists = try admin.query("SELECT 1 FROM pg_database WHERE datname = \(templateName)")
        if exists.isEmpty {
            try admin.execute("CREATE DATABASE \(identifier: templateName)")
        }
        let template = try PostgresConnection(conninfo: try server.conninfo(database: templateName))
        defer { template.close() }
        _ = try Migrator(home: Home(root: TestServer.repositoryRoot)).migrate(template)
    }

    /// Runs `body` with a connection to a new empty database, then closes and drops it (also when `body` throws).
    public static func withFresh<T>(prefix: String, logger: Logger? = nil, _ body: (PostgresConnection) throws -> T) throws -> T {
        let db = try fresh(prefix: prefix)
        defer { try? db.drop() }
        let connection = try db.connect(logger: logger)
        defer { connection.close() }
        return try body(connection)
    }

    /// `<prefix>_<12 random hex digits>`, lowercase, at most 63 bytes, only `[a-z0-9_]`.
    static func uniqueName(_ prefix: String) -> String {
        let cleaned = String(prefix.lowercased().unicodeScalars.map { ("a"..."z").contains($0) || ("0"..."9").contains($0) ? Character($0) : "_" })
        let random = UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(12)
        return "t_" + cleaned.prefix(45) + "_" + random
    }
}
