import Foundation
import ZIPFoundation

public enum XLSXInput: Sendable, Equatable {
    case string(String)
    /// The number's text, written as is ("0.5", "12").
    case number(String)
    /// A formula without the leading "=".
    case formula(String)
}

/// Fills cells of an existing XLSX, as a person typing into a form would: the sheet's XML is rewritten with the
/// new `<c>` elements in row and column order (keeping each cell's style), everything else is copied unchanged.
public enum XLSXEditor {
    public static func setCells(path: String, sheet: String, values: [String: XLSXInput]) throws {
        func fail(_ vi: String, _ en: String) -> FormatError {
            FormatError(file: path, location: sheet, code: "xlsx.edit", vi: vi, en: en)
        }
        let source = try Archive(url: URL(fileURLWithPath: path), accessMode: .read)
        func read(_ entry: Entry) throws -> Data {
            var d = Data()
            _ = try source.extract(entry) { d.append($0) }
            return d
        }
        // Find the sheet's part through the workbook and its relationships.
        guard let wbEntry = source["xl/workbook.xml"], let relEntry = source["xl/_rels/workbook.xml.rels"] else {
            throw fail("không phải tệp XLSX", "not an XLSX file")
        }
        let sheets = try XMLCollector.parse(try read(wbEntry), elements: ["sheet"], file: path)
        let rels = try XMLCollector.parse(try read(relEntry), elements: ["Relationship"], file: path)
        guard let s = sheets.first(where: { $0.attributes["name"]?.precomposedStringWithCanonicalMapping == sheet.precomposedStringWithCanonicalMapping }),
              let rid = s.attributes["r:id"], var target = rels.first(where: { $0.attributes["Id"] == rid })?.attributes["Target"] else {
            throw fail("không có trang '\(sheet)'", "no sheet '\(sheet)'")
        }
        if target.hasPrefix("/") { target.removeFirst() } else { target = "xl/" + target }
        guard let sheetEntry = source[target] else { throw fail("thiếu phần \(target)", "part \(target) is missing") }
        var xml = String(decoding: try read(sheetEntry), as: UTF8.self)

        let sorted = try values.map { ref, input -> (Int, Int, String, XLSXInput) in
            guard let (c, r) = XLSXReader.parseReference(ref) else { throw fail("ô '\(ref)' không hợp lệ", "invalid cell '\(ref)'") }
            return (r, c, ref, input)
        }.sorted { ($0.0, $0.1) < ($1.0, $1.1) }
        for (row, column, ref, input) in sorted {
            xml = try setCell(xml, row: row, column: column, ref: ref, input: input, fail: fail)
        }

        // Rebuild the archive with the new sheet part, then put it in place of the original.
        let temp = path + ".editing"
        try? FileManager.default.removeItem(atPath: temp)
        try rebuild(source: source, into: temp, replacing: target, with: Data(xml.utf8))
        guard rename(temp, path) == 0 else {
            throw fail("không ghi được tệp", "cannot write the file")
        }
    }

    private static func rebuild(source: Archive, into temp: String, replacing target: String, with newPart: Data) throws {
        let out = try Archive(url: URL(fileURLWithPath: temp), accessMode: .create)
        for entry in source {
            var data = Data()
            if entry.path == target { data = newPart } else { _ = try source.extract(entry) { data.append($0) } }
            try out.addEntry(with: entry.path, type: .file, uncompressedSize: Int64(data.count), compressionMethod: .deflate) { position, size in
                data.subdata(in: Int(position)..<Int(position) + size)
            }
        }
    }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }

    static func attribute(_ element: Substring, _ name: String) -> String? {
        guard let r = element.range(of: " \(name)=\"") else { return nil }
        let rest = element[r.upperBound...]
        guard let end = rest.firstIndex(of: "\"") else { return nil }
        return String(rest[..<end])
    }

    /// The end of the element starting at `start` (`<c …/>` or `<c …>…</c>`), for a tag name.
    static func elementEnd(_ xml: String, from start: String.Index, tag: String) -> String.Index? {
        guard let close = xml[start...].firstIndex(of: ">") else { return nil }
        if xml[xml.index(before: close)] == "/" { return xml.index(after: close) }
        guard let end = xml.range(of: "</\(tag)>", range: close..<xml.endIndex) else { return nil }
        return end.upperBound
    }

    static func setCell(_ xml: String, row: Int, column: Int, ref: String, input: XLSXInput, fail: (String, String) -> FormatError) throws -> String {
        var xml = xml
        func cellXML(style: String?) -> String {
            let s = style.map { " s=\"\($0)\"" } ?? ""
            switch input {
            case .string(let t): return "<c r=\"\(ref)\"\(s) t=\"inlineStr\"><is><t xml:space=\"preserve\">\(escape(t))</t></is></c>"
            case .number(let n): return "<c r=\"\(ref)\"\(s)><v>\(escape(n))</v></c>"
            case .formula(let f): return "<c r=\"\(ref)\"\(s)><f>\(escape(f))</f></c>"
            }
        }
        // sheetData must exist; an empty one may be written <sheetData/>.
        if let empty = xml.range(of: "<sheetData/>") { xml.replaceSubrange(empty, with: "<sheetData></sheetData>") }
        guard let dataStart = xml.range(of: "<sheetData>"), let dataEnd = xml.range(of: "</sheetData>") else {
            throw fail("trang không có sheetData", "the sheet has no sheetData")
        }
        // Find the row, or where it goes.
        var search = dataStart.upperBound
        var insertRowAt = dataEnd.lowerBound
        while let r = xml.range(of: "<row ", range: search..<dataEnd.lowerBound) {
            guard let tagEnd = xml[r.lowerBound...].firstIndex(of: ">") else { break }
            let tag = xml[r.lowerBound...tagEnd]
            let number = attribute(tag, "r").flatMap(Int.init) ?? 0
            guard let rowEnd = elementEnd(xml, from: r.lowerBound, tag: "row") else { break }
            if number == row {
                let selfClosing = xml[xml.index(before: tagEnd)] == "/"
                if selfClosing {
                    let open = String(tag.dropLast(2)) + ">"
                    xml.replaceSubrange(r.lowerBound..<rowEnd, with: open + cellXML(style: nil) + "</row>")
                    return xml
                }
                // Cells of the row, in column order.
                var cellSearch = xml.index(after: tagEnd)
                let rowClose = xml.index(rowEnd, offsetBy: -"</row>".count)
                while let c = xml.range(of: "<c ", range: cellSearch..<rowClose) {
                    guard let cTagEnd = xml[c.lowerBound...].firstIndex(of: ">"), let cEnd = elementEnd(xml, from: c.lowerBound, tag: "c") else { break }
                    let cTag = xml[c.lowerBound...cTagEnd]
                    let cRef = attribute(cTag, "r") ?? ""
                    let col = XLSXReader.parseReference(cRef)?.column ?? 0
                    if col == column {
                        xml.replaceSubrange(c.lowerBound..<cEnd, with: cellXML(style: attribute(cTag, "s")))
                        return xml
                    }
                    if col > column {
                        xml.insert(contentsOf: cellXML(style: nil), at: c.lowerBound)
                        return xml
                    }
                    cellSearch = cEnd
                }
                xml.insert(contentsOf: cellXML(style: nil), at: rowClose)
                return xml
            }
            if number > row { insertRowAt = r.lowerBound; break }
            search = rowEnd
        }
        xml.insert(contentsOf: "<row r=\"\(row)\">" + cellXML(style: nil) + "</row>", at: insertRowAt)
        return xml
    }
}
