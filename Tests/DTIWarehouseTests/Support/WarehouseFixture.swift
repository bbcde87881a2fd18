import DTICore
import DTITestSupport
import DTIWarehouse
import Foundation
import PostgresClient
import Testing

/// A migrated test database with the repository's reference units and chosen catalogues, and a scratch
/// directory for files a test writes.
final class WarehouseFixture {
    let database: TestDatabase
    let db: PostgresConnection
    let home = Home(root: TestServer.repositoryRoot)
    let scratch: String

    init(_ prefix: String, catalogues: [String] = [], referenceUnits: Bool = true) throws {
        database = try TestDatabase.migrated(prefix: prefix)
        db = try database.connect()
        scratch = TestServer.repositoryRoot + "/.dti/tmp/\(prefix)-" + UUID().uuidString.prefix(8).lowercased()
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        if referenceUnits {
            let loader = UnitsLoader(connection: db)
            _ = try loader.load(path: home.reference + "/peer-groups.csv")
            _ = try loader.load(path: home.reference + "/units.csv")
        }
        if !catalogues.isEmpty {
            _ = try CatalogueStore(connection: db).load(paths: catalogues.map { home.catalogues + "/\($0).yaml" })
        }
    }

    deinit {
        db.close()
        try? database.drop()
        try? FileManager.default.removeItem(atPath: scratch)
    }

    /// Writes a file in the scratch directory and returns its path.
    @discardableResult
    func file(_ name: String, _ contents: String) throws -> String {
        let path = scratch + "/" + name
        try Data(contents.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    @discardableResult
    func file(_ name: String, bytes: [UInt8]) throws -> String {
        let path = scratch + "/" + name
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    func units(_ csv: String) throws {
        _ = try UnitsLoader(connection: db).load(path: try file("units-\(UUID().uuidString.prefix(6)).csv", csv))
    }

    /// The password tests give a login they make (the embedded cluster checks scram-sha-256 passwords).
    static func password(_ role: String) -> String { "pw-\(role)-Mật khẩu" }

    /// How to connect as a login made with `password(role)`: the fixture's database, that user and password.
    func conninfo(as role: String) throws -> String {
        try Conninfo.replacing(database.conninfo, with: ["user": role, "password": Self.password(role)])
    }

    func count(_ table: String) throws -> Int {
        try db.query("SELECT count(*) AS n FROM \(unescaped: table)")[0]["n"].decode(Int.self)
    }

    func scalar<T: PostgresDecodable>(_ q: PostgresQuery, as: T.Type = T.self) throws -> T {
        try db.query(q)[0][0].decode(T.self)
    }

    /// Row counts of every table a load or roll-up writes: equal before and after means nothing changed.
    func footprint() throws -> [String: Int] {
        var out: [String: Int] = [:]
        for t in ["dti.load_batches", "dti.submission_values", "dti.submission_sheets", "dti.load_rejects", "dti.units", "dti.catalogue_versions",
                  "dti.indicator_scores", "dti.pillar_scores", "dti.unit_index", "dti.derived_values", "dti.rollup_runs"] {
            out[t] = try count(t)
        }
        return out
    }

    /// The `dti` executable built beside the tests.
    static var dtiBinary: String { TestServer.repositoryRoot + "/.build/debug/dti" }
}

/// Fixture communes under Tân Yên (synthetic names, labelled as such) for load and roll-up tests.
enum TanYenFixture {
    static let communes = (1...22).map { String(format: "bac-giang.tan-yen.xa-kiem-thu-%02d", $0) }

    static var unitsCSV: String {
        var s = "code,name,level,parent_code,valid_from,valid_to,predecessors\n"
        for (k, c) in communes.enumerated() { s += "\(c),Xã kiểm thử \(String(format: "%02d", k + 1)) (dữ liệu giả),commune,bac-giang.tan-yen,,,\n" }
        return s
    }
}
