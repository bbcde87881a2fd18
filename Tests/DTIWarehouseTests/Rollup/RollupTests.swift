import DTICore
import DTITestSupport
import DTIWarehouse
import Foundation
import PostgresClient
import Testing

/// A fixture province for roll-up tests: Tân Yên with 22 test communes whose commune data is written here and
/// summed by hand, and two test districts in the same peer group for min–max.
struct RollupFixture {
    static let district = "bac-giang.tan-yen"
    static let peerY = "bac-giang.kiem-thu-y"
    static let peerZ = "bac-giang.kiem-thu-z"
    static let communes = TanYenFixture.communes
    static let year = 2024
    static let header = "unit_code,year,catalogue,indicator,variable,value,evidence,stage\n"

    /// What each commune (1…22) submits, written so that the hand sums below are easy to check by eye.
    static func communeRows(_ i: Int, _ code: String) -> [String] {
        let d = "commune-data-2024"
        return [
            "\(code),\(year),unit-profile,population,value,2300",                     // Σ = 22 × 2300 = 50600
            "\(code),\(year),\(d),3.3,a,\(100 * i)",                                  // Σ = 100 × 253 = 25300
            "\(code),\(year),\(d),3.6,answer,\(i % 2 == 1 ? "có" : "không")",          // 11 yes of 22
            "\(code),\(year),\(d),4.1,answer,\(i % 4 == 0 ? "không" : "có")",          // 17 yes (not 4, 8, 12, 16, 20)
            "\(code),\(year),\(d),4.6,a,23",                                          // Σ = 506
            "\(code),\(year),\(d),5.8.1,a,0.1",                                       // Σ = 2.2
            "\(code),\(year),\(d),5.8.1,b,\"0,05\"",                                  // Σ = 1.1 (decimal comma, quoted)
            "\(code),\(year),\(d),5.8.1,c,2",                                         // Σ = 44
            "\(code),\(year),\(d),6.3,a,100",                                         // Σ = 2200
            "\(code),\(year),\(d),6.3,b,30",                                          // Σ = 660
            "\(code),\(year),\(d),6.3,c,30",                                          // Σ = 660
        ].map { $0 + ",," }
    }

    static var unitsCSV: String {
        var s = "code,name,level,parent_code,valid_from,valid_to,predecessors,peer_group,tags\n"
        for (k, c) in communes.enumerated() { s += "\(c),Xã kiểm thử \(String(format: "%02d", k + 1)) (dữ liệu giả),commune,\(district),,,,,\n" }
        s += "\(peerY),Huyện kiểm thử Y (dữ liệu giả),district,bac-giang,,,,bac-giang.cap-huyen,\n"
        s += "\(peerZ),Huyện kiểm thử Z (dữ liệu giả),district,bac-giang,,,,bac-giang.cap-huyen,\n"
        return s
    }

    static var submissions: String {
        var rows: [String] = []
        for (k, c) in communes.enumerated() { rows += communeRows(k + 1, c) }
        let b = "bac-giang-district-2022"
        rows += [
            "\(district),\(year),\(b),1.4,answer,có,,", "\(district),\(year),\(b),1.4,count,12,,",
            "\(district),\(year),\(b),1.5,answer,có,,",
            "\(district),\(year),\(b),8.8,count,7,,",
            "\(peerY),\(year),unit-profile,population,value,50600,,", "\(peerY),\(year),\(b),4.7,a,1012,,",
            "\(peerZ),\(year),unit-profile,population,value,50600,,", "\(peerZ),\(year),\(b),4.7,a,0,,",
        ]
        return header + rows.joined(separator: "\n") + "\n"
    }

    static func make(_ prefix: String) throws -> WarehouseFixture {
        let f = try WarehouseFixture(prefix, catalogues: ["bac-giang-district-2022", "commune-data-2024", "unit-profile", "thanh-hoa-district-2022"])
        try f.units(unitsCSV)
        let load = try SubmissionLoader(connection: f.db).load(path: try f.file("submissions.csv", submissions))
        #expect(load.committed && load.rejected.isEmpty, "\(load.rejected.map { "\($0.ref) \($0.message)" })")
        return f
    }
}

@Suite("Roll-up: commune data to district indices", .serialized)
struct RollupTests {
    @Test("Yên Định's real 2022 points loaded through dti load give the published pillar totals and 891.195 exactly")
    func yenDinh() throws {
        let f = try WarehouseFixture("rollup-yd", catalogues: ["thanh-hoa-district-2022"])
        let load = try SubmissionLoader(connection: f.db).load(path: f.home.reference + "/yen-dinh-2022.csv", options: .init(stage: .final))
        #expect(load.accepted == 64)
        let run = try Rollup(connection: f.db).run(province: "thanh-hoa", year: 2022, stage: .final)
        #expect(run.unitsScored == 1 && run.indicatorsScored == 65, "\(run)")
        let pillars = try f.db.query("""
            SELECT pillar_code, points::text AS p, max_points::text AS m FROM dti.v_pillar_scores
             WHERE unit_code = 'thanh-hoa.yen-dinh' AND year = 2022 ORDER BY pillar_ordinal
            """).map { [try $0["pillar_code"].decode(String.self), try $0["p"].decode(String.self)] }
        #expect(pillars.map { $0[0] } == ["1", "2", "3", "4", "5", "6", "7", "8"])
        #expect(pillars.map { Decimal(string: $0[1])! } == ["83.125", "100", "95", "92.85", "95", "184.08", "136.74", "104.4"].map { Decimal(string: $0)! })
        let index = try f.db.query("SELECT points::text AS p, max_points::text AS m, rank FROM dti.v_unit_index WHERE unit_code = 'thanh-hoa.yen-dinh' AND year = 2022")
        try #require(index.count == 1)
        #expect(Decimal(string: try index[0]["p"].decode(String.self)) == Decimal(string: "891.195"))
        #expect(Decimal(string: try index[0]["m"].decode(String.self)) == 1000)
    }

    @Test("22 communes: derived district variables equal the hand sums; 9 indicators of 004 equal hand-computed points")
    func fixtureDistrict() throws {
        let f = try RollupFixture.make("rollup-fx")
        let report = try Rollup(connection: f.db).run(province: "bac-giang", year: RollupFixture.year, stage: .final)
        #expect(report.unitsScored == 3)

        // Derived variables, summed by hand from RollupFixture.communeRows.
        var derived: [String: Decimal] = [:]
        for r in try f.db.query("""
            SELECT catalogue_id || ' ' || indicator_code || ' ' || variable AS k, derived_value FROM dti.v_derived_values
             WHERE unit_code = \(RollupFixture.district) AND year = \(RollupFixture.year)
            """) { derived[try r["k"].decode(String.self)] = try r["derived_value"].decode(Decimal?.self) }
        let b = "bac-giang-district-2022 "
        let expected: [String: Decimal] = [
            b + "3.1 a": 25300, b + "3.4 a": 11, b + "3.4 b": 22, b + "4.1 a": 17, b + "4.1 b": 22, b + "4.7 a": 506,
            b + "5.5.1 a": Decimal(string: "2.2")!, b + "5.5.1 b": Decimal(string: "1.1")!, b + "5.5.1 c": 44,
            b + "6.5 a": 2200, b + "6.5 b": 660, b + "6.5 c": 660, "unit-profile population value": 50600,
        ]
        for (k, v) in expected { #expect(derived[k] == v, "\(k)") }

        var points: [String: Decimal?] = [:]
        for r in try f.db.query("""
            SELECT indicator_code, points FROM dti.v_indicator_scores WHERE unit_code = \(RollupFixture.district) AND year = \(RollupFixture.year)
            """) { points[try r["indicator_code"].decode(String.self)] = try r["points"].decode(Decimal?.self) }
        let hand: [(String, Decimal, String)] = [
            ("3.1", 5, "ratio: 25300 ÷ 50600 × 10"),
            ("3.4", 5, "ratio of a count of yes: 11 ÷ 22 × 10"),
            ("4.1", Decimal(string: "7.72727272727272727273")!, "ratio: 17 ÷ 22 × 10, rounded at the 20th place"),
            ("6.5", 15, "target 80%: (660 + 660) ÷ 2200 = 0.6 → 0.6 ÷ 0.8 × 20"),
            ("5.5.1", Decimal(string: "3.5")!, "tiers: (2.2 + 1.1) ÷ 44 = 0.075 ≥ 7% → 0.7 × 5"),
            ("1.4", 5, "tiers on a count with a yes gate: 12 ≥ 10 → 0.5 × 10"),
            ("4.7", Decimal(string: "2.5")!, "min–max: Tân Yên 506/50600 = 0.01 between Z 0 and Y 0.02 → 0.5 × 5"),
            ("8.8", 7, "per item: 7 × 1, under the cap of 20"),
            ("1.5", 10, "yes/no: có → 10"),
        ]
        for (code, value, why) in hand { #expect(points[code] == .some(value), "\(code): \(why)") }
        // The peers of the min–max: best gets max, worst 0.
        let peers = try f.db.query("""
            SELECT unit_code, points FROM dti.v_indicator_scores WHERE indicator_code = '4.7' AND year = \(RollupFixture.year) ORDER BY unit_code
            """).map { (try $0["unit_code"].decode(String.self), try $0["points"].decode(Decimal?.self)) }
        #expect(peers.map(\.0) == ["bac-giang.kiem-thu-y", "bac-giang.kiem-thu-z", "bac-giang.tan-yen"])
        #expect(peers.map(\.1) == [5, 0, Decimal(string: "2.5")])
    }

    @Test("Rerunning with the same inputs gives identical rows; two roll-ups at once give the same result as one")
    func rerunAndConcurrent() throws {
        let f = try RollupFixture.make("rollup-re")
        let first = try Rollup(connection: f.db).run(province: "bac-giang", year: RollupFixture.year, stage: .final)
        func rows() throws -> [String] {
            try f.db.query("""
                SELECT concat_ws('|', unit_code, indicator_code, coalesce(points::text, '∅'), coalesce(ratio::text, '∅'), status) AS r
                  FROM dti.v_indicator_scores ORDER BY unit_code, indicator_code
                """).map { try $0["r"].decode(String.self) }
        }
        let before = try rows()
        let second = try Rollup(connection: f.db).run(province: "bac-giang", year: RollupFixture.year, stage: .final)
        #expect(second.inputDigest == first.inputDigest)
        #expect(try rows() == before)

        let conninfo = f.database.conninfo
        // The first run holds its lock (inside its first step) until the watcher has seen the second one wait for
        // it: without that proof, "two at once" may have been one after the other and the test would prove nothing.
        let watcher = try LockWaitWatcher(conninfo: conninfo, locktype: "advisory")
        let firstHoldsLock = DispatchSemaphore(value: 0)
        let group = DispatchGroup()
        let outcomes = LockedArray()
        for k in 0..<2 {
            if k == 1 { firstHoldsLock.wait() }
            group.enter()
            DispatchQueue.global().async {
                defer { group.leave() }
                do {
                    let db = try PostgresConnection(conninfo: conninfo)
                    defer { db.close() }
                    let r = try Rollup(connection: db).run(province: "bac-giang", year: RollupFixture.year, stage: .final) { line in
                        guard k == 0, line.hasPrefix("1/5") else { return }
                        firstHoldsLock.signal()
                        for _ in 0..<3000 where !watcher.sawWait { usleep(10_000) }
                    }
                    outcomes.append(r.inputDigest)
                } catch { outcomes.append("error: \(error)") }
            }
        }
        group.wait()
        #expect(watcher.finish(), "one roll-up waited for the other's lock")
        #expect(outcomes.values == [first.inputDigest, first.inputDigest])
        #expect(try rows() == before)
        // Exactly one current result per unit and indicator: the runs replaced each other, never doubled.
        #expect(try f.scalar("SELECT count(*) FROM (SELECT unit_code, indicator_code FROM dti.v_indicator_scores GROUP BY 1, 2 HAVING count(*) > 1) d", as: Int.self) == 0)
    }

    @Test("A roll-up killed with SIGKILL after scoring leaves the previous results untouched")
    func killedRollup() throws {
        let f = try RollupFixture.make("rollup-kill")
        _ = try Rollup(connection: f.db).run(province: "bac-giang", year: RollupFixture.year, stage: .final)
        let before = try f.footprint()
        let digest = try f.scalar("SELECT md5(string_agg(unit_code || indicator_code || coalesce(points::text, ''), ',' ORDER BY unit_code, indicator_code)) FROM dti.v_indicator_scores", as: String.self)
        // Change an input so the killed run would have written different scores.
        let more = try SubmissionLoader(connection: f.db).load(path: try f.file("more.csv", RollupFixture.header
            + "\(RollupFixture.district),\(RollupFixture.year),bac-giang-district-2022,8.8,count,3,,\n"))
        #expect(more.committed && more.accepted == 1, "the changed input must land, or the kill proves nothing")
        let r = try DTIProcess.run(["rollup", "--year", String(RollupFixture.year), "--province", "bac-giang"], conninfo: f.database.conninfo,
                                   environment: ["DTI_FAILPOINT": "rollup.after-scores"])
        #expect(r.reason == .uncaughtSignal && r.status == SIGKILL, "\(r.text)")
        var after = try f.footprint()
        after["dti.load_batches"] = before["dti.load_batches"]; after["dti.submission_values"] = before["dti.submission_values"]
        after["dti.submission_sheets"] = before["dti.submission_sheets"]
        #expect(after == before)
        #expect(try f.scalar("SELECT md5(string_agg(unit_code || indicator_code || coalesce(points::text, ''), ',' ORDER BY unit_code, indicator_code)) FROM dti.v_indicator_scores", as: String.self) == digest)
    }

    @Test("A unit merged in 2025 gets, for 2024, the arithmetic mean of its predecessors' indices, labelled derived")
    func mergedUnitLineage() throws {
        let f = try RollupFixture.make("rollup-lineage")
        try f.units("""
            code,name,level,parent_code,valid_from,valid_to,predecessors,peer_group,tags
            bac-giang.kiem-thu-yz,Đơn vị kiểm thử YZ sáp nhập 2025 (dữ liệu giả),district,bac-giang,2025-07-01,,\(RollupFixture.peerY)|\(RollupFixture.peerZ),,

            """)
        let report = try Rollup(connection: f.db).run(province: "bac-giang", year: RollupFixture.year, stage: .final)
        #expect(report.lineageRows == 1)
        let y = try f.scalar("SELECT points FROM dti.v_unit_index WHERE unit_code = \(RollupFixture.peerY) AND year = 2024", as: Decimal.self)
        let z = try f.scalar("SELECT points FROM dti.v_unit_index WHERE unit_code = \(RollupFixture.peerZ) AND year = 2024", as: Decimal.self)
        let merged = try f.db.query("""
            SELECT points, derived, derived_from FROM dti.v_unit_index WHERE unit_code = 'bac-giang.kiem-thu-yz' AND year = 2024
            """)
        try #require(merged.count == 1)
        #expect(try merged[0]["points"].decode(Decimal.self) == (y + z) / 2)
        #expect(try merged[0]["derived"].decode(Bool.self))
        #expect(try merged[0]["derived_from"].decode([String].self) == [RollupFixture.peerY, RollupFixture.peerZ])
    }

    @Test("001 appraisal rounds: self-assessment and round 1 keep their own points; v_appraisal_delta shows the difference; the economy pillar only counts for Phụ lục II departments")
    func appraisalRounds() throws {
        let f = try WarehouseFixture("rollup-rounds", catalogues: ["hanoi-city-2024"])
        let tagged = "ha-noi.so-cong-thuong", untagged = "ha-noi.so-noi-vu"
        var rows: [String] = []
        for unit in [tagged, untagged] {
            rows += ["\(unit),2024,hanoi-city-2024,1.1,points,5,,self", "\(unit),2024,hanoi-city-2024,1.3,points,10,,self",
                     "\(unit),2024,hanoi-city-2024,7.1,points,20,,self",
                     "\(unit),2024,hanoi-city-2024,1.1,points,5,,round1", "\(unit),2024,hanoi-city-2024,1.3,points,6.5,,round1",
                     "\(unit),2024,hanoi-city-2024,7.1,points,15,,round1"]
        }
        let load = try SubmissionLoader(connection: f.db).load(path: try f.file("rounds.csv", RollupFixture.header + rows.joined(separator: "\n") + "\n"))
        #expect(load.committed && load.rejected.isEmpty)
        for stage in [Stage.selfAssessment, .round1] { _ = try Rollup(connection: f.db).run(province: "ha-noi", year: 2024, stage: stage) }
        let delta = try f.db.query("""
            SELECT self_points, round1_points, appraised_delta FROM dti.v_appraisal_delta
             WHERE unit_code = \(tagged) AND year = 2024 AND indicator_code = '1.3'
            """)
        try #require(delta.count == 1)
        #expect(try delta[0]["self_points"].decode(Decimal.self) == 10)
        #expect(try delta[0]["round1_points"].decode(Decimal.self) == Decimal(string: "6.5"))
        #expect(try delta[0]["appraised_delta"].decode(Decimal.self) == Decimal(string: "-3.5"))
        // The published view shows the latest stage there is (round 1); pillar 7 counts only for the tagged department.
        func index(_ unit: String) throws -> (Decimal, Decimal) {
            let r = try f.db.query("SELECT points, max_points FROM dti.v_unit_index WHERE unit_code = \(unit) AND year = 2024")[0]
            return (try r["points"].decode(Decimal.self), try r["max_points"].decode(Decimal.self))
        }
        #expect(try index(tagged) == (Decimal(string: "26.5")!, 400))
        #expect(try index(untagged) == (Decimal(string: "11.5")!, 380))
    }

    @Test("Every view and every view column has a COMMENT")
    func comments() throws {
        let f = try WarehouseFixture("rollup-cm", referenceUnits: false)
        let missing = try f.db.query("""
            SELECT c.relname || coalesce('.' || a.attname, '') AS what
              FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'dti'
              LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
             WHERE c.relkind = 'v' AND c.relname LIKE 'v\\_%'
               AND (obj_description(c.oid, 'pg_class') IS NULL OR (a.attname IS NOT NULL AND col_description(c.oid, a.attnum) IS NULL))
            """).map { try $0["what"].decode(String.self) }
        #expect(missing == [])
        let views = try f.scalar("SELECT count(*) FROM pg_views WHERE schemaname = 'dti' AND viewname LIKE 'v\\_%'", as: Int.self)
        #expect(views >= 8)
    }
}

/// Thread-safe collection of the concurrent runs' outcomes.
final class LockedArray: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [String] = []
    func append(_ s: String) { lock.lock(); items.append(s); lock.unlock() }
    var values: [String] { lock.lock(); defer { lock.unlock() }; return items }
}


@Suite("Roll-up: denominators of all units", .serialized)
struct RollupDenominatorTests {
    @Test("15 communes, 10 answer 4.1 and 9 of them yes: b = 15 communes that exist (count_units), 4.1 = 9 ÷ 15 × 10 = 6 points, not 9")
    func allUnitsDenominator() throws {
        let f = try WarehouseFixture("rollup-den", catalogues: ["bac-giang-district-2022", "commune-data-2024", "unit-profile"])
        var units = "code,name,level,parent_code,valid_from,valid_to,predecessors,peer_group,tags\n"
        let communes = (1...15).map { "bac-giang.tan-yen.den-\($0)" }
        for (k, c) in communes.enumerated() { units += "\(c),Xã kiểm thử \(k + 1) (dữ liệu giả),commune,bac-giang.tan-yen,,,,,\n" }
        try f.units(units)
        // 003's commune sheet, 4.1: "Xã/Phường/Thị trấn có tổ công nghệ số cộng đồng" (yes/no); 004's 4.1:
        // a = communes with one, b = "Tổng Xã/Phường/Thị trấn trên địa bàn Huyện", max 10.
        var rows = [RollupFixture.header.dropLast().description]
        for (k, c) in communes.prefix(10).enumerated() {
            rows.append("\(c),2024,commune-data-2024,4.1,answer,\(k == 0 ? "không" : "có"),,")
        }
        let load = try SubmissionLoader(connection: f.db).load(path: try f.file("den.csv", rows.joined(separator: "\n") + "\n"))
        #expect(load.committed && load.rejected.isEmpty, "\(load.rejected.map { "\($0.ref) \($0.message)" })")
        _ = try Rollup(connection: f.db).run(province: "bac-giang", year: 2024, stage: .final)
        let b = try f.db.query("""
            SELECT derived_value FROM dti.derived_values WHERE unit_code = 'bac-giang.tan-yen' AND year = 2024
               AND indicator_code = '4.1' AND variable = 'b'
            """)
        try #require(b.count == 1)
        #expect(try b[0]["derived_value"].decode(Decimal?.self) == 15)
        let p = try f.db.query("SELECT points FROM dti.v_indicator_scores WHERE unit_code = 'bac-giang.tan-yen' AND year = 2024 AND indicator_code = '4.1'")
        try #require(p.count == 1)
        #expect(try p[0]["points"].decode(Decimal?.self) == 6)
    }
}
