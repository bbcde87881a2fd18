import DTICore
import DTIPortal
import DTITestSupport
import DTIWarehouse
import Foundation
import Hummingbird
import HummingbirdTesting
import PostgresClient

/// A test warehouse for the portal: the reference units, every catalogue, Tân Yên's sample years with its 22
/// communes, Yên Định's real 2022 points, and two fixture districts in Tân Yên's peer group (so ranks are x/3),
/// rolled up; a district login for Tân Yên, one for Yên Định and an ETL login, each with a password.
final class PortalFixture: @unchecked Sendable {
    static let tanYen = "bac-giang.tan-yen"
    static let yenDinh = "thanh-hoa.yen-dinh"
    static let peerY = "bac-giang.kiem-thu-y"
    static let peerZ = "bac-giang.kiem-thu-z"
    static let year = 2024

    let database: TestDatabase
    let db: PostgresConnection
    let home = Home(root: TestServer.repositoryRoot)
    let scratch: String
    let suffix = UUID().uuidString.prefix(6).lowercased()
    var district: String { "t_tanyen_\(suffix)" }
    var otherDistrict: String { "t_yendinh_\(suffix)" }
    var etl: String { "t_etl_\(suffix)" }
    let password = "mật-khẩu đúng 123"

    init(_ prefix: String) throws {
        database = try TestDatabase.migrated(prefix: prefix)
        db = try database.connect()
        scratch = TestServer.repositoryRoot + "/.dti/tmp/\(prefix)-" + UUID().uuidString.prefix(8).lowercased()
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        let units = UnitsLoader(connection: db)
        _ = try units.load(path: home.reference + "/peer-groups.csv")
        _ = try units.load(path: home.reference + "/units.csv")
        _ = try units.load(path: home.samples + "/tan-yen/units.csv")
        _ = try units.load(path: try file("peers.csv", """
            code,name,level,parent_code,valid_from,valid_to,predecessors,peer_group,tags
            \(Self.peerY),Huyện kiểm thử Y (dữ liệu giả),district,bac-giang,,,,bac-giang.cap-huyen,
            \(Self.peerZ),Huyện kiểm thử Z (dữ liệu giả),district,bac-giang,,,,bac-giang.cap-huyen,

            """))
        let catalogues = try FileManager.default.contentsOfDirectory(atPath: home.catalogues).filter { $0.hasSuffix(".yaml") }.sorted()
        _ = try CatalogueStore(connection: db).load(paths: catalogues.map { home.catalogues + "/" + $0 })
        let loader = SubmissionLoader(connection: db)
        _ = try loader.load(path: home.reference + "/yen-dinh-2022.csv", options: .init(stage: .final))
        for kind in ["profiles", "commune-data", "district"] {
            for y in 2022...2024 { _ = try loader.load(path: home.samples + "/tan-yen/\(kind)-\(y).csv") }
        }
        // The two fixture districts: Tân Yên's own 2024 return under their codes, one a little better, one worse.
        let tanYen2024 = try String(contentsOfFile: home.samples + "/tan-yen/district-2024.csv", encoding: .utf8)
        let profile2024 = try String(contentsOfFile: home.samples + "/tan-yen/profiles-2024.csv", encoding: .utf8)
        for peer in [Self.peerY, Self.peerZ] {
            let lines = tanYen2024.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
            let profile = profile2024.split(separator: "\n").dropFirst().map(String.init).filter { $0.hasPrefix(Self.tanYen + ",") }
            var body = lines[0] + "\n"
            // Z sends only the first half of the return: a clearly lower index.
            let own = Array(lines.dropFirst())
            let sent = peer == Self.peerZ ? Array(own.prefix(own.count / 2)) : own
            for l in sent + profile where l.hasPrefix(Self.tanYen + ",") {
                body += peer + l.dropFirst(Self.tanYen.count) + "\n"
            }
            let r = try loader.load(path: try file("\(peer).csv", body))
            precondition(r.rejected.isEmpty, "\(r.rejected)")
        }
        for y in 2022...2024 { _ = try Rollup(connection: db).run(province: "bac-giang", year: y, stage: .final) }
        _ = try Rollup(connection: db).run(province: "thanh-hoa", year: 2022, stage: .final)
        let logins = Logins(connection: db)
        _ = try logins.create(role: district, kind: .district, district: Self.tanYen, password: password)
        _ = try logins.create(role: otherDistrict, kind: .district, district: Self.yenDinh, password: password)
        _ = try logins.create(role: etl, kind: .etl, district: nil, password: password)
    }

    deinit {
        for role in [district, otherDistrict, etl] {
            _ = try? db.execute("DELETE FROM dti.district_logins WHERE role_name = \(role)")
        }
        db.close()
        try? database.drop()
        for role in [district, otherDistrict, etl] {
            if let admin = try? PostgresConnection(conninfo: TestServer.shared().adminConninfo) {
                try? admin.simpleQuery("DROP ROLE IF EXISTS \"\(role)\"")
                admin.close()
            }
        }
        try? FileManager.default.removeItem(atPath: scratch)
    }

    @discardableResult
    func file(_ name: String, _ contents: String) throws -> String {
        let path = scratch + "/" + name
        try Data(contents.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    func config(_ tweak: (inout PortalConfig) -> Void = { _ in }) -> PortalConfig {
        var c = PortalConfig(databaseConninfo: database.conninfo, serviceConninfo: database.conninfo)
        c.crosswalks = (try? CrosswalkFiles.load(directory: home.crosswalks)) ?? []
        c.uploadDirectory = scratch + "/uploads"
        // Tests reload and look again at once: every request checks its stamp (PortalStampTests turns this on).
        c.pageStampSeconds = 0
        tweak(&c)
        return c
    }

    /// Row counts of every table a load or roll-up writes.
    func footprint() throws -> [String: Int] {
        var out: [String: Int] = [:]
        for t in ["dti.load_batches", "dti.submission_sheets", "dti.indicator_scores", "dti.pillar_scores", "dti.unit_index",
                  "dti.derived_values", "dti.rollup_runs"] {
            out[t] = try db.query("SELECT count(*) AS n FROM \(unescaped: t)")[0]["n"].decode(Int.self)
        }
        return out
    }
}

/// A browser's cookie jar and forms, over HummingbirdTesting's client.
struct Browser {
    let client: any TestClientProtocol
    var cookies: [String: String] = [:]

    init(_ client: any TestClientProtocol) { self.client = client }

    var cookieHeader: String { cookies.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: "; ") }

    mutating func keep(_ response: TestResponse) {
        for field in response.headers[values: .setCookie] {
            let pair = field.split(separator: ";")[0].split(separator: "=", maxSplits: 1).map(String.init)
            guard pair.count == 2 else { continue }
            if pair[1].isEmpty || field.contains("Max-Age=0") { cookies[pair[0]] = nil } else { cookies[pair[0]] = pair[1] }
        }
    }

    mutating func get(_ uri: String) async throws -> TestResponse {
        var headers = HTTPFields()
        if !cookies.isEmpty { headers[.cookie] = cookieHeader }
        let r = try await client.execute(uri: uri, method: .get, headers: headers, body: nil)
        keep(r)
        return r
    }

    mutating func post(_ uri: String, form: [(String, String)], contentType: String = "application/x-www-form-urlencoded") async throws -> TestResponse {
        var headers = HTTPFields()
        headers[.contentType] = contentType
        if !cookies.isEmpty { headers[.cookie] = cookieHeader }
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))
        let body = form.map { "\($0.0.addingPercentEncoding(withAllowedCharacters: allowed)!)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed)!)" }
            .joined(separator: "&")
        let r = try await client.execute(uri: uri, method: .post, headers: headers, body: ByteBuffer(string: body))
        keep(r)
        return r
    }

    mutating func post(_ uri: String, body: ByteBuffer, contentType: String) async throws -> TestResponse {
        var headers = HTTPFields()
        headers[.contentType] = contentType
        if !cookies.isEmpty { headers[.cookie] = cookieHeader }
        let r = try await client.execute(uri: uri, method: .post, headers: headers, body: body)
        keep(r)
        return r
    }

    /// The CSRF token of the last page's forms.
    static func csrf(_ page: String) -> String? {
        guard let r = page.range(of: "name=\"csrf\" value=\"") else { return nil }
        let rest = page[r.upperBound...]
        return rest.firstIndex(of: "\"").map { String(rest[..<$0]) }
    }

    /// Signs in through the form; returns the POST's response.
    mutating func signIn(_ login: String, _ password: String) async throws -> TestResponse {
        let page = try await get("/login")
        let token = Self.csrf(String(buffer: page.body)) ?? ""
        return try await post("/login", form: [("csrf", token), ("username", login), ("password", password), ("next", "")])
    }
}
