import DTICore
import DTIFormats
import DTITestSupport
import DTIWarehouse
import Foundation
import PostgresClient
import Testing

/// Tân Yên with its 22 synthetic sample communes (etl/samples/tan-yen), loaded and rolled up for 2022–2024.
enum ExportFixture {
    static let unit = "bac-giang.tan-yen"

    static func make(_ prefix: String) throws -> WarehouseFixture {
        let f = try WarehouseFixture(prefix, catalogues: ["bac-giang-district-2022", "commune-data-2024", "unit-profile"])
        let samples = TestServer.repositoryRoot + "/etl/samples/tan-yen"
        _ = try UnitsLoader(connection: f.db).load(path: samples + "/units.csv")
        let loader = SubmissionLoader(connection: f.db)
        for year in 2022...2024 {
            for kind in ["profiles", "commune-data", "district"] {
                let r = try loader.load(path: "\(samples)/\(kind)-\(year).csv")
                #expect(r.committed && r.rejected.isEmpty, "\(kind)-\(year): \(r.rejected.prefix(3).map { "\($0.ref) \($0.message.vi)" })")
            }
        }
        for year in 2022...2024 { _ = try Rollup(connection: f.db).run(province: "bac-giang", year: year, stage: .final) }
        return f
    }

    /// v_year_comparison for the unit, keyed "pillar|year" ("" for the index).
    static func comparisonView(_ f: WarehouseFixture) throws -> [String: [String: Decimal?]] {
        var out: [String: [String: Decimal?]] = [:]
        for r in try f.db.query("""
            SELECT coalesce(pillar_code, '') AS pillar, year, points, max_points, percent, rank::numeric AS rank, delta_points, delta_percent,
                   delta_rank::numeric AS delta_rank
              FROM dti.v_year_comparison WHERE unit_code = \(unit) AND year BETWEEN 2022 AND 2024
            """) {
            let key = "\(try r["pillar"].decode(String.self))|\(try r["year"].decode(Int.self))"
            var row: [String: Decimal?] = [:]
            for c in ["points", "max_points", "percent", "rank", "delta_points", "delta_percent", "delta_rank"] { row[c] = try r[c].decode(Decimal?.self) }
            out[key] = row
        }
        return out
    }
}

@Suite("Export: CSV, XLSX and HTML read back against the views; crosswalks", .serialized)
struct ExportTests {
    static let checked = ["points", "max_points", "percent", "rank", "delta_points", "delta_percent", "delta_rank"]

    @Test("The comparison CSV and XLSX carry exactly the values of v_year_comparison (points, percent, ranks, deltas); the HTML has the cells")
    func filesMatchViews() throws {
        let f = try ExportFixture.make("export-files")
        let view = try ExportFixture.comparisonView(f)
        #expect(view.count == 27, "8 pillars and the index × 3 years")
        let doc = try ExportQuery(connection: f.db).build(.init(unit: ExportFixture.unit, years: 2022...2024, children: true))
        let table = try #require(doc.tables.first { $0.key == "comparison" })
        let base = f.scratch + "/tan-yen"

        // CSV with --precision full: UTF-8 with BOM, the header in Vietnamese, machine numbers with every digit.
        let csvPaths = try ExportFiles.write(doc, format: .csv, base: base, language: .vi, csv: .init(precision: .full))
        let csvData = try Data(contentsOf: URL(fileURLWithPath: base + ".csv"))
        #expect(Array(csvData.prefix(3)) == [0xEF, 0xBB, 0xBF])
        var reader = try CSVReader(path: base + ".csv")
        let records = try reader.readAll()
        #expect(records[0].fields == table.columns.map(\.header))
        #expect(records.count - 1 == 27)
        let col = Dictionary(uniqueKeysWithValues: table.columns.enumerated().map { ($0.element.key, $0.offset) })
        for rec in records.dropFirst() {
            let key = "\(rec.fields[col["pillar_code"]!])|\(rec.fields[col["year"]!])"
            let expected = try #require(view[key], "\(key) is in the view")
            for c in Self.checked {
                let text = rec.fields[col[c]!]
                #expect((text.isEmpty ? nil : Decimal(string: text)) == expected[c]!, "CSV \(key) \(c)")
            }
        }
        #expect(csvPaths.contains(base + "-communes.csv"))
        #expect(!csvPaths.contains(base + "-children.csv"), "communes have no index of their own: no empty table")

        // XLSX, read back with the project's own reader: numbers are doubles in XLSX, so equal to 12 significant digits.
        _ = try ExportFiles.write(doc, format: .xlsx, base: base, language: .vi)
        let xlsx = try XLSXReader(path: base + ".xlsx")
        #expect(xlsx.sheetNames.contains("So sánh") && xlsx.sheetNames.contains("Biểu đồ"))
        let rows = try xlsx.rows(sheet: "So sánh")
        let header = rows.first { $0.index == 2 }!.cells.map { if case .string(let s) = $0.value { s } else { "" } }
        #expect(header == table.columns.map(\.header))
        var seen = 0
        for row in rows where row.index >= 3 {
            func cell(_ key: String) -> XLSXValue { row.cells.first { $0.column == col[key]! + 1 }?.value ?? .empty }
            guard case .number(let year) = cell("year") else { continue }
            let pillar: String = if case .string(let s) = cell("pillar_code") { s } else { "" }
            let key = "\(pillar)|\(year)"
            let expected = try #require(view[key], "XLSX \(key)")
            for c in Self.checked {
                let actual: Decimal? = if case .number(let n) = cell(c) { Decimal(string: n) } else { nil }
                switch (actual, expected[c]!) {
                case (nil, nil): break
                case (let a?, let e?): #expect(abs(NSDecimalNumber(decimal: a - e).doubleValue) < 1e-9, "XLSX \(key) \(c): \(a) vs \(e)")
                default: Issue.record("XLSX \(key) \(c): \(String(describing: actual)) vs \(String(describing: expected[c]!))")
                }
            }
            seen += 1
        }
        #expect(seen == 27)

        // HTML: one page with the table cells as people read them (Vietnamese decimals) and an inline SVG chart.
        _ = try ExportFiles.write(doc, format: .html, base: base, language: .vi)
        let html = try String(contentsOfFile: base + ".html", encoding: .utf8)
        #expect(html.contains("<svg") && html.contains("@media print"))
        let index2024 = try #require(view["|2024"]?["points"] ?? nil)
        #expect(html.contains(">\(DecimalText.vietnamese(index2024, fractionDigits: 3))<"), "the 2024 index as a cell")
        #expect(html.contains(">Tổng (chỉ số DTI)<") && html.contains(">Hoạt động chính quyền số<"))
        #expect(!html.contains("<script src") && !html.contains("<link ") && !html.contains("<img src=\"http"), "self-contained: nothing fetched")
    }

    @Test("English headers with --lang en")
    func english() throws {
        let f = try ExportFixture.make("export-en")
        let doc = try ExportQuery(connection: f.db).build(.init(unit: ExportFixture.unit, years: 2023...2024, language: .en))
        #expect(doc.tables.first { $0.key == "comparison" }?.columns.map(\.header).prefix(3) == ["Code", "Pillar", "Year"])
    }

    @Test("Crosswalk: a renamed and a split indicator compare across catalogues; a dropped one is marked not comparable")
    func crosswalk() throws {
        let f = try WarehouseFixture("export-cw")
        let fixtures = TestServer.repositoryRoot + "/Tests/DTIWarehouseTests/Fixtures/catalogues"
        _ = try CatalogueStore(connection: f.db).load(paths: [fixtures + "/cw-district-2022.yaml", fixtures + "/cw-district-2023.yaml"])
        let u = ExportFixture.unit
        let rows = ["2022,cw-district-2022,1.1,8", "2022,cw-district-2022,1.2,4", "2022,cw-district-2022,2.1,12", "2022,cw-district-2022,3.1,5",
                    "2023,cw-district-2023,1.1,9", "2023,cw-district-2023,1.5,6", "2023,cw-district-2023,2.1,7", "2023,cw-district-2023,2.2,8",
                    "2023,cw-district-2023,3.9,2"]
            .map { r -> String in let p = r.split(separator: ","); return "\(u),\(p[0]),\(p[1]),\(p[2]),points,\(p[3]),," }
        _ = try SubmissionLoader(connection: f.db).load(path: try f.file("cw.csv", RollupFixture.header + rows.joined(separator: "\n") + "\n"))
        for y in [2022, 2023] { _ = try Rollup(connection: f.db).run(province: "bac-giang", year: y, stage: .final) }
        let cwDir = f.scratch + "/crosswalks"
        try FileManager.default.createDirectory(atPath: cwDir, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: fixtures + "/cw-district-2022-to-2023.yaml", toPath: cwDir + "/cw.yaml")
        let crosswalks = try CrosswalkFiles.load(directory: cwDir)

        let doc = try ExportQuery(connection: f.db).build(.init(unit: u, years: 2022...2023, detail: .indicator, crosswalks: crosswalks))
        let table = try #require(doc.tables.first { $0.key == "indicators" })
        let col = Dictionary(uniqueKeysWithValues: table.columns.enumerated().map { ($0.element.key, $0.offset) })
        var y2023: [String: [ExportCell]] = [:]
        for r in table.rows where r[col["year"]!] == .integer(2023) { if case .text(let code) = r[col["indicator_code"]!] { y2023[code] = r } }
        func value(_ code: String, _ key: String) -> ExportCell? { y2023[code]?[col[key]!] }
        #expect(value("1.1", "delta_points") == .number(1))
        #expect(value("1.5", "prev_points") == .number(4) && value("1.5", "delta_points") == .number(2))
        #expect(value("1.5", "comparability") == .text("đổi mã/tên từ 1.2"))
        #expect(value("2.1+2.2", "points") == .number(15) && value("2.1+2.2", "delta_points") == .number(3))
        #expect(value("2.1+2.2", "delta_percent") == .number(15), "75% − 60%")
        #expect(value("2.1+2.2", "comparability") == .text("tách từ 2.1"))
        #expect(value("3.1", "comparability") == .text("bỏ: không so sánh được") && value("3.1", "delta_points") == .empty)
        #expect(value("3.9", "comparability") == .text("mới: không so sánh được") && value("3.9", "delta_points") == .empty)

        // Without the crosswalk the two catalogues are not compared indicator by indicator, and the export says so.
        let bare = try ExportQuery(connection: f.db).build(.init(unit: u, years: 2022...2023, detail: .indicator))
        #expect(bare.notes.contains { $0.contains("không có bảng đối chiếu") })
        // Pillars still compare through percent of max.
        let pillars = try #require(bare.tables.first { $0.key == "comparison" })
        let pcol = Dictionary(uniqueKeysWithValues: pillars.columns.enumerated().map { ($0.element.key, $0.offset) })
        func pillarRow(_ code: String, _ year: Int) -> [ExportCell]? {
            pillars.rows.first { $0[pcol["year"]!] == .integer(year) && ($0[pcol["pillar_code"]!] == .text(code) || code.isEmpty && $0[pcol["pillar_code"]!] == .empty) }
        }
        // The total (no pillar code): 29 of 45 points in 2022, 32 of 45 in 2023; its change in percent of max is
        // the difference of the two percents, and pillars 1 and 3 change by +15 (60% → 75%) and −60 (100% → 40%).
        let total2022 = try #require(pillarRow("", 2022)), total2023 = try #require(pillarRow("", 2023))
        #expect(total2022[pcol["points"]!] == .number(29) && total2022[pcol["max_points"]!] == .number(45))
        #expect(total2023[pcol["points"]!] == .number(32) && total2023[pcol["max_points"]!] == .number(45))
        guard case .number(let p22) = total2022[pcol["percent"]!], case .number(let p23) = total2023[pcol["percent"]!] else {
            Issue.record("the totals have a percent of max"); return
        }
        #expect(p23 - p22 > 6.666 && p23 - p22 < 6.667, "(32 − 29) / 45 = 6.67 percentage points")
        #expect(total2023[pcol["delta_percent"]!] == .number(p23 - p22))
        #expect(pillarRow("1", 2023)?[pcol["delta_percent"]!] == .number(15))
        #expect(pillarRow("3", 2023)?[pcol["delta_percent"]!] == .number(-60))
    }

    @Test("A district login exports only what row-level security lets it see")
    func districtLoginExport() throws {
        let f = try ExportFixture.make("export-rls")
        _ = try CatalogueStore(connection: f.db).load(paths: [f.home.catalogues + "/thanh-hoa-district-2022.yaml"])
        _ = try SubmissionLoader(connection: f.db).load(path: f.home.reference + "/yen-dinh-2022.csv", options: .init(stage: .final))
        _ = try Rollup(connection: f.db).run(province: "thanh-hoa", year: 2022, stage: .final)
        let role = "t_exp_" + UUID().uuidString.prefix(8).lowercased()
        _ = try Logins(connection: f.db).create(role: role, kind: .district, district: ExportFixture.unit, password: WarehouseFixture.password(role))
        defer { _ = try? f.db.execute("DELETE FROM dti.district_logins WHERE role_name = \(role)"); try? f.db.simpleQuery("DROP ROLE IF EXISTS \"\(role)\"") }
        let c = try PostgresConnection(conninfo: try f.conninfo(as: role))
        defer { c.close() }
        let own = try ExportQuery(connection: c).build(.init(unit: ExportFixture.unit, years: 2022...2024, children: true))
        #expect(own.tables.first { $0.key == "comparison" }?.rows.count == 27)
        // Yên Định is invisible to a Tân Yên login: the export is refused as an unknown unit, not some other error.
        let refused = #expect(throws: DTIError.self) {
            _ = try ExportQuery(connection: c).build(.init(unit: "thanh-hoa.yen-dinh", years: 2022...2022))
        }
        #expect(refused?.message.en.contains("thanh-hoa.yen-dinh") == true && refused?.kind != .database, "\(String(describing: refused?.message.en))")
        let admin = try ExportQuery(connection: f.db).build(.init(unit: "thanh-hoa.yen-dinh", years: 2022...2022))
        #expect(admin.tables.first { $0.key == "comparison" }?.rows.count == 9)
    }
}
