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
    /// Starts a roll-up through the form and waits for its job page to finish; returns that page.
    static func rollUp(_ b: inout Browser, csrf: String, stage: String, allowIncomplete: Bool) async throws -> String {
        var form = [("csrf", csrf), ("province", "bac-giang"), ("year", "\(PortalFixture.year)"), ("stage", stage)]
        if allowIncomplete { form.append(("allow_incomplete", "1")) }
        let start = try await b.post("/rollups", form: form)
        #expect(start.status == .seeOther)
        let job = start.headers[.location] ?? ""
        for _ in 0..<240 {
            let p = String(buffer: try await b.get(job).body)
            if p.contains("id=\"rollup-done\"") || p.contains("id=\"rollup-error\"") { return p }
            try await Task.sleep(for: .milliseconds(250))
        }
        Issue.record("the roll-up job did not finish")
        return ""
    }

    @Test("The roll-up page refuses to publish final for a province with an incomplete district, naming its missing commune, unless 'allow incomplete' is ticked")
    func rollupRefusesIncompleteFinal() async throws {
        // A fixture of its own: this test publishes for real. Tân Yên gets a 23rd commune that sent nothing.
        let f = try PortalFixture("portal-ri")
        let commune = PortalFixture.tanYen + ".xa-chua-nop"
        _ = try UnitsLoader(connection: f.db).load(path: try f.file("commune.csv", """
            code,name,level,parent_code,valid_from,valid_to,predecessors,peer_group,tags
            \(commune),Xã chưa nộp (dữ liệu giả),commune,\(PortalFixture.tanYen),,,,,

            """))
        let (portal, app) = app(f)
        defer { portal.shutdown() }
        let before = try f.footprint()
        try await app.test(.router) { client in
            var b = Browser(client)
            #expect(try await b.signIn(f.etl, f.password).status == .seeOther)
            let form = String(buffer: try await b.get("/rollups").body)
            #expect(form.contains("id=\"allow-incomplete\""), "the form has the box")
            let csrf = Browser.csrf(form) ?? ""

            let refused = try await Self.rollUp(&b, csrf: csrf, stage: "final", allowIncomplete: false)
            #expect(refused.contains("id=\"rollup-error\""), "\(refused.prefix(3000))")
            #expect(refused.contains("không công bố (giai đoạn final) vì số liệu xã chưa đủ: \(PortalFixture.tanYen) có 22/23 xã, thiếu \(commune)"),
                    "names the district and its missing commune: \(refused.prefix(3000))")
            #expect(refused.contains("Vẫn công bố (final) khi số liệu xã chưa đủ") && !refused.contains("--allow-incomplete"),
                    "the way out on this page is the box, not the command's flag")
            #expect(try f.footprint() == before, "nothing published, not even a run")

            // A stage below final publishes with the flag, without the box (as the command does).
            let round1 = try await Self.rollUp(&b, csrf: csrf, stage: "round1", allowIncomplete: false)
            #expect(round1.contains("id=\"rollup-done\""), "\(round1.prefix(3000))")

            let allowed = try await Self.rollUp(&b, csrf: csrf, stage: "final", allowIncomplete: true)
            #expect(allowed.contains("id=\"rollup-done\""), "\(allowed.prefix(3000))")
            let row = try f.db.query("""
                SELECT complete, coverage::text AS c FROM dti.v_unit_index
                 WHERE unit_code = \(PortalFixture.tanYen) AND year = \(PortalFixture.year) AND stage = 'final'
                """)
            try #require(row.count == 1)
            #expect(try row[0]["complete"].decode(Bool?.self) == false, "published, marked incomplete")
            let run = try f.db.query("SELECT run_by, stage::text AS stage FROM dti.rollup_runs ORDER BY run_id DESC LIMIT 1")[0]
            #expect(run["run_by"].text == f.etl && run["stage"].text == "final")
        }
    }
}
