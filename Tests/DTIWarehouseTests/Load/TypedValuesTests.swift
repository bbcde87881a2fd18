import DTICore
import DTIFormats
import DTITestSupport
@testable import DTIWarehouse
import Foundation
import PostgresClient
import Testing

/// Values typed the way Excel shows them (issue 15, point 4), through the `dti` binary run by an ETL login: "45%" by
/// the variable's `scale:`, thousands separators by the file's decimal separator, "2.768" refused when nothing says.
@Suite("Excel-typed values: percent, thousands separators, --decimal", .serialized)
struct TypedValuesTests {
    static let header = "unit_code,year,catalogue,indicator,variable,value,evidence,stage\n"
    static let unit = "bac-giang.tan-yen"
    static let catalogue = "typed-values-district-2024"
    static let fixtureCatalogue = TestServer.repositoryRoot + "/Tests/DTIWarehouseTests/Load/Fixtures/catalogues/\(catalogue).yaml"

    /// A warehouse with the fixture catalogue and an ETL login (the kind of login that runs `dti load`).
    func fixture(_ prefix: String) throws -> (WarehouseFixture, String) {
        let f = try WarehouseFixture(prefix)
        _ = try CatalogueStore(connection: f.db).load(paths: [Self.fixtureCatalogue])
        let role = "t_etl_" + UUID().uuidString.prefix(8).lowercased()
        _ = try Logins(connection: f.db).create(role: role, kind: .etl, district: nil, password: WarehouseFixture.password(role))
        return (f, try f.conninfo(as: role))
    }

    static func line(_ indicator: String, _ variable: String, _ value: String) -> String {
        "\(unit),2024,\(catalogue),\(indicator),\(variable),\(value.contains(",") ? "\"\(value)\"" : value),,\n"
    }

    /// The current value of an item, as the database stores it (machine text).
    func stored(_ f: WarehouseFixture, _ indicator: String, _ variable: String) throws -> String? {
        try f.db.query("""
            SELECT value::text AS v FROM dti.v_submitted_values
             WHERE unit_code = \(Self.unit) AND catalogue_id = \(Self.catalogue) AND indicator_code = \(indicator) AND variable = \(variable)
            """).first?["v"].text
    }

    @Test("'45%' and '45 %' by the variable's scale: 45 for a percent, 0.45 for a ratio; in a count it is refused naming what was typed")
    func percentInCSV() throws {
        let (f, etl) = try fixture("typed-percent")
        let bad = try f.file("count.csv", Self.header + Self.line("1.1", "a", "45%") + Self.line("1.1", "b", "60"))
        for args in [["load", bad], ["load", "--dry-run", bad]] {
            let r = try DTIProcess.run(args, conninfo: etl)
            #expect(r.status == 2, "\(r.text)")
            #expect(r.text.contains("\(bad):2: đơn vị \(Self.unit), chỉ số 1.1, biến a: '45%' là một tỷ lệ phần trăm, nhưng biến a là số lượng (số nguyên ≥ 0): nhập số đếm được, không có dấu %"), "\(r.text)")
            #expect(!r.text.contains("0.45") && !r.text.contains("0,45"), "not the number Excel stores behind it: \(r.text)")
        }
        #expect(try stored(f, "1.1", "a") == nil)

        let good = try f.file("percent.csv", Self.header + Self.line("1.2", "a", "45%") + Self.line("1.3", "a", "45 %"))
        let r = try DTIProcess.run(["load", good], conninfo: etl)
        #expect(r.status == 0, "\(r.text)")
        #expect(try stored(f, "1.2", "a") == "45", "a percent variable: 45")
        #expect(try stored(f, "1.3", "a") == "0.45", "a ratio variable: 0.45")

        // A number variable without scale: both readings, in English too.
        let en = try DTIProcess.run(["load", "--lang", "en", try f.file("amount.csv", Self.header + Self.line("2.1", "a", "12,5%"))], conninfo: etl)
        #expect(en.status == 2)
        #expect(en.text.contains("'12,5%' has a percent sign, but the catalogue does not say whether variable a is a percent or a ratio (scale: percent|ratio), so it could be 12.5 or 0.125"), "\(en.text)")
    }

    @Test("an Excel cell formatted as a percent (stored 0.45) reads as what the person typed: '45%'")
    func percentCellInXLSX() throws {
        let (f, etl) = try fixture("typed-xlsx")
        func workbook(_ name: String, _ rows: [(String, String, Decimal)]) throws -> String {
            let path = f.scratch + "/" + name
            let w = try XLSXWriter(path: path)
            let s = try w.addSheet("tan-yen")
            let pct = w.format(XLSXFormat(numberFormat: "0%"))
            s.write(row: 1, col: 0, string: "Mã đơn vị"); s.write(row: 1, col: 1, string: Self.unit); s.write(row: 1, col: 4, number: 2024)
            s.write(row: 2, col: 0, string: "Bộ chỉ số"); s.write(row: 2, col: 1, string: Self.catalogue); s.write(row: 2, col: 4, string: "self")
            for (k, (indicator, variable, value)) in rows.enumerated() {
                s.write(row: 6 + k, col: 0, string: indicator); s.write(row: 6 + k, col: 3, string: variable)
                s.write(row: 6 + k, col: 6, number: value, format: pct)
            }
            try w.close()
            return path
        }
        let bad = try workbook("count.xlsx", [("1.1", "a", Decimal(string: "0.45")!)])
        let r = try DTIProcess.run(["load", bad], conninfo: etl)
        #expect(r.status == 2, "\(r.text)")
        #expect(r.text.contains("\(bad):tan-yen!G7: đơn vị \(Self.unit), chỉ số 1.1, biến a: '45%' là một tỷ lệ phần trăm"), "\(r.text)")
        #expect(!r.text.contains("phải là số nguyên"), "not \"'0.45' phải là số nguyên\": \(r.text)")

        let good = try workbook("percent.xlsx", [("1.2", "a", Decimal(string: "0.45")!), ("1.3", "a", Decimal(string: "0.3")!)])
        let ok = try DTIProcess.run(["load", good], conninfo: etl)
        #expect(ok.status == 0, "\(ok.text)")
        #expect(try stored(f, "1.2", "a") == "45")
        #expect(try stored(f, "1.3", "a") == "0.3")
    }

    @Test("'2.768' in an amount: refused with both readings when nothing in the file says; --decimal or the file's other values decide")
    func ambiguousThousands() throws {
        let (f, etl) = try fixture("typed-thousands")
        let alone = try f.file("alone.csv", Self.header + Self.line("2.1", "a", "2.768") + Self.line("2.1", "b", "5000"))
        let before = try f.footprint()
        for args in [["load", alone], ["load", "--dry-run", alone]] {
            let r = try DTIProcess.run(args, conninfo: etl)
            #expect(r.status == 2, "\(r.text)")
            #expect(r.text.contains("\(alone):2: đơn vị \(Self.unit), chỉ số 2.1, biến a: '2.768' đọc được hai cách: 2768 (nếu '.' phân cách hàng nghìn) hoặc 2,768 (nếu '.' là dấu thập phân)"), "\(r.text)")
            #expect(r.text.contains("cần số tiền (tỷ đồng)") && r.text.contains("--decimal comma"), "\(r.text)")
        }
        #expect(try f.footprint() == before, "nothing of the file loaded")

        // --decimal says how to read it.
        #expect(try DTIProcess.run(["load", "--decimal", "comma", alone], conninfo: etl).status == 0)
        #expect(try stored(f, "2.1", "a") == "2768")
        let again = try f.file("alone-dot.csv", Self.header + Self.line("2.1", "a", "2.768") + Self.line("2.1", "b", "5000") + "\n")
        #expect(try DTIProcess.run(["load", "--decimal", "dot", again], conninfo: etl).status == 0)
        #expect(try stored(f, "2.1", "a") == "2.768")

        // The file's other values say it: "0,5" writes decimals with a comma, so "2.768" is 2768 and "1.234.567" 1234567.
        let comma = try f.file("comma.csv", Self.header + Self.line("2.1", "a", "2.769") + Self.line("2.1", "b", "1.234.567") + Self.line("1.3", "a", "0,5"))
        let c = try DTIProcess.run(["load", comma], conninfo: etl)
        #expect(c.status == 0, "\(c.text)")
        #expect(try stored(f, "2.1", "a") == "2769")
        #expect(try stored(f, "2.1", "b") == "1234567")
        // "12.25" writes decimals with a dot, so "2.770" is 2.77.
        let dot = try f.file("dot.csv", Self.header + Self.line("2.1", "a", "2.770") + Self.line("2.1", "b", "12.25"))
        #expect(try DTIProcess.run(["load", dot], conninfo: etl).status == 0)
        #expect(try stored(f, "2.1", "a") == "2.770", "2.77, as written")

        // A value that contradicts --decimal is refused.
        let conflict = try f.file("conflict.csv", Self.header + Self.line("2.1", "b", "1.234.567"))
        let x = try DTIProcess.run(["load", "--decimal", "dot", conflict], conninfo: etl)
        #expect(x.status == 2)
        #expect(x.text.contains("\(conflict):2: đơn vị \(Self.unit), chỉ số 2.1, biến b: '1.234.567' dùng ',' làm dấu thập phân, nhưng lệnh nạp có --decimal dot"), "\(x.text)")
        // In a count, a number with separators is refused as ambiguous too; points keep the decimal reading.
        let count = try f.file("count.csv", Self.header + Self.line("1.1", "a", "1,500") + Self.line("1.1", "b", "2000"))
        let n = try DTIProcess.run(["load", count], conninfo: etl)
        #expect(n.status == 2 && n.text.contains("'1,500' đọc được hai cách: 1500 (nếu ',' phân cách hàng nghìn) hoặc 1,5"), "\(n.text)")
    }

    @Test("TypedNumber reads what people type", arguments: [
        ("12", "12", "plain"), ("0,5", "0.5", "comma"), ("12.25", "12.25", "dot"), ("0.500", "0.5", "dot"), ("2.768", "2.768", "ambiguous ."),
        ("2,768", "2.768", "ambiguous ,"), ("1.234.567", "1234567", "comma"), ("1,234,567", "1234567", "dot"), ("1.234,5", "1234.5", "comma"),
        ("1,234.5", "1234.5", "dot"), ("-2.768", "-2.768", "ambiguous ."), ("1234.567", "1234.567", "dot"), ("45%", "45", "plain %"),
        ("45 %", "45", "plain %"), ("12,5 %", "12.5", "comma %"),
    ])
    func reading(_ text: String, _ value: String, _ form: String) throws {
        let n = try TypedNumber.read(text).get()
        let f: String = switch n.form {
        case .plain: "plain"
        case .shows(let c): c.rawValue
        case .ambiguous(let s, _): "ambiguous \(s.separator)"
        }
        #expect(n.value == value)
        #expect(f + (n.percent ? " %" : "") == form)
    }

    @Test("not numbers: '1.23.456', '1,2,3', '1.234.5', '1.2,3,4', '%'", arguments: ["1.23.456", "1,2,3", "1.234.5", "1.2,3,4", "%", "0.234.567"])
    func notNumbers(_ text: String) {
        #expect((try? TypedNumber.read(text).get()) == nil, "\(text)")
    }
}
