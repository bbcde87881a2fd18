@testable import DTIWarehouse
import Foundation
import Testing

/// The loader's normalisation of fields: trimming and NFC, with a fast path that must agree with Foundation.
@Suite("Normalisation of loaded fields")
struct NormalizeTests {
    /// Vietnamese text as typed in the sources, in NFC and in NFD (as some Mac and web forms send it).
    static let samples = [
        "có", "không", "Ứng dụng công nghệ thông tin", "Chỉ số chuyển đổi số", "Xã Kiếm Thủ", "đạt", "chưa có",
        "Thị trấn Cao Thượng", "Ban chỉ đạo – trưởng ban", "ĐỒNG Ý", "Ắ ặ ẵ ỹ ỷ", "plain ascii", "", "x",
        "Å", "ﬁ", "½", "한국", "Ω", "e\u{301}", "o\u{302}\u{301}", "A\u{30A}",
    ]

    @Test("NFC of every sample, in NFC and in NFD, equals Foundation's", arguments: samples)
    func agreesWithFoundation(_ sample: String) {
        for form in [sample.precomposedStringWithCanonicalMapping, sample.decomposedStringWithCanonicalMapping, sample] {
            let got = Normalize.text(form)
            let want = form.trimmingCharacters(in: .whitespaces).precomposedStringWithCanonicalMapping
            #expect(Array(got.utf8) == Array(want.utf8), "\(Array(form.unicodeScalars).map { String($0.value, radix: 16) })")
        }
    }

    @Test("Text needing NFC or trimming is not taken by the fast path")
    func fastPathBoundaries() {
        func nfcLatin(_ s: String) -> Bool { var t = s; return t.withUTF8 { Normalize.isNFCLatin($0) } }
        #expect(nfcLatin("Kiếm Thủ đạt có"))
        #expect(!nfcLatin("co\u{301}"))          // a combining mark
        #expect(!nfcLatin("\u{212B}"))           // ANGSTROM SIGN, which NFC replaces
        #expect(!nfcLatin("\u{2000}"))           // EN QUAD, which NFC replaces
        #expect(Normalize.text("  có \t") == "có")
        #expect(Array(Normalize.text("co\u{301}").utf8) == Array("có".utf8))
    }
}
