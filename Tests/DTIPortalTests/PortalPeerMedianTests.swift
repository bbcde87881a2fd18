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
    /// The percents of the ranked units of Tân Yên's peer group in 2024 (final), as the cluster owner reads them.
    static func groupPercents(_ f: PortalFixture, pillar: String?) throws -> [Decimal] {
        let sql: PostgresQuery = pillar == nil
            ? "SELECT percent::text AS p FROM dti.unit_index WHERE peer_group = 'bac-giang.cap-huyen' AND year = 2024 AND stage = 'final' AND rank IS NOT NULL AND NOT derived ORDER BY percent"
            : "SELECT percent::text AS p FROM dti.pillar_scores WHERE peer_group = 'bac-giang.cap-huyen' AND year = 2024 AND stage = 'final' AND pillar_code = \(pillar!) AND rank IS NOT NULL ORDER BY percent"
        return try f.db.query(sql).compactMap { $0["p"].text.flatMap { Decimal(string: $0, locale: Locale(identifier: "en_US_POSIX")) } }
    }

    static func median(_ sorted: [Decimal]) -> Decimal {
        let n = sorted.count
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2
    }

    /// dti.peer_medians as a login would call it: its own connection, its own password.
    static func peerMedians(_ f: PortalFixture, as login: String, unit: String) throws -> [String: (Int, String?)] {
        let c = try PostgresConnection(conninfo: try Conninfo.replacing(f.database.conninfo, with: ["user": login, "password": f.password]))
        defer { c.close() }
        var out: [String: (Int, String?)] = [:]
        for r in try c.query("SELECT coalesce(pillar_code, '(index)') AS k, peers, median_percent::text AS m FROM dti.peer_medians(\(unit), 2024, 'final', 'bac-giang-district-2022')") {
            out[try r["k"].decode(String.self)] = (try r["peers"].decode(Int.self), r["m"].text)
        }
        return out
    }

    @Test("Peer-group medians: with 3 ranked districts the page shows none and says why; with 5 it draws the index and each pillar against the exact median, which a district login gets only for its own unit and never a peer's figures")
    func peerMedianChart() async throws {
        // A fixture of its own: two more districts join Tân Yên's peer group.
        let f = try PortalFixture("portal-median")
        let (portal, app) = app(f)
        defer { portal.shutdown() }
        let unit = "/units/\(PortalFixture.tanYen)?years=2022-2024"

        // 3 ranked: counts only.
        let three = try Self.peerMedians(f, as: f.district, unit: PortalFixture.tanYen)
        #expect(three["(index)"]?.0 == 3 && three["(index)"]?.1 == nil, "\(three)")
        #expect(three.values.allSatisfy { $0.1 == nil }, "no median for a group of 3: \(three)")
        try await app.test(.router) { client in
            var b = Browser(client)
            #expect(try await b.signIn(f.district, f.password).status == .seeOther)
            let html = String(buffer: try await b.get(unit).body)
            #expect(html.contains("id=\"peer-median-none\"") && html.contains("có 3 đơn vị được xếp hạng, ít hơn 5"), "the page says why")
            #expect(!html.contains("class=\"median\""), "no median drawn")
        }

        // Two more districts: W sends three quarters of Tân Yên's 2024 return, V one quarter.
        let own = try String(contentsOfFile: f.home.samples + "/tan-yen/district-2024.csv", encoding: .utf8)
            .split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
        let profile = try String(contentsOfFile: f.home.samples + "/tan-yen/profiles-2024.csv", encoding: .utf8)
            .split(separator: "\n").map(String.init).filter { $0.hasPrefix(PortalFixture.tanYen + ",") }
        let body = Array(own.dropFirst()).filter { $0.hasPrefix(PortalFixture.tanYen + ",") }
        _ = try UnitsLoader(connection: f.db).load(path: try f.file("more-peers.csv", """
            code,name,level,parent_code,valid_from,valid_to,predecessors,peer_group,tags
            bac-giang.kiem-thu-w,Huyện kiểm thử W (dữ liệu giả),district,bac-giang,,,,bac-giang.cap-huyen,
            bac-giang.kiem-thu-v,Huyện kiểm thử V (dữ liệu giả),district,bac-giang,,,,bac-giang.cap-huyen,

            """))
        for (code, share) in [("bac-giang.kiem-thu-w", 3), ("bac-giang.kiem-thu-v", 1)] {
            var csv = own[0] + "\n"
            for l in body.prefix(body.count * share / 4) + profile { csv += code + l.dropFirst(PortalFixture.tanYen.count) + "\n" }
            let r = try SubmissionLoader(connection: f.db).load(path: try f.file("\(code).csv", csv))
            #expect(r.committed && r.rejected.isEmpty, "\(r.rejected)")
        }
        _ = try Rollup(connection: f.db).run(province: "bac-giang", year: 2024, stage: .final)

        let index = try Self.groupPercents(f, pillar: nil)
        #expect(index.count == 5, "\(index)")
        let five = try Self.peerMedians(f, as: f.district, unit: PortalFixture.tanYen)
        #expect(five["(index)"]?.0 == 5)
        #expect(five["(index)"]?.1.flatMap { Decimal(string: $0, locale: Locale(identifier: "en_US_POSIX")) } == Self.median(index), "\(five)")
        let pillar1 = try Self.groupPercents(f, pillar: "1")
        #expect(five["1"]?.1.flatMap { Decimal(string: $0, locale: Locale(identifier: "en_US_POSIX")) } == Self.median(pillar1), "pillar 1 \(pillar1) \(five)")
        // Only for a unit the login may see: Yên Định's login learns nothing about Tân Yên's group, Tân Yên's
        // nothing through a peer's code.
        #expect(try Self.peerMedians(f, as: f.otherDistrict, unit: PortalFixture.tanYen).isEmpty)
        #expect(try Self.peerMedians(f, as: f.district, unit: PortalFixture.peerY).isEmpty)

        try await app.test(.router) { client in
            var b = Browser(client)
            #expect(try await b.signIn(f.district, f.password).status == .seeOther)
            let html = String(buffer: try await b.get(unit).body)
            #expect(html.contains("id=\"peer-median-chart\"") && html.contains("class=\"median\""), "the median is drawn")
            #expect(html.contains("trung vị của 5 đơn vị được xếp hạng"))
            let expected = DecimalText.vietnamese(Self.median(index), fractionDigits: 1)
            #expect(html.contains("TV \(expected)%"), "the index's median \(expected) written beside its bar")
            for peer in ["kiem-thu-w", "kiem-thu-v", "kiem-thu-y", "Kiểm thử W", "Kiểm thử Y"] {
                #expect(!html.contains(peer), "no peer is named on a district's page: \(peer)")
            }
        }
    }

    @Test("A flagged score (min–max in a peer group of one: single_unit_peer_group) is shown beside its indicator on the unit's page, with what it means")
    func flaggedScoreOnPage() async throws {
        let f = try PortalFixture("portal-flag")
        let alone = "bac-giang.kiem-thu-u"
        try f.db.execute("INSERT INTO dti.peer_groups (code, name) VALUES ('bac-giang.rieng-u', 'Nhóm riêng của U (dữ liệu giả)')")
        _ = try UnitsLoader(connection: f.db).load(path: try f.file("alone.csv", """
            code,name,level,parent_code,valid_from,valid_to,predecessors,peer_group,tags
            \(alone),Huyện kiểm thử U (dữ liệu giả),district,bac-giang,,,,bac-giang.rieng-u,

            """))
        let rows = "unit_code,year,catalogue,indicator,variable,value,evidence,stage\n\(alone),2024,unit-profile,population,value,50600,,\n\(alone),2024,bac-giang-district-2022,4.7,a,5,,\n"
        let r = try SubmissionLoader(connection: f.db).load(path: try f.file("u.csv", rows))
        #expect(r.committed && r.rejected.isEmpty, "\(r.rejected)")
        _ = try Rollup(connection: f.db).run(province: "bac-giang", year: 2024, stage: .final)
        let (portal, app) = app(f)
        defer { portal.shutdown() }
        try await app.test(.router) { client in
            var b = Browser(client)
            #expect(try await b.signIn(f.etl, f.password).status == .seeOther)
            let html = String(buffer: try await b.get("/units/\(alone)?years=2024").body)
            let row = html.components(separatedBy: "<tr").first { $0.contains("<td>4.7</td>") } ?? ""
            #expect(row.contains("data-reason=\"single_unit_peer_group\"") && row.contains("nhóm so sánh chỉ có một đơn vị"), "the flag in 4.7's row: \(row)")
            let en = String(buffer: try await b.get("/units/\(alone)?years=2024&lang=en").body)
            #expect(en.contains("a peer group of one unit"), "in English too")
            // A row whose rule applied as written carries none.
            let plain = html.components(separatedBy: "<tr").first { $0.contains("<td>1.1</td>") } ?? ""
            #expect(!plain.isEmpty && !plain.contains("data-reason"), "\(plain)")
        }
    }
}
