import DTICore
import DTIFormats
import Foundation

/// Writes an export document as CSV (one UTF-8-with-BOM file per table), XLSX (one sheet per table, frozen
/// header, number formats, coloured deltas, native charts of the index and the pillars) or one self-contained HTML
/// page. A library API: `csvFiles`, `xlsxData` and `ExportHTML.render` return bytes or a string for the portal.
public enum ExportFiles {
    /// `table` prints to the terminal instead of writing a file.
    public enum Format: String, Sendable, CaseIterable { case csv, xlsx, html, table }

    /// How numbers are written in a CSV.
    public struct CSVOptions: Sendable {
        public enum Precision: String, Sendable, CaseIterable {
            /// rounded to the catalogue's published precision (points 3 decimals, percent 2 by default)
            case display
            /// every digit of the stored decimal
            case full
        }
        public enum Locale: String, Sendable, CaseIterable {
            /// "," between fields, "." for decimals: for programs, scripts, a BI tool, Excel set to English
            case machine
            /// ";" between fields, "," for decimals: what Excel with Vietnamese regional settings opens as numbers
            case vi
        }
        public var precision: Precision
        public var locale: Locale
        public init(precision: Precision = .display, locale: Locale = .machine) { self.precision = precision; self.locale = locale }
        var delimiter: Character { locale == .vi ? ";" : "," }
    }

    /// The document as plain-text tables for a terminal (numbers rounded as the catalogue publishes them).
    public static func text(_ doc: ExportDocument, language: Language) -> String {
        var out = [doc.title, doc.subtitle, ""]
        for table in doc.tables where table.key != "communes" || doc.communes == nil {
            let shown = table.columns.indices.filter { HumanColumns.shows(table, $0) }
            var t = TextTable(headers: shown.map { table.columns[$0].header })
            // A terminal is narrow: long names are shortened and the improvement plan shows its first ten rows.
            for row in table.rows.prefix(table.key == "improvement" ? 10 : Int.max) {
                t.add(shown.map { k in
                    let s = HumanColumns.text(table, row: row, column: k, precision: doc.precision, language: language)
                    return s.count > 48 ? String(s.prefix(47)) + "…" : (row[k] == .empty ? "—" : s)
                })
            }
            out += [table.title, t.render(), ""]
        }
        if let c = doc.communes {
            out.append(c.title)
            let year = c.years.last ?? doc.years.upperBound
            var t = TextTable(headers: [language == .vi ? "Xã (\(year))" : "Commune (\(year))"] + c.pillars.map { $0.code })
            for commune in c.communes {
                t.add([commune.name] + c.pillars.map { p in "\(c.reported(commune.code, pillar: p.code, year: year))/\(c.items(of: p.code).count)" })
            }
            out += [t.render(), language == .vi ? "(số mục số liệu đã nộp / số mục của chỉ số chính)" : "(data items reported / items of the pillar)", ""]
        }
        return out.joined(separator: "\n")
    }

    /// Returns the paths written. `base` is the output path without extension.
    public static func write(_ doc: ExportDocument, format: Format, base: String, language: Language, csv: CSVOptions = .init()) throws -> [String] {
        if format == .table { return [] }
        let dir = (base as NSString).deletingLastPathComponent
        try OutputPath.prepare(directory: dir.isEmpty ? "." : dir)
        switch format {
        case .table:
            return []
        case .html:
            let path = base + ".html"
            try OutputPath.write(Data(ExportHTML.render(doc, language: language).utf8), to: path)
            return [path]
        case .csv:
            var paths: [String] = []
            for (suffix, data) in csvFiles(doc, options: csv) {
                let path = base + suffix + ".csv"
                try OutputPath.write(data, to: path)
                paths.append(path)
            }
            return paths
        case .xlsx:
            let path = base + ".xlsx"
            try OutputPath.check(file: path)
            do { try writeXLSX(doc, path: path, language: language) } catch let e as FormatError {
                throw DTIError(.usage, vi: "không ghi được \(path): \(e.reasonVi)", en: "cannot write \(path): \(e.reason)")
            }
            return [path]
        }
    }

    /// One CSV per table: ("" for the comparison, "-improvement", "-communes" …, the bytes).
    public static func csvFiles(_ doc: ExportDocument, options: CSVOptions = .init()) -> [(suffix: String, data: Data)] {
        doc.tables.map { raw in
            let table = raw.machineOrder
            let rows = [table.columns.map(\.header)] + table.rows.map { row in
                zip(table.columns, row).map { column, cell in csvText(cell, kind: column.kind, precision: doc.precision, options: options) }
            }
            return (raw.key == "comparison" ? "" : "-\(raw.key)", Data(CSVWriter.encode(rows, bom: true, delimiter: options.delimiter).utf8))
        }
    }

    static func csvText(_ cell: ExportCell, kind: ExportColumn.Kind, precision: DisplayPrecision, options: CSVOptions) -> String {
        guard case .number(let d) = cell else { return cell.machine }
        var text = d.machineText
        if options.precision == .display, let places = kind.places(precision) { text = DecimalText.round(d, places: places).machineText }
        return options.locale == .vi ? text.replacingOccurrences(of: ".", with: ",") : text
    }

    /// The XLSX file as bytes (written to a temporary file by libxlsxwriter, read back, removed).
    public static func xlsxData(_ doc: ExportDocument, language: Language) throws -> Data {
        let path = NSTemporaryDirectory() + "dti-export-\(UUID().uuidString).xlsx"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try writeXLSX(doc, path: path, language: language)
        return try Data(contentsOf: URL(fileURLWithPath: path))
    }

    static func writeXLSX(_ doc: ExportDocument, path: String, language: Language) throws {
        func t(_ vi: String, _ en: String) -> String { language == .vi ? vi : en }
        let book = try XLSXWriter(path: path)
        let stamp = ISO8601DateFormatter().string(from: doc.generatedAt)
        let catalogues = doc.catalogues.map { "\($0.title) [\($0.id)] (\($0.years))" }.joined(separator: "; ")
        book.setProperties(title: doc.title, author: "dti", subject: "\(doc.unitName) (\(doc.unitCode)) · \(doc.yearsText)",
                           keywords: "DTI, chuyển đổi số, \(doc.unitCode), \(doc.yearsText)",
                           comments: t("Tạo bởi dti lúc \(stamp). ", "Generated by dti at \(stamp). ") + catalogues,
                           category: t("Chỉ số chuyển đổi số", "Digital transformation index"), created: doc.generatedAt)
        try book.setCustomProperty("unit", "\(doc.unitName) (\(doc.unitCode))")
        try book.setCustomProperty("years", doc.yearsText)
        try book.setCustomProperty("generated_at", stamp)
        if !catalogues.isEmpty { try book.setCustomProperty("catalogues", catalogues) }
        let pointsFormat = "#,##0" + (doc.precision.points > 0 ? "." + String(repeating: "0", count: doc.precision.points) : "")
        let percentFormat = "0" + (doc.precision.percent > 0 ? "." + String(repeating: "0", count: doc.precision.percent) : "")
        let title = book.format(XLSXFormat(bold: true, fontSize: 14))
        let header = book.format(XLSXFormat(bold: true, background: 0xD9E2F0, border: true, wrap: true))
        let text = book.format(XLSXFormat(border: true, wrap: true))
        let points = book.format(XLSXFormat(border: true, numberFormat: pointsFormat))
        let percent = book.format(XLSXFormat(border: true, numberFormat: percentFormat))
        let integer = book.format(XLSXFormat(border: true, numberFormat: "0"))
        let count = book.format(XLSXFormat(border: true, numberFormat: "#,##0"))
        let signed = "+\(pointsFormat);-\(pointsFormat);0", signedPercent = "+\(percentFormat);-\(percentFormat);0"
        let up = book.format(XLSXFormat(fontColor: 0x0A7A2F, border: true, numberFormat: signed))
        let down = book.format(XLSXFormat(fontColor: 0xB3261E, border: true, numberFormat: signed))
        let upPercent = book.format(XLSXFormat(fontColor: 0x0A7A2F, border: true, numberFormat: signedPercent))
        let downPercent = book.format(XLSXFormat(fontColor: 0xB3261E, border: true, numberFormat: signedPercent))
        let plainDelta = book.format(XLSXFormat(border: true, numberFormat: signed))
        let rankUp = book.format(XLSXFormat(fontColor: 0x0A7A2F, border: true, numberFormat: "+0;-0;0"))
        let rankDown = book.format(XLSXFormat(fontColor: 0xB3261E, border: true, numberFormat: "+0;-0;0"))
        let small = book.format(XLSXFormat(italic: true, fontColor: 0x555555))

        var comparisonSheet: XLSXSheet? = nil
        var comparisonRows = 0
        for raw in doc.tables {
            let table = raw.machineOrder
            let sheet = try book.addSheet(sheetTitle(table.key, language))
            if comparisonSheet == nil { comparisonSheet = sheet; comparisonRows = table.rows.count }
            sheet.write(row: 0, col: 0, string: table.title, format: title)
            for (k, c) in table.columns.enumerated() {
                sheet.write(row: 1, col: k, string: c.header, format: header)
                let width: Double = switch c.kind {
                case .text: c.machineOnly ? (c.key.hasSuffix("code") || c.key.hasSuffix("_id") ? 16 : 30)
                    : (c.key.hasSuffix("name") || c.key == "remark" || c.key == "lead" ? 44 : 12)
                case .count, .points: table.key == "communes" ? 16 : 12
                default: 11
                }
                sheet.setColumn(first: k, last: k, width: width, format: nil)
            }
            if table.key == "communes" { sheet.setRow(1, height: 90) }
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
                        case .percentDelta: d > 0 ? upPercent : d < 0 ? downPercent : plainDelta
                        case .percent: percent
                        case .integer, .rank, .rankOf: integer
                        case .count: count
                        default: points
                        }
                        sheet.write(row: r + 2, col: k, number: d, format: f)
                    case .empty: sheet.writeBlank(row: r + 2, col: k, format: text)
                    }
                }
            }
            sheet.freezePanes(row: 2, col: table.key == "communes" ? 3 : 0)
            if !table.rows.isEmpty { sheet.autofilter(firstRow: 1, firstCol: 0, lastRow: table.rows.count + 1, lastCol: table.columns.count - 1) }
            sheet.setLandscape()
            sheet.fitToPageWidth()
            if table.key == "comparison" {
                sheet.write(row: table.rows.count + 3, col: 0, string: t("Điểm giữ đủ chữ số; ô hiển thị làm tròn như bộ chỉ số công bố. Biểu đồ ở dưới và ở trang “Biểu đồ”.",
                                                                         "Points keep every digit; cells show the catalogue's published rounding. Charts below and on the “Chart” sheet."), format: small)
            }
        }
        // The charts' data and the charts on their own sheet, and the same charts below the comparison table.
        let chartSheetName = t("Biểu đồ", "Chart")
        let data = try book.addSheet(chartSheetName)
        data.write(row: 0, col: 0, string: t("Biểu đồ", "Charts"), format: title)
        data.setColumn(first: 0, last: 0, width: 28, format: nil)
        data.setLandscape()
        data.fitToPageWidth()
        var dataRow = 23   // the charts take rows 2–21, side by side
        var charts: [(kind: XLSXChartKind, title: String, categories: XLSXRange, series: [(name: String, values: XLSXRange)], x: String?, y: String?)] = []
        if let chart = doc.chart, !chart.series.isEmpty {
            let top = dataRow
            data.write(row: top, col: 0, string: chart.title, format: header)
            data.write(row: top + 1, col: 0, string: t("Năm", "Year"), format: header)
            for (k, s) in chart.series.enumerated() { data.write(row: top + 1, col: k + 1, string: s.name, format: header) }
            for (i, y) in chart.years.enumerated() {
                data.write(row: top + 2 + i, col: 0, string: String(y), format: text)
                for (k, s) in chart.series.enumerated() {
                    if let v = s.values[i] { data.write(row: top + 2 + i, col: k + 1, number: v, format: percent) }
                }
            }
            let last = top + 1 + chart.years.count
            let series = chart.series.prefix(12).enumerated().map { k, s in (name: s.name, values: (data.name, top + 2, k + 1, last, k + 1)) }
            charts.append((.line, chart.title, (data.name, top + 2, 0, last, 0), Array(series), t("Năm", "Year"), chart.yAxis))
            dataRow = last + 3
        }
        if let pc = doc.pillarChart, !pc.pillars.isEmpty {
            let top = dataRow
            data.write(row: top, col: 0, string: pc.title, format: header)
            data.write(row: top + 1, col: 0, string: t("Chỉ số chính", "Pillar"), format: header)
            for (k, s) in pc.series.enumerated() { data.write(row: top + 1, col: k + 1, string: s.name, format: header) }
            for (i, p) in pc.pillars.enumerated() {
                data.write(row: top + 2 + i, col: 0, string: "\(p.code). \(p.name)", format: text)
                for (k, s) in pc.series.enumerated() {
                    if let v = s.values[i] { data.write(row: top + 2 + i, col: k + 1, number: v, format: percent) }
                }
            }
            let last = top + 1 + pc.pillars.count
            let series = pc.series.enumerated().map { k, s in (name: s.name, values: (data.name, top + 2, k + 1, last, k + 1)) }
            charts.append((.column, pc.title, (data.name, top + 2, 0, last, 0), series, nil, "%"))
        }
        for (k, c) in charts.enumerated() {
            data.insertChart(kind: c.kind, title: c.title, categories: c.categories, series: c.series, at: (2, k * 9),
                             xAxisTitle: c.x, yAxisTitle: c.y, yRange: 0...100, scale: (1.15, 1.25))
            comparisonSheet?.insertChart(kind: c.kind, title: c.title, categories: c.categories, series: c.series,
                                         at: (comparisonRows + 5, k == 0 ? 0 : 3), xAxisTitle: c.x, yAxisTitle: c.y, yRange: 0...100,
                                         scale: (1, 1.1))
        }
        for sheet in [data] { if let e = sheet.firstError { throw e } }
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

extension ExportTable {
    /// The columns people read first, then the ids and verbatim source texts kept for machines (CSV, XLSX).
    public var machineOrder: ExportTable {
        let order = columns.indices.filter { !columns[$0].machineOnly } + columns.indices.filter { columns[$0].machineOnly }
        return ExportTable(key: key, title: title, columns: order.map { columns[$0] }, rows: rows.map { r in order.map { r[$0] } })
    }
}

/// Which columns and what text people read (the page, the terminal): no ids, no verbatim duplicates, ranks as
/// "x/N", a note column only when some row has a note.
public enum HumanColumns {
    public static func shows(_ table: ExportTable, _ k: Int) -> Bool {
        let c = table.columns[k]
        if c.machineOnly || c.kind == .rankOf { return false }
        if c.kind == .text && c.key == "remark" { return table.rows.contains { !$0[k].isEmpty } }
        return true
    }

    public static func text(_ table: ExportTable, row: [ExportCell], column k: Int, precision: DisplayPrecision, language: Language) -> String {
        let c = table.columns[k]
        func number(_ d: Decimal, places: Int, sign: Bool = false) -> String { ExportNumber.display(d, places: places, sign: sign, language: language) }
        switch row[k] {
        case .empty: return ""
        case .text(let s): return s
        case .integer(let i):
            if c.kind == .rank, let of = table.column("rank_of"), case .integer(let n) = row[of] { return "\(i)/\(n)" }
            return c.kind == .rankDelta && i > 0 ? "+\(i)" : String(i)
        case .number(let d):
            switch c.kind {
            case .percent: return number(d, places: precision.percent)
            case .percentDelta: return number(d, places: precision.percent, sign: true)
            case .delta: return number(d, places: precision.points, sign: true)
            case .count, .integer, .rank, .rankOf: return number(d, places: 0)
            case .rankDelta: return number(d, places: 0, sign: true)
            default: return number(d, places: precision.points)
            }
        }
    }
}

/// Where an export is written: a missing folder is made; a path that cannot be written is a usage error (exit 1)
/// with the reason in words, not the system's error domain and code.
enum OutputPath {
    static func prepare(directory: String) throws {
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: directory, isDirectory: &isDir) {
            guard isDir.boolValue else { throw unwritable(directory, vi: "'\(directory)' là một tệp, không phải thư mục", en: "'\(directory)' is a file, not a folder") }
        } else {
            do { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) } catch {
                throw unwritable(directory, vi: "không tạo được thư mục '\(directory)' (đường dẫn có một phần là tệp, hoặc không có quyền)",
                                 en: "cannot create the folder '\(directory)' (part of the path is a file, or no permission)")
            }
        }
        guard FileManager.default.isWritableFile(atPath: directory) else {
            throw unwritable(directory, vi: "không có quyền ghi vào thư mục '\(directory)'", en: "no permission to write in the folder '\(directory)'")
        }
    }

    static func check(file path: String) throws {
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDir) {
            if isDir.boolValue { throw unwritable(path, vi: "'\(path)' là một thư mục", en: "'\(path)' is a folder") }
            if !FileManager.default.isWritableFile(atPath: path) {
                throw unwritable(path, vi: "không có quyền ghi đè tệp '\(path)'", en: "no permission to overwrite '\(path)'")
            }
        }
    }

    static func write(_ data: Data, to path: String) throws {
        try check(file: path)
        do { try data.write(to: URL(fileURLWithPath: path), options: .atomic) } catch {
            throw unwritable(path, vi: "không ghi được tệp '\(path)' (ổ đĩa đầy, chỉ đọc, hoặc không có quyền)",
                             en: "cannot write '\(path)' (disk full, read-only, or no permission)")
        }
    }

    static func unwritable(_ path: String, vi: String, en: String) -> DTIError {
        DTIError(.usage, vi: vi + "; chọn nơi khác bằng --out", en: en + "; choose another place with --out")
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
