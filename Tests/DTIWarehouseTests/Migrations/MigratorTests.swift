import DTICore
import DTITestSupport
import DTIWarehouse
import Foundation
import PostgresClient
import Testing

@Suite("migrator")
struct MigratorTests {
    static let units = """
        -- units for the test
        CREATE TABLE dti.units (code text PRIMARY KEY, name text NOT NULL);
        INSERT INTO dti.units VALUES ('hn', 'Hà Nội');
        """
    static let view = """
        CREATE OR REPLACE VIEW dti.v_units AS SELECT code, name FROM dti.units;
        COMMENT ON VIEW dti.v_units IS 'Đơn vị / units';
        """

    @Test("migrate applies in order and records checksums; a second run is a no-op that re-runs the views")
    func migrateTwice() throws {
        let home = try TempHome()
        defer { home.remove() }
        try home.migration("0002_units.sql", Self.units)
        try home.migration("0010_more.sql", "ALTER TABLE dti.units ADD COLUMN level text;")
        try home.view("10_v_units.sql", Self.view)
        try home.view("20_v_count.sql", "CREATE OR REPLACE VIEW dti.v_count AS SELECT count(*) AS n FROM dti.v_units;")

        let db = try TestDatabase.fresh(prefix: "migrate_twice")
        defer { try? db.drop() }
        let c = try db.connect()
        defer { c.close() }

        let first = try home.migrator.migrate(c)
        #expect(first.applied == ["0001_foundation.sql", "0002_units.sql", "0010_more.sql"])
        #expect(first.skipped == 0)
        #expect(first.views == 2)
        #expect(first.viewFiles == ["10_v_units.sql", "20_v_count.sql"])

        let second = try home.migrator.migrate(c)
        #expect(second.applied.isEmpty)
        #expect(second.skipped == 3)
        #expect(second.views == 2)

        let recorded = try home.migrator.applied(c)
        #expect(recorded.map(\.version) == [1, 2, 10])
        #expect(recorded.map(\.name) == ["foundation", "units", "more"])
        let sha = try SQLFile(path: home.migrations + "/0002_units.sql").sha256
        #expect(recorded[1].sha256 == sha)
        // The login that ran the migration: the embedded cluster's owner, or the user of DATABASE_URL / PG*.
        let owner = PostgresConnection.environmentConninfo(ProcessInfo.processInfo.environment) == nil
            ? EmbeddedCluster.superuser : try c.query("SELECT session_user::text AS u")[0]["u"].decode(String.self)
        #expect(recorded[1].appliedBy == owner)
        #expect(try c.query("SELECT n FROM dti.v_count")[0]["n"].decode(Int.self) == 1)
        #expect(try c.query("SELECT name FROM dti.v_units")[0]["name"].decode(String.self) == "Hà Nội")
    }

    @Test("views are re-run on every migrate: a changed view file takes effect without a migration")
    func viewsRerun() throws {
        let home = try TempHome()
        defer { home.remove() }
        try home.migration("0002_units.sql", Self.units)
        try home.view("10_v_units.sql", Self.view)
        let db = try TestDatabase.fresh(prefix: "migrate_views")
        defer { try? db.drop() }
        let c = try db.connect()
        defer { c.close() }
        _ = try home.migrator.migrate(c)
        try home.view("10_v_units.sql", """
            DROP VIEW IF EXISTS dti.v_units;
            CREATE VIEW dti.v_units AS SELECT code, name, upper(name) AS shout FROM dti.units;
            """)
        let again = try home.migrator.migrate(c)
        #expect(again.applied.isEmpty)
        #expect(again.views == 1)
        #expect(try c.query("SELECT shout FROM dti.v_units")[0]["shout"].decode(String.self) == "HÀ NỘI")
        let third = try home.migrator.migrate(c)
        #expect(third.views == 1)
    }

    @Test("an applied migration that changed is refused, naming the file and both checksums; nothing new runs")
    func changedMigrationRefused() throws {
        let home = try TempHome()
        defer { home.remove() }
        try home.migration("0002_units.sql", Self.units)
        let db = try TestDatabase.fresh(prefix: "migrate_changed")
        defer { try? db.drop() }
        let c = try db.connect()
        defer { c.close() }
        _ = try home.migrator.migrate(c)
        let before = try SQLFile(path: home.migrations + "/0002_units.sql").sha256

        try home.migration("0002_units.sql", Self.units + "\nALTER TABLE dti.units ADD COLUMN sneaky int;\n")
        try home.migration("0003_next.sql", "CREATE TABLE dti.next (x int);")
        let after = try SQLFile(path: home.migrations + "/0002_units.sql").sha256
        let error = #expect(throws: DTIError.self) { try home.migrator.migrate(c) }
        #expect(error?.kind == .inputRejected)
        #expect(error?.message.vi.contains("0002_units.sql") == true)
        #expect(error?.message.en.contains("forward-only") == true)
        let detail = error?.details.joined(separator: "\n") ?? ""
        #expect(detail.contains(home.migrations + "/0002_units.sql"))
        #expect(detail.contains(before))
        #expect(detail.contains(after))
        #expect(try c.query("SELECT to_regclass('dti.next') IS NULL AS absent")[0]["absent"].decode(Bool.self))
    }

    @Test("a recorded migration whose file is gone is an error")
    func missingFileRefused() throws {
        let home = try TempHome()
        defer { home.remove() }
        try home.migration("0002_units.sql", Self.units)
        let db = try TestDatabase.fresh(prefix: "migrate_missing")
        defer { try? db.drop() }
        let c = try db.connect()
        defer { c.close() }
        _ = try home.migrator.migrate(c)
        try FileManager.default.removeItem(atPath: home.migrations + "/0002_units.sql")
        let error = #expect(throws: DTIError.self) { try home.migrator.migrate(c) }
        #expect(error?.message.en.contains("0002_units.sql") == true)
        #expect(error?.details.first?.contains("gone") == true)
    }

    @Test("badly named or duplicate migration files are refused before touching the database")
    func badNames() throws {
        let home = try TempHome()
        defer { home.remove() }
        try home.migration("2_units.sql", "SELECT 1;")
        try home.migration("0003_a.sql", "SELECT 1;")
        try home.migration("0003_b.sql", "SELECT 1;")
        try home.migration("README.md", "not a migration")
        let error = #expect(throws: DTIError.self) { try MigrationFile.list(in: home.migrations) }
        #expect(error?.kind == .inputRejected)
        #expect(error?.details.count == 2)
        #expect(error?.details.contains { $0.contains("2_units.sql") } == true)
        #expect(error?.details.contains { $0.contains("0003_b.sql") && $0.contains("0003_a.sql") } == true)
    }

    @Test("migration file names", arguments: [
        ("0001_foundation.sql", 1, "foundation"), ("0042_catalogue-store.sql", 42, "catalogue-store"),
    ])
    func parsesNames(_ file: String, _ version: Int, _ name: String) {
        let parsed = MigrationFile.parseName(file)
        #expect(parsed?.version == version)
        #expect(parsed?.name == name)
    }

    @Test("names that are refused", arguments: ["0000_zero.sql", "001_short.sql", "0001-dash.sql", "0001_.sql", "0001_sp ace.sql", "abcd_x.sql", "0001_x.SQL.bak"])
    func refusesNames(_ file: String) {
        #expect(MigrationFile.parseName(file) == nil)
    }

    @Test("a failing migration rolls back entirely, is not recorded, and the error names file:line:column")
    func failingMigration() throws {
        let home = try TempHome()
        defer { home.remove() }
        try home.migration("0002_bad.sql", """
            CREATE TABLE dti.half (x int);
            -- Huế: the next statement is wrong
            INSERT INTO dti.half VALUES (1) RETURNIN x;
            """)
        let db = try TestDatabase.fresh(prefix: "migrate_bad")
        defer { try? db.drop() }
        let c = try db.connect()
        defer { c.close() }
        let error = #expect(throws: DTIError.self) { try home.migrator.migrate(c) }
        #expect(error?.kind == .database)
        #expect(error?.message.vi.contains("0002_bad.sql:3:33") == true)
        #expect(error?.details.first?.contains("42601") == true)
        #expect(try c.query("SELECT to_regclass('dti.half') IS NULL AS absent")[0]["absent"].decode(Bool.self))
        #expect(try home.migrator.applied(c).map(\.version) == [1])
    }

    @Test("a migration that commits by itself is refused")
    func selfCommitting() throws {
        let home = try TempHome()
        defer { home.remove() }
        try home.migration("0002_commit.sql", "CREATE TABLE dti.c (x int); COMMIT;")
        let db = try TestDatabase.fresh(prefix: "migrate_commit")
        defer { try? db.drop() }
        let c = try db.connect()
        defer { c.close() }
        let error = #expect(throws: DTIError.self) { try home.migrator.migrate(c) }
        #expect(error?.message.en.contains("COMMIT") == true)
        #expect(try home.migrator.applied(c).map(\.version) == [1])
    }

    @Test("two migrators at once: the advisory lock makes each migration apply exactly once")
    func concurrentMigrators() throws {
        let home = try TempHome()
        defer { home.remove() }
        try home.migration("0002_units.sql", Self.units)
        try home.migration("0003_slow.sql", "SELECT pg_sleep(1); CREATE TABLE dti.slow (x int);")
        try home.view("10_v_units.sql", Self.view)
        let db = try TestDatabase.fresh(prefix: "migrate_race")
        defer { try? db.drop() }
        let migrator = home.migrator
        let conninfo = db.conninfo
        // Proof that the two really overlapped: one of them is seen waiting on the other's advisory lock.
        let watcher = try LockWaitWatcher(conninfo: conninfo, locktype: "advisory")
        let results = ResultBox()
        let group = DispatchGroup()
        for _ in 0..<2 {
            group.enter()
            Thread.detachNewThread {
                defer { group.leave() }
                results.add(Result { () throws -> Migrator.Report in
                    let c = try PostgresConnection(conninfo: conninfo)
                    defer { c.close() }
                    return try migrator.migrate(c)
                })
            }
        }
        group.wait()
        #expect(watcher.finish(), "one migrator waited for the other's lock")
        let reports = try results.all.map { try $0.get() }
        #expect(reports.count == 2)
        #expect(reports.map(\.applied.count).reduce(0, +) == 3)
        #expect(reports.allSatisfy { $0.applied.count + $0.skipped == 3 })
        let c = try db.connect()
        defer { c.close() }
        #expect(try home.migrator.applied(c).map(\.version) == [1, 2, 3])
    }

    @Test("the repository's own migrations and views apply to a fresh database (the test template)")
    func repositoryMigrations() throws {
        let db = try TestDatabase.migrated(prefix: "repo_migrations")
        defer { try? db.drop() }
        let c = try db.connect()
        defer { c.close() }
        let migrator = Migrator(home: Home(root: TestServer.repositoryRoot))
        let files = try MigrationFile.list(in: migrator.migrationsDirectory)
        #expect(try migrator.applied(c).map(\.version) == files.map(\.version))
        #expect(try migrator.migrate(c).applied.isEmpty)
    }

    @Test("SQLFile maps a character position to line and column (characters, not bytes)")
    func lineAndColumn() throws {
        let home = try TempHome()
        defer { home.remove() }
        try home.view("x.sql", "SELECT 'Huế';\nSELECT x\n  FROM y;")
        let file = try SQLFile(path: home.views + "/x.sql")
        #expect(file.lineAndColumn(ofCharacter: 1) == (1, 1))
        #expect(file.lineAndColumn(ofCharacter: 14) == (1, 14))
        #expect(file.lineAndColumn(ofCharacter: 15) == (2, 1))
        #expect(file.lineAndColumn(ofCharacter: 26) == (3, 3))
    }
}

/// Results gathered from threads.
final class ResultBox: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [Result<Migrator.Report, any Error>] = []
    func add(_ r: Result<Migrator.Report, any Error>) { lock.lock(); items.append(r); lock.unlock() }
    var all: [Result<Migrator.Report, any Error>] { lock.lock(); defer { lock.unlock() }; return items }
}
