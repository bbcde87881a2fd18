import Foundation
import Logging
import PostgresClient

/// Which PostgreSQL the warehouse uses, and a connection to it.
public enum Database {
    /// Where the data lives.
    public enum Target: Sendable {
        /// A server the environment names: `DATABASE_URL`, or the libpq `PG*` variables (conninfo `""`).
        case external(conninfo: String)
        /// The embedded cluster under the project's `.dti/pg`, started on demand.
        case embedded(EmbeddedCluster)
    }

    /// `DATABASE_URL` or `PG*` when set (the embedded cluster is then never started), else the embedded cluster.
    public static func target(home: Home, environment: [String: String] = ProcessInfo.processInfo.environment) -> Target {
        if let conninfo = PostgresConnection.environmentConninfo(environment) { return .external(conninfo: conninfo) }
        return .embedded(EmbeddedCluster(home: home, environment: environment))
    }

    /// A connection to the warehouse database: the server the environment names, else the embedded cluster's
    /// `dti` database (starting the cluster first when it is not running).
    public static func connect(home: Home, environment: [String: String] = ProcessInfo.processInfo.environment,
                               logger: Logger? = nil) throws -> PostgresConnection {
        switch target(home: home, environment: environment) {
        case .external(let conninfo):
            do {
                return try PostgresConnection(conninfo: conninfo, logger: logger)
            } catch {
                throw DTIError(database: error, vi: "không kết nối được cơ sở dữ liệu \(describe(conninfo: conninfo, environment: environment))",
                               en: "cannot connect to the database \(describe(conninfo: conninfo, environment: environment))")
            }
        case .embedded(let cluster):
            if let running = cluster.connectIfRunning(logger: logger) { return running }
            let report = try cluster.up()
            do {
                return try PostgresConnection(conninfo: report.status.conninfo, logger: logger)
            } catch {
                throw DTIError(database: error, vi: "không kết nối được PostgreSQL nhúng (\(report.status.url))",
                               en: "cannot connect to the embedded PostgreSQL (\(report.status.url))")
            }
        }
    }

    /// A server the environment names, for messages: `host:port/dbname as user`, never the password.
    /// `""` (the `PG*` variables) is described from those variables.
    public static func describe(conninfo: String, environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        var keywords = (try? Conninfo.parse(conninfo)) ?? [:]
        let fromEnvironment = ["host": "PGHOST", "hostaddr": "PGHOSTADDR", "port": "PGPORT", "dbname": "PGDATABASE",
                               "user": "PGUSER", "service": "PGSERVICE"]
        for (keyword, variable) in fromEnvironment where keywords[keyword] == nil {
            if let v = environment[variable], !v.isEmpty { keywords[keyword] = v }
        }
        if let service = keywords["service"], keywords["host"] == nil, keywords["hostaddr"] == nil {
            return "service=\(service)"
        }
        let host = keywords["host"] ?? keywords["hostaddr"] ?? "localhost"
        let port = keywords["port"] ?? "5432"
        var s = "\(host):\(port)/\(keywords["dbname"] ?? keywords["user"] ?? "?")"
        if let user = keywords["user"] { s += " (\(user))" }
        return s
    }
}
