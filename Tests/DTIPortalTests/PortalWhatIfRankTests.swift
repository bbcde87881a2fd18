import DTICore
import DTIPortal
import DTITestSupport
import DTIWarehouse
import Foundation
import Hummingbird
import HummingbirdTesting
import PostgresClient
import Testing

extension PortalTests {
    @Test("A what-if that moves the district's rank in its peer group (Kiểm thử Z sends the half of its return it left out: 3/3 → better) gives the rank, index and points a real load and roll-up of the same inputs give")
    func whatIfMovesRank() async throws {
        // A fixture of its own: this test loads and rolls up for real at the end.
        let f = try PortalFixture("portal-wr")
        let unit = PortalFixture.peerZ, year = PortalFixture.year
        // Z sent only the first half of Tân Yên's 2024 return under its own code (PortalFixture); the what-if enters
        // the other half.
        let own = try String(contentsOfFile: f.home.samples + "/tan-yen/district-2024.csv", encoding: .utf8)
            .split(separator: "\n", omittingEmptySubsequences: true).dropFirst().map(String.init).filter { $0.hasPrefix(PortalFixture.tanYen + ",") }
        let changes = own.suffix(from: own.count / 2).map { line -> WhatIf.Change in
            let c = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            return WhatIf.Change(indicator: c[3], variable: c[4], value: c[5])
        }
        #expect(changes.count > 30)
        let before = try f.footprint()
        let result = try WhatIf(connection: f.db).run(unit: unit, year: year, changes: changes)
        #expect(try f.footprint() == before, "nothing written")
        #expect(result.peers == 3)
        #expect(result.rankBefore == 3, "Z is last today: \(String(describing: result.rankBefore))")
        let after = try #require(result.rankAfter)
        #expect(after < 3, "the what-if moves Z up in its peer group: \(after)/3")

        // The portal shows that rank and today's, as the ICT department's login sees the page.
        let (portal, app) = app(f)
        defer { portal.shutdown() }
        let page: String = try await app.test(.router) { client in
            var b = Browser(client)
            #expect(try await b.signIn(f.etl, f.password).status == .seeOther)
            let csrf = Browser.csrf(String(buffer: try await b.get("/units/\(unit)").body)) ?? ""
            var form = [("csrf", csrf), ("year", "\(year)")]
            for c in changes { form += [("key", "\(c.indicator).\(c.variable)"), ("value", c.value)] }
            let r = try await b.post("/units/\(unit)/whatif", form: form)
            #expect(r.status == .ok)
            return String(buffer: r.body)
        }
        #expect(page.contains("id=\"whatif-rank\">\(after)/3<"), "the page's what-if rank")
        #expect(page.contains("hiện nay 3/3"), "beside today's rank")
        #expect(try f.footprint() == before, "nothing written by the route")

        // Now for real: the same inputs loaded and rolled up.
        var csv = "unit_code,year,catalogue,indicator,variable,value,evidence,stage\n"
        for c in changes { csv += "\(unit),\(year),\(result.catalogue),\(c.indicator),\(c.variable),\(c.value),,\(result.stage.rawValue)\n" }
        let load = try SubmissionLoader(connection: f.db).load(path: try f.file("real-rank.csv", csv), options: .init(stage: result.stage))
        #expect(load.committed && load.rejected.isEmpty, "\(load.rejected.map { "\($0.ref) \($0.message.vi)" })")
        _ = try Rollup(connection: f.db).run(province: "bac-giang", year: year, stage: result.stage)
        let real = try f.db.query("SELECT points, rank FROM dti.v_unit_index WHERE unit_code = \(unit) AND year = \(year)")[0]
        #expect(try real["rank"].decode(Int?.self) == after, "the real roll-up's rank equals the what-if's")
        #expect(try real["points"].decode(Decimal.self) == result.index.after, "index points")
        for p in try f.db.query("SELECT pillar_code, points FROM dti.v_pillar_scores WHERE unit_code = \(unit) AND year = \(year)") {
            let code: String = try p["pillar_code"].decode()
            #expect(result.pillars.first { $0.code == code }?.after == (try p["points"].decode(Decimal?.self)), "pillar \(code)")
        }
    }
}
