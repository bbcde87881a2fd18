// Migrations/ — the schema. In: sql/migrations/NNNN_*.sql (numbered, checksummed, forward-only) and sql/views/*.sql.
// Out: a database at the latest version with every view recreated (`dti db migrate`, and on first use).

import Foundation
import PostgresClient

/// Applies the numbered, checksummed, forward-only migrations of `sql/migrations/`, then re-runs every view file
/// of `sql/views/`.
///
/// - Each migration runs in its own transaction, together with its row in `dti.schema_migrations`, under a
///   transaction-level advisory lock, so two migrators never interleave and a failed migration leaves nothing.
/// - A migration already applied whose file changed (its SHA-256), was renamed or is gone stops everything before
///   anything runs: migrations are forward-only, a change is a new migration.
/// - The views (`sql/views/*.sql`, in name order) run in one transaction on every call; they must be idempotent
///   (`CREATE OR REPLACE VIEW`, `DROP … IF EXISTS`).
public struct Migrator: Sendable {
    public let migrationsDirectory: String
    public let viewsDirectory: String

    /// The key of the advisory lock every migrator takes.
    public static let lockKey: Int64 = 0x6474_695F_6D69_6772   // "dti_migr"

    /// What `migrate` did.
    public struct Report: Sendable {
        /// The file names of the migrations applied now, in order.
        public var applied: [String]
        /// How many migrations were already applied.
        public var skipped: Int
        /// How many view files ran.
        public var views: Int
        /// The file names of the view files that ran, in order.
        public var viewFiles: [String]
    }

    /// A migration recorded in `dti.schema_migrations`.
    public struct Applied: Sendable {
        public var version: Int
        public var name: String
        public var sha256: String
        public var appliedAt: Date
        public var appliedBy: String
    }

    public init(home: Home) {
        self.init(migrationsDirectory: home.migrations, viewsDirectory: home.views)
    }

    public init(migrationsDirectory: String, viewsDirectory: String) {
        self.migrationsDirectory = migrationsDirectory
        self.viewsDirectory = viewsDirectory
    }

    /// Applies what is pending, then the views. Running it again applies nothing (`0 applied`).
    public func migrate(_ db: PostgresConnection) throws -> Report {
        let files = try MigrationFile.list(in: migrationsDirectory)
        let views = try viewFiles()

        // Check what is recorded against the files before changing anything.
        let recorded = try inTransaction(db, vi: "không đọc được bảng dti.schema_migrations", en: "cannot read dti.schema_migrations") { db in
            try lock(db)
            try createBookkeeping(db)
            return try applied(db)
        }
        try verify(recorded: recorded, files: files)

        var report = Report(applied: [], skipped: 0, views: 0, viewFiles: [])
        let done = Set(recorded.map(\.version))
        for migration in files {
            if done.contains(migration.version) { report.skipped += 1; continue }
            let ranNow = try inTransaction(db, vi: "\(migration.file.path): migration thất bại, không thay đổi gì",
                                           en: "\(migration.file.path): the migration failed, nothing changed") { db -> Bool in
                try lock(db)
                // Another migrator may have applied it while this one waited for the lock.
                let again = try db.query("SELECT version, name, sha256, applied_at, applied_by FROM dti.schema_migrations WHERE version = \(migration.version)")
                if let row = again.first {
                    try verify(recorded: [try Self.applied(row)], files: [migration])
                    return false
                }
                try migration.file.run(on: db, vi: "migration thất bại, không thay đổi gì", en: "the migration failed, nothing changed")
                guard db.inTransaction else {
                    throw DTIError(.inputRejected, vi: "\(migration.file.path): migration tự kết thúc giao dịch (COMMIT/ROLLBACK); bỏ lệnh đó đi, mỗi migration đã chạy trong giao dịch riêng",
                                   en: "\(migration.file.path): the migration ends the transaction itself (COMMIT/ROLLBACK); remove that, each migration already runs in its own transaction")
                }
                try db.execute("""
                    INSERT INTO dti.schema_migrations (version, name, sha256)
                    VALUES (\(migration.version), \(migration.name), \(migration.file.sha256))
                    """)
                return true
            }
            if ranNow { report.applied.append(migration.fileName) } else { report.skipped += 1 }
        }

        if !views.isEmpty {
            try inTransaction(db, vi: "không tạo lại được các view, không thay đổi gì", en: "cannot recreate the views, nothing changed") { db in
                try lock(db)
                for view in views {
                    try view.run(on: db, vi: "tệp view thất bại", en: "the view file failed")
                }
                try db.simpleQuery("CREATE TABLE IF NOT EXISTS dti.schema_state (key text PRIMARY KEY, value text NOT NULL)")
                // Every command reads it (`pending`) before it runs: without SELECT an ETL login could not run `dti load`
                // at all (42501 on schema_state), since the table is made after 0006 granted SELECT on the tables there were.
                // To the dti groups that exist: a schema without migration 0006 (a test's own migrations, on a fresh
                // cluster where no database has made the roles yet) has none, and the GRANT would fail the views.
                try db.simpleQuery("""
                    DO $$
                    DECLARE g text;
                    BEGIN
                        FOREACH g IN ARRAY ARRAY['dti_etl', 'dti_analyst', 'dti_district', 'dti_viewer'] LOOP
                            IF EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = g) THEN
                                EXECUTE format('GRANT SELECT ON dti.schema_state TO %I', g);
                            END IF;
                        END LOOP;
                    END
                    $$
                    """)
                try db.execute("""
                    INSERT INTO dti.schema_state (key, value) VALUES ('views_sha256', \(Self.viewsDigest(views)))
                    ON CONFLICT (key) DO UPDATE SET value = excluded.value
                    """)
            }
        }
        report.views = views.count
        report.viewFiles = views.map(\.fileName)
        return report
    }

    /// What `migrate` would do: migrations not yet applied, and whether the view files changed since the last run.
    public func pending(_ db: PostgresConnection) throws -> (migrations: [String], viewsChanged: Bool) {
        let files = try MigrationFile.list(in: migrationsDirectory)
        let (done, stored) = try installed(db)
        return (files.filter { !done.contains($0.version) }.map(\.fileName), stored != Self.viewsDigest(try viewFiles()))
    }

    /// The applied migration versions and the installed views' digest. Any login can ask `dti.schema_version()`
    /// (0022, a definer function); before 0022 only the owner can read the bookkeeping tables themselves.
    private func installed(_ db: PostgresConnection) throws -> (versions: Set<Int>, viewsDigest: String?) {
        if try db.query("SELECT to_regprocedure('dti.schema_version()') IS NOT NULL AS asks")[0]["asks"].decode(Bool.self) {
            let row = try db.query("SELECT versions, views_sha256 FROM dti.schema_version()")[0]
            return (Set(try row["versions"].decode([Int].self)), row["views_sha256"].text)
        }
        let access = try db.query("""
            SELECT to_regclass('dti.schema_migrations') IS NOT NULL AND NOT pg_catalog.has_table_privilege('dti.schema_migrations', 'SELECT') AS restricted,
                   to_regclass('dti.schema_state') IS NOT NULL AS state
            """)[0]
        if try access["restricted"].decode(Bool.self) {
            throw DTIError(.database, vi: "cơ sở dữ liệu chưa cập nhật (thiếu dti.schema_version): chủ cơ sở dữ liệu cần chạy dti db migrate",
                           en: "the database schema is behind (no dti.schema_version): its owner needs to run dti db migrate")
        }
        let versions = Set(try applied(db).map(\.version))
        guard try access["state"].decode(Bool.self) else { return (versions, nil) }
        return (versions, try db.query("SELECT value FROM dti.schema_state WHERE key = 'views_sha256'").first?["value"].text)
    }

    static func viewsDigest(_ views: [SQLFile]) -> String {
        var h = SHA256Hasher()
        for v in views { h.update(Data((v.fileName + ":" + v.sha256 + "\n").utf8)) }
        return h.hex()
    }

    /// The migrations recorded in a database, in version order (empty before the first `migrate`).
    public func applied(_ db: PostgresConnection) throws -> [Applied] {
        let exists = try db.query("SELECT to_regclass('dti.schema_migrations') IS NOT NULL AS present")
        guard try exists.first?["present"].decode(Bool.self) == true else { return [] }
        return try db.query("SELECT version, name, sha256, applied_at, applied_by FROM dti.schema_migrations ORDER BY version")
            .map { row in try Self.applied(row) }
    }

    /// The view files (`*.sql`, hidden files ignored), sorted by name.
    public func viewFiles() throws -> [SQLFile] {
        guard FileManager.default.fileExists(atPath: viewsDirectory) else { return [] }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: viewsDirectory)) ?? []
        return try names.filter { !$0.hasPrefix(".") && $0.hasSuffix(".sql") }.sorted()
            .map { try SQLFile(path: (viewsDirectory as NSString).appendingPathComponent($0)) }
    }

    // MARK: steps

    private func lock(_ db: PostgresConnection) throws {
        try db.execute("SELECT pg_advisory_xact_lock(\(Self.lockKey))")
    }

    private func createBookkeeping(_ db: PostgresConnection) throws {
        try db.simpleQuery("""
            SET LOCAL client_min_messages = warning;
            CREATE SCHEMA IF NOT EXISTS dti;
            CREATE TABLE IF NOT EXISTS dti.schema_migrations (
                version    int PRIMARY KEY,
                name       text NOT NULL,
                sha256     text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now(),
                applied_by text NOT NULL DEFAULT current_user
            );
            COMMENT ON TABLE dti.schema_migrations IS
                'Migrations applied from sql/migrations/NNNN_name.sql: number, name, SHA-256 of the file, when and by whom. Forward-only: an applied file never changes.';
            """)
    }

    /// Applied migrations must still have their file, under the same name, with the same bytes.
    private func verify(recorded: [Applied], files: [MigrationFile]) throws {
        let byVersion = Dictionary(files.map { ($0.version, $0) }, uniquingKeysWith: { a, _ in a })
        var problems: [String] = []
        var names: [String] = []
        for r in recorded {
            let number = String(format: "%04d", r.version)
            guard let file = byVersion[r.version] else {
                names.append("\(number)_\(r.name).sql")
                problems.append("\(migrationsDirectory)/\(number)_\(r.name).sql: đã áp dụng (\(Self.day(r.appliedAt)), sha256 \(r.sha256)) nhưng tệp không còn / applied (\(Self.day(r.appliedAt)), sha256 \(r.sha256)) but the file is gone")
                continue
            }
            if file.name != r.name || file.file.sha256 != r.sha256 { names.append(file.fileName) }
            if file.name != r.name {
                problems.append("\(file.file.path): số \(number) đã áp dụng với tên '\(r.name)' / number \(number) was applied as '\(r.name)'")
            }
            let current = file.file.sha256
            if current != r.sha256 {
                problems.append("\(file.file.path): đã áp dụng với sha256 \(r.sha256), nay là \(current) / applied with sha256 \(r.sha256), now \(current)")
            }
        }
        if !problems.isEmpty {
            throw DTIError(.inputRejected,
                           vi: "migration đã áp dụng bị sửa, đổi tên hoặc xóa (\(names.joined(separator: ", "))); migration chỉ tiến: hãy trả tệp về như cũ và viết một migration mới (số tiếp theo) cho thay đổi",
                           en: "applied migrations were changed, renamed or removed (\(names.joined(separator: ", "))); migrations are forward-only: restore the file and write a new migration (the next number) for the change",
                           details: problems)
        }
    }

    private func inTransaction<T>(_ db: PostgresConnection, vi: String, en: String, _ body: (PostgresConnection) throws -> T) throws -> T {
        do {
            return try db.transaction(body)
        } catch let e as DTIError {
            throw e
        } catch {
            throw DTIError(database: error, vi: vi, en: en)
        }
    }

    private static func applied(_ row: PostgresRow) throws -> Applied {
        Applied(version: try row["version"].decode(), name: try row["name"].decode(), sha256: try row["sha256"].decode(),
                appliedAt: try row["applied_at"].decode(), appliedBy: try row["applied_by"].decode())
    }

    private static func day(_ date: Date) -> String {
        String((TimestampText.text(date) ?? "").prefix(10))
    }
}
