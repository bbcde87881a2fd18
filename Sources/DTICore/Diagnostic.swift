/// A problem found in a file, with where it is and what was expected.
public struct Diagnostic: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Severity: String, Sendable, Hashable {
        case error, warning
    }

    public var severity: Severity
    public var file: String
    public var position: SourcePosition
    public var message: Message

    public init(_ severity: Severity, file: String, at position: SourcePosition, _ message: Message) {
        self.severity = severity
        self.file = file
        self.position = position
        self.message = message
    }

    /// `file:line:column: lỗi: …` (or `error:` in English), the form editors and people both read.
    public func text(_ language: Language) -> String {
        let word: String = switch (severity, language) {
        case (.error, .vi): "lỗi"
        case (.warning, .vi): "cảnh báo"
        case (.error, .en): "error"
        case (.warning, .en): "warning"
        }
        return "\(file):\(position.line):\(position.column): \(word): \(message.text(language))"
    }

    public var description: String { text(.vi) }
}

extension Array where Element == Diagnostic {
    public var errors: [Diagnostic] { filter { $0.severity == .error } }
    public var warnings: [Diagnostic] { filter { $0.severity == .warning } }
    public var hasErrors: Bool { contains { $0.severity == .error } }
}
