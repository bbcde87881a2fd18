import ArgumentParser
import DTICore
import Foundation

/// swift-argument-parser writes its errors and help in English. People read Vietnamese by default, so the
/// parser's own words are translated here (the options' help texts are already Vietnamese first); `--lang en`
/// keeps the parser's English.
enum ParserMessages {
    /// The text to print for a parse error or a help request, in the message language.
    static func text(for error: Error, command: ParsableCommand.Type, language: Language) -> String {
        let english = command.fullMessage(for: error)
        return language == .vi ? vietnamese(english) : english
    }

    /// Line by line: fixed phrases of the parser's help and errors, in the order they appear.
    static func vietnamese(_ s: String) -> String {
        var out = s
        for (pattern, template) in patterns {
            out = out.replacingOccurrences(of: pattern, with: template, options: .regularExpression)
        }
        for (en, vi) in phrases { out = out.replacingOccurrences(of: en, with: vi) }
        return out
    }

    /// Regular expressions of the parser's error sentences ($1 … are the option names and values, kept as typed).
    static let patterns: [(String, String)] = [
        (#"Error: Missing expected argument '([^']*)'"#, "Lỗi: thiếu tham số bắt buộc '$1'"),
        (#"Error: Missing value for '([^']*)'"#, "Lỗi: thiếu giá trị cho '$1'"),
        (#"Error: Unknown option '([^']*)'"#, "Lỗi: không có tùy chọn '$1'"),
        (#"Error: Unexpected argument '([^']*)'"#, "Lỗi: tham số thừa '$1'"),
        (#"Error: (\d+) unexpected arguments: (.*)"#, "Lỗi: $1 tham số thừa: $2"),
        (#"Error: The value '([^']*)' is invalid for '([^']*)'"#, "Lỗi: giá trị '$1' không hợp lệ cho '$2'"),
        (#"Error: Value to be set with flag '([^']*)' had already been set with flag '([^']*)'"#, "Lỗi: '$1' và '$2' không dùng cùng nhau"),
        (#"Error: The option '([^']*)' was given more than once"#, "Lỗi: tùy chọn '$1' được cho nhiều lần"),
        (#"Please provide one of '([^']*)' and '([^']*)'\."#, "Hãy chọn một trong '$1' và '$2'."),
        (#"Please provide one of (.*)\."#, "Hãy chọn một trong $1."),
        (#"Did you mean '([^']*)'\?"#, "Có phải '$1'?"),
        (#"See '([^']*)' for more information\."#, "Xem '$1' để biết thêm."),
        (#"See '([^']*)' for detailed help\."#, "Xem '$1' để có hướng dẫn chi tiết."),
        (#"\(values: ([^)]*)\)"#, "(giá trị: $1)"),
        (#"\(default: ([^)]*)\)"#, "(mặc định: $1)"),
        (#";(\s+)default: "#, ";$1mặc định: "),
        (#"(?m)^Error: "#, "Lỗi: "),
    ]

    static let phrases: [(String, String)] = [
        ("OVERVIEW:", "TỔNG QUAN:"),
        ("USAGE:", "CÁCH DÙNG:"),
        ("Usage:", "Cách dùng:"),
        ("ARGUMENTS:", "THAM SỐ:"),
        ("OPTIONS:", "TÙY CHỌN:"),
        ("SUBCOMMANDS:", "LỆNH CON:"),
        ("Help:", "Trợ giúp:"),
        ("Show help information.", "Hiện trợ giúp này."),
        ("Show the version.", "Hiện phiên bản."),
        ("<subcommand>", "<lệnh-con>"),
        ("(default)", "(mặc định)"),
        ("' or '", "' hoặc '"),
        ("; default: ", "; mặc định: "),
    ]
}
