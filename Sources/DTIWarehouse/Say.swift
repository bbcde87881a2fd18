import DTICore

/// The language of messages for people (Vietnamese by default; the command line sets it from `--lang`).
public enum Say {
    nonisolated(unsafe) public static var language: Language = .vi

    public static func text(vi: String, en: String) -> String { language == .vi ? vi : en }

    public static func text(_ m: Message) -> String { m.text(language) }

    /// `file:line: message`.
    public static func at(_ path: String, _ line: Int, vi: String, en: String) -> String {
        "\(path):\(line): " + text(vi: vi, en: en)
    }

    /// `file:location: message` where location is a line, `Sheet!D7` or `[3]`.
    public static func at(_ path: String, _ location: String, vi: String, en: String) -> String {
        "\(path):\(location): " + text(vi: vi, en: en)
    }
}
