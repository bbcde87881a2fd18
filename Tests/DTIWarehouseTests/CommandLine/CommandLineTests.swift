import DTITestSupport
import DTIWarehouse
import Foundation
import Testing

@Suite("The command line explains itself; units files are checked as a whole")
struct CommandLineTests {
    static let commands = ["", "db", "db up", "db down", "db status", "db url", "db migrate", "db create-login", "units", "units load",
                           "units list", "catalogue", "catalogue lint", "catalogue load", "catalogue list", "catalogue show", "load",
                           "score", "rollup", "status", "history", "template", "export", "synth",
                           "whatif", "serve"]

    @Test("Every command's --help says what it does and shows at least one example", arguments: commands)
    func help(_ command: String) throws {
        let r = try DTIProcess.run(command.split(separator: " ").map(String.init) + ["--help"], conninfo: "")
        #expect(r.status == 0)
        #expect(r.text.contains("TỔNG QUAN:"), "Vietnamese by default")
        #expect(r.text.contains("CÁCH DÙNG: dti"))
        let en = try DTIProcess.run(command.split(separator: " ").map(String.init) + ["--help", "--lang", "en"], conninfo: "")
        #expect(en.status == 0 && en.text.contains("OVERVIEW:") && en.text.contains("USAGE: dti"))
        #expect(r.text.split(separator: "\n").contains { $0.hasPrefix("  dti ") }, "an example line: \(command)")
    }

    @Test("A units file with an unknown parent fails with its line number and loads nothing")
    func unknownParent() throws {
        let f = try WarehouseFixture("cli-units")
        let before = try f.count("dti.units")
        let path = try f.file("units.csv", """
            code,name,level,parent_code,valid_from,valid_to,predecessors
            bac-giang.tan-yen.xa-a,Xã A (dữ liệu giả),commune,bac-giang.tan-yen,,,
            bac-giang.khong-co.xa-b,Xã B (dữ liệu giả),commune,bac-giang.khong-co,,,

            """)
        let r = try DTIProcess.run(["units", "load", path], conninfo: f.database.conninfo)
        #expect(r.status == 2, "\(r.text)")
        // The line and the reason, not just the code echoed back: "units.csv:3: đơn vị cấp trên '…' không có …".
        #expect(r.text.contains("units.csv:3: đơn vị cấp trên 'bac-giang.khong-co' không có trong tệp lẫn cơ sở dữ liệu"), "\(r.text)")
        #expect(!r.text.contains("units.csv:2:"), "the good line is not blamed: \(r.text)")
        #expect(try f.count("dti.units") == before, "the good line 2 is not loaded either")
    }

    @Test("Exit codes: 1 for a usage error, 2 for rejected input")
    func exitCodes() throws {
        #expect(try DTIProcess.run(["export", "--unit", "x", "--years", "abc", "--format", "csv"], conninfo: "").status == 1)
        #expect(try DTIProcess.run(["rollup", "--frobnicate"], conninfo: "").status == 1)
        let bad = TestServer.repositoryRoot + "/Tests/DTIWarehouseTests/Fixtures/catalogues/broken-district-2022.yaml"
        #expect(try DTIProcess.run(["catalogue", "lint", bad], conninfo: "").status == 2)
    }
}
