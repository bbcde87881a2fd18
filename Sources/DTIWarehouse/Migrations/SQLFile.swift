import Crypto
import DTICore
import Foundation
import PostgresClient

/// A SQL file read for running: its bytes (for the checksum), its text (UTF-8, a leading BOM dropped), and a way
/// to turn an error position PostgreSQL reports into `file:line:column`.
public struct SQLFile: Sendable {
    public let path: String
    public let bytes: Data
    public let text: String

    /// Reads the file; a missing file or one that is not UTF-8 is refused naming the file (and the bad byte).
    public init(path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DTIError(.inputRejected, vi: "\(path): không đọc được tệp", en: "\(path): cannot read the file")
        }
        if case .failure(let bad) = UTF8Check.validate(data) {
            throw DTIError(.inputRejected, vi: "\(path):\(bad.line):\(bad.column): tệp không phải UTF-8 hợp lệ",
                           en: "\(path):\(bad.line):\(bad.column): the file is not valid UTF-8")
        }
        var text = String(decoding: data, as: UTF8.self)
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        self.path = path
        self.bytes = data
        self.text = text
    }

    /// The file's name without its directory.
    public var fileName: String { (path as NSString).lastPathComponent }

    /// The lowercase hex SHA-256 of the file's bytes, as recorded in `dti.schema_migrations.sha256`.
    public var sha256: String { SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined() }

    /// The 1-based line and column of a 1-based character position in the text (PostgreSQL counts characters).
    public func lineAndColumn(ofCharacter position: Int) -> (line: Int, column: Int) {
        var line = 1, column = 1, index = 1
        for scalar in text.unicodeScalars {
            if index >= position { break }
            if scalar == "\n" { line += 1; column = 1 } else { column += 1 }
            index += 1
        }
        return (line, column)
    }

    /// Runs the file's statements; a failure becomes a database error naming `file:line:column` when the server
    /// says where.
    func run(on db: PostgresConnection, vi: String, en: String) throws {
        do {
            try db.simpleQuery(text)
        } catch {
            var place = path
            if let position = error.position {
                let (line, column) = lineAndColumn(ofCharacter: position)
                place += ":\(line):\(column)"
            }
            throw DTIError(database: error, vi: "\(place): \(vi)", en: "\(place): \(en)")
        }
    }
}
