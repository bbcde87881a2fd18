import DTICore
import DTITestSupport
import DTIWarehouse
import Foundation
import PostgresClient
import Testing

@Suite("Roles and row-level security", .serialized)
struct AccessTests {
    /// Views and base tables keyed by unit, and the column holding the unit.
    static let viewsByUnitColumn: [(String, String)] = [
        ("dti.v_indicator_scores", "unit_code"), ("dti.v_indicator_scores_all_stages", "unit_code"), ("dti.v_pillar_scores", "unit_code"),
        ("dti.v_pillar_scores_all_stages", "unit_code"), ("dti.v_unit_index", "unit_code"), ("dti.v_unit_index_all_stages", "unit_code"),
        ("dti.v_year_comparison", "unit_code"), ("dti.v_submission_status", "unit_code"), ("dti.v_appraisal_delta", "unit_code"),
        ("dti.v_derived_values", "unit_code"), ("dti.v_unit_profiles", "unit_code"), ("dti.v_submitted_values", "unit_code"),
        ("dti.v_commune_contributions", "commune_code"), ("dti.v_effective_stage", "unit_code"),
        ("dti.units", "code"), ("dti.unit_lineage", "unit_code"), ("dti.derived_values", "unit_code"), ("dti.indicator_scores", "unit_code"),
        ("dti.pillar_scores", "unit_code"), ("dti.unit_index", "unit_code"),
    ]

    func login(_ f: WarehouseFixture, _ kind: Logins.Kind, district: String? = nil) throws -> (String, PostgresConnection) {
        let role = "t_\(kind.rawValue)_" + UUID().uuidString.prefix(8).lowercased()
        _ = try Logins(connection: f.db).create(role: role, kind: kind, district: district, password: WarehouseFixture.password(role))
        return (role, try PostgresConnection(conninfo: try f.conninfo(as: role)))
    }

    /// The SQLSTATE the statement fails with, or "accepted".
    static func refusal(_ c: PostgresConnection, _ sql: String) -> String {
        do { try c.simpleQuery(sql); return "accepted" } catch { return error.sqlState ?? "?" }
    }

    func drop(_ f: WarehouseFixture, _ role: String, _ c: PostgresConnection) {
        c.close()
        _ = try? f.db.execute("DELETE FROM dti.district_logins WHERE role_name = \(role)")
        try? f.db.simpleQuery("DROP ROLE IF EXISTS \"\(role)\"")
    }

    @Test("A district login sees exactly its district and communes in every view and base table, and cannot write")
    func districtLogin() throws {
        let f = try RollupFixture.make("access-d")
        // Rows of every kind outside Tân Yên too, so that no relation is checked on the district's own rows alone:
        // a commune of district Y with commune data (derived values, commune contributions), and a merge in each
        // district (unit_lineage).
        let y = RollupFixture.peerY, t = RollupFixture.district
        try f.units("""
            code,name,level,parent_code,valid_from,valid_to,predecessors,peer_group,tags
            \(y).xa-1,Xã kiểm thử Y-1 (dữ liệu giả),commune,\(y),,,,,
            \(y).xa-cu,Xã cũ Y (dữ liệu giả),commune,\(y),,2023-12-31,,,
            \(y).xa-moi,Xã mới Y (dữ liệu giả),commune,\(y),2024-01-01,,\(y).xa-cu,,
            \(t).xa-cu,Xã cũ Tân Yên (dữ liệu giả),commune,\(t),,2023-12-31,,,
            \(t).xa-moi,Xã mới Tân Yên (dữ liệu giả),commune,\(t),2024-01-01,,\(t).xa-cu,,

            """)
        let yCommune = try SubmissionLoader(connection: f.db).load(path: try f.file("y-commune.csv",
            RollupFixture.header + RollupFixture.communeRows(1, "\(y).xa-1").joined(separator: "\n") + "\n"))
        #expect(yCommune.committed && yCommune.rejected.isEmpty, "\(yCommune.rejected.map { "\($0.ref) \($0.message)" })")
        _ = try Rollup(connection: f.db).run(province: "bac-giang", year: RollupFixture.year, stage: .final)
        // A second district's data, which the Tân Yên login must not see.
        _ = try SubmissionLoader(connection: f.db).load(path: f.home.reference + "/yen-dinh-2022.csv", options: .init(stage: .final))
        _ = try Rollup(connection: f.db).run(province: "thanh-hoa", year: 2022, stage: .final)

        let (role, c) = try login(f, .district, district: RollupFixture.district)
        defer { drop(f, role, c) }
        let own = [RollupFixture.district] + RollupFixture.communes + ["\(t).xa-cu", "\(t).xa-moi"]
        for (relation, column) in Self.viewsByUnitColumn {
            let all = try f.db.query("SELECT \(unescaped: column) AS u FROM \(unescaped: relation)").map { try $0["u"].decode(String.self) }
            let seen = try c.query("SELECT \(unescaped: column) AS u FROM \(unescaped: relation)").map { try $0["u"].decode(String.self) }
            #expect(seen.sorted() == all.filter(own.contains).sorted(), "\(relation): the district's rows, all of them and only them")
            // Not vacuous: every relation holds the district's own rows and another district's rows.
            #expect(!seen.isEmpty && all.contains { !own.contains($0) }, "\(relation): the fixture has own rows (\(seen.count)) and other units' rows")
        }
        let values = try c.query("SELECT count(*) AS n FROM dti.submission_values")[0]["n"].decode(Int.self)
        let ownValues = try f.db.query("""
            SELECT count(*) AS n FROM dti.submission_values s JOIN dti.units u ON u.unit_id = s.unit_id WHERE u.code = ANY(\(own))
            """)[0]["n"].decode(Int.self)
        #expect(values == ownValues && values > 0)
        // The current store (0015) is keyed by unit_id: the login sees the rows of its own units, all of them and only them.
        let ownIds = try f.db.query("SELECT unit_id FROM dti.units WHERE code = ANY(\(own))").map { try $0["unit_id"].decode(Int.self) }
        let allStore = try f.db.query("SELECT unit_id FROM dti.current_sheets").map { try $0["unit_id"].decode(Int.self) }
        let seenStore = try c.query("SELECT unit_id FROM dti.current_sheets").map { try $0["unit_id"].decode(Int.self) }
        #expect(seenStore.sorted() == allStore.filter(ownIds.contains).sorted() && !seenStore.isEmpty && allStore.count > seenStore.count,
                "dti.current_sheets: the district's rows only")
        // The chains of 0019: its own units only, each reaching its province (which the login itself cannot read).
        let chains = try c.query("SELECT code, chain[cardinality(chain)] AS root FROM dti.unit_chains()")
            .map { (try $0["code"].decode(String.self), try $0["root"].decode(String.self)) }
        #expect(chains.map(\.0).sorted() == own.sorted() && chains.allSatisfy { $0.1 == "bac-giang" })
        #expect(Self.refusal(c, "SELECT dti.current_sheets_rebuild()") == "42501", "only the owner rebuilds the store")
        for write in ["DELETE FROM dti.current_sheets", "UPDATE dti.current_sheets SET sheet_id = 1",
                      "INSERT INTO dti.current_sheets (unit_id, year, stage, catalogue_id, sheet_id) VALUES (1, 2024, 'self', 'x', 1)"] {
            #expect(Self.refusal(c, write) == "42501", "\(write): permission denied")
        }
        for write in ["INSERT INTO dti.units (code, name, level) VALUES ('x', 'x', 'district')",
                      "UPDATE dti.indicator_scores SET points = 0", "DELETE FROM dti.submission_sheets",
                      "INSERT INTO dti.submission_sheets (batch_id, unit_id, year, stage, item_ids, \"values\") VALUES (1, 1, 2024, 'self', '{1}', '{1}')",
                      "SELECT * FROM dti.load_batches", "SELECT * FROM dti.rollup_runs"] {
            #expect(Self.refusal(c, write) == "42501", "\(write): permission denied")
        }
        // The one-row-per-value view cannot be written by anybody (it unnests the sheets).
        // Not just "some error": the district login and even the owner meet a view that is not updatable (55000),
        // which pg_relation_is_updatable confirms (0 = no INSERT, UPDATE or DELETE).
        #expect(Self.refusal(c, "DELETE FROM dti.submission_values") == "55000")
        #expect(Self.refusal(f.db, "DELETE FROM dti.submission_values") == "55000")
        #expect(try f.scalar("SELECT pg_relation_is_updatable('dti.submission_values'::regclass, false)", as: Int.self) == 0)
    }

    @Test("Provenance and catalogue views: an analyst reads every load and indicator; a district login only the loads holding its own values")
    func provenanceViews() throws {
        let f = try RollupFixture.make("access-p")
        let other = try SubmissionLoader(connection: f.db).load(path: f.home.reference + "/yen-dinh-2022.csv", options: .init(stage: .final))
        let otherBatch = try #require(other.batchId)
        let all = try f.db.query("SELECT batch_id FROM dti.v_load_batches ORDER BY 1").map { try $0["batch_id"].decode(Int.self) }
        #expect(all.count == 2 && all.contains(otherBatch))
        let (a, analyst) = try login(f, .analyst)
        defer { drop(f, a, analyst) }
        #expect(try analyst.query("SELECT batch_id FROM dti.v_load_batches ORDER BY 1").map { try $0["batch_id"].decode(Int.self) } == all)
        for view in ["dti.v_catalogue_indicators", "dti.v_value_history"] {
            let n = try f.count(view)
            let seen = try analyst.query("SELECT count(*) AS n FROM \(unescaped: view)")[0]["n"].decode(Int.self)
            #expect(n > 0 && seen == n, "\(view)")
        }
        let (d, district) = try login(f, .district, district: RollupFixture.district)
        defer { drop(f, d, district) }
        // Tân Yên's values came in the fixture's one file; Yên Định's file is none of its business.
        #expect(try district.query("SELECT batch_id FROM dti.v_load_batches ORDER BY 1").map { try $0["batch_id"].decode(Int.self) }
                == all.filter { $0 != otherBatch })
        #expect(try district.query("SELECT count(*) AS n FROM dti.v_value_history WHERE batch_id = \(otherBatch)")[0]["n"].decode(Int.self) == 0)
    }

    @Test("A district login without a district binding sees nothing")
    func unboundDistrictMember() throws {
        let f = try RollupFixture.make("access-u")
        _ = try Rollup(connection: f.db).run(province: "bac-giang", year: RollupFixture.year, stage: .final)
        let role = "t_unbound_" + UUID().uuidString.prefix(8).lowercased()
        try f.db.simpleQuery("CREATE ROLE \"\(role)\" LOGIN PASSWORD '\(WarehouseFixture.password(role))' IN ROLE dti_district")
        let c = try PostgresConnection(conninfo: try f.conninfo(as: role))
        defer { drop(f, role, c) }
        #expect(try c.query("SELECT count(*) AS n FROM dti.v_indicator_scores")[0]["n"].decode(Int.self) == 0)
        #expect(try c.query("SELECT count(*) AS n FROM dti.units")[0]["n"].decode(Int.self) == 0)
    }

    @Test("An analyst reads every view and nothing else, and cannot write")
    func analyst() throws {
        let f = try RollupFixture.make("access-a")
        _ = try Rollup(connection: f.db).run(province: "bac-giang", year: RollupFixture.year, stage: .final)
        let (role, c) = try login(f, .analyst)
        defer { drop(f, role, c) }
        for (relation, _) in Self.viewsByUnitColumn where relation.hasPrefix("dti.v_") {
            let a = try f.db.query("SELECT count(*) AS n FROM \(unescaped: relation)")[0]["n"].decode(Int.self)
            #expect(try c.query("SELECT count(*) AS n FROM \(unescaped: relation)")[0]["n"].decode(Int.self) == a, "\(relation)")
        }
        // Reference data (units, catalogues) is readable (0022), and every view (the history's one-row-per-value view
        // dti.submission_values too, issue 16); the base tables of values, scores and the trail are not.
        #expect(try c.query("SELECT count(*) AS n FROM dti.units")[0]["n"].decode(Int.self) == f.count("dti.units"))
        #expect(try c.query("SELECT count(*) AS n FROM dti.submission_values")[0]["n"].decode(Int.self) == f.count("dti.submission_values"))
        for statement in ["SELECT * FROM dti.load_batches", "SELECT * FROM dti.submission_sheets", "SELECT * FROM dti.current_sheets",
                          "SELECT * FROM dti.indicator_scores", "SELECT * FROM dti.schema_migrations",
                          "INSERT INTO dti.units (code, name, level) VALUES ('x', 'x', 'district')", "DELETE FROM dti.indicator_scores"] {
            #expect(Self.refusal(c, statement) == "42501", "\(statement): permission denied")
        }
    }

    @Test("An analyst reads every view \\dv lists in the dti schema (pg_views), each one whole")
    func analystReadsEveryView() throws {
        let f = try RollupFixture.make("access-v")
        _ = try Rollup(connection: f.db).run(province: "bac-giang", year: RollupFixture.year, stage: .final)
        let (role, c) = try login(f, .analyst)
        defer { drop(f, role, c) }
        let views = try f.db.query("SELECT viewname FROM pg_views WHERE schemaname = 'dti' ORDER BY 1").map { try $0["viewname"].decode(String.self) }
        #expect(views.count > 20 && views.contains("submission_values") && views.contains("v_unit_index"))
        var refused: [String] = []
        for view in views {
            let relation = "dti.\"\(view)\""
            do {
                let seen = try c.query("SELECT count(*) AS n FROM \(unescaped: relation)")[0]["n"].decode(Int.self)
                #expect(try seen == f.count(relation), "\(view): the analyst reads every row the owner reads")
            } catch {
                refused.append("\(view) (\(error))")
            }
        }
        #expect(refused.isEmpty, "views \\dv lists that an analyst cannot read: \(refused)")
    }

    @Test("dti db create-login is idempotent and refuses a non-existent district")
    func createLogin() throws {
        let f = try WarehouseFixture("access-c")
        let role = "t_c_" + UUID().uuidString.prefix(8).lowercased()
        defer { _ = try? f.db.execute("DELETE FROM dti.district_logins WHERE role_name = \(role)"); try? f.db.simpleQuery("DROP ROLE IF EXISTS \"\(role)\"") }
        let logins = Logins(connection: f.db)
        #expect(try logins.create(role: role, kind: .district, district: "bac-giang.tan-yen", password: WarehouseFixture.password(role)).created)
        #expect(try !logins.create(role: role, kind: .district, district: "bac-giang.tan-yen", password: WarehouseFixture.password(role)).created)
        #expect(try f.scalar("SELECT district_code FROM dti.district_logins WHERE role_name = \(role)", as: String.self) == "bac-giang.tan-yen")
        let e1 = #expect(throws: DTIError.self) { try logins.create(role: role + "x", kind: .district, district: "bac-giang.khong-co", password: WarehouseFixture.password(role + "x")) }
        let e2 = #expect(throws: DTIError.self) { try logins.create(role: "dti_etl", kind: .analyst, district: nil, password: nil) }
        #expect(e1?.kind == .usage && e1?.message.vi.contains("không có đơn vị 'bac-giang.khong-co'") == true, "\(String(describing: e1))")
        #expect(e2?.kind == .usage && e2?.message.vi.contains("không được bắt đầu bằng dti_") == true, "\(String(describing: e2))")

        // Re-bound as an analyst, the login leaves dti_district: exactly one dti group, no SET ROLE back.
        #expect(try !logins.create(role: role, kind: .analyst, district: nil, password: WarehouseFixture.password(role)).created)
        let groups = try f.db.query("""
            SELECT string_agg(g.rolname, ',' ORDER BY g.rolname) AS groups FROM pg_auth_members m
              JOIN pg_roles g ON g.oid = m.roleid JOIN pg_roles r ON r.oid = m.member WHERE r.rolname = \(role)
            """)[0]["groups"].decode(String.self)
        #expect(groups == "dti_analyst")
        #expect(try f.count("dti.district_logins WHERE role_name = '\(role)'") == 0)

        // Superusers, the owner and roles create-login did not make are refused with a usage error (exit 1).
        let outsider = "t_c_out_" + UUID().uuidString.prefix(8).lowercased()
        try f.db.simpleQuery("CREATE ROLE \"\(outsider)\" LOGIN")
        defer { try? f.db.simpleQuery("DROP ROLE IF EXISTS \"\(outsider)\"") }
        for (name, words) in [("postgres", "tài khoản quản trị"), (outsider, "không do dti db create-login tạo")] {
            let e = #expect(throws: DTIError.self) { try logins.create(role: name, kind: .district, district: "bac-giang.tan-yen", password: WarehouseFixture.password(name)) }
            #expect(e?.kind == .usage && e?.message.vi.contains(words) == true, "\(String(describing: e))")
        }
        #expect(try f.count("dti.district_logins WHERE role_name = 'postgres'") == 0, "the admin's own exports stay whole")
    }
}
