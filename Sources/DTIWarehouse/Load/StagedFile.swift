import DTICore
import DTIFormats
import Foundation

/// The records of one file, read and normalised (see `StagedRecord`), kept in columns: a million records are a few
/// arrays of numbers and small strings, not a million objects. A record's key (unit, year, catalogue, stage) and item
/// (catalogue, indicator, variable) are numbers given by `FileKeys`, in order of first appearance.
///
/// Nothing here talks to the database: `SubmissionLoader` resolves the numbered keys and items with SQL, checks each
/// record (`RecordChecks`) and writes the sheets (`SheetWriter`).
struct StagedFile: @unchecked Sendable {
    enum NumberForm: UInt8 {
        /// The value is not a plain number (an answer, a text, or empty).
        case none
        /// The value text is itself the number's machine form (`12`, `0.5`): nearly every numeric value.
        case asWritten
        /// The machine form differs from what was written (`0,5` → `0.5`): in `normalizedNumbers`.
        case normalized
    }

    private(set) var keys = FileKeys()
    private(set) var keyNo: [Int32] = []
    private(set) var itemNo: [Int32] = []
    /// The value as submitted, trimmed and in NFC.
    private(set) var value: [String] = []
    private(set) var numberForm: [NumberForm] = []
    private(set) var normalizedNumbers: [Int32: String] = [:]
    /// CSV: the line of each record; other formats: `refs`.
    private(set) var lines: [Int32] = []
    private(set) var refs: [String] = []
    private(set) var evidence: [Int32: String] = [:]
    /// What the reader already saw wrong with a record (`fields.count:9:8`, `cell.formula`, `value.too_large` …).
    private(set) var problem: [Int32: String] = [:]
    /// Records typed with a percent sign (`45%`): the number before it. Their `number` is set once the variable's
    /// `scale:` is known (`TypedValues`).
    private(set) var percents: [Int32: TypedNumber] = [:]
    /// Records whose single separator may separate thousands (`2.768`): the separator and the thousands reading.
    private(set) var ambiguous: [Int32: (separator: DecimalConvention, thousands: String)] = [:]
    /// How many values show each decimal separator (`0,5`, `1.234.567` → comma; `12.25` → dot), and the first of each.
    private(set) var shows: [DecimalConvention: (count: Int, first: Int32)] = [:]
    /// What is wrong with a value once its variable is known (`value.ambiguous_decimal`, `value.percent` …):
    /// code, then detail after a colon. Checked with the value, after the key and the item.
    private(set) var valueProblem: [Int32: String] = [:]

    var count: Int { keyNo.count }
    var keyTexts: [FileKeys.KeyText] { keys.keyTexts }
    var itemTexts: [FileKeys.ItemText] { keys.itemTexts }
    /// CSV records are referred to by line, the others by `refs`.
    var refersByLine: Bool { refs.isEmpty && !lines.isEmpty }

    init(expectedRecords: Int = 0) {
        if expectedRecords > 0 {
            keyNo.reserveCapacity(expectedRecords); itemNo.reserveCapacity(expectedRecords)
            value.reserveCapacity(expectedRecords); numberForm.reserveCapacity(expectedRecords)
        }
    }

    /// Where record `k` came from, as people read it: "12", "Sheet!D7", "[3]".
    func ref(_ k: Int) -> String { refersByLine ? String(lines[k]) : refs[k] }

    /// The machine text of record `k`'s number, or nil.
    func number(_ k: Int) -> String? {
        switch numberForm[k] {
        case .none: return nil
        case .asWritten: return value[k]
        case .normalized: return normalizedNumbers[Int32(k)]
        }
    }

    // MARK: adding records

    /// A record from any reader (XLSX, JSON), normalised as `StagedRecord` says.
    mutating func append(_ record: StagedRecord) {
        let k = Int32(count)
        let numbers = keys.add(key: record.key, item: record.item)
        keyNo.append(numbers.key)
        itemNo.append(numbers.item)
        refs.append(record.ref)
        appendValue(record.typed, at: k)
        if let e = record.evidence { evidence[k] = e }
        if let p = record.problem { problem[k] = p }
    }

    /// A CSV record whose key and item are already numbered, and whose value is normalised (`ValueText`).
    mutating func appendCSV(line: Int, key: Int32, item: Int32, value v: ValueText, evidence e: String?, problem p: String?) {
        let k = Int32(count)
        keyNo.append(key)
        itemNo.append(item)
        lines.append(Int32(truncatingIfNeeded: line))
        appendValue(v, at: k)
        if let e { evidence[k] = e }
        if let p = p ?? v.problem { problem[k] = p }
    }

    @inline(__always)
    private mutating func appendValue(_ v: ValueText, at k: Int32) {
        let text = v.text
        value.append(text)
        if let number = v.number {
            if number == text { numberForm.append(.asWritten) } else { numberForm.append(.normalized); normalizedNumbers[k] = number }
        } else {
            numberForm.append(.none)
        }
        if let c = v.shows {
            if let s = shows[c] { shows[c] = (s.count + 1, s.first) } else { shows[c] = (1, k) }
        }
        if let a = v.ambiguous { ambiguous[k] = a }
        if let p = v.percent { percents[k] = p }
    }

    /// The number of record `k` is `machine` (a percent read by the variable's scale, a thousands reading).
    mutating func setNumber(_ k: Int, _ machine: String) {
        numberForm[k] = machine == value[k] ? .asWritten : .normalized
        if numberForm[k] == .normalized { normalizedNumbers[Int32(k)] = machine } else { normalizedNumbers[Int32(k)] = nil }
    }

    /// Refuses the value of record `k` (code, and the detail its message needs).
    mutating func refuseValue(_ k: Int, code: String, detail: String) { valueProblem[Int32(k)] = code + ":" + detail }

    /// Appends the records of `other`, read from the rest of the same file: its keys and items are numbered anew,
    /// in order of first appearance, as if one reader had read both.
    mutating func append(contentsOf other: StagedFile) {
        let base = Int32(count)
        let keyMap = other.keyTexts.map { keys.numberKey($0) }
        let itemMap = other.itemTexts.map { keys.numberItem($0) }
        keyNo.append(contentsOf: other.keyNo.lazy.map { keyMap[Int($0)] })
        itemNo.append(contentsOf: other.itemNo.lazy.map { itemMap[Int($0)] })
        value.append(contentsOf: other.value)
        numberForm.append(contentsOf: other.numberForm)
        lines.append(contentsOf: other.lines)
        refs.append(contentsOf: other.refs)
        for (k, v) in other.normalizedNumbers { normalizedNumbers[k + base] = v }
        for (k, v) in other.evidence { evidence[k + base] = v }
        for (k, v) in other.problem { problem[k + base] = v }
        for (k, v) in other.percents { percents[k + base] = v }
        for (k, v) in other.ambiguous { ambiguous[k + base] = v }
        for (c, s) in other.shows {
            if let mine = shows[c] { shows[c] = (mine.count + s.count, mine.first) } else { shows[c] = (s.count, s.first + base) }
        }
    }

    /// A CSV of 8 MB or more is read by two threads, each half of the file, when the half-way line break is outside
    /// quotes (the first reader ends there outside a quoted field, so the second began at a record). Otherwise (a
    /// quoted field spans the half-way line, or a small file) nil, and the caller reads the file in one go. Either way
    /// the records, their numbering and any error are those of reading the file from start to end.
    static func readInHalves(path: String, defaultStage: Stage, expectedRecords: Int, progress: ReadProgress) throws -> StagedFile? {
        guard let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? nil, size >= 8 << 20,
              let split = lineStart(near: size / 2, in: path, size: size) else { return nil }
        var first: CSVReader
        do { first = try CSVReader(path: path, range: 0..<split, line: 1, delimiter: nil, fileSize: size) } catch let e as FormatError {
            throw RecordSources.rejected(e)
        }
        var scanner = try CSVSubmissionScanner(header: &first, path: path, defaultStage: defaultStage)
        let (columns, headerCount) = scanner.columnPositions
        let delimiter = scanner.delimiter
        let second = Background("dti-csv-second-half") { () throws -> StagedFile in
            let line = try countLineFeeds(in: path, upTo: split) + 1
            let reader: CSVReader
            do { reader = try CSVReader(path: path, range: split..<size, line: line, delimiter: delimiter, fileSize: size) } catch let e as FormatError {
                throw RecordSources.rejected(e)
            }
            var rest = try CSVSubmissionScanner(reader: reader, columns: columns, headerCount: headerCount, path: path, defaultStage: defaultStage)
            var staged = StagedFile(expectedRecords: expectedRecords / 2)
            try rest.read(into: &staged, progress: progress)
            return staged
        }
        var staged = StagedFile(expectedRecords: expectedRecords)   // the whole file's room: the second half is appended to it
        do {
            try scanner.read(into: &staged, progress: progress)
        } catch {
            _ = try? second.value()
            throw error
        }
        if scanner.endedInsideQuotes { _ = try? second.value(); return nil }
        staged.append(contentsOf: try second.value())
        return staged
    }

    /// The offset just after the first line feed at or after `offset`, or nil (none within 1 MiB, or at the end).
    private static func lineStart(near offset: Int, in path: String, size: Int) -> Int? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        guard (try? handle.seek(toOffset: UInt64(offset))) != nil else { return nil }
        let bytes = handle.readData(ofLength: 1 << 20)
        guard let k = bytes.firstIndex(of: UInt8(ascii: "\n")) else { return nil }
        let split = offset + (k - bytes.startIndex) + 1
        return split < size ? split : nil
    }

    /// How many line feeds the file has before `end`.
    private static func countLineFeeds(in path: String, upTo end: Int) throws -> Int {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw DTIError(.inputRejected, vi: "\(path): không mở được tệp", en: "\(path): cannot open the file")
        }
        defer { try? handle.close() }
        var count = 0, left = end
        while left > 0 {
            let chunk = handle.readData(ofLength: min(left, 1 << 20))
            if chunk.isEmpty { break }
            left -= chunk.count
            chunk.withUnsafeBytes { p in for b in p where b == 0x0A { count += 1 } }
        }
        return count
    }

    fileprivate mutating func numberKey(_ key: FileKeys.KeyText) -> Int32 { keys.numberKey(key) }
    fileprivate mutating func numberItem(_ item: FileKeys.ItemText) -> Int32 { keys.numberItem(item) }

    // MARK: reading a file

    /// Reads a whole submission file: a CSV through `CSVSubmissionScanner`, the other formats through their
    /// `RecordSource`. Throws `DTIError(.inputRejected)` when the file cannot be read (not UTF-8, bad header, corrupt
    /// XLSX …). `progress` is called every 250,000 records.
    static func read(path: String, defaultStage: Stage, expectedRecords: Int, progress: (@Sendable (Int) -> Void)?) throws -> (StagedFile, format: String) {
        var staged = StagedFile(expectedRecords: expectedRecords)
        switch (path as NSString).pathExtension.lowercased() {
        case "csv", "txt":
            let tally = ReadProgress(progress)
            if let whole = try readInHalves(path: path, defaultStage: defaultStage, expectedRecords: expectedRecords, progress: tally) {
                return (whole, "csv")
            }
            var scanner = try CSVSubmissionScanner(path: path, defaultStage: defaultStage)
            try scanner.read(into: &staged, progress: tally)
            return (staged, "csv")
        default:
            var source = try RecordSources.open(path: path)
            while let r = try source.next() {
                staged.append(StagedRecord(r, defaultStage: defaultStage))
                if staged.count % 250_000 == 0 { progress?(staged.count) }
            }
            return (staged, source.format)
        }
    }
}

/// A value as staged: trimmed, NFC, its number in machine form if it is one, `value.too_large` if it is one that is
/// too large. The one place where a submitted value is normalised.
struct ValueText: Sendable {
    var text: String
    var number: String?
    var problem: String?
    /// The decimal separator the value shows (`0,5`: comma), if it shows one (`TypedNumber`).
    var shows: DecimalConvention? = nil
    /// `2.768`: the separator, and the reading with it as a thousands separator (`number` is the decimal reading).
    var ambiguous: (separator: DecimalConvention, thousands: String)? = nil
    /// `45%`: the number before the sign; `number` is nil until the variable's scale says what it is.
    var percent: TypedNumber? = nil

    /// `machine`: the text is a spreadsheet's or JSON's own number (never ambiguous, shows nothing).
    init(_ raw: String, machine: Bool = false) {
        text = Normalize.text(raw)
        if text.isEmpty { return }
        switch TypedNumber.read(text, machine: machine) {
        case .success(let n):
            if n.percent { percent = n } else { number = n.value }
            switch n.form {
            case .plain: break
            case .shows(let c): shows = c
            case .ambiguous(let sep, let thousands): if !n.percent { ambiguous = (sep, thousands) }; shows = nil
            }
            if n.percent, case .shows(let c) = n.form { shows = c }
        case .failure(let e): if e == .tooLarge || e == .tooPrecise { problem = "value.too_large" }
        }
    }

    private init(text: String, number: String?) { self.text = text; self.number = number; problem = nil }

    /// The bytes of a CSV field. A plain machine-form number (`Normalize.isPlainMachineNumber`: `12`, `0.5`, `-3`) is
    /// taken as written, making only the one small String; anything else goes through `init(_:)`. A dot is the decimal
    /// separator the value shows, or, followed by exactly three digits after one to three (`2.768`), ambiguous.
    @inline(__always)
    static func of(bytes p: UnsafeBufferPointer<UInt8>) -> ValueText {
        if Normalize.isPlainMachineNumber(p) {
            let text = String(decoding: p, as: UTF8.self)
            var v = ValueText(text: text, number: text)
            if let dot = p.firstIndex(of: UInt8(ascii: ".")) {
                let start = p.first == UInt8(ascii: "-") ? 1 : 0
                let whole = dot - start, fraction = p.count - dot - 1
                if (1...3).contains(whole) && fraction == 3 && p[start] != UInt8(ascii: "0") {
                    var digits = text
                    digits.remove(at: digits.index(digits.startIndex, offsetBy: dot))
                    v.ambiguous = (.dot, digits)
                } else {
                    v.shows = .dot
                }
            }
            return v
        }
        return ValueText(String(decoding: p, as: UTF8.self))
    }
}

/// Reads the long submission CSV of the design straight into a `StagedFile`, looking at each record's bytes: a
/// record's key and item are compared, as bytes, with the ones met before (files come grouped by unit and repeat the
/// same items in the same order), so that a million records make a few thousand Strings for keys and items rather
/// than seven million. What a key or item normalises to is decided once, by the same functions `StagedRecord` uses;
/// the caches only remember it.
struct CSVSubmissionScanner {
    private var file: CSVReader
    private let path: String
    private let defaultStage: Stage
    private let columns: [Int]
    private let headerCount: Int

    // key bytes (unit, year, catalogue, stage, each followed by a NUL, which a CSV cannot hold) → key number
    private var keyByBytes: [[UInt8]: Int32] = [:]
    private var lastKeyBytes: [UInt8] = []
    private var lastKey: Int32 = -1
    // item bytes (catalogue, indicator, variable) → item number; and the item that followed each item last time
    private var itemByBytes: [[UInt8]: Int32] = [:]
    private var itemBytes: [[UInt8]] = []
    private var successor: [Int32] = []
    private var lastItem: Int32 = -1
    private var scratch: [UInt8] = []

    /// Opens the file and reads its header.
    init(path: String, defaultStage: Stage) throws {
        var reader: CSVReader
        do { reader = try CSVReader(path: path) } catch let e as FormatError { throw RecordSources.rejected(e) }
        try self.init(header: &reader, path: path, defaultStage: defaultStage)
    }

    /// Reads the header from `reader`, then the records after it.
    init(header reader: inout CSVReader, path: String, defaultStage: Stage) throws {
        let header: [String]
        do { header = try reader.next()?.fields ?? [] } catch let e as FormatError { throw RecordSources.rejected(e) }
        try self.init(reader: reader, columns: try SubmissionColumns.positions(header: header, path: path), headerCount: header.count,
                      path: path, defaultStage: defaultStage)
    }

    /// Reads the records of `reader`, whose header (of `headerCount` fields) says where the columns are.
    init(reader: CSVReader, columns: [Int], headerCount: Int, path: String, defaultStage: Stage) throws {
        file = reader
        self.path = path
        self.defaultStage = defaultStage
        self.columns = columns
        self.headerCount = headerCount
        scratch.reserveCapacity(256)
    }

    var columnPositions: (columns: [Int], headerCount: Int) { (columns, headerCount) }
    var delimiter: UInt8 { file.delimiter }
    var endedInsideQuotes: Bool { file.endedInsideQuotes }

    mutating func read(into staged: inout StagedFile, progress: ReadProgress) throws {
        var reader = file
        defer { file = reader }
        do {
            while try reader.withNextRecord({ line, fields in
                if fields.count == 1 && fields[0].isEmpty { return }   // a blank line
                add(line: line, fields: fields, to: &staged)
                if staged.count % 4096 == 0 { progress.add(4096) }
            }) {}
        } catch let e as FormatError {
            throw RecordSources.rejected(e)
        }
    }

    @inline(__always)
    private func field(_ fields: CSVFields, _ k: Int) -> UnsafeBufferPointer<UInt8> {
        let i = columns[k]
        return i >= 0 && i < fields.count ? fields[i] : UnsafeBufferPointer(start: nil, count: 0)
    }

    private mutating func add(line: Int, fields: CSVFields, to staged: inout StagedFile) {
        let unit = field(fields, 0), year = field(fields, 1), catalogue = field(fields, 2), indicator = field(fields, 3)
        let variable = field(fields, 4), value = field(fields, 5), evidence = field(fields, 6), stage = field(fields, 7)

        if lastKey < 0 || !Self.matches(lastKeyBytes, unit, year, catalogue, stage) {
            Self.join(&scratch, unit, year, catalogue, stage)
            if let known = keyByBytes[scratch] {
                lastKey = known
            } else {
                let s = Normalize.text(Self.text(stage)), c = Normalize.text(Self.text(catalogue))
                lastKey = staged.numberKey(.init(unit: Normalize.text(Self.text(unit)), year: Normalize.text(Self.text(year)),
                                                 catalogue: c, stage: s.isEmpty ? defaultStage.rawValue : s))
                keyByBytes[scratch] = lastKey
            }
            lastKeyBytes = scratch
        }

        var item: Int32 = -1
        if lastItem >= 0, case let guess = successor[Int(lastItem)], guess >= 0,
           Self.matches(itemBytes[Int(guess)], catalogue, indicator, variable) {
            item = guess
        } else {
            Self.join(&scratch, catalogue, indicator, variable)
            if let known = itemByBytes[scratch] {
                item = known
            } else {
                item = staged.numberItem(.init(catalogue: Normalize.text(Self.text(catalogue)),
                                               indicator: Normalize.code(Normalize.text(Self.text(indicator))),
                                               variable: Normalize.lower(Normalize.text(Self.text(variable)))))
                itemByBytes[scratch] = item
            }
            while itemBytes.count <= Int(item) { itemBytes.append([]); successor.append(-1) }
            if itemBytes[Int(item)].isEmpty { itemBytes[Int(item)] = scratch }
            if lastItem >= 0 { successor[Int(lastItem)] = item }
        }
        lastItem = item

        let e = evidence.isEmpty ? "" : Normalize.text(Self.text(evidence))
        staged.appendCSV(line: line, key: lastKey, item: item, value: ValueText.of(bytes: value), evidence: e.isEmpty ? nil : e,
                         problem: fields.count == headerCount ? nil : "fields.count:\(fields.count):\(headerCount)")
    }

    /// The fields one after another, each followed by a NUL (which a CSV cannot hold, so the joined bytes of two
    /// different field lists differ).
    private static func join(_ out: inout [UInt8], _ fields: UnsafeBufferPointer<UInt8>...) {
        out.removeAll(keepingCapacity: true)
        for f in fields { out.append(contentsOf: f); out.append(0) }
    }

    /// Whether `joined` (from `join`) holds exactly these fields.
    @inline(__always)
    private static func matches(_ joined: [UInt8], _ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>,
                                _ c: UnsafeBufferPointer<UInt8>, _ d: UnsafeBufferPointer<UInt8>? = nil) -> Bool {
        let total = a.count + b.count + c.count + 3 + (d.map { $0.count + 1 } ?? 0)
        guard joined.count == total else { return false }
        return joined.withUnsafeBufferPointer { j -> Bool in
            var at = 0
            @inline(__always) func same(_ f: UnsafeBufferPointer<UInt8>) -> Bool {
                if f.count > 0 && memcmp(j.baseAddress! + at, f.baseAddress!, f.count) != 0 { return false }
                at += f.count
                if j[at] != 0 { return false }
                at += 1
                return true
            }
            return same(a) && same(b) && same(c) && (d.map(same) ?? true)
        }
    }

    @inline(__always)
    private static func text(_ p: UnsafeBufferPointer<UInt8>) -> String { String(decoding: p, as: UTF8.self) }
}

/// The count of records read so far, by one reader or two at once, told to the caller every 250,000.
final class ReadProgress: @unchecked Sendable {
    private let report: (@Sendable (Int) -> Void)?
    private let lock = NSLock()
    private var count = 0

    init(_ report: (@Sendable (Int) -> Void)?) { self.report = report }

    func add(_ n: Int) {
        guard let report else { return }
        lock.lock()
        let before = count
        count += n
        let now = count
        lock.unlock()
        if now / 250_000 > before / 250_000 { report(now / 250_000 * 250_000) }
    }
}
