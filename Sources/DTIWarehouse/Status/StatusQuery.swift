// Status/ — completeness. In: the units that owe each catalogue in a year and what they submitted. Out: expected,
// submitted and missing per unit and catalogue (`dti status`, v_submission_status).

import DTICore
import Foundation
import PostgresClient

/// `dti status` and `dti history`: completeness per unit and catalogue, and the chain of values of one indicator.
public struct StatusQuery {
    public struct Row: Sendable {
        public var unitCode: String
        public var unitName: String
        public var catalogueId: String
        public var expected: Int
        public var submitted: Int
        public var missing: [String]
        public var lastLoadedAt: String?
        public var deadline: String?
        /// The date in the deadline's text (`2024-11-11`), and whether it has passed with indicators still missing.
        public var deadlineDate: String? = nil
        public var overdue = false
        /// Indicators submitted in part, with the variables they still lack: "1.2.1 (b)".
        public var missingVariables: [String] = []

        /// The missing indicators, each partly submitted one written with what it lacks ("1.2.1 (b)").
        public var missingDetailed: [String] {
            let partial = Dictionary(missingVariables.compactMap { m in m.firstIndex(of: " ").map { (String(m[..<$0]), m) } }, uniquingKeysWith: { a, _ in a })
            return missing.map { partial[$0] ?? $0 }
        }
    }

    public struct HistoryRow: Sendable {
        public var valueId: Int
        public var year: Int
        public var catalogueId: String
        public var variable: String
        public var stage: String
        public var value: String
        public var evidence: String?
        public var batchId: Int
        public var file: String
        public var ref: String
        public var loadedAt: String
        public var loadedBy: String
        /// true for the newest value of its key (the one that counts).
        public var current: Bool
        /// A withdrawal ("#rút"): `value` is empty; when current, the key has no current value.
        public var withdrawn = false
    }

    let connection: PostgresConnection
    public init(connection: PostgresConnection) { self.connection = connection }

    public func status(year: Int, catalogue: String? = nil, under: String? = nil) throws -> [Row] {
        let rows = try connection.query("""
            SELECT s.unit_code, s.unit_name, s.catalogue_id, s.expected, s.submitted, s.missing,
                   to_char(s.last_loaded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') AS last_loaded_at, s.deadline,
                   s.deadline_date::text AS deadline_date, s.overdue, s.missing_variables
              FROM dti.v_submission_status s
             WHERE s.year = \(year) AND (\(catalogue)::text IS NULL OR s.catalogue_id = \(catalogue))
               AND (\(under)::text IS NULL OR s.unit_code IN (SELECT code FROM dti.unit_subtree(\(under))))
             ORDER BY s.catalogue_id, s.unit_code
            """)
        return try rows.map { r in
            Row(unitCode: try r["unit_code"].decode(), unitName: try r["unit_name"].decode(), catalogueId: try r["catalogue_id"].decode(),
                expected: try r["expected"].decode(), submitted: try r["submitted"].decode(), missing: try r["missing"].decode([String].self),
                lastLoadedAt: try r["last_loaded_at"].decode(String?.self), deadline: try r["deadline"].decode(String?.self),
                deadlineDate: r["deadline_date"].text, overdue: try r["overdue"].decode(Bool.self),
                missingVariables: try r["missing_variables"].decode([String].self))
        }
    }

    public func history(unit: String, indicator: String, catalogue: String? = nil, year: Int? = nil) throws -> [HistoryRow] {
        let rows = try connection.query("""
            SELECT h.value_id, h.year, h.catalogue_id, h.variable, h.stage::text AS stage,
                   coalesce(h.value_text, h.value::text, '') AS value, h.withdrawn, h.evidence, h.batch_id, h.file_name, coalesce(h.source_ref, '') AS ref,
                   to_char(h.loaded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') AS loaded_at, h.loaded_by || coalesce(' (' || h.os_user || ')', '') AS loaded_by,
                   h.value_id = first_value(h.value_id) OVER (PARTITION BY h.year, h.item_id, h.stage ORDER BY h.value_id DESC) AS current
              FROM dti.v_value_history h
             WHERE h.unit_code = \(unit) AND h.indicator_code = \(IndicatorCode.normalize(indicator))
               AND (\(catalogue)::text IS NULL OR h.catalogue_id = \(catalogue)) AND (\(year)::int IS NULL OR h.year = \(year))
             ORDER BY h.year, h.catalogue_id, h.variable, h.stage, h.value_id
            """)
        return try rows.map { r in
            HistoryRow(valueId: try r["value_id"].decode(), year: try r["year"].decode(), catalogueId: try r["catalogue_id"].decode(),
                       variable: try r["variable"].decode(), stage: try r["stage"].decode(), value: try r["value"].decode(),
                       evidence: try r["evidence"].decode(String?.self), batchId: try r["batch_id"].decode(), file: try r["file_name"].decode(),
                       ref: try r["ref"].decode(), loadedAt: try r["loaded_at"].decode(), loadedBy: try r["loaded_by"].decode(),
                       current: try r["current"].decode(), withdrawn: try r["withdrawn"].decode())
        }
    }
}
