import DTICore
import DTITestSupport
import DTIWarehouse
import Foundation
import PostgresClient
import Testing

/// The catalogues' declared checks as data (migration 0028, issue 16): `dti catalogue load` stores them, fills them
/// for versions loaded before the migration even when every file is unchanged, and v_catalogue_indicators lists them.
@Suite("Catalogue checks stored and listed", .serialized)
struct CatalogueChecksTests {
    static let catalogues = ["bac-giang-district-2022", "commune-data-2024", "unit-profile"]

    /// Every check of the files as the parser reads them: "catalogue|indicator|expression (severity)", in order.
    static func parsed(_ f: WarehouseFixture) throws -> [String] {
        try catalogues.flatMap { id -> [String] in
            let checked = CatalogueFiles.check(path: f.home.catalogues + "/\(id).yaml")
            let c = try #require(checked.catalogue)
            return c.allIndicators.flatMap { i in i.checks.map { "\(id)|\(i.code)|\($0.expression) (\($0.severity.rawValue))" } }
        }
    }

    static func listed(_ c: PostgresConnection) throws -> [String] {
        try c.query("""
            SELECT catalogue_id || '|' || indicator_code || '|' || x.chk AS r FROM dti.v_catalogue_indicators v
             CROSS JOIN LATERAL unnest(v.checks) WITH ORDINALITY AS x (chk, n)
             WHERE v.current AND catalogue_id = ANY (\(catalogues)) ORDER BY catalogue_id, v.ordinal, x.n
            """).map { try $0["r"].decode(String.self) }
    }

    @Test("a load stores every check of the files; a database loaded before 0028 gets them from an unchanged re-load by an etl login, once")
    func storedAndFilled() throws {
        let f = try WarehouseFixture("cat-checks", catalogues: Self.catalogues)
        let expected = try Self.parsed(f)
        #expect(expected.count > 20 && expected.contains("bac-giang-district-2022|3.1|a <= b (error)")
                && expected.contains("commune-data-2024|3.3|a <= profile.population (warning)"), "\(expected.prefix(5))")
        // Sorted like the view (catalogue, then the indicators' order), then compared as lists.
        #expect(try Self.listed(f.db).sorted() == expected.sorted())
        #expect(try f.scalar("SELECT count(*) FROM dti.indicator_checks", as: Int.self) == expected.count)
        #expect(try f.scalar("SELECT checks::text FROM dti.v_catalogue_indicators WHERE current AND catalogue_id = 'bac-giang-district-2022' AND indicator_code = '1.1'", as: String.self) == "{}",
                "an indicator without checks lists none")
        #expect(try f.scalar("SELECT note FROM dti.indicator_checks k JOIN dti.catalogues c ON c.current_version = k.version_id WHERE c.catalogue_id = 'commune-data-2024' AND k.indicator_code = '3.3'", as: String.self)
                == "adults with a smartphone are part of the commune population")
        let before = try f.db.query("SELECT k::text AS r FROM dti.indicator_checks k ORDER BY 1").map { try $0["r"].decode(String.self) }

        // As a database loaded before migration 0028: no checks, no version marked.
        try f.db.simpleQuery("DELETE FROM dti.indicator_checks; UPDATE dti.catalogue_versions SET checks_stored = false")
        #expect(try f.scalar("SELECT count(*) FROM dti.v_catalogue_indicators WHERE checks IS NOT NULL", as: Int.self) == 0, "not known yet: NULL, not {}")

        let role = "t_cat_etl_" + UUID().uuidString.prefix(6).lowercased()
        _ = try Logins(connection: f.db).create(role: role, kind: .etl, district: nil, password: WarehouseFixture.password(role))
        defer { try? f.db.simpleQuery("DROP OWNED BY \"\(role)\"; DROP ROLE IF EXISTS \"\(role)\"") }
        let files = Self.catalogues.map { f.home.catalogues + "/\($0).yaml" }
        for round in 1...2 {
            let r = try DTIProcess.run(["catalogue", "load"] + files, conninfo: try f.conninfo(as: role), environment: ["DTI_HOME": TestServer.repositoryRoot])
            #expect(r.status == 0 && r.text.contains("bac-giang-district-2022: không đổi"), "round \(round): \(r.text)")
            let after = try f.db.query("SELECT k::text AS r FROM dti.indicator_checks k ORDER BY 1").map { try $0["r"].decode(String.self) }
            #expect(after == before, "round \(round): the same rows as a first load, once")
        }
        #expect(try f.scalar("SELECT count(*) FROM dti.catalogue_versions WHERE NOT checks_stored", as: Int.self) == 0)
        #expect(try Self.listed(f.db).sorted() == expected.sorted())
        #expect(try f.scalar("SELECT count(*) FROM dti.catalogue_versions", as: Int.self) == Self.catalogues.count, "no new version")
    }

    @Test("every kind of login reads the checks (public reference data, no row-level security); only etl writes them")
    func readableByEveryKind() throws {
        let f = try WarehouseFixture("cat-checks-r", catalogues: Self.catalogues)
        let n = try f.count("dti.indicator_checks")
        for (kind, district) in [(Logins.Kind.analyst, nil), (.district, RollupFixture.district), (.etl, nil)] as [(Logins.Kind, String?)] {
            let role = "t_cat_\(kind.rawValue)_" + UUID().uuidString.prefix(6).lowercased()
            _ = try Logins(connection: f.db).create(role: role, kind: kind, district: district, password: WarehouseFixture.password(role))
            let c = try PostgresConnection(conninfo: try f.conninfo(as: role))
            defer { c.close(); _ = try? f.db.execute("DELETE FROM dti.district_logins WHERE role_name = \(role)"); try? f.db.simpleQuery("DROP ROLE IF EXISTS \"\(role)\"") }
            #expect(try c.query("SELECT count(*) AS n FROM dti.indicator_checks")[0]["n"].decode(Int.self) == n && n > 0, "\(kind)")
            #expect(try Self.listed(c).count == n, "\(kind): the view")
            if kind != .etl {
                #expect(AccessTests.refusal(c, "DELETE FROM dti.indicator_checks") == "42501", "\(kind)")
                #expect(AccessTests.refusal(c, "INSERT INTO dti.indicator_checks SELECT version_id, indicator_code, 99, 'a < 0', 'error', NULL, NULL FROM dti.indicator_checks LIMIT 1") == "42501", "\(kind)")
            }
        }
    }
}
