import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import ZIPFoundation

public struct XLSXRow: Sendable {
    /// 1-based row number
    public let index: Int
    public let cells: [XLSXCell]
}

public struct XLSXCell: Sendable {
    /// "B7"
    public let reference: String
    /// 1-based
    public let column: Int
    /// 1-based
    public let row: Int
    public let value: XLSXValue
    /// The formula, for a cell that holds one (its value is then the cached result).
    public let formula: String?
    /// A number cell whose format shows it as a percent (`0%`, `0.00%`, or a custom format with `%`): a person who
    /// typed "45%" sees 45%, and the file stores 0.45.
    public var percent: Bool = false
}

public enum XLSXValue: Sendable, Equatable {
    case empty
    case string(String)
    /// The number exactly as the file stores it ("83.125", "1.5E-3"): parse it as a decimal, never as a Double.
    case number(String)
    case bool(Bool)
    case date(year: Int, month: Int, day: Int)
    case error(String)
}

/// Reads XLSX workbooks with ZIPFoundation and XMLParser: sheet names, shared and inline strings, numbers (as their
/// exact text), booleans, dates (by the cell's number format), errors and formulas.
public struct XLSXReader {
    public let path: String
    public let sheetNames: [String]
    private let sheetParts: [String: String]
    private let sharedStrings: [String]
    private let dateStyles: Set<Int>
    private let percentStyles: Set<Int>
    private let archive: Archive

    public init(path: String) throws {
        self.path = path
        func corrupt(_ vi: String, _ en: String) -> FormatError {
            FormatError(file: path, location: "0", code: "xlsx.corrupt", vi: "tệp XLSX hỏng hoặc không đúng định dạng: \(vi)", en: "the XLSX file is corrupt or not an XLSX: \(en)")
        }
        guard FileManager.default.fileExists(atPath: path) else {
            throw FormatError(file: path, location: "0", code: "xlsx.open", vi: "không có tệp", en: "no such file")
        }
        let zip: Archive
        do {
            zip = try Archive(url: URL(fileURLWithPath: path), accessMode: .read)
        } catch {
            throw corrupt("không đọc được tệp nén (zip)", "cannot read it as a zip archive")
        }
        archive = zip
        func part(_ name: String) throws -> Data? {
            guard let entry = zip[name] else { return nil }
            var data = Data()
            do { _ = try zip.extract(entry) { data.append($0) } } catch {
                throw corrupt("phần \(name) bị hỏng", "part \(name) is damaged")
            }
            return data
        }
        guard zip["[Content_Types].xml"] != nil, let workbook = try part("xl/workbook.xml") else {
            throw corrupt("thiếu [Content_Types].xml hoặc xl/workbook.xml", "[Content_Types].xml or xl/workbook.xml is missing")
        }
        let rels = try part("xl/_rels/workbook.xml.rels") ?? Data()
        let sheets = try XMLCollector.parse(workbook, elements: ["sheet"], file: path)
        let relations = try XMLCollector.parse(rels, elements: ["Relationship"], file: path)
        var targets: [String: String] = [:]
        for r in relations {
            guard let id = r.attributes["Id"], var target = r.attributes["Target"] else { continue }
            if target.hasPrefix("/") { target.removeFirst() } else { target = "xl/" + target }
            targets[id] = target
        }
        var names: [String] = []
        var parts: [String: String] = [:]
        for (k, s) in sheets.enumerated() {
            guard let name = s.attributes["name"] else { continue }
            let rid = s.attributes["r:id"] ?? s.attributes.first(where: { $0.key.hasSuffix(":id") })?.value ?? ""
            names.append(name.precomposedStringWithCanonicalMapping)
            parts[name.precomposedStringWithCanonicalMapping] = targets[rid] ?? "xl/worksheets/sheet\(k + 1).xml"
        }
        sheetNames = names
        sheetParts = parts
        sharedStrings = try SharedStrings.parse(try part("xl/sharedStrings.xml") ?? Data(), file: path)
        let styles = try part("xl/styles.xml") ?? Data()
        dateStyles = try Styles.dateStyles(styles, file: path)
        percentStyles = try Styles.percentStyles(styles, file: path)
    }

    public func rows(sheet: String) throws -> [XLSXRow] {
        guard let partName = sheetParts[sheet], let entry = archive[partName] else {
            throw FormatError(file: path, location: sheet, code: "xlsx.sheet", vi: "không có trang '\(sheet)'", en: "no sheet '\(sheet)'")
        }
        var data = Data()
        do { _ = try archive.extract(entry) { data.append($0) } } catch {
            throw FormatError(file: path, location: sheet, code: "xlsx.corrupt", vi: "tệp XLSX hỏng: trang '\(sheet)' không đọc được",
                              en: "the XLSX file is corrupt: sheet '\(sheet)' cannot be read")
        }
        let parser = SheetParser(shared: sharedStrings, dateStyles: dateStyles, percentStyles: percentStyles)
        let xml = XMLParser(data: data)
        xml.delegate = parser
        guard xml.parse() else {
            throw FormatError(file: path, location: sheet, code: "xlsx.corrupt", vi: "tệp XLSX hỏng: XML của trang '\(sheet)' không hợp lệ",
                              en: "the XLSX file is corrupt: the XML of sheet '\(sheet)' is invalid")
        }
        return parser.rows
    }

    /// "A" for 1, "AA" for 27.
    public static func columnName(_ column: Int) -> String {
        var n = column, s = ""
        while n > 0 {
            let r = (n - 1) % 26
            s = String(UnicodeScalar(UInt8(65 + r))) + s
            n = (n - 1) / 26
        }
        return s
    }

    /// (column, row), 1-based, of "B7".
    public static func parseReference(_ ref: String) -> (column: Int, row: Int)? {
        var column = 0, row = 0, seenDigit = false
        for u in ref.unicodeScalars {
            if ("A"..."Z").contains(u) && !seenDigit { column = column * 26 + Int(u.value - 64) }
            else if ("0"..."9").contains(u) { seenDigit = true; row = row * 10 + Int(u.value - 48) }
            else if u == "$" { continue }
            else { return nil }
        }
        return column > 0 && row > 0 ? (column, row) : nil
    }

    /// Excel's 1900 date system, with its phantom 29 February 1900.
    static func date(serial: Double) -> (Int, Int, Int) {
        var days = Int(serial.rounded(.down))
        if days >= 60 { days -= 1 }   // serial 60 is the non-existent 1900-02-29
        var comps = DateComponents()
        comps.year = 1899; comps.month = 12; comps.day = 31
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = TimeZone(identifier: "UTC")!
        let base = cal.date(from: comps)!
        let d = cal.date(byAdding: .day, value: days, to: base)!
        let c = cal.dateComponents([.year, .month, .day], from: d)
        return (c.year!, c.month!, c.day!)
    }
}

/// Collects the attributes of chosen elements.
final class XMLCollector: NSObject, XMLParserDelegate {
    struct Element { var name: String; var attributes: [String: String] }
    let wanted: Set<String>
    var found: [Element] = []
    init(_ wanted: Set<String>) { self.wanted = wanted }

    static func parse(_ data: Data, elements: Set<String>, file: String) throws -> [Element] {
        if data.isEmpty { return [] }
        let c = XMLCollector(elements)
        let p = XMLParser(data: data)
        p.delegate = c
        guard p.parse() else {
            throw FormatError(file: file, location: "0", code: "xlsx.corrupt", vi: "tệp XLSX hỏng: XML không hợp lệ", en: "the XLSX file is corrupt: invalid XML")
        }
        return c.found
    }

    func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName qName: String?, attributes: [String: String] = [:]) {
        let local = elementName.split(separator: ":").last.map(String.init) ?? elementName
        if wanted.contains(local) { found.append(Element(name: local, attributes: attributes)) }
    }
}

/// `xl/sharedStrings.xml`: each `<si>` is one string, rich-text runs concatenated, phonetic runs skipped.
final class SharedStrings: NSObject, XMLParserDelegate {
    var strings: [String] = []
    var current = ""
    var inText = false
    var inPhonetic = false

    static func parse(_ data: Data, file: String) throws -> [String] {
        if data.isEmpty { return [] }
        let s = SharedStrings()
        let p = XMLParser(data: data)
        p.delegate = s
        guard p.parse() else {
            throw FormatError(file: file, location: "sharedStrings", code: "xlsx.corrupt", vi: "tệp XLSX hỏng: sharedStrings.xml không hợp lệ",
                              en: "the XLSX file is corrupt: invalid sharedStrings.xml")
        }
        return s.strings
    }

    func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName qName: String?, attributes: [String: String] = [:]) {
        switch elementName {
        case "si": current = ""
        case "t": inText = !inPhonetic
        case "rPh": inPhonetic = true
        default: break
        }
    }
    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?) {
        switch elementName {
        case "si": strings.append(current.precomposedStringWithCanonicalMapping)
        case "t": inText = false
        case "rPh": inPhonetic = false
        default: break
        }
    }
    func parser(_ parser: XMLParser, foundCharacters string: String) { if inText { current += string } }
}

/// `xl/styles.xml`: which cell styles (indexes of cellXfs) format numbers as dates.
final class Styles: NSObject, XMLParserDelegate {
    var customFormats: [Int: String] = [:]
    var xfFormats: [Int] = []
    var inCellXfs = false

    static func dateStyles(_ data: Data, file: String) throws -> Set<Int> {
        if data.isEmpty { return [] }
        let s = Styles()
        let p = XMLParser(data: data)
        p.delegate = s
        guard p.parse() else {
            throw FormatError(file: file, location: "styles", code: "xlsx.corrupt", vi: "tệp XLSX hỏng: styles.xml không hợp lệ", en: "the XLSX file is corrupt: invalid styles.xml")
        }
        var out = Set<Int>()
        for (k, id) in s.xfFormats.enumerated() where isDate(id, s.customFormats[id]) { out.insert(k) }
        return out
    }

    /// The cell styles whose number format shows a percent: built-in 9 (`0%`) and 10 (`0.00%`), or a custom format with
    /// a `%` outside quotes and brackets.
    static func percentStyles(_ data: Data, file: String) throws -> Set<Int> {
        if data.isEmpty { return [] }
        let s = Styles()
        let p = XMLParser(data: data)
        p.delegate = s
        guard p.parse() else {
            throw FormatError(file: file, location: "styles", code: "xlsx.corrupt", vi: "tệp XLSX hỏng: styles.xml không hợp lệ", en: "the XLSX file is corrupt: invalid styles.xml")
        }
        var out = Set<Int>()
        for (k, id) in s.xfFormats.enumerated() where isPercent(id, s.customFormats[id]) { out.insert(k) }
        return out
    }

    static func isPercent(_ id: Int, _ code: String?) -> Bool {
        if id == 9 || id == 10 { return true }
        guard let code else { return false }
        var inQuote = false, inBracket = false, escaped = false
        for ch in code {
            if escaped { escaped = false; continue }
            if ch == "\\" { escaped = true; continue }
            if ch == "\"" { inQuote.toggle(); continue }
            if ch == "[" { inBracket = true; continue }
            if ch == "]" { inBracket = false; continue }
            if ch == "%" && !inQuote && !inBracket { return true }
        }
        return false
    }

    static func isDate(_ id: Int, _ code: String?) -> Bool {
        if (14...22).contains(id) || (45...47).contains(id) { return true }
        guard let code else { return false }
        // Strip quoted text and [colour]/[locale] sections, then look for date letters.
        var cleaned = ""
        var inQuote = false, inBracket = false
        for ch in code.lowercased() {
            if ch == "\"" { inQuote.toggle(); continue }
            if ch == "[" { inBracket = true; continue }
            if ch == "]" { inBracket = false; continue }
            if !inQuote && !inBracket { cleaned.append(ch) }
        }
        return cleaned.contains("d") || cleaned.contains("y") || (cleaned.contains("m") && !cleaned.contains("h") && !cleaned.contains("s"))
    }

    func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName qName: String?, attributes: [String: String] = [:]) {
        switch elementName {
        case "numFmt":
            if let id = attributes["numFmtId"].flatMap(Int.init), let code = attributes["formatCode"] { customFormats[id] = code }
        case "cellXfs": inCellXfs = true
        case "xf": if inCellXfs { xfFormats.append(attributes["numFmtId"].flatMap(Int.init) ?? 0) }
        default: break
        }
    }
    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?) {
        if elementName == "cellXfs" { inCellXfs = false }
    }
}

/// One worksheet's `<sheetData>`.
final class SheetParser: NSObject, XMLParserDelegate {
    let shared: [String]
    let dateStyles: Set<Int>
    let percentStyles: Set<Int>
    var rows: [XLSXRow] = []
    var cells: [XLSXCell] = []
    var rowIndex = 0
    var nextColumn = 1
    var cellRef = "", cellType = "", cellStyle = 0
    var value = "", formula: String? = nil, inline = ""
    var capture: String? = nil

    init(shared: [String], dateStyles: Set<Int>, percentStyles: Set<Int> = []) {
        self.shared = shared; self.dateStyles = dateStyles; self.percentStyles = percentStyles
    }

    func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName qName: String?, attributes: [String: String] = [:]) {
        switch elementName {
        case "row":
            rowIndex = attributes["r"].flatMap(Int.init) ?? rowIndex + 1
            cells = []
            nextColumn = 1
        case "c":
            cellRef = attributes["r"] ?? XLSXReader.columnName(nextColumn) + String(rowIndex)
            cellType = attributes["t"] ?? "n"
            cellStyle = attributes["s"].flatMap(Int.init) ?? 0
            value = ""; formula = nil; inline = ""
        case "v": capture = "v"
        case "f": capture = "f"; formula = formula ?? ""
        case "t": capture = "t"
        default: break
        }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        switch capture {
        case "v": value += string
        case "f": formula = (formula ?? "") + string
        case "t": inline += string
        default: break
        }
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?) {
        switch elementName {
        case "v", "f", "t": capture = nil
        case "c":
            let (column, row) = XLSXReader.parseReference(cellRef) ?? (nextColumn, rowIndex)
            nextColumn = column + 1
            let v: XLSXValue
            switch cellType {
            case "s":
                if let i = Int(value), shared.indices.contains(i) { v = .string(shared[i]) } else { v = .empty }
            case "inlineStr": v = inline.isEmpty ? .empty : .string(inline.precomposedStringWithCanonicalMapping)
            case "str": v = .string(value.precomposedStringWithCanonicalMapping)
            case "b": v = .bool(value == "1" || value == "true")
            case "e": v = .error(value)
            default:
                if value.isEmpty { v = .empty }
                else if dateStyles.contains(cellStyle), let serial = Double(value) {
                    let (y, m, d) = XLSXReader.date(serial: serial)
                    v = .date(year: y, month: m, day: d)
                } else { v = .number(value.trimmingCharacters(in: .whitespaces)) }
            }
            let percent = percentStyles.contains(cellStyle) && { if case .number = v { return true } else { return false } }()
            cells.append(XLSXCell(reference: cellRef, column: column, row: row, value: v, formula: formula, percent: percent))
        case "row":
            rows.append(XLSXRow(index: rowIndex, cells: cells))
        default: break
        }
    }
}
