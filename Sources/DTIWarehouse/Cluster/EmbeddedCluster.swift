// Cluster/ — the embedded PostgreSQL under .dti/. In: a state directory and the machine's server binaries. Out: a running
// cluster on a Unix socket and the conninfo/URL to reach it (`dti db up|down|status|url`).

import Crypto
import Foundation
import Logging
import PostgresClient
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A throwaway PostgreSQL cluster of the machine's own server binaries, under `<state>/pg`: the data in `pg/data`,
/// the Unix socket in `pg/run` (it listens on no TCP address), the server log in `pg/log/postgres.log`.
/// Local connections are trusted; the superuser is `postgres`; the warehouse database is `dti`.
public struct EmbeddedCluster: Sendable {
    /// The state directory (`<project>/.dti`, or `DTI_STATE_DIR`).
    public let stateDirectory: String
    /// The port number in the socket's name (`.s.PGSQL.<port>`): `DTI_PG_PORT`, else 5432.
    public let port: Int
    let environment: [String: String]

    public var root: String { stateDirectory + "/pg" }
    public var dataDirectory: String { root + "/data" }
    public var logFile: String { root + "/log/postgres.log" }
    /// The database `up` creates and `conninfo` names.
    public static let database = "dti"
    public static let superuser = "postgres"

    /// The cluster of a project: under `home.state` (`.dti`, or `DTI_STATE_DIR` of `environment`).
    public init(home: Home, environment: [String: String] = ProcessInfo.processInfo.environment) {
        let state = environment["DTI_STATE_DIR"].flatMap { $0.isEmpty ? nil : $0 } ?? home.state
        self.init(stateDirectory: state, environment: environment)
    }

    /// The cluster under `stateDirectory/pg` (tests use their own state directory).
    public init(stateDirectory: String, environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.stateDirectory = URL(fileURLWithPath: stateDirectory).standardizedFileURL.path
        self.port = environment["DTI_PG_PORT"].flatMap { Int($0) } ?? 5432
        self.environment = environment
    }

    /// `<state>/pg/run`, or — when the socket's path would pass the ~107 bytes a Unix socket path may have —
    /// `/tmp/dti-pg-<hash of the state directory>`.
    public var socketDirectory: String {
        let preferred = root + "/run"
        if (preferred + "/.s.PGSQL.\(port)").utf8.count <= 107 { return preferred }
        let digest = SHA256.hash(data: Data(stateDirectory.utf8)).map { String(format: "%02x", $0) }.joined()
        return "/tmp/dti-pg-" + digest.prefix(16)
    }

    /// The connection string of a database of this cluster (`dti` unless told).
    public func conninfo(database: String = EmbeddedCluster.database) -> String {
        Self.conninfo(socketDirectory: socketDirectory, port: port, database: database)
    }

    /// The URL psql takes: `postgresql://postgres@/dti?host=<socket dir>&port=<port>`.
    public func url(database: String = EmbeddedCluster.database) -> String {
        Self.url(socketDirectory: socketDirectory, port: port, database: database)
    }

    static func conninfo(socketDirectory: String, port: Int, database: String) -> String {
        func value(_ v: String) -> String {
            v.isEmpty || v.contains(where: { $0 == " " || $0 == "'" || $0 == "\\" }) ? Conninfo.quote(v) : v
        }
        return "host=\(value(socketDirectory)) port=\(port) dbname=\(value(database)) user=\(superuser)"
    }

    static func url(socketDirectory: String, port: Int, database: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~/")
        let host = socketDirectory.addingPercentEncoding(withAllowedCharacters: allowed) ?? socketDirectory
        let db = database.addingPercentEncoding(withAllowedCharacters: allowed.subtracting(CharacterSet(charactersIn: "/"))) ?? database
        return "postgresql://\(superuser)@/\(db)?host=\(host)&port=\(port)"
    }

    var postmasterPid: PostmasterLock { PostmasterLock(path: dataDirectory + "/postmaster.pid") }
    var initialized: Bool { FileManager.default.fileExists(atPath: dataDirectory + "/PG_VERSION") }

    // MARK: status

    /// Whether the server runs, and where. Reads the postmaster's lock file; asks the server its version.
    public func status() -> ClusterStatus {
        let lock = postmasterPid
        let pid = lock.livePid
        var socket = socketDirectory
        var port = self.port
        if pid != nil {
            socket = lock.socketDirectory ?? socket
            port = lock.port ?? port
        }
        var version: String?
        if pid != nil, let c = try? PostgresConnection(conninfo: Self.conninfo(socketDirectory: socket, port: port, database: "postgres")) {
            version = try? c.query("SHOW server_version").first?[0].decode(String.self)
            c.close()
        }
        return ClusterStatus(running: pid != nil, pid: pid, initialized: initialized, dataDirectory: dataDirectory,
                             socketDirectory: socket, port: port, serverVersion: version, logFile: logFile,
                             conninfo: Self.conninfo(socketDirectory: socket, port: port, database: Self.database),
                             url: Self.url(socketDirectory: socket, port: port, database: Self.database))
    }

    /// A connection to a database of the cluster when its server is already running (no locking, no `initdb`,
    /// no start): the fast path of `Database.connect`. Nil when it is not running or refuses.
    public func connectIfRunning(database: String = EmbeddedCluster.database, logger: Logger? = nil) -> PostgresConnection? {
        let lock = postmasterPid
        guard lock.livePid != nil else { return nil }
        let info = Self.conninfo(socketDirectory: lock.socketDirectory ?? socketDirectory, port: lock.port ?? port, database: database)
        return try? PostgresConnection(conninfo: info, logger: logger)
    }

    // MARK: up

    /// Makes the cluster run: `initdb` when there is none, `pg_ctl start` when it is not running (clearing the lock
    /// files a crashed or killed server left), then creates the `dti` database when missing. Running it again while
    /// the server runs changes nothing.
    @discardableResult
    public func up() throws -> ClusterUpReport {
        let account = try ServerAccount.resolve(path: environment["PATH"])
        try account.checkReachable(root)
        try account.prepareDirectory(stateDirectory, mode: 0o755, own: false)
        try account.prepareDirectory(root, mode: 0o755)
        return try FileLock.withLock(stateDirectory + "/pg.lock") {
            var initializedNow = false, startedNow = false, recovered = false
            if postmasterPid.livePid == nil {
                let binaries = try PostgresBinaries.locate(environment: environment)
                try account.prepareDirectory(root + "/log", mode: 0o755)
                try account.prepareDirectory(socketDirectory, mode: 0o755)
                if !initialized {
                    try initdb(binaries, account)
                    initializedNow = true
                } else {
                    try checkMajorVersion(binaries)
                }
                recovered = clearStaleLocks()
                try start(binaries, account)
                startedNow = true
            }
            let created = try createDatabaseIfMissing()
            return ClusterUpReport(status: status(), initializedNow: initializedNow, startedNow: startedNow,
                                   recoveredStaleLock: recovered, createdDatabase: created)
        }
    }

    /// Runs `initdb`: UTF-8, the `C.UTF-8` locale (or no locale where the system lacks it), trust for local
    /// connections, superuser `postgres`.
    private func initdb(_ binaries: PostgresBinaries, _ account: ServerAccount) throws {
        if FileManager.default.fileExists(atPath: dataDirectory),
           let entries = try? FileManager.default.contentsOfDirectory(atPath: dataDirectory), !entries.isEmpty {
            throw DTIError(.database, vi: "\(dataDirectory) đã có tệp nhưng không phải một cụm PostgreSQL; xóa nó rồi chạy lại",
                           en: "\(dataDirectory) has files but is not a PostgreSQL cluster; remove it and run again")
        }
        let common = ["-D", dataDirectory, "-E", "UTF8", "-A", "trust", "-U", Self.superuser]
        var outcome = try runAs(account, binaries.initdb, common + ["--locale=C.UTF-8"])
        if !outcome.succeeded, outcome.output.lowercased().contains("locale") {
            try? FileManager.default.removeItem(atPath: dataDirectory)
            outcome = try runAs(account, binaries.initdb, common + ["--no-locale"])
        }
        guard outcome.succeeded else {
            throw DTIError(.database, vi: "initdb thất bại (\(dataDirectory))", en: "initdb failed (\(dataDirectory))",
                           details: lastLines(outcome.output, 15))
        }
    }

    /// A data directory made by another major version cannot be started by these binaries.
    private func checkMajorVersion(_ binaries: PostgresBinaries) throws {
        guard let made = try? String(contentsOfFile: dataDirectory + "/PG_VERSION", encoding: .utf8)
                .trimmingCharacters(in: .whitespacesAndNewlines),
              let have = binaries.majorVersion(environment: childEnvironment), made != have else { return }
        throw DTIError(.database, vi: "cụm ở \(dataDirectory) do PostgreSQL \(made) tạo, nhưng chương trình là bản \(have); dữ liệu nhúng là tạm: chạy dti db down, xóa \(root) rồi dti db up",
                       en: "the cluster in \(dataDirectory) was made by PostgreSQL \(made) but the binaries are \(have); the embedded data is throwaway: run dti db down, remove \(root), then dti db up")
    }

    /// Removes the lock files a server that is gone left behind (after a crash or `kill -9`); says whether there were any.
    private func clearStaleLocks() -> Bool {
        var cleared = false
        let pidFile = postmasterPid
        if pidFile.isStale { pidFile.remove(); cleared = true }
        let socketLock = PostmasterLock(path: socketDirectory + "/.s.PGSQL.\(port).lock")
        if socketLock.isStale {
            socketLock.remove()
            unlink(socketDirectory + "/.s.PGSQL.\(port)")
            cleared = true
        }
        return cleared
    }

    /// `pg_ctl start -w`, listening on the Unix socket only. Retries for a while when processes of a killed
    /// server still hold its shared memory (they exit once they notice their postmaster is gone).
    private func start(_ binaries: PostgresBinaries, _ account: ServerAccount) throws {
        let options = "-c listen_addresses='' -c unix_socket_directories=\(shellQuote(gucListValue(socketDirectory))) -c port=\(port)"
        var outcome = Subprocess.Outcome(status: 0, output: "")
        for attempt in 0..<10 {
            outcome = try runAs(account, binaries.pgCtl, ["start", "-w", "-t", "60", "-D", dataDirectory, "-l", logFile, "-o", options])
            if outcome.succeeded { return }
            let log = (try? String(contentsOfFile: logFile, encoding: .utf8)) ?? ""
            let stillInUse = log.suffix(2000).contains("is still in use") || log.suffix(2000).contains("already exists")
            guard stillInUse, attempt < 9 else { break }
            Thread.sleep(forTimeInterval: 1)
            _ = clearStaleLocks()
        }
        let log = (try? String(contentsOfFile: logFile, encoding: .utf8)) ?? ""
        throw DTIError(.database, vi: "không khởi động được PostgreSQL nhúng (nhật ký: \(logFile))",
                       en: "cannot start the embedded PostgreSQL (log: \(logFile))",
                       details: lastLines(outcome.output, 5) + lastLines(log, 10))
    }

    /// Creates the `dti` database when it is missing; says whether it did.
    private func createDatabaseIfMissing() throws -> Bool {
        let admin: PostgresConnection
        do {
            admin = try PostgresConnection(conninfo: conninfo(database: "postgres"))
        } catch {
            throw DTIError(database: error, vi: "không kết nối được PostgreSQL nhúng", en: "cannot connect to the embedded PostgreSQL")
        }
        defer { admin.close() }
        do {
            if try admin.query("SELECT 1 FROM pg_database WHERE datname = \(Self.database)").isEmpty {
                try admin.execute("CREATE DATABASE \(identifier: Self.database)")
                return true
            }
            return false
        } catch {
            throw DTIError(database: error, vi: "không tạo được cơ sở dữ liệu \(Self.database)", en: "cannot create the database \(Self.database)")
        }
    }

    // MARK: down

    /// Stops the server (`pg_ctl stop -m fast`: open sessions are rolled back and closed). Says whether it ran.
    @discardableResult
    public func down() throws -> Bool {
        guard FileManager.default.fileExists(atPath: root) else { return false }
        return try FileLock.withLock(stateDirectory + "/pg.lock") {
            guard postmasterPid.livePid != nil else { return false }
            let binaries = try PostgresBinaries.locate(environment: environment)
            let account = try ServerAccount.resolve(path: environment["PATH"])
            let outcome = try runAs(account, binaries.pgCtl, ["stop", "-w", "-t", "60", "-m", "fast", "-D", dataDirectory])
            guard outcome.succeeded else {
                throw DTIError(.database, vi: "không dừng được PostgreSQL nhúng", en: "cannot stop the embedded PostgreSQL",
                               details: lastLines(outcome.output, 10))
            }
            return true
        }
    }

    // MARK: helpers

    private func runAs(_ account: ServerAccount, _ program: String, _ arguments: [String]) throws -> Subprocess.Outcome {
        let (executable, args) = account.command(program, arguments)
        return try Subprocess.run(executable, args, environment: childEnvironment, directory: root)
    }

    /// The environment of `initdb` and `pg_ctl`: ours without the `PG*` variables and `DATABASE_URL`, which name
    /// some other server.
    private var childEnvironment: [String: String] {
        var env = environment.filter { !$0.key.hasPrefix("PG") && $0.key != "DATABASE_URL" }
        if env["PATH"] == nil { env["PATH"] = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" }
        return env
    }

    /// A path as one element of a GUC list (`unix_socket_directories`): double-quoted when it has a comma or space.
    private func gucListValue(_ path: String) -> String {
        path.contains(where: { $0 == "," || $0 == " " || $0 == "\"" }) ? "\"" + path.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : path
    }

    /// One word for `/bin/sh`, which `pg_ctl` hands `-o` to.
    private func shellQuote(_ s: String) -> String {
        "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    private func lastLines(_ text: String, _ n: Int) -> [String] {
        text.split(separator: "\n").suffix(n).map(String.init)
    }
}
