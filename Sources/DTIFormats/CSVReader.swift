import Foundation

/// One CSV record and the line where it starts.
public struct CSVRecord: Sendable, Equatable {
    /// 1-based line where the record starts (a quoted field may span lines).
    public let line: Int
    public let fields: [String]
    public init(line: Int, fields: [String]) { self.line = line; self.fields = fields }
}

/// A streaming CSV reader: RFC 4180 quoting, LF or CRLF, UTF-8 with or without BOM, `,` or `;` (detected from the
/// first line). Reads in chunks, so memory stays flat whatever the file size. Invalid UTF-8 and NUL bytes are
/// errors that name the byte offset, line and column; no other encoding is ever guessed.
public struct CSVReader {
    private let handle: FileHandle?
    private var pending: Data?
    private let chunkSize: Int
    private let name: String
    private var buf: [UInt8] = []
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
    /// The bytes of the field being read, kept between records so that its storage is allocated once.
    private var field: [UInt8] = []

    public private(set) var delimiter: UInt8

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
            chunk = handle.readData(ofLength: chunkSize)
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
        buf.append(contentsOf: bytes)
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
        for b in buf {
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

    public mutating func next() throws -> CSVRecord? {
        if finished { return nil }
        if !delimiterKnown { try prepare() }
        var fields: [String] = []
        fields.reserveCapacity(lastFieldCount)
        var field = self.field
        self.field = []
        field.removeAll(keepingCapacity: true)
        defer { lastFieldCount = max(fields.count, 1); self.field = field }
        let startLine = line
        var quoteLine = line
        enum State { case start, unquoted, quoted, quoteInQuoted }
        var state = State.start
        let quote = UInt8(ascii: "\""), lf = UInt8(ascii: "\n"), cr = UInt8(ascii: "\r")

        func endField(_ fields: inout [String], _ field: inout [UInt8], trimCR: Bool) {
            if trimCR, field.last == cr { field.removeLast() }
            fields.append(String(decoding: field, as: UTF8.self))
            field.removeAll(keepingCapacity: true)
        }

        while true {
            if i >= buf.count {
                if !(try fill()) {
                    finished = true
                    switch state {
                    case .quoted:
                        throw FormatError(file: name, location: "\(quoteLine)", code: "csv.quote",
                                          vi: "dấu ngoặc kép mở ở dòng \(quoteLine) không được đóng",
                                          en: "the quote opened on line \(quoteLine) is never closed")
                    case .start where fields.isEmpty:
                        return nil
                    default:
                        endField(&fields, &field, trimCR: state == .unquoted)
                        return CSVRecord(line: startLine, fields: fields)
                    }
                }
                continue
            }
            let d = delimiterByte
            switch state {
            case .start, .unquoted:
                if state == .start && buf[i] == quote {
                    state = .quoted
                    quoteLine = line
                    i += 1
                    continue
                }
                // Fast path: copy the run of ordinary bytes at once.
                var j = i
                let n = buf.count
                while j < n {
                    let b = buf[j]
                    if b == d || b == lf { break }
                    j += 1
                }
                if j > i { field.append(contentsOf: buf[i..<j]); state = .unquoted }
                i = j
                if i >= n { continue }
                let b = buf[i]
                i += 1
                if b == d {
                    endField(&fields, &field, trimCR: false)
                    state = .start
                } else if b == lf {
                    endField(&fields, &field, trimCR: true)
                    line += 1
                    return CSVRecord(line: startLine, fields: fields)
                }
            case .quoted:
                var j = i
                let n = buf.count
                while j < n && buf[j] != quote {
                    if buf[j] == lf { line += 1 }
                    j += 1
                }
                field.append(contentsOf: buf[i..<j])
                i = j
                if i < n { i += 1; state = .quoteInQuoted }
            case .quoteInQuoted:
                let b = buf[i]
                i += 1
                if b == quote { field.append(quote); state = .quoted }
                else if b == d { endField(&fields, &field, trimCR: false); state = .start }
                else if b == lf { endField(&fields, &field, trimCR: false); line += 1; return CSVRecord(line: startLine, fields: fields) }
                else if b == cr { continue }
                else { field.append(b); state = .unquoted }
            }
        }
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
