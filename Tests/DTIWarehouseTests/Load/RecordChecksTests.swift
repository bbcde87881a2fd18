@testable import DTIWarehouse
import DTICore
import Foundation
import Testing

/// The per-record parts of validation that run in Swift: exact comparisons of numbers as PostgreSQL compares numerics,
/// yes/no answers as the SQL `lower(value) = ANY (words)` read them, and the check that a field needs no trimming.
@Suite("Record checks")
struct RecordChecksTests {
    @Test("ExactCompare orders numbers by value, whatever the scale or sign", arguments: [
        ("1", "1.0", 0), ("0.50", "0.5", 0), ("-0", "0", 0), ("0.0", "-0.000", 0), ("10", "9.999", 1), ("-10", "-9.999", -1),
        ("100", "99", 1), ("0.001", "0.01", -1), ("-1", "0", -1), ("0", "-0.1", 1), ("123456789012345", "123456789012344.9", 1),
        (".5", "0.5", 0), ("-.5", "-0.50", 0), ("2", "10", -1), ("0010", "10", 0), ("1.10", "1.1", 0), ("1.09", "1.1", -1),
    ])
    func compare(_ a: String, _ b: String, _ want: Int) {
        #expect(ExactCompare.compare(a, b) == want, "\(a) vs \(b)")
        #expect(ExactCompare.compare(b, a) == -want, "\(b) vs \(a)")
        let da = Decimal(string: a, locale: Locale(identifier: "en_US_POSIX"))!, db = Decimal(string: b, locale: Locale(identifier: "en_US_POSIX"))!
        #expect((da < db ? -1 : da > db ? 1 : 0) == want, "Foundation agrees on \(a) vs \(b)")
    }

    @Test("negative and whole, as numeric < 0 and value = trunc(value)")
    func signAndWhole() {
        #expect(ExactCompare.isNegative("-1") && ExactCompare.isNegative("-0.001"))
        #expect(!ExactCompare.isNegative("-0") && !ExactCompare.isNegative("-0.000") && !ExactCompare.isNegative("0") && !ExactCompare.isNegative("3"))
        #expect(ExactCompare.isWhole("12") && ExactCompare.isWhole("12.000") && ExactCompare.isWhole("-3.0") && ExactCompare.isWhole("0"))
        #expect(!ExactCompare.isWhole("12.5") && !ExactCompare.isWhole("0.001") && !ExactCompare.isWhole("-3.10"))
    }

    @Test("yes/no answers in any case, exactly as YesNo.parse reads them; anything else is not an answer", arguments: [
        ("có", true), ("Có", true), ("CÓ", true), ("co", true), ("x", true), ("X", true), ("1", true), ("đạt", true), ("ĐẠT", true),
        ("yes", true), ("True", true), ("không", false), ("KHÔNG", false), ("Không", false), ("0", false), ("chưa", false),
        ("No", false), ("khong", false), ("có ", true), ("c", nil), ("", nil), ("2", nil), ("không có", nil), ("ok", nil),
    ] as [(String, Bool?)])
    func yesNo(_ value: String, _ want: Bool?) {
        #expect(Answer.yesNo(value) == want, "\(value)")
        #expect(Answer.yesNo(value) == YesNo.parse(value), "\(value): the byte comparison agrees with DTICore's parser")
    }

    @Test("a field needs no trimming exactly when Foundation's trimming would leave it as it is", arguments: [
        "có", "không", " có", "có ", "\tx", "x\t", "\u{00A0}có", "có\u{00A0}", "\u{3000}x", "x\u{2003}", "x\u{202F}", "\u{205F}",
        "\u{1680}a", "a\n", "\na", "ạ", "Ứng", "đ", "한국", "ﬁ", "", "a", "\u{200B}x", "x\u{FEFF}", "e\u{301}", "\u{0B}x", "x\u{0C}", "\u{85}x", "x\u{7F}", "\u{01}",
    ])
    func plainEnds(_ s: String) {
        var t = s
        let plain = t.withUTF8 { Normalize.hasPlainEnds($0) }
        #expect(plain == (s.trimmingCharacters(in: .whitespaces) == s), "\(s.unicodeScalars.map { String($0.value, radix: 16) })")
    }
}
