import DTITestSupport
import DTIWarehouse
import Foundation
import Testing

/// `dti load` checks every path before it reads or commits any file (issue 19, point 6): a directory crashed the
/// loader (SIGILL) after the files before it were committed.
@Suite("dti load checks every path first", .serialized)
struct LoadPathTests {
    @Test("a directory or a missing file among good files: exit 2, the paths named, nothing loaded, no crash")
    func badPathsRefuseTheWholeCommand() throws {
        let f = try DryRunTests().fixture("load-paths")
        let good = try f.file("good.csv", DryRunTests.header + "\(DryRunTests.x1),2024,commune-data-2024,3.5,a,120,,\n")
        let directory = f.scratch + "/a-folder"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let missing = f.scratch + "/khong-co.csv"
        let batches = try f.count("dti.load_batches"), sheets = try f.count("dti.submission_sheets")

        let r = try DTIProcess.run(["load", good, directory, missing], conninfo: f.database.conninfo)
        #expect(r.status == 2, "\(r.text)")
        #expect(r.text.contains("\(directory): là một thư mục"), "\(r.text)")
        #expect(r.text.contains("\(missing): không có tệp này"), "\(r.text)")
        #expect(r.text.contains("2 đường dẫn không nạp được; chưa nạp tệp nào"), "\(r.text)")
        #expect(try f.count("dti.load_batches") == batches, "the good file before the directory is not committed")
        #expect(try f.count("dti.submission_sheets") == sheets)

        let en = try DTIProcess.run(["load", "--lang", "en", directory], conninfo: f.database.conninfo)
        #expect(en.status == 2 && en.text.contains("\(directory): is a directory"), "\(en.text)")
    }

    @Test("several files: the summary names which were loaded, already loaded and refused; exit 2 when any was refused")
    func summaryOfSeveralFiles() throws {
        let f = try DryRunTests().fixture("load-summary")
        let good = try f.file("good.csv", DryRunTests.header + "\(DryRunTests.x1),2024,commune-data-2024,3.5,a,120,,\n")
        let bad = try f.file("bad.csv", DryRunTests.header + "\(DryRunTests.x1),2024,commune-data-2024,3.5,a,-4,,\n")
        #expect(try DTIProcess.run(["load", good], conninfo: f.database.conninfo).status == 0)
        let again = try f.file("good2.csv", DryRunTests.header + "\(DryRunTests.x1),2024,commune-data-2024,3.4,a,300,,\n")
        let r = try DTIProcess.run(["load", good, again, bad], conninfo: f.database.conninfo)
        #expect(r.status == 2, "\(r.text)")
        #expect(r.text.contains("Tổng kết 3 tệp:"), "\(r.text)")
        #expect(r.text.contains("  đã nạp: \(again)\n"), "\(r.text)")
        #expect(r.text.contains("  đã nạp từ trước: \(good)\n"), "\(r.text)")
        #expect(r.text.contains("  bị từ chối (không thay đổi gì): \(bad)\n"), "\(r.text)")
    }

    @Test("the connection lost in the middle of a load: exit 3, a clear line then libpq's words, nothing written, a reload succeeds")
    func lostConnection() throws {
        let f = try DryRunTests().fixture("load-lost")
        let good = try f.file("good.csv", DryRunTests.header + "\(DryRunTests.x1),2024,commune-data-2024,3.5,a,120,,\n")
        let batches = try f.count("dti.load_batches"), sheets = try f.count("dti.submission_sheets")
        let r = try DTIProcess.run(["load", good], conninfo: f.database.conninfo, environment: ["DTI_FAILPOINT_TERMINATE": "load.after-copy"])
        #expect(r.status == 3, "\(r.text)")
        let lines = r.text.split(separator: "\n").map(String.init)
        let at = lines.firstIndex { $0.contains("dti: lỗi: mất kết nối tới cơ sở dữ liệu") }
        #expect(at != nil, "\(r.text)")
        if let at { #expect(lines.count > at + 1 && lines[at + 1].hasPrefix("  "), "libpq's detail on the next line: \(r.text)") }
        #expect(!r.text.contains("Error: "), "no raw error: \(r.text)")
        #expect(try f.count("dti.load_batches") == batches && f.count("dti.submission_sheets") == sheets)
        let again = try DTIProcess.run(["load", good], conninfo: f.database.conninfo)
        #expect(again.status == 0, "\(again.text)")
        #expect(try f.count("dti.load_batches") == batches + 1)
    }
}
