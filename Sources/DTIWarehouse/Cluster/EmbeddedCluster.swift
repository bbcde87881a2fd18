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
/// Every login signs in with a scram-sha-256 password; the superuser is `postgres`, whose password only the account
/// that made the cluster can read (`pg/owner.pgpass`, mode 0600, named by `passfile=` in `conninfo` and `url`); the
/// warehouse database is `dti`.
public struct EmbeddedCluster: Sendable {
    /// The state directory (`<project>/.dti`, or `DTI_STATE_DIR`).
    public let stateDirectory: String
    /// The port number in the socket's name (`.s.PGSQL.<port>`): `DTI_PG_PORT`, else 5432.
    public let port: Int
    let environment: [String: String]

    public var root: String { stateDirectory + "/pg" }
    public var dataDirectory: String { root + "/data" }
    public var logFile: String { root + "/log/postgres.log" }
    /// The owner's password, in libpq's password-file format (`*:*:*:postgres:<password>`), mode 0600.
    public var passfile: String { root + "/owner.pgpass" }
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
        Self.conninfo(socketDirectory: socketDirectory, port: port, database: database, passfile: passfile)
    }

    /// The URL psql takes: `postgresql://postgres@/dti?host=<socket dir>&port=<port>&passfile=<owner.pgpass>`.
    public func url(database: String = EmbeddedCluster.database) -> String {
        Self.url(socketDirectory: socketDirectory, port: port, database: database, passfile: passfile)
    }

    static func conninfo(socketDirectory: String, port: Int, database: String, passfile: String?) -> String {
        func value(_ v: String) -> String {
            v.isEmpty || v.contains(where: { $0 == " " || $0 == "'" || $0 == "\\" }) ? Conninfo.quote(v) : v
        }
        return "host=\(value(socketDirectory)) port=\(port) dbname=\(value(database)) user=\(superuser)"
            + (passfile.map { " passfile=\(value($0))" } ?? "")
    }

    static func url(socketDirectory: String, port: Int, database: String, passfile: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~/")
        let host = socketDirectory.addingPercentEncoding(withAllowedCharacters: allowed) ?? socketDirectory
        let db = database.addingPercentEncoding(withAllowedCharacters: allowed.subtracting(CharacterSet(charactersIn: "/"))) ?? database
        let pass = passfile.addingPercentEncoding(withAllowedCharacters: allowed) ?? passfile
        return "postgresql://\(superuser)@/\(db)?host=\(host)&port=\(port)&passfile=\(pass)"
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
        if pid != nil, let c = try? PostgresConnection(conninfo: Self.conninfo(socketDirectory: socket, port: port, database: "postgres", passfile: passfile)) {
            version = try? c.query("SHOW server_version").first?[0].decode(String.self)
            c.close()
        }
        return ClusterStatus(running: pid != nil, pid: pid, initialized: initialized, dataDirectory: dataDirectory,
                             socketDirectory: socket, port: port, serverVersion: version, logFile: logFile,
                             conninfo: Self.conninfo(socketDirectory: socket, port: port, database: Self.database, passfile: passfile),
                             url: Self.url(socketDirectory: socket, port: port, database: Self.database, passfile: passfile))
    }

    /// A connection to a database of the cluster when its server is already running (no locking, no `initdb`,
    /// no start): the fast path of `Database.connect`. Nil when it is not running or refuses.
    public func connectIfRunning(database: String = EmbeddedCluster.database, logger: Logger? = nil) -> PostgresConnection? {
        let lock = postmasterPid
        // Without the owner's password file the cluster is not secured yet (made before passwords): `up` does it.
        guard lock.livePid != nil, FileManager.default.fileExists(atPath: passfile) else { return nil }
        let info = Self.conninfo(socketDirectory: lock.socketDirectory ?? socketDirectory, port: lock.port ?? port, database: database,
                                 passfile: passfile)
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
            let secured = try requirePasswords(account)
            let created = try createDatabaseIfMissing()
            return ClusterUpReport(status: status(), initializedNow: initializedNow, startedNow: startedNow,
                                   recoveredStaleLock: recovered, createdDatabase: created, securedNow: secured)
        }
    }

    /// Runs `initdb`: UTF-8, the `C.UTF-8` locale (or no locale where the system lacks it), scram-sha-256 passwords
    /// for every connection, superuser `postgres` with a new random password, written to `passfile` once initdb
    /// succeeded (the server account reads it from a 0600 file of its own, removed right after).
    private func initdb(_ binaries: PostgresBinaries, _ account: ServerAccount) throws {
        if FileManager.default.fileExists(atPath: dataDirectory),
           let entries = try? FileManager.default.contentsOfDirectory(atPath: dataDirectory), !entries.isEmpty {
            throw DTIError(.database, vi: "\(dataDirectory) đã có tệp nhưng không phải một cụm PostgreSQL; xóa nó rồi chạy lại",
                           en: "\(dataDirectory) has files but is not a PostgreSQL cluster; remove it and run again")
        }
        let password = Self.newPassword()
        let pwfile = root + "/initdb.pw"
        try writeSecret(pwfile, password + "\n", owner: account)
        defer { unlink(pwfile) }
        let common = ["-D", dataDirectory, "-E", "UTF8", "-A", "scram-sha-256", "--pwfile=" + pwfile, "-U", Self.superuser]
        var outcome = try runAs(account, binaries.initdb, common + ["--locale=C.UTF-8"])
        if !outcome.succeeded, outcome.output.lowercased().contains("locale") {
            try? FileManager.default.removeItem(atPath: dataDirectory)
            outcome = try runAs(account, binaries.initdb, common + ["--no-locale"])
        }
        guard outcome.succeeded else {
            throw DTIError(.database, vi: "initdb thất bại (\(dataDirectory))", en: "initdb failed (\(dataDirectory))",
                           details: lastLines(outcome.output, 15))
        }
        try writeHBA(account)
        try writeSecret(passfile, Self.passfileLine(password), owner: nil)
    }

    // MARK: passwords

    /// The only rule of `pg_hba.conf`: every login, the owner included, signs in with its scram-sha-256 password on
    /// the Unix socket (the server listens on no TCP address).
    static let hbaRules = """
        # dti: mọi tài khoản đăng nhập bằng mật khẩu scram-sha-256, chỉ qua Unix socket (SECURITY.md).
        # dti: every login signs in with its scram-sha-256 password, on the Unix socket only (SECURITY.md).
        local   all   all   scram-sha-256

        """

    /// Makes a cluster that predates passwords (initdb `-A trust`), or whose owner password file was lost, check
    /// passwords: for a moment only `postgres` on the socket is trusted, long enough to give it a new random
    /// password (hashed here) and write `passfile`; then the scram-only rules and a reload. Says whether it did.
    private func requirePasswords(_ account: ServerAccount) throws -> Bool {
        let hba = dataDirectory + "/pg_hba.conf"
        let rules = (try? String(contentsOfFile: hba, encoding: .utf8)) ?? ""
        let trusting = rules.split(separator: "\n").contains { line in
            !line.trimmingCharacters(in: .whitespaces).hasPrefix("#") && line.split(whereSeparator: { $0 == " " || $0 == "\t" }).contains("trust")
        }
        if !trusting && FileManager.default.fileExists(atPath: passfile) { return false }
        let binaries = try PostgresBinaries.locate(environment: environment)
        if !trusting {
            try writeHBA(account, prefix: "local   all   \(Self.superuser)   trust\n")
            try reload(binaries, account)
        }
        let trusted = Self.conninfo(socketDirectory: socketDirectory, port: port, database: "postgres", passfile: nil)
        var admin: PostgresConnection?
        for _ in 0..<50 where admin == nil {
            admin = try? PostgresConnection(conninfo: trusted)
            if admin == nil { usleep(100_000) }
        }
        guard let admin else {
            throw DTIError(.database, vi: "không đặt được mật khẩu cho chủ cụm PostgreSQL nhúng (nhật ký: \(logFile))",
                           en: "cannot set the embedded cluster owner's password (log: \(logFile))")
        }
        defer { admin.close() }
        let password = Self.newPassword()
        do {
            let verifier = try admin.encryptPassword(password, user: Self.superuser)
            try admin.simpleQuery(try admin.query("SELECT format('ALTER ROLE %I PASSWORD %L', \(Self.superuser)::text, \(verifier)::text) AS sql")[0]["sql"]
                .decode(String.self))
        } catch {
            throw DTIError(database: error, vi: "không đặt được mật khẩu cho chủ cụm PostgreSQL nhúng", en: "cannot set the embedded cluster owner's password")
        }
        try writeSecret(passfile, Self.passfileLine(password), owner: nil)
        try writeHBA(account)
        _ = try? admin.simpleQuery("SELECT pg_catalog.pg_reload_conf()")
        // The reload is asynchronous: wait until the owner's password is what lets it in.
        for _ in 0..<50 {
            if (try? PostgresConnection(conninfo: Self.conninfo(socketDirectory: socketDirectory, port: port, database: "postgres", passfile: passfile)))
                .map({ $0.close(); return true }) == true { break }
            usleep(100_000)
        }
        return true
    }

    private func writeHBA(_ account: ServerAccount, prefix: String = "") throws {
        try writeSecret(dataDirectory + "/pg_hba.conf", prefix + Self.hbaRules, owner: account)
    }

    private func reload(_ binaries: PostgresBinaries, _ account: ServerAccount) throws {
        let outcome = try runAs(account, binaries.pgCtl, ["reload", "-D", dataDirectory])
        guard outcome.succeeded else {
            throw DTIError(.database, vi: "không nạp lại được cấu hình PostgreSQL nhúng", en: "cannot reload the embedded PostgreSQL's configuration",
                           details: lastLines(outcome.output, 5))
        }
    }

    /// 32 random bytes, hex: a password nobody types (it lives in `passfile`).
    static func newPassword() -> String {
        var g = SystemRandomNumberGenerator()
        return (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &g)) }.joined()
    }

    static func passfileLine(_ password: String) -> String { "*:*:*:\(superuser):\(password)\n" }

    /// Writes a file only its owner may read (0600): ours, or the server account's when `owner` is given.
    private func writeSecret(_ path: String, _ text: String, owner: ServerAccount?) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard fd >= 0 else {
            throw DTIError(.database, vi: "không ghi được \(path)", en: "cannot write \(path)")
        }
        defer { close(fd) }
        let bytes = Array(text.utf8)
        let wrote = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        let owned = owner.map { a in a.name == nil || fchown(fd, a.uid, a.gid) == 0 } ?? true
        guard wrote == bytes.count, fchmod(fd, 0o600) == 0, owned else {
            throw DTIError(.database, vi: "không ghi được \(path)", en: "cannot write \(path)")
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
