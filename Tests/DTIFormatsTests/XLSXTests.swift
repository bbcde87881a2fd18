import DTIFormats
import Foundation
import Testing

@Suite("XLSX writing (libxlsxwriter) and reading (ZIPFoundation + XMLParser)")
struct XLSXTests {
    func scratch(_ name: String) -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("dti-xlsx-" + UUID().uuidString.prefix(8))
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir.appendingPathComponent(name).path
    }

    @Test("Strings (Vietnamese), numbers, formulas and dates written by the writer read back with their values")
    func roundTrip() throws {
        let path = scratch("t.xlsx")
        let book = try XLSXWriter(path: path)
        let sheet = try book.addSheet("Xã mẫu 01")
        let date = book.format(XLSXFormat(numberFormat: "dd/mm/yyyy"))
        sheet.write(row: 0, col: 0, string: "Tỷ lệ hộ gia đình có kết nối Internet băng rộng cáp quang")
        sheet.write(row: 0, col: 1, number: Decimal(string: "0.5")!)
        sheet.write(row: 1, col: 1, number: 12)
        sheet.writeFormula(row: 2, col: 1, formula: "=B1+B2")
        sheet.write(row: 3, col: 1, number: 45627, format: date)   // 2024-12-01
        try book.close()

        let reader = try XLSXReader(path: path)
        #expect(reader.sheetNames == ["Xã mẫu 01"])
        let cells = Dictionary(uniqueKeysWithValues: try reader.rows(sheet: "Xã mẫu 01").flatMap(\.cells).map { ($0.reference, $0) })
        #expect(cells["A1"]?.value == .string("Tỷ lệ hộ gia đình có kết nối Internet băng rộng cáp quang"))
        #expect(cells["B1"]?.value == .number("0.5"))
        #expect(cells["B2"]?.value == .number("12"))
        #expect(cells["B3"]?.formula == "B1+B2")
        #expect(cells["B4"]?.value == .date(year: 2024, month: 12, day: 1))
    }

    @Test("The editor fills cells the way a person would, and the reader sees them")
    func editor() throws {
        let path = scratch("form.xlsx")
        let book = try XLSXWriter(path: path)
        let sheet = try book.addSheet("Form")
        sheet.write(row: 0, col: 0, string: "giá trị")
        try book.close()
        try XLSXEditor.setCells(path: path, sheet: "Form", values: ["B1": .number("7.25"), "C2": .string("có"), "D3": .formula("B1*2")])
        let cells = Dictionary(uniqueKeysWithValues: try XLSXReader(path: path).rows(sheet: "Form").flatMap(\.cells).map { ($0.reference, $0) })
        #expect(cells["A1"]?.value == .string("giá trị"))
        #expect(cells["B1"]?.value == .number("7.25"))
        #expect(cells["C2"]?.value == .string("có"))
        #expect(cells["D3"]?.formula == "B1*2")
    }

    @Test("A truncated or non-ZIP file is refused as corrupt, not read as empty")
    func corrupt() throws {
        let path = scratch("bad.xlsx")
        let book = try XLSXWriter(path: path)
        _ = try book.addSheet("S")
        try book.close()
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        try data.prefix(data.count / 2).write(to: URL(fileURLWithPath: path))
        // The exact code, not just any FormatError: a missing file (xlsx.open) or a missing sheet (xlsx.sheet) must not pass.
        let halfError = #expect(throws: FormatError.self) { _ = try XLSXReader(path: path).rows(sheet: "S") }
        #expect(halfError?.code == "xlsx.corrupt", "\(String(describing: halfError))")
        try Data("not a zip".utf8).write(to: URL(fileURLWithPath: path))
        let notZip = #expect(throws: FormatError.self) { _ = try XLSXReader(path: path) }
        #expect(notZip?.code == "xlsx.corrupt", "\(String(describing: notZip))")
    }
}
