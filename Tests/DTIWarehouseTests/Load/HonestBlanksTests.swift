import DTICore
import DTIFormats
import DTITestSupport
@testable import DTIWarehouse
import Foundation
import PostgresClient
import Testing

/// Honest blanks (issue 15, point 5), through the `dti` binary run by an ETL login, on 004's 1.2.1 (a = provincial
/// meetings the district leader attended, b = all such meetings): a blank is "not answered" and keeps nothing silently.
@Suite("Honest blanks: a blank value is not answered", .serialized)
struct HonestBlanksTests {
    static let header = "unit_code,year,catalogue,indicator,variable,value,evidence,stage\n"
    static let unit = "bac-giang.tan-yen"
    static let catalogue = "bac-giang-district-2022"

    func fixture(_ prefix: String) throws -> (WarehouseFixture, String) {
        let f = try WarehouseFixture(prefix, catalogues: ["bac-giang-district-2022"])
        let role = "t_etl_" + UUID().uuidString.prefix(8).lowercased()
        _ = try Logins(connection: f.db).create(role: role, kind: .etl, district: nil, password: WarehouseFixture.password(role))
        return (f, try f.conninfo(as: role))
    }

    static func line(_ indicator: String, _ variable: String, _ value: String) -> String {
        "\(unit),2022,\(catalogue),\(indicator),\(variable),\(value),,\n"
    }

    func current(_ f: WarehouseFixture, _ indicator: String, _ variable: String) throws -> String? {
        try f.db.query("""
            SELECT coalesce(value::text, value_text) AS v FROM dti.v_submitted_values
             WHERE unit_code = \(Self.unit) AND catalogue_id = \(Self.catalogue) AND year = 2022 AND indicator_code = \(indicator) AND variable = \(variable)
            """).first?["v"].text
    }

    @Test("a blank value is not answered: the record is neither refused nor written, the earlier value stays and is listed as kept")
    func blankIsNotAnswered() throws {
        let (f, etl) = try fixture("blanks-csv")
        let v1 = try f.file("v1.csv", Self.header + Self.line("1.2.1", "a", "3") + Self.line("1.2.1", "b", "4"))
        #expect(try DTIProcess.run(["load", v1], conninfo: etl).status == 0)
        let v2 = try f.file("v2.csv", Self.header + Self.line("1.2.1", "a", "") + Self.line("1.2.1", "b", "5"))
        let json = try DTIProcess.run(["load", "--dry-run", "--format", "json", v2], conninfo: etl)
        #expect(json.text.contains("\"not_answered\" : 1"), "\(json.text)")
        for args in [["load", "--dry-run", v2], ["load", v2]] {
            let r = try DTIProcess.run(args, conninfo: etl)
            #expect(r.status == 0, "a blank is not a reason to refuse the file: \(r.text)")
            #expect(!r.text.contains("thiếu giá trị"), "\(r.text)")
            #expect(r.text.contains("  \(Self.unit) 2022 \(Self.catalogue) self: mới 0, thay đổi 1, không đổi 0, chưa trả lời 1, giữ từ trước 1 (1.2.1.a)"), "\(r.text)")
        }
        #expect(try current(f, "1.2.1", "a") == "3", "not answered: the earlier a stays")
        #expect(try current(f, "1.2.1", "b") == "5")
    }

    @Test("a form line left blank in a re-submitted XLSX template is not answered, and the earlier value is listed as kept")
    func blankTemplateCell() throws {
        let (f, etl) = try fixture("blanks-xlsx")
        let v1 = try f.file("v1.csv", Self.header + Self.line("1.2.1", "a", "3") + Self.line("1.2.1", "b", "4"))
        #expect(try DTIProcess.run(["load", v1], conninfo: etl).status == 0)
        let form = f.scratch + "/form.xlsx"
        let t = try DTIProcess.run(["template", "--catalogue", Self.catalogue, "--unit", Self.unit, "--year", "2022", "--format", "xlsx", "--out", form], conninfo: f.database.conninfo)
        #expect(t.status == 0, "\(t.text)")
        let reader = try XLSXReader(path: form)
        let sheet = try #require(reader.sheetNames.first { $0 != "Hướng dẫn" })
        let rows = try reader.rows(sheet: sheet)
        func rowOf(_ indicator: String, _ variable: String) -> Int? {
            rows.first { r in
                r.cells.first { $0.column == 1 }?.value == .string(indicator) && r.cells.first { $0.column == 4 }?.value == .string(variable)
            }?.index
        }
        let b = try #require(rowOf("1.2.1", "b"))
        let lines = rows.filter { r in r.index > 6 && r.cells.contains { $0.column == 4 && $0.value != .empty } }.count
        try XLSXEditor.setCells(path: form, sheet: sheet, values: ["G\(b)": .number("6")])
        let dry = try DTIProcess.run(["load", "--dry-run", "--format", "json", form], conninfo: etl)
        #expect(dry.text.contains("\"not_answered\" : \(lines - 1)"), "\(dry.text)")
        let r = try DTIProcess.run(["load", form], conninfo: etl)
        #expect(r.status == 0, "\(r.text)")
        #expect(r.text.contains("mới 0, thay đổi 1, không đổi 0, chưa trả lời \(lines - 1), giữ từ trước 1 (1.2.1.a)"), "\(lines) lines: \(r.text)")
        #expect(try current(f, "1.2.1", "a") == "3")
        #expect(try current(f, "1.2.1", "b") == "6")
    }
}
