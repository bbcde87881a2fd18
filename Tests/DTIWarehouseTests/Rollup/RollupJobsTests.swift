import DTICore
import DTITestSupport
import DTIWarehouse
import Foundation
import PostgresClient
import Testing

/// `dti rollup --jobs N` (issue 16 point 2): groups of provinces rolled up side by side, each group in its own
/// connection and one pass, through the `dti` binary: the same rows and the same output as one pass of all (--jobs 1);
/// a province that refuses (incomplete at stage final) fails the command and the other groups keep their results.
@Suite("Roll-up: provinces in parallel", .serialized)
struct RollupJobsTests {
    static func scores(_ f: WarehouseFixture) throws -> String {
        try f.scalar("""
            SELECT md5(coalesce(string_agg(x, '|' ORDER BY x), '')) FROM (
                SELECT unit_code || ';' || catalogue_id || ';' || indicator_code || ';' || coalesce(points::text, '-') || ';' || status AS x FROM dti.indicator_scores WHERE year = 2024
                UNION ALL SELECT unit_code || ';' || pillar_code || ';' || points::text || ';' || coalesce(rank::text, '-') FROM dti.pillar_scores WHERE year = 2024
                UNION ALL SELECT unit_code || ';' || points::text || ';' || coalesce(rank::text, '-') || ';' || coalesce(rating, '-') FROM dti.unit_index WHERE year = 2024
                UNION ALL SELECT unit_code || ';' || indicator_code || ';' || variable || ';' || coalesce(derived_value::text, '-') FROM dti.derived_values WHERE year = 2024) t
            """, as: String.self)
    }

    @Test("--jobs 2 over Bắc Giang and Hà Nội gives the rows and the output of --jobs 1; with Tân Yên incomplete at stage final the command exits 2 and Hà Nội is still published; --jobs 0 is refused")
    func parallelProvinces() throws {
        let f = try WarehouseFixture("rollup-jobs", catalogues: ["bac-giang-district-2022", "commune-data-2024", "unit-profile", "hanoi-district-2024"])
        try f.units(RollupFixture.unitsCSV)
        let base = try SubmissionLoader(connection: f.db).load(path: try f.file("submissions.csv", RollupFixture.submissions))
        #expect(base.committed && base.rejected.isEmpty)
        // A second province with data for 2024: two Hà Nội districts' appraised points.
        let hanoi = ["ha-noi.ba-vi", "ha-noi.ung-hoa"].enumerated().map { k, u in "\(u),2024,hanoi-district-2024,1.1,points,\(3 + k),," }
        let load = try SubmissionLoader(connection: f.db).load(path: try f.file("hanoi.csv", RollupFixture.header + hanoi.joined(separator: "\n") + "\n"),
                                                               options: .init(stage: .final))
        #expect(load.committed && load.rejected.isEmpty, "\(load.rejected.map { $0.message.vi }) \(load)")
        let role = "t_etl_" + UUID().uuidString.prefix(8).lowercased()
        _ = try Logins(connection: f.db).create(role: role, kind: .etl, district: nil, password: WarehouseFixture.password(role))
        let etl = try f.conninfo(as: role)

        let one = try DTIProcess.run(["rollup", "--year", "2024", "--allow-incomplete", "--jobs", "1"], conninfo: etl)
        #expect(one.status == 0, "\(one.text)")
        let sequential = try Self.scores(f)
        let two = try DTIProcess.run(["rollup", "--year", "2024", "--allow-incomplete", "--jobs", "2"], conninfo: etl)
        #expect(two.status == 0, "\(two.text)")
        #expect(try Self.scores(f) == sequential, "the same rows")
        func shape(_ s: String) -> [String] {
            s.split(separator: "\n").map(String.init).filter { !$0.hasPrefix("  ") || $0.contains("số liệu xã") }
                .map { $0.replacingOccurrences(of: #"lượt \d+"#, with: "lượt N", options: .regularExpression)
                         .replacingOccurrences(of: #"\d+ ms"#, with: "ms", options: .regularExpression) }
                .filter { !$0.contains(": 1/5") && !$0.contains(": 2/5") && !$0.contains(": 3/5") && !$0.contains(": 4/5") && !$0.contains(": 5/5") && !$0.contains("chờ khóa") }
        }
        #expect(shape(two.text) == shape(one.text), "the same output, in province order:\n\(two.text)\n---\n\(one.text)")
        let results = two.text.split(separator: "\n").filter { $0.hasPrefix("bac-giang 2024 final:") || $0.hasPrefix("ha-noi 2024 final:") }
        #expect(results.count == 2 && results[0].hasPrefix("bac-giang") && results[1].hasPrefix("ha-noi"), "in province order: \(two.text)")

        // A 23rd commune of Tân Yên with no data: at stage final Bắc Giang refuses (exit 2, naming it), Hà Nội, rolled
        // up beside it, keeps its new results.
        try f.units("code,name,level,parent_code,valid_from,valid_to,predecessors,peer_group,tags\n"
                    + "bac-giang.tan-yen.xa-kiem-thu-23,Xã kiểm thử 23 (dữ liệu giả),commune,bac-giang.tan-yen,,,,,\n")
        let runsBefore = try f.scalar("SELECT count(*) FROM dti.rollup_runs WHERE province_code = 'ha-noi'", as: Int.self)
        let refused = try DTIProcess.run(["rollup", "--year", "2024", "--jobs", "2"], conninfo: etl)
        #expect(refused.status == 2, "\(refused.text)")
        #expect(refused.text.contains("bac-giang.tan-yen có 22/23 xã, thiếu bac-giang.tan-yen.xa-kiem-thu-23"), "\(refused.text)")
        #expect(try f.scalar("SELECT count(*) FROM dti.rollup_runs WHERE province_code = 'ha-noi'", as: Int.self) == runsBefore + 1,
                "Hà Nội, rolled up beside it, is published")
        #expect(try Self.scores(f) == sequential, "Bắc Giang's results are the ones before: nothing of the refused run")

        let zero = try DTIProcess.run(["rollup", "--year", "2024", "--jobs", "0"], conninfo: etl)
        #expect(zero.status != 0 && zero.text.contains("--jobs"), "\(zero.text)")
    }
}
