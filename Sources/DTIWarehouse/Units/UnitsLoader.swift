// Units/ — the administrative hierarchy. In: a units CSV (code,name,level,parent_code,valid_from,valid_to,predecessors)
// and peer groups. Out: rows of dti.units / peer groups, all or nothing per file (`dti units load|list`).

import DTICore
import DTIFormats
import Foundation
import PostgresClient

/// `dti units load`: the administrative hierarchy from CSV (see etl/reference/README.md), and peer groups from a
/// file whose header is `code,name,description`. Everything is checked first — the file's own form in Swift,
/// references (parents, predecessors, peer groups) in SQL against the file and the database together — and a
/// file with any problem loads nothing.
public struct UnitsLoader {
    public struct Report: Sendable {
        public var file: String
        public var kind: String
        public var inserted: Int
        public var updated: Int
        public var unchanged: Int
    }

    static let unitColumns = ["code", "name", "level", "parent_code", "valid_from", "valid_to", "predecessors"]
    static let optionalUnitColumns = ["peer_group", "tags"]
    static let peerGroupColumns = ["code", "name", "description"]

    let connection: PostgresConnection

    public init(connection: PostgresConnection) { self.connection = connection }

    public func load(path: String) throws -> Report {
        var reader = try CSVFile.open(path)
        guard let header = try reader.next() else {
            throw DTIError(.inputRejected, vi: "\(path): tệp rỗng, cần dòng tiêu đề \(Self.unitColumns.joined(separator: ","))",
                           en: "\(path): the file is empty; expected the header \(Self.unitColumns.joined(separator: ","))")
        }
        let columns = header.fields.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        if columns == Self.peerGroupColumns { return try loadPeerGroups(path: path, reader: &reader) }
        return try loadUnits(path: path, columns: columns, reader: &reader)
    }

    // MARK: units

    struct UnitRow {
        var line: Int
        var code, name, level, parent, validFrom, validTo, predecessors, peerGroup, tags: String
    }

    private func loadUnits(path: String, columns: [String], reader: inout CSVFile) throws -> Report {
        let missing = Self.unitColumns.filter { !columns.contains($0) }
        let unknown = columns.filter { !Self.unitColumns.contains($0) && !Self.optionalUnitColumns.contains($0) }
        if !missing.isEmpty || !unknown.isEmpty {
            throw DTIError(.inputRejected,
                vi: "\(path):1: tiêu đề cần các cột \(Self.unitColumns.joined(separator: ",")) (tùy chọn: peer_group, tags)" +
                    (missing.isEmpty ? "" : "; thiếu: \(missing.joined(separator: ", "))") + (unknown.isEmpty ? "" : "; cột lạ: \(unknown.joined(separator: ", "))"),
                en: "\(path):1: the header needs the columns \(Self.unitColumns.joined(separator: ",")) (optional: peer_group, tags)" +
                    (missing.isEmpty ? "" : "; missing: \(missing.joined(separator: ", "))") + (unknown.isEmpty ? "" : "; unknown: \(unknown.joined(separator: ", "))"))
        }
        let index = Dictionary(uniqueKeysWithValues: columns.enumerated().map { ($1, $0) })
        var rows: [UnitRow] = []
        var problems: [String] = []
        while let record = try reader.next() {
            if record.fields.allSatisfy({ $0.trimmingCharacters(in: .whitespaces).isEmpty }) { continue }
            func field(_ name: String) -> String {
                guard let i = index[name], i < record.fields.count else { return "" }
                return record.fields[i].trimmingCharacters(in: .whitespaces).precomposedStringWithCanonicalMapping
            }
            if record.fields.count != columns.count {
                problems.append(Say.at(path, record.line, vi: "có \(record.fields.count) cột, tiêu đề có \(columns.count)",
                                             en: "has \(record.fields.count) fields, the header has \(columns.count)"))
                continue
            }
            let row = UnitRow(line: record.line, code: field("code"), name: field("name"), level: field("level"), parent: field("parent_code"),
                              validFrom: field("valid_from"), validTo: field("valid_to"), predecessors: field("predecessors"),
                              peerGroup: field("peer_group"), tags: field("tags"))
            problems += checkForm(row, path: path)
            rows.append(row)
        }
        if rows.isEmpty && problems.isEmpty {
            problems.append(Say.at(path, 2, vi: "không có đơn vị nào sau dòng tiêu đề", en: "no units after the header"))
        }
        if !problems.isEmpty { throw rejected(path, problems) }

        return try connection.transaction { db in
            try db.simpleQuery("""
                CREATE TEMP TABLE units_staging (line int, code text COLLATE "C", name text, level text, parent_code text COLLATE "C",
                    valid_from text, valid_to text, predecessors text, peer_group text COLLATE "C", tags text) ON COMMIT DROP
                """)
            _ = try db.copyIn("COPY units_staging FROM STDIN") { writer in
                var buffer = ""
                for r in rows {
                    buffer += CopyText.row([String(r.line), r.code, r.name, r.level, r.parent, r.validFrom, r.validTo, r.predecessors, r.peerGroup, r.tags])
                    if buffer.utf8.count > 1 << 16 { try writer.write(buffer); buffer = "" }
                }
                try writer.write(buffer)
            }
            let refProblems = try db.query("""
                SELECT line, kind, detail FROM (
                    SELECT s.line, 'duplicate' AS kind, s.code AS detail FROM units_staging s
                     WHERE EXISTS (SELECT 1 FROM units_staging t WHERE t.code = s.code AND t.line < s.line)
                    UNION ALL
                    SELECT s.line, 'parent', s.parent_code FROM units_staging s
                     WHERE s.parent_code <> '' AND NOT EXISTS (SELECT 1 FROM units_staging t WHERE t.code = s.parent_code)
                       AND NOT EXISTS (SELECT 1 FROM dti.units u WHERE u.code = s.parent_code)
                    UNION ALL
                    SELECT s.line, 'parent_level', s.level || ' < ' || p.level FROM units_staging s
                      JOIN (SELECT code, level FROM units_staging UNION ALL
                            SELECT code, level::text FROM dti.units u WHERE NOT EXISTS (SELECT 1 FROM units_staging t WHERE t.code = u.code)) p
                        ON p.code = s.parent_code
                     WHERE (s.level = 'district' AND p.level <> 'province')
                        OR (s.level = 'commune' AND p.level NOT IN ('province', 'district'))
                        OR (s.level = 'department' AND p.level = 'department')
                    UNION ALL
                    SELECT s.line, 'predecessor', p FROM units_staging s, unnest(string_to_array(s.predecessors, '|')) p
                     WHERE s.predecessors <> '' AND btrim(p) NOT IN (SELECT code FROM units_staging UNION ALL SELECT code FROM dti.units)
                    UNION ALL
                    SELECT s.line, 'peer_group', s.peer_group FROM units_staging s
                     WHERE s.peer_group <> '' AND NOT EXISTS (SELECT 1 FROM dti.peer_groups g WHERE g.code = s.peer_group)
                ) problems ORDER BY line, kind
                """)
            if refProblems.count > 0 {
                let messages = refProblems.map { row -> String in
                    let line = (try? row["line"].decode(Int.self)) ?? 0
                    let kind = row["kind"].text ?? ""
                    let detail = row["detail"].text ?? ""
                    switch kind {
                    case "duplicate": return Say.at(path, line, vi: "mã '\(detail)' đã xuất hiện ở dòng trước", en: "code '\(detail)' appears on an earlier line")
                    case "parent": return Say.at(path, line, vi: "đơn vị cấp trên '\(detail)' không có trong tệp lẫn cơ sở dữ liệu", en: "parent '\(detail)' is neither in the file nor in the database")
                    case "parent_level": return Say.at(path, line, vi: "cấp đơn vị không hợp với cấp trên (\(detail)): huyện thuộc tỉnh, xã thuộc huyện hoặc tỉnh, cơ quan thuộc tỉnh/huyện/xã", en: "level does not fit its parent (\(detail)): districts belong to provinces, communes to districts or provinces, departments to provinces, districts or communes")
                    case "predecessor": return Say.at(path, line, vi: "đơn vị tiền thân '\(detail)' không có trong tệp lẫn cơ sở dữ liệu", en: "predecessor '\(detail)' is neither in the file nor in the database")
                    default: return Say.at(path, line, vi: "nhóm so sánh '\(detail)' chưa được nạp (nạp etl/reference/peer-groups.csv trước)", en: "peer group '\(detail)' is not loaded (load etl/reference/peer-groups.csv first)")
                    }
                }
                throw rejected(path, messages)
            }
            try db.simpleQuery("SET CONSTRAINTS ALL DEFERRED")
            let counts = try db.query("""
                WITH upserted AS (
                    INSERT INTO dti.units AS u (code, name, level, parent_code, valid_from, valid_to, peer_group, tags, updated_at)
                    SELECT code, name, level::dti.unit_level, nullif(parent_code, ''), nullif(valid_from, '')::date, nullif(valid_to, '')::date,
                           nullif(peer_group, ''), CASE WHEN tags = '' THEN '{}' ELSE string_to_array(tags, '|') END, now()
                      FROM units_staging ORDER BY line
                    ON CONFLICT (code) DO UPDATE SET name = excluded.name, level = excluded.level, parent_code = excluded.parent_code,
                        valid_from = excluded.valid_from, valid_to = excluded.valid_to, peer_group = excluded.peer_group,
                        tags = excluded.tags, updated_at = now()
                     WHERE (u.name, u.level, u.parent_code, u.valid_from, u.valid_to, u.peer_group, u.tags)
                           IS DISTINCT FROM (excluded.name, excluded.level, excluded.parent_code, excluded.valid_from, excluded.valid_to, excluded.peer_group, excluded.tags)
                    RETURNING (xmax = 0) AS inserted
                )
                SELECT count(*) FILTER (WHERE inserted) AS inserted, count(*) FILTER (WHERE NOT inserted) AS updated FROM upserted
                """)
            try db.execute("""
                DELETE FROM dti.unit_lineage WHERE unit_code IN (SELECT code FROM units_staging)
                """)
            try db.execute("""
                INSERT INTO dti.unit_lineage (unit_code, predecessor_code)
                SELECT DISTINCT s.code, btrim(p) FROM units_staging s, unnest(string_to_array(s.predecessors, '|')) p
                 WHERE s.predecessors <> '' AND btrim(p) <> ''
                """)
            let inserted = try counts[0]["inserted"].decode(Int.self)
            let updated = try counts[0]["updated"].decode(Int.self)
            return Report(file: path, kind: "units", inserted: inserted, updated: updated, unchanged: rows.count - inserted - updated)
        }
    }

    func checkForm(_ r: UnitRow, path: String) -> [String] {
        var out: [String] = []
        func bad(_ vi: String, _ en: String) { out.append(Say.at(path, r.line, vi: vi, en: en)) }
        if r.code.isEmpty { bad("thiếu mã đơn vị (code)", "the code is empty") }
        else if r.code.range(of: "^[a-z0-9][a-z0-9._-]*$", options: .regularExpression) == nil {
            bad("mã '\(r.code)' chỉ được dùng chữ thường không dấu, số, '.', '-' và '_'", "code '\(r.code)' may only use lower-case ASCII letters, digits, '.', '-' and '_'")
        }
        if r.name.isEmpty { bad("đơn vị '\(r.code)' thiếu tên", "unit '\(r.code)' has no name") }
        if UnitLevel(rawValue: r.level) == nil {
            bad("cấp '\(r.level)' không hợp lệ, cần một trong: province, district, commune, department", "level '\(r.level)' is not valid; expected province, district, commune or department")
        }
        if r.level == "province" && !r.parent.isEmpty { bad("tỉnh không có đơn vị cấp trên", "a province has no parent") }
        if r.level != "province" && !r.level.isEmpty && r.parent.isEmpty && UnitLevel(rawValue: r.level) != nil {
            bad("đơn vị cấp \(r.level) cần đơn vị cấp trên (parent_code)", "a \(r.level) needs a parent_code")
        }
        for (name, value) in [("valid_from", r.validFrom), ("valid_to", r.validTo)] where !value.isEmpty {
            if ISODate.parse(value) == nil { bad("\(name) '\(value)' không phải ngày dạng YYYY-MM-DD", "\(name) '\(value)' is not a date in the form YYYY-MM-DD") }
        }
        if let from = ISODate.parse(r.validFrom), let to = ISODate.parse(r.validTo), to < from {
            bad("valid_to \(r.validTo) trước valid_from \(r.validFrom)", "valid_to \(r.validTo) is before valid_from \(r.validFrom)")
        }
        if r.predecessors.split(separator: "|").contains(where: { $0.trimmingCharacters(in: .whitespaces) == r.code }) {
            bad("đơn vị không thể là tiền thân của chính nó", "a unit cannot be its own predecessor")
        }
        return out
    }

    // MARK: peer groups

    private func loadPeerGroups(path: String, reader: inout CSVFile) throws -> Report {
        var rows: [(Int, String, String, String)] = []
        var problems: [String] = []
        while let record = try reader.next() {
            let f = record.fields.map { $0.trimmingCharacters(in: .whitespaces).precomposedStringWithCanonicalMapping }
            if f.allSatisfy(\.isEmpty) { continue }
            guard f.count == 3 else {
                problems.append(Say.at(path, record.line, vi: "cần 3 cột code,name,description", en: "expected 3 fields code,name,description"))
                continue
            }
            if f[0].range(of: "^[a-z0-9][a-z0-9.:-]*$", options: .regularExpression) == nil {
                problems.append(Say.at(path, record.line, vi: "mã nhóm '\(f[0])' không hợp lệ", en: "peer group code '\(f[0])' is not valid"))
            }
            if f[1].isEmpty { problems.append(Say.at(path, record.line, vi: "nhóm '\(f[0])' thiếu tên", en: "peer group '\(f[0])' has no name")) }
            if rows.contains(where: { $0.1 == f[0] }) {
                problems.append(Say.at(path, record.line, vi: "mã nhóm '\(f[0])' bị trùng", en: "peer group code '\(f[0])' is duplicated"))
            }
            rows.append((record.line, f[0], f[1], f[2]))
        }
        if !problems.isEmpty { throw rejected(path, problems) }
        return try connection.transaction { db in
            let result = try db.query("""
                WITH upserted AS (
                    INSERT INTO dti.peer_groups AS g (code, name, description)
                    SELECT * FROM unnest(\(rows.map(\.1))::text[], \(rows.map(\.2))::text[], \(rows.map(\.3))::text[])
                    ON CONFLICT (code) DO UPDATE SET name = excluded.name, description = excluded.description
                     WHERE (g.name, g.description) IS DISTINCT FROM (excluded.name, excluded.description)
                    RETURNING (xmax = 0) AS inserted
                )
                SELECT count(*) FILTER (WHERE inserted) AS inserted, count(*) FILTER (WHERE NOT inserted) AS updated FROM upserted
                """)
            let inserted = try result[0]["inserted"].decode(Int.self)
            let updated = try result[0]["updated"].decode(Int.self)
            return Report(file: path, kind: "peer_groups", inserted: inserted, updated: updated, unchanged: rows.count - inserted - updated)
        }
    }

    func rejected(_ path: String, _ problems: [String]) -> DTIError {
        DTIError(.inputRejected, vi: "\(path): \(problems.count) lỗi, không nạp gì", en: "\(path): \(problems.count) problems, nothing loaded", details: problems)
    }
}


/// Dates written YYYY-MM-DD.
enum ISODate {
    static func parse(_ s: String) -> (Int, Int, Int)? {
        let parts = s.split(separator: "-")
        guard parts.count == 3, parts[0].count == 4, let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]),
              (1...12).contains(m), (1...31).contains(d) else { return nil }
        var comps = DateComponents(); comps.year = y; comps.month = m; comps.day = d
        var cal = Calendar(identifier: .gregorian); cal.timeZone = TimeZone(identifier: "UTC")!
        guard let date = cal.date(from: comps), cal.component(.day, from: date) == d else { return nil }
        return (y, m, d)
    }
}

/// COPY text format: tab-separated, `\N` for NULL, backslash escapes.
public enum CopyText {
    /// Appends one field, escaped (nil is NULL). Nearly every field has nothing to escape and is copied at once.
    @inline(__always)
    public static func append(_ text: String?, to buffer: inout [UInt8]) {
        guard var s = text else { buffer.append(UInt8(ascii: "\\")); buffer.append(UInt8(ascii: "N")); return }
        s.withUTF8 { p in
            if !p.contains(where: { $0 == UInt8(ascii: "\\") || $0 == UInt8(ascii: "\t") || $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: "\r") }) {
                buffer.append(contentsOf: p)
                return
            }
            for b in p {
                switch b {
                case UInt8(ascii: "\\"): buffer.append(b); buffer.append(b)
                case UInt8(ascii: "\t"): buffer.append(UInt8(ascii: "\\")); buffer.append(UInt8(ascii: "t"))
                case UInt8(ascii: "\n"): buffer.append(UInt8(ascii: "\\")); buffer.append(UInt8(ascii: "n"))
                case UInt8(ascii: "\r"): buffer.append(UInt8(ascii: "\\")); buffer.append(UInt8(ascii: "r"))
                default: buffer.append(b)
                }
            }
        }
    }

    /// One whole row as text, for small batches.
    public static func row(_ fields: [String?]) -> String {
        var bytes: [UInt8] = []
        for (k, f) in fields.enumerated() {
            if k > 0 { bytes.append(UInt8(ascii: "\t")) }
            append(f, to: &bytes)
        }
        bytes.append(UInt8(ascii: "\n"))
        return String(decoding: bytes, as: UTF8.self)
    }
}
