/// A file that cannot be read (or written) as its format requires, with where and why, in both languages.
public struct FormatError: Error, Sendable, CustomStringConvertible {
    public let file: String
    /// "12:3" (line:column), "Sheet1!B7", "byte 1234" …
    public let location: String
    /// English
    public let reason: String
    /// Vietnamese
    public let reasonVi: String
    /// Stable code: csv.utf8, csv.quote, csv.nul, xlsx.corrupt, xlsx.write …
    public let code: String

    public init(file: String, location: String, code: String, vi: String, en: String) {
        self.file = file; self.location = location; self.code = code; self.reasonVi = vi; self.reason = en
    }

    public var description: String { "\(file):\(location): \(reasonVi)" }
}
