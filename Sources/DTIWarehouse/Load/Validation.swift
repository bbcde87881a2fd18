import DTICore
import Foundation
import PostgresClient

/// Set-based resolution and validation of a file's distinct keys and items against the units and the current
/// catalogue versions, in SQL: everything that depends only on a record's unit, year, catalogue and stage, or only on
/// its catalogue, indicator and variable, is decided once per distinct key (`stg_key_texts`, `stg_item_texts`, see
/// `Staging`) into two small tables, `stg_keys` and `stg_items`, which the loader then reads. What depends on each
/// value (empty, not a number, negative, above the max, not an answer, a repeated key, a ratio above one) is checked
/// per record by `RecordChecks`, with these rows in hand.
enum Validation {
    /// Builds `stg_keys` and `stg_items` and returns them, with the ratio limits among the file's items.
    static func resolve(_ db: PostgresConnection, keyCount: Int, itemCount: Int) throws -> RecordChecks.Reference {
        // Per unit, year, catalogue and stage: the unit, the catalogue version, and their checks in the order a
        // person would fix them; the scope is looked up once per unit and catalogue.
        try db.execute("""
            CREATE TEMP TABLE stg_keys ON COMMIT DROP AS
            WITH outside_scope AS (
                SELECT uc.unit_code, uc.catalogue, array_to_string(v.scope, ', ') AS scope_detail
                  FROM (SELECT DISTINCT unit_code, catalogue FROM stg_key_texts) uc
                  JOIN dti.units u ON u.code = uc.unit_code
                  JOIN dti.catalogues c ON c.catalogue_id = uc.catalogue
                  JOIN dti.catalogue_versions v ON v.version_id = c.current_version AND cardinality(v.scope) > 0
                 WHERE NOT (dti.unit_ancestry(uc.unit_code) && v.scope))
            SELECT k.key_no, k.unit_code, k.year_raw, k.catalogue, k.stage_raw, u.unit_id,
                   CASE WHEN k.year_raw ~ '^[0-9]{4}$' THEN k.year_raw::smallint END AS year,
                   CASE WHEN k.stage_raw IN ('self', 'round1', 'round2', 'final') THEN k.stage_raw::dti.stage END AS stage,
                   CASE
                       WHEN k.unit_code = '' THEN 'unit.empty'
                       WHEN u.code IS NULL THEN 'unit.unknown'
                       WHEN k.year_raw !~ '^[0-9]{4}$' THEN 'year.invalid'
                       WHEN k.catalogue = '' THEN 'catalogue.empty'
                       WHEN c.catalogue_id IS NULL THEN 'catalogue.unknown'
                       WHEN NOT (u.level = ANY (v.levels)) THEN 'unit.level'
                       WHEN k.year_raw::int NOT BETWEEN v.year_from AND v.year_to THEN 'year.outside'
                   END AS key_code,
                   CASE
                       WHEN u.code IS NOT NULL AND v.version_id IS NOT NULL AND NOT (u.level = ANY (v.levels))
                           THEN u.level::text || '|' || array_to_string(v.levels, ', ')
                       WHEN v.version_id IS NOT NULL AND k.year_raw ~ '^[0-9]{4}$' AND k.year_raw::int NOT BETWEEN v.year_from AND v.year_to
                           THEN v.year_from || '–' || v.year_to
                   END AS key_detail,
                   CASE WHEN k.stage_raw NOT IN ('self', 'round1', 'round2', 'final') THEN 'stage.invalid' END AS stage_code,
                   o.scope_detail
              FROM stg_key_texts k
              LEFT JOIN dti.units u ON u.code = k.unit_code
              LEFT JOIN dti.catalogues c ON c.catalogue_id = k.catalogue
              LEFT JOIN dti.catalogue_versions v ON v.version_id = c.current_version
              LEFT JOIN outside_scope o ON o.unit_code = k.unit_code AND o.catalogue = k.catalogue
            """)
        // Per catalogue, indicator and variable: the item and what its values must look like.
        try db.execute("""
            CREATE TEMP TABLE stg_items ON COMMIT DROP AS
            SELECT k.item_no, k.catalogue, k.indicator, k.variable, iv.item_id, iv.kind, iv.allow_negative, iv.max_value, iv.choice_values,
                   iv.percent_scale, iv.unit_of_measure,
                   -- the kind as flags, so that each record tests a boolean rather than compares text
                   coalesce(iv.kind IN ('number', 'count', 'amount', 'points'), false) AS numeric_kind,
                   coalesce(iv.kind = 'count', false) AS count_kind, coalesce(iv.kind = 'yesno', false) AS yesno_kind,
                   coalesce(iv.kind = 'choice' AND iv.choice_values IS NOT NULL, false) AS choice_kind,
                   CASE
                       WHEN i.indicator_code IS NULL THEN 'indicator.unknown'
                       WHEN NOT i.is_leaf THEN 'indicator.parent'
                       WHEN iv.variable IS NULL THEN 'variable.unknown'
                   END AS item_code,
                   CASE
                       WHEN i.indicator_code IS NOT NULL AND NOT i.is_leaf
                           THEN (SELECT string_agg(x.indicator_code, ', ' ORDER BY x.ordinal) FROM dti.indicators x
                                  WHERE x.version_id = c.current_version AND x.parent_code = i.indicator_code)
                       WHEN i.indicator_code IS NOT NULL AND iv.variable IS NULL
                           THEN (SELECT string_agg(x.variable, ', ' ORDER BY x.ordinal) FROM dti.indicator_variables x
                                  WHERE x.version_id = c.current_version AND x.indicator_code = i.indicator_code)
                       WHEN iv.max_value IS NOT NULL THEN iv.max_value::text
                       WHEN iv.kind = 'choice' THEN array_to_string(iv.choice_values, ', ')
                       WHEN iv.kind IS NOT NULL THEN iv.kind
                   END AS item_detail
              FROM stg_item_texts k
              LEFT JOIN dti.catalogues c ON c.catalogue_id = k.catalogue
              LEFT JOIN dti.indicators i ON i.version_id = c.current_version AND i.indicator_code = k.indicator
              LEFT JOIN dti.indicator_variables iv ON iv.version_id = c.current_version AND iv.indicator_code = k.indicator AND iv.variable = k.variable
            """)
        var keys = [RecordChecks.Key](repeating: .init(), count: keyCount)
        for r in try db.query("""
            SELECT key_no, unit_id, year, stage::text AS stage, key_code, key_detail, stage_code, scope_detail FROM stg_keys
            """) {
            let n = try r["key_no"].decode(Int.self)
            keys[n] = .init(unitId: try r["unit_id"].decode(Int32?.self), year: try r["year"].decode(Int?.self).map { Int16($0) },
                            stage: r["stage"].text, code: r["key_code"].text, detail: r["key_detail"].text,
                            stageCode: r["stage_code"].text, scopeDetail: r["scope_detail"].text)
        }
        var items = [RecordChecks.Item](repeating: .init(), count: itemCount)
        for r in try db.query("""
            SELECT item_no, item_id, numeric_kind, count_kind, yesno_kind, choice_kind, coalesce(allow_negative, false) AS allow_negative,
                   max_value::text AS max_value, item_code, item_detail, kind, percent_scale, unit_of_measure FROM stg_items
            """) {
            let n = try r["item_no"].decode(Int.self)
            items[n] = .init(itemId: try r["item_id"].decode(Int32?.self), numeric: try r["numeric_kind"].decode(Bool.self),
                             count: try r["count_kind"].decode(Bool.self), yesNo: try r["yesno_kind"].decode(Bool.self),
                             choice: try r["choice_kind"].decode(Bool.self), allowNegative: try r["allow_negative"].decode(Bool.self),
                             maxValue: r["max_value"].text, code: r["item_code"].text, detail: r["item_detail"].text,
                             kind: r["kind"].text, percentScale: r["percent_scale"].text.flatMap(PercentScale.init(rawValue:)),
                             unitOfMeasure: r["unit_of_measure"].text)
        }
        // choice_values are code, label, code, label … (CatalogueStore): each folded to its option's code.
        for r in try db.query("SELECT item_no, c, n FROM stg_items CROSS JOIN LATERAL unnest(choice_values) WITH ORDINALITY AS x (c, n) WHERE choice_kind ORDER BY item_no, n") {
            let n = try r["item_no"].decode(Int.self), c = try r["c"].decode(String.self), k = try r["n"].decode(Int.self)
            items[n].choices.insert(c)
            if k % 2 == 1 { items[n].choiceCodes[AnswerText.fold(c)] = c } else if let code = items[n].lastCode { items[n].choiceCodes[AnswerText.fold(c)] = code }
            if k % 2 == 1 { items[n].lastCode = c }
        }
        // a > b where the rule forbids a ratio above 1 (over_one: reject): the (numerator, denominator) items of the file.
        let ratios = try db.query("""
            SELECT ni.item_no AS numerator_no, di.item_no AS denominator_no, l.numerator, l.denominator
              FROM stg_item_texts ni
              JOIN dti.catalogues c ON c.catalogue_id = ni.catalogue
              JOIN dti.ratio_limits l ON l.version_id = c.current_version AND l.indicator_code = ni.indicator AND l.numerator = ni.variable
              JOIN stg_item_texts di ON (di.catalogue, di.indicator, di.variable) = (ni.catalogue, ni.indicator, l.denominator)
             ORDER BY ni.item_no, di.item_no
            """).map { r in
            RecordChecks.RatioLimit(numerator: Int32(try r["numerator_no"].decode(Int.self)), denominator: Int32(try r["denominator_no"].decode(Int.self)),
                                    numeratorName: try r["numerator"].decode(String.self), denominatorName: try r["denominator"].decode(String.self))
        }
        return RecordChecks.Reference(keys: keys, items: items, ratios: ratios)
    }

    /// The current values of the file's keys in their catalogue: what a correction is compared with, and what the
    /// summary lists as kept (values the file does not touch). Empty for a first load of the data (the usual case),
    /// found through `submission_sheets_key`. `itemIds` are the file's items; every item of their catalogues is read.
    static func earlierValues(_ db: PostgresConnection, itemIds: [Int32]) throws -> [RecordChecks.Earlier] {
        let ids = itemIds.map(Int.init)
        let rows = try db.query("""
            WITH catalogue_items AS MATERIALIZED (
                SELECT ci.item_id, ci.catalogue_id, ci.indicator_code, ci.variable FROM dti.catalogue_items ci
                 WHERE ci.catalogue_id IN (SELECT f.catalogue_id FROM dti.catalogue_items f WHERE f.item_id = ANY (\(ids)::int[]))),
            all_ids AS MATERIALIZED (SELECT array_agg(item_id) AS ids FROM catalogue_items),
            touched AS MATERIALIZED (
                SELECT k.key_no, k.unit_id, k.year, k.stage, k.catalogue FROM stg_keys k
                 WHERE k.key_code IS NULL AND k.stage IS NOT NULL
                   AND EXISTS (SELECT 1 FROM dti.submission_sheets s
                                WHERE s.unit_id = k.unit_id AND s.year = k.year AND s.stage = k.stage
                                  AND s.item_ids && (SELECT ids FROM all_ids)))
            SELECT t.key_no, cv.item_id, cv.value::text AS value, cv.value_text, cv.evidence, ci.indicator_code || '.' || ci.variable AS item
              FROM touched t JOIN dti.current_values cv ON cv.unit_id = t.unit_id AND cv.year = t.year AND cv.stage = t.stage
              JOIN catalogue_items ci ON ci.item_id = cv.item_id AND ci.catalogue_id = t.catalogue
             ORDER BY t.key_no, cv.value_id
            """)
        return try rows.map { r in
            RecordChecks.Earlier(key: Int32(try r["key_no"].decode(Int.self)), itemId: Int32(try r["item_id"].decode(Int.self)),
                                 value: r["value"].text, valueText: r["value_text"].text, evidence: r["evidence"].text,
                                 item: try r["item"].decode(String.self))
        }
    }

    /// With --partial: keeps the rejects with their raw text and reason.
    static func keep(_ rejects: [SubmissionLoader.Reject], batchId: Int, db: PostgresConnection) throws {
        if rejects.isEmpty { return }
        try db.execute(PostgresQuery("""
            INSERT INTO dti.load_rejects (batch_id, source_ref, unit_code, catalogue_id, indicator_code, variable, raw, reason_code, message_vi, message_en)
            SELECT $1, r.ref, r.unit, r.catalogue, r.indicator, r.variable, r.raw, r.code, r.vi, r.en
              FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[])
                   AS r (ref, unit, catalogue, indicator, variable, raw, code, vi, en)
            """, binds: [batchId, rejects.map(\.ref), rejects.map(\.unit), rejects.map(\.catalogue), rejects.map(\.indicator),
                         rejects.map(\.variable), rejects.map(\.record), rejects.map(\.code), rejects.map(\.message.vi),
                         rejects.map(\.message.en)]))
    }
}
