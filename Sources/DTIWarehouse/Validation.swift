import DTICore
import Foundation
import PostgresClient

/// Set-based validation of the staged records (`stg`) against the units and the current catalogue versions.
/// Each bad record gets one reason (the first that applies) in `rej`; the messages for people are built from the
/// reason code and the record's own fields.
enum Validation {
    static func run(_ db: PostgresConnection) throws -> [SubmissionLoader.Reject] {
        let yes = Array(YesNo.yesWords), no = Array(YesNo.noWords)
        // One reason per record, the first that applies, in the order a person would fix them.
        try db.execute("""
            INSERT INTO rej (ord, code, detail)
            SELECT s.ord, x.code, x.detail
              FROM stg s
              LEFT JOIN dti.units u ON u.code = s.unit_code
              LEFT JOIN dti.catalogues c ON c.catalogue_id = s.catalogue
              LEFT JOIN dti.catalogue_versions v ON v.version_id = c.current_version
              LEFT JOIN dti.indicators i ON i.version_id = v.version_id AND i.indicator_code = s.indicator
              LEFT JOIN dti.indicator_variables iv ON iv.version_id = v.version_id AND iv.indicator_code = s.indicator AND iv.variable = s.variable
             CROSS JOIN LATERAL (
                SELECT CASE
                    WHEN s.problem IS NOT NULL THEN split_part(s.problem, ':', 1)
                    WHEN s.unit_code = '' THEN 'unit.empty'
                    WHEN u.code IS NULL THEN 'unit.unknown'
                    WHEN s.year_raw !~ '^[0-9]{4}$' THEN 'year.invalid'
                    WHEN s.catalogue = '' THEN 'catalogue.empty'
                    WHEN c.catalogue_id IS NULL THEN 'catalogue.unknown'
                    WHEN NOT (u.level = ANY (v.levels)) THEN 'unit.level'
                    WHEN s.year_raw::int NOT BETWEEN v.year_from AND v.year_to THEN 'year.outside'
                    WHEN i.indicator_code IS NULL THEN 'indicator.unknown'
                    WHEN NOT i.is_leaf THEN 'indicator.parent'
                    WHEN iv.variable IS NULL THEN 'variable.unknown'
                    WHEN s.stage_raw NOT IN ('self', 'round1', 'round2', 'final') THEN 'stage.invalid'
                    WHEN s.value_raw = '' THEN 'value.empty'
                    WHEN iv.kind IN ('number', 'count', 'amount', 'points') AND s.value_num IS NULL THEN 'value.not_number'
                    WHEN iv.kind IN ('number', 'count', 'amount', 'points') AND s.value_num::numeric < 0 AND NOT iv.allow_negative THEN 'value.negative'
                    WHEN iv.kind = 'count' AND s.value_num::numeric <> trunc(s.value_num::numeric) THEN 'value.not_whole'
                    WHEN iv.max_value IS NOT NULL AND s.value_num::numeric > iv.max_value THEN 'value.above_max'
                    WHEN iv.kind = 'yesno' AND lower(s.value_raw) <> ALL (\(yes)::text[]) AND lower(s.value_raw) <> ALL (\(no)::text[]) THEN 'value.not_yesno'
                    WHEN iv.kind = 'choice' AND iv.choice_values IS NOT NULL AND lower(s.value_raw) <> ALL (iv.choice_values) THEN 'value.not_choice'
                END AS code,
                CASE
                    WHEN s.problem IS NOT NULL THEN s.problem
                    WHEN u.code IS NOT NULL AND v.version_id IS NOT NULL AND NOT (u.level = ANY (v.levels))
                        THEN u.level::text || '|' || array_to_string(v.levels, ', ')
                    WHEN v.version_id IS NOT NULL AND s.year_raw ~ '^[0-9]{4}$' AND s.year_raw::int NOT BETWEEN v.year_from AND v.year_to
                        THEN v.year_from || '–' || v.year_to
                    WHEN i.indicator_code IS NOT NULL AND NOT i.is_leaf
                        THEN (SELECT string_agg(k.indicator_code, ', ' ORDER BY k.ordinal) FROM dti.indicators k
                               WHERE k.version_id = v.version_id AND k.parent_code = i.indicator_code)
                    WHEN i.indicator_code IS NOT NULL AND iv.variable IS NULL
                        THEN (SELECT string_agg(k.variable, ', ' ORDER BY k.ordinal) FROM dti.indicator_variables k
                               WHERE k.version_id = v.version_id AND k.indicator_code = i.indicator_code)
                    WHEN iv.max_value IS NOT NULL THEN iv.max_value::text
                    WHEN iv.kind = 'choice' THEN array_to_string(iv.choice_values, ', ')
                    WHEN iv.kind IS NOT NULL THEN iv.kind
                END AS detail
             ) x
             WHERE x.code IS NOT NULL
            """)
        // A unit outside the catalogue's scope (checked once per unit and catalogue, not per record).
        try db.execute("""
            INSERT INTO rej (ord, code, detail)
            SELECT s.ord, 'unit.scope', array_to_string(p.scope, ', ')
              FROM stg s
              JOIN (SELECT k.unit_code, k.catalogue, v.scope
                      FROM (SELECT DISTINCT unit_code, catalogue FROM stg) k
                      JOIN dti.catalogues c ON c.catalogue_id = k.catalogue
                      JOIN dti.catalogue_versions v ON v.version_id = c.current_version AND cardinality(v.scope) > 0
                      JOIN dti.units u ON u.code = k.unit_code
                     WHERE NOT (dti.unit_ancestry(k.unit_code) && v.scope)) p
                ON p.unit_code = s.unit_code AND p.catalogue = s.catalogue
             WHERE NOT EXISTS (SELECT 1 FROM rej r WHERE r.ord = s.ord)
            """)
        // The same key twice in one file: every occurrence after the first is refused, naming the first.
        try db.execute("""
            INSERT INTO rej (ord, code, detail)
            SELECT s.ord, 'key.duplicate', f.first_ref
              FROM stg s
              JOIN (SELECT unit_code, year_raw, catalogue, indicator, variable, stage_raw, min(ord) AS first_ord,
                           (array_agg(ref ORDER BY ord))[1] AS first_ref
                      FROM stg GROUP BY unit_code, year_raw, catalogue, indicator, variable, stage_raw HAVING count(*) > 1) f
                ON (s.unit_code, s.year_raw, s.catalogue, s.indicator, s.variable, s.stage_raw)
                 = (f.unit_code, f.year_raw, f.catalogue, f.indicator, f.variable, f.stage_raw)
             WHERE s.ord > f.first_ord AND NOT EXISTS (SELECT 1 FROM rej r WHERE r.ord = s.ord)
            """)
        // a > b where the rule forbids a ratio above 1 (over_one: reject).
        try db.execute("""
            INSERT INTO rej (ord, code, detail)
            SELECT n.ord, 'value.ratio_over_one', l.numerator || '|' || l.denominator || '|' || d.value_num
              FROM stg n
              JOIN dti.catalogues c ON c.catalogue_id = n.catalogue
              JOIN dti.ratio_limits l ON l.version_id = c.current_version AND l.indicator_code = n.indicator AND l.numerator = n.variable
              JOIN stg d ON (d.unit_code, d.year_raw, d.catalogue, d.indicator, d.stage_raw) = (n.unit_code, n.year_raw, n.catalogue, n.indicator, n.stage_raw)
                        AND d.variable = l.denominator
             WHERE n.value_num IS NOT NULL AND d.value_num IS NOT NULL AND n.value_num::numeric > d.value_num::numeric
               AND NOT EXISTS (SELECT 1 FROM rej r WHERE r.ord = n.ord)
            """)
        let rows = try db.query("""
            SELECT s.ref, s.unit_code, s.year_raw, s.catalogue, s.indicator, s.variable, s.value_raw, s.stage_raw, r.code, r.detail
              FROM rej r JOIN stg s ON s.ord = r.ord ORDER BY s.ord
            """)
        return rows.map { row in
            let f = { (name: String) in row[name].text ?? "" }
            return SubmissionLoader.Reject(ref: f("ref"), unit: f("unit_code"), catalogue: f("catalogue"), indicator: f("indicator"),
                                           variable: f("variable"), raw: f("value_raw"), code: f("code"),
                                           message: RejectMessages.message(code: f("code"), detail: f("detail"), unit: f("unit_code"),
                                                                           year: f("year_raw"), catalogue: f("catalogue"), indicator: f("indicator"),
                                                                           variable: f("variable"), value: f("value_raw"), stage: f("stage_raw")))
        }
    }

    /// With --partial: keep the rejects with their raw text and reason.
    static func keep(_ rejects: [SubmissionLoader.Reject], batchId: Int, db: PostgresConnection) throws {
        try db.execute("""
            INSERT INTO dti.load_rejects (batch_id, source_ref, unit_code, catalogue_id, indicator_code, variable, raw, reason_code, message_vi, message_en)
            SELECT \(batchId), s.ref, s.unit_code, s.catalogue, s.indicator, s.variable,
                   concat_ws(',', s.unit_code, s.year_raw, s.catalogue, s.indicator, s.variable, s.value_raw, s.evidence, s.stage_raw),
                   r.code, m.vi, m.en
              FROM rej r JOIN stg s ON s.ord = r.ord
              JOIN unnest(\(rejects.map(\.ref))::text[], \(rejects.map(\.message.vi))::text[], \(rejects.map(\.message.en))::text[]) AS m(ref, vi, en)
                ON m.ref = s.ref
            """)
    }
}

/// The one INSERT … SELECT that moves the good staged records into the core table.
enum Merge {
    /// Returns (accepted, unchanged). A value equal to the current value of its key is not written again.
    static func run(batchId: Int, db: PostgresConnection) throws -> (Int, Int) {
        let yes = Array(YesNo.yesWords)
        let good = """
            SELECT s.ord, s.ref, u.unit_id, s.year_raw::smallint AS year, iv.item_id, s.stage_raw::dti.stage AS stage,
                   CASE WHEN iv.kind IN ('number', 'count', 'amount', 'points') THEN s.value_num::numeric
                        WHEN iv.kind = 'yesno' THEN CASE WHEN lower(s.value_raw) = ANY ($1::text[]) THEN 1 ELSE 0 END
                   END AS value,
                   CASE WHEN iv.kind IN ('number', 'count', 'amount', 'points') THEN NULL ELSE s.value_raw END AS value_text,
                   s.evidence
              FROM stg s
              JOIN dti.units u ON u.code = s.unit_code
              JOIN dti.catalogues c ON c.catalogue_id = s.catalogue
              JOIN dti.indicator_variables iv ON iv.version_id = c.current_version AND iv.indicator_code = s.indicator AND iv.variable = s.variable
             WHERE NOT EXISTS (SELECT 1 FROM rej r WHERE r.ord = s.ord)
            """
        // Earlier values for the same units and years? If none (a first load), there is nothing to compare with.
        let existing = try db.query("""
            SELECT EXISTS (
                SELECT 1 FROM (SELECT DISTINCT unit_code, year_raw FROM stg WHERE year_raw ~ '^[0-9]{4}$') k
                  JOIN dti.units u ON u.code = k.unit_code
                  JOIN dti.submission_values sv ON sv.unit_id = u.unit_id AND sv.year = k.year_raw::smallint) AS any
            """)
        let hasExisting = try existing[0]["any"].decode(Bool.self)
        let total = try db.query("SELECT count(*) AS n FROM stg s WHERE NOT EXISTS (SELECT 1 FROM rej r WHERE r.ord = s.ord)")[0]["n"].decode(Int.self)
        let accepted: Int
        if !hasExisting {
            accepted = try db.execute(PostgresQuery("""
                INSERT INTO dti.submission_values (batch_id, unit_id, year, item_id, stage, value, value_text, evidence, source_ref)
                SELECT $2, g.unit_id, g.year, g.item_id, g.stage, g.value, g.value_text, g.evidence, g.ref FROM (\(good)) g
                """, binds: [yes, batchId]))
        } else {
            accepted = try db.execute(PostgresQuery("""
                INSERT INTO dti.submission_values (batch_id, unit_id, year, item_id, stage, value, value_text, evidence, source_ref)
                SELECT $2, g.unit_id, g.year, g.item_id, g.stage, g.value, g.value_text, g.evidence, g.ref
                  FROM (\(good)) g
                 WHERE NOT EXISTS (
                        SELECT 1 FROM (SELECT sv.value, sv.value_text, sv.evidence FROM dti.submission_values sv
                                        WHERE sv.unit_id = g.unit_id AND sv.year = g.year AND sv.item_id = g.item_id AND sv.stage = g.stage
                                        ORDER BY sv.value_id DESC LIMIT 1) cur
                         WHERE cur.value IS NOT DISTINCT FROM g.value AND cur.value_text IS NOT DISTINCT FROM g.value_text
                           AND cur.evidence IS NOT DISTINCT FROM g.evidence)
                """, binds: [yes, batchId]))
        }
        return (accepted, total - accepted)
    }
}
