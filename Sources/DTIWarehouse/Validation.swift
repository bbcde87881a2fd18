import DTICore
import Foundation
import PostgresClient

/// Set-based validation of the staged records (`stg`) against the units and the current catalogue versions.
/// Each bad record gets one reason (the first that applies) in `rej`; the messages for people are built from the
/// reason code and the record's own fields.
///
/// Everything that depends only on a record's unit, year, catalogue and stage, or only on its catalogue, indicator and
/// variable, is checked once per distinct key (`stg_key_texts`, `stg_item_texts`, see `Staging`) into two small tables,
/// `stg_keys` and `stg_items`; the records join them by number and add the checks of each value. The merge takes the
/// ids from the same tables.
enum Validation {
    /// Builds the key tables and runs the ratio check (into `rej_ratio`); returns how many records break a ratio limit,
    /// so that the merge can skip that check when none does. Then either `rejects` lists the refused records, or
    /// `Merge.optimistic` writes the good ones at once and `rejects` is needed only if some were left out.
    @discardableResult
    static func prepare(_ db: PostgresConnection) throws -> Int {
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
        try db.execute("ANALYZE stg_keys")
        try db.execute("ANALYZE stg_items")
        // a > b where the rule forbids a ratio above 1 (over_one: reject). Kept aside: it counts as a reason only for a
        // record that has no other (see `rejects`).
        return try db.execute("""
            INSERT INTO rej_ratio (ord, code, detail)
            WITH pairs AS MATERIALIZED (   -- the (numerator, denominator) items of the file: a handful
                SELECT ni.item_no AS numerator_no, di.item_no AS denominator_no, l.numerator, l.denominator
                  FROM stg_item_texts ni
                  JOIN dti.catalogues c ON c.catalogue_id = ni.catalogue
                  JOIN dti.ratio_limits l ON l.version_id = c.current_version AND l.indicator_code = ni.indicator AND l.numerator = ni.variable
                  JOIN stg_item_texts di ON (di.catalogue, di.indicator, di.variable) = (ni.catalogue, ni.indicator, l.denominator))
            SELECT n.ord, 'value.ratio_over_one', p.numerator || '|' || p.denominator || '|' || d.value_num
              FROM pairs p
              JOIN stg n ON n.item_no = p.numerator_no
              JOIN stg d ON d.key_no = n.key_no AND d.item_no = p.denominator_no
             WHERE n.value_num IS NOT NULL AND d.value_num IS NOT NULL AND n.value_num > d.value_num
            """)
    }

    /// The reason a staged record `s` (joined to its key rows `k` and `i`) is refused, or NULL: the first that applies,
    /// in the order a person would fix them; a unit outside the catalogue's scope and a key seen earlier in the file come
    /// last. `yes` and `no` are the placeholders of the yes/no word arrays. The merge uses the same expression to pick
    /// the good records, so "refused" and "not written" cannot disagree.
    static func reason(yes: String, no: String) -> String {
        """
        CASE WHEN s.problem IS NOT NULL THEN split_part(s.problem, ':', 1) ELSE coalesce(k.key_code, i.item_code, k.stage_code,
            CASE
                WHEN s.value_raw = '' THEN 'value.empty'
                WHEN i.numeric_kind AND s.value_num IS NULL THEN 'value.not_number'
                WHEN i.numeric_kind AND s.value_num < 0 AND NOT i.allow_negative THEN 'value.negative'
                WHEN i.count_kind AND s.value_num <> trunc(s.value_num) THEN 'value.not_whole'
                WHEN i.max_value IS NOT NULL AND s.value_num > i.max_value THEN 'value.above_max'
                WHEN i.yesno_kind AND lower(s.value_raw) <> ALL (\(yes)::text[]) AND lower(s.value_raw) <> ALL (\(no)::text[]) THEN 'value.not_yesno'
                WHEN i.choice_kind AND lower(s.value_raw) <> ALL (i.choice_values) THEN 'value.not_choice'
            END,
            CASE WHEN k.scope_detail IS NOT NULL THEN 'unit.scope' END,
            CASE WHEN s.repeated THEN 'key.duplicate' END) END
        """
    }

    /// The staged records joined to their key rows (aliases `s`, `k`, `i`).
    static let joined = """
        stg s
          JOIN stg_keys k ON k.key_no = s.key_no
          JOIN stg_items i ON i.item_no = s.item_no
        """

    /// Every refused record with its reason and the message for people, in file order; fills `rej`.
    static func rejects(_ db: PostgresConnection) throws -> [SubmissionLoader.Reject] {
        try db.execute(PostgresQuery("""
            INSERT INTO rej (ord, code, detail)
            WITH firsts AS MATERIALIZED (   -- the first record of each repeated key: its ref names it in the message
                SELECT DISTINCT ON (f.key_no, f.item_no) f.key_no, f.item_no, f.ref
                  FROM stg f
                 WHERE (f.key_no, f.item_no) IN (SELECT key_no, item_no FROM stg WHERE repeated)
                 ORDER BY f.key_no, f.item_no, f.ord)
            SELECT s.ord, x.code,
                   CASE x.code WHEN 'unit.scope' THEN k.scope_detail
                               WHEN 'key.duplicate' THEN (SELECT f.ref FROM firsts f WHERE (f.key_no, f.item_no) = (s.key_no, s.item_no))
                               ELSE coalesce(s.problem, k.key_detail, i.item_detail) END
              FROM \(joined)
             CROSS JOIN LATERAL (SELECT \(reason(yes: "$1", no: "$2")) AS code) x
             WHERE x.code IS NOT NULL
            """, binds: [Array(YesNo.yesWords), Array(YesNo.noWords)]))
        try db.execute("INSERT INTO rej SELECT * FROM rej_ratio q WHERE NOT EXISTS (SELECT 1 FROM rej r WHERE r.ord = q.ord)")
        // (A String first: `PostgresQuery("…\(x)…")` would make x a bound value.)
        let listing: String = """
            SELECT s.ref, k.unit_code, k.year_raw, k.catalogue, i.indicator, i.variable, s.value_raw, k.stage_raw, r.code, r.detail
              FROM rej r JOIN (\(joined)) ON s.ord = r.ord ORDER BY s.ord
            """
        let rows = try db.query(PostgresQuery(listing, binds: []))
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
        try db.execute(PostgresQuery("""
            INSERT INTO dti.load_rejects (batch_id, source_ref, unit_code, catalogue_id, indicator_code, variable, raw, reason_code, message_vi, message_en)
            SELECT $1, s.ref, k.unit_code, k.catalogue, i.indicator, i.variable,
                   concat_ws(',', k.unit_code, k.year_raw, k.catalogue, i.indicator, i.variable, s.value_raw, s.evidence, k.stage_raw),
                   r.code, m.vi, m.en
              FROM rej r JOIN (\(joined)) ON s.ord = r.ord
              JOIN unnest($2::text[], $3::text[], $4::text[]) AS m(ref, vi, en) ON m.ref = s.ref
            """, binds: [batchId, rejects.map(\.ref), rejects.map(\.message.vi), rejects.map(\.message.en)]))
    }
}

/// The one INSERT … SELECT that moves the good staged records into the core table.
enum Merge {
    /// The good records as rows of `dti.submission_values` (`$1`: the yes words), those for which `filter` holds.
    static func goodRows(where filter: String) -> String {
        """
        SELECT s.ref, k.unit_id, k.year, i.item_id, k.stage,
               CASE WHEN i.numeric_kind THEN s.value_num
                    WHEN i.yesno_kind THEN CASE WHEN lower(s.value_raw) = ANY ($1::text[]) THEN 1 ELSE 0 END
               END AS value,
               CASE WHEN i.numeric_kind THEN NULL ELSE s.value_raw END AS value_text,
               s.evidence
          FROM \(Validation.joined)
         WHERE \(filter)
        """
    }

    static let insert = "INSERT INTO dti.submission_values (batch_id, unit_id, year, item_id, stage, value, value_text, evidence, source_ref)"

    /// Earlier values for any key of the file (unit, year, item, stage)? If none (a first load of this data, even
    /// where the units already have other data for the year, such as their profile), there is nothing to compare with.
    static func hasEarlierValues(_ db: PostgresConnection) throws -> Bool {
        try db.query("""
            SELECT EXISTS (
                SELECT 1 FROM stg_keys k
                  JOIN dti.submission_values sv ON sv.unit_id = k.unit_id AND sv.year = k.year AND sv.stage = k.stage
                 WHERE k.key_code IS NULL AND sv.item_id IN (SELECT item_id FROM stg_items WHERE item_id IS NOT NULL)) AS any
            """)[0]["any"].decode(Bool.self)
    }

    /// A first load of a whole file (no earlier values, no --partial): writes every record that has no reason to be
    /// refused, in one pass, without listing the reasons first; returns how many. When that is fewer than all the
    /// records, the caller lists the rejects (`Validation.rejects`) and rolls the transaction back.
    /// `ratioRejects`: what `Validation.prepare` returned.
    static func optimistic(batchId: Int, ratioRejects: Int, db: PostgresConnection) throws -> Int {
        let filter = "(\(Validation.reason(yes: "$1", no: "$2"))) IS NULL"
            + (ratioRejects == 0 ? "" : " AND NOT EXISTS (SELECT 1 FROM rej_ratio q WHERE q.ord = s.ord)")
        return try db.execute(PostgresQuery("""
            \(insert)
            SELECT $3, g.unit_id, g.year, g.item_id, g.stage, g.value, g.value_text, g.evidence, g.ref FROM (\(goodRows(where: filter))) g
            """, binds: [Array(YesNo.yesWords), Array(YesNo.noWords), batchId]))
    }

    /// After `Validation.rejects`: writes the `total` records not in `rej`. Returns (accepted, unchanged): with
    /// earlier values, a value equal to the current value of its key is not written again.
    static func run(batchId: Int, good total: Int, hasEarlierValues: Bool, db: PostgresConnection) throws -> (Int, Int) {
        let good = goodRows(where: "NOT EXISTS (SELECT 1 FROM rej r WHERE r.ord = s.ord)")
        let sameAsCurrent = """
            EXISTS (SELECT 1 FROM (SELECT sv.value, sv.value_text, sv.evidence FROM dti.submission_values sv
                                    WHERE sv.unit_id = g.unit_id AND sv.year = g.year AND sv.item_id = g.item_id AND sv.stage = g.stage
                                    ORDER BY sv.value_id DESC LIMIT 1) cur
                     WHERE cur.value IS NOT DISTINCT FROM g.value AND cur.value_text IS NOT DISTINCT FROM g.value_text
                       AND cur.evidence IS NOT DISTINCT FROM g.evidence)
            """
        let accepted = try db.execute(PostgresQuery("""
            \(insert)
            SELECT $2, g.unit_id, g.year, g.item_id, g.stage, g.value, g.value_text, g.evidence, g.ref
              FROM (\(good)) g
            \(hasEarlierValues ? "WHERE NOT \(sameAsCurrent)" : "")
            """, binds: [Array(YesNo.yesWords), batchId]))
        return (accepted, total - accepted)
    }
}
