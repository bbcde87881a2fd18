import Foundation

/// One migration: `sql/migrations/NNNN_name.sql`, a four-digit version (from 0001) and a name of letters, digits,
/// `_` and `-`. Migrations apply in version order, each once, and never change after they have been applied.
public struct MigrationFile: Sendable {
    public let version: Int
    /// The part after the number: `foundation` for `0001_foundation.sql`.
    public let name: String
    public let file: SQLFile

    public var fileName: String { file.fileName }

    /// Splits a file name into version and name; nil when it does not follow `NNNN_name.sql`.
    public static func parseName(_ fileName: String) -> (version: Int, name: String)? {
        let utf8 = Array(fileName.utf8)
        guard utf8.count > 9, fileName.hasSuffix(".sql"), utf8[4] == UInt8(ascii: "_") else { return nil }
        let digits = utf8[0..<4]
        guard digits.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
              let version = Int(String(decoding: digits, as: UTF8.self)), version > 0 else { return nil }
        let name = String(decoding: utf8[5..<(utf8.count - 4)], as: UTF8.self)
        let allowed = name.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "_" || $0 == "-"
        }
        guard !name.isEmpty, allowed else { return nil }
        return (version, name)
    }

    /// Every migration of a directory, in version order. Hidden files (`.keep`) and files not ending in `.sql`
    /// (a `README.md`) are ignored; a `.sql` file whose name does not follow `NNNN_name.sql` and two files with the
    /// same number are refused, all problems at once.
    public static func list(in directory: String) throws -> [MigrationFile] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else {
            throw DTIError(.usage, vi: "không đọc được thư mục migration \(directory)", en: "cannot read the migrations directory \(directory)")
        }
        var problems: [String] = []
        var files: [MigrationFile] = []
        var byVersion: [Int: String] = [:]
        for fileName in names.sorted() where !fileName.hasPrefix(".") && fileName.lowercased().hasSuffix(".sql") {
            let path = (directory as NSString).appendingPathComponent(fileName)
            guard let (version, name) = parseName(fileName) else {
                problems.append("\(path): tên phải có dạng NNNN_ten.sql / the name must be NNNN_name.sql "
                                + "(0001…9999, then letters, digits, _ or -)")
                continue
            }
            if let other = byVersion[version] {
                problems.append("\(path): số \(String(format: "%04d", version)) trùng với \(other) / the number \(String(format: "%04d", version)) is also used by \(other)")
                continue
            }
            byVersion[version] = fileName
            files.append(MigrationFile(version: version, name: name, file: try SQLFile(path: path)))
        }
        if !problems.isEmpty {
            throw DTIError(.inputRejected, vi: "thư mục migration có \(problems.count) tệp sai tên", en: "the migrations directory has \(problems.count) badly named files",
                           details: problems)
        }
        return files.sorted { $0.version < $1.version }
    }
}
