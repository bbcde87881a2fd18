import DTICore
import DTIFormats
import DTITestSupport
import DTIWarehouse
import Foundation
import PostgresClient
import Testing

/// What district staff hand to their leadership: files that open right in Vietnamese Excel and in other readers,
/// charts in view, ranks out of N, readable commune tables, display names for the sources' typos.
@Suite("Reports leaders read: CSV for Vietnamese Excel, XLSX read by openpyxl and LibreOffice, the page", .serialized)
struct ReportTests {
    static let python = ["/usr/bin/python3", "/usr/local/bin/python3"].first { FileManager.default.isExecutableFile(atPath: $0) } ?? "/usr/bin/python3"
    static let helper = TestServer.repositoryRoot + "/Tests/DTIWarehouseTests/Export/Helpers/xlsx_check.py"

    static func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, out: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = arguments
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        try p.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// A second district of Bắc Giang (synthetic, in the test only) with Tân Yên's 2024 district data and no
    /// communes, so the peer group has two units that score differently.
    static func addPeer(_ f: WarehouseFixture) throws -> String {
        let code = "bac-giang.kiem-thu-ngang-hang"
        try f.units("""
            code,name,level,parent_code,valid_from,valid_to,predecessors,peer_group,tags
            \(code),Huyện Kiểm Thử (dữ liệu giả),district,bac-giang,,,,bac-giang.cap-huyen,

            """)
        let source = try String(contentsOfFile: TestServer.repositoryRoot + "/etl/samples/tan-yen/district-2024.csv", encoding: .utf8)
        let path = try f.file("peer-2024.csv", source.replacingOccurrences(of: "bac-giang.tan-yen,", with: "\(code),"))
        let r = try SubmissionLoader(connection: f.db).load(path: path)
        #expect(r.committed, "\(r.rejected.prefix(3))")
        _ = try Rollup(connection: f.db).run(province: "bac-giang", year: 2024, stage: .final)
        return code
    }

    @Test("CSV: rounded to the catalogue's published places by default, every digit with --precision full; --locale vi writes ';' and ',' with a BOM")
    func csvPrecisionAndLocale() throws {
        let f = try ExportFixture.make("report-csv")
        let view = try ExportFixture.comparisonView(f)
        let doc = try ExportQuery(connection: f.db).build(.init(unit: ExportFixture.unit, years: 2022...2024))
        let table = try #require(doc.tables.first { $0.key == "comparison" })
        let col = Dictionary(uniqueKeysWithValues: table.columns.enumerated().map { ($0.element.key, $0.offset) })
        #expect(doc.precision == DisplayPrecision(points: 3, percent: 2), "the catalogue's published precision")

        let base = f.scratch + "/rounded"
        _ = try ExportFiles.write(doc, format: .csv, base: base, language: .vi)
        var reader = try CSVReader(path: base + ".csv")
        let records = try reader.readAll()
        var unrounded = 0
        for rec in records.dropFirst() {
            let key = "\(rec.fields[col["pillar_code"]!])|\(rec.fields[col["year"]!])"
            let expected = try #require(view[key])
            for (c, places) in [("points", 3), ("percent", 2), ("delta_points", 3), ("delta_percent", 2), ("rank", 0)] {
                let text = rec.fields[col[c]!]
                let want = expected[c]!.map { DecimalText.round($0, places: places) }
                #expect((text.isEmpty ? nil : Decimal(string: text)) == want, "rounded CSV \(key) \(c): \(text)")
                if let fraction = text.split(separator: ".").dropFirst().first { #expect(fraction.count <= places, "\(key) \(c) \(text)") }
                if let e = expected[c]!, e != DecimalText.round(e, places: places) { unrounded += 1 }
            }
        }
        #expect(unrounded > 0, "the view has values with more places than published, so the rounding was exercised")

        // --locale vi: what Excel with Vietnamese regional settings opens as numbers.
        let vi = f.scratch + "/vi"
        _ = try ExportFiles.write(doc, format: .csv, base: vi, language: .vi, csv: .init(precision: .display, locale: .vi))
        let bytes = try Data(contentsOf: URL(fileURLWithPath: vi + ".csv"))
        #expect(Array(bytes.prefix(3)) == [0xEF, 0xBB, 0xBF])
        let text = String(decoding: bytes.dropFirst(3), as: UTF8.self)
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines[0].hasPrefix("Mã;Chỉ số chính;Năm;Điểm;"), "\(lines[0])")
        let index2024 = try #require(view["|2024"]?["points"] ?? nil)
        let expected = DecimalText.round(index2024, places: 3).machineText.replacingOccurrences(of: ".", with: ",")
        #expect(lines.contains { $0.hasPrefix(";Tổng (chỉ số DTI);2024;\(expected);") }, "the 2024 index as \(expected)")
        #expect(!lines.dropFirst().contains { $0.split(separator: ";").contains { $0.contains(".") && Decimal(string: String($0)) != nil } },
                "no number with a dot")

        // Full precision: the machine form, every digit.
        let full = f.scratch + "/full"
        _ = try ExportFiles.write(doc, format: .csv, base: full, language: .vi, csv: .init(precision: .full))
        let fullText = try String(contentsOfFile: full + ".csv", encoding: .utf8)
        #expect(fullText.contains(",\(index2024.machineText),"))
    }

    @Test("XLSX read by openpyxl: charts below the table and on their own sheet, integer formats for counts, every year of the communes, properties; LibreOffice converts it when installed")
    func xlsxOtherReaders() throws {
        let f = try ExportFixture.make("report-xlsx")
        let doc = try ExportQuery(connection: f.db).build(.init(unit: ExportFixture.unit, years: 2022...2024, children: true))
        let base = f.scratch + "/tan-yen"
        _ = try ExportFiles.write(doc, format: .xlsx, base: base, language: .vi)

        // Our reader.
        let ours = try XLSXReader(path: base + ".xlsx")
        #expect(ours.sheetNames == ["So sánh", "Cải thiện", "Số liệu các xã", "Biểu đồ"])
        let communeYears = Set(try ours.rows(sheet: "Số liệu các xã").filter { $0.index >= 3 }.compactMap { row -> String? in
            if case .number(let n) = row.cells.first(where: { $0.column == 2 })?.value { return n }
            return nil
        })
        #expect(communeYears == ["2022", "2023", "2024"], "the communes sheet covers every year asked for")

        // openpyxl (and the zip's XML for charts and custom properties).
        let r = try Self.run(Self.python, [Self.helper, base + ".xlsx"])
        try #require(r.status == 0, "openpyxl reads the file: \(r.out)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any])
        #expect(json["title"] as? String == doc.title)
        #expect((json["subject"] as? String)?.contains("bac-giang.tan-yen") == true)
        #expect((json["keywords"] as? String)?.contains("2022–2024") == true)
        #expect(json["created"] is String)
        let custom = try #require(json["custom"] as? [String: String])
        #expect(custom["unit"] == "Huyện Tân Yên (bac-giang.tan-yen)" && custom["years"] == "2022–2024" && custom["generated_at"] != nil)
        let charts = try #require(json["charts"] as? [String: [[String: Any]]])
        let comparisonRows = try #require(doc.tables.first { $0.key == "comparison" }?.rows.count)
        let below = try #require(charts["So sánh"])
        #expect(below.map { $0["kind"] as? String } == ["line", "bar"], "a trend chart and a pillar chart")
        for c in below {
            let col = try #require(c["col"] as? Int), row = try #require(c["row"] as? Int)
            #expect(col <= 3 && row > comparisonRows + 1 && row < comparisonRows + 10, "below the table, in the first columns: \(c)")
        }
        #expect(charts["Biểu đồ"]?.count == 2 && charts["Biểu đồ"]?.allSatisfy { ($0["row"] as? Int ?? 99) < 5 } == true, "at the top of their own sheet")
        let data = try #require(json["data"] as? [String: [String: Any]])
        let communes = try #require(data["Số liệu các xã"]?["formats"] as? [String: [String]])
        let countColumn = try #require(communes.first { $0.key.hasPrefix("3.6.answer") }, "a yes/no item")
        #expect(countColumn.value == ["#,##0"], "yes/no as a whole number: \(countColumn.value)")
        let households = try #require(communes.first { $0.key.hasPrefix("3.5.a") })
        #expect(households.value == ["#,##0"], "a count: \(households.value)")
        let comparison = try #require(data["So sánh"]?["formats"] as? [String: [String]])
        #expect(comparison["Điểm"] == ["#,##0.000"] && comparison["Tỷ lệ (%)"] == ["0.00"] && comparison["Hạng"] == ["0"])
        let values = try #require(data["So sánh"]?["values"] as? [String: [Any]])
        let view = try ExportFixture.comparisonView(f)
        let exact = try #require(view["|2024"]?["points"] ?? nil)
        #expect((values["Điểm"] ?? []).compactMap { $0 as? Double }.contains { abs($0 - NSDecimalNumber(decimal: exact).doubleValue) < 1e-9 },
                "the exact value is stored; the format only rounds what is shown")
        let years = Set((data["Số liệu các xã"]?["values"] as? [String: [Any]])?["Năm"]?.compactMap { $0 as? Int } ?? [])
        #expect(years == [2022, 2023, 2024])

        // LibreOffice, when installed: a headless conversion to PDF opens the file without a repair.
        let office = ["/usr/bin/soffice", "/usr/bin/libreoffice", "/usr/local/bin/soffice"].first { FileManager.default.isExecutableFile(atPath: $0) }
        if let office {
            let outDir = f.scratch + "/pdf"
            let profile = "file://" + f.scratch + "/lo-profile"
            let c = try Self.run(office, ["-env:UserInstallation=\(profile)", "--headless", "--convert-to", "pdf", "--outdir", outDir, base + ".xlsx"])
            let pdf = outDir + "/tan-yen.pdf"
            #expect(c.status == 0 && FileManager.default.fileExists(atPath: pdf), "LibreOffice converts the XLSX: \(c.out)")
            let size = (try? FileManager.default.attributesOfItem(atPath: pdf)[.size] as? Int) ?? 0
            #expect(size > 10_000, "a PDF with content (\(size) bytes)")
        } else {
            print("ReportTests: LibreOffice is not installed; the XLSX → PDF check is skipped (apt-get install libreoffice-calc)")
        }
    }

    @Test("HTML: ranks x/N, no ids in the tables, the notes column only when used, the communes by pillar with the items' meanings")
    func page() throws {
        let f = try ExportFixture.make("report-html")
        let doc = try ExportQuery(connection: f.db).build(.init(unit: ExportFixture.unit, years: 2022...2024, children: true))
        let html = ExportHTML.render(doc, language: .vi)
        let cells = Self.cells(html)
        #expect(cells.contains("1/1"), "Tân Yên is the only Bắc Giang district of the samples: rank 1 of 1")
        #expect(!cells.contains { $0.contains("bac-giang-district-2022") || $0.contains("bac-giang.tan-yen") }, "no internal ids in a cell")
        // Tân Yên is alone among Bắc Giang's districts, so its five min–max indicators are flagged (issue 15): the note
        // column is there, and says so on the total row and on the pillars concerned.
        #expect(html.contains("<th>Ghi chú</th>"), "the flagged min–max scores are noted")
        #expect(cells.contains { $0.hasPrefix("cờ 4.3, 4.7: nhóm so sánh chỉ có một đơn vị") }, "pillar 4's row")
        #expect(cells.contains { $0.hasPrefix("cờ 4.3, 4.7, 5.1, 8.6, 8.7: nhóm so sánh chỉ có một đơn vị") }, "the total's row")
        #expect(html.contains(doc.catalogues[0].title), "the catalogue is named in the header")
        #expect(html.contains("data-table=\"communes-summary\"") && html.contains("data-table=\"communes-pillar\""))
        #expect(!html.contains("count_yes") && !html.contains("(sum)"), "no internal names")
        #expect(html.contains(">Số lượng hộ gia đình có kết nối Internet băng rộng cáp quang<"), "the variable's meaning as a header")
        // Every pillar table has at most 8 item columns (it fits 1280 px), communes are rows.
        for table in html.components(separatedBy: "data-table=\"communes-pillar\"").dropFirst() {
            let head = table.components(separatedBy: "</thead>")[0]
            #expect(head.components(separatedBy: "</th>").count - 1 <= 9, "the commune and at most 8 items")
            #expect(table.components(separatedBy: "</tbody>")[0].components(separatedBy: "<tr><td").count - 1 == 22, "22 communes as rows")
        }
        #expect(html.contains("<details data-year=\"2023\">") && html.contains("<details data-year=\"2022\">"), "earlier years folded, not dropped")
        #expect(html.contains("@page { size: A4 landscape"))
        #expect(cells.contains("Thể chế số") && !cells.contains("Thẻ chế số"), "the display name")
        #expect(cells.contains("Văn phòng HĐND&amp;UBND huyện") && !html.contains("HỘND"), "the display lead")
        // The fragment is the page's body, for a portal page.
        #expect(html.contains(ExportHTML.fragment(doc, language: .vi).prefix(200)))
    }

    @Test("--peers: the unit's line stands out and the others are grey; ranks out of the peer group's N, for a district login too")
    func peers() throws {
        let f = try ExportFixture.make("report-peers")
        let peer = try Self.addPeer(f)
        let doc = try ExportQuery(connection: f.db).build(.init(unit: ExportFixture.unit, years: 2024...2024, peers: true))
        let chart = try #require(doc.chart)
        #expect(chart.highlightFirst && chart.series.first?.name == "Huyện Tân Yên" && chart.series.count == 2)
        let html = ExportHTML.render(doc, language: .vi)
        #expect(html.contains("fill=\"#b5b5b5\""), "the other unit in grey")
        #expect(html.contains("<title>Huyện Kiểm Thử (dữ liệu giả)</title>"), "one year: a bar per unit of the group, named")
        let cells = Self.cells(html)
        #expect(cells.contains("1/2") && cells.contains("2/2"))
        let pillarChart = try #require(doc.pillarChart)
        #expect(pillarChart.series.count == 3, "the unit, the group's mean and its best")

        // A district login sees only itself, but its rank is still out of the whole peer group.
        let role = "t_rep_" + UUID().uuidString.prefix(8).lowercased()
        _ = try Logins(connection: f.db).create(role: role, kind: .district, district: peer, password: WarehouseFixture.password(role))
        defer { _ = try? f.db.execute("DELETE FROM dti.district_logins WHERE role_name = \(role)"); try? f.db.simpleQuery("DROP ROLE IF EXISTS \"\(role)\"") }
        let c = try PostgresConnection(conninfo: try f.conninfo(as: role))
        defer { c.close() }
        let own = try ExportQuery(connection: c).build(.init(unit: peer, years: 2024...2024))
        let table = try #require(own.tables.first { $0.key == "comparison" })
        let rankOf = try #require(table.column("rank_of"))
        #expect(table.rows.allSatisfy { $0[rankOf] == .integer(2) }, "N = 2 though the login sees one unit")
        #expect(own.pillarChart?.series.count == 1, "no peer data for a district login")
    }

    @Test("Display names: reports print the corrected text, machine formats and views keep both")
    func displayNames() throws {
        let f = try ExportFixture.make("report-names")
        let names = try f.db.query("""
            SELECT DISTINCT pillar_name, pillar_display_name FROM dti.v_pillar_scores WHERE unit_code = \(ExportFixture.unit) AND pillar_code = '2'
            """)
        #expect(names.count == 1)
        #expect(try names[0]["pillar_name"].decode(String.self) == "Thẻ chế số" && names[0]["pillar_display_name"].decode(String.self) == "Thể chế số")
        let lead = try f.db.query("""
            SELECT DISTINCT lead, lead_display FROM dti.v_indicator_scores WHERE unit_code = \(ExportFixture.unit) AND indicator_code = '8.8'
            """)
        #expect(try lead[0]["lead"].decode(String.self) == "Văn phòng HỘND&UBND huyện" && lead[0]["lead_display"].decode(String.self) == "Văn phòng HĐND&UBND huyện")
        let doc = try ExportQuery(connection: f.db).build(.init(unit: ExportFixture.unit, years: 2024...2024))
        let csv = try #require(ExportFiles.csvFiles(doc).first { $0.suffix == "" })
        let text = String(decoding: csv.data, as: UTF8.self)
        #expect(text.contains(",Thể chế số,") && text.contains(",Thẻ chế số,"), "CSV keeps both: the display name and the source's")
        #expect(ExportFiles.text(doc, language: .vi).contains("Thể chế số") && !ExportFiles.text(doc, language: .vi).contains("Thẻ chế số"))
    }

    @Test("Completeness of commune data: the roll-up's complete/coverage of v_year_comparison, noted beside the number in every export")
    func completenessNotes() throws {
        let f = try ExportFixture.make("report-coverage")
        // The samples: every one of the 22 communes answered every item, so nothing is said.
        #expect(try f.scalar("SELECT count(*) FROM dti.v_year_comparison WHERE unit_code = \(ExportFixture.unit) AND complete IS DISTINCT FROM true AND pillar_code IS NULL", as: Int.self) == 0)
        let doc0 = try ExportQuery(connection: f.db).build(.init(unit: ExportFixture.unit, years: 2024...2024))
        #expect(!ExportHTML.render(doc0, language: .vi).contains("số liệu xã chưa đủ"), "nothing said when the commune data is complete")
        // Had the district 25 communes in 2024, its 22 would be 88% of the data (the roll-up records what it expected).
        try f.db.simpleQuery("UPDATE dti.derived_values SET expected_children = 25 WHERE unit_code = 'bac-giang.tan-yen' AND year = 2024 AND children_count = 22")
        let doc = try ExportQuery(connection: f.db).build(.init(unit: ExportFixture.unit, years: 2024...2024))
        let table = try #require(doc.tables.first { $0.key == "comparison" })
        let remark = try #require(table.column("remark"))
        let total = try #require(table.rows.first { $0[0] == .text("") })
        #expect(total[remark] == .text("số liệu xã chưa đủ: có 88% số liệu cần có; cờ 4.3, 4.7, 5.1, 8.6, 8.7: " + ScoreFlag.singleUnitPeerGroup.message.vi), "\(total)")
        // A pillar with no variable derived from communes carries no note.
        let pillars = try f.scalar("""
            SELECT count(*) FROM dti.v_year_comparison WHERE unit_code = 'bac-giang.tan-yen' AND year = 2024 AND pillar_code IS NOT NULL AND complete IS NULL
            """, as: Int.self)
        #expect(pillars > 0 && table.rows.filter { $0[remark] == .text("") }.count >= pillars, "complete pillars carry no note")
        let html = ExportHTML.render(doc, language: .vi)
        #expect(html.contains("<th>Ghi chú</th>") && html.contains(">số liệu xã chưa đủ: có 88% số liệu cần có<"))
        let csv = String(decoding: try #require(ExportFiles.csvFiles(doc).first { $0.suffix == "" }).data, as: UTF8.self)
        #expect(csv.contains(",số liệu xã chưa đủ: có 88% số liệu cần có"))
    }

    /// The visible text of every table cell of a page.
    static func cells(_ html: String) -> [String] {
        html.components(separatedBy: "<td").dropFirst().compactMap { part in
            guard let open = part.firstIndex(of: ">"), let close = part.range(of: "</td>") else { return nil }
            return String(part[part.index(after: open)..<close.lowerBound])
        }
    }
}
