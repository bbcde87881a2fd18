// Access/ — who may do what. In: a login name, its kind (district, analyst, etl) and a district. Out: a PostgreSQL
// role in exactly one dti group, bound to its district for row-level security (`dti db create-login`).

import Foundation
import PostgresClient

/// Login roles for people: an analyst (reads every view), an ETL operator (loads and rolls up), or district staff
/// (reads only their district and its communes, by row-level security keyed on `dti.district_logins`).
public struct Logins {
    public enum Kind: String, Sendable, CaseIterable { case district, analyst, etl }

    public struct Result: Sendable, Equatable {
        public var role: String
        public var created: Bool
        public var district: String?
    }

    let connection: PostgresConnection
    public init(connection: PostgresConnection) { self.connection = connection }

    /// Whether a role of that name exists.
    public func exists(role: String) throws -> Bool {
        try !connection.query("SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = \(role)").isEmpty
    }

    /// Creates (or updates) the login. Idempotent: the same call again changes nothing. Role names are quoted by
    /// the server (`format('%I')`), the password's SCRAM verifier is a literal (`%L`): nothing from the user is spliced raw, and the clear
    /// password never reaches the server.
    public func create(role: String, kind: Kind, district: String?, password: String?) throws -> Result {
        guard !role.isEmpty, role.count <= 63 else {
            throw DTIError(.usage, vi: "tên tài khoản '\(role)' không hợp lệ (1–63 ký tự)", en: "login name '\(role)' is not valid (1–63 characters)")
        }
        guard !role.hasPrefix("dti_"), !role.hasPrefix("pg_") else {
            throw DTIError(.usage, vi: "tên tài khoản không được bắt đầu bằng dti_ hoặc pg_ (dành cho các vai trò của hệ thống)",
                           en: "a login name may not start with dti_ or pg_ (reserved for the system roles)")
        }
        if kind == .district {
            guard let district else {
                throw DTIError(.usage, vi: "tài khoản cấp huyện cần --district MÃ", en: "a district login needs --district CODE")
            }
            let level = try connection.query("SELECT level::text AS level FROM dti.units WHERE code = \(district)")
            guard let row = level.first else {
                throw DTIError(.usage, vi: "không có đơn vị '\(district)' (xem dti units list)", en: "no unit '\(district)' (see dti units list)")
            }
            let l: String = try row["level"].decode()
            guard l == "district" || l == "province" || l == "commune" else {
                throw DTIError(.inputRejected, vi: "'\(district)' là đơn vị cấp \(l), không phải huyện", en: "'\(district)' is a \(l), not a district")
            }
        } else if district != nil {
            throw DTIError(.usage, vi: "--district chỉ dùng cho tài khoản cấp huyện (--kind district)", en: "--district is only for district logins (--kind district)")
        }
        let group = "dti_" + kind.rawValue
        // Hashed here (SCRAM): the server receives, stores and may log only the verifier, never the password.
        let verifier = try password.map { try connection.encryptPassword($0, user: role) }
        return try connection.transaction { db in
            // What the role is today: a superuser, the login running this (the owner), or a role in no dti group
            // (not made by create-login) is refused, so a binding never lands on an account that bypasses or owns it.
            let found = try db.query("""
                SELECT r.rolsuper OR r.rolbypassrls AS privileged, r.rolname = session_user OR r.rolname = current_user
                       OR r.oid = (SELECT datdba FROM pg_catalog.pg_database WHERE datname = pg_catalog.current_database()) AS owner,
                       EXISTS (SELECT 1 FROM pg_catalog.pg_auth_members m JOIN pg_catalog.pg_roles g ON g.oid = m.roleid
                                WHERE m.member = r.oid AND g.rolname IN ('dti_district', 'dti_analyst', 'dti_etl')) AS ours
                  FROM pg_catalog.pg_roles r WHERE r.rolname = \(role)
                """)
            let exists = !found.isEmpty
            if let r = found.first {
                if try r["privileged"].decode(Bool.self) || r["owner"].decode(Bool.self) {
                    throw DTIError(.usage, vi: "'\(role)' là tài khoản quản trị (superuser hoặc chủ cơ sở dữ liệu), không thể làm tài khoản \(kind.rawValue)",
                                   en: "'\(role)' is an administrator (superuser or the database owner) and cannot become a login of kind \(kind.rawValue)")
                }
                if try !r["ours"].decode(Bool.self) {
                    throw DTIError(.usage, vi: "vai trò '\(role)' đã có nhưng không do dti db create-login tạo; chọn tên khác",
                                   en: "the role '\(role)' exists but was not made by dti db create-login; choose another name")
                }
            }
            // Utility statements take no parameters: the server builds them with format() and they run as built.
            func run(_ q: PostgresQuery) throws { try db.simpleQuery(try db.query(q)[0]["sql"].decode(String.self)) }
            // Exactly one dti group: a login changing kind loses the old group (else it could still SET ROLE to it).
            for other in Kind.allCases where other != kind && exists {
                try run("SELECT format('REVOKE %I FROM %I', \("dti_" + other.rawValue)::text, \(role)::text) AS sql")
            }
            if !exists {
                try run("""
                    SELECT format('CREATE ROLE %I LOGIN IN ROLE %I', \(role)::text, \(group)::text)
                           || coalesce(format(' PASSWORD %L', \(verifier)::text), '') AS sql
                    """)
            } else {
                try run("SELECT format('GRANT %I TO %I', \(group)::text, \(role)::text) AS sql")
                if let verifier { try run("SELECT format('ALTER ROLE %I PASSWORD %L', \(role)::text, \(verifier)::text) AS sql") }
            }
            if kind == .district, let district {
                try db.execute("""
                    INSERT INTO dti.district_logins (role_name, district_code) VALUES (\(role), \(district))
                    ON CONFLICT (role_name) DO UPDATE SET district_code = EXCLUDED.district_code
                    """)
            } else {
                try db.execute("DELETE FROM dti.district_logins WHERE role_name = \(role)")
            }
            return Result(role: role, created: !exists, district: district)
        }
    }
}
