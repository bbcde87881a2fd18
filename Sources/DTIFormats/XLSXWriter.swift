import CXLSXWriter
import Foundation

/// How a cell looks. Formats are cached per workbook by value.
public struct XLSXFormat: Hashable, Sendable {
    public enum Align: Sendable, Hashable { case left, center, right }
    public var bold = false
    public var italic = false
    public var fontColor: UInt32? = nil
    public var background: UInt32? = nil
    public var border = false
    public var wrap = false
    public var align: Align? = nil
    public var numberFormat: String? = nil
    /// Unlocked cells stay editable on a protected sheet.
    public var locked = true
    public var fontSize: Double? = nil

    public init(bold: Bool = false, italic: Bool = false, fontColor: UInt32? = nil, background: UInt32? = nil, border: Bool = false,
                wrap: Bool = false, align: Align? = nil, numberFormat: String? = nil, locked: Bool = true, fontSize: Double? = nil) {
        self.bold = bold; self.italic = italic; self.fontColor = fontColor; self.background = background; self.border = border
        self.wrap = wrap; self.align = align; self.numberFormat = numberFormat; self.locked = locked; self.fontSize = fontSize
    }
}

/// A format made by a workbook (opaque).
public struct XLSXFormatRef: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<lxw_format>
}

/// Writes XLSX files with libxlsxwriter. Rows and columns are 0-based, as in libxlsxwriter.
public final class XLSXWriter {
    let path: String
    let workbook: UnsafeMutablePointer<lxw_workbook>
    var formats: [XLSXFormat: XLSXFormatRef] = [:]
    var sheetNames: Set<String> = []
    var closed = false
    /// C strings that must outlive the workbook (document properties).
    var keep: [UnsafeMutablePointer<CChar>] = []

    public init(path: String) throws {
        self.path = path
        guard let wb = workbook_new(path) else {
            throw FormatError(file: path, location: "0", code: "xlsx.write", vi: "không tạo được tệp XLSX", en: "cannot create the XLSX file")
        }
        workbook = wb
    }

    deinit {
        if !closed { workbook_close(workbook) }
        keep.forEach { free($0) }
    }

    func check(_ e: lxw_error, _ what: String) throws {
        guard e == LXW_NO_ERROR else {
            let reason = String(cString: lxw_strerror(e))
            throw FormatError(file: path, location: what, code: "xlsx.write", vi: "lỗi khi ghi XLSX (\(what)): \(reason)", en: "error writing the XLSX (\(what)): \(reason)")
        }
    }

    public func setProperties(title: String?, author: String?, subject: String? = nil, keywords: String? = nil, comments: String? = nil,
                              category: String? = nil, created: Date? = nil) {
        var props = lxw_doc_properties()
        func c(_ s: String?) -> UnsafeMutablePointer<CChar>? {
            guard let s else { return nil }
            let p = strdup(s)!; keep.append(p); return p
        }
        props.title = c(title); props.author = c(author); props.subject = c(subject); props.keywords = c(keywords)
        props.comments = c(comments); props.category = c(category)
        if let created { props.created = time_t(created.timeIntervalSince1970) }
        workbook_set_properties(workbook, &props)
    }

    /// A custom document property (File › Properties › Custom in Excel).
    public func setCustomProperty(_ name: String, _ value: String) throws {
        try check(workbook_set_custom_property_string(workbook, name, value), "property \(name)")
    }

    /// A sheet; the name is made valid for Excel (≤ 31 characters, none of []:*?/\) and unique.
    public func addSheet(_ name: String) throws -> XLSXSheet {
        var base = String(name.map { "[]:*?/\\".contains($0) ? "-" : $0 }).trimmingCharacters(in: CharacterSet(charactersIn: "' "))
        if base.isEmpty { base = "Sheet" }
        base = String(base.prefix(31))
        var candidate = base
        var n = 2
        while sheetNames.contains(candidate.lowercased()) {
            let suffix = " (\(n))"
            candidate = String(base.prefix(31 - suffix.count)) + suffix
            n += 1
        }
        sheetNames.insert(candidate.lowercased())
        guard let ws = workbook_add_worksheet(workbook, candidate) else {
            throw FormatError(file: path, location: candidate, code: "xlsx.write", vi: "không thêm được trang '\(candidate)'", en: "cannot add sheet '\(candidate)'")
        }
        return XLSXSheet(writer: self, pointer: ws, name: candidate)
    }

    public func format(_ spec: XLSXFormat) -> XLSXFormatRef {
        if let f = formats[spec] { return f }
        let f = workbook_add_format(workbook)!
        if spec.bold { format_set_bold(f) }
        if spec.italic { format_set_italic(f) }
        if let c = spec.fontColor { format_set_font_color(f, c) }
        if let c = spec.background { format_set_bg_color(f, c) }
        if spec.border { format_set_border(f, UInt8(LXW_BORDER_THIN.rawValue)) }
        if spec.wrap { format_set_text_wrap(f) }
        if let a = spec.align {
            let v: UInt8 = switch a {
            case .left: UInt8(LXW_ALIGN_LEFT.rawValue)
            case .center: UInt8(LXW_ALIGN_CENTER.rawValue)
            case .right: UInt8(LXW_ALIGN_RIGHT.rawValue)
            }
            format_set_align(f, v)
        }
        format_set_align(f, UInt8(LXW_ALIGN_VERTICAL_TOP.rawValue))
        if let n = spec.numberFormat { format_set_num_format(f, n) }
        if !spec.locked { format_set_unlocked(f) }
        if let s = spec.fontSize { format_set_font_size(f, s) }
        let ref = XLSXFormatRef(pointer: f)
        formats[spec] = ref
        return ref
    }

    public func close() throws {
        guard !closed else { return }
        closed = true
        try check(workbook_close(workbook), "close")
    }
}

public enum XLSXChartKind: Sendable { case line, column }

/// A cell range on a named sheet: (sheet, firstRow, firstCol, lastRow, lastCol), 0-based.
public typealias XLSXRange = (sheet: String, firstRow: Int, firstCol: Int, lastRow: Int, lastCol: Int)

public final class XLSXSheet {
    unowned let writer: XLSXWriter
    let pointer: UnsafeMutablePointer<lxw_worksheet>
    public let name: String
    /// The first error met while writing cells (reported by `XLSXWriter.close` callers through `firstError`).
    public private(set) var firstError: FormatError?

    init(writer: XLSXWriter, pointer: UnsafeMutablePointer<lxw_worksheet>, name: String) {
        self.writer = writer; self.pointer = pointer; self.name = name
    }

    private func note(_ e: lxw_error, _ row: Int, _ col: Int) {
        guard e != LXW_NO_ERROR, firstError == nil else { return }
        let reason = String(cString: lxw_strerror(e))
        firstError = FormatError(file: writer.path, location: "\(name)!\(XLSXReader.columnName(col + 1))\(row + 1)", code: "xlsx.write",
                                 vi: "lỗi khi ghi ô: \(reason)", en: "error writing a cell: \(reason)")
    }

    public func write(row: Int, col: Int, string: String, format: XLSXFormatRef? = nil) {
        note(worksheet_write_string(pointer, lxw_row_t(row), lxw_col_t(col), string, format?.pointer), row, col)
    }

    /// Numbers go to Excel as doubles (Excel's own limit); the decimal is exact up to that point.
    public func write(row: Int, col: Int, number: Decimal, format: XLSXFormatRef? = nil) {
        note(worksheet_write_number(pointer, lxw_row_t(row), lxw_col_t(col), NSDecimalNumber(decimal: number).doubleValue, format?.pointer), row, col)
    }

    public func writeBlank(row: Int, col: Int, format: XLSXFormatRef? = nil) {
        note(worksheet_write_blank(pointer, lxw_row_t(row), lxw_col_t(col), format?.pointer), row, col)
    }

    public func writeFormula(row: Int, col: Int, formula: String, format: XLSXFormatRef? = nil) {
        note(worksheet_write_formula(pointer, lxw_row_t(row), lxw_col_t(col), formula, format?.pointer), row, col)
    }

    public func setColumn(first: Int, last: Int, width: Double, format: XLSXFormatRef? = nil) {
        note(worksheet_set_column(pointer, lxw_col_t(first), lxw_col_t(last), width, format?.pointer), 0, first)
    }

    public func setRow(_ row: Int, height: Double) {
        note(worksheet_set_row(pointer, lxw_row_t(row), height, nil), row, 0)
    }

    public func freezePanes(row: Int, col: Int) {
        worksheet_freeze_panes(pointer, lxw_row_t(row), lxw_col_t(col))
    }

    public func autofilter(firstRow: Int, firstCol: Int, lastRow: Int, lastCol: Int) {
        note(worksheet_autofilter(pointer, lxw_row_t(firstRow), lxw_col_t(firstCol), lxw_row_t(lastRow), lxw_col_t(lastCol)), firstRow, firstCol)
    }

    /// A drop-down list of allowed values.
    public func dataValidationList(firstRow: Int, firstCol: Int, lastRow: Int, lastCol: Int, values: [String]) {
        var cStrings: [UnsafeMutablePointer<CChar>?] = values.map { strdup($0) }
        cStrings.append(nil)
        defer { cStrings.forEach { free($0) } }
        var v = lxw_data_validation()
        v.validate = UInt8(LXW_VALIDATION_TYPE_LIST.rawValue)
        cStrings.withUnsafeMutableBufferPointer { list in
            v.value_list = list.baseAddress
            note(worksheet_data_validation_range(pointer, lxw_row_t(firstRow), lxw_col_t(firstCol), lxw_row_t(lastRow), lxw_col_t(lastCol), &v), firstRow, firstCol)
        }
    }

    /// Only decimal numbers at or above `minimum`.
    public func dataValidationDecimal(firstRow: Int, firstCol: Int, lastRow: Int, lastCol: Int, minimum: Decimal) {
        var v = lxw_data_validation()
        v.validate = UInt8(LXW_VALIDATION_TYPE_DECIMAL.rawValue)
        v.criteria = UInt8(LXW_VALIDATION_CRITERIA_GREATER_THAN_OR_EQUAL_TO.rawValue)
        v.value_number = NSDecimalNumber(decimal: minimum).doubleValue
        note(worksheet_data_validation_range(pointer, lxw_row_t(firstRow), lxw_col_t(firstCol), lxw_row_t(lastRow), lxw_col_t(lastCol), &v), firstRow, firstCol)
    }

    /// Protects the sheet: locked cells (the default) cannot be edited, unlocked ones can.
    public func protect() {
        worksheet_protect(pointer, nil, nil)
    }

    public func merge(firstRow: Int, firstCol: Int, lastRow: Int, lastCol: Int, string: String, format: XLSXFormatRef? = nil) {
        note(worksheet_merge_range(pointer, lxw_row_t(firstRow), lxw_col_t(firstCol), lxw_row_t(lastRow), lxw_col_t(lastCol), string, format?.pointer), firstRow, firstCol)
    }

    public func insertChart(kind: XLSXChartKind, title: String, categories: XLSXRange, series: [(name: String, values: XLSXRange)],
                            at: (row: Int, col: Int), xAxisTitle: String? = nil, yAxisTitle: String? = nil,
                            yRange: ClosedRange<Double>? = nil, scale: (x: Double, y: Double) = (1, 1)) {
        let type: UInt8 = kind == .line ? UInt8(LXW_CHART_LINE.rawValue) : UInt8(LXW_CHART_COLUMN.rawValue)
        guard let chart = workbook_add_chart(writer.workbook, type) else { return }
        for s in series {
            guard let cs = chart_add_series(chart, nil, nil) else { continue }
            chart_series_set_categories(cs, categories.sheet, lxw_row_t(categories.firstRow), lxw_col_t(categories.firstCol),
                                        lxw_row_t(categories.lastRow), lxw_col_t(categories.lastCol))
            chart_series_set_values(cs, s.values.sheet, lxw_row_t(s.values.firstRow), lxw_col_t(s.values.firstCol),
                                    lxw_row_t(s.values.lastRow), lxw_col_t(s.values.lastCol))
            chart_series_set_name(cs, s.name)
            if kind == .line { chart_series_set_marker_type(cs, UInt8(LXW_CHART_MARKER_AUTOMATIC.rawValue)) }
        }
        chart_title_set_name(chart, title)
        if let x = xAxisTitle { chart_axis_set_name(chart.pointee.x_axis, x) }
        if let y = yAxisTitle { chart_axis_set_name(chart.pointee.y_axis, y) }
        if let r = yRange { chart_axis_set_min(chart.pointee.y_axis, r.lowerBound); chart_axis_set_max(chart.pointee.y_axis, r.upperBound) }
        var options = lxw_chart_options()
        options.x_scale = scale.x; options.y_scale = scale.y
        note(worksheet_insert_chart_opt(pointer, lxw_row_t(at.row), lxw_col_t(at.col), chart, &options), at.row, at.col)
    }

    public func setLandscape() { worksheet_set_landscape(pointer) }

    /// Printed: every column on one page width (as many pages down as needed), on A4.
    public func fitToPageWidth() {
        worksheet_set_paper(pointer, 9)   // 9 = A4
        worksheet_fit_to_pages(pointer, 1, 0)
    }

    public func hide() { worksheet_hide(pointer) }
}
