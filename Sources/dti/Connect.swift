import DTICore
import DTIWarehouse
import PostgresClient

/// The database every command talks to: `DATABASE_URL` / `PG*` when set, else the embedded cluster (started on
/// demand). The embedded database is migrated on the way in; an external one must be migrated explicitly
/// (`dti db migrate`), and a command refuses to run against a schema that is behind. Then the login must be of a
/// kind the command allows, or the command stops with a message naming the kind it needs (exit 1).
enum Connect {
    /// Which logins may run a command.
    enum Needs {
        /// Any dti login: reading commands (export, status, history, lists).
        case reader
        /// The ICT department's etl logins or the owner: commands that write data (load, rollup, units/catalogue load).
        case etl
        /// The database owner (a superuser or the owner of the database): administration.
        case owner

        func allows(_ kind: String) -> Bool {
            switch self {
            case .reader: ["owner", "etl", "analyst", "district", "viewer"].contains(kind)
            case .etl: kind == "owner" || kind == "etl"
            case .owner: kind == "owner"
            }
        }

        var vi: String {
            switch self {
            case .reader: "một tài khoản dti (district, analyst, etl) hoặc chủ cơ sở dữ liệu"
            case .etl: "tài khoản etl của Sở TT&TT (dti db create-login TÊN --kind etl) hoặc chủ cơ sở dữ liệu"
            case .owner: "chủ cơ sở dữ liệu (người chạy dti db up, hoặc superuser của máy chủ)"
            }
        }

        var en: String {
            switch self {
            case .reader: "a dti login (district, analyst, etl) or the database owner"
            case .etl: "an etl login of the ICT department (dti db create-login NAME --kind etl) or the database owner"
            case .owner: "the database owner (who ran dti db up, or the server's superuser)"
            }
        }
    }

    /// Who the session is (`dti.session_login()`, migration 0022).
    struct Login {
        var name: String
        var kind: String?
        var district: String?
    }

    static func database(for needs: Needs, command: String) throws -> PostgresConnection {
        try open(for: needs, command: command).db
    }

    /// The connection and who it is signed in as, for commands that also act on the login's kind (`export`).
    static func open(for needs: Needs, command: String) throws -> (db: PostgresConnection, login: Login) {
        let home = try Home.locate()
        let db = try Database.connect(home: home)
        let migrator = Migrator(home: home)
        let pending = try migrator.pending(db)
        if !pending.migrations.isEmpty || pending.viewsChanged {
            switch Database.target(home: home) {
            case .embedded:
                let report = try migrator.migrate(db)
                if !report.applied.isEmpty {
                    Output.note(vi: "đã áp dụng \(report.applied.count) migration: \(report.applied.joined(separator: ", "))",
                                en: "applied \(report.applied.count) migrations: \(report.applied.joined(separator: ", "))")
                }
            case .external:
                if !pending.migrations.isEmpty {   // views only: still usable
                    throw DTIError(.database, vi: "cơ sở dữ liệu chưa cập nhật (\(pending.migrations.joined(separator: ", "))): chủ cơ sở dữ liệu cần chạy dti db migrate",
                                   en: "the database schema is behind (\(pending.migrations.joined(separator: ", "))): its owner needs to run dti db migrate")
                }
            }
        }
        return (db, try require(needs, command: command, db))
    }

    /// Refuses a login of a kind the command does not allow, with a message naming the kind it needs (exit 1).
    @discardableResult
    static func require(_ needs: Needs, command: String, _ db: PostgresConnection) throws -> Login {
        let login = try session(db)
        guard let kind = login.kind, needs.allows(kind) else {
            let what = login.kind.map { k in login.district.map { "\(k), \($0)" } ?? k }
            throw DTIError(.usage, Message("login.kind",
                vi: "lệnh dti \(command) cần \(needs.vi); tài khoản '\(login.name)' là \(what.map { "tài khoản \($0)" } ?? "vai trò ngoài các nhóm dti") (xem SECURITY.md)",
                en: "dti \(command) needs \(needs.en); the login '\(login.name)' is \(what.map { "of kind \($0)" } ?? "a role in no dti group") (see SECURITY.md)"))
        }
        return login
    }

    /// The session's login and its kind.
    static func session(_ db: PostgresConnection) throws -> Login {
        let row = try db.query("""
            SELECT session_user::text AS name, k.kind, k.district FROM (SELECT 1) one LEFT JOIN dti.session_login() k ON true
            """)[0]
        return Login(name: row["name"].text ?? "?", kind: row["kind"].text, district: row["district"].text)
    }
}
