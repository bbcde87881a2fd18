import DTITestSupport
import DTIWarehouse
import Foundation
import PostgresClient
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite("embedded cluster")
struct EmbeddedClusterTests {
    @Test("up, up again, status, kill -9, up recovers, down, down again")
    func lifecycle() throws {
        let state = TestServer.repositoryRoot + "/.dti/tmp/cluster-" + UUID().uuidString.prefix(8).lowercased()
        var env = ProcessInfo.processInfo.environment
        env["DTI_PG_PORT"] = "5477"
        let cluster = EmbeddedCluster(stateDirectory: state, environment: env)
        defer {
            _ = try? cluster.down()
            try? FileManager.default.removeItem(atPath: state)
        }

        let first = try cluster.up()
        #expect(first.initializedNow)
        #expect(first.startedNow)
        #expect(first.createdDatabase)
        #expect(first.status.running)
        #expect(first.status.port == 5477)
        #expect(first.status.socketDirectory == state + "/pg/run")
        #expect(first.status.url == "postgresql://postgres@/dti?host=\(state)/pg/run&port=5477&passfile=\(state)/pg/owner.pgpass")
        #expect(first.status.conninfo == "host=\(state)/pg/run port=5477 dbname=dti user=postgres passfile=\(state)/pg/owner.pgpass")
        try Self.expectPasswordsChecked(cluster)
        #expect(first.status.serverVersion?.isEmpty == false)
        let pid = try #require(first.status.pid)

        let second = try cluster.up()
        #expect(!second.startedNow && !second.initializedNow && !second.createdDatabase)
        #expect(second.status.pid == pid)

        // The URL and the conninfo both work, and the database speaks UTF-8 with a Unicode-aware ctype.
        for target in [first.status.url, first.status.conninfo] {
            let c = try PostgresConnection(conninfo: target)
            let row = try c.query("SELECT current_database() AS db, upper('huế') AS u, current_setting('server_encoding') AS enc")[0]
            #expect(try row["db"].decode(String.self) == "dti")
            #expect(try row["u"].decode(String.self) == "HUẾ")
            #expect(try row["enc"].decode(String.self) == "UTF8")
            c.close()
        }

        // A crash: the postmaster is killed and leaves its postmaster.pid behind.
        #expect(kill(pid, SIGKILL) == 0)
        var waited = 0
        while cluster.status().running, waited < 50 { usleep(100_000); waited += 1 }
        #expect(!cluster.status().running)
        #expect(FileManager.default.fileExists(atPath: cluster.dataDirectory + "/postmaster.pid"))

        let recovered = try cluster.up()
        #expect(recovered.startedNow)
        #expect(recovered.recoveredStaleLock)
        #expect(recovered.status.running)
        #expect(recovered.status.pid != pid)
        let c = try PostgresConnection(conninfo: recovered.status.conninfo)
        #expect(try c.query("SELECT 1 AS one")[0]["one"].decode(Int.self) == 1)
        c.close()

        #expect(try cluster.down())
        #expect(!cluster.status().running)
        #expect(cluster.status().initialized)
        #expect(try cluster.down() == false)

        // Database.connect with no DATABASE_URL/PG* starts the embedded cluster on demand and opens `dti`.
        var embeddedEnv = env.filter { !$0.key.hasPrefix("PG") && $0.key != "DATABASE_URL" }
        embeddedEnv["DTI_STATE_DIR"] = state
        let onDemand = try Database.connect(home: Home(root: TestServer.repositoryRoot), environment: embeddedEnv)
        let where_ = try onDemand.query("SELECT current_database() AS db, current_setting('unix_socket_directories') AS sock, current_setting('listen_addresses') AS tcp")[0]
        #expect(try where_["db"].decode(String.self) == "dti")
        #expect(try where_["sock"].decode(String.self) == state + "/pg/run")
        #expect(try where_["tcp"].decode(String.self) == "")
        onDemand.close()
        #expect(cluster.status().running)

        // A cluster made before passwords (initdb -A trust, no owner password file) is secured by the next up,
        // and so is one whose owner password file was lost.
        let hba = cluster.dataDirectory + "/pg_hba.conf"
        try "local all all trust\nhost all all 127.0.0.1/32 trust\n".write(toFile: hba, atomically: false, encoding: .utf8)
        try onDemandReload(cluster)
        try FileManager.default.removeItem(atPath: cluster.passfile)
        let upgraded = try cluster.up()
        #expect(upgraded.securedNow && !upgraded.startedNow)
        try Self.expectPasswordsChecked(cluster)
        try FileManager.default.removeItem(atPath: cluster.passfile)
        let relocked = try cluster.up()
        #expect(relocked.securedNow)
        try Self.expectPasswordsChecked(cluster)
        #expect(try !cluster.up().securedNow, "secured once, up changes nothing")
        #expect(try cluster.down())
    }

    /// Reloads the server's configuration as its owner would (`SELECT pg_reload_conf()`), then lets it settle.
    func onDemandReload(_ cluster: EmbeddedCluster) throws {
        let c = try PostgresConnection(conninfo: cluster.conninfo(database: "postgres"))
        try c.simpleQuery("SELECT pg_reload_conf()")
        c.close()
        usleep(300_000)
    }

    /// The owner gets in with the password file (0600) and only with it; the rules trust nobody; the socket's
    /// directory is not world-writable.
    static func expectPasswordsChecked(_ cluster: EmbeddedCluster) throws {
        var info = stat()
        #expect(stat(cluster.passfile, &info) == 0 && info.st_mode & 0o777 == 0o600, "the owner's password file is 0600")
        #expect(stat(cluster.socketDirectory, &info) == 0 && info.st_mode & 0o002 == 0, "the socket directory is not world-writable")
        let rules = try String(contentsOfFile: cluster.dataDirectory + "/pg_hba.conf", encoding: .utf8)
        #expect(!rules.split(separator: "\n").contains { !$0.hasPrefix("#") && $0.contains("trust") }, "\(rules)")
        let c = try PostgresConnection(conninfo: cluster.conninfo(database: "postgres"))
        c.close()
        let without = try Conninfo.replacing(cluster.conninfo(database: "postgres"), with: ["passfile": "/nonexistent"])
        let e = #expect(throws: PostgresError.self) { _ = try PostgresConnection(conninfo: without) }
        #expect(e?.message.contains("no password supplied") == true, "\(String(describing: e))")
    }

    @Test("the server killed in the middle of a load (the binary, the embedded cluster): exit 3, nothing written; dti db up recovers and the reload lands")
    func serverKilledMidLoad() throws {
        let state = TestServer.repositoryRoot + "/.dti/tmp/killed-" + UUID().uuidString.prefix(8).lowercased()
        // The embedded cluster of its own state directory: no DATABASE_URL, no PG* variables.
        let env = ["DTI_STATE_DIR": state, "DTI_PG_PORT": "5479"]
        let libpq = ["DATABASE_URL", "PGHOST", "PGHOSTADDR", "PGDATABASE", "PGSERVICE", "PGPORT", "PGUSER", "PGPASSWORD", "PGPASSFILE"]
        let cluster = EmbeddedCluster(stateDirectory: state, environment: ProcessInfo.processInfo.environment.merging(env) { $1 })
        defer { _ = try? cluster.down(); try? FileManager.default.removeItem(atPath: state) }
        let reference = TestServer.repositoryRoot + "/etl/reference"
        func dti(_ arguments: [String], _ extra: [String: String] = [:]) throws -> (status: Int32, reason: Process.TerminationReason, text: String) {
            let p = DTIProcess(arguments, conninfo: "", environment: env.merging(extra) { $1 }, removing: libpq)
            try p.start()
            return p.wait()
        }
        for step in [["db", "up"], ["units", "load", reference + "/peer-groups.csv", reference + "/units.csv"],
                     ["catalogue", "load", TestServer.repositoryRoot + "/etl/catalogues/thanh-hoa-district-2022.yaml"]] {
            let r = try dti(step)
            try #require(r.status == 0, "\(step.joined(separator: " ")): \(r.text)")
        }

        // The load is held just before COMMIT; the postmaster is killed; then the load goes on and meets the loss.
        let log = state + "/failpoints", release = state + "/release"
        let load = DTIProcess(["load", reference + "/yen-dinh-2022.csv", "--stage", "final"], conninfo: "",
                              environment: env.merging(["DTI_FAILPOINT_PAUSE": "load.before-commit", "DTI_FAILPOINT_RELEASE": release,
                                                        "DTI_FAILPOINT_LOG": log]) { $1 }, removing: libpq)
        try load.start()
        for _ in 0..<1200 where load.process.isRunning && !((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").contains("paused") { usleep(50_000) }
        let pid = try #require(cluster.status().pid)
        #expect(kill(pid, SIGKILL) == 0)
        for _ in 0..<100 where cluster.status().running { usleep(100_000) }
        try Data().write(to: URL(fileURLWithPath: release))
        let r = load.wait()
        #expect(r.status == 3 && r.text.contains("mất kết nối tới cơ sở dữ liệu"), "\(r.text)")

        let up = try dti(["db", "up"])
        #expect(up.status == 0 && up.text.contains("đã dừng đột ngột"), "\(up.text)")
        let c = try PostgresConnection(conninfo: cluster.conninfo())
        #expect(try c.query("SELECT count(*) AS n FROM dti.load_batches")[0]["n"].decode(Int.self) == 0, "nothing of the killed load")
        #expect(try c.query("SELECT count(*) AS n FROM dti.submission_sheets")[0]["n"].decode(Int.self) == 0)
        let again = try dti(["load", reference + "/yen-dinh-2022.csv", "--stage", "final"])
        #expect(again.status == 0, "\(again.text)")
        #expect(try c.query("SELECT count(*) AS n FROM dti.load_batches")[0]["n"].decode(Int.self) == 1)
        c.close()
    }

    @Test("a state directory too deep for a Unix socket path gets a short socket directory under /tmp")
    func longPathSocket() {
        let deep = "/work/" + String(repeating: "very-long-directory-name/", count: 5) + ".dti"
        let cluster = EmbeddedCluster(stateDirectory: deep, environment: [:])
        #expect(cluster.socketDirectory.hasPrefix("/tmp/dti-pg-"))
        #expect((cluster.socketDirectory + "/.s.PGSQL.5432").utf8.count <= 107)
        #expect(EmbeddedCluster(stateDirectory: deep, environment: [:]).socketDirectory == cluster.socketDirectory)
        #expect(EmbeddedCluster(stateDirectory: deep + "2", environment: [:]).socketDirectory != cluster.socketDirectory)
        let short = EmbeddedCluster(stateDirectory: "/work/x/.dti", environment: [:])
        #expect(short.socketDirectory == "/work/x/.dti/pg/run")
        #expect(short.port == 5432)
    }

    @Test("Database.target: DATABASE_URL or PG* name an external server, else the embedded cluster")
    func target() {
        let home = Home(root: "/work/x")
        if case .external(let c) = Database.target(home: home, environment: ["DATABASE_URL": "postgresql://u:secret@h:6543/w"]) {
            #expect(c == "postgresql://u:secret@h:6543/w")
            let shown = Database.describe(conninfo: c, environment: [:])
            #expect(shown == "h:6543/w (u)")
            #expect(!shown.contains("secret"))
        } else {
            Issue.record("DATABASE_URL must select the external server")
        }
        if case .external(let c) = Database.target(home: home, environment: ["PGHOST": "db.example", "PGDATABASE": "dti"]) {
            #expect(c == "")
            #expect(Database.describe(conninfo: c, environment: ["PGHOST": "db.example", "PGDATABASE": "dti"]) == "db.example:5432/dti")
        } else {
            Issue.record("PGHOST must select the external server")
        }
        if case .embedded(let cluster) = Database.target(home: home, environment: ["HOME": "/root"]) {
            #expect(cluster.dataDirectory.hasSuffix("/pg/data"))
        } else {
            Issue.record("no DATABASE_URL/PG* must select the embedded cluster")
        }
    }
}
