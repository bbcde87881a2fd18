import DTICore
import DTITestSupport
import DTIWarehouse
import Foundation
import PostgresClient
import Testing

extension AnalystViewTests {
    @Test("the wide unit × indicator table: v_indicator_pivot (long, every dimension), dti.indicator_table (arrays, JSON) and dti.indicator_table_sql (one named column per indicator), as an analyst, equal to v_indicator_scores")
    func pivot() throws {
        let f = try RollupFixture.make("analyst-pivot")
        _ = try Rollup(connection: f.db).run(province: "bac-giang", year: RollupFixture.year, stage: .final)
        _ = try SubmissionLoader(connection: f.db).load(path: f.home.reference + "/yen-dinh-2022.csv", options: .init(stage: .final))
        _ = try Rollup(connection: f.db).run(province: "thanh-hoa", year: 2022, stage: .final)
        #expect(try uncommentedColumns(f, "dti.v_indicator_pivot").isEmpty)
        let role = "t_pivot_" + UUID().uuidString.prefix(6).lowercased()
        _ = try Logins(connection: f.db).create(role: role, kind: .analyst, district: nil, password: WarehouseFixture.password(role))
        let c = try PostgresConnection(conninfo: try f.conninfo(as: role))
        defer { c.close(); try? f.db.simpleQuery("DROP ROLE IF EXISTS \"\(role)\"") }
        let catalogue = "bac-giang-district-2022"
        // The long view: one row per unit and indicator, the same points as v_indicator_scores, with its dimensions.
        func text(_ q: String) throws -> [String] { try c.query("SELECT x::text AS r FROM (\(unescaped: q)) x ORDER BY 1").map { try $0["r"].decode(String.self) } }
        let scores = try text("SELECT unit_code, indicator_code, points FROM dti.v_indicator_scores WHERE year = 2024 AND catalogue_id = '\(catalogue)'")
        #expect(scores.count > 100)
        #expect(try text("SELECT unit_code, indicator_code, points FROM dti.v_indicator_pivot WHERE year = 2024 AND catalogue_id = '\(catalogue)'") == scores)
        let dims = try c.query("""
            SELECT count(*) FILTER (WHERE province_code = 'bac-giang' AND peer_group IS NOT NULL AND index_rank IS NOT NULL AND pillar_display_name IS NOT NULL) AS good,
                   count(*) AS n, count(DISTINCT unit_code) AS units,
                   string_agg(DISTINCT concat_ws('/', unit_code, province_code, peer_group, index_rank, pillar_code, pillar_display_name), '; ') AS dbg
              FROM dti.v_indicator_pivot WHERE year = 2024 AND catalogue_id = \(catalogue)
            """)[0]
        let dbg = try dims["dbg"].decode(String?.self) ?? ""
        #expect(try [dims["good"].decode(Int.self), dims["n"].decode(Int.self), dims["units"].decode(Int.self)] == [scores.count, scores.count, 3], "\(dbg)")
        // Labels sort as the catalogue does (10.1 after 2.1).
        let labels = try c.query("SELECT DISTINCT indicator_label, indicator_ordinal FROM dti.v_indicator_pivot WHERE catalogue_id = \(catalogue) ORDER BY 1")
            .map { try $0["indicator_ordinal"].decode(Int.self) }
        #expect(labels == labels.sorted() && labels.count > 50)

        // The function: one row per unit, the same indicator list on every row, points aligned with it.
        let table = try c.query("SELECT unit_code, indicator_codes, points::text[] AS points, by_indicator::text AS j, index_rank FROM dti.indicator_table(2024, \(catalogue))")
        #expect(table.count == 3)
        let lists = try Set(table.map { try $0["indicator_codes"].decode([String].self) })
        #expect(lists.count == 1)
        let list = try #require(lists.first)
        var fromTable: [String] = []
        for r in table {
            let unit: String = try r["unit_code"].decode()
            let points: [String?] = try r["points"].decode()
            #expect(points.count == list.count)
            for (code, p) in zip(list, points) where p != nil || scores.contains("(\(unit),\(code),)") { fromTable.append("(\(unit),\(code),\(p ?? ""))") }
        }
        #expect(fromTable.sorted() == scores, "arrays aligned with indicator_codes")
        #expect(try c.query("SELECT count(*) AS n FROM dti.indicator_table(2024, \(catalogue)) t, jsonb_each_text(t.by_indicator) j WHERE j.value IS NOT NULL")[0]["n"].decode(Int.self) == scores.filter { !$0.hasSuffix(",)") }.count)
        #expect(try c.query("SELECT count(*) AS n FROM dti.indicator_table(2024, \(catalogue), 'self')")[0]["n"].decode(Int.self) == 0, "nothing rolled up at stage self")

        // The generated SELECT: one named column per indicator, as psql's \gexec or Excel runs it.
        let sql = try c.query("SELECT dti.indicator_table_sql(2024, \(catalogue)) AS q")[0]["q"].decode(String.self)
        let wide = try c.query("\(unescaped: sql)")
        #expect(wide.count == 3 && wide.columns.count == 11 + list.count && wide.columns.suffix(list.count) == list[...], "\(wide.columns.prefix(14))")
        let y = try #require(wide.first { (try? $0["unit_code"].decode(String.self)) == RollupFixture.peerY })
        let yPoints = try c.query("SELECT points::text AS p FROM dti.v_indicator_scores WHERE unit_code = \(RollupFixture.peerY) AND year = 2024 AND indicator_code = '4.7'")[0]["p"].decode(String.self)
        #expect(try y["4.7"].decode(String.self) == yPoints)
        #expect(try f.scalar("SELECT dti.indicator_table_sql(1999, \(catalogue)) IS NULL", as: Bool.self), "nothing scored: no statement")

        // A district login gets its own district only, through all three.
        let d = "t_pivot_d_" + UUID().uuidString.prefix(6).lowercased()
        _ = try Logins(connection: f.db).create(role: d, kind: .district, district: RollupFixture.district, password: WarehouseFixture.password(d))
        let dc = try PostgresConnection(conninfo: try f.conninfo(as: d))
        defer { dc.close(); _ = try? f.db.execute("DELETE FROM dti.district_logins WHERE role_name = \(d)"); try? f.db.simpleQuery("DROP ROLE IF EXISTS \"\(d)\"") }
        #expect(try dc.query("SELECT DISTINCT unit_code FROM dti.v_indicator_pivot").map { try $0["unit_code"].decode(String.self) } == [RollupFixture.district])
        #expect(try dc.query("SELECT unit_code FROM dti.indicator_table(2024, \(catalogue))").map { try $0["unit_code"].decode(String.self) } == [RollupFixture.district])
        #expect(try dc.query("\(unescaped: try dc.query("SELECT dti.indicator_table_sql(2024, \(catalogue)) AS q")[0]["q"].decode(String.self))").count == 1)
    }
}
