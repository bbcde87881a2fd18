import DTICore
import DTITestSupport
import DTIWarehouse
import Foundation
import PostgresClient
import Testing

/// Roll-up completeness (issue 15, point 6 and its acceptance): Tân Yên with 5 of its 22 communes is marked incomplete
/// with coverage 5/22, and `dti rollup --stage final` (the default) refuses it by name unless `--allow-incomplete`;
/// through the `dti` binary run by an ETL login.
@Suite("Roll-up completeness: coverage, complete, --stage final refuses an incomplete district", .serialized)
struct RollupCompletenessTests {
    func fixture(_ prefix: String, communesWithData: Int, year: Int) throws -> (WarehouseFixture, String) {
        let f = try WarehouseFixture(prefix, catalogues: ["bac-giang-district-2022", "commune-data-2024", "unit-profile"])
        try f.units(RollupFixture.unitsCSV)
        var rows: [String] = []
        for (k, c) in RollupFixture.communes.prefix(communesWithData).enumerated() {
            rows += RollupFixture.communeRows(k + 1, c).map { $0.replacingOccurrences(of: ",\(RollupFixture.year),", with: ",\(year),") }
        }
        rows.append("\(RollupFixture.district),\(year),bac-giang-district-2022,8.8,count,7,,")
        let load = try SubmissionLoader(connection: f.db).load(path: try f.file("data.csv", RollupFixture.header + rows.joined(separator: "\n") + "\n"))
        #expect(load.committed && load.rejected.isEmpty, "\(load.rejected.map { "\($0.ref) \($0.message.vi)" })")
        let role = "t_etl_" + UUID().uuidString.prefix(8).lowercased()
        _ = try Logins(connection: f.db).create(role: role, kind: .etl, district: nil, password: WarehouseFixture.password(role))
        return (f, try f.conninfo(as: role))
    }

    @Test("5 of 22 communes: --stage final refuses Tân Yên naming the 17 missing communes and writes nothing; --allow-incomplete publishes it with complete = false, coverage 5/22")
    func fiveOfTwentyTwo() throws {
        let (f, etl) = try fixture("rollup-incomplete", communesWithData: 5, year: 2024)
        let before = try f.footprint()
        let refused = try DTIProcess.run(["rollup", "--year", "2024", "--province", "bac-giang", "--stage", "final"], conninfo: etl)
        #expect(refused.status == 2, "\(refused.text)")
        #expect(refused.text.contains("không công bố (giai đoạn final) vì số liệu xã chưa đủ: bac-giang.tan-yen có 5/22 xã, thiếu bac-giang.tan-yen.xa-kiem-thu-06, bac-giang.tan-yen.xa-kiem-thu-07"),
                "\(refused.text)")
        #expect(refused.text.contains("--allow-incomplete"))
        #expect(try f.footprint() == before, "nothing published, not even a run")
        // The default stage is final too.
        #expect(try DTIProcess.run(["rollup", "--year", "2024", "--province", "bac-giang"], conninfo: etl).status == 2)

        let r = try DTIProcess.run(["rollup", "--year", "2024", "--province", "bac-giang", "--allow-incomplete"], conninfo: etl)
        #expect(r.status == 0, "\(r.text)")
        #expect(r.text.contains("  bac-giang.tan-yen: số liệu xã 5/22 (22,7 %), chưa đủ: thiếu bac-giang.tan-yen.xa-kiem-thu-06"), "\(r.text)")
        let row = try f.db.query("""
            SELECT complete, coverage = 5::numeric / 22 AS exact, coverage::text AS c FROM dti.v_unit_index
             WHERE unit_code = 'bac-giang.tan-yen' AND year = 2024
            """)
        try #require(row.count == 1)
        #expect(try row[0]["complete"].decode(Bool.self) == false)
        #expect(try row[0]["exact"].decode(Bool.self), "coverage \(row[0]["c"].text ?? "")")
        let cmp = try f.db.query("""
            SELECT bool_and(NOT complete) AS all_incomplete, count(*) AS n FROM dti.v_year_comparison
             WHERE unit_code = 'bac-giang.tan-yen' AND year = 2024
            """)[0]
        #expect(try cmp["all_incomplete"].decode(Bool.self) && cmp["n"].decode(Int.self) > 1, "the index and every pillar row")
        // A district without communes: no commune data is involved, complete and coverage are NULL.
        #expect(try f.scalar("SELECT count(*) FROM dti.v_unit_index WHERE year = 2024 AND level = 'district' AND unit_code <> 'bac-giang.tan-yen' AND complete IS NOT NULL", as: Int.self) == 0)
        // A stage below final publishes with the flag, without --allow-incomplete.
        #expect(try DTIProcess.run(["rollup", "--year", "2024", "--province", "bac-giang", "--stage", "round1"], conninfo: etl).status == 0)
    }

    @Test("22 of 22 communes: --stage final publishes, complete = true, coverage 1")
    func complete() throws {
        let (f, etl) = try fixture("rollup-complete", communesWithData: 22, year: 2024)
        let r = try DTIProcess.run(["rollup", "--year", "2024", "--province", "bac-giang", "--stage", "final"], conninfo: etl)
        #expect(r.status == 0, "\(r.text)")
        #expect(r.text.contains("  bac-giang.tan-yen: số liệu xã 22/22 (100 %)") && !r.text.contains("chưa đủ"), "\(r.text)")
        let row = try f.db.query("SELECT complete, coverage::text AS c FROM dti.v_unit_index WHERE unit_code = 'bac-giang.tan-yen' AND year = 2024")
        try #require(row.count == 1)
        #expect(try row[0]["complete"].decode(Bool.self) == true)
        #expect(Decimal(string: row[0]["c"].text ?? "") == 1)
    }
}
