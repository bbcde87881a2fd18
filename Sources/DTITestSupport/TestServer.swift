import DTIWarehouse
import Foundation
import PostgresClient

/// The PostgreSQL server tests create their databases on: the one `DATABASE_URL` (or `PG*`) names, else an
/// embedded cluster in `<repo>/.dti/test` (never the user's `.dti/pg`), started once per test process.
/// `DTI_STATE_DIR=.dti/test dti db down` stops it (`make test` does).
public struct TestServer: Sendable {
    /// A connection string for administration (creating and dropping databases).
    public let adminConninfo: String
    /// How to reach a database of this server by name.
    let conninfoOf: @Sendable (String) throws -> String
    /// Where the server is, for messages.
    public let description: String

    /// The connection string of database `name` on this server.
    public func conninfo(database name: String) throws -> String {
        try conninfoOf(name)
    }

    /// The repository's root (the directory with `Package.swift` and `sql/migrations`).
    public static let repositoryRoot: String = {
        var dir = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { dir.deleteLastPathComponent() }   // …/Sources/DTITestSupport/TestServer.swift
        if FileManager.default.fileExists(atPath: dir.path + "/sql/migrations") { return dir.path }
        return (try? Home.locate().root) ?? FileManager.default.currentDirectoryPath
    }()

    /// The state directory of the embedded test cluster.
    public static var testStateDirectory: String { repositoryRoot + "/.dti/test" }

    /// The server of this test process (found or started on first use).
    public static func shared() throws -> TestServer {
        try sharedResult.get()
    }

    private static let sharedResult: Result<TestServer, any Error> = Result { try locate() }

    private static func locate() throws -> TestServer {
        let env = ProcessInfo.processInfo.environment
        if let conninfo = PostgresConnection.environmentConninfo(env) {
            return TestServer(adminConninfo: conninfo,
                              conninfoOf: { name in try Conninfo.replacing(conninfo, with: ["dbname": name]) },
                              description: Database.describe(conninfo: conninfo, environment: env))
        }
        let cluster = EmbeddedCluster(stateDirectory: testStateDirectory, environment: env)
        try cluster.up()
        return TestServer(adminConninfo: cluster.conninfo(database: "postgres"),
                          conninfoOf: { name in cluster.conninfo(database: name) },
                          description: cluster.url(database: "postgres"))
    }
}
