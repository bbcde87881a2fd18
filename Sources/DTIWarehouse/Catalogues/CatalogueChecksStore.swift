import DTICore
import Foundation
import PostgresClient

/// Stores the declared checks of a catalogue version (`checks:` per indicator, migration 0028) in
/// `dti.indicator_checks`, so analysts can query them (`v_catalogue_indicators.checks`).
enum CatalogueChecksStore {
    struct Row: Encodable {
        let indicator_code: String; let ordinal: Int; let expression: String; let severity: String; let note: String?; let source_line: Int?
    }

    static func rows(_ c: Catalogue) -> [Row] {
        c.allIndicators.flatMap { i in
            i.checks.enumerated().map { k, check in
                Row(indicator_code: i.code, ordinal: k + 1, expression: check.expression, severity: check.severity.rawValue, note: check.note,
                    source_line: check.position.line > 0 ? check.position.line : nil)
            }
        }
    }

    /// The checks of one version, then the version marked as stored. Idempotent: rows already there stay.
    static func store(_ c: Catalogue, versionId: Int, db: PostgresConnection) throws {
        let rows = rows(c)
        if !rows.isEmpty {
            try db.execute("""
                INSERT INTO dti.indicator_checks (version_id, indicator_code, ordinal, expression, severity, note, source_line)
                SELECT \(versionId), indicator_code, ordinal, expression, severity, note, source_line
                  FROM jsonb_to_recordset(\(String(decoding: try JSONEncoder().encode(rows), as: UTF8.self))::jsonb)
                       AS x(indicator_code text, ordinal int, expression text, severity text, note text, source_line int)
                ON CONFLICT DO NOTHING
                """)
        }
        try db.execute("UPDATE dti.catalogue_versions SET checks_stored = true WHERE version_id = \(versionId) AND NOT checks_stored")
    }

    /// Every version whose checks are not stored yet (loaded before migration 0028, current or not): its YAML as
    /// stored is parsed again, with the parser that read it, and its checks written. Run by every `dti catalogue load`,
    /// so a database loaded before 0028 gets them even when every file is unchanged. Returns the versions filled.
    @discardableResult
    static func fillMissing(db: PostgresConnection) throws -> Int {
        let pending = try db.query("""
            SELECT version_id, file_name, source_text FROM dti.catalogue_versions WHERE NOT checks_stored ORDER BY version_id
            """)
        for r in pending {
            let versionId: Int = try r["version_id"].decode()
            let (parsed, diagnostics) = CatalogueParser.parse(try r["source_text"].decode(String.self), file: try r["file_name"].decode())
            guard let c = parsed, !diagnostics.hasErrors else {
                throw DTIError(.database, vi: "phiên bản bộ chỉ số \(versionId) trong CSDL không đọc lại được",
                               en: "catalogue version \(versionId) in the database cannot be read back", details: diagnostics.map(\.description))
            }
            try store(c, versionId: versionId, db: db)
        }
        return pending.count
    }
}
