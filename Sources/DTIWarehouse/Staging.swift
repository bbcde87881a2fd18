import DTICore
import Foundation
import PostgresClient

/// The temporary staging tables of one load and the COPY that fills them.
///
/// A record's key is staged once per distinct value, not once per record: the unit, year, catalogue and stage of a
/// record are numbered in `stg_key_texts`, its catalogue, indicator and variable in `stg_item_texts`, and `stg` holds
/// the two numbers with the value. A file of a million records has some thousands of distinct keys and a hundred
/// items, so validation checks each of them once, and the merge joins on integers. The numbers are given per file by
/// `FileKeys` and mean nothing outside the load.
enum Staging {
    static func create(_ db: PostgresConnection) throws {
        try db.simpleQuery("""
            CREATE TEMP TABLE stg (
                ord       bigint NOT NULL,
                ref       text NOT NULL,
                key_no    integer NOT NULL,
                item_no   integer NOT NULL,
                value_num numeric,
                value_raw text NOT NULL,
                evidence  text,
                problem   text,
                repeated  boolean NOT NULL
            ) ON COMMIT DROP;
            CREATE TEMP TABLE stg_key_texts (
                key_no    integer PRIMARY KEY,
                unit_code text COLLATE "C" NOT NULL,
                year_raw  text COLLATE "C" NOT NULL,
                catalogue text COLLATE "C" NOT NULL,
                stage_raw text COLLATE "C" NOT NULL
            ) ON COMMIT DROP;
            CREATE TEMP TABLE stg_item_texts (
                item_no   integer PRIMARY KEY,
                catalogue text COLLATE "C" NOT NULL,
                indicator text COLLATE "C" NOT NULL,
                variable  text COLLATE "C" NOT NULL
            ) ON COMMIT DROP;
            CREATE TEMP TABLE rej (ord bigint NOT NULL, code text NOT NULL, detail text) ON COMMIT DROP;
            CREATE TEMP TABLE rej_ratio (ord bigint NOT NULL, code text NOT NULL, detail text) ON COMMIT DROP;
            """)
    }

    /// Streams every record into `stg`, then the distinct keys and items; returns how many records.
    static func copy(_ next: () throws -> StagedRecord?, into db: PostgresConnection, expectedRecords: Int = 0,
                     progress: (@Sendable (Int) -> Void)?) throws -> Int {
        var count = 0
        var readError: Error? = nil
        var keys = FileKeys(expected: expectedRecords)
        _ = try db.copyIn("COPY stg (ord, ref, key_no, item_no, value_num, value_raw, evidence, problem, repeated) FROM STDIN") { writer in
            var out = CopyTextStream(writer)
            do {
                while let r = try next() {
                    count += 1
                    let numbers = keys.add(key: r.key, item: r.item)
                    out.integer(count); out.tab()
                    out.field(r.ref); out.tab()
                    out.integer(Int(numbers.key)); out.tab()
                    out.integer(Int(numbers.item)); out.tab()
                    out.field(r.number); out.tab()
                    out.field(r.value); out.tab()
                    out.field(r.evidence); out.tab()
                    out.field(r.problem); out.tab()
                    out.boolean(numbers.repeated)
                    try out.endRow()
                    if count % 250_000 == 0 { progress?(count) }
                }
            } catch {
                readError = error
                throw error
            }
            try out.flush()
        }
        if let readError { throw readError }
        _ = try db.copyIn("COPY stg_key_texts (key_no, unit_code, year_raw, catalogue, stage_raw) FROM STDIN") { writer in
            var out = CopyTextStream(writer)
            for (n, k) in keys.keyTexts.enumerated() {
                out.integer(n); out.tab(); out.field(k.unit); out.tab(); out.field(k.year); out.tab()
                out.field(k.catalogue); out.tab(); out.field(k.stage)
                try out.endRow()
            }
            try out.flush()
        }
        _ = try db.copyIn("COPY stg_item_texts (item_no, catalogue, indicator, variable) FROM STDIN") { writer in
            var out = CopyTextStream(writer)
            for (n, i) in keys.itemTexts.enumerated() {
                out.integer(n); out.tab(); out.field(i.catalogue); out.tab(); out.field(i.indicator); out.tab(); out.field(i.variable)
                try out.endRow()
            }
            try out.flush()
        }
        return count
    }
}

/// A record as staged: trimmed, NFC, codes `1,1` → `1.1`, variables in lower case, numbers in machine form, the
/// default stage filled in. Pure, so the reading thread can prepare records while the loader stages earlier ones.
struct StagedRecord: Sendable {
    var ref: String
    var key: FileKeys.KeyText
    var item: FileKeys.ItemText
    var value: String
    /// The value as a number (`0.5`), or nil when it is not a plain number.
    var number: String?
    var evidence: String?
    var problem: String?

    init(_ r: RawRecord, defaultStage: Stage) {
        ref = r.ref
        value = Normalize.text(r.value)
        problem = r.problem
        switch value.isEmpty ? nil : Normalize.number(value) {
        case .success(let n)?:
            number = n
        case .failure(let e)?:
            number = nil
            if problem == nil && (e == .tooLarge || e == .tooPrecise) { problem = "value.too_large" }
        case nil:
            number = nil
        }
        let stage = Normalize.text(r.stage), catalogue = Normalize.text(r.catalogue)
        key = .init(unit: Normalize.text(r.unit), year: Normalize.text(r.year), catalogue: catalogue,
                    stage: stage.isEmpty ? defaultStage.rawValue : stage)
        item = .init(catalogue: catalogue, indicator: Normalize.code(Normalize.text(r.indicator)),
                     variable: Normalize.lower(Normalize.text(r.variable)))
        let e = Normalize.text(r.evidence)
        evidence = e.isEmpty ? nil : e
    }
}

/// Rows in COPY's text format (escaped by `CopyText`), streamed to the server in chunks of about a megabyte.
struct CopyTextStream {
    private let writer: CopyInWriter
    private var buffer = [UInt8]()

    init(_ writer: CopyInWriter) {
        self.writer = writer
        buffer.reserveCapacity(1 << 20 + 4096)
    }

    /// A text field, escaped; nil is NULL.
    @inline(__always)
    mutating func field(_ text: String?) { CopyText.append(text, to: &buffer) }

    /// A non-negative integer in decimal.
    @inline(__always)
    mutating func integer(_ n: Int) {
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)
        withUnsafeMutableBytes(of: &digits) { d in
            var v = n, k = d.count
            repeat { k -= 1; d[k] = UInt8(ascii: "0") + UInt8(v % 10); v /= 10 } while v > 0
            buffer.append(contentsOf: d[k...])
        }
    }

    @inline(__always)
    mutating func boolean(_ b: Bool) { buffer.append(b ? UInt8(ascii: "t") : UInt8(ascii: "f")) }

    @inline(__always)
    mutating func tab() { buffer.append(UInt8(ascii: "\t")) }

    @inline(__always)
    mutating func endRow() throws {
        buffer.append(UInt8(ascii: "\n"))
        if buffer.count >= 1 << 20 { try flush() }
    }

    mutating func flush() throws {
        if buffer.isEmpty { return }
        try buffer.withUnsafeBytes { try writer.write($0) }
        buffer.removeAll(keepingCapacity: true)
    }
}

/// The keys of one file, numbered as they first appear: (unit, year, catalogue, stage) and (catalogue, indicator,
/// variable), exactly as staged. It also notes a record whose key and item both came before; validation then refuses
/// it as `key.duplicate`, naming the first record (after every other reason).
struct FileKeys {
    struct KeyText: Hashable, Sendable { var unit: String, year: String, catalogue: String, stage: String }
    struct ItemText: Hashable, Sendable { var catalogue: String, indicator: String, variable: String }

    /// Numbers for distinct values, in order of first appearance, remembering the last value looked up: files come
    /// grouped by unit, year and stage, so most key lookups are one comparison with the previous record.
    struct Numbering<K: Hashable> {
        private var table: [K: Int32] = [:]
        private var last: (value: K, number: Int32)? = nil
        private(set) var values: [K] = []

        @inline(__always)
        mutating func number(_ value: K) -> Int32 {
            if let last, last.value == value { return last.number }
            let n: Int32
            if let known = table[value] {
                n = known
            } else {
                n = Int32(values.count)
                table[value] = n
                values.append(value)
            }
            last = (value, n)
            return n
        }
    }

    private var keys = Numbering<KeyText>()
    private var items = Numbering<ItemText>()
    private var seen = Set<UInt64>()

    /// `expected`: about how many records the file holds, to size the set of whole keys once.
    init(expected: Int = 0) { seen.reserveCapacity(expected) }

    var keyTexts: [KeyText] { keys.values }
    var itemTexts: [ItemText] { items.values }

    /// The numbers of a record's key and item, and whether an earlier record had both.
    @inline(__always)
    mutating func add(key: KeyText, item: ItemText) -> (key: Int32, item: Int32, repeated: Bool) {
        let k = keys.number(key), i = items.number(item)
        let whole = UInt64(UInt32(bitPattern: k)) << 32 | UInt64(UInt32(bitPattern: i))
        return (k, i, !seen.insert(whole).inserted)
    }
}
