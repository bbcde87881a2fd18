import DTICore
import DTIPortal
import DTITestSupport
import DTIWarehouse
import Foundation
import Hummingbird
import HummingbirdTesting
import PostgresClient
import Logging
import Testing

/// Log lines a portal writes, kept for a test to read.
final class LogLines: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    func add(_ s: String) { lock.lock(); lines.append(s); lock.unlock() }
    var all: [String] { lock.lock(); defer { lock.unlock() }; return lines }
}

struct CapturingLogHandler: LogHandler {
    let lines: LogLines
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace
    subscript(metadataKey key: String) -> Logger.Metadata.Value? { get { metadata[key] } set { metadata[key] = newValue } }
    func log(event: LogEvent) {
        let meta = (metadata.merging(event.metadata ?? [:]) { $1 }).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        lines.add("\(event.level) \(event.message) \(meta)")
    }
}

@Suite("Portal routes (HummingbirdTesting, real PostgreSQL)", .serialized)
struct PortalTests {
    static let shared: Result<PortalFixture, any Error> = Result { try PortalFixture("portal") }
    static func fixture() throws -> PortalFixture { try shared.get() }

    func app(_ f: PortalFixture, _ tweak: (inout PortalConfig) -> Void = { _ in }) -> (Portal, some ApplicationProtocol) {
        // Quiet: the request log is checked by requestLog, not printed into make test's output.
        let portal = Portal(config: f.config(tweak), logger: Logger(label: "test.portal") { _ in SwiftLogNoOpLogHandler() })
        return (portal, portal.application())
    }

    @Test("Every page but sign-in and healthz needs a session: pages redirect to /login, forms answer 401")
    func signInRequired() async throws {
        let f = try Self.fixture()
        let (portal, app) = app(f)
        defer { portal.shutdown() }
        try await app.test(.router) { client in
            var b = Browser(client)
            #expect(try await b.get("/healthz").status == .ok)
            for path in ["/", "/units", "/units/\(PortalFixture.tanYen)", "/units/\(PortalFixture.tanYen)/export.xlsx", "/units/\(PortalFixture.tanYen)/export.csv?years=2024",
                         "/status", "/uploads", "/rollups", "/views"] {
                let r = try await b.get(path)
                #expect(r.status == .seeOther, "\(path)")
                #expect(r.headers[.location]?.hasPrefix("/login") == true, "\(path)")
                #expect(!String(buffer: r.body).contains("Tân Yên"), "\(path): no data before sign-in")
            }
            let w = try await b.post("/units/\(PortalFixture.tanYen)/whatif", form: [("key", "8.8.count"), ("value", "20")])
            #expect(w.status == .unauthorized)
            #expect(!String(buffer: w.body).contains("Tân Yên"))
            #expect(try await b.post("/uploads/x/confirm", form: []).status == .unauthorized)
        }
    }

    @Test("Sign in as a district: its own page (rank x/3, charts, tables), cookies HttpOnly + SameSite=Strict, sign-out ends the session")
    func districtPageAndSignOut() async throws {
        let f = try Self.fixture()
        let (portal, app) = app(f)
        defer { portal.shutdown() }
        try await app.test(.router) { client in
            var b = Browser(client)
            let signIn = try await b.signIn(f.district, f.password)
            #expect(signIn.status == .seeOther)
            let cookie = signIn.headers[values: .setCookie].first { $0.hasPrefix("dti_session=") } ?? ""
            #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && !cookie.contains("Secure"), "\(cookie)")
            #expect(portal.sessionCount == 1)
            let home = try await b.get("/")
            #expect(home.headers[.location] == "/units/\(PortalFixture.tanYen)")
            let page = try await b.get("/units/\(PortalFixture.tanYen)")
            let html = String(buffer: page.body)
            #expect(page.status == .ok)
            #expect(html.contains("Huyện Tân Yên"))
            for year in 2022...2024 { #expect(html.contains("id=\"year-\(year)\""), "a card per year") }
            #expect(html.range(of: #"class="rank">\d/3<"#, options: .regularExpression) != nil, "rank x/N with the 3 districts of the peer group")
            #expect(html.contains("<svg"), "the export's inline SVG charts")
            #expect(html.range(of: #"(src|href|action)=\"(https?:)?//"#, options: .regularExpression) == nil && !html.contains("<script")
                    && !html.contains("<link") && !html.contains("@import"), "self-contained: no CDN, no script, nothing fetched from elsewhere")
            #expect(html.contains("id=\"indicators\"") && html.contains("Văn phòng"), "indicator table with lead agencies")
            #expect(html.contains("id=\"download-xlsx\""))
            let english = String(buffer: try await b.get("/units/\(PortalFixture.tanYen)?lang=en").body)
            #expect(english.contains("Rank") && english.contains("Points lost"))

            // Only a path of this site is followed after sign-in, never another host.
            var c = Browser(client)
            let token = Browser.csrf(String(buffer: try await c.get("/login").body)) ?? ""
            let away = try await c.post("/login", form: [("csrf", token), ("username", f.district), ("password", f.password), ("next", "//evil.example/x")])
            #expect(away.status == .seeOther && away.headers[.location] == "/", "\(away.headers[.location] ?? "")")
            #expect(try await b.get("/units/\(PortalFixture.tanYen)?years=1-99999").status == .badRequest)

            let csrf = Browser.csrf(html) ?? ""
            let out = try await b.post("/logout", form: [("csrf", csrf)])
            #expect(out.status == .seeOther)
            #expect(portal.sessionCount == 1, "the session and its connections are gone (the other sign-in above remains)")
            #expect(try await b.get("/units/\(PortalFixture.tanYen)").status == .seeOther, "signed out: back to sign-in")
        }
    }

    @Test("A district login gets 404 and no data for another district's page and downloads; the downloads of its own are dti export's files")
    func districtIsolation() async throws {
        let f = try Self.fixture()
        let (portal, app) = app(f)
        defer { portal.shutdown() }
        try await app.test(.router) { client in
            var b = Browser(client)
            #expect(try await b.signIn(f.district, f.password).status == .seeOther)
            for path in ["/units/\(PortalFixture.yenDinh)", "/units/\(PortalFixture.yenDinh)?years=2022", "/units/\(PortalFixture.peerY)",
                         "/units/\(PortalFixture.yenDinh)/export.xlsx", "/units/\(PortalFixture.yenDinh)/export.csv?years=2022",
                         "/units/\(PortalFixture.yenDinh)/export.html", "/units/no-such-unit"] {
                let r = try await b.get(path)
                let body = String(buffer: r.body)
                #expect(r.status == .notFound, "\(path)")
                #expect(!body.contains("Yên Định") && !body.contains("891") && !body.contains("kiểm thử Y"), "\(path): no data")
            }
            let w = try await b.post("/units/\(PortalFixture.yenDinh)/whatif", form: [("csrf", Browser.csrf(String(buffer: try await b.get("/units/\(PortalFixture.tanYen)").body)) ?? ""),
                                                                                       ("key", "1.1.answer"), ("value", "có")])
            #expect(w.status == .notFound)

            // Its own downloads: the same bytes as `dti export --children` writes for the same login.
            let csv = try await b.get("/units/\(PortalFixture.tanYen)/export.csv?years=2022-2024")
            #expect(csv.status == .ok)
            #expect(csv.headers[.contentDisposition]?.contains("bac-giang.tan-yen-2022-2024.csv") == true)
            let login = try PostgresConnection(conninfo: try Conninfo.replacing(f.database.conninfo, with: ["user": f.district, "password": f.password]))
            defer { login.close() }
            let doc = try ExportQuery(connection: login).build(.init(unit: PortalFixture.tanYen, years: 2022...2024, children: true, language: .vi,
                                                                     crosswalks: try CrosswalkFiles.load(directory: f.home.crosswalks)))
            let paths = try ExportFiles.write(doc, format: .csv, base: f.scratch + "/cli/tan-yen", language: .vi)
            #expect(Data(csv.body.readableBytesView) == (try Data(contentsOf: URL(fileURLWithPath: paths[0]))))
            let xlsx = try await b.get("/units/\(PortalFixture.tanYen)/export.xlsx?years=2022-2024")
            #expect(xlsx.status == .ok && Array(xlsx.body.readableBytesView.prefix(2)) == [0x50, 0x4B], "an XLSX (zip) file")
            let page = try await b.get("/units/\(PortalFixture.tanYen)/export.html?years=2024")
            #expect(page.status == .ok && String(buffer: page.body).contains("<svg"))
        }
        // And the other way round: Yên Định's login does not see Tân Yên.
        try await app.test(.router) { client in
            var b = Browser(client)
            #expect(try await b.signIn(f.otherDistrict, f.password).status == .seeOther)
            #expect(try await b.get("/units/\(PortalFixture.yenDinh)").status == .ok)
            let r = try await b.get("/units/\(PortalFixture.tanYen)")
            #expect(r.status == .notFound && !String(buffer: r.body).contains("Tân Yên"))
        }
    }

    @Test("CSRF: sign-in, sign-out and what-if without the form's token (or with a forged one) are refused (403) and change nothing")
    func csrfEnforced() async throws {
        let f = try Self.fixture()
        let (portal, app) = app(f)
        defer { portal.shutdown() }
        try await app.test(.router) { client in
            var b = Browser(client)
            // Sign-in without the token (and with a token that is not the cookie's).
            #expect(try await b.post("/login", form: [("username", f.district), ("password", f.password)]).status == .forbidden)
            _ = try await b.get("/login")
            #expect(try await b.post("/login", form: [("csrf", "forged"), ("username", f.district), ("password", f.password)]).status == .forbidden)
            #expect(portal.sessionCount == 0)
            #expect(try await b.signIn(f.district, f.password).status == .seeOther)
            #expect(try await b.post("/logout", form: []).status == .forbidden)
            #expect(try await b.post("/logout", form: [("csrf", "forged")]).status == .forbidden)
            #expect(portal.sessionCount == 1, "still signed in")
            let before = try f.footprint()
            #expect(try await b.post("/units/\(PortalFixture.tanYen)/whatif", form: [("key", "8.8.count"), ("value", "20")]).status == .forbidden)
            #expect(try await b.post("/units/\(PortalFixture.tanYen)/whatif", form: [("csrf", "forged"), ("key", "8.8.count"), ("value", "20")]).status == .forbidden)
            #expect(try f.footprint() == before)
            #expect(portal.sessionCount == 1, "still signed in")
        }
        try await app.test(.router) { client in
            var b = Browser(client)
            #expect(try await b.signIn(f.etl, f.password).status == .seeOther)
            let before = try f.footprint()
            let (body, type) = Self.multipart(csrf: "forged", name: "x.csv", contents: "unit_code,year,catalogue,indicator,variable,value,evidence,stage\n")
            #expect(try await b.post("/uploads", body: body, contentType: type).status == .forbidden)
            #expect(try await b.post("/rollups", form: [("province", "bac-giang"), ("year", "2024")]).status == .forbidden)
            #expect(try f.footprint() == before)
        }
    }

    @Test("A session expires after its idle time: the next request goes back to sign-in and its connections are closed")
    func sessionExpiry() async throws {
        let f = try Self.fixture()
        let (portal, app) = app(f) { $0.sessionIdle = 1 }
        defer { portal.shutdown() }
        try await app.test(.router) { client in
            var b = Browser(client)
            #expect(try await b.signIn(f.district, f.password).status == .seeOther)
            #expect(try await b.get("/units/\(PortalFixture.tanYen)").status == .ok)
            #expect(portal.sessionCount == 1)
            try await Task.sleep(for: .milliseconds(1500))
            let r = try await b.get("/units/\(PortalFixture.tanYen)")
            #expect(r.status == .seeOther && r.headers[.location]?.hasPrefix("/login") == true)
            #expect(portal.sessionCount == 0, "the expired session is gone")
        }
    }

    @Test("One log line per request (method, route, status, duration, login), never the password or the session cookie")
    func requestLog() async throws {
        let f = try Self.fixture()
        let lines = LogLines()
        let portal = Portal(config: f.config(), logger: Logger(label: "test.portal") { _ in CapturingLogHandler(lines: lines) })
        defer { portal.shutdown() }
        let app = portal.application()
        try await app.test(.router) { (client: any TestClientProtocol) async throws -> Void in
            var b = Browser(client)
            #expect(try await b.signIn(f.district, f.password).status == .seeOther)
            #expect(try await b.get("/units/\(PortalFixture.tanYen)").status == .ok)
            let cookie = b.cookies["dti_session"] ?? ""
            #expect(cookie.count > 20)
            let all = lines.all
            #expect(!all.isEmpty)
            #expect(all.contains { $0.contains("method=GET") && $0.contains("route=/units/{code}") && $0.contains("status=200")
                                   && $0.contains("login=\(f.district)") && $0.contains("duration_ms=") }, "\(all)")
            #expect(all.contains { $0.contains("method=POST") && $0.contains("route=/login") && $0.contains("status=303") }, "\(all)")
            for l in all {
                #expect(!l.contains(f.password) && !l.contains("mật-khẩu") && !l.contains(cookie), "a secret in the log: \(l)")
            }
        }
    }

    @Test("Failed sign-ins are limited per login and per address: then even the right password gets 429")
    func rateLimit() async throws {
        let f = try Self.fixture()
        let (portal, app) = app(f) { $0.failuresPerLogin = 3; $0.failuresPerAddress = 6 }
        defer { portal.shutdown() }
        try await app.test(.router) { client in
            var b = Browser(client)
            // Per login: three failures for one name, the fourth try is refused without trying.
            for _ in 0..<3 { #expect(try await b.signIn("t_nobody_\(f.suffix)", "x").status == .unauthorized) }
            let limited = try await b.signIn("t_nobody_\(f.suffix)", "x")
            #expect(limited.status == .tooManyRequests && limited.headers[.retryAfter] != nil)
            // Another login from the same address still may try, until the address is over its limit.
            #expect(try await b.signIn(f.district, f.password).status == .seeOther)
            b.cookies["dti_session"] = nil
            for k in 0..<3 { #expect(try await b.signIn("t_other\(k)_\(f.suffix)", "x").status == .unauthorized) }
            let address = try await b.signIn(f.etl, f.password)
            #expect(address.status == .tooManyRequests, "6 failures from this address: the right password is not even tried")
        }
    }

    @Test("A wrong password: the portal answers exactly as PostgreSQL does for that login and password (401 once the cluster checks passwords)")
    func wrongPassword() async throws {
        let f = try Self.fixture()
        let (portal, app) = app(f)
        defer { portal.shutdown() }
        // The portal decides nothing itself: it connects as the login with the password typed. On a cluster that
        // checks passwords (scram-sha-256) a wrong one is refused; on a cluster that trusts local connections
        // PostgreSQL lets it in, and so does the portal (SECURITY.md says the embedded cluster trusts them today).
        let conninfo = try Conninfo.replacing(f.database.conninfo, with: ["user": f.district, "password": "wrong password"])
        let serverAccepts: Bool
        do { let c = try PostgresConnection(conninfo: conninfo); c.close(); serverAccepts = true } catch { serverAccepts = false }
        try await app.test(.router) { client in
            var b = Browser(client)
            let r = try await b.signIn(f.district, "wrong password")
            if serverAccepts {
                #expect(r.status == .seeOther && portal.sessionCount == 1, "PostgreSQL accepted the password, so does the portal")
            } else {
                #expect(r.status == .unauthorized && portal.sessionCount == 0, "PostgreSQL refused the password, so does the portal")
                #expect(String(buffer: r.body).contains("id=\"error\""))
            }
            // A login that does not exist is refused either way, and so is one that tries to rewrite the conninfo.
            let none = try await b.signIn("t_nobody_\(f.suffix)", "x")
            #expect(none.status == .unauthorized)
            let injected = try await b.signIn("\(f.district)' dbname='postgres", "x")
            #expect(injected.status == .unauthorized, "the name is one quoted conninfo value, not keywords")
            #expect(portal.sessionCount == (serverAccepts ? 1 : 0))
        }
    }

    @Test("Upload → dry run (rejects with their cells, what would change, nothing written) → confirm loads it as the ETL login")
    func uploadDryRunConfirm() async throws {
        let f = try Self.fixture()
        let (portal, app) = app(f)
        defer { portal.shutdown() }
        try await app.test(.router) { client in
            var b = Browser(client)
            #expect(try await b.signIn(f.etl, f.password).status == .seeOther)
            let page = String(buffer: try await b.get("/uploads").body)
            let csrf = Browser.csrf(page) ?? ""
            let header = "unit_code,year,catalogue,indicator,variable,value,evidence,stage\n"
            // A bad file: one unknown indicator, one value that is not a number.
            let bad = header + "\(PortalFixture.tanYen),2024,bac-giang-district-2022,99.9,a,1,,final\n\(PortalFixture.tanYen),2024,bac-giang-district-2022,8.8,count,nhiều,,final\n"
            let before = try f.footprint()
            let (b1, t1) = Self.multipart(csrf: csrf, name: "bad-\(f.suffix).csv", contents: bad)
            let rejected = String(buffer: try await b.post("/uploads", body: b1, contentType: t1).body)
            #expect(rejected.contains("id=\"rejects\"") && rejected.contains("bad-\(f.suffix).csv:3") && rejected.contains("99.9"), "\(rejected.prefix(3000))")
            #expect(!rejected.contains("id=\"confirm-form\""), "a rejected file cannot be confirmed")
            #expect(try f.footprint() == before, "the dry run wrote nothing")

            let good = header + "\(PortalFixture.peerZ),2024,bac-giang-district-2022,8.8,count,15,,final\n"
            let (b2, t2) = Self.multipart(csrf: csrf, name: "good-\(f.suffix).csv", contents: good)
            let report = String(buffer: try await b.post("/uploads", body: b2, contentType: t2).body)
            #expect(report.contains("id=\"dry-accepted\">1<") && report.contains("id=\"changes\"") && report.contains(PortalFixture.peerZ), "\(report.prefix(3000))")
            // A district login may not use the ICT department's pages, nor confirm someone else's upload.
            var d = Browser(client)
            #expect(try await d.signIn(f.district, f.password).status == .seeOther)
            for path in ["/status", "/uploads", "/rollups"] { #expect(try await d.get(path).status == .forbidden, "\(path)") }
            #expect(try f.footprint() == before, "the dry run wrote nothing")
            guard let idRange = report.range(of: #"/uploads/[a-z0-9_-]+/confirm"#, options: .regularExpression) else {
                Issue.record("no confirm form"); return
            }
            let dcsrf = Browser.csrf(String(buffer: try await d.get("/units/\(PortalFixture.tanYen)").body)) ?? ""
            #expect(try await d.post(String(report[idRange]), form: [("csrf", dcsrf)]).status == .forbidden)
            #expect(try f.footprint() == before, "nothing loaded by the refused confirmation")
            let confirmed = String(buffer: try await b.post(String(report[idRange]), form: [("csrf", csrf)]).body)
            #expect(confirmed.contains("id=\"batch-id\""), "\(confirmed.prefix(2000))")
            let batch = try f.db.query("SELECT loaded_by, file_name FROM dti.load_batches ORDER BY batch_id DESC LIMIT 1")[0]
            #expect(batch["loaded_by"].text == f.etl, "the batch records the login")
            #expect(batch["file_name"].text?.hasSuffix("good-\(f.suffix).csv") == true)
            let value = try f.db.query("""
                SELECT value FROM dti.v_submitted_values WHERE unit_code = \(PortalFixture.peerZ) AND year = 2024 AND indicator_code = '8.8' AND variable = 'count'
                """)
            #expect(try value.first?["value"].decode(Decimal?.self) == 15)
            // The status page and the roll-up page work for the ETL login.
            let status = String(buffer: try await b.get("/status?year=2024").body)
            #expect(status.contains("id=\"status\"") && status.contains("Tân Yên"))
            let start = try await b.post("/rollups", form: [("csrf", csrf), ("province", "bac-giang"), ("year", "2024"), ("stage", "final")])
            #expect(start.status == .seeOther)
            let job = start.headers[.location] ?? ""
            var done = false
            for _ in 0..<120 where !done {
                let p = String(buffer: try await b.get(job).body)
                done = p.contains("id=\"rollup-done\"") || p.contains("id=\"rollup-error\"")
                if done { #expect(p.contains("id=\"rollup-done\""), "\(p.prefix(2000))") } else { try await Task.sleep(for: .milliseconds(250)) }
            }
            #expect(done)
            let run = try f.db.query("SELECT run_by FROM dti.rollup_runs ORDER BY run_id DESC LIMIT 1")[0]
            #expect(run["run_by"].text == f.etl)
        }
    }

    @Test("A value that fails a declared warning check is flagged beside its indicator on the page")
    func dataQualityFlags() async throws {
        let f = try Self.fixture()
        let (portal, app) = app(f)
        defer { portal.shutdown() }
        let page = { () async throws -> String in
            try await app.test(.router) { client in
                var b = Browser(client)
                #expect(try await b.signIn(f.etl, f.password).status == .seeOther)
                return String(buffer: try await b.get("/units/\(PortalFixture.peerY)").body)
            }
        }
        func row(_ html: String, _ code: String) -> String {
            guard let r = html.range(of: "<td>\(code)</td>") else { return "" }
            let rest = html[r.lowerBound...]
            return String(rest[..<(rest.range(of: "</tr>")?.lowerBound ?? rest.endIndex)])
        }
        #expect(!row(try await page(), "7.1").contains("class=\"warning\""), "no flag before")
        // 7.1 a (the digital economy's value added) larger than b (GRDP): 004's check 'a <= b' is a warning, it loads.
        let csv = "unit_code,year,catalogue,indicator,variable,value,evidence,stage\n\(PortalFixture.peerY),2024,bac-giang-district-2022,7.1,a,60000,,self\n"
        let load = try SubmissionLoader(connection: f.db).load(path: try f.file("warn-\(f.suffix).csv", csv))
        #expect(load.committed && !load.warnings.isEmpty, "\(load.warnings)")
        let flagged = row(try await page(), "7.1")
        #expect(flagged.contains("class=\"warning\"") && flagged.contains("a &lt;= b"), "\(flagged)")
    }

    @Test("What-if equals a real load and roll-up of the same changed inputs: points, pillars, index and rank; nothing is written")
    func whatIfEqualsRealLoad() async throws {
        // A fixture of its own: this test loads for real at the end.
        let f = try PortalFixture("portal-wi")
        let unit = PortalFixture.peerZ, year = PortalFixture.year
        let changes = [WhatIf.Change(indicator: "8.8", variable: "count", value: "20"), WhatIf.Change(indicator: "1.4", variable: "count", value: "15")]
        let before = try f.footprint()
        let result = try WhatIf(connection: f.db).run(unit: unit, year: year, changes: changes)
        #expect(try f.footprint() == before, "nothing written")
        #expect(result.index.delta.map { $0 > 0 } == true, "the changes raise the index: \(result.index)")
        #expect(result.changedIndicators.contains { $0.code == "8.8" })
        #expect(!result.bestNextSteps.isEmpty && result.bestNextSteps.allSatisfy { $0.indexGain > 0 })
        #expect(result.peers == 3)

        // The route shows the same numbers, as the district login would see them for its own unit.
        let (portal, app) = app(f)
        defer { portal.shutdown() }
        let pageHTML: String = try await app.test(.router) { client in
            var b = Browser(client)
            #expect(try await b.signIn(f.etl, f.password).status == .seeOther)
            let csrf = Browser.csrf(String(buffer: try await b.get("/units/\(unit)").body)) ?? ""
            let r = try await b.post("/units/\(unit)/whatif", form: [("csrf", csrf), ("year", "\(year)"), ("key", "8.8.count"), ("value", "20"),
                                                                    ("key", "1.4.count"), ("value", "15"), ("key", ""), ("value", "")])
            #expect(r.status == .ok)
            return String(buffer: r.body)
        }
        #expect(try f.footprint() == before, "nothing written by the route either")
        let shown = DecimalText.vietnamese(result.index.after!, fractionDigits: 3)
        #expect(pageHTML.contains("id=\"whatif-index\">\(shown)<"), "the page shows the what-if's index \(shown)")
        #expect(pageHTML.contains("id=\"whatif-rank\">\(result.rankAfter.map { "\($0)/3" } ?? "—")<"))
        #expect(pageHTML.contains("id=\"best-next-steps\""))

        // The command line, as the ICT department's ETL login runs it: JSON with exact decimals, the same numbers,
        // nothing written. A district login may not run it (it loads and rolls up): exit 1.
        let etl = try Conninfo.replacing(f.database.conninfo, with: ["user": f.etl, "password": f.password])
        let district = try Conninfo.replacing(f.database.conninfo, with: ["user": f.district, "password": f.password])
        let refused = try Self.runDTI(["whatif", "--unit", PortalFixture.tanYen, "--year", "\(year)", "--set", "8.8.count=20"], conninfo: district)
        #expect(refused.status == 1 && refused.text.contains("etl"), "\(refused.text)")
        let cli = try Self.runDTI(["whatif", "--unit", unit, "--year", "\(year)", "--set", "8.8.count=20", "--set", "1.4.count=15", "--format", "json"],
                                  conninfo: etl)
        #expect(cli.status == 0, "\(cli.text)")
        let json = try JSONSerialization.jsonObject(with: Data(cli.text.utf8)) as? [String: Any] ?? [:]
        let cliIndex = (json["index"] as? [String: Any])?["after"] as? String
        #expect(cliIndex == result.index.after?.machineText, "dti whatif prints the library's index: \(cli.text.prefix(400))")
        #expect(json["rank_after"] as? Int == result.rankAfter && json["peers"] as? Int == 3)
        #expect(try f.footprint() == before, "nothing written by dti whatif")
        let table = try Self.runDTI(["whatif", "--unit", unit, "--year", "\(year)", "--set", "8.8.count=20", "--lang", "en"], conninfo: etl)
        #expect(table.status == 0 && table.text.contains("Index points") && table.text.contains("Nothing was written"), "\(table.text)")
        let bad = try Self.runDTI(["whatif", "--unit", unit, "--year", "\(year)", "--set", "8.8count20"], conninfo: etl)
        #expect(bad.status == 1 && bad.text.contains("8.8count20"), "a malformed --set is a usage error: \(bad.text)")
        let rejected = try Self.runDTI(["whatif", "--unit", unit, "--year", "\(year)", "--set", "8.8.count=nhiều"], conninfo: etl)
        #expect(rejected.status == 2 && rejected.text.contains("8.8"), "a value the loader refuses: exit 2 and the reason: \(rejected.text)")
        #expect(try f.footprint() == before)

        // Now for real: the same inputs loaded and rolled up.
        var csv = "unit_code,year,catalogue,indicator,variable,value,evidence,stage\n"
        for c in changes { csv += "\(unit),\(year),\(result.catalogue),\(c.indicator),\(c.variable),\(c.value),,\(result.stage.rawValue)\n" }
        let load = try SubmissionLoader(connection: f.db).load(path: try f.file("real.csv", csv), options: .init(stage: result.stage))
        #expect(load.committed && load.rejected.isEmpty)
        _ = try Rollup(connection: f.db).run(province: "bac-giang", year: year, stage: result.stage)
        let real = try f.db.query("SELECT points, rank FROM dti.v_unit_index WHERE unit_code = \(unit) AND year = \(year)")[0]
        #expect(try real["points"].decode(Decimal.self) == result.index.after, "index points")
        #expect(try real["points"].decode(Decimal.self).machineText == cliIndex, "dti whatif's index equals the real roll-up's")
        #expect(try real["rank"].decode(Int?.self) == result.rankAfter, "rank")
        for p in try f.db.query("SELECT pillar_code, points FROM dti.v_pillar_scores WHERE unit_code = \(unit) AND year = \(year)") {
            let code: String = try p["pillar_code"].decode()
            #expect(result.pillars.first { $0.code == code }?.after == (try p["points"].decode(Decimal?.self)), "pillar \(code)")
        }
        var indicators = 0
        for i in try f.db.query("SELECT indicator_code, points FROM dti.v_indicator_scores WHERE unit_code = \(unit) AND year = \(year)") {
            let code: String = try i["indicator_code"].decode()
            #expect(result.indicators.first { $0.code == code }?.after == (try i["points"].decode(Decimal?.self)), "indicator \(code)")
            indicators += 1
        }
        #expect(indicators == result.indicators.count && indicators > 50)
    }

    static func multipart(csrf: String, name: String, contents: String, stage: String = "final") -> (ByteBuffer, String) {
        let boundary = "----dti-test-\(UUID().uuidString)"
        var s = "--\(boundary)\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n\(csrf)\r\n"
        s += "--\(boundary)\r\nContent-Disposition: form-data; name=\"stage\"\r\n\r\n\(stage)\r\n"
        s += "--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\(name)\"\r\nContent-Type: text/csv\r\n\r\n\(contents)\r\n"
        s += "--\(boundary)--\r\n"
        return (ByteBuffer(string: s), "multipart/form-data; boundary=\(boundary)")
    }

    /// Runs the `dti` binary built beside the tests against a test database.
    static func runDTI(_ arguments: [String], conninfo: String) throws -> (status: Int32, text: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: TestServer.repositoryRoot + "/.build/debug/dti")
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env["DATABASE_URL"] = conninfo
        env["DTI_HOME"] = TestServer.repositoryRoot
        process.environment = env
        let out = Pipe()
        process.standardOutput = out
        process.standardError = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
