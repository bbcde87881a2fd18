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
}
