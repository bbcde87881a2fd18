import DTICore
import Foundation
import PostgresClient

/// The temporary tables of one load: the distinct keys of the file, (unit, year, catalogue, stage) in `stg_key_texts` and
/// (catalogue, indicator, variable) in `stg_item_texts`, numbered by `FileKeys`. Validation resolves and checks each of
/// them once in SQL (`Validation.resolve`); the records themselves never go to a staging table: they are checked in
/// the loader (`RecordChecks`) and written as sheets (`SheetWriter`). A file of a million records has some thousands of
/// distinct keys and a hundred items.
enum Staging {
    static func create(_ db: PostgresConnection) throws {
        try db.simpleQuery("""
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
            """)
    }

    /// Copies the file's distinct keys and items into the two tables.
    static func copyKeys(_ keys: FileKeys, into db: PostgresConnection) throws {
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
    }
}

/// A record as staged: trimmed, NFC, codes `1,1` → `1.1`, variables in lower case, numbers in machine form, the
/// default stage filled in. Pure, so the reading thread can prepare records while the loader stages earlier ones.
struct StagedRecord: Sendable {
    var ref: String
    var key: FileKeys.KeyText
    var item: FileKeys.ItemText
    /// The value, trimmed and NFC, with its number and what it says about the file's decimal separator.
    var typed: ValueText
    var value: String { typed.text }
    /// The value as a number (`0.5`), or nil when it is not a plain number.
    var number: String? { typed.number }
    var evidence: String?
    var problem: String?

    init(_ r: RawRecord, defaultStage: Stage) {
        ref = r.ref
        let v = ValueText(r.value, machine: r.machineNumber)
        typed = v
        problem = r.problem ?? v.problem
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
/// variable), exactly as staged.
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

    var keyTexts: [KeyText] { keys.values }
    var itemTexts: [ItemText] { items.values }

    mutating func numberKey(_ key: KeyText) -> Int32 { keys.number(key) }
    mutating func numberItem(_ item: ItemText) -> Int32 { items.number(item) }

    /// The numbers of a record's key and item.
    @inline(__always)
    mutating func add(key: KeyText, item: ItemText) -> (key: Int32, item: Int32) { (keys.number(key), items.number(item)) }
}
