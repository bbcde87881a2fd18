import DTICore
import DTITestSupport
import DTIWarehouse
import Foundation
import PostgresClient
import Testing

/// Migration 0035: the score tables' references to their run and catalogue version are checked once per statement
/// (triggers over the rows written), no longer by per-row foreign keys. The same rules must hold as before: no score
/// row names a run or version that does not exist, and no run that score rows name can be deleted or re-keyed.
@Suite("Score tables: references to runs and catalogue versions", .serialized)
struct ScoreKeysTests {
    static func refusal(_ c: PostgresConnection, _ sql: String) -> (state: String, message: String) {
        do { try c.simpleQuery(sql); return ("accepted", "") } catch { return (error.sqlState ?? "?", "\(error)") }
    }

    @Test("rows naming a missing run or version are refused (23503) on insert, COPY and update; a run still named cannot be deleted")
    func keysHold() throws {
        let f = try RollupFixture.make("score-keys")
        let run = try Rollup(connection: f.db).run(province: "bac-giang", year: 2024, stage: .final)
        #expect(run.indicatorsScored > 0)

        // Insert and update of each child table.
        for (table, sql) in [
            ("indicator_scores", "INSERT INTO dti.indicator_scores SELECT -1, unit_code, year, 'self', catalogue_id, version_id, indicator_code, points, max_points, status, ratio, notes, reason FROM dti.indicator_scores LIMIT 1"),
            ("indicator_scores", "UPDATE dti.indicator_scores SET version_id = -7 WHERE run_id = \(run.runId)"),
            ("pillar_scores", "UPDATE dti.pillar_scores SET run_id = -1 WHERE run_id = \(run.runId)"),
            ("unit_index", "UPDATE dti.unit_index SET version_id = -7 WHERE run_id = \(run.runId)"),
            ("derived_values", "UPDATE dti.derived_values SET run_id = -1 WHERE run_id = \(run.runId)"),
        ] {
            let r = Self.refusal(f.db, sql)
            #expect(r.state == "23503", "\(sql): \(r)")
            #expect(r.message.contains(table) && (r.message.contains("(run_id)=(-1)") || r.message.contains("(version_id)=(-7)")), "\(r.message)")
        }
        // COPY, as the roll-up writes: the whole COPY is refused.
        let before = try f.scalar("SELECT count(*) FROM dti.unit_index", as: Int.self)
        #expect(throws: (any Error).self) {
            try f.db.transaction { db in
                _ = try db.copyIn("COPY dti.unit_index (run_id, unit_code, year, stage, catalogue_id, version_id, points, bonus_points, max_points, percent, rating, peer_group) FROM STDIN") {
                    try $0.write(Data("\(run.runId)\tbac-giang.tan-yen\t2024\tself\tbac-giang-district-2022\t-7\t1\t0\t10\t10\t\\N\t\\N\n".utf8))
                }
            }
        }
        #expect(try f.scalar("SELECT count(*) FROM dti.unit_index", as: Int.self) == before)

        // The parent side: the run is named by score rows.
        let delete = Self.refusal(f.db, "DELETE FROM dti.rollup_runs WHERE run_id = \(run.runId)")
        #expect(delete.state == "23503" && delete.message.contains("still referenced"), "\(delete)")
        // run_id is an identity column that cannot be re-keyed at all; an update that keeps the key is not refused.
        #expect(Self.refusal(f.db, "UPDATE dti.rollup_runs SET os_user = os_user WHERE run_id = \(run.runId)").state == "accepted")
        // A run no row names any more can go (as with the foreign key), and a second roll-up still writes.
        let again = try Rollup(connection: f.db).run(province: "bac-giang", year: 2024, stage: .final)
        #expect(Self.refusal(f.db, "DELETE FROM dti.rollup_runs WHERE run_id = \(run.runId)").state == "accepted")
        #expect(try f.scalar("SELECT count(*) FROM dti.indicator_scores WHERE run_id = \(again.runId)", as: Int.self) >= again.indicatorsScored)
    }
}
