// Load/ — submissions. In: a CSV, XLSX or JSON file of records (unit, year, catalogue, indicator, variable, value …).
// Out: one batch in dti.load_batches, its values as sheets in dti.submission_sheets, rejects with file:line; one
// transaction per file. Path: RecordSources → StagedFile → Staging/Validation → RecordChecks → SheetWriter.

import DTICore
import Foundation
import PostgresClient

/// `dti load`: submissions from CSV, XLSX or JSON. One file is one batch and one transaction:
///
/// 1. read the whole file into columns (`StagedFile`; a CSV byte by byte, `CSVSubmissionScanner`), before touching the
///    database: a file that cannot be read changes nothing;
/// 2. resolve its distinct keys and items with set-based SQL against the units and the current catalogue versions
///    (`Staging`, `Validation.resolve`), and fetch the current values of the keys it corrects, if any;
/// 3. check every record (`RecordChecks`): a file with any bad record loads nothing (unless `partial`) and lists them all;
/// 4. write the good records, less those equal to their current value, as sheets with one binary COPY (`SheetWriter`).
///
/// A file already loaded at the same stage is a no-op that says so. make bench measures the whole against `\copy`.
public struct SubmissionLoader {
    public struct Options: Sendable {
        public var stage: Stage = .selfAssessment
        public var partial = false
        public var progress: (@Sendable (Int) -> Void)? = nil
        /// Check everything a load checks, against the database too, and write nothing (`dryRun(path:options:)`).
        public var dryRun = false
        /// The file's decimal separator (`--decimal comma|dot`); nil: the one its values show (`TypedValues`).
        public var decimal: DecimalConvention? = nil
        public init(stage: Stage = .selfAssessment, partial: Bool = false, progress: (@Sendable (Int) -> Void)? = nil, dryRun: Bool = false,
                    decimal: DecimalConvention? = nil) {
            self.stage = stage; self.partial = partial; self.progress = progress; self.dryRun = dryRun; self.decimal = decimal
        }
    }

    /// What a load does (or, in a dry run, would do) to one sheet of the file: a unit, year, catalogue and stage.
    public struct UnitSummary: Sendable, Equatable {
        public var unit: String
        public var year: String
        public var catalogue: String
        public var stage: String
        /// Values the unit had no current value for.
        public var new = 0
        /// Values that replace a different current value.
        public var changed = 0
        /// Values equal to the current one (not written again).
        public var unchanged = 0
        /// Records refused.
        public var rejected = 0
        /// Current values of the catalogue the file does not touch (or leaves blank): they stay as they are, listed so
        /// nothing is kept silently.
        public var kept: [String] = []
        /// Records with a blank value: not answered, neither refused nor written.
        public var notAnswered = 0
        /// Current values withdrawn with the marker "#rút" (`Withdrawal`): the unit has no current value for them after the load.
        public var withdrawn = 0
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
        /// The record as kept in `dti.load_rejects.raw`: its fields joined by commas (an empty evidence left out).
        public var record: String = ""
    }

    /// A declared check (severity warning) that a unit's values fail.
    public struct CheckWarning: Sendable, Equatable {
        public var ref: String
        public var unit: String
        public var year: String
        public var catalogue: String
        public var indicator: String
        public var check: String
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
        /// false when nothing was written (rejects without --partial, or already loaded, or a dry run).
        public var committed: Bool
        /// A dry run: everything was checked and nothing written; `committed` says whether a real load would have written.
        public var dryRun = false
        /// Per unit, year, catalogue and stage of the file, in file order.
        public var units: [UnitSummary] = []
        /// Declared checks of severity warning that the file's values fail: they load, and are listed here and in v_check_warnings.
        public var warnings: [CheckWarning] = []

        public init(file: String, batchId: Int?, alreadyLoadedAs: Int?, total: Int, accepted: Int, unchanged: Int,
                    rejected: [Reject], committed: Bool, dryRun: Bool = false, units: [UnitSummary] = []) {
            self.file = file; self.batchId = batchId; self.alreadyLoadedAs = alreadyLoadedAs; self.total = total
            self.accepted = accepted; self.unchanged = unchanged; self.rejected = rejected; self.committed = committed
            self.dryRun = dryRun; self.units = units
        }
    }

    let connection: PostgresConnection

    public init(connection: PostgresConnection) { self.connection = connection }

    /// `dti load --dry-run`: the real load's path (`load(path:options:)`) inside a transaction that is rolled back, with
    /// no batch inserted and nothing written, so the two cannot drift. The report is the one the load would give
    /// (`committed` = it would have written; `batchId` nil), with the same rejects and the same thrown errors.
    public func dryRun(path: String, options: Options = Options()) throws -> Report {
        var o = options
        o.dryRun = true
        return try load(path: path, options: o)
    }

    /// Loads one file. Throws `DTIError(.inputRejected)` when the file cannot be read at all (not UTF-8, corrupt XLSX,
    /// bad header, no records); bad records are returned in the report (and nothing is written unless `partial`).
    public func load(path: String, options: Options = Options()) throws -> Report {
        var clock = PhaseClock()
        // The file is hashed on a second thread while this one reads it: both take the same time, and the load cannot
        // start its transaction before knowing both.
        let digest = Background("dti-sha256") { try FileDigest.of(path: path) }
        let display = path
        let isCSV = ["csv", "txt"].contains((path as NSString).pathExtension.lowercased())
        let staged: StagedFile, format: String
        do {
            // About one record per 48 bytes of CSV: the columns are sized once from it.
            let bytes = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
            (staged, format) = try StagedFile.read(path: path, defaultStage: options.stage,
                                                   expectedRecords: isCSV ? min(bytes / 48, 4_000_000) : 0,
                                                   progress: options.progress)
        } catch {
            // A file that cannot be opened is refused as before (by the digest); one loaded before is a no-op, whatever
            // reading it now says.
            let info = try digest.value()
            if let existing = try alreadyLoaded(sha: info.sha256, stage: options.stage) {
                return Report(file: display, batchId: nil, alreadyLoadedAs: existing, total: 0, accepted: 0, unchanged: 0, rejected: [], committed: false, dryRun: options.dryRun)
            }
            throw error
        }
        clock.lap("read and normalise")
        let fileInfo = try digest.value()
        if let existing = try alreadyLoaded(sha: fileInfo.sha256, stage: options.stage) {
            return Report(file: display, batchId: nil, alreadyLoadedAs: existing, total: 0, accepted: 0, unchanged: 0, rejected: [], committed: false, dryRun: options.dryRun)
        }
        clock.lap("sha256 (on a second thread)")
        let total = staged.count
        if total == 0 {
            throw DTIError(.inputRejected, vi: "\(display):2: không có bản ghi nào (tệp rỗng hoặc chỉ có dòng tiêu đề)",
                           en: "\(display):2: no records (an empty file or a header only)")
        }
        do {
            return try connection.transaction { db in
                try db.simpleQuery("SET LOCAL synchronous_commit = on")
                // A dry run inserts no batch (its id would use up a number of the sequence: the database would not be
                // byte-identical after it); everything else runs as in a real load, and the transaction is rolled back.
                var batchId = 0
                if !options.dryRun {
                    do {
                        let inserted = try db.query("""
                            INSERT INTO dti.load_batches (file_name, file_sha256, file_bytes, format, default_stage, partial, os_user, host)
                            VALUES (\(display), \(fileInfo.sha256), \(fileInfo.bytes), \(format), \(options.stage.rawValue)::dti.stage,
                                    \(options.partial), \(ProcessInfo.processInfo.environment["USER"] ?? NSUserName()), \(ProcessInfo.processInfo.hostName))
                            RETURNING batch_id
                            """)
                        batchId = try inserted[0]["batch_id"].decode(Int.self)
                        Failpoint.trace("load.in-transaction")
                    } catch let e as PostgresError where e.sqlState == "23505" {
                        throw AlreadyLoaded()
                    }
                }
                try Staging.create(db)
                try Staging.copyKeys(staged.keys, into: db)
                clock.lap("batch, distinct keys staged")
                let resolved = try Validation.resolve(db, keyCount: staged.keyTexts.count, itemCount: staged.itemTexts.count)
                // "45%" by the variable's scale, "2.768" by the file's decimal separator: now that the variables are known.
                var staged = staged
                TypedValues.resolve(&staged, resolved, forced: options.decimal)
                let itemIds = Array(Set(resolved.items.compactMap(\.itemId))).sorted()
                let earlier = itemIds.isEmpty ? [] : try Validation.earlierValues(db, itemIds: itemIds)
                let (declared, reference) = try DeclaredChecks.prepare(db, staged, resolved)
                clock.lap("keys and items resolved, earlier values, declared checks")
                let grouped = RecordChecks.recordsByKey(staged)
                let outcome = RecordChecks.run(staged, reference, grouped: grouped, earlier: earlier, declared: declared)
                let rejects = outcome.refusals.map { Self.reject($0, staged) }
                let warningMessages = outcome.warnings.map { Self.warningMessage($0, staged) }
                let warnings = zip(outcome.warnings, warningMessages).map { h, m in
                    let key = staged.keyTexts[Int(h.key)]
                    return CheckWarning(ref: staged.ref(h.record), unit: key.unit, year: key.year, catalogue: h.catalogue, indicator: h.indicator,
                                        check: h.expression, message: m)
                }
                let units = Self.summaries(staged, reference, grouped: grouped, outcome: outcome, earlier: earlier)
                clock.lap("records checked")
                if !rejects.isEmpty && !options.partial { throw RejectedFile(rejects: rejects, total: total, units: units) }
                if options.dryRun {
                    let accepted = outcome.skip.lazy.filter { !$0 }.count
                    var report = Report(file: display, batchId: nil, alreadyLoadedAs: nil, total: total, accepted: accepted,
                                        unchanged: outcome.unchanged, rejected: rejects, committed: true, dryRun: true, units: units)
                    report.warnings = warnings
                    throw DryRunDone(report: report)
                }
                try Validation.keep(rejects, batchId: batchId, db: db)
                Failpoint.hit("load.after-copy")
                if Failpoint.terminates("load.after-copy") { _ = try? db.simpleQuery("SELECT pg_terminate_backend(pg_backend_pid())") }
                let accepted = try SheetWriter.write(staged, reference, grouped: grouped, skip: outcome.skip, batchId: batchId, db: db)
                try DeclaredChecks.record(outcome.warnings, messages: warningMessages, batchId: batchId, staged: staged, ref: reference, db: db)
                clock.lap("sheets written")
                // Write-once through a definer function: dti_etl may not UPDATE load_batches (migration 0021).
                try db.execute("""
                    SELECT dti.finish_load_batch(\(batchId)::bigint, \(total)::integer, \(accepted)::integer,
                                                 \(rejects.count)::integer, \(outcome.unchanged)::integer)
                    """)
                Failpoint.hit("load.before-commit")
                Failpoint.pause("load.before-commit")
                var report = Report(file: display, batchId: batchId, alreadyLoadedAs: nil, total: total, accepted: accepted,
                                    unchanged: outcome.unchanged, rejected: rejects, committed: true, units: units)
                report.warnings = warnings
                return report
            }
        } catch let r as RejectedFile {
            return Report(file: display, batchId: nil, alreadyLoadedAs: nil, total: r.total, accepted: 0, unchanged: 0, rejected: r.rejects,
                          committed: false, dryRun: options.dryRun, units: r.units)
        } catch let d as DryRunDone {
            return d.report
        } catch is AlreadyLoaded {
            let existing = try alreadyLoaded(sha: fileInfo.sha256, stage: options.stage)
            return Report(file: display, batchId: nil, alreadyLoadedAs: existing, total: 0, accepted: 0, unchanged: 0, rejected: [], committed: false, dryRun: options.dryRun)
        }
    }

    /// Per key of the file: what its good records do to the current values, its rejects, and the current values of its
    /// catalogue that the file leaves as they are (`kept`).
    static func summaries(_ staged: StagedFile, _ ref: RecordChecks.Reference, grouped: (order: [Int32], starts: [Int]),
                          outcome: RecordChecks.Outcome, earlier: [RecordChecks.Earlier]) -> [UnitSummary] {
        var out = staged.keyTexts.map { UnitSummary(unit: $0.unit, year: $0.year, catalogue: $0.catalogue, stage: $0.stage) }
        for (k, c) in outcome.perKey.enumerated() where k < out.count {
            out[k].new = c.new; out[k].changed = c.changed; out[k].unchanged = c.unchanged
            out[k].notAnswered = c.blank
            out[k].withdrawn = c.withdrawn
        }
        for r in outcome.refusals { out[Int(staged.keyNo[r.record])].rejected += 1 }
        if earlier.isEmpty { return out }
        let blank = Set(outcome.blank.map(Int32.init))
        var present: [Int32: Set<Int32>] = [:]
        for key in 0..<(grouped.starts.count - 1) {
            var items = Set<Int32>()
            for r in grouped.order[grouped.starts[key]..<grouped.starts[key + 1]] where !blank.contains(r) {
                let kind = ref.kinds[Int(staged.itemNo[Int(r)])]
                if kind.resolved { items.insert(kind.itemId) }
            }
            present[Int32(key)] = items
        }
        for e in earlier where !(present[e.key]?.contains(e.itemId) ?? false) {
            out[Int(e.key)].kept.append(e.item)
        }
        return out
    }

    /// A refusal as people read it: the record's unit, indicator, value and the message of its reason.
    static func reject(_ refusal: RecordChecks.Refusal, _ staged: StagedFile) -> Reject {
        let r = refusal.record
        let key = staged.keyTexts[Int(staged.keyNo[r])], item = staged.itemTexts[Int(staged.itemNo[r])]
        let value = staged.value[r], evidence = staged.evidence[Int32(r)]
        let fields = [key.unit, key.year, key.catalogue, item.indicator, item.variable, value] + (evidence.map { [$0] } ?? []) + [key.stage]
        return Reject(ref: staged.ref(r), unit: key.unit, catalogue: key.catalogue, indicator: item.indicator, variable: item.variable,
                      raw: value, code: refusal.code,
                      message: RejectMessages.message(code: refusal.code, detail: refusal.detail, unit: key.unit, year: key.year,
                                                      catalogue: key.catalogue, indicator: item.indicator, variable: item.variable,
                                                      value: value, stage: key.stage),
                      record: fields.joined(separator: ","))
    }

    /// The message of a failed check of severity warning, naming the record's unit, indicator and variable.
    static func warningMessage(_ h: DeclaredChecks.Hit, _ staged: StagedFile) -> Message {
        let key = staged.keyTexts[Int(staged.keyNo[h.record])], item = staged.itemTexts[Int(staged.itemNo[h.record])]
        return RejectMessages.message(code: "check.warning", detail: "\(h.expression)|\(h.left)|\(h.right)", unit: key.unit, year: key.year,
                                      catalogue: key.catalogue, indicator: item.indicator, variable: item.variable,
                                      value: staged.value[h.record], stage: key.stage)
    }

    private func alreadyLoaded(sha: String, stage: Stage) throws -> Int? {
        let rows = try connection.query("SELECT batch_id FROM dti.load_batches WHERE file_sha256 = \(sha) AND default_stage = \(stage.rawValue)::dti.stage")
        return rows.count == 1 ? try rows[0]["batch_id"].decode(Int.self) : nil
    }

    struct AlreadyLoaded: Error {}
    struct RejectedFile: Error { let rejects: [Reject]; let total: Int; let units: [UnitSummary] }
    struct DryRunDone: Error { let report: Report }
}

/// The sha256 and size of a file, read in chunks.
public enum FileDigest {
    public static func of(path: String) throws -> (sha256: String, bytes: Int) {
        try LoadPaths.check([path])
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw DTIError(.inputRejected, vi: "\(path): không mở được tệp", en: "\(path): cannot open the file")
        }
        defer { try? handle.close() }
        var hasher = SHA256Hasher()
        var bytes = 0
        while true {
            // read(upToCount:) throws on a read error; readData(ofLength:) traps (SIGILL on a directory).
            let chunk: Data
            do { chunk = try handle.read(upToCount: 1 << 20) ?? Data() } catch {
                throw DTIError(.inputRejected, vi: "\(path): lỗi khi đọc tệp (\(error.localizedDescription))",
                               en: "\(path): error reading the file (\(error.localizedDescription))")
            }
            if chunk.isEmpty { break }
            bytes += chunk.count
            hasher.update(chunk)
        }
        return (hasher.hex(), bytes)
    }
}
