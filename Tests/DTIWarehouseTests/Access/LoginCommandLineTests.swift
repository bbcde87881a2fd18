import DTICore
import DTITestSupport
import DTIWarehouse
import Foundation
import PostgresClient
import Testing

/// Every kind of login through the `dti` binary, the way each person runs it: passwords checked, read commands for
/// district and analyst logins, load and roll-up for etl, and a clear refusal (exit 1, the kind needed) otherwise.
@Suite("Logins through the dti binary", .serialized)
struct LoginCommandLineTests {
    /// A login made by the library (as the owner would with create-login), with the fixture's test password.
    func login(_ f: WarehouseFixture, _ kind: Logins.Kind, district: String? = nil) throws -> String {
        let role = "t_cli_\(kind.rawValue)_" + UUID().uuidString.prefix(6).lowercased()
        _ = try Logins(connection: f.db).create(role: role, kind: kind, district: district, password: WarehouseFixture.password(role))
        return role
    }

    func drop(_ f: WarehouseFixture, _ role: String) {
        _ = try? f.db.execute("DELETE FROM dti.district_logins WHERE role_name = \(role)")
        try? f.db.simpleQuery("DROP OWNED BY \"\(role)\"; DROP ROLE IF EXISTS \"\(role)\"")
    }

    func run(_ f: WarehouseFixture, as role: String, _ arguments: [String]) throws -> (status: Int32, reason: Process.TerminationReason, text: String) {
        try DTIProcess.run(arguments, conninfo: try f.conninfo(as: role), environment: ["DTI_HOME": TestServer.repositoryRoot])
    }

    @Test("create-login reads the password from stdin, never argv; only a SCRAM verifier reaches the server; a wrong password is refused with exit 3")
    func passwords() throws {
        let f = try WarehouseFixture("cli-pw")
        let role = "t_cli_pw_" + UUID().uuidString.prefix(6).lowercased()
        defer { drop(f, role) }
        let secret = "Bí-mật-" + UUID().uuidString
        let p = DTIProcess(["db", "create-login", role, "--kind", "district", "--district", "bac-giang.tan-yen", "--password-stdin"],
                           conninfo: f.database.conninfo, standardInput: true)
        try p.start()
        // While create-login waits for its standard input, the whole process table shows no password.
        let ps = Process()
        ps.executableURL = URL(fileURLWithPath: "/bin/ps")
        ps.arguments = ["-eo", "pid,args"]
        let out = Pipe()
        ps.standardOutput = out
        try ps.run()
        let table = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        ps.waitUntilExit()
        #expect(table.contains("create-login \(role)"), "the command is in the process table while it runs")
        #expect(!table.contains(secret))
        p.send(secret + "\n")
        p.closeInput()
        let r = p.wait()
        #expect(r.status == 0 && r.text.contains("đã tạo tài khoản \(role)"), "\(r.text)")
        let stored = try f.scalar("SELECT rolpassword FROM pg_authid WHERE rolname = \(role)", as: String.self)
        #expect(stored.hasPrefix("SCRAM-SHA-256$") && !stored.contains(secret))

        // The right password signs in; a wrong one and none at all are refused.
        let right = try Conninfo.replacing(f.database.conninfo, with: ["user": role, "password": secret])
        let c = try PostgresConnection(conninfo: right)
        #expect(try c.query("SELECT session_user::text AS u")[0]["u"].decode(String.self) == role)
        c.close()
        let wrong = try Conninfo.replacing(f.database.conninfo, with: ["user": role, "password": secret + "x"])
        let refused = #expect(throws: PostgresError.self) { _ = try PostgresConnection(conninfo: wrong) }
        #expect(refused?.message.contains("password authentication failed") == true, "\(String(describing: refused))")
        let none = try Conninfo.replacing(f.database.conninfo, with: ["user": role])
        #expect(throws: PostgresError.self) { _ = try PostgresConnection(conninfo: none) }
        let cli = try DTIProcess.run(["status", "--year", "2024"], conninfo: wrong)
        #expect(cli.status == 3 && cli.text.contains("không kết nối được cơ sở dữ liệu") && cli.text.contains("password authentication failed"),
                "a refused password: a clear line, libpq's words below it, exit 3: \(cli.text)")

        // A password as an argument is refused before anything happens; a new login without one is refused too.
        let argv = try DTIProcess.run(["db", "create-login", role + "a", "--kind", "analyst", "--password", "x"], conninfo: f.database.conninfo)
        #expect(argv.status == 1 && argv.text.contains("không nhận mật khẩu trên dòng lệnh"), "\(argv.text)")
        let q = DTIProcess(["db", "create-login", role + "b", "--kind", "analyst"], conninfo: f.database.conninfo, standardInput: true)
        try q.start(); q.closeInput()
        let noPassword = q.wait()
        #expect(noPassword.status == 1 && noPassword.text.contains("tài khoản mới cần mật khẩu"), "\(noPassword.text)")
        #expect(try f.count("pg_roles WHERE rolname IN ('\(role)a', '\(role)b')") == 0)
    }

    @Test("a district login exports its own district as XLSX and is refused another with the kind of login it needs; every read command works; load is refused")
    func districtLogin() throws {
        let f = try RollupFixture.make("cli-district")
        _ = try Rollup(connection: f.db).run(province: "bac-giang", year: RollupFixture.year, stage: .final)
        let role = try login(f, .district, district: RollupFixture.district)
        defer { drop(f, role) }
        let own = try run(f, as: role, ["export", "--unit", RollupFixture.district, "--years", "2024", "--format", "xlsx", "--out", f.scratch + "/own"])
        #expect(own.status == 0 && FileManager.default.fileExists(atPath: f.scratch + "/own.xlsx"), "\(own.text)")
        let other = try run(f, as: role, ["export", "--unit", RollupFixture.peerY, "--years", "2024", "--format", "xlsx", "--out", f.scratch + "/other"])
        #expect(other.status == 1 && other.text.contains("chỉ xem được \(RollupFixture.district) và các xã trực thuộc")
                && other.text.contains("cần tài khoản analyst"), "\(other.text)")
        #expect(!FileManager.default.fileExists(atPath: f.scratch + "/other.xlsx"))
        for command in [["status", "--year", "2024"], ["history", "--unit", RollupFixture.district, "--indicator", "1.4"],
                        ["units", "list"], ["catalogue", "list"], ["catalogue", "show", "bac-giang-district-2022"]] {
            let r = try run(f, as: role, command)
            #expect(r.status == 0 && !r.text.contains("42501"), "\(command.joined(separator: " ")): \(r.text)")
        }
        let units = try run(f, as: role, ["units", "list"])
        #expect(units.text.contains(RollupFixture.district) && !units.text.contains(RollupFixture.peerY), "\(units.text)")
        let load = try run(f, as: role, ["load", f.home.reference + "/yen-dinh-2022.csv"])
        #expect(load.status == 1 && load.text.contains("lệnh dti load cần tài khoản etl") && load.text.contains("là tài khoản district"), "\(load.text)")
        let en = try run(f, as: role, ["rollup", "--year", "2024", "--lang", "en"])
        #expect(en.status == 1 && en.text.contains("dti rollup needs an etl login"), "\(en.text)")
    }

    @Test("an analyst runs status, export and the lists; an etl login loads and rolls up through the binary, and cannot delete the audit trail")
    func analystAndEtl() throws {
        let f = try RollupFixture.make("cli-analyst")
        let etl = try login(f, .etl), analyst = try login(f, .analyst)
        defer { drop(f, etl); drop(f, analyst) }
        let load = try run(f, as: etl, ["load", f.home.reference + "/yen-dinh-2022.csv", "--stage", "final"])
        #expect(load.status == 0, "\(load.text)")
        #expect(try f.scalar("SELECT loaded_by::text FROM dti.load_batches ORDER BY batch_id DESC LIMIT 1", as: String.self) == etl)
        let rollup = try run(f, as: etl, ["rollup", "--year", "2024", "--province", "bac-giang"])
        #expect(rollup.status == 0, "\(rollup.text)")
        #expect(try f.scalar("SELECT run_by::text FROM dti.rollup_runs ORDER BY run_id DESC LIMIT 1", as: String.self) == etl)
        let c = try PostgresConnection(conninfo: try f.conninfo(as: etl))
        #expect(AccessTests.refusal(c, "DELETE FROM dti.load_batches") == "42501")
        c.close()

        for command in [["status", "--year", "2024"], ["export", "--unit", RollupFixture.district, "--years", "2024", "--format", "csv", "--out", f.scratch + "/a"],
                        ["history", "--unit", "thanh-hoa.yen-dinh", "--indicator", "1.1"],
                        ["units", "list"], ["catalogue", "list"], ["catalogue", "show", "bac-giang-district-2022"]] {
            let r = try run(f, as: analyst, command)
            #expect(r.status == 0 && !r.text.contains("42501"), "\(command.joined(separator: " ")): \(r.text)")
        }
        let history = try run(f, as: analyst, ["history", "--unit", "thanh-hoa.yen-dinh", "--indicator", "1.1"])
        #expect(history.text.contains("yen-dinh-2022.csv") && history.text.contains(etl), "the file and the login it came from: \(history.text)")
        let refused = try run(f, as: analyst, ["load", f.home.reference + "/yen-dinh-2022.csv"])
        #expect(refused.status == 1 && refused.text.contains("lệnh dti load cần tài khoản etl") && refused.text.contains("là tài khoản analyst"), "\(refused.text)")
        for command in [["db", "create-login", "x_" + etl, "--kind", "analyst", "--no-password"], ["db", "migrate"]] {
            let admin = try run(f, as: etl, command)
            #expect(admin.status == 1 && admin.text.contains("lệnh dti \(command[0]) \(command[1]) cần chủ cơ sở dữ liệu"), "\(admin.text)")
        }
    }
}
