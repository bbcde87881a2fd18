import DTICore
import DTITestSupport
import DTIWarehouse
import Foundation
import PostgresClient
import Testing

/// Issue 15 point 6: a rule that cannot be applied as written gives a flagged score. Min–max (004's 4.7, people
/// taught digital skills per head) in a peer group of one unit gives that unit full marks whatever its data; the
/// score is kept, with `reason = single_unit_peer_group` in `v_indicator_scores`, and the export prints the flag.
@Suite("Flagged scores: min–max in a peer group of one", .serialized)
struct FlaggedScoreTests {
    static let alone = "bac-giang.kiem-thu-w"

    @Test("a district alone in its peer group: 4.7 full marks with reason single_unit_peer_group; its peers of three are not flagged; dti export prints the flag")
    func singleUnitPeerGroup() throws {
        let f = try RollupFixture.make("rollup-flag")
        try f.db.execute("INSERT INTO dti.peer_groups (code, name) VALUES ('bac-giang.rieng-w', 'Nhóm riêng của W (dữ liệu giả)')")
        try f.units("code,name,level,parent_code,valid_from,valid_to,predecessors,peer_group,tags\n"
                    + "\(Self.alone),Huyện kiểm thử W (dữ liệu giả),district,bac-giang,,,,bac-giang.rieng-w,\n")
        // W taught 5 people of 50,600: a tiny ratio, and still the best (and worst) of its group of one.
        let rows = ["\(Self.alone),2024,unit-profile,population,value,50600,,", "\(Self.alone),2024,bac-giang-district-2022,4.7,a,5,,"]
        let load = try SubmissionLoader(connection: f.db).load(path: try f.file("w.csv", RollupFixture.header + rows.joined(separator: "\n") + "\n"))
        #expect(load.committed && load.rejected.isEmpty, "\(load.rejected.map { "\($0.ref) \($0.message.vi)" })")
        let r = try DTIProcess.run(["rollup", "--year", "2024", "--province", "bac-giang", "--allow-incomplete"], conninfo: f.database.conninfo)
        #expect(r.status == 0, "\(r.text)")

        let scores = try f.db.query("""
            SELECT unit_code, points::text AS p, max_points::text AS m, reason, notes FROM dti.v_indicator_scores
             WHERE year = 2024 AND indicator_code = '4.7' AND status = 'scored' ORDER BY unit_code
            """)
        let byUnit = Dictionary(uniqueKeysWithValues: try scores.map { (try $0["unit_code"].decode(String.self), $0) })
        let w = try #require(byUnit[Self.alone])
        #expect(try w["reason"].decode(String?.self) == "single_unit_peer_group")
        #expect(Decimal(string: try w["p"].decode(String.self)) == Decimal(string: try w["m"].decode(String.self)), "full marks, kept as the rule gives them")
        #expect(try w["notes"].decode(String?.self)?.contains("nhóm so sánh chỉ có một đơn vị") == true)
        // Tân Yên, Y and Z share a peer group: min–max as written, no flag.
        for peer in [RollupFixture.peerY, RollupFixture.peerZ] {
            let row = try #require(byUnit[peer], "\(peer) scored")
            #expect(try row["reason"].decode(String?.self) == nil, "\(peer)")
        }
        #expect(try f.scalar("SELECT count(*) FROM dti.v_indicator_scores WHERE year = 2024 AND reason IS NOT NULL AND unit_code <> \(Self.alone)", as: Int.self) == 0)

        // The export: the comparison table's remark names the flagged indicator, on the pillar and the total rows.
        let out = f.scratch + "/w"
        let e = try DTIProcess.run(["export", "--unit", Self.alone, "--years", "2024", "--format", "csv", "--out", out], conninfo: f.database.conninfo)
        #expect(e.status == 0, "\(e.text)")
        let files = try FileManager.default.contentsOfDirectory(atPath: f.scratch).filter { $0.hasPrefix("w") }
        let text = try files.map { try String(contentsOfFile: f.scratch + "/" + $0, encoding: .utf8) }.joined(separator: "\n")
        let flagged = text.split(separator: "\n").filter { $0.contains("cờ 4.7: nhóm so sánh chỉ có một đơn vị") }
        #expect(flagged.count >= 2, "pillar 4 and the total: \(files) \(text.prefix(2000))")
        let en = try DTIProcess.run(["export", "--unit", Self.alone, "--years", "2024", "--format", "csv", "--lang", "en", "--out", out + "-en"], conninfo: f.database.conninfo)
        #expect(en.status == 0, "\(en.text)")
        let enText = try FileManager.default.contentsOfDirectory(atPath: f.scratch).filter { $0.hasPrefix("w-en") }
            .map { try String(contentsOfFile: f.scratch + "/" + $0, encoding: .utf8) }.joined(separator: "\n")
        #expect(enText.contains("flag 4.7: a peer group of one unit"), "\(enText.prefix(2000))")
    }
}
