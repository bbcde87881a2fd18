import Foundation

/// One CSV record and the line where it starts.
public struct CSVRecord: Sendable, Equatable {
    /// 1-based line where the record starts (a quoted field may span lines).
    public let line: Int
    public let fields: [String]
    public init(line: Int, fields: [String]) { self.line = line; self.fields = fields }
}

/// Bytes in one block of memory that grows as needed; the CSV parser reads it through `base`.
final class ByteStore {
    private(set) var base: UnsafeMutablePointer<UInt8>
    private(set) var count = 0
    private var capacity: Int

    init(capacity: Int = 1 << 20) {
        self.capacity = max(16, capacity)
        base = .allocate(capacity: self.capacity)
    }

    deinit { base.deallocate() }

    func removeFirst(_ k: Int) {
        if k >= count { count = 0; return }
        memmove(base, base + k, count - k)
        count -= k
    }

    func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let source = bytes.baseAddress, bytes.count > 0 else { return }
        if count + bytes.count > capacity {
            var grown = capacity
            while grown < count + bytes.count { grown *= 2 }
            let larger = UnsafeMutablePointer<UInt8>.allocate(capacity: grown)
            larger.update(from: base, count: count)
            base.deallocate()
            base = larger
            capacity = grown
        }
        (base + count).update(from: source, count: bytes.count)
        count += bytes.count
    }
}

/// The fields of one record as bytes, valid only inside `CSVReader.withNextRecord`.
public struct CSVFields {
    let bytes: UnsafeBufferPointer<UInt8>
    let ends: UnsafeBufferPointer<Int>

    public var count: Int { ends.count }

    /// Field `k` (0-based), unquoted.
    @inline(__always)
    public subscript(_ k: Int) -> UnsafeBufferPointer<UInt8> {
        let start = k == 0 ? 0 : ends[k - 1]
        return UnsafeBufferPointer(rebasing: bytes[start..<ends[k]])
    }
}

/// A streaming CSV reader: RFC 4180 quoting, LF or CRLF, UTF-8 with or without BOM, `,` or `;` (detected from the
/// first line). Reads in chunks, so memory stays flat whatever the file size. Invalid UTF-8 and NUL bytes are
/// errors that name the byte offset, line and column; no other encoding is ever guessed.
public struct CSVReader {
    private let handle: FileHandle?
    private var pending: Data?
    private let chunkSize: Int
    private let name: String
    /// The bytes read and not yet parsed, from `i` on. A class, so that the parser reads it through a plain pointer.
    private let buf = ByteStore()
    private var i = 0
    private var eof = false
    private var line = 1
    private var delimiterByte: UInt8
    private var delimiterKnown: Bool
    private var validator = UTF8Stream()
    private var startedBOM = false
    private var finished = false
    /// How many fields the previous record had, to size the next one's array once.
    private var lastFieldCount = 8
    /// The record being read: its fields' bytes one after another, and where each field ends. Kept between records
    /// so that their storage is allocated once.
    private var recordBytes: [UInt8] = []
    private var fieldEnds: [Int] = []

    public private(set) var delimiter: UInt8
    /// For a reader of part of a file (`init(path:range:…)`) whose part does not reach the end of the file: how many
    /// bytes it may still read, and whether its part ended inside a quoted field (then the part's end was not the end of
    /// a record, and what it read after the last complete record is not to be trusted).
    private var remaining: Int? = nil
    public private(set) var endedInsideQuotes = false

    public init(path: String, delimiter: UInt8? = nil, chunkSize: Int = 1 << 20) throws {
        guard let h = FileHandle(forReadingAtPath: path) else {
            throw FormatError(file: path, location: "0", code: "csv.open", vi: "không mở được tệp", en: "cannot open the file")
        }
        handle = h
        pending = nil
        name = path
        self.chunkSize = max(4, chunkSize)
        delimiterByte = delimiter ?? UInt8(ascii: ",")
        delimiterKnown = delimiter != nil
        self.delimiter = delimiterByte
    }

    /// A reader of the bytes `range` of the file, for reading a large file in parts at once. `range` must start at the
    /// beginning of a line: at 0 (then the BOM and the delimiter are handled as usual and `delimiter` may be nil), or
    /// after a line feed, with `line` the number of that line and `delimiter` the file's. Errors name offsets and lines
    /// of the whole file. A part that ends before the end of the file and inside a quoted field stops there and sets
    /// `endedInsideQuotes` instead of reporting an unclosed quote.
    public init(path: String, range: Range<Int>, line: Int, delimiter: UInt8?, fileSize: Int, chunkSize: Int = 1 << 20) throws {
        try self.init(path: path, delimiter: delimiter, chunkSize: chunkSize)
        if range.lowerBound > 0 {
            try handle?.seek(toOffset: UInt64(range.lowerBound))
            startedBOM = true
            validator.offset = range.lowerBound
            validator.lineStart = range.lowerBound
        }
        self.line = line
        validator.line = line
        remaining = range.count
        partEndsBeforeFileEnd = range.upperBound < fileSize
    }

    private var partEndsBeforeFileEnd = false

    public init(data: Data, name: String = "<data>", delimiter: UInt8? = nil, chunkSize: Int = 1 << 20) {
        handle = nil
        pending = data
        self.name = name
        self.chunkSize = max(4, chunkSize)
        delimiterByte = delimiter ?? UInt8(ascii: ",")
        delimiterKnown = delimiter != nil
        self.delimiter = delimiterByte
    }

    /// Reads more bytes into the buffer (keeping unread ones). Returns false at the end of input.
    private mutating func fill() throws -> Bool {
        if eof { return false }
        let chunk: Data
        if let handle {
            let want = remaining.map { min($0, chunkSize) } ?? chunkSize
            chunk = want > 0 ? handle.readData(ofLength: want) : Data()
            if remaining != nil { remaining! -= chunk.count }
        } else if let data = pending {
            let take = min(chunkSize, data.count)
            chunk = data.prefix(take)
            pending = take == data.count ? nil : data.dropFirst(take)
        } else {
            chunk = Data()
        }
        if chunk.isEmpty {
            eof = true
            try validator.finish(file: name)
            return false
        }
        var bytes = [UInt8](chunk)
        if !startedBOM {
            startedBOM = true
            if bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
                bytes.removeFirst(3)
                validator.offset = 3
            }
        }
        try validator.check(bytes, file: name)
        if i > 0 { buf.removeFirst(i); i = 0 }
        bytes.withUnsafeBufferPointer { buf.append($0) }
        return true
    }

    /// Before the first record: read until the first line is complete (or 64 KiB), then pick the delimiter.
    private mutating func prepare() throws {
        while !delimiterKnown {
            detectDelimiter()
            if delimiterKnown { break }
            if !(try fill()) { detectDelimiter(force: true) }
        }
    }

    /// `,` or `;`, whichever occurs outside quotes on the first line (comma if neither).
    private mutating func detectDelimiter(force: Bool = false) {
        var inQuotes = false
        var commas = 0, semicolons = 0
        var sawEnd = false
        for b in UnsafeBufferPointer(start: buf.base, count: buf.count) {
            if b == UInt8(ascii: "\"") { inQuotes.toggle() }
            else if !inQuotes && b == UInt8(ascii: "\n") { sawEnd = true; break }
            else if !inQuotes && b == UInt8(ascii: ",") { commas += 1 }
            else if !inQuotes && b == UInt8(ascii: ";") { semicolons += 1 }
        }
        if !force && !sawEnd && !eof && buf.count < 1 << 16 { return }   // wait for the whole first line
        delimiterByte = semicolons > commas ? UInt8(ascii: ";") : UInt8(ascii: ",")
        delimiter = delimiterByte
        delimiterKnown = true
    }

    /// The next record with its fields as text.
    public mutating func next() throws -> CSVRecord? {
        let fieldCount = lastFieldCount
        var record: CSVRecord? = nil
        _ = try withNextRecord { line, fields in
            var texts: [String] = []
            texts.reserveCapacity(max(fields.count, fieldCount))
            for k in 0..<fields.count { texts.append(String(decoding: fields[k], as: UTF8.self)) }
            record = CSVRecord(line: line, fields: texts)
        }
        return record
    }

    /// Reads the next record and hands its fields to `body` as bytes (unquoted, `""` → `"`, valid UTF-8), without
    /// making a String of any of them: for readers that look at millions of records and keep few of their fields.
    /// The bytes are valid only inside `body`. Returns false at the end of the input.
    public mutating func withNextRecord(_ body: (_ line: Int, _ fields: CSVFields) throws -> Void) throws -> Bool {
        guard let line = try readRecord() else { return false }
        try recordBytes.withUnsafeBufferPointer { bytes in
            try fieldEnds.withUnsafeBufferPointer { ends in try body(line, CSVFields(bytes: bytes, ends: ends)) }
        }
        return true
    }

    private enum State { case start, unquoted, quoted, quoteInQuoted }

    /// Parses one record into `recordBytes` (the fields one after another) and `fieldEnds`; returns the line it starts
    /// on. No closures here: their captured variables would be checked for exclusive access on every byte.
    private mutating func readRecord() throws -> Int? {
        if finished { return nil }
        if !delimiterKnown { try prepare() }
        // The record's storage, taken out of self while the record is read.
        var bytes = recordBytes, ends = fieldEnds
        recordBytes = []; fieldEnds = []
        bytes.removeAll(keepingCapacity: true)
        ends.removeAll(keepingCapacity: true)
        defer { lastFieldCount = max(ends.count, 1); recordBytes = bytes; fieldEnds = ends }
        let startLine = line
        var quoteLine = line
        var state = State.start
        let quote = UInt8(ascii: "\""), lf = UInt8(ascii: "\n"), cr = UInt8(ascii: "\r"), d = delimiterByte

        while true {
            if i >= buf.count {
                if !(try fill()) {
                    finished = true
                    switch state {
                    case .quoted where partEndsBeforeFileEnd:
                        endedInsideQuotes = true
                        return nil
                    case .quoted:
                        throw FormatError(file: name, location: "\(quoteLine)", code: "csv.quote",
                                          vi: "dấu ngoặc kép mở ở dòng \(quoteLine) không được đóng",
                                          en: "the quote opened on line \(quoteLine) is never closed")
                    case .start where ends.isEmpty:
                        return nil
                    default:
                        Self.endField(&bytes, &ends, trimCR: state == .unquoted)
                        return startLine
                    }
                }
                continue
            }
            // Scan what the buffer holds; stop at the end of the record or of the buffer.
            let p = buf.base, n = buf.count
            var k = i
            while k < n {
                switch state {
                case .start, .unquoted:
                    if state == .start && p[k] == quote {
                        state = .quoted
                        quoteLine = line
                        k += 1
                        continue
                    }
                    var j = k
                    while j < n {
                        let b = p[j]
                        if b == d || b == lf { break }
                        j += 1
                    }
                    if j > k { bytes.append(contentsOf: UnsafeBufferPointer(start: p + k, count: j - k)); state = .unquoted }
                    k = j
                    if k >= n { continue }
                    let b = p[k]
                    k += 1
                    if b == d {
                        Self.endField(&bytes, &ends, trimCR: false)
                        state = .start
                    } else {
                        Self.endField(&bytes, &ends, trimCR: true)
                        line += 1
                        i = k
                        return startLine
                    }
                case .quoted:
                    var j = k
                    while j < n && p[j] != quote {
                        if p[j] == lf { line += 1 }
                        j += 1
                    }
                    bytes.append(contentsOf: UnsafeBufferPointer(start: p + k, count: j - k))
                    k = j
                    if k < n { k += 1; state = .quoteInQuoted }
                case .quoteInQuoted:
                    let b = p[k]
                    k += 1
                    if b == quote { bytes.append(quote); state = .quoted }
                    else if b == d { Self.endField(&bytes, &ends, trimCR: false); state = .start }
                    else if b == lf { Self.endField(&bytes, &ends, trimCR: false); line += 1; i = k; return startLine }
                    else if b == cr { continue }
                    else { bytes.append(b); state = .unquoted }
                }
            }
            i = k
        }
    }

    @inline(__always)
    private static func endField(_ bytes: inout [UInt8], _ ends: inout [Int], trimCR: Bool) {
        let start = ends.last ?? 0
        if trimCR, bytes.count > start, bytes.last == UInt8(ascii: "\r") { bytes.removeLast() }
        ends.append(bytes.count)
    }

    /// Every record, for small files.
    public mutating func readAll() throws -> [CSVRecord] {
        var out: [CSVRecord] = []
        while let r = try next() { out.append(r) }
        return out
    }
}

/// Incremental UTF-8 validation across chunks, with the absolute offset, line and column of the first bad byte.
struct UTF8Stream {
    var offset = 0            // absolute offset of the next byte
    var line = 1
    var lineStart = 0
    var need = 0              // continuation bytes still expected
    var scalar: UInt32 = 0
    var minScalar: UInt32 = 0
    var sequenceStart = 0

    mutating func check(_ bytes: [UInt8], file: String) throws {
        try bytes.withUnsafeBytes { raw in
            let n = raw.count
            var k = 0
            while k < n {
                // Fast path: eight ASCII bytes at a time that hold no NUL and no line feed (nearly all of a CSV file).
                if need == 0 {
                    let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080, lf: UInt64 = 0x0A0A_0A0A_0A0A_0A0A
                    while k + 8 <= n {
                        let w = raw.loadUnaligned(fromByteOffset: k, as: UInt64.self)
                        let x = w ^ lf
                        if (w | (((w &- ones) & ~w) | ((x &- ones) & ~x))) & highs != 0 { break }
                        k += 8
                        offset += 8
                    }
                    if k >= n { break }
                }
                let b = raw[k]
                k += 1
                if need > 0 {
                    guard b & 0xC0 == 0x80 else { throw bad(file, at: sequenceStart) }
                    scalar = (scalar << 6) | UInt32(b & 0x3F)
                    need -= 1
                    if need == 0 && (scalar < minScalar || scalar > 0x10FFFF || (0xD800...0xDFFF).contains(scalar)) {
                        throw bad(file, at: sequenceStart)
                    }
                    offset += 1
                    continue
                }
                if b < 0x80 {
                    if b == 0 {
                        throw FormatError(file: file, location: "\(line):\(offset - lineStart + 1)", code: "csv.nul",
                                          vi: "tệp chứa byte NUL ở vị trí \(offset) (dòng \(line)): không phải tệp văn bản CSV",
                                          en: "the file has a NUL byte at offset \(offset) (line \(line)): not a CSV text file")
                    }
                    if b == 0x0A { line += 1; lineStart = offset + 1 }
                    offset += 1
                    continue
                }
                sequenceStart = offset
                switch b {
                case 0xC2...0xDF: need = 1; scalar = UInt32(b & 0x1F); minScalar = 0x80
                case 0xE0...0xEF: need = 2; scalar = UInt32(b & 0x0F); minScalar = 0x800
                case 0xF0...0xF4: need = 3; scalar = UInt32(b & 0x07); minScalar = 0x10000
                default: throw bad(file, at: offset)
                }
                offset += 1
            }
        }
    }

    func finish(file: String) throws {
        if need > 0 { throw bad(file, at: sequenceStart) }
    }

    func bad(_ file: String, at position: Int) -> FormatError {
        let column = position - lineStart + 1
        return FormatError(file: file, location: "\(line):\(column)", code: "csv.utf8",
                           vi: "tệp không phải UTF-8 hợp lệ: byte không hợp lệ ở vị trí \(position) (dòng \(line), cột \(column)); hãy lưu tệp dạng CSV UTF-8",
                           en: "the file is not valid UTF-8: invalid byte at offset \(position) (line \(line), column \(column)); save it as CSV UTF-8")
    }
}

/// Writing CSV: minimal quoting, `\n` line ends, an optional BOM (Excel then opens UTF-8 correctly).
public struct CSVWriter {
    private let handle: FileHandle
    private var buffer = [UInt8]()
    private let delimiter: Character

    public init(path: String, delimiter: Character = ",", bom: Bool = false) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil), let h = FileHandle(forWritingAtPath: path) else {
            throw FormatError(file: path, location: "0", code: "csv.write", vi: "không ghi được tệp", en: "cannot write the file")
        }
        handle = h
        self.delimiter = delimiter
        if bom { buffer.append(contentsOf: [0xEF, 0xBB, 0xBF]) }
    }

    public mutating func write(_ fields: [String]) throws {
        buffer.append(contentsOf: Array(Self.line(fields, delimiter: delimiter).utf8))
        if buffer.count > 1 << 20 { try flush() }
    }

    private mutating func flush() throws {
        try handle.write(contentsOf: buffer)
        buffer.removeAll(keepingCapacity: true)
    }

    public mutating func close() throws {
        try flush()
        try handle.close()
    }

    public static func field(_ s: String, delimiter: Character = ",") -> String {
        let needs = s.contains(where: { $0 == delimiter || $0 == "\"" || $0 == "\n" || $0 == "\r" })
            || s.first == " " || s.last == " "
        return needs ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
    }

    public static func line(_ fields: [String], delimiter: Character = ",") -> String {
        fields.map { field($0, delimiter: delimiter) }.joined(separator: String(delimiter)) + "\n"
    }

    public static func encode(_ rows: [[String]], bom: Bool = false, delimiter: Character = ",") -> String {
        (bom ? "\u{FEFF}" : "") + rows.map { line($0, delimiter: delimiter) }.joined()
    }
}
