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
    @Test("A login's recent stamp serves its cached page with no query, for that login only: another district's login still asks and gets 404")
    func recentStampIsPerLogin() async throws {
        let f = try Self.fixture()
        let (portal, app) = app(f) { $0.pageStampSeconds = 60 }
        defer { portal.shutdown() }
        let unit = "/units/\(PortalFixture.tanYen)?years=2022-2024"
        try await app.test(.router) { client in
            var b = Browser(client)
            #expect(try await b.signIn(f.district, f.password).status == .seeOther)
            let first = String(buffer: try await b.get(unit).body)
            #expect(portal.pageStampHits == 0)
            let second = String(buffer: try await b.get(unit).body)
            #expect(portal.pageStampHits == 1, "the second request within the minute is served on the stamp")
            #expect(second == first)
            // A second session of the same login has its own CSRF token in the same page.
            var b2 = Browser(client)
            #expect(try await b2.signIn(f.district, f.password).status == .seeOther)
            let other = String(buffer: try await b2.get(unit).body)
            #expect(Self.csrfTokens(other).isDisjoint(with: Self.csrfTokens(first)), "each session its own token")

            // Yên Định's login has no stamp of Tân Yên's: it asks, and sees nothing.
            var y = Browser(client)
            #expect(try await y.signIn(f.otherDistrict, f.password).status == .seeOther)
            let refused = try await y.get(unit)
            #expect(refused.status == .notFound && !String(buffer: refused.body).contains("id=\"indicators\""))
            #expect(portal.pageStampHits == 2, "only Tân Yên's second session was served on the stamp")
        }
    }

    @Test("Past pageStampSeconds the cached page is still served at once while one request renews the stamp in the background; past the stale window the login asks in the foreground")
    func staleStampRenewsInBackground() async throws {
        let f = try Self.fixture()
        let (portal, app) = app(f) { $0.pageStampSeconds = 0.3; $0.pageStampStaleSeconds = 1.5 }
        defer { portal.shutdown() }
        let unit = "/units/\(PortalFixture.tanYen)?years=2022-2024"
        try await app.test(.router) { client in
            var b = Browser(client)
            #expect(try await b.signIn(f.district, f.password).status == .seeOther)
            #expect(try await b.get(unit).status == .ok)                      // asks, caches, notes the stamp
            try await Task.sleep(nanoseconds: 400_000_000)                       // past pageStampSeconds
            #expect(try await b.get(unit).status == .ok)
            #expect(portal.pageStampHits == 1, "served on the older stamp while it is renewed")
            try await Task.sleep(nanoseconds: 150_000_000)                       // the renewal is done
            #expect(try await b.get(unit).status == .ok)
            #expect(portal.pageStampHits == 2, "the renewed stamp serves")
            try await Task.sleep(nanoseconds: 2_000_000_000)                     // past the stale window
            #expect(try await b.get(unit).status == .ok)
            #expect(portal.pageStampHits == 2, "too old: the login asks again in the foreground")
        }
    }
}
