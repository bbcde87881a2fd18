import DTICore
import Foundation
import PostgresClient

/// `dti load`: submissions from CSV, XLSX or JSON. One file is one batch and one transaction:
/// stream the records into a temporary staging table with COPY, validate them with set-based SQL against the
/// units and the current catalogue versions, then merge the good ones into `dti.submission_values` with one
/// INSERT … SELECT. A file with any bad record loads nothing (unless `partial`), and a file already loaded at
/// the same stage is a no-op that says so.
public struct SubmissionLoader {
    public struct Options: Sendable {
        public var stage: Stage = .selfAssessment
        public var partial = false
        public var progress: (@Sendable (Int) -> Void)? = nil
        public init(stage: Stage = .selfAssessment, partial: Bool = false, progress: (@Sendable (Int) -> Void)? = nil) {
            self.stage = stage; self.partial = partial; self.progress = progress
        }
    }

    public struct Reject: Sendable, Equatable {
        public var ref: String
        public var unit: String
        public var catalogue: String
        public var indicator: String
        public var variable: String
        public var raw: String
        public var code: String
        public var message: Message
    }

    public struct Report: Sendable {
        public var file: String
        public var batchId: Int?
        /// The batch that already holds this file, when the load was a no-op.
        public var alreadyLoadedAs: Int?
        public var total: Int
        public var accepted: Int
        public var unchanged: Int
        public var rejected: [Reject]
        /// false when nothing was written (rejects without --partial, or already loaded).
        public var committed: Bool
    }

    let connection: PostgresConnection

    public init(connection: PostgresConnection) { self.connection = connection }

    /// Loads one file. Throws `DTIError(.inputRejected)` when the file cannot be read at all (not UTF-8, corrupt XLSX,
    /// bad header); bad records are returned in the report (and nothing is written unless `partial`).
    public func load(path: String, options: Options = Options()) throws -> Report {
        let fileInfo = try FileDigest.of(path: path)
        let display = path
        // Cheap check first: the same file at the same stage already loaded.
        if let existing = try alreadyLoaded(sha: fileInfo.sha256, stage: options.stage) {
            return Report(file: display, batchId: nil, alreadyLoadedAs: existing, total: 0, accepted: 0, unchanged: 0, rejected: [], committed: false)
        }
        var source = try RecordSources.open(path: path)
        // Room for the staging table in memory; allowed only before the session's first temporary table.
        try? connection.simpleQuery("SET temp_buffers = '256MB'")
        do {
            return try connection.transaction { db in
                try db.simpleQuery("SET LOCAL synchronous_commit = on")
                let batchId: Int
                do {
                    let inserted = try db.query("""
                        INSERT INTO dti.load_batches (file_name, file_sha256, file_bytes, format, default_stage, partial, os_user, host)
                        VALUES (\(display), \(fileInfo.sha256), \(fileInfo.bytes), \(source.format), \(options.stage.rawValue)::dti.stage,
                                \(options.partial), \(ProcessInfo.processInfo.environment["USER"] ?? NSUserName()), \(ProcessInfo.processInfo.hostName))
                        RETURNING batch_id
                        """)
                    batchId = try inserted[0]["batch_id"].decode(Int.self)
                } catch let e as PostgresError where e.sqlState == "23505" {
                    throw AlreadyLoaded()
                }
                try Staging.create(db)
                // About one record per 48 bytes of CSV; the table of keys is sized once from it.
                let total = try Staging.copy(&source, into: db, defaultStage: options.stage,
                                             expectedRecords: source.format == "csv" ? min(fileInfo.bytes / 48, 4_000_000) : 0,
                                             progress: options.progress)
                if total == 0 {
                    throw DTIError(.inputRejected, vi: "\(display):2: không có bản ghi nào (tệp rỗng hoặc chỉ có dòng tiêu đề)",
                                   en: "\(display):2: no records (an empty file or a header only)")
                }
                // Statistics for the planner: without them it guesses the staging table's size and, for some
                // sizes, picks a plan for the validation joins that rescans stg thousands of times (36 s instead of
                // 12 ms for 88,000 rows, found by make bench).
                try db.execute("ANALYZE stg")
                try Validation.prepare(db)
                let hasEarlierValues = try Merge.hasEarlierValues(db)
                var rejects: [Reject] = []
                let accepted: Int, unchanged: Int
                if !options.partial && !hasEarlierValues {
                    // The common case, a first load of a whole file: write the good records in one pass; only if some
                    // were left out, list the reasons (and the transaction rolls back).
                    Failpoint.hit("load.after-copy")
                    accepted = try Merge.optimistic(batchId: batchId, db: db)
                    unchanged = 0
                    if accepted != total {
                        rejects = try Validation.rejects(db)
                        if rejects.isEmpty {
                            throw DTIError(.database, vi: "\(display): \(total - accepted) bản ghi không được ghi mà không có lý do từ chối (lỗi của dti)",
                                           en: "\(display): \(total - accepted) records were left out without a reason (a bug in dti)")
                        }
                        throw RejectedFile(rejects: rejects, total: total)
                    }
                } else {
                    rejects = try Validation.rejects(db)
                    if !rejects.isEmpty && !options.partial {
                        throw RejectedFile(rejects: rejects, total: total)
                    }
                    if !rejects.isEmpty { try Validation.keep(rejects, batchId: batchId, db: db) }
                    Failpoint.hit("load.after-copy")
                    (accepted, unchanged) = try Merge.run(batchId: batchId, good: total - rejects.count, hasEarlierValues: hasEarlierValues, db: db)
                }
                try db.execute("""
                    UPDATE dti.load_batches SET rows_total = \(total), rows_accepted = \(accepted), rows_rejected = \(rejects.count),
                           rows_unchanged = \(unchanged) WHERE batch_id = \(batchId)
                    """)
                Failpoint.hit("load.before-commit")
                return Report(file: display, batchId: batchId, alreadyLoadedAs: nil, total: total, accepted: accepted,
                              unchanged: unchanged, rejected: rejects, committed: true)
            }
        } catch let r as RejectedFile {
            return Report(file: display, batchId: nil, alreadyLoadedAs: nil, total: r.total, accepted: 0, unchanged: 0, rejected: r.rejects, committed: false)
        } catch is AlreadyLoaded {
            let existing = try alreadyLoaded(sha: fileInfo.sha256, stage: options.stage)
            return Report(file: display, batchId: nil, alreadyLoadedAs: existing, total: 0, accepted: 0, unchanged: 0, rejected: [], committed: false)
        }
    }

    private func alreadyLoaded(sha: String, stage: Stage) throws -> Int? {
        let rows = try connection.query("SELECT batch_id FROM dti.load_batches WHERE file_sha256 = \(sha) AND default_stage = \(stage.rawValue)::dti.stage")
        return rows.count == 1 ? try rows[0]["batch_id"].decode(Int.self) : nil
    }

    struct AlreadyLoaded: Error {}
    struct RejectedFile: Error { let rejects: [Reject]; let total: Int }
}

/// The sha256 and size of a file, read in chunks.
public enum FileDigest {
    public static func of(path: String) throws -> (sha256: String, bytes: Int) {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw DTIError(.inputRejected, vi: "\(path): không mở được tệp", en: "\(path): cannot open the file")
        }
        defer { try? handle.close() }
        var hasher = SHA256Hasher()
        var bytes = 0
        while true {
            let chunk = handle.readData(ofLength: 1 << 20)
            if chunk.isEmpty { break }
            bytes += chunk.count
            hasher.update(chunk)
        }
        return (hasher.hex(), bytes)
    }
}

/// The temporary staging table and the COPY that fills it.
enum Staging {
    static func create(_ db: PostgresConnection) throws {
        try db.simpleQuery("""
            CREATE TEMP TABLE stg (
                ord       bigint NOT NULL,
                ref       text NOT NULL,
                unit_code text COLLATE "C" NOT NULL,
                year_raw  text COLLATE "C" NOT NULL,
                catalogue text COLLATE "C" NOT NULL,
                indicator text COLLATE "C" NOT NULL,
                variable  text COLLATE "C" NOT NULL,
                value_num numeric,
                value_raw text NOT NULL,
                evidence  text,
                stage_raw text COLLATE "C" NOT NULL,
                problem   text,
                first_ref text
            ) ON COMMIT DROP;
            CREATE TEMP TABLE rej (ord bigint NOT NULL, code text NOT NULL, detail text) ON COMMIT DROP;
            CREATE TEMP TABLE rej_ratio (ord bigint NOT NULL, code text NOT NULL, detail text) ON COMMIT DROP;
            """)
    }

    /// Streams every record into `stg`; returns how many.
    static func copy(_ source: inout any RecordSource, into db: PostgresConnection, defaultStage: Stage, expectedRecords: Int = 0,
                     progress: (@Sendable (Int) -> Void)?) throws -> Int {
        var count = 0
        var readError: Error? = nil
        var keys = FileKeys(expected: expectedRecords)
        _ = try db.copyIn("COPY stg (ord, ref, unit_code, year_raw, catalogue, indicator, variable, value_num, value_raw, evidence, stage_raw, problem, first_ref) FROM STDIN") { writer in
            var buffer = [UInt8]()
            buffer.reserveCapacity(1 << 20 + 4096)
            func field(_ s: String) {
                var s = s
                s.withUTF8 { p in
                    // Nearly every field has nothing to escape: copy it at once.
                    if !p.contains(where: { $0 == UInt8(ascii: "\\") || $0 < 0x20 }) { buffer.append(contentsOf: p); return }
                    for b in p {
                        switch b {
                        case UInt8(ascii: "\\"): buffer.append(b); buffer.append(b)
                        case UInt8(ascii: "\t"): buffer.append(UInt8(ascii: "\\")); buffer.append(UInt8(ascii: "t"))
                        case UInt8(ascii: "\n"): buffer.append(UInt8(ascii: "\\")); buffer.append(UInt8(ascii: "n"))
                        case UInt8(ascii: "\r"): buffer.append(UInt8(ascii: "\\")); buffer.append(UInt8(ascii: "r"))
                        default: buffer.append(b)
                        }
                    }
                }
            }
            func integer(_ n: Int) {
                var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
                    (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
                withUnsafeMutableBytes(of: &digits) { d in
                    var v = n, k = d.count
                    repeat { k -= 1; d[k] = UInt8(ascii: "0") + UInt8(v % 10); v /= 10 } while v > 0
                    buffer.append(contentsOf: d[k...])
                }
            }
            func null() { buffer.append(UInt8(ascii: "\\")); buffer.append(UInt8(ascii: "N")) }
            func tab() { buffer.append(UInt8(ascii: "\t")) }
            do {
                while let r = try source.next() {
                    count += 1
                    let value = Normalize.text(r.value)
                    let number = value.isEmpty ? nil : Normalize.number(value)
                    var problem = r.problem
                    if number == nil, problem == nil, case .failure(let e) = DecimalText.parse(value), e == .tooLarge || e == .tooPrecise {
                        problem = "value.too_large"
                    }
                    let unit = Normalize.text(r.unit), year = Normalize.text(r.year), catalogue = Normalize.text(r.catalogue)
                    let indicator = Normalize.code(Normalize.text(r.indicator)), variable = Normalize.lower(Normalize.text(r.variable))
                    let stageText = Normalize.text(r.stage), stage = stageText.isEmpty ? defaultStage.rawValue : stageText
                    let firstRef = keys.firstRef(unit: unit, year: year, catalogue: catalogue, indicator: indicator, variable: variable,
                                                 stage: stage, ref: r.ref)
                    integer(count); tab()
                    field(r.ref); tab()
                    field(unit); tab()
                    field(year); tab()
                    field(catalogue); tab()
                    field(indicator); tab()
                    field(variable); tab()
                    if let number { field(number) } else { null() }; tab()
                    field(value); tab()
                    let evidence = Normalize.text(r.evidence)
                    if evidence.isEmpty { null() } else { field(evidence) }; tab()
                    field(stage); tab()
                    if let problem { field(problem) } else { null() }; tab()
                    if let firstRef { field(firstRef) } else { null() }
                    buffer.append(UInt8(ascii: "\n"))
                    if buffer.count >= 1 << 20 {
                        try buffer.withUnsafeBytes { try writer.write($0) }
                        buffer.removeAll(keepingCapacity: true)
                    }
                    if count % 250_000 == 0 { progress?(count) }
                }
            } catch {
                readError = error
                throw error
            }
            if !buffer.isEmpty { try buffer.withUnsafeBytes { try writer.write($0) } }
        }
        if let readError { throw readError }
        return count
    }
}

/// The keys seen so far in one file, to note where a key first appeared when it comes again (validation then refuses
/// the later record as `key.duplicate`, after every other reason). A key is the record's unit, year, catalogue,
/// indicator, variable and stage exactly as staged; each part is numbered once, so the table holds four small integers
/// per record instead of its text.
struct FileKeys {
    private struct Key: Hashable { var unit: Int32, year: Int32, item: Int32, stage: Int32 }
    private struct Item: Hashable { var catalogue: Int32, indicator: String, variable: String }
    /// A table of numbers for one part of the key, remembering the last text looked up: files come grouped by unit,
    /// year and stage, so most lookups are one comparison with the previous record.
    private struct Numbering<K: Hashable> {
        var table: [K: Int32] = [:]
        var last: (key: K, number: Int32)? = nil
        @inline(__always)
        mutating func number(_ key: K) -> Int32 {
            if let last, last.key == key { return last.number }
            let n: Int32
            if let known = table[key] { n = known } else { n = Int32(truncatingIfNeeded: table.count); table[key] = n }
            last = (key, n)
            return n
        }
    }
    private var units = Numbering<String>(), years = Numbering<String>(), catalogues = Numbering<String>()
    private var items = Numbering<Item>(), stages = Numbering<String>()
    private var firstRefs: [Key: String] = [:]

    /// `expected`: about how many records the file holds, to size the table once.
    init(expected: Int = 0) { firstRefs.reserveCapacity(expected) }

    /// The ref of the earlier record with this key, or nil (and the key is remembered) when it is the first.
    mutating func firstRef(unit: String, year: String, catalogue: String, indicator: String, variable: String, stage: String,
                           ref: String) -> String? {
        let item = Item(catalogue: catalogues.number(catalogue), indicator: indicator, variable: variable)
        let key = Key(unit: units.number(unit), year: years.number(year), item: items.number(item), stage: stages.number(stage))
        if let first = firstRefs[key] { return first }
        firstRefs[key] = ref
        return nil
    }
}
