import DTICore
import Foundation
import PostgresClient

/// `dti load`: submissions from CSV, XLSX or JSON. One file is one batch and one transaction:
/// stream the records into a temporary staging table with COPY, validate them with set-based SQL against the
/// units and the current catalogue versions, then merge the good ones into `dti.submission_values` with one
/// INSERT … SELECT. A file with any bad record loads nothing (unless `partial`), and a file already loaded at
/// the same stage is a no-op that says so.
///
/// The usual case, a first load of a whole file, takes the short way: the merge writes every record that has no
/// reason to be refused, and only when that is fewer than all of them are the reasons listed (and the transaction
/// rolls back). With `partial`, or when some key already has a value (a correction), the reasons come first and the
/// merge leaves out values equal to the current ones. See `Staging`, `Validation` and `Merge`; make bench measures the
/// cost of each against `\copy` and against the floor of writing the rows alone.
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
        let format = source.format, stage = options.stage
        // A CSV is parsed and normalised on a second thread while this one stages the records; the other formats are
        // read at once when opened.
        let prefetcher = format == "csv" ? RecordPrefetcher(source) { StagedRecord($0, defaultStage: stage) } : nil
        defer { prefetcher?.stop() }
        let next: () throws -> StagedRecord? = {
            if let prefetcher { return try prefetcher.next() }
            return try source.next().map { StagedRecord($0, defaultStage: stage) }
        }
        // Room for the staging table in memory; allowed only before the session's first temporary table.
        try? connection.simpleQuery("SET temp_buffers = '256MB'")
        do {
            return try connection.transaction { db in
                try db.simpleQuery("SET LOCAL synchronous_commit = on")
                let batchId: Int
                do {
                    let inserted = try db.query("""
                        INSERT INTO dti.load_batches (file_name, file_sha256, file_bytes, format, default_stage, partial, os_user, host)
                        VALUES (\(display), \(fileInfo.sha256), \(fileInfo.bytes), \(format), \(options.stage.rawValue)::dti.stage,
                                \(options.partial), \(ProcessInfo.processInfo.environment["USER"] ?? NSUserName()), \(ProcessInfo.processInfo.hostName))
                        RETURNING batch_id
                        """)
                    batchId = try inserted[0]["batch_id"].decode(Int.self)
                } catch let e as PostgresError where e.sqlState == "23505" {
                    throw AlreadyLoaded()
                }
                try Staging.create(db)
                // About one record per 48 bytes of CSV; the table of keys is sized once from it.
                let total = try Staging.copy(next, into: db, expectedRecords: format == "csv" ? min(fileInfo.bytes / 48, 4_000_000) : 0,
                                             progress: options.progress)
                if total == 0 {
                    throw DTIError(.inputRejected, vi: "\(display):2: không có bản ghi nào (tệp rỗng hoặc chỉ có dòng tiêu đề)",
                                   en: "\(display):2: no records (an empty file or a header only)")
                }
                // Statistics for the planner: without them it guesses the staging table's size and, for some
                // sizes, picks a plan for the validation joins that rescans stg thousands of times (36 s instead of
                // 12 ms for 88,000 rows, found by make bench).
                try db.execute("ANALYZE stg")
                let ratioRejects = try Validation.prepare(db)
                let hasEarlierValues = try Merge.hasEarlierValues(db)
                var rejects: [Reject] = []
                let accepted: Int, unchanged: Int
                if !options.partial && !hasEarlierValues {
                    // The common case, a first load of a whole file: write the good records in one pass; only if some
                    // were left out, list the reasons (and the transaction rolls back).
                    Failpoint.hit("load.after-copy")
                    accepted = try Merge.optimistic(batchId: batchId, ratioRejects: ratioRejects, db: db)
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
