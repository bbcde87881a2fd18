/// The languages messages are written in. Vietnamese is the default; `--lang en` switches to English.
public enum Language: String, Sendable, CaseIterable {
    case vi, en
}

/// A message for a person, in both languages, with a stable code that tests and scripts can match.
public struct Message: Error, Sendable, Hashable, CustomStringConvertible {
    public let code: String
    public let vi: String
    public let en: String

    public init(_ code: String, vi: String, en: String) {
        self.code = code
        self.vi = vi
        self.en = en
    }

    public func text(_ language: Language) -> String { language == .vi ? vi : en }
    public var description: String { vi }
}
