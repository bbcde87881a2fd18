import DTICore
import Foundation

/// One submitted record as read from a file, before validation: every field as text, with where it came from.
public struct RawRecord: Sendable, Equatable {
    /// "12" (CSV line), "Sheet!G9" (XLSX cell), "[3]" (JSON element)
    public var ref: String
    public var unit: String
    public var year: String
    public var catalogue: String
    public var indicator: String
    public var variable: String
    public var value: String
    public var evidence: String
    public var stage: String
    /// A problem the reader already saw in the record's form (`fields.count:9`, `cell.formula`, `cell.date` …);
    /// validation reports it like any other reason.
    public var problem: String?
    /// The value is a spreadsheet's or JSON's own number in machine form (`2.768` is 2.768, whatever the file's
    /// decimal separator), possibly followed by `%` (an Excel cell formatted as a percent).
    public var machineNumber = false

    public init(ref: String, unit: String, year: String, catalogue: String, indicator: String, variable: String,
                value: String, evidence: String = "", stage: String = "", problem: String? = nil, machineNumber: Bool = false) {
        self.ref = ref; self.unit = unit; self.year = year; self.catalogue = catalogue; self.indicator = indicator
        self.variable = variable; self.value = value; self.evidence = evidence; self.stage = stage; self.problem = problem
        self.machineNumber = machineNumber
    }
}

/// A reader of records from one file (CSV, XLSX, JSON).
public protocol RecordSource {
    /// The format name stored with the batch: csv, xlsx or json.
    var format: String { get }
    mutating func next() throws -> RawRecord?
}

/// The columns of the long submission CSV (DESIGN: Files).
public enum SubmissionColumns {
    public static let required = ["unit_code", "year", "catalogue", "indicator", "variable", "value"]
    public static let optional = ["evidence", "stage"]
    public static let all = required + optional
}

/// Light normalisation done while streaming, before SQL validation: trim, NFC (only for non-ASCII text), codes
/// `1,1` → `1.1`, values `0,5` → `0.5`.
enum Normalize {
    /// Trims spaces (`CharacterSet.whitespaces`: tab and Unicode category Zs). A field whose first and last characters
    /// are not spaces (nearly all) is returned as is, without Foundation's trimming (which converts to UTF-16 and was
    /// the load's main cost in make bench).
    @inline(__always)
    static func trim(_ s: String) -> String {
        var t = s
        return t.withUTF8(hasPlainEnds) ? s : s.trimmingCharacters(in: .whitespaces)
    }

    /// Trimmed and in NFC. One pass over the bytes decides whether anything needs doing; nearly every field is
    /// returned as it is.
    static func text(_ s: String) -> String {
        var t = s
        let (plainEnds, nfc) = t.withUTF8 { p -> (Bool, Bool) in (hasPlainEnds(p), isNFCLatin(p)) }
        if plainEnds && nfc { return s }
        let trimmed = plainEnds ? s : s.trimmingCharacters(in: .whitespaces)
        return nfc ? trimmed : trimmed.precomposedStringWithCanonicalMapping
    }

    /// Whether neither the first nor the last character of the UTF-8 text is one that `.whitespaces` trims. Visible
    /// ASCII and the Latin letters (U+00C0–U+024F, U+1E00–U+1EFF: every Vietnamese letter) are decided here; any other
    /// character is asked of `CharacterSet.whitespaces` itself (on Linux it holds U+200B as well). Empty text has
    /// nothing to trim.
    @inline(__always)
    static func hasPlainEnds(_ p: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let first = p.first, let last = p.last else { return true }
        if first > 0x20 && first < 0x80 && last > 0x20 && last < 0x80 { return true }
        guard let head = firstScalar(p), let tail = lastScalar(p) else { return false }
        return !isTrimmedSpace(head) && !isTrimmedSpace(tail)
    }

    @inline(__always)
    static func isTrimmedSpace(_ v: UInt32) -> Bool {
        if v > 0x20 && v < 0x7F { return false }
        if (0xC0...0x24F).contains(v) || (0x1E00...0x1EFF).contains(v) { return false }
        return Unicode.Scalar(v).map { CharacterSet.whitespaces.contains($0) } ?? false
    }

    /// The first Unicode scalar of valid UTF-8 (the readers have checked it).
    private static func firstScalar(_ p: UnsafeBufferPointer<UInt8>) -> UInt32? {
        var iterator = p.makeIterator()
        var decoder = UTF8()
        if case .scalarValue(let s) = decoder.decode(&iterator) { return s.value }
        return nil
    }

    /// The last Unicode scalar: back over the continuation bytes (10xxxxxx) to the lead byte, then decode.
    private static func lastScalar(_ p: UnsafeBufferPointer<UInt8>) -> UInt32? {
        var start = p.count - 1
        while start > 0 && p[start] & 0xC0 == 0x80 && p.count - start < 4 { start -= 1 }
        return firstScalar(UnsafeBufferPointer(rebasing: p[start...]))
    }

    /// True when every character is ASCII, in U+0080–U+02FF (Latin-1, Latin Extended-A/B, IPA, spacing modifiers) or
    /// in U+1E00–U+1EFF (Latin Extended Additional: Vietnamese letters with two marks such as ế, ộ). Such text has no
    /// combining mark and nothing that NFC would change, so it is already NFC; anything else goes through Foundation.
    @inline(__always)
    static func isNFCLatin(_ p: UnsafeBufferPointer<UInt8>) -> Bool {
        var k = 0
        let n = p.count
        while k < n {
            let b = p[k]
            if b < 0x80 { k += 1; continue }
            if b >= 0xC2 && b <= 0xCB { k += 2; continue }                          // U+0080–U+02FF
            if b == 0xE1 && k + 1 < n && p[k + 1] >= 0xB8 && p[k + 1] <= 0xBB { k += 3; continue }   // U+1E00–U+1EFF
            return false
        }
        return true
    }

    /// Lower case, without allocating when the text is ASCII with no capital (variables are written `a`, `b` …).
    static func lower(_ s: String) -> String {
        var t = s
        let plain = t.withUTF8 { p in !p.contains { $0 >= 0x80 || ($0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z")) } }
        return plain ? s : s.lowercased()
    }

    /// Already a number in machine form, short enough to be within the limits: 1 to 16 bytes of digits, at most one
    /// dot (neither first nor last), a minus only first (`12`, `0.5`, `-3`). Such text is its own machine text.
    @inline(__always)
    static func isPlainMachineNumber(_ p: UnsafeBufferPointer<UInt8>) -> Bool {
        guard p.count > 0 && p.count <= 16, p.first != UInt8(ascii: "."), p.last != UInt8(ascii: ".") else { return false }
        var digits = 0, dots = 0
        for k in 0..<p.count {
            let b = p[k]
            if b >= 48 && b <= 57 { digits += 1 }
            else if b == UInt8(ascii: ".") { dots += 1 }
            else if b != UInt8(ascii: "-") || k != 0 { return false }
        }
        return digits > 0 && dots <= 1
    }

    static func code(_ s: String) -> String {
        var t = trim(s)
        if t.utf8.contains(UInt8(ascii: ",")) || t.hasSuffix(".") { t = IndicatorCode.normalize(t) }
        return t
    }

    /// The machine text of a number (`0.5`), or why the value is not a plain number.
    static func number(_ s: String) -> Result<String, DecimalText.ParseError> {
        // Fast path: already machine form.
        var t = s
        if t.withUTF8(isPlainMachineNumber) { return .success(s) }
        switch DecimalText.parse(s) {
        case .success(let d): return .success(d.machineText)
        case .failure(let e): return .failure(e)
        }
    }
}
