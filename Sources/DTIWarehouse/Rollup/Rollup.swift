// Rollup/ — communes to districts. In: current submitted values, unit profiles, catalogues, the hierarchy. Out: derived
// district variables, indicator/pillar/index scores, ratings and ranks for a year and stage, and a recorded run.

import DTICore
import Foundation
import PostgresClient

/// `dti rollup`: for one or more provinces, a year and a stage, in one transaction under each province's advisory lock —
/// derive district variables from their communes (set-based SQL, as the data catalogues declare), score every
/// unit with the pure core (the same `Scorer` that `dti score` uses), total pillars, rate, rank in peer groups,
/// add the derived comparison values of merged units, and record the run.
public struct Rollup {
    public struct Report: Sendable {
        public var runId: Int
        public var province: String
        public var year: Int
        public var stage: Stage
        public var unitsScored: Int
        public var indicatorsScored: Int
        public var derivedValues: Int
        public var mismatches: [Mismatch]
        public var lineageRows: Int
        public var inputDigest: String
        public var durationMs: Int
        /// Per district whose variables are derived from communes: how many of its communes have data.
        public var coverage: [Coverage] = []
    }

    /// A district's communes with data for the year (any item that feeds a district variable), of those that exist.
    public struct Coverage: Sendable {
        public var district: String
        public var withData: Int
        public var expected: Int
        /// The communes without data, by code.
        public var missing: [String]
        public var complete: Bool { withData >= expected }
    }

    public struct Mismatch: Sendable {
        public var unit: String
        public var catalogue: String
        public var indicator: String
        public var variable: String
        public var derived: Decimal?
        public var submitted: Decimal?
        public var used: String
    }

    let connection: PostgresConnection

    public init(connection: PostgresConnection) { self.connection = connection }

    /// The provinces that have any submitted value for the year.
    public func provincesWithData(year: Int) throws -> [String] {
        // Each unit's province from one walk down the hierarchy. dti.unit_ancestry (SECURITY DEFINER, not inlined) called
        // once per unit with data was most of the roll-up's fixed cost (make bench, BENCH_SCALE=small: 0.8 s of 1.9 s).
        // A district login keeps the function, whose ancestry is empty for the units it may not see.
        let rows = try connection.query(try restricted(connection) ? """
            SELECT DISTINCT a.code FROM (SELECT DISTINCT unit_id FROM dti.submission_sheets WHERE year = \(year)) sv
              JOIN dti.units u ON u.unit_id = sv.unit_id
             CROSS JOIN LATERAL (SELECT dti.unit_ancestry(u.code) AS chain) c
             CROSS JOIN LATERAL (SELECT c.chain[cardinality(c.chain)] AS code) a
             ORDER BY 1
            """ : """
            WITH RECURSIVE t (unit_id, code, province) AS (
                SELECT u.unit_id, u.code, u.code FROM dti.units u WHERE u.parent_code IS NULL
                UNION ALL
                SELECT u.unit_id, u.code, t.province FROM dti.units u JOIN t ON u.parent_code = t.code
            )
            SELECT DISTINCT t.province AS code FROM t
             WHERE t.unit_id IN (SELECT DISTINCT unit_id FROM dti.submission_sheets WHERE year = \(year))
             ORDER BY 1
            """)
        return rows.compactMap { $0["code"].text }
    }

    /// Whether this session is a district login (row-level security applies; dti.unit_ancestry hides what it may not see).
    private func restricted(_ db: PostgresConnection) throws -> Bool {
        try db.query("SELECT dti.restricted_district(session_user) IS NOT NULL AS restricted")[0]["restricted"].decode(Bool.self)
    }

    /// `requireComplete`: refuse (exit 2, nothing written) when a district's commune data is incomplete, naming the
    /// communes without data (`dti rollup --stage final` without `--allow-incomplete`).
    public func run(province: String, year: Int, stage: Stage, requireComplete: Bool = false, progress: (String) -> Void = { _ in }) throws -> Report {
        try run(provinces: [province], year: year, stage: stage, requireComplete: requireComplete, progress: progress)[0]
    }

    /// Several provinces in one pass: one transaction, each province's lock taken (in one sorted order) and its own run
    /// recorded, but every step done once for all of them — the same rows as one `run(province:)` after another.
    /// Done province by province, the fixed work of about 30 statements was repeated for each (make bench: 25 provinces).
    /// All or nothing: a province that refuses (incomplete at stage final) or fails leaves every province of the pass
    /// as it was. The reports come in the order of `provinces`.
    public func run(provinces: [String], year: Int, stage: Stage, requireComplete: Bool = false, progress: (String) -> Void = { _ in }) throws -> [Report] {
        let started = Date()
        let provinces = Array(Set(provinces)).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        if provinces.isEmpty { return [] }
        let known = Set(try connection.query("SELECT code FROM dti.units WHERE code = ANY (\(provinces)::text[]) AND level = 'province'")
            .map { try $0["code"].decode(String.self) })
        if let bad = provinces.first(where: { !known.contains($0) }) {
            throw DTIError(.usage, vi: "'\(bad)' không phải mã một tỉnh đã nạp (dti units list)", en: "'\(bad)' is not a loaded province code (dti units list)")
        }
        let osUser = ProcessInfo.processInfo.environment["USER"] ?? NSUserName()
        return try connection.transaction { (db: PostgresConnection) throws -> [Report] in
            try runLocked(db, provinces: provinces, year: year, stage: stage, started: started, osUser: osUser,
                          requireComplete: requireComplete, progress: progress)
        }
    }

    private func runLocked(_ db: PostgresConnection, provinces: [String], year: Int, stage: Stage, started: Date, osUser: String,
                           requireComplete: Bool, progress: (String) -> Void) throws -> [Report] {
        let named = provinces.count == 1 ? provinces[0] : Say.text(vi: "\(provinces.count) tỉnh", en: "\(provinces.count) provinces")
        progress(Say.text(vi: "chờ khóa tổng hợp \(named) \(year) \(stage.rawValue)…", en: "waiting for the roll-up lock of \(named) \(year) \(stage.rawValue)…"))
        // One lock per province, taken in one sorted order (bytes), so two passes over overlapping provinces never wait
        // for each other in a cycle.
        // The pass's temporary tables (all current values of the provinces: 40 MB for the bench's 25) stay in memory:
        // with the default 8 MB they were written out and read back (make bench). The buffers are allocated as they
        // are used. PostgreSQL refuses the setting (22023) in a session that has used a temporary table already (a
        // portal's pooled connection, a test's): that session keeps what it has.
        do {
            try db.transaction { try $0.execute("SET LOCAL temp_buffers = '256MB'") }
        } catch let e as PostgresError where e.sqlState == "22023" {}
        // No JIT compilation: over all provinces the planner's estimates pass jit_above_cost, and compiling the gathering
        // of current values took 289 ms of its 570 ms (EXPLAIN ANALYZE, make bench); every statement here is short.
        try db.execute("SET LOCAL jit = off")
        // Grouping the communes' values of all provinces by district and target needs about 10 MB; with the default
        // 4 MB the aggregate went to disk in five batches (make bench).
        try db.execute("SET LOCAL work_mem = '64MB'")
        let lockKeys = provinces.map { $0 + "/" + String(year) + "/" + stage.rawValue }
        try db.execute("""
            SELECT pg_advisory_xact_lock(hashtext('dti.rollup'), hashtext(k))
              FROM unnest(\(lockKeys)::text[]) AS k ORDER BY k COLLATE "C"
            """)
        var runIds: [String: Int] = [:]
        for r in try db.query("""
            INSERT INTO dti.rollup_runs (province_code, year, stage, os_user)
            SELECT p, \(year), \(stage.rawValue)::dti.stage, \(osUser) FROM unnest(\(provinces)::text[]) WITH ORDINALITY AS x (p, n) ORDER BY n
            RETURNING run_id, province_code
            """) { runIds[try r["province_code"].decode(String.self)] = try r["run_id"].decode(Int.self) }
        let runs = provinces.map { runIds[$0]! }

        let catalogues = try CataloguePrefetch(db)
        progress(Say.text(vi: "1/5 gom số liệu hiện hành của \(named) năm \(year), \(year - 1)", en: "1/5 gathering current values of \(named) for \(year) and \(year - 1)"))
        try gather(db, provinces: provinces, runIds: runs, year: year, stage: stage)
        // The peer groups these provinces rank in, before any score is written: two roll-ups that share a group (one
        // that spans provinces) then run one after the other, so the second ranks with the first's committed rows,
        // while provinces with groups of their own (every province of the bench, Bắc Giang's districts) run side by
        // side (`dti rollup --jobs`). Taken in one sorted order, so two roll-ups never wait for each other in a cycle.
        try db.execute("""
            SELECT pg_advisory_xact_lock(hashtext('dti.rollup.rank'), hashtext(g.peer_group || '/' || \(year) || '/' || \(stage.rawValue)))
              FROM (SELECT DISTINCT peer_group FROM scope_units WHERE peer_group IS NOT NULL ORDER BY 1) g
            """)
        // The scope's units as scoring needs them, with each one's province (from the walk down), read once.
        var units: [String: UnitInfo] = [:]
        for r in try db.query("SELECT code, level::text AS level, peer_group, tags, ancestry, province FROM scope_units") {
            let code: String = try r["code"].decode()
            units[code] = UnitInfo(code: code, level: UnitLevel(rawValue: try r["level"].decode()) ?? .department,
                                   peerGroup: try r["peer_group"].decode(), tags: Set(try r["tags"].decode([String].self)),
                                   ancestry: try r["ancestry"].decode([String].self), province: try r["province"].decode())
        }
        let provinceOf = units.mapValues(\.province)

        progress(Say.text(vi: "2/5 tổng hợp biến cấp huyện từ các xã", en: "2/5 deriving district variables from their communes"))
        let derived = try derive(db, year: year, stage: stage)
        let coverage = try coverage(db, districts: Array(Set(derived.map(\.unit))).sorted(), year: year)
        if requireComplete, case let incomplete = coverage.filter({ !$0.complete }), !incomplete.isEmpty {
            func list(_ c: Coverage) -> String {
                c.missing.prefix(10).joined(separator: ", ") + (c.missing.count > 10 ? ", … (\(c.missing.count))" : "")
            }
            let also = provinces.count > 1
                ? Say.text(vi: " Cả \(provinces.count) tỉnh của lượt này (\(provinces.joined(separator: ", "))) đều chưa ghi gì.",
                           en: " None of the \(provinces.count) provinces of this pass (\(provinces.joined(separator: ", "))) was written.") : ""
            throw DTIError(.inputRejected,
                vi: "không công bố (giai đoạn \(stage.rawValue)) vì số liệu xã chưa đủ: " + incomplete.map { "\($0.district) có \($0.withData)/\($0.expected) xã, thiếu \(list($0))" }.joined(separator: "; ")
                    + ". Chạy lại khi đủ, hoặc thêm --allow-incomplete để công bố với số liệu chưa đủ (chỉ số được đánh dấu complete = false)." + also,
                en: "not published (stage \(stage.rawValue)): commune data is incomplete: " + incomplete.map { "\($0.district) has \($0.withData)/\($0.expected) communes, missing \(list($0))" }.joined(separator: "; ")
                    + ". Run again when complete, or add --allow-incomplete to publish anyway (the index is marked complete = false)." + also)
        }

        progress(Say.text(vi: "3/5 chấm điểm theo bộ chỉ số", en: "3/5 scoring against the catalogues"))
        let scoring = try score(db, runIds: runIds, units: units, catalogues: catalogues.wait(), year: year, stage: stage, derived: derived)

        Failpoint.hit("rollup.after-scores")
        progress(Say.text(vi: "4/5 xếp hạng trong nhóm so sánh", en: "4/5 ranking within peer groups"))
        try rank(db, year: year, stage: stage)

        progress(Say.text(vi: "5/5 giá trị so sánh của đơn vị sáp nhập", en: "5/5 comparison values of merged units"))
        let lineage = try lineageRows(db, year: year, stage: stage)

        let duration = Int(Date().timeIntervalSince(started) * 1000)
        var reports: [Report] = []
        for p in provinces {
            let runId = runIds[p]!
            let mine = derived.filter { provinceOf[$0.unit] == p }
            let mismatches: [Mismatch] = mine.filter(\.mismatch).map {
                Mismatch(unit: $0.unit, catalogue: $0.catalogue, indicator: $0.indicator, variable: $0.variable, derived: $0.derived,
                         submitted: $0.submitted, used: $0.used)
            }
            let s = scoring.provinces[p] ?? .init()
            var report = Report(runId: runId, province: p, year: year, stage: stage, unitsScored: s.units, indicatorsScored: s.indicators,
                                derivedValues: mine.count, mismatches: mismatches, lineageRows: lineage[runId] ?? 0, inputDigest: s.digest,
                                durationMs: duration)
            report.coverage = coverage.filter { provinceOf[$0.district] == p }
            reports.append(report)
        }
        // Every run's outcome in one statement; its load batches are those of its own units' current values.
        try db.execute("""
            SELECT dti.finish_rollup_run(r.run_id, \(duration)::integer, \(scoring.versionIds)::integer[],
                   coalesce(b.batches, '{}')::bigint[], r.digest, r.units, r.indicators, r.derived, r.mismatches)
              FROM unnest(\(reports.map(\.runId))::bigint[], \(reports.map(\.inputDigest))::text[], \(reports.map(\.unitsScored))::integer[],
                          \(reports.map(\.indicatorsScored))::integer[], \(reports.map(\.derivedValues))::integer[],
                          \(reports.map(\.mismatches.count))::integer[]) AS r (run_id, digest, units, indicators, derived, mismatches)
              LEFT JOIN (SELECT run_id, array_agg(batch_id ORDER BY batch_id) AS batches
                           FROM (SELECT DISTINCT su.run_id, e.batch_id FROM (SELECT unit_id, batch_id FROM eff UNION ALL SELECT unit_id, batch_id FROM commune_eff) e
                                   JOIN scope_units su ON su.unit_id = e.unit_id) x
                          GROUP BY run_id) b ON b.run_id = r.run_id
            """)
        return reports
    }
    /// Per district that this run derived variables for: its communes that exist in the year, and those with any value
    /// (for the year, at this stage or below) of an item that feeds a district variable.
    private func coverage(_ db: PostgresConnection, districts: [String], year: Int) throws -> [Coverage] {
        if districts.isEmpty { return [] }
        return try db.query("""
            WITH districts AS (SELECT unnest(\(districts)::text[]) AS unit_code),
            fed AS (SELECT DISTINCT e.unit_id FROM commune_eff e JOIN dti.feeds f ON f.source_item_id = e.item_id
                     JOIN dti.catalogues c ON c.current_version = f.version_id WHERE e.year = \(year))
            SELECT d.unit_code AS district, count(x.code) AS expected, count(x.code) FILTER (WHERE fed.unit_id IS NOT NULL) AS with_data,
                   coalesce(array_agg(x.code ORDER BY x.code) FILTER (WHERE x.code IS NOT NULL AND fed.unit_id IS NULL), '{}') AS missing
              FROM districts d
              LEFT JOIN dti.units x ON x.parent_code = d.unit_code AND x.level = 'commune'
                   AND (x.valid_from IS NULL OR x.valid_from <= make_date(\(year), 12, 31))
                   AND (x.valid_to IS NULL OR x.valid_to >= make_date(\(year), 1, 1))
              LEFT JOIN fed ON fed.unit_id = x.unit_id
             GROUP BY d.unit_code ORDER BY d.unit_code
            """).map { r in
            Coverage(district: try r["district"].decode(), withData: try r["with_data"].decode(), expected: try r["expected"].decode(),
                     missing: try r["missing"].decode([String].self))
        }
    }

    // MARK: 1. the current value of every key at this stage (the most advanced stage at or below it)
    // The current sheets of each unit of the scope are looked up by their key (a LATERAL join per unit). Joined through
    // a view, the planner read every sheet of the two years for each province (make bench: 85 ms instead of 62 ms).

    private func gather(_ db: PostgresConnection, provinces: [String], runIds: [Int], year: Int, stage: Stage) throws {
        // The ancestry of every unit of the province (nearest first, as dti.unit_ancestry gives it) is built on the walk
        // down from the province (a province has no parent): one statement instead of one definer call per unit, which
        // was the slowest step of a province (make bench). A district login keeps the function (empty for units it may not see).
        // Every column is carried down the walk: joining its result back to dti.units was a scan of every unit of the
        // country for each province (make bench).
        let ancestry = try restricted(db) ? "dti.unit_ancestry(t.code)" : "t.ancestry"
        try db.execute("""
            CREATE TEMP TABLE scope_units ON COMMIT DROP AS
            WITH RECURSIVE t (unit_id, code, level, parent_code, peer_group, tags, ancestry, province, run_id) AS (
                SELECT u.unit_id, u.code, u.level, u.parent_code, dti.effective_peer_group(u), u.tags, ARRAY[u.code]::text[], u.code, r.run_id
                  FROM unnest(\(provinces)::text[], \(runIds)::bigint[]) AS r (province, run_id)
                  JOIN dti.units u ON u.code = r.province
                UNION ALL
                -- children by units_parent per parent: a hash join read all units of every province at each level
                SELECT c.unit_id, c.code, c.level, c.parent_code, c.peer_group, c.tags, (c.code || t.ancestry)::text[], t.province, t.run_id
                  FROM t CROSS JOIN LATERAL (SELECT u.unit_id, u.code, u.level, u.parent_code, u.tags,
                                                    dti.effective_peer_group(u) AS peer_group
                                               FROM dti.units u WHERE u.parent_code = t.code OFFSET 0) c
            )
            SELECT t.unit_id, t.code, t.level, t.parent_code, t.peer_group, t.tags, \(unescaped: ancestry) AS ancestry, t.province, t.run_id,
                   -- a district's communes that exist in the year, answered or not: count_units (issue 15 point 3) and the
                   -- coverage's denominator (point 6). Joined to the derived rows later, a count per district was a
                   -- nested loop over every district for each row (make bench: 5 million comparisons, 376 ms)
                   CASE WHEN t.level = 'district' THEN (
                       SELECT count(*) FROM dti.units x WHERE x.parent_code = t.code AND x.level = 'commune'
                          AND (x.valid_from IS NULL OR x.valid_from <= make_date(\(year), 12, 31))
                          AND (x.valid_to IS NULL OR x.valid_to >= make_date(\(year), 1, 1))) END AS communes
              FROM t
            """)
        try db.execute("CREATE UNIQUE INDEX ON scope_units (unit_id)")
        // Without statistics the planner takes scope_units for one row and joins it to the results of the
        // provinces already rolled up with nested loops that discard millions of rows (make bench).
        try db.execute("ANALYZE scope_units")
        // The current values of each unit come from dti.current_sheets (0015): one row per (unit, year, stage, catalogue)
        // that already holds the newest element of every item at that stage. So no sort is needed to find them: a
        // DISTINCT ON over every sheet of the scope was the largest statement of a province (make bench). An item whose
        // catalogue has a more advanced stage (at or below this one) in the same year is taken from there, per item.
        // Two tables: the communes' values of the year (commune_eff: only what the district sums, the coverage and the
        // run's batches read), and every other unit's (eff: what the catalogues score, and the districts' own values
        // beside the derived ones). In one table, every statement that wanted a district's values read past all the
        // communes' (make bench: 426,745 rows scanned to find 17,405 submitted values).
        let scoredLevels = "(SELECT coalesce(array_agg(DISTINCT l.level::text), '{}') FROM dti.catalogues c JOIN dti.catalogue_versions v ON v.version_id = c.current_version CROSS JOIN LATERAL unnest(v.levels) AS l (level) WHERE v.kind = 'scored')::text[]"
        try db.execute(currentValues(into: "eff", columns: "c.unit_id, c.year, v.item_id, v.value, v.value_text, coalesce(v.batch_id, sh.batch_id) AS batch_id",
                                     units: "su.level <> 'commune'", lastYear: "su.level::text = ANY (\(scoredLevels))", year: year, stage: stage))
        try db.execute(currentValues(into: "commune_eff", columns: "c.unit_id, c.year, v.item_id, v.value, v.value_text, coalesce(v.batch_id, sh.batch_id) AS batch_id",
                                     units: "su.level = 'commune'", lastYear: "'commune' = ANY (\(scoredLevels))", year: year, stage: stage))
        // Row counts and a coarse picture are all the planner needs here: a sample of 3,000 rows, not 30,000
        // (ANALYZE eff was a fifth of the roll-up's statement time at BENCH_SCALE=small).
        try db.execute("SET LOCAL default_statistics_target = 10")
        try db.execute("ANALYZE eff, commune_eff")
    }

    /// The current values of the scope's units that match `units` (a condition on `su`, a row of scope_units), for the
    /// year, and for the year before where `lastYear` holds (last year's values only for the levels a scored catalogue
    /// evaluates: a variable of last year, a growth rule; commune data of last year is never read otherwise, and was
    /// half of the table).
    private func currentValues(into table: String, columns: String, units: String, lastYear: String, year: Int, stage: Stage) -> PostgresQuery {
        """
            CREATE TEMP TABLE \(unescaped: table) ON COMMIT DROP AS
            SELECT \(unescaped: columns)
              FROM scope_units su
             CROSS JOIN LATERAL (SELECT x.*, EXISTS (SELECT 1 FROM dti.current_sheets h
                                                      WHERE (h.unit_id, h.year, h.catalogue_id) = (x.unit_id, x.year, x.catalogue_id)
                                                        AND h.stage > x.stage AND h.stage <= \(stage.rawValue)::dti.stage) AS superseded
                                   FROM dti.current_sheets x
                                  WHERE x.unit_id = su.unit_id AND x.stage <= \(stage.rawValue)::dti.stage
                                    AND (x.year = \(year) OR (x.year = \(year - 1) AND \(unescaped: lastYear)))
                                 OFFSET 0) c   -- superseded once per sheet, not once per value
             CROSS JOIN LATERAL (SELECT y.sheet_id, y.batch_id, y.item_ids, y."values", y.value_texts FROM dti.submission_sheets y
                                  WHERE y.sheet_id = c.sheet_id LIMIT 1) sh
             CROSS JOIN LATERAL unnest(coalesce(c.item_ids, sh.item_ids), CASE WHEN c.item_ids IS NULL THEN sh."values" ELSE c."values" END,
                                       CASE WHEN c.item_ids IS NULL THEN sh.value_texts ELSE c.value_texts END, c.batch_ids)
                   AS v (item_id, value, value_text, batch_id)
             -- an item whose newest element is a withdrawal ("#rút": neither a number nor a text, migration 0032) has no value
             WHERE \(unescaped: units) AND (v.value IS NOT NULL OR v.value_text IS NOT NULL)
               AND (NOT c.superseded OR NOT EXISTS (
                       SELECT 1 FROM dti.current_sheets h JOIN dti.submission_sheets hs ON hs.sheet_id = h.sheet_id
                        WHERE (h.unit_id, h.year, h.catalogue_id) = (c.unit_id, c.year, c.catalogue_id)
                          AND h.stage > c.stage AND h.stage <= \(stage.rawValue)::dti.stage
                          AND v.item_id = ANY (coalesce(h.item_ids, hs.item_ids))))
            """
    }

    // MARK: 2. derive district variables from communes (one INSERT … SELECT)

    /// A district variable this run derived, as written to dti.derived_values.
    struct Derived {
        var unit: String, catalogue: String, indicator: String, variable: String
        var derived: Decimal?, submitted: Decimal?, used: String, mismatch: Bool
    }

    /// The rows come back from the INSERT itself (RETURNING): reading them again by run_id was three sequential scans
    /// of dti.derived_values per province, a tenth of the roll-up's statement time (make bench).
    private func derive(_ db: PostgresConnection, year: Int, stage: Stage) throws -> [Derived] {
        let rows = try db.query("""
            INSERT INTO dti.derived_values (run_id, unit_code, year, stage, catalogue_id, indicator_code, variable, derived_value,
                                            children_count, how, submitted_value, used, mismatch, expected_children)
            -- The current catalogues' feeds, each target (catalogue, indicator, variable, how, precedence) numbered, so
            -- that the communes' values are grouped by two keys, not eight text columns (the sort of those was a third
            -- of this statement, make bench).
            WITH feed AS MATERIALIZED (
                SELECT f.source_item_id, f.target_catalogue, f.target_indicator, f.target_variable, f.how, f.precedence,
                       dense_rank() OVER (ORDER BY f.target_catalogue, f.target_indicator, f.target_variable, f.how, f.precedence) AS target_no
                  FROM dti.feeds f
                  JOIN dti.catalogue_items i ON i.item_id = f.source_item_id
                  JOIN dti.catalogues src ON src.catalogue_id = i.catalogue_id AND src.current_version = f.version_id
            ),
            target AS (SELECT DISTINCT target_no, target_catalogue, target_indicator, target_variable, how, precedence FROM feed),
            sums AS (
                SELECT c.parent_code AS district_code, f.target_no, count(*) AS children, sum(e.value) AS total,
                       count(*) FILTER (WHERE e.value = 1) AS yes, count(*) FILTER (WHERE e.value = 0) AS no,
                       count(e.value) AS answers, min(e.value) AS low, max(e.value) AS high, avg(e.value) AS mean
                  FROM commune_eff e
                  JOIN scope_units c ON c.unit_id = e.unit_id
                  JOIN feed f ON f.source_item_id = e.item_id
                 WHERE e.year = \(year)
                 GROUP BY c.parent_code, f.target_no
            ),
            agg AS (
                SELECT d.unit_id AS district_id, d.code AS district_code, d.ancestry, d.run_id, t.target_catalogue, t.target_indicator,
                       t.target_variable, t.how, t.precedence, s.children, d.communes AS expected,
                       CASE t.how WHEN 'sum' THEN s.total WHEN 'count_yes' THEN s.yes WHEN 'count_no' THEN s.no
                                  WHEN 'count_answers' THEN s.answers WHEN 'count_units' THEN d.communes
                                  WHEN 'min' THEN s.low WHEN 'max' THEN s.high WHEN 'mean' THEN s.mean END AS value
                  FROM sums s
                  JOIN target t ON t.target_no = s.target_no
                  JOIN scope_units d ON d.code = s.district_code AND d.level = 'district'
            )
            SELECT a.run_id, a.district_code, \(year), \(stage.rawValue)::dti.stage, a.target_catalogue, a.target_indicator, a.target_variable,
                   a.value, a.children, a.how, s.value,
                   CASE WHEN a.precedence = 'submitted' AND s.value IS NOT NULL THEN 'submitted' ELSE 'derived' END,
                   s.value IS NOT NULL AND s.value IS DISTINCT FROM a.value, a.expected
              FROM agg a
              JOIN dti.catalogues tc ON tc.catalogue_id = a.target_catalogue
              JOIN dti.catalogue_versions tv ON tv.version_id = tc.current_version
              LEFT JOIN dti.catalogue_items ti ON (ti.catalogue_id, ti.indicator_code, ti.variable) = (a.target_catalogue, a.target_indicator, a.target_variable)
              LEFT JOIN eff s ON s.unit_id = a.district_id AND s.year = \(year) AND s.item_id = ti.item_id
             WHERE 'district' = ANY (tv.levels) AND \(year) BETWEEN tv.year_from AND tv.year_to
               AND (cardinality(tv.scope) = 0 OR a.ancestry && tv.scope)
            ON CONFLICT (unit_code, year, stage, catalogue_id, indicator_code, variable) DO UPDATE
               SET run_id = excluded.run_id, derived_value = excluded.derived_value, children_count = excluded.children_count,
                   how = excluded.how, submitted_value = excluded.submitted_value, used = excluded.used, mismatch = excluded.mismatch,
                   expected_children = excluded.expected_children
            RETURNING unit_code, catalogue_id, indicator_code, variable, derived_value, submitted_value, used, mismatch
            """)
        // Values derived by an earlier run for units of these provinces that no longer derive anything go away.
        try deleteInScope(db, table: "derived_values", year: year, stage: stage, and: "y.run_id <> su.run_id")
        // In the order of the key, as the report and the run's digest list them (the columns are COLLATE "C": bytes).
        func precedes(_ a: Derived, _ b: Derived) -> Bool {
            func bytes(_ x: String, _ y: String) -> Bool { x.utf8.lexicographicallyPrecedes(y.utf8) }
            if a.unit != b.unit { return bytes(a.unit, b.unit) }
            if a.catalogue != b.catalogue { return bytes(a.catalogue, b.catalogue) }
            if a.indicator != b.indicator { return bytes(a.indicator, b.indicator) }
            return bytes(a.variable, b.variable)
        }
        return try rows.map { r in
            Derived(unit: try r["unit_code"].decode(), catalogue: try r["catalogue_id"].decode(), indicator: try r["indicator_code"].decode(),
                    variable: try r["variable"].decode(), derived: try r["derived_value"].decode(Decimal?.self),
                    submitted: try r["submitted_value"].decode(Decimal?.self), used: try r["used"].decode(), mismatch: try r["mismatch"].decode())
        }.sorted(by: precedes)
    }

    /// Deletes the rows of `table` (keyed by unit_code, year, stage first) of the scope's units for the year and stage.
    /// Each unit's rows are found through the key (a LATERAL lookup per unit, kept one by OFFSET 0, then by row id): a
    /// join of the table with scope_units let the planner, whose statistics had not yet seen the year a roll-up is
    /// writing, estimate one row and compare every row of the year with every unit of the scope (make bench: 221,840
    /// comparisons for one province, growing with each province already rolled up).
    private func deleteInScope(_ db: PostgresConnection, table: String, year: Int, stage: Stage, and condition: String = "true") throws {
        try db.execute("""
            DELETE FROM dti.\(unescaped: table) t WHERE t.ctid = ANY (ARRAY(
                SELECT x.ctid FROM scope_units su
                 CROSS JOIN LATERAL (SELECT y.ctid FROM dti.\(unescaped: table) y
                                      WHERE y.unit_code = su.code AND y.year = \(year) AND y.stage = \(stage.rawValue)::dti.stage
                                        AND \(unescaped: condition)
                                     OFFSET 0) x))
            """)
    }

    // MARK: 3. score with the pure core

    struct UnitInfo { var code: String; var level: UnitLevel; var peerGroup: String; var tags: Set<String>; var ancestry: [String]; var province: String }

    struct Scoring {
        struct Province { var units = 0; var indicators = 0; var digest = "" }
        var provinces: [String: Province]
        var versionIds: [Int]
    }

    /// Each province is scored on its own (a `Scorer` sees one province's units, as a roll-up of that province alone
    /// would), with its own digest; the rows of all of them are written in one COPY per table.
    private func score(_ db: PostgresConnection, runIds: [String: Int], units: [String: UnitInfo],
                       catalogues: [(version: CataloguePrefetch.Version, catalogue: Result<Catalogue, any Error>)], year: Int, stage: Stage,
                       derived: [Derived]) throws -> Scoring {
        var scored: [(versionId: Int, catalogue: Catalogue)] = []
        var profileCatalogue: String? = nil
        for (v, catalogue) in catalogues {
            if v.kind == "profile" { profileCatalogue = v.catalogueId; continue }
            if case let c = try catalogue.get(), c.appliesTo(year: year) { scored.append((v.versionId, c)) }
        }


        // Values of the units that scored (or profile) catalogues evaluate; commune data stays in SQL.
        var current: [String: [String: UnitValues]] = [:]   // catalogue → unit → values (this year)
        var previous: [String: [String: UnitValues]] = [:]  // catalogue → unit → values (last year)
        var digests: [String: SHA256Hasher] = [:]           // province → its run's digest, fed in the order of one province's run
        for p in runIds.keys { digests[p] = SHA256Hasher() }
        let levels = Set(scored.flatMap { $0.catalogue.levels }).map(\.rawValue)
        let valueRows = try db.query("""
            SELECT su.code, e.year, i.catalogue_id, i.indicator_code, i.variable, e.value, e.value_text
              FROM (SELECT unit_id, year, item_id, value, value_text FROM eff
                    UNION ALL SELECT unit_id, year, item_id, value, value_text FROM commune_eff WHERE \(levels.contains("commune"))) e
              JOIN scope_units su ON su.unit_id = e.unit_id JOIN dti.catalogue_items i ON i.item_id = e.item_id
             WHERE su.level::text = ANY (\(levels)::text[])
             ORDER BY su.code, e.year, i.catalogue_id, i.indicator_code, i.variable
            """)
        for r in valueRows {
            let unit = r["code"].text ?? "", catalogue = r["catalogue_id"].text ?? ""
            let indicator = r["indicator_code"].text ?? "", variable = r["variable"].text ?? ""
            let y: Int = try r["year"].decode()
            let value: InputValue
            if let t = r["value_text"].text { value = .text(t) } else { value = .number(try r["value"].decode(Decimal.self)) }
            if y == year { current[catalogue, default: [:]][unit, default: [:]][indicator, default: [:]][variable] = value }
            else { previous[catalogue, default: [:]][unit, default: [:]][indicator, default: [:]][variable] = value }
            if let p = units[unit]?.province { digests[p]?.update(Data("\(unit)|\(y)|\(catalogue)|\(indicator)|\(variable)|\(value)\n".utf8)) }
        }
        // Derived values, by the declared precedence.
        for r in derived {
            guard r.used == "derived", let d = r.derived else { continue }
            current[r.catalogue, default: [:]][r.unit, default: [:]][r.indicator, default: [:]][r.variable] = .number(d)
            if let p = units[r.unit]?.province { digests[p]?.update(Data("derived|\(r.unit)|\(r.catalogue)|\(r.indicator)|\(r.variable)|\(d.machineText)\n".utf8)) }
        }

        // Replace these provinces' results for the year and stage as a whole. The indicator scores stream into their COPY
        // as each province is scored, so PostgreSQL writes one province's rows while the next is scored (the largest
        // COPY, 27,140 rows at the bench's scale, no longer waits for all the scoring to finish).
        for table in ["indicator_scores", "pillar_scores", "unit_index"] { try deleteInScope(db, table: table, year: year, stage: stage) }
        var pillarRows = "", indexRows = ""
        var counts: [String: Scoring.Province] = [:]
        let provinces = runIds.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        _ = try ProtectedCopy.copyIn(db, table: "dti.indicator_scores", columns: "run_id, unit_code, year, stage, catalogue_id, version_id, indicator_code, points, max_points, status, ratio, notes, reason") { copy in
            for (versionId, catalogue) in scored {
                for p in provinces { digests[p]?.update(Data("catalogue|\(catalogue.id)|\(versionId)\n".utf8)) }
                let profileValues = profileCatalogue.flatMap { current[$0] } ?? [:]
                var submissions: [String: [UnitSubmission]] = [:]   // province → its units' submissions, by unit code
                for (code, values) in (current[catalogue.id] ?? [:]).sorted(by: { $0.key < $1.key }) {
                    guard let info = units[code], case let p = info.province, catalogue.levels.contains(info.level),
                          catalogue.scope.isEmpty || !Set(catalogue.scope).isDisjoint(with: info.ancestry) else { continue }
                    var profile: [String: InputValue] = [:]
                    for (field, vars) in profileValues[code] ?? [:] { if let v = vars["value"] { profile[field] = v } }
                    let resolved = InputResolver.resolve(catalogue, submitted: values, profile: profile, previousYear: previous[catalogue.id]?[code] ?? [:])
                    submissions[p, default: []].append(UnitSubmission(unitCode: code, tags: info.tags, peerGroup: info.peerGroup, values: resolved))
                }
                let scorer = Scorer(catalogue: catalogue)
                for p in provinces {
                    guard let mine = submissions[p] else { continue }
                    let runId = String(runIds[p]!)
                    let results = scorer.score(mine)
                    counts[p, default: .init()].units += results.count
                    var indicatorRows = ""
                    for r in results {
                        for i in r.indicators {
                            if i.status == .scored { counts[p, default: .init()].indicators += 1 }
                            indicatorRows += CopyText.row([runId, r.unitCode, String(year), stage.rawValue, catalogue.id, String(versionId), i.code,
                                                           i.points?.machineText, i.maxPoints?.machineText, i.status.rawValue, i.ratio?.machineText,
                                                           i.notes.isEmpty ? nil : i.notes.map(\.vi).joined(separator: "; "), i.flag?.rawValue])
                        }
                        for pl in r.pillars where pl.applicable {
                            pillarRows += CopyText.row([runId, r.unitCode, String(year), stage.rawValue, catalogue.id, String(versionId), pl.code,
                                                        pl.points.machineText, pl.rawPoints.machineText, pl.maxPoints.machineText, pl.percent?.machineText,
                                                        "{" + pl.unscored.map { "\"\($0)\"" }.joined(separator: ",") + "}", r.peerGroup])
                        }
                        indexRows += CopyText.row([runId, r.unitCode, String(year), stage.rawValue, catalogue.id, String(versionId),
                                                   r.points.machineText, r.bonusPoints.machineText, r.maxPoints.machineText, r.percent?.machineText,
                                                   r.rating, r.peerGroup])
                    }
                    try copy.write(indicatorRows)
                }
            }
        }
        for p in provinces { counts[p, default: .init()].digest = digests[p]!.hex() }
        _ = try ProtectedCopy.copyIn(db, table: "dti.pillar_scores", columns: "run_id, unit_code, year, stage, catalogue_id, version_id, pillar_code, points, raw_points, max_points, percent, unscored, peer_group") { try $0.write(pillarRows) }
        _ = try ProtectedCopy.copyIn(db, table: "dti.unit_index", columns: "run_id, unit_code, year, stage, catalogue_id, version_id, points, bonus_points, max_points, percent, rating, peer_group") { try $0.write(indexRows) }
        return Scoring(provinces: counts, versionIds: scored.map(\.versionId))
    }

    // MARK: 4. ranks on unrounded percent, ties share a rank

    // Each ranked row is updated through its row id (ctid), read with it: joined back by its key, the planner, whose
    // statistics had not seen the year being written, took the year for one row and ran the whole ranking again for
    // every row of it (make bench: 563 ms of a roll-up's 3 s, growing with each province already rolled up).
    private func rank(_ db: PostgresConnection, year: Int, stage: Stage) throws {
        try db.execute("""
            UPDATE dti.unit_index t SET rank = r.rnk
              FROM (SELECT ctid AS row_id, rank AS old_rank,
                           CASE WHEN percent IS NULL THEN NULL ELSE rank() OVER (PARTITION BY catalogue_id, peer_group ORDER BY percent DESC NULLS LAST) END AS rnk
                      FROM dti.unit_index
                     WHERE year = \(year) AND stage = \(stage.rawValue)::dti.stage AND NOT derived
                       AND peer_group IN (SELECT DISTINCT peer_group FROM scope_units)) r
             WHERE t.ctid = r.row_id AND r.old_rank IS DISTINCT FROM r.rnk
            """)
        try db.execute("""
            UPDATE dti.pillar_scores t SET rank = r.rnk
              FROM (SELECT ctid AS row_id, rank AS old_rank,
                           CASE WHEN percent IS NULL THEN NULL ELSE rank() OVER (PARTITION BY catalogue_id, peer_group, pillar_code ORDER BY percent DESC NULLS LAST) END AS rnk
                      FROM dti.pillar_scores
                     WHERE year = \(year) AND stage = \(stage.rawValue)::dti.stage
                       AND peer_group IN (SELECT DISTINCT peer_group FROM scope_units)) r
             WHERE t.ctid = r.row_id AND r.old_rank IS DISTINCT FROM r.rnk
            """)
    }

    // MARK: 5. merged units: the mean of their predecessors' indices, labelled derived

    /// Rows written, by run. A merged unit belongs to the run of its predecessors' province (the last in code order when
    /// they lie in several provinces of the pass, as when each was rolled up alone, one after the other).
    private func lineageRows(_ db: PostgresConnection, year: Int, stage: Stage) throws -> [Int: Int] {
        try db.execute("""
            DELETE FROM dti.unit_index WHERE derived AND year = \(year) AND stage = \(stage.rawValue)::dti.stage
               AND derived_from && (SELECT array_agg(code) FROM scope_units)
            """)
        var written: [Int: Int] = [:]
        for r in try db.query("""
            INSERT INTO dti.unit_index (run_id, unit_code, year, stage, catalogue_id, version_id, points, bonus_points, max_points, percent,
                                        rating, peer_group, rank, derived, derived_from)
            SELECT o.run_id, s.code, \(year), \(stage.rawValue)::dti.stage, p.catalogue_id, max(p.version_id), avg(p.points), avg(p.bonus_points),
                   avg(p.max_points), avg(p.percent), NULL, min(dti.effective_peer_group(s)), NULL, true, array_agg(p.unit_code ORDER BY p.unit_code)
              FROM dti.unit_lineage l
              JOIN dti.units s ON s.code = l.unit_code
              JOIN dti.unit_index p ON p.unit_code = l.predecessor_code AND p.year = \(year) AND p.stage = \(stage.rawValue)::dti.stage AND NOT p.derived
             CROSS JOIN LATERAL (SELECT su.run_id FROM dti.unit_lineage l2 JOIN scope_units su ON su.code = l2.predecessor_code
                                  WHERE l2.unit_code = s.code ORDER BY su.province COLLATE "C" DESC LIMIT 1) o
             WHERE NOT EXISTS (SELECT 1 FROM dti.unit_index own WHERE own.unit_code = s.code AND own.year = \(year)
                                  AND own.stage = \(stage.rawValue)::dti.stage AND own.catalogue_id = p.catalogue_id)
             GROUP BY s.code, p.catalogue_id, o.run_id
            RETURNING run_id
            """) { written[try r["run_id"].decode(Int.self), default: 0] += 1 }
        return written
    }
}
