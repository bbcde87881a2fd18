import DTICore
import DTITestSupport
import DTIWarehouse
import Foundation
import PostgresClient
import Testing

/// Every column of a view has a comment.
func uncommentedColumns(_ f: WarehouseFixture, _ view: String) throws -> [String] {
    try f.db.query("""
        SELECT a.attname::text AS c FROM pg_attribute a
         WHERE a.attrelid = \(view)::regclass AND a.attnum > 0 AND NOT a.attisdropped AND col_description(a.attrelid, a.attnum) IS NULL
        """).map { try $0["c"].decode(String.self) }
}

extension AnalystViewTests {
    @Test("v_commune_contributions: each commune's contribution, share and points of the district's indicator, which add up to the district's; only the value the roll-up read")
    func communeContributions() throws {
        let f = try HistoryFixture.make("analyst-cc")
        let c1 = HistoryFixture.c[0], c4 = HistoryFixture.c[3], district = RollupFixture.district
        #expect(try uncommentedColumns(f, "dti.v_commune_contributions").isEmpty)
        let base = "FROM dti.v_commune_contributions WHERE district_code = '\(district)' AND year = 2024"
        // Commune 1 corrected 3.3.a to 102; the district's 3.1.a is 25,257 (the fixture's sums after every correction);
        // 3.1 is a/b × 10, so commune 1 earns 102/25,257 of the district's points.
        #expect(try f.scalar("""
            SELECT contribution = 102 AND district_value = 25257 AND share = 102 / 25257::numeric AND role = 'numerator' AND used = 'derived'
                   AND points = indicator_points * 102 / 25257 AND round(indicator_points, 15) = round(10 * 25257 / 50600::numeric, 15)
              \(unescaped: base) AND commune_code = '\(unescaped: c1)' AND target_indicator = '3.1' AND target_variable = 'a'
            """, as: Bool.self))
        // Commune 4's round-1 value (350) is what the final roll-up read; its self value (400) is shown without a part.
        let c4rows = try f.db.query("""
            SELECT stage::text, value::text, rollup_stage::text, contribution::text \(unescaped: base) AND commune_code = '\(unescaped: c4)' AND target_indicator = '3.1' ORDER BY stage
            """).map { [try $0["stage"].decode(String.self), try $0["value"].decode(String.self), try $0["rollup_stage"].decode(String?.self) ?? "∅", try $0["contribution"].decode(String?.self) ?? "∅"] }
        #expect(c4rows == [["round1", "350", "final", "350"], ["self", "400", "∅", "∅"]], "\(c4rows)")
        // A denominator (3.4.b, every commune counted) has a share and no points; a yes counts 1 in count_yes.
        #expect(try f.scalar("""
            SELECT bool_and(role = 'denominator' AND contribution = 1 AND share = 1 / 22::numeric AND points IS NULL) AND count(*) = 22
              \(unescaped: base) AND target_indicator = '3.4' AND target_variable = 'b' AND rollup_stage IS NOT NULL
            """, as: Bool.self))
        #expect(try f.scalar("SELECT contribution \(unescaped: base) AND commune_code = '\(unescaped: c1)' AND target_indicator = '3.4' AND target_variable = 'a'", as: Decimal.self) == 1)
        // For every indicator, the communes' points (over the numerator's variables: b and c of 6.5's (b+c)/a too) add up to
        // the district's points, and each variable's shares to 1.
        let sums = try f.db.query("""
            SELECT target_indicator AS i, abs(sum(points) - max(indicator_points)) < 1e-15 AS ok, count(DISTINCT target_variable) AS vars
              \(unescaped: base) AND role = 'numerator' GROUP BY 1 ORDER BY 1
            """).map { "\(try $0["i"].decode(String.self)):\(try $0["ok"].decode(Bool.self)):\(try $0["vars"].decode(Int.self))" }
        #expect(sums == ["3.1:true:1", "3.4:true:1", "4.1:true:1", "6.5:true:2"], "\(sums)")
        #expect(try f.scalar("""
            SELECT bool_and(ok) AND count(*) >= 10 FROM (SELECT abs(sum(share) - 1) < 1e-15 AS ok \(unescaped: base) AND rollup_stage IS NOT NULL
             AND how IN ('sum', 'count_units') GROUP BY target_indicator, target_variable) x
            """, as: Bool.self))
        // Rules that are not a ratio of sums (tiers, min–max) attribute no points.
        #expect(try f.scalar("SELECT count(*) \(unescaped: base) AND target_indicator IN ('4.7', '5.5.1') AND (role IS NOT NULL OR points IS NOT NULL)", as: Int.self) == 0)
    }
}
