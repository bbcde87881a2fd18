import DTICore
import DTIFormats
import Foundation
import PostgresClient

/// `dti template`: a blank submission form for the units a catalogue evaluates.
/// XLSX: a "Hướng dẫn" sheet, then one sheet per unit with the catalogue's indicators (verbatim names), their
/// variables and meanings, max points; value and evidence cells are the only unlocked ones, with data validation
/// (yes/no lists, option lists, non-negative numbers). CSV: the long submission format with empty values.
public struct TemplateWriter {
    /// Layout shared with `XLSXRecordSource`: labels in column A, the unit code in B2, year in E2, catalogue in B3,
    /// stage in E3, the header on row 6 and data from row 7.
    public enum Layout {
        public static let unitLabels = ["Mã đơn vị", "Unit code"]
        public static let headerRow = 5          // 0-based: row 6
        public static let firstDataRow = 6       // 0-based: row 7
        public static let columns = (indicator: 0, name: 1, max: 2, variable: 3, meaning: 4, kind: 5, value: 6, evidence: 7, note: 8)
    }

    public struct Unit: Sendable {
        public var code: String
        public var name: String
        public init(code: String, name: String) { self.code = code; self.name = name }
    }

    /// One line of the form: an indicator's variable.
    public struct Line: Sendable {
        public var indicator: String
        public var indicatorName: String
        public var maxPoints: Decimal?
        public var variable: String
        public var meaning: String
        public var kind: VariableKind
        public var unit: String?
        public var options: [String]
        public var allowNegative: Bool
        public var note: String?
    }

    let connection: PostgresConnection
    public init(connection: PostgresConnection) { self.connection = connection }

    /// The units the form is for: the given one; for a unit above the catalogue's level (a district and the
    /// commune form) every unit of that level below it, one sheet each; with none, every unit the catalogue
    /// evaluates (level and scope).
    public func units(for catalogue: Catalogue, unit: String?) throws -> [Unit] {
        let levels = catalogue.levels.map(\.rawValue)
        guard let unit else {
            return try connection.query("""
                SELECT code, name FROM dti.units
                 WHERE level::text = ANY (\(levels)::text[])
                   AND (cardinality(\(catalogue.scope)::text[]) = 0 OR dti.unit_ancestry(code) && \(catalogue.scope)::text[])
                 ORDER BY code
                """).map { Unit(code: try $0["code"].decode(), name: try $0["name"].decode()) }
        }
        guard let level = try connection.query("SELECT level::text AS level FROM dti.units WHERE code = \(unit)").first?["level"].text else {
            throw DTIError(.usage, vi: "không có đơn vị '\(unit)' (dti units list)", en: "no unit '\(unit)' (dti units list)")
        }
        let rows = try connection.query("""
            SELECT u.code, u.name FROM dti.units u JOIN dti.unit_subtree(\(unit)) t ON t.code = u.code
             WHERE u.level::text = ANY (\(levels)::text[]) AND (u.code = \(unit) OR u.valid_to IS NULL)
             ORDER BY u.code = \(unit) DESC, u.code
            """)
        if rows.count == 0 {
            throw DTIError(.usage, vi: "đơn vị \(unit) là cấp \(level) và không có đơn vị cấp \(levels.joined(separator: ", ")) nào trực thuộc; bộ chỉ số \(catalogue.id) dành cho cấp \(levels.joined(separator: ", "))",
                           en: "unit \(unit) is a \(level) with no \(levels.joined(separator: ", ")) below it; catalogue \(catalogue.id) is for \(levels.joined(separator: ", "))")
        }
        return try rows.map { Unit(code: try $0["code"].decode(), name: try $0["name"].decode()) }
    }

    /// Which district variables are derived from communes (so the form can say so).
    public func fedVariables(catalogueId: String) throws -> Set<String> {
        let rows = try connection.query("""
            SELECT DISTINCT f.target_indicator || '.' || f.target_variable AS key FROM dti.feeds f
              JOIN dti.catalogues c ON c.current_version = f.version_id WHERE f.target_catalogue = \(catalogueId)
            """)
        return Set(rows.compactMap { $0["key"].text })
    }

    public static func lines(_ c: Catalogue, fed: Set<String> = [], language: Language = .vi) -> [Line] {
        func t(_ vi: String, _ en: String) -> String { language == .vi ? vi : en }
        var out: [Line] = []
        for i in c.leafIndicators {
            guard let rule = i.rule else { continue }
            var variables = i.variables.filter(\.isInput)   // constants and aliases are not asked for
            if (rule.kind == "direct" || rule.kind == "bonus") && i.variable("points") == nil {
                variables.append(Variable(name: "points", meaning: t("Điểm do cơ quan đánh giá chấm", "Points awarded by the evaluator"), kind: .points,
                                          unit: t("điểm", "points"), profile: nil, previousYearOf: nil, allowNegative: false, feeds: [], position: .unknown))
            }
            for v in variables {
                var options: [String] = []
                if v.kind == .yesno { options = ["có", "không"] }
                if case .choice(let name, let opts) = rule, name == v.name { options = opts.map(\.code) }
                var notes: [String] = []
                if fed.contains("\(i.code).\(v.name)") { notes.append(t("Tổng hợp tự động từ số liệu các xã; chỉ nhập nếu muốn đối chiếu", "Derived from the communes' data; fill only to cross-check")) }
                if let p = v.profile { notes.append(t("Để trống thì lấy từ hồ sơ đơn vị (\(p))", "Leave empty to use the unit profile (\(p))")) }
                if let prev = v.previousYearOf { notes.append(t("Để trống thì lấy giá trị \(prev) của năm trước", "Leave empty to use last year's \(prev)")) }
                if case .choice(let name, let opts) = rule, name == v.name {
                    notes.append(opts.map { "\($0.code) = \($0.label)" }.joined(separator: "; "))
                }
                out.append(Line(indicator: i.code, indicatorName: i.name, maxPoints: i.maxPoints, variable: v.name, meaning: v.meaning,
                                kind: v.kind, unit: v.unit, options: options, allowNegative: v.allowNegative,
                                note: notes.isEmpty ? nil : notes.joined(separator: ". ")))
            }
        }
        return out
    }

    public static func writeCSV(_ c: Catalogue, units: [Unit], year: Int, lines: [Line], to path: String) throws {
        var rows: [[String]] = [SubmissionColumns.all]
        for u in units {
            for l in lines { rows.append([u.code, String(year), c.id, l.indicator, l.variable, "", "", "self"]) }
        }
        try Data(CSVWriter.encode(rows, bom: true).utf8).write(to: URL(fileURLWithPath: path))
    }

    public static func writeXLSX(_ c: Catalogue, units: [Unit], year: Int, lines: [Line], to path: String, language: Language = .vi) throws {
        func t(_ vi: String, _ en: String) -> String { language == .vi ? vi : en }
        do {
            let book = try XLSXWriter(path: path)
            book.setProperties(title: t("Biểu mẫu số liệu DTI — \(c.id)", "DTI submission form — \(c.id)"), author: "dti")
            let title = book.format(XLSXFormat(bold: true, fontSize: 14))
            let label = book.format(XLSXFormat(bold: true, background: 0xEEF2F7, border: true))
            let header = book.format(XLSXFormat(bold: true, background: 0xD9E2F0, border: true, wrap: true))
            let locked = book.format(XLSXFormat(border: true, wrap: true))
            let lockedNumber = book.format(XLSXFormat(border: true, numberFormat: "0.###"))
            let input = book.format(XLSXFormat(background: 0xFFF9DB, border: true, locked: false))
            let inputText = book.format(XLSXFormat(background: 0xFFF9DB, border: true, wrap: true, locked: false))

            let help = try book.addSheet(t("Hướng dẫn", "Instructions"))
            help.setColumn(first: 0, last: 0, width: 110, format: nil)
            let helpLines = [
                t("Biểu mẫu số liệu: \(c.title)", "Submission form: \(c.title)"),
                t("Bộ chỉ số: \(c.id) — nguồn: \(c.source.document)", "Catalogue: \(c.id) — source: \(c.source.document)"),
                t("Mỗi trang là một đơn vị. Chỉ nhập vào cột “Giá trị” và “Tài liệu kiểm chứng” (ô màu vàng); các cột khác bị khóa.",
                  "One sheet per unit. Type only in the “Value” and “Evidence” columns (yellow); the other columns are locked."),
                t("Số thập phân viết 0,5 hoặc 0.5. Câu hỏi có/không: chọn “có” hoặc “không”. Không nhập công thức.",
                  "Decimals as 0,5 or 0.5. Yes/no questions: choose “có” (yes) or “không” (no). Do not type formulas."),
                t("Để trống các ô chưa có số liệu. Nạp tệp bằng: dti load <tệp>.xlsx", "Leave cells without data empty. Load the file with: dti load <file>.xlsx"),
            ]
            for (k, text) in helpLines.enumerated() { help.write(row: k, col: 0, string: text, format: k == 0 ? title : nil) }

            let cols = Layout.columns
            for u in units {
                let sheet = try book.addSheet(u.name)
                sheet.merge(firstRow: 0, firstCol: 0, lastRow: 0, lastCol: cols.note, string: t("Biểu mẫu số liệu — \(c.title)", "Submission form — \(c.title)"), format: title)
                sheet.write(row: 1, col: 0, string: Layout.unitLabels[language == .vi ? 0 : 1], format: label)
                sheet.write(row: 1, col: 1, string: u.code, format: locked)
                sheet.write(row: 1, col: 3, string: t("Năm", "Year"), format: label)
                sheet.write(row: 1, col: 4, number: Decimal(year), format: input)
                sheet.write(row: 2, col: 0, string: t("Bộ chỉ số", "Catalogue"), format: label)
                sheet.write(row: 2, col: 1, string: c.id, format: locked)
                sheet.write(row: 2, col: 3, string: t("Giai đoạn", "Stage"), format: label)
                sheet.write(row: 2, col: 4, string: "self", format: input)
                sheet.dataValidationList(firstRow: 2, firstCol: 4, lastRow: 2, lastCol: 4, values: Stage.allCases.map(\.rawValue))
                sheet.write(row: 3, col: 0, string: t("Tên đơn vị", "Unit name"), format: label)
                sheet.write(row: 3, col: 1, string: u.name, format: locked)
                sheet.write(row: 4, col: 0, string: t("Nhập vào các ô màu vàng. Cột “Biến” là chữ cái nguồn dùng (a, b …).", "Type in the yellow cells. “Variable” is the letter the source uses (a, b …)."), format: nil)
                let headers = [t("Mã chỉ số", "Indicator"), t("Chỉ số", "Indicator name"), t("Điểm tối đa", "Max points"), t("Biến", "Variable"),
                               t("Ý nghĩa", "Meaning"), t("Loại", "Kind"), t("Giá trị", "Value"), t("Tài liệu kiểm chứng", "Evidence"), t("Ghi chú", "Note")]
                for (k, h) in headers.enumerated() { sheet.write(row: Layout.headerRow, col: k, string: h, format: header) }
                for (k, l) in lines.enumerated() {
                    let row = Layout.firstDataRow + k
                    sheet.write(row: row, col: cols.indicator, string: l.indicator, format: locked)
                    sheet.write(row: row, col: cols.name, string: l.indicatorName, format: locked)
                    if let m = l.maxPoints { sheet.write(row: row, col: cols.max, number: m, format: lockedNumber) } else { sheet.writeBlank(row: row, col: cols.max, format: locked) }
                    sheet.write(row: row, col: cols.variable, string: l.variable, format: locked)
                    sheet.write(row: row, col: cols.meaning, string: l.meaning, format: locked)
                    sheet.write(row: row, col: cols.kind, string: l.kind.rawValue + (l.unit.map { " (\($0))" } ?? ""), format: locked)
                    sheet.writeBlank(row: row, col: cols.value, format: l.kind == .text ? inputText : input)
                    sheet.writeBlank(row: row, col: cols.evidence, format: inputText)
                    sheet.write(row: row, col: cols.note, string: l.note ?? "", format: locked)
                    if !l.options.isEmpty {
                        sheet.dataValidationList(firstRow: row, firstCol: cols.value, lastRow: row, lastCol: cols.value, values: l.options)
                    } else if l.kind.isNumeric && !l.allowNegative {
                        sheet.dataValidationDecimal(firstRow: row, firstCol: cols.value, lastRow: row, lastCol: cols.value, minimum: 0)
                    }
                }
                sheet.setColumn(first: cols.indicator, last: cols.indicator, width: 10, format: nil)
                sheet.setColumn(first: cols.name, last: cols.name, width: 48, format: nil)
                sheet.setColumn(first: cols.max, last: cols.max, width: 9, format: nil)
                sheet.setColumn(first: cols.variable, last: cols.variable, width: 8, format: nil)
                sheet.setColumn(first: cols.meaning, last: cols.meaning, width: 48, format: nil)
                sheet.setColumn(first: cols.kind, last: cols.kind, width: 14, format: nil)
                sheet.setColumn(first: cols.value, last: cols.value, width: 14, format: nil)
                sheet.setColumn(first: cols.evidence, last: cols.evidence, width: 30, format: nil)
                sheet.setColumn(first: cols.note, last: cols.note, width: 40, format: nil)
                sheet.freezePanes(row: Layout.firstDataRow, col: 2)
                sheet.protect()
            }
            try book.close()
        } catch let e as FormatError {
            throw DTIError(.inputRejected, vi: "không ghi được \(path): \(e.reasonVi)", en: "cannot write \(path): \(e.reason)")
        }
    }
}

/// The XLSX form made by `dti template`, as records. Sheets without the unit-code label in A2 are skipped.
struct XLSXRecordSource: RecordSource {
    let format = "xlsx"
    var records: [RawRecord] = []
    var index = 0

    init(path: String) throws {
        let reader: XLSXReader
        do { reader = try XLSXReader(path: path) } catch let e as FormatError { throw RecordSources.rejected(e) }
        let cols = TemplateWriter.Layout.columns
        var sawForm = false
        for sheet in reader.sheetNames {
            let rows: [XLSXRow]
            do { rows = try reader.rows(sheet: sheet) } catch let e as FormatError { throw RecordSources.rejected(e) }
            var cells: [Int: [Int: XLSXCell]] = [:]
            for r in rows { for c in r.cells { cells[c.row, default: [:]][c.column] = c } }
            func text(_ row: Int, _ col: Int) -> String {   // 1-based
                guard let c = cells[row]?[col] else { return "" }
                switch c.value {
                case .string(let s): return s
                case .number(let n): return ExactNumber.plain(n) ?? n
                case .bool(let b): return b ? "có" : "không"
                default: return ""
                }
            }
            guard TemplateWriter.Layout.unitLabels.contains(text(2, 1).trimmingCharacters(in: .whitespaces)) else { continue }
            sawForm = true
            let unit = text(2, 2), year = text(2, 5), catalogue = text(3, 2), stage = text(3, 5)
            let lastRow = cells.keys.max() ?? 0
            guard lastRow > TemplateWriter.Layout.firstDataRow else { continue }
            for row in (TemplateWriter.Layout.firstDataRow + 1)...lastRow {
                let ref = "\(sheet)!\(XLSXReader.columnName(cols.value + 1))\(row)"
                let indicator = text(row, cols.indicator + 1), variable = text(row, cols.variable + 1)
                // A form line left blank is "not answered": a record with no value, which the load neither refuses nor
                // writes (an earlier value stays, and the summary lists it as kept).
                let formLine = !indicator.trimmingCharacters(in: .whitespaces).isEmpty && !variable.trimmingCharacters(in: .whitespaces).isEmpty
                func blank() {
                    records.append(RawRecord(ref: ref, unit: unit, year: year, catalogue: catalogue, indicator: indicator, variable: variable,
                                             value: "", evidence: text(row, cols.evidence + 1), stage: stage))
                }
                guard let valueCell = cells[row]?[cols.value + 1] else { if formLine { blank() }; continue }
                var value = "", problem: String? = nil, machine = false
                if let f = valueCell.formula {
                    problem = "cell.formula"; value = "=" + f
                } else {
                    switch valueCell.value {
                    case .empty: if formLine { blank() }; continue
                    case .string(let s): value = s
                    case .number(let n) where valueCell.percent:
                        // A cell formatted as a percent: the person typed and sees "45%", the file stores 0.45.
                        machine = true
                        value = (ExactNumber.plain(n).flatMap(DecimalText.decimal).map { ($0 * 100).machineText } ?? n) + "%"
                    case .number(let n): value = ExactNumber.plain(n) ?? n; machine = true
                    case .bool(let b): value = b ? "có" : "không"
                    case .date(let y, let m, let d): problem = "cell.date"; value = String(format: "%04d-%02d-%02d", y, m, d)
                    case .error(let e): problem = "cell.error"; value = e
                    }
                }
                if value.trimmingCharacters(in: .whitespaces).isEmpty && problem == nil { if formLine { blank() }; continue }
                records.append(RawRecord(ref: ref, unit: unit, year: year, catalogue: catalogue, indicator: indicator,
                                         variable: variable, value: value, evidence: text(row, cols.evidence + 1),
                                         stage: stage, problem: problem, machineNumber: machine))
            }
        }
        if !sawForm {
            throw DTIError(.inputRejected, Message("xlsx.not_form", vi: "\(path): không có trang biểu mẫu nào (ô A2 phải là “Mã đơn vị”; tạo biểu mẫu bằng dti template)",
                                                   en: "\(path): no form sheet (cell A2 must read “Mã đơn vị”; make forms with dti template)"))
        }
    }

    mutating func next() throws -> RawRecord? {
        guard index < records.count else { return nil }
        defer { index += 1 }
        return records[index]
    }
}

/// Numbers as spreadsheets store them (`0.5`, `1.5E-3`, `12`), turned into plain decimal text without Double.
public enum ExactNumber {
    public static func plain(_ text: String) -> String? {
        let t = text.trimmingCharacters(in: .whitespaces)
        guard let e = t.firstIndex(where: { $0 == "E" || $0 == "e" }) else { return DecimalText.decimal(t).map(\.machineText) }
        guard let mantissa = DecimalText.decimal(t[..<e]), let exponent = Int(t[t.index(after: e)...]), abs(exponent) < 100 else { return nil }
        var v = mantissa
        if exponent > 0 { for _ in 0..<exponent { v *= 10 } } else { for _ in 0..<(-exponent) { v /= 10 } }
        return v.machineText
    }
}
