import DTIWarehouse
import PostgresClient

/// The database every command talks to: `DATABASE_URL` / `PG*` when set, else the embedded cluster (started on
/// demand). The embedded database is migrated on the way in; an external one must be migrated explicitly
/// (`dti db migrate`), and a command refuses to run against a schema that is behind.
enum Connect {
    static func database() throws -> PostgresConnection {
        let home = try Home.locate()
        let db = try Database.connect(home: home)
        let migrator = Migrator(home: home)
        let pending = try migrator.pending(db)
        guard !pending.migrations.isEmpty || pending.viewsChanged else { return db }
        switch Database.target(home: home) {
        case .embedded:
            let report = try migrator.migrate(db)
            if !report.applied.isEmpty {
                Output.note(vi: "đã áp dụng \(report.applied.count) migration: \(report.applied.joined(separator: ", "))",
                            en: "applied \(report.applied.count) migrations: \(report.applied.joined(separator: ", "))")
            }
            return db
        case .external:
            if pending.migrations.isEmpty { return db }   // views only: still usable
            throw DTIError(.database, vi: "cơ sở dữ liệu chưa cập nhật (\(pending.migrations.joined(separator: ", "))): chạy dti db migrate",
                           en: "the database schema is behind (\(pending.migrations.joined(separator: ", "))): run dti db migrate")
        }
    }
}
