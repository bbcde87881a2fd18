import DTICore
import DTIFormats
import DTITestSupport
import DTIWarehouse
import Foundation
import PostgresClient
import Testing

@Suite("dti template → a person fills the XLSX → dti load", .serialized)
struct TemplateRoundTripTests {
    @Test("A district's commune form: one sheet for each of its communes, in code order; a district without communes is refused")
    func districtWorkbook() throws {
        let f = try WarehouseFixture("template-d", catalogues: ["unit-profile", "commune-data-2024", "bac-giang-district-2022"])
        try f.units(TanYenFixture.unitsCSV)
        let c = try CatalogueStore(connection: f.db).catalogue("commune-data-2024").catalogue
        let writer = TemplateWriter(connection: f.db)
        let units = try writer.units(for: c, unit: "bac-giang.tan-yen")
        #expect(units.map(\.code) == TanYenFixture.communes)
        let path = f.scratch + "/tan-yen.xlsx"
        try TemplateWriter.writeXLSX(c, units: units, year: 2024, lines: TemplateWriter.lines(c), to: path)
        #expect(try XLSXReader(path: path).sheetNames.count == 1 + 22)
        // Each refusal for its own reason, not just any error.
        let noCommunes = #expect(throws: DTIError.self) { _ = try writer.units(for: c, unit: "ha-noi.ba-dinh") }
        #expect(noCommunes?.message.vi.contains("không có đơn vị cấp commune nào trực thuộc") == true, "\(noCommunes?.message.vi ?? "")")
        let unknown = #expect(throws: DTIError.self) { _ = try writer.units(for: c, unit: "khong-co") }
        #expect(unknown?.message.vi.hasPrefix("không có đơn vị 'khong-co'") == true, "\(unknown?.message.vi ?? "")")
    }

    @Test("the commune form of commune-data-2024: every value written into the XLSX arrives in the database")
    func communeFormRoundTrip() throws {
        let f = try WarehouseFixture("template", catalogues: ["unit-profile", "commune-data-2024", "bac-giang-district-2022"])
        try f.units(TanYenFixture.unitsCSV)
        let loaded = try CatalogueStore(connection: f.db).catalogue("commune-data-2024")
        let writer = TemplateWriter(connection: f.db)
        let units = try writer.units(for: loaded.catalogue, unit: TanYenFixture.communes[0])
        let lines = TemplateWriter.lines(loaded.catalogue, fed: try writer.fedVariables(catalogueId: "commune-data-2024"))
        let path = f.scratch + "/xa.xlsx"
        try TemplateWriter.writeXLSX(loaded.catalogue, units: units, year: 2024, lines: lines, to: path)

        // The form: a help sheet, then one sheet for the unit, with the unit code in B2 and the verbatim names.
        let reader = try XLSXReader(path: path)
        #expect(reader.sheetNames.count == 2)
        let sheet = reader.sheetNames[1]
        let rows = try reader.rows(sheet: sheet)
        let cells = Dictionary(rows.flatMap(\.cells).map { ($0.reference, $0.value) }, uniquingKeysWith: { a, _ in a })
        #expect(cells["B2"] == .string(TanYenFixture.communes[0]))
        #expect(cells["B3"] == .string("commune-data-2024"))
        #expect(cells["A7"] == .string("1.1"))
        #expect(cells["B7"] == .string("Người đứng đầu Xã/Phường/Thị trấn (Bí thư/Chủ tịch Xã/Phường/Thị trấn) là Trưởng ban Ban chỉ đạo chuyển đổi số của Xã/Phường/Thị trấn"))

        // A person types values: yes/no words, whole numbers, a decimal with a comma, evidence text.
        var typed: [String: XLSXInput] = [:]
        var expected: [String: String] = [:]   // "indicator.variable" → stored value (machine text, yes/no as 1/0)
        for (k, line) in lines.enumerated() {
            let row = TemplateWriter.Layout.firstDataRow + k + 1
            let ref = "G\(row)"
            switch line.kind {
            case .yesno:
                typed[ref] = .string(k % 2 == 0 ? "có" : "không"); expected["\(line.indicator).\(line.variable)"] = k % 2 == 0 ? "1" : "0"
            case .amount:
                typed[ref] = .string("1,25"); expected["\(line.indicator).\(line.variable)"] = "1.25"
            case .text:
                typed[ref] = .string("hằng tuần"); expected["\(line.indicator).\(line.variable)"] = "hằng tuần"
            default:
                // equal counts satisfy every declared a <= b; the total of 6.3 (b + c <= a) is twice its parts
                let n = line.indicator == "6.3" && line.variable == "a" ? 200 : 100
                typed[ref] = .number(String(n)); expected["\(line.indicator).\(line.variable)"] = String(n)
            }
        }
        typed["H9"] = .string("Biên bản họp số 3/BB-UBND")
        try XLSXEditor.setCells(path: path, sheet: sheet, values: typed)

        let report = try SubmissionLoader(connection: f.db).load(path: path)
        #expect(report.committed, "\(report.rejected.map { "\($0.ref): \($0.message.vi)" })")
        #expect(report.accepted == lines.count)
        let stored = try f.db.query("""
            SELECT indicator_code || '.' || variable AS key, coalesce(CASE WHEN value_text IS NOT NULL AND value IS NULL THEN value_text END, value::text) AS v,
                   evidence, source_ref FROM dti.v_submitted_values WHERE unit_code = \(TanYenFixture.communes[0])
            """)
        var got: [String: String] = [:]
        for r in stored { got[try r["key"].decode(String.self)] = try r["v"].decode(String.self) }
        #expect(got == expected)
        let evidence = try f.db.query("SELECT evidence, source_ref FROM dti.v_submitted_values WHERE evidence IS NOT NULL")
        #expect(evidence.count == 1)
        #expect(try evidence[0]["evidence"].decode(String.self) == "Biên bản họp số 3/BB-UBND")
        #expect(try evidence[0]["source_ref"].decode(String.self) == "\(sheet)!G9")
    }

    @Test("a formula typed into a value cell is refused with the cell named")
    func formulaCell() throws {
        let f = try WarehouseFixture("formula", catalogues: ["unit-profile", "commune-data-2024", "bac-giang-district-2022"])
        try f.units(TanYenFixture.unitsCSV)
        let loaded = try CatalogueStore(connection: f.db).catalogue("commune-data-2024")
        let writer = TemplateWriter(connection: f.db)
        let lines = TemplateWriter.lines(loaded.catalogue)
        let path = f.scratch + "/f.xlsx"
        try TemplateWriter.writeXLSX(loaded.catalogue, units: try writer.units(for: loaded.catalogue, unit: TanYenFixture.communes[0]), year: 2024, lines: lines, to: path)
        let sheet = try XLSXReader(path: path).sheetNames[1]
        let row = TemplateWriter.Layout.firstDataRow + 1 + lines.firstIndex { $0.indicator == "3.5" }!
        try XLSXEditor.setCells(path: path, sheet: sheet, values: ["G\(row)": .formula("SUM(1,2)")])
        let before = try f.footprint()
        let report = try SubmissionLoader(connection: f.db).load(path: path)
        #expect(!report.committed)
        #expect(report.rejected.count == 1)
        #expect(report.rejected.first?.ref == "\(sheet)!G\(row)")
        #expect(report.rejected.first?.message.vi == "đơn vị \(TanYenFixture.communes[0]), chỉ số 3.5, biến a: ô chứa công thức (=SUM(1,2)): hãy nhập giá trị, không nhập công thức")
        #expect(try f.footprint() == before)
    }

    @Test("a truncated XLSX is refused as corrupt and changes nothing")
    func truncatedXLSX() throws {
        let f = try WarehouseFixture("truncated", catalogues: ["unit-profile", "commune-data-2024", "bac-giang-district-2022"])
        try f.units(TanYenFixture.unitsCSV)
        let loaded = try CatalogueStore(connection: f.db).catalogue("commune-data-2024")
        let path = f.scratch + "/t.xlsx"
        try TemplateWriter.writeXLSX(loaded.catalogue, units: [.init(code: TanYenFixture.communes[0], name: "x")], year: 2024,
                                     lines: TemplateWriter.lines(loaded.catalogue), to: path)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: path))
        let before = try f.footprint()
        #expect(throws: DTIError.self) { _ = try SubmissionLoader(connection: f.db).load(path: path) }
        do { _ = try SubmissionLoader(connection: f.db).load(path: path) } catch let e as DTIError {
            #expect(e.message.code == "xlsx.corrupt")
        }
        #expect(try f.footprint() == before)
    }
}
