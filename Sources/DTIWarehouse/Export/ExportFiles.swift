import DTICore
import DTIFormats
import Foundation

/// Writes an export document as CSV (one UTF-8-with-BOM file per table), XLSX (one sheet per table, frozen
/// header, number formats, coloured deltas, a native chart of the index) or one self-contained HTML page.
public enum ExportFiles {
    /// `table` prints to the terminal instead of writing a file.
    public enum Format: String, Sendable, CaseIterable { case csv, xlsx, html, table }

    /// The document as plain-text tables for a terminal (numbers rounded for reading: 2 decimals for percent).
    public static func text(_ doc: ExportDocument, language: Language) -> String {
        func number(_ d: Decimal, places: Int, sign: Bool) -> String {
            ExportNumber.display(d, places: places, sign: sign, language: language)
        }
        var out = [doc.title, doc.subtitle, ""]
        for table in doc.tables {
            var t = TextTable(headers: table.columns.map(\.header))
            // A terminal is narrow: long names are shortened and the improvement plan shows its first ten rows.
            for row in table.rows.prefix(table.key == "improvement" ? 10 : Int.max) {
                t.add(zip(table.columns, row).map { column, cell in
                    switch cell {
                    case .text(let s): return s.count > 48 ? String(s.prefix(47)) + "…" : s
                    case .empty: return "—"
                    case .integer(let i): return column.kind == .rankDelta && i > 0 ? "+\(i)" : String(i)
                    case .number(let d):
                        switch column.kind {
                        case .percent: return number(d, places: 2, sign: false)
                        case .delta, .rankDelta: return number(d, places: 3, sign: true)
                        default: return number(d, places: 3, sign: false)
                        }
                    }
                })
            }
            out += [table.title, t.render(), ""]
        }
        return out.joined(separator: "\n")
    }

    /// Returns the paths written. `base` is the output path without extension.
    public static func write(_ doc: ExportDocument, format: Format, base: String, language: Language) throws -> [String] {
        let dir = (base as NSString).deletingLastPathComponent
        if !dir.isEmpty { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
        switch format {
        case .table:
            return []
        case .html:
            let path = base + ".html"
            try Data(ExportHTML.render(doc, language: language).utf8).write(to: URL(fileURLWithPath: path))
            return [path]
        case .csv:
            var paths: [String] = []
            for table in doc.tables {
                let path = table.key == "comparison" ? base + ".csv" : base + "-\(table.key).csv"
                let rows = [table.columns.map(\.header)] + table.rows.map { $0.map(\.machine) }
                try Data(CSVWriter.encode(rows, bom: true).utf8).write(to: URL(fileURLWithPath: path))
                paths.append(path)
            }
            return paths
        case .xlsx:
            let path = base + ".xlsx"
            do { try writeXLSX(doc, path: path, language: language) } catch let e as FormatError {
                throw DTIError(.inputRejected, vi: "không ghi được \(path): \(e.reasonVi)", en: "cannot write \(path): \(e.reason)")
            }
            return [path]
        }
    }

    static func writeXLSX(_ doc: ExportDocument, path: String, language: Language) throws {
        let book = try XLSXWriter(path: path)
        book.setProperties(title: doc.title, author: "dti")
        let title = book.format(XLSXFormat(bold: true, fontSize: 14))
        let header = book.format(XLSXFormat(bold: true, background: 0xD9E2F0, border: true, wrap: true))
        let text = book.format(XLSXFormat(border: true, wrap: true))
        let points = book.format(XLSXFormat(border: true, numberFormat: "#,##0.000"))
        let percent = book.format(XLSXFormat(border: true, numberFormat: "0.00"))
        let integer = book.format(XLSXFormat(border: true, numberFormat: "0"))
        let up = book.format(XLSXFormat(fontColor: 0x0A7A2F, border: true, numberFormat: "+#,##0.000;-#,##0.000;0"))
        let down = book.format(XLSXFormat(fontColor: 0xB3261E, border: true, numberFormat: "+#,##0.000;-#,##0.000;0"))
        let rankUp = book.format(XLSXFormat(fontColor: 0x0A7A2F, border: true, numberFormat: "+0;-0;0"))
        let rankDown = book.format(XLSXFormat(fontColor: 0xB3261E, border: true, numberFormat: "+0;-0;0"))
        let plainDelta = book.format(XLSXFormat(border: true, numberFormat: "+#,##0.000;-#,##0.000;0"))

        var chartSheet: XLSXSheet? = nil
        for table in doc.tables {
            let sheet = try book.addSheet(sheetTitle(table.key, language))
            if chartSheet == nil { chartSheet = sheet }
            sheet.write(row: 0, col: 0, string: table.title, format: title)
            for (k, c) in table.columns.enumerated() {
                sheet.write(row: 1, col: k, string: c.header, format: header)
                let width: Double = switch c.kind {
                case .text: c.key.hasSuffix("name") || c.key == "remark" ? 44 : 14
                default: 12
                }
                sheet.setColumn(first: k, last: k, width: width, format: nil)
            }
            for (r, row) in table.rows.enumerated() {
                for (k, cell) in row.enumerated() {
                    let kind = table.columns[k].kind
                    switch cell {
                    case .text(let s): sheet.write(row: r + 2, col: k, string: s, format: text)
                    case .integer(let i):
                        let f = kind == .rankDelta ? (i > 0 ? rankUp : i < 0 ? rankDown : integer) : integer
                        sheet.write(row: r + 2, col: k, number: Decimal(i), format: f)
                    case .number(let d):
                        let f = switch kind {
                        case .delta: d > 0 ? up : d < 0 ? down : plainDelta
                        case .percent: percent
                        case .integer: integer
                        default: points
                        }
                        sheet.write(row: r + 2, col: k, number: d, format: f)
                    case .empty: sheet.writeBlank(row: r + 2, col: k, format: text)
                    }
                }
            }
            sheet.freezePanes(row: 2, col: 0)
            if !table.rows.isEmpty { sheet.autofilter(firstRow: 1, firstCol: 0, lastRow: table.rows.count + 1, lastCol: table.columns.count - 1) }
            sheet.setLandscape()
        }
        // The chart's data on its own sheet, and a native line chart of the index across years.
        if let chart = doc.chart, !chart.series.isEmpty {
            let data = try book.addSheet(language == .vi ? "Biểu đồ" : "Chart")
            data.write(row: 0, col: 0, string: chart.title, format: title)
            data.write(row: 1, col: 0, string: language == .vi ? "Năm" : "Year", format: header)
            for (k, s) in chart.series.enumerated() { data.write(row: 1, col: k + 1, string: s.name, format: header) }
            for (i, y) in chart.years.enumerated() {
                data.write(row: i + 2, col: 0, string: String(y), format: text)
                for (k, s) in chart.series.enumerated() {
                    if let v = s.values[i] { data.write(row: i + 2, col: k + 1, number: DecimalText.round(v, places: 4), format: percent) }
                }
            }
            let last = chart.years.count + 1
            let series = chart.series.enumerated().map { k, s in
                (name: s.name, values: (data.name, 2, k + 1, last, k + 1))
            }
            data.insertChart(kind: .line, title: chart.title, categories: (data.name, 2, 0, last, 0), series: series,
                             at: (1, chart.series.count + 2), xAxisTitle: language == .vi ? "Năm" : "Year", yAxisTitle: chart.yAxis)
            chartSheet?.insertChart(kind: .line, title: chart.title, categories: (data.name, 2, 0, last, 0), series: series,
                                    at: (2, (doc.tables.first?.columns.count ?? 10) + 1), xAxisTitle: language == .vi ? "Năm" : "Year", yAxisTitle: chart.yAxis)
        }
        try book.close()
    }

    static func sheetTitle(_ key: String, _ language: Language) -> String {
        let vi = ["comparison": "So sánh", "indicators": "Chỉ số thành phần", "improvement": "Cải thiện", "children": "Đơn vị trực thuộc",
                  "peers": "Nhóm so sánh", "communes": "Số liệu các xã"]
        let en = ["comparison": "Comparison", "indicators": "Indicators", "improvement": "Improvement", "children": "Units below",
                  "peers": "Peer group", "communes": "Communes"]
        return (language == .vi ? vi[key] : en[key]) ?? key
    }
}

/// The rejects of `dti load --rejects FILE`: one CSV line each, with the message.
public enum RejectsFile {
    public static func write(_ rejects: [SubmissionLoader.Reject], to path: String) throws {
        var rows = [["ref", "unit_code", "catalogue", "indicator", "variable", "value", "reason", "message"]]
        for r in rejects { rows.append([r.ref, r.unit, r.catalogue, r.indicator, r.variable, r.raw, r.code, Say.text(r.message)]) }
        try Data(CSVWriter.encode(rows, bom: true).utf8).write(to: URL(fileURLWithPath: path))
    }
}
