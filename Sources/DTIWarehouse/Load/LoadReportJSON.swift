import DTICore
import Foundation

/// `dti load --format json` (and the portal's upload report): the reports of the files, machine-readable. Keys are
/// stable; messages carry both languages; numbers of records are integers.
public enum LoadReportJSON {
    struct File: Encodable {
        var file: String
        var dry_run: Bool
        /// "loaded", "would_load", "refused", "already_loaded"
        var outcome: String
        var batch_id: Int?
        var already_loaded_as: Int?
        var total: Int
        var accepted: Int
        var unchanged: Int
        var rejected: Int
        var units: [Unit]
        var rejects: [RejectEntry]
        var warnings: [WarningEntry]
    }
    struct Unit: Encodable {
        var unit_code: String, year: String, catalogue: String, stage: String
        var new: Int, changed: Int, unchanged: Int, rejected: Int
        var kept: [String]
        var not_answered: Int
        /// Current values the file withdraws ("#rút").
        var withdrawn: Int
    }
    struct RejectEntry: Encodable {
        var ref: String, unit_code: String, catalogue: String, indicator: String, variable: String, value: String
        var code: String, message_vi: String, message_en: String
    }
    struct WarningEntry: Encodable {
        var ref: String, unit_code: String, catalogue: String, indicator: String, check: String
        var message_vi: String, message_en: String
    }
    struct Document: Encodable {
        var files: [File]
        /// The exit code the command gives: 0, or 2 when any file was refused.
        var exit_code: Int
    }

    public static func outcome(_ r: SubmissionLoader.Report) -> String {
        if r.alreadyLoadedAs != nil { return "already_loaded" }
        if !r.committed { return "refused" }
        return r.dryRun ? "would_load" : "loaded"
    }

    public static func encode(_ reports: [SubmissionLoader.Report]) throws -> String {
        let files = reports.map { r in
            File(file: r.file, dry_run: r.dryRun, outcome: outcome(r), batch_id: r.batchId, already_loaded_as: r.alreadyLoadedAs,
                 total: r.total, accepted: r.accepted, unchanged: r.unchanged, rejected: r.rejected.count,
                 units: r.units.map { Unit(unit_code: $0.unit, year: $0.year, catalogue: $0.catalogue, stage: $0.stage, new: $0.new,
                                           changed: $0.changed, unchanged: $0.unchanged, rejected: $0.rejected, kept: $0.kept,
                                           not_answered: $0.notAnswered, withdrawn: $0.withdrawn) },
                 rejects: r.rejected.map { RejectEntry(ref: $0.ref, unit_code: $0.unit, catalogue: $0.catalogue, indicator: $0.indicator,
                                                       variable: $0.variable, value: $0.raw, code: $0.code, message_vi: $0.message.vi,
                                                       message_en: $0.message.en) },
                 warnings: r.warnings.map { WarningEntry(ref: $0.ref, unit_code: $0.unit, catalogue: $0.catalogue, indicator: $0.indicator,
                                                         check: $0.check, message_vi: $0.message.vi, message_en: $0.message.en) })
        }
        let doc = Document(files: files, exit_code: reports.contains { outcome($0) == "refused" } ? 2 : 0)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(doc), as: UTF8.self)
    }
}
