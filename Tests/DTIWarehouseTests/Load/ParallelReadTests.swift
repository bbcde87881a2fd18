@testable import DTIWarehouse
import DTICore
import Foundation
import Testing

/// A large CSV is read in two halves at once; the result must be exactly that of one reader going from start to end:
/// the same records in the same order, numbered the same, and the same error where the file is bad.
@Suite("Reading a large CSV in two halves")
struct ParallelReadTests {
    static let header = "unit_code,year,catalogue,indicator,variable,value,evidence,stage\r\n"

    /// About 10 MB of records with quoted fields, commas and line feeds inside quotes, CRLF ends, Vietnamese text.
    static func body(records: Int, quotedAcrossMiddle: Bool = false) -> String {
        var s = header
        s.reserveCapacity(records * 90)
        for k in 0..<records {
            let unit = "mau-\(String(format: "%02d", k / 40_000)).h\(k / 4_000 % 10).x\(k / 86 % 47)"
            let value = k % 7 == 0 ? "có" : k % 11 == 0 ? "\"0,\(k % 10)\"" : "\(k % 1000)"
            let evidence = k % 13 == 0 ? "\"Quyết định số \(k), ngày 1/1\"" : ""
            s += "\(unit),\(2022 + k % 3),commune-data-2024,\(k % 9 + 1).\(k % 5 + 1),\(k % 2 == 0 ? "a" : "b"),\(value),\(evidence),self\r\n"
        }
        if quotedAcrossMiddle {
            // One evidence field holding line feeds from well before to well after the half-way point: a record put in
            // at a line break just before the middle.
            var bytes = Array(s.utf8)
            var cut = bytes.count / 2 - 300_000
            while bytes[cut - 1] != 0x0A { cut -= 1 }
            let record = "mau-99.h0.x0,2024,commune-data-2024,1.1,a,5,\"" + String(repeating: "dòng\n", count: 200_000) + "\",self\r\n"
            bytes.insert(contentsOf: Array(record.utf8), at: cut)
            s = String(decoding: bytes, as: UTF8.self)
        }
        return s
    }

    static func write(_ text: String, _ name: String) throws -> String {
        let path = NSTemporaryDirectory() + "dti-halves-\(UUID().uuidString.prefix(8))-\(name)"
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    static func sequential(_ path: String) throws -> StagedFile {
        var staged = StagedFile()
        var scanner = try CSVSubmissionScanner(path: path, defaultStage: .selfAssessment)
        try scanner.read(into: &staged, progress: ReadProgress(nil))
        return staged
    }

    static func same(_ a: StagedFile, _ b: StagedFile) {
        #expect(a.count == b.count)
        #expect(a.keyTexts == b.keyTexts && a.itemTexts == b.itemTexts)
        #expect(a.keyNo == b.keyNo && a.itemNo == b.itemNo)
        #expect(a.value == b.value && a.numberForm == b.numberForm && a.lines == b.lines && a.refs == b.refs)
        #expect(a.normalizedNumbers == b.normalizedNumbers && a.evidence == b.evidence && a.problem == b.problem)
    }

    @Test("two halves give the records, numbers and lines of one reader")
    func sameRecords() throws {
        let path = try Self.write(Self.body(records: 160_000), "plain.csv")
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(try FileManager.default.attributesOfItem(atPath: path)[.size] as! Int >= 8 << 20)
        let halves = try #require(try StagedFile.readInHalves(path: path, defaultStage: .selfAssessment, expectedRecords: 0, progress: ReadProgress(nil)))
        let whole = try Self.sequential(path)
        Self.same(halves, whole)
        #expect(whole.count == 160_000 && whole.evidence.count > 9_000 && whole.normalizedNumbers.count > 9_000)
    }

    @Test("a quoted field across the half-way line: the halves are not used, and one reader reads the file")
    func quotedAcrossMiddle() throws {
        let path = try Self.write(Self.body(records: 160_000, quotedAcrossMiddle: true), "quoted.csv")
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(try StagedFile.readInHalves(path: path, defaultStage: .selfAssessment, expectedRecords: 0, progress: ReadProgress(nil)) == nil)
        let (read, _) = try StagedFile.read(path: path, defaultStage: .selfAssessment, expectedRecords: 0, progress: nil)
        Self.same(read, try Self.sequential(path))
        #expect(read.count == 160_001 && read.evidence.values.contains { $0.hasPrefix("dòng\ndòng\n") })
    }

    @Test("a bad byte in the second half is refused with the offset and line of the whole file")
    func errorInSecondHalf() throws {
        var bytes = Array(Self.body(records: 160_000).utf8)
        let at = bytes.count * 3 / 4
        bytes[at] = 0xFF
        let path = NSTemporaryDirectory() + "dti-halves-\(UUID().uuidString.prefix(8))-bad.csv"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        func message(_ body: () throws -> Void) -> String {
            do { try body(); return "no error" } catch let e as DTIError { return e.message.en } catch { return "\(error)" }
        }
        let halves = message { _ = try StagedFile.readInHalves(path: path, defaultStage: .selfAssessment, expectedRecords: 0, progress: ReadProgress(nil)) }
        let whole = message { _ = try Self.sequential(path) }
        #expect(halves == whole)
        #expect(whole.contains("invalid byte at offset \(at)"), "\(whole)")
        let line = bytes[..<at].filter { $0 == 0x0A }.count + 1
        #expect(whole.contains("(line \(line),"), "\(whole)")
    }
}
