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
    /// The header's login name of a page.
    static func who(_ page: String) -> String? {
        guard let r = page.range(of: "id=\"who\">") else { return nil }
        let rest = page[r.upperBound...]
        return rest.firstIndex(of: "<").map { String(rest[..<$0]) }
    }

    /// Every CSRF token a page carries (the what-if form's and the sign-out form's).
    static func csrfTokens(_ page: String) -> Set<String> {
        var out: Set<String> = []
        var rest = page[...]
        while let r = rest.range(of: "name=\"csrf\" value=\"") {
            let tail = rest[r.upperBound...]
            guard let end = tail.firstIndex(of: "\"") else { break }
            out.insert(String(tail[..<end]))
            rest = tail[end...]
        }
        return out
    }

    @Test("Cached district pages: each session gets its own CSRF token and login in the header; a page cached by the ETL login is never served to a district login that may not see it (404) nor shows a district what only the ETL login may read")
    func pageCacheIsPerSessionAndRespectsRLS() async throws {
        let f = try Self.fixture()
        let (portal, app) = app(f)
        defer { portal.shutdown() }
        let unit = "/units/\(PortalFixture.tanYen)?years=2022-2024"
        try await app.test(.router) { client in
            // The ETL login builds the page first: its entry holds the peer group's mean and best (it reads every row).
            var etl = Browser(client)
            #expect(try await etl.signIn(f.etl, f.password).status == .seeOther)
            let etlPage = String(buffer: try await etl.get(unit).body)
            #expect(etlPage.contains("Trung bình nhóm so sánh"), "the ETL login sees the peer group's mean")
            let etlAgain = String(buffer: try await etl.get(unit).body)
            #expect(portal.pageCacheStats.hits >= 1, "the second request is served from the cache: \(portal.pageCacheStats)")
            #expect(etlAgain == etlPage, "a cached page is the page")

            // Yên Định's district login: 404 and no data for Tân Yên's page, cached or not, and for its what-if.
            var other = Browser(client)
            #expect(try await other.signIn(f.otherDistrict, f.password).status == .seeOther)
            let refused = try await other.get(unit)
            #expect(refused.status == .notFound)
            let refusedHTML = String(buffer: refused.body)
            #expect(!refusedHTML.contains("Tân Yên") && !refusedHTML.contains("id=\"indicators\""), "no data in the 404")
            let otherCSRF = Self.csrfTokens(refusedHTML).first ?? ""
            let wi = try await other.post("/units/\(PortalFixture.tanYen)/whatif?years=2022-2024",
                                          form: [("csrf", otherCSRF), ("key", "8.8.count"), ("value", "20")])
            #expect(wi.status == .notFound && !String(buffer: wi.body).contains("Tân Yên"))

            // Two sessions of Tân Yên's own district login: the same cached page, each with its own token and the
            // same login's name; neither carries the ETL session's token, and the district's entry has no peer mean.
            var first = Browser(client), second = Browser(client)
            #expect(try await first.signIn(f.district, f.password).status == .seeOther)
            #expect(try await second.signIn(f.district, f.password).status == .seeOther)
            #expect(portal.loginPoolCount == 3, "one connection pool per signed-in login (ETL, Yên Định, Tân Yên), not per session")
            let hitsBefore = portal.pageCacheStats.hits
            let p1 = String(buffer: try await first.get(unit).body)
            let p2 = String(buffer: try await second.get(unit).body)
            #expect(portal.pageCacheStats.hits == hitsBefore + 1, "the second district session is served the first one's cached entry")
            let t1 = Self.csrfTokens(p1), t2 = Self.csrfTokens(p2), te = Self.csrfTokens(etlPage)
            #expect(t1.count == 1 && t2.count == 1 && te.count == 1, "one token per page, in every form: \(t1) \(t2) \(te)")
            #expect(t1.isDisjoint(with: t2) && t1.isDisjoint(with: te) && t2.isDisjoint(with: te), "never another session's token")
            #expect(Self.who(p1) == f.district && Self.who(p2) == f.district && Self.who(etlPage) == f.etl)
            #expect(!p1.contains("Trung bình nhóm so sánh") && !p1.contains("Cao nhất trong nhóm"),
                    "the ETL login's entry (with the peer mean and best) is not served to a district login")
            #expect(p1.contains("Huyện Tân Yên") && p1.contains("id=\"indicators\""))
            // The token each page carries is the one its session's forms accept.
            let whatIf = try await second.post("/units/\(PortalFixture.tanYen)/whatif?years=2022-2024",
                                               form: [("csrf", t2.first ?? ""), ("year", "2024"), ("key", "8.8.count"), ("value", "20")])
            #expect(whatIf.status == .ok && String(buffer: whatIf.body).contains("id=\"whatif-result\""))
            #expect(try await second.post("/units/\(PortalFixture.tanYen)/whatif", form: [("csrf", t1.first ?? ""), ("key", "8.8.count"), ("value", "20")]).status == .forbidden,
                    "the first session's token is refused in the second")

            // Signing one session out keeps the login's pool for the other; the last one closes it.
            #expect(try await first.post("/logout", form: [("csrf", t1.first ?? "")]).status == .seeOther)
            #expect(portal.loginPoolCount == 3)
            #expect(try await second.get(unit).status == .ok, "the other session still works")
            #expect(try await second.post("/logout", form: [("csrf", t2.first ?? "")]).status == .seeOther)
            #expect(portal.loginPoolCount == 2)

            // A new roll-up changes the stamp: the next request builds the page again.
            let misses = portal.pageCacheStats.misses
            _ = try Rollup(connection: f.db).run(province: "bac-giang", year: PortalFixture.year, stage: .final)
            #expect(try await etl.get(unit).status == .ok)
            #expect(portal.pageCacheStats.misses == misses + 1, "rebuilt after the roll-up")
        }
    }
}
