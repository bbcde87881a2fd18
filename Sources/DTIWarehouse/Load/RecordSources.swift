import DTICore
import DTIFormats
import Foundation

/// Opens a submission file by its extension: `.csv`, `.xlsx`, `.json`.
public enum RecordSources {
    public static func open(path: String) throws -> any RecordSource {
        switch (path as NSString).pathExtension.lowercased() {
        case "csv", "txt": return try CSVRecordSource(path: path)
        case "xlsx": return try XLSXRecordSource(path: path)
        case "json": return try JSONRecordSource(path: path)
        default:
            throw DTIError(.inputRejected, vi: "\(path): không nhận ra định dạng tệp (cần .csv, .xlsx hoặc .json)",
                           en: "\(path): unknown file format (expected .csv, .xlsx or .json)")
        }
    }

    /// A format error from the file readers as a refusal of the whole file.
    static func rejected(_ e: FormatError) -> DTIError {
        let at = e.location == "0" || e.location.isEmpty ? e.file : "\(e.file):\(e.location)"
        return DTIError(.inputRejected, Message(e.code, vi: "\(at): \(e.reasonVi)", en: "\(at): \(e.reason)"))
    }
}

extension SubmissionColumns {
    /// Where each of `all` stands in a CSV header (-1: absent); refuses a header that lacks a required column or has an
    /// unknown one, or an empty file (no header at all).
    static func positions(header fields: [String], path: String) throws -> [Int] {
        if fields.isEmpty {
            throw DTIError(.inputRejected, Message("csv.empty", vi: "\(path):1: tệp rỗng, cần dòng tiêu đề \(all.joined(separator: ","))",
                                                   en: "\(path):1: the file is empty; expected the header \(all.joined(separator: ","))"))
        }
        let names = fields.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        let missing = required.filter { !names.contains($0) }
        let unknown = names.filter { !all.contains($0) }
        if !missing.isEmpty || !unknown.isEmpty {
            throw DTIError(.inputRejected, Message("csv.header",
                vi: "\(path):1: dòng tiêu đề cần \(all.joined(separator: ","))" + (missing.isEmpty ? "" : "; thiếu: \(missing.joined(separator: ", "))") + (unknown.isEmpty ? "" : "; cột lạ: \(unknown.joined(separator: ", "))"),
                en: "\(path):1: the header must be \(all.joined(separator: ","))" + (missing.isEmpty ? "" : "; missing: \(missing.joined(separator: ", "))") + (unknown.isEmpty ? "" : "; unknown: \(unknown.joined(separator: ", "))")))
        }
        return all.map { names.firstIndex(of: $0) ?? -1 }
    }
}

/// A CSV file opened for reading, its format errors turned into refusals that name the file.
public struct CSVFile {
    var reader: CSVReader

    public static func open(_ path: String) throws -> CSVFile {
        do { return CSVFile(reader: try CSVReader(path: path)) } catch let e as FormatError { throw RecordSources.rejected(e) }
    }

    public mutating func next() throws -> CSVRecord? {
        do { return try reader.next() } catch let e as FormatError { throw RecordSources.rejected(e) }
    }
}

/// The long CSV of the design: `unit_code,year,catalogue,indicator,variable,value,evidence,stage` (any order; evidence
/// and stage optional), comma or semicolon, with or without BOM.
struct CSVRecordSource: RecordSource {
    let format = "csv"
    let path: String
    var file: CSVFile
    var columns: [Int] = []
    var headerCount = 0

    init(path: String) throws {
        self.path = path
        file = try CSVFile.open(path)
        guard let header = try file.next() else {
            throw DTIError(.inputRejected, Message("csv.empty", vi: "\(path):1: tệp rỗng, cần dòng tiêu đề \(SubmissionColumns.all.joined(separator: ","))",
                                                   en: "\(path):1: the file is empty; expected the header \(SubmissionColumns.all.joined(separator: ","))"))
        }
        columns = try SubmissionColumns.positions(header: header.fields, path: path)
        headerCount = header.fields.count
    }

    mutating func next() throws -> RawRecord? {
        while let r = try file.next() {
            let f = r.fields
            if f.count == 1 && f[0].isEmpty { continue }   // a blank line
            @inline(__always) func get(_ k: Int) -> String {
                let i = columns[k]
                return i >= 0 && i < f.count ? f[i] : ""
            }
            return RawRecord(ref: String(r.line), unit: get(0), year: get(1), catalogue: get(2), indicator: get(3),
                             variable: get(4), value: get(5), evidence: get(6), stage: get(7),
                             problem: f.count == headerCount ? nil : "fields.count:\(f.count):\(headerCount)")
        }
        return nil
    }
}

/// The JSON form: an array of objects with the CSV's field names; numbers keep their exact text.
struct JSONRecordSource: RecordSource {
    let format = "json"
    var records: [RawRecord] = []
    var index = 0

    init(path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DTIError(.inputRejected, vi: "\(path): không đọc được tệp", en: "\(path): cannot read the file")
        }
        if case .failure(let bad) = UTF8Check.validate(data) {
            throw DTIError(.inputRejected, Message("json.utf8", vi: "\(path):\(bad.line):\(bad.column): tệp không phải UTF-8 hợp lệ: byte không hợp lệ ở vị trí \(bad.offset)",
                                                   en: "\(path):\(bad.line):\(bad.column): the file is not valid UTF-8: invalid byte at offset \(bad.offset)"))
        }
        let root: ExactJSON
        do { root = try ExactJSON.parse(data) } catch {
            throw DTIError(.inputRejected, Message("json.syntax", vi: "\(path):\(error.line): JSON không hợp lệ ở byte \(error.offset): \(error.reason)",
                                                   en: "\(path):\(error.line): invalid JSON at byte \(error.offset): \(error.reason)"))
        }
        guard case .array(let items) = root else {
            throw DTIError(.inputRejected, vi: "\(path): cần một mảng JSON các bản ghi [{...}, …]", en: "\(path): expected a JSON array of records [{...}, …]")
        }
        for (k, item) in items.enumerated() {
            guard case .object(let pairs) = item else {
                throw DTIError(.inputRejected, vi: "\(path): phần tử [\(k)] không phải một đối tượng {…}", en: "\(path): element [\(k)] is not an object {…}")
            }
            if let bad = pairs.first(where: { !SubmissionColumns.all.contains($0.0) }) {
                throw DTIError(.inputRejected, vi: "\(path): phần tử [\(k)]: trường lạ '\(bad.0)' (cần \(SubmissionColumns.all.joined(separator: ", ")))",
                               en: "\(path): element [\(k)]: unknown field '\(bad.0)' (expected \(SubmissionColumns.all.joined(separator: ", ")))")
            }
            func get(_ key: String) throws -> String {
                guard let v = item[key] else { return "" }
                guard let t = v.fieldText else {
                    throw DTIError(.inputRejected, vi: "\(path): phần tử [\(k)]: '\(key)' phải là chuỗi, số hoặc true/false", en: "\(path): element [\(k)]: '\(key)' must be a string, number or true/false")
                }
                return t
            }
            // A JSON number is machine form (2.768 is 2.768); a string is read as a person typed it.
            let machine: Bool = { if case .number? = item["value"] { return true } else { return false } }()
            records.append(RawRecord(ref: "[\(k)]", unit: try get("unit_code"), year: try get("year"), catalogue: try get("catalogue"),
                                     indicator: try get("indicator"), variable: try get("variable"), value: try get("value"),
                                     evidence: try get("evidence"), stage: try get("stage"), machineNumber: machine))
        }
    }

    mutating func next() throws -> RawRecord? {
        guard index < records.count else { return nil }
        defer { index += 1 }
        return records[index]
    }
}
