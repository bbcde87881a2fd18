import DTICore
import DTITestSupport
import DTIWarehouse
import Foundation
import PostgresClient
import Testing

/// Runs the real `dti` binary against a test database.
struct DTIProcess {
    let process = Process()
    let output = Pipe()

    /// Standard input, for commands that read it (`create-login --password-stdin`): write, then `closeInput()`.
    let input = Pipe()

    /// `removing` names variables of this process's environment the command must not see (the libpq `PG*` ones
    /// for a test of the embedded cluster: libpq reads `PGSERVICE=""` as a service named "").
    init(_ arguments: [String], conninfo: String, environment extra: [String: String] = [:], standardInput: Bool = false, removing: [String] = []) {
        process.executableURL = URL(fileURLWithPath: WarehouseFixture.dtiBinary)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env["DATABASE_URL"] = conninfo
        env["DTI_HOME"] = TestServer.repositoryRoot
        for (k, v) in extra { env[k] = v }
        for k in removing { env.removeValue(forKey: k) }
        process.environment = env
        process.standardOutput = output
        process.standardError = output
        if standardInput { process.standardInput = input }
    }

    func send(_ text: String) { input.fileHandleForWriting.write(Data(text.utf8)) }
    func closeInput() { try? input.fileHandleForWriting.close() }

    func start() throws { try process.run() }

    @discardableResult
    func wait() -> (status: Int32, reason: Process.TerminationReason, text: String) {
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, process.terminationReason, String(decoding: data, as: UTF8.self))
    }

    static func run(_ arguments: [String], conninfo: String, environment: [String: String] = [:]) throws -> (status: Int32, reason: Process.TerminationReason, text: String) {
        let p = DTIProcess(arguments, conninfo: conninfo, environment: environment)
        try p.start()
        return p.wait()
    }
}

/// A large, valid commune-data file for many fixture communes.
enum BigFile {
    static func make(_ f: WarehouseFixture, communes: Int, year: Int = 2024, name: String = "big.csv") throws -> (path: String, rows: Int) {
        var units = "code,name,level,parent_code,valid_from,valid_to,predecessors\n"
        for i in 1...communes { units += "bac-giang.tan-yen.big-\(i),Xã lớn \(i) (dữ liệu giả),commune,bac-giang.tan-yen,,,\n" }
        try f.units(units)
        let catalogue = try CatalogueStore(connection: f.db).catalogue("commune-data-2024").catalogue
        let leaves = catalogue.leafIndicators.flatMap { i in i.variables.map { (i.code, $0) } }
        var text = "unit_code,year,catalogue,indicator,variable,value,evidence,stage\n"
        var rows = 0
        for i in 1...communes {
            for (code, v) in leaves {
                // equal numbers satisfy every declared a <= b; the totals of sums (6.3 a, 5.8.1 c) are twice their parts
                let whole = (code == "6.3" && v.name == "a") || (code == "5.8.1" && v.name == "c")
                let value = v.kind == .yesno ? "có" : v.kind == .text ? "hằng tuần" : String((i % 97 + 1) * (whole ? 2 : 1))
                text += "bac-giang.tan-yen.big-\(i),\(year),commune-data-2024,\(code),\(v.name),\(value),,self\n"
                rows += 1
            }
        }
        return (try f.file(name, text), rows)
    }
}

@Suite("a load killed with SIGKILL leaves the whole batch or nothing; concurrent loads", .serialized)
struct CrashAndConcurrencyTests {
    @Test("killed at a failpoint (after COPY, just before COMMIT) or at random moments: no partial batch, and the next load works")
    func sigkill() throws {
        let f = try WarehouseFixture("kill", catalogues: ["unit-profile", "commune-data-2024", "bac-giang-district-2022"])
        let (path, rows) = try BigFile.make(f, communes: 1500)
        #expect(rows > 90_000)
        let before = try f.footprint()
        for point in ["load.after-copy", "load.before-commit"] {
            let r = try DTIProcess.run(["load", path], conninfo: f.database.conninfo, environment: ["DTI_FAILPOINT": point])
            #expect(r.reason == .uncaughtSignal && r.status == SIGKILL, "\(point): \(r.text)")
            #expect(try f.footprint() == before, "killed at \(point): nothing may remain")
        }
        // Kills from outside: three at random moments after the start, three shortly after the load's transaction has
        // begun (the load notes that point in DTI_FAILPOINT_LOG). A kill counts as inside the load when the process
        // died by the signal after its transaction began and nothing of the batch remains; at least one must.
        var random = SystemRandomNumberGenerator()
        var landedInside = 0
        for attempt in 0..<6 {
            let trace = f.scratch + "/kill-trace-\(attempt).log"
            let p = DTIProcess(["load", path], conninfo: f.database.conninfo, environment: ["DTI_FAILPOINT_LOG": trace])
            try p.start()
            if attempt < 3 {
                usleep(UInt32.random(in: 50_000...600_000, using: &random))
            } else {
                let deadline = Date().addingTimeInterval(30)
                while p.process.isRunning, Date() < deadline,
                      !((try? String(contentsOfFile: trace, encoding: .utf8)) ?? "").contains("load.in-transaction") {
                    usleep(1_000)
                }
                usleep(UInt32.random(in: 0...60_000, using: &random))
            }
            kill(p.process.processIdentifier, SIGKILL)
            let r = p.wait()
            let after = try f.footprint()
            let began = ((try? String(contentsOfFile: trace, encoding: .utf8)) ?? "").contains("load.in-transaction")
            if r.reason == .uncaughtSignal && after == before {
                if began { landedInside += 1 }
            } else if r.reason == .uncaughtSignal {
                // Killed after COMMIT, before the process exited: then the whole batch is there.
                #expect(try f.count("dti.submission_values") == rows, "killed after commit: the whole batch or nothing")
                try f.db.simpleQuery("TRUNCATE dti.submission_sheets, dti.load_batches CASCADE")
            } else {
                // The load finished before the kill: then the whole batch is there.
                #expect(r.status == 0, "\(r.text)")
                #expect(try f.count("dti.submission_values") == rows)
                try f.db.simpleQuery("TRUNCATE dti.submission_sheets, dti.load_batches CASCADE")
            }
        }
        #expect(landedInside > 0, "no kill landed inside a load's transaction: the test proved nothing about partial batches")
        let r = try DTIProcess.run(["load", path], conninfo: f.database.conninfo)
        #expect(r.status == 0, "\(r.text)")
        #expect(try f.count("dti.submission_values") == rows)
        #expect(try f.count("dti.load_batches") == 1)
    }

    @Test("two loads of different files at the same time both land; two loads of the same file land once")
    func concurrentLoads() throws {
        let f = try WarehouseFixture("concurrent", catalogues: ["unit-profile", "commune-data-2024", "bac-giang-district-2022"])
        let (a, rowsA) = try BigFile.make(f, communes: 200, year: 2023, name: "a.csv")
        let (b, rowsB) = try BigFile.make(f, communes: 200, year: 2024, name: "b.csv")
        // The first load is held just before its COMMIT (a pause failpoint), so the second surely runs while the
        // first's transaction is open: without that, "at the same time" might have been one after the other.
        let held = try Self.held(f, "a")
        let p1 = DTIProcess(["load", a], conninfo: f.database.conninfo, environment: held.environment)
        try p1.start()
        try held.waitUntilPaused(p1)
        let r2 = try DTIProcess.run(["load", b], conninfo: f.database.conninfo)
        #expect(r2.status == 0, "\(r2.text)")
        #expect(p1.process.isRunning, "the second load committed while the first one's transaction was still open")
        try held.release()
        let r1 = p1.wait()
        #expect(r1.status == 0, "\(r1.text)")
        #expect(try f.count("dti.submission_values") == rowsA + rowsB)
        #expect(try f.count("dti.load_batches") == 2)

        // The same file twice: the second load must wait for the first (the batch's file digest is unique) and
        // then say the file was loaded already. The watcher proves it waited.
        let (c, rowsC) = try BigFile.make(f, communes: 200, year: 2022, name: "c.csv")
        let heldC = try Self.held(f, "c")
        let q1 = DTIProcess(["load", c], conninfo: f.database.conninfo, environment: heldC.environment)
        try q1.start()
        try heldC.waitUntilPaused(q1)
        let watcher = try LockWaitWatcher(conninfo: f.database.conninfo, locktype: "transactionid")
        let q2 = DTIProcess(["load", c], conninfo: f.database.conninfo)
        try q2.start()
        for _ in 0..<600 where !watcher.sawWait { usleep(50_000) }
        try heldC.release()
        let s1 = q1.wait(), s2 = q2.wait()
        #expect(watcher.finish(), "the second load of the same file waited for the first one's transaction")
        #expect(s1.status == 0 && s2.status == 0, "\(s1.text)\n\(s2.text)")
        #expect(!s1.text.contains("đã nạp trước đó") && s2.text.contains("đã nạp trước đó"),
                "the second load must say the file was already loaded:\n\(s1.text)\n\(s2.text)")
        #expect(try f.count("dti.submission_values") == rowsA + rowsB + rowsC)
        #expect(try f.count("dti.load_batches") == 3)
    }

    /// A load held at `load.before-commit` until the test releases it (`Failpoint.pause`).
    struct HeldLoad {
        let log: String, releaseFile: String
        var environment: [String: String] {
            ["DTI_FAILPOINT_PAUSE": "load.before-commit", "DTI_FAILPOINT_RELEASE": releaseFile, "DTI_FAILPOINT_LOG": log]
        }
        func waitUntilPaused(_ p: DTIProcess) throws {
            for _ in 0..<2400 where p.process.isRunning {
                if let text = try? String(contentsOfFile: log, encoding: .utf8), text.contains("load.before-commit.paused") { return }
                usleep(50_000)
            }
            Issue.record("the held load never reached load.before-commit")
        }
        func release() throws { try Data().write(to: URL(fileURLWithPath: releaseFile)) }
    }

    static func held(_ f: WarehouseFixture, _ name: String) throws -> HeldLoad {
        HeldLoad(log: f.scratch + "/\(name).failpoints", releaseFile: f.scratch + "/\(name).release")
    }
}
