import DTICore
import DTIWarehouse
import Foundation

/// Where the command line writes: results to standard output, messages and progress to standard error.
enum Output {
    static var language: Language { get { Say.language } set { Say.language = newValue } }

    static func language(from arguments: [String]) -> Language {
        if let i = arguments.firstIndex(of: "--lang"), i + 1 < arguments.count, let l = Language(rawValue: arguments[i + 1]) { return l }
        if let a = arguments.first(where: { $0.hasPrefix("--lang=") }), let l = Language(rawValue: String(a.dropFirst(7))) { return l }
        if let env = ProcessInfo.processInfo.environment["DTI_LANG"], let l = Language(rawValue: env) { return l }
        return .vi
    }

    static func say(_ m: Message) { line(m.text(language)) }
    static func say(vi: String, en: String) { line(language == .vi ? vi : en) }
    static func line(_ s: String) { FileHandle.standardOutput.write(Data((s + "\n").utf8)) }
    static func note(_ s: String) { FileHandle.standardError.write(Data((s + "\n").utf8)) }
    static func note(vi: String, en: String) { note(language == .vi ? vi : en) }

    static func error(_ e: DTIError) {
        let word = language == .vi ? "lỗi" : "error"
        note("dti: \(word): \(e.message.text(language))")
        for d in e.details { note("  \(d)") }
    }

    static func text(vi: String, en: String) -> String { language == .vi ? vi : en }

    /// A number for people: Vietnamese `891,195` / English `891.195`, up to 3 decimals (display only).
    static func number(_ d: Decimal, fractionDigits: Int = 3) -> String {
        language == .vi ? DecimalText.vietnamese(d, fractionDigits: fractionDigits) : DecimalText.english(d, fractionDigits: fractionDigits)
    }
}
