import DTITestSupport
import DTIWarehouse
import Foundation
import PostgresClient
import Testing

/// Issue 19, point 1 and the attacks of point 7: definer functions a login's own objects cannot steer, bindings that
/// SET ROLE cannot widen, nothing about other logins or units revealed, and an append-only trail.
@Suite("Definer functions and bindings cannot be bypassed", .serialized)
struct DefinerFunctionTests {
    static let district = "bac-giang.tan-yen"
    static let other = "thanh-hoa.yen-dinh"

    func login(_ f: WarehouseFixture, _ kind: Logins.Kind, district: String? = nil) throws -> (String, PostgresConnection) {
        let role = "t_def_\(kind.rawValue)_" + UUID().uuidString.prefix(8).lowercased()
        _ = try Logins(connection: f.db).create(role: role, kind: kind, district: district, password: WarehouseFixture.password(role))
        return (role, try PostgresConnection(conninfo: try f.conninfo(as: role)))
    }

    func drop(_ f: WarehouseFixture, _ role: String, _ c: PostgresConnection) {
        c.close()
        _ = try? f.db.execute("DELETE FROM dti.district_logins WHERE role_name = \(role)")
        try? f.db.simpleQuery("DROP ROLE IF EXISTS \"\(role)\"")
    }

    static func refusal(_ c: PostgresConnection, _ sql: String) -> String {
        do { try c.simpleQuery(sql); return "accepted" } catch { return error.sqlState ?? "?" }
    }

    @Test("every SECURITY DEFINER function of schema dti has pg_temp last in its search_path and no EXECUTE for PUBLIC")
    func definerFunctionsInPgProc() throws {
        let f = try WarehouseFixture("definer")
        let rows = try f.db.query("""
            SELECT p.oid::regprocedure::text AS f,
                   coalesce((SELECT c FROM unnest(p.proconfig) c WHERE c LIKE 'search_path=%'), '') AS path,
                   has_function_privilege('public', p.oid, 'EXECUTE') AS public_execute
              FROM pg_catalog.pg_proc p WHERE p.pronamespace = 'dti'::regnamespace AND p.prosecdef ORDER BY 1
            """)
        #expect(rows.count >= 5, "the definer functions of 0006, 0008, 0010 and 0023 are there to check")
        for r in rows {
            let name = try r["f"].decode(String.self), path = try r["path"].decode(String.self)
            let parts = path.dropFirst("search_path=".count).split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            #expect(parts.last == "pg_temp", "\(name): search_path must end with pg_temp, is '\(path)'")
            #expect(parts.first == "pg_catalog", "\(name): search_path must start with pg_catalog, is '\(path)'")
            #expect(try r["public_execute"].decode(Bool.self) == false, "\(name): EXECUTE must be revoked from PUBLIC")
        }
    }

    @Test("temporary objects named after catalog relations, then SET ROLE: a district login still sees only its district")
    func shadowingAttack() throws {
        let f = try WarehouseFixture("shadow")
        let (role, c) = try login(f, .district, district: Self.district)
        defer { drop(f, role, c) }
        let own = try f.scalar("SELECT count(*)::int FROM dti.unit_subtree(\(Self.district))", as: Int.self)
        let all = try f.scalar("SELECT count(*)::int FROM dti.units", as: Int.self)
        #expect(all > own && own > 0)
        #expect(try c.query("SELECT count(*)::int AS n FROM dti.units")[0]["n"].decode(Int.self) == own)

        // Every catalog relation the definer functions read, shadowed in pg_temp; then the same tables of dti.
        try c.simpleQuery("CREATE TEMP VIEW pg_roles AS SELECT rolname, true AS rolsuper FROM pg_catalog.pg_roles")
        try c.simpleQuery("CREATE TEMP VIEW pg_auth_members AS SELECT * FROM pg_catalog.pg_auth_members WHERE false")
        try c.simpleQuery("CREATE TEMP TABLE district_logins (role_name name, district_code text)")
        try c.simpleQuery("CREATE TEMP VIEW units AS SELECT * FROM pg_catalog.pg_class WHERE false")
        for group in ["", "dti_district"] {
            if !group.isEmpty { try c.simpleQuery("SET ROLE \(group)") }
            let seen = try c.query("SELECT count(*)::int AS n FROM dti.units")[0]["n"].decode(Int.self)
            #expect(seen == own, "after temp objects\(group.isEmpty ? "" : " and SET ROLE \(group)"): \(seen) units seen, \(own) expected")
            let other = try c.query("SELECT count(*)::int AS n FROM dti.v_unit_index WHERE unit_code = \(Self.other)")[0]["n"].decode(Int.self)
            #expect(other == 0)
        }
        try c.simpleQuery("RESET ROLE")
        for group in ["dti_analyst", "dti_etl", "dti_viewer"] {
            #expect(Self.refusal(c, "SET ROLE \(group)") == "42501", "SET ROLE \(group): the login is not a member")
        }
    }

    @Test("a district login learns nothing about other logins or other units from the definer functions")
    func nothingRevealed() throws {
        let f = try WarehouseFixture("reveal")
        let (a, ca) = try login(f, .district, district: Self.district)
        defer { drop(f, a, ca) }
        let (b, cb) = try login(f, .district, district: Self.other)
        defer { drop(f, b, cb) }
        let asked = try ca.query("SELECT dti.restricted_district(\(b)) AS d")[0]["d"].decode(String?.self)
        #expect(asked == Self.district, "asking about another login answers with one's own binding")
        #expect(try ca.query("SELECT cardinality(dti.unit_ancestry(\(Self.other))) AS n")[0]["n"].decode(Int.self) == 0)
        #expect(try ca.query("SELECT (dti.unit_ancestry(\(Self.district)))[1] AS c")[0]["c"].decode(String.self) == Self.district)
        let codes = try ca.query("SELECT count(*)::int AS n FROM dti.visible_unit_codes(\(b)) v WHERE v.code = \(Self.other)")[0]["n"].decode(Int.self)
        #expect(codes == 0)
        // The owner still sees every binding.
        #expect(try f.db.query("SELECT dti.restricted_district(\(b)) AS d")[0]["d"].decode(String?.self) == Self.other)
    }

    @Test("the ETL login cannot rewrite the audit trail: sheets, rejects, warnings and login bindings")
    func appendOnly() throws {
        let f = try WarehouseFixture("append-only")
        let (role, c) = try login(f, .etl)
        defer { drop(f, role, c) }
        for sql in ["DELETE FROM dti.submission_sheets", "UPDATE dti.submission_sheets SET batch_id = batch_id",
                    "DELETE FROM dti.load_rejects", "DELETE FROM dti.check_warnings", "TRUNCATE dti.submission_sheets",
                    "DELETE FROM dti.district_logins", "INSERT INTO dti.district_logins VALUES ('x', 'bac-giang.tan-yen')",
                    "DELETE FROM dti.load_batches", "UPDATE dti.load_batches SET rows_total = 0", "TRUNCATE dti.load_batches",
                    "DELETE FROM dti.rollup_runs", "UPDATE dti.rollup_runs SET mismatches = 0",
                    "DELETE FROM dti.schema_migrations", "UPDATE dti.schema_migrations SET name = name"] {
            #expect(Self.refusal(c, sql) == "42501", "\(sql) as dti_etl")
        }
    }

    @Test("the ETL login loads and rolls up through the write-once bookkeeping; a finished batch or run cannot be rewritten")
    func etlLoadsAndRollsUpWriteOnce() throws {
        let f = try RollupFixture.make("etl-write-once")
        let (role, c) = try login(f, .etl)
        defer { drop(f, role, c) }
        let file = try f.file("more.csv", RollupFixture.header + "\(RollupFixture.communes[0]),2024,commune-data-2024,3.5,a,121,,\n")
        let load = try SubmissionLoader(connection: c).load(path: file)
        #expect(load.committed && load.rejected.isEmpty, "\(load.rejected.map(\.message))")
        let batch = try #require(load.batchId)
        let row = try f.db.query("SELECT rows_total, rows_accepted, finished, loaded_by FROM dti.load_batches WHERE batch_id = \(batch)")[0]
        #expect(try row["rows_total"].decode(Int.self) == 1 && row["rows_accepted"].decode(Int.self) == 1)
        #expect(try row["finished"].decode(Bool.self) == true && row["loaded_by"].decode(String.self) == role)

        let run = try Rollup(connection: c).run(province: "bac-giang", year: RollupFixture.year, stage: .final)
        let finished = try f.db.query("SELECT finished_at IS NOT NULL AS done, run_by FROM dti.rollup_runs WHERE run_id = \(run.runId)")[0]
        #expect(try finished["done"].decode(Bool.self) == true && finished["run_by"].decode(String.self) == role)

        // The functions touch only an unfinished row: the committed batch and run are refused (55000).
        #expect(Self.refusal(c, "SELECT dti.finish_load_batch(\(batch), 0, 0, 0, 0)") == "55000")
        #expect(Self.refusal(c, "SELECT dti.finish_rollup_run(\(run.runId), 0, '{}', '{}', 'x', 0, 0, 0, 0)") == "55000")
        #expect(try f.db.query("SELECT rows_total FROM dti.load_batches WHERE batch_id = \(batch)")[0]["rows_total"].decode(Int.self) == 1)
        // Analysts and district logins may not call them at all.
        let (analyst, a) = try login(f, .analyst)
        defer { drop(f, analyst, a) }
        #expect(Self.refusal(a, "SELECT dti.finish_load_batch(\(batch), 0, 0, 0, 0)") == "42501")
    }

    @Test("every sheet references an existing batch (foreign key)")
    func sheetsReferenceBatches() throws {
        let f = try RollupFixture.make("sheet-fk")
        #expect(Self.refusal(f.db, "UPDATE dti.submission_sheets SET batch_id = -1") == "23503")
    }
}
