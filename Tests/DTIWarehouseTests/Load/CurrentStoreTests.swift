import DTICore
import DTITestSupport
import DTIWarehouse
import Foundation
import PostgresClient
import Testing

/// The readers of issue 16 give what they gave before. The definitions of before (0012's dti.current_values, which
/// looked the newer sheets up for every sheet, v_submitted_values over it, and the v_submission_status that called
/// dti.unit_ancestry once per unit and per sheet) are kept here as the reference, and compared row for row with the
/// views of now on a history with every shape the current store keeps: first loads, whole re-submissions, partial
/// corrections (merged values), corrections of corrections, another stage, a JSON file (source_refs beside CSV
/// lines), a refused load and a dry run (nothing changes).
enum ReaderReference {
    static let currentValues = """
        SELECT s.sheet_id * 65536 + v.ord AS value_id, s.batch_id, s.unit_id, s.year, v.item_id, s.stage,
               v.value, v.value_text, v.evidence, coalesce(v.source_ref, v.source_line::text) AS source_ref
          FROM dti.submission_sheets s
         CROSS JOIN LATERAL (SELECT array_agg(x.item_id) AS item_ids
                               FROM dti.submission_sheets n CROSS JOIN LATERAL unnest(n.item_ids) AS x (item_id)
                              WHERE n.unit_id = s.unit_id AND n.year = s.year AND n.stage = s.stage AND n.sheet_id > s.sheet_id) newer
         CROSS JOIN LATERAL unnest(s.item_ids, s."values", s.value_texts, s.evidences, s.source_refs, s.source_lines)
               WITH ORDINALITY AS v (item_id, value, value_text, evidence, source_ref, source_line, ord)
         WHERE newer.item_ids IS NULL OR v.item_id <> ALL (newer.item_ids)
        """

    static let submittedValues = """
        SELECT u.code AS unit_code, u.name AS unit_name, u.level, u.parent_code, cv.year, cv.stage, i.catalogue_id, i.indicator_code,
               i.variable, iv.meaning, cv.value, cv.value_text, cv.evidence, cv.batch_id, cv.source_ref
          FROM (\(currentValues)) cv
          JOIN dti.units u ON u.unit_id = cv.unit_id
          JOIN dti.catalogue_items i ON i.item_id = cv.item_id
          LEFT JOIN dti.catalogues c ON c.catalogue_id = i.catalogue_id
          LEFT JOIN dti.indicator_variables iv ON iv.version_id = c.current_version AND iv.indicator_code = i.indicator_code AND iv.variable = i.variable
        """

    static let submissionStatus = """
        WITH versions AS (
            SELECT c.catalogue_id, v.version_id, v.levels, v.scope, v.kind, v.deadline, v.year_from, v.year_to
              FROM dti.catalogues c JOIN dti.catalogue_versions v ON v.version_id = c.current_version
        ),
        used AS (
            SELECT k.catalogue_id, k.year, a.chain[cardinality(a.chain)] AS root
              FROM (SELECT DISTINCT s.unit_id, s.year::int AS year, i.catalogue_id
                      FROM dti.submission_sheets s JOIN dti.catalogue_items i ON i.item_id = s.item_ids[1]) k
              JOIN dti.units u ON u.unit_id = k.unit_id
             CROSS JOIN LATERAL (SELECT dti.unit_ancestry(u.code) AS chain) a
        ),
        years AS (SELECT DISTINCT catalogue_id, year FROM used),
        roots AS (SELECT DISTINCT catalogue_id, year, root FROM used),
        expected AS (
            SELECT v.catalogue_id, v.version_id, u.code AS unit_code, u.unit_id, y.year, v.deadline,
                   array_agg(ind.indicator_code ORDER BY ind.ordinal) AS indicators
              FROM versions v
              JOIN years y ON y.catalogue_id = v.catalogue_id AND y.year BETWEEN v.year_from AND v.year_to
              JOIN dti.units u ON u.level = ANY (v.levels)
              CROSS JOIN LATERAL (SELECT dti.unit_ancestry(u.code) AS chain) a
              JOIN dti.indicators ind ON ind.version_id = v.version_id AND ind.is_leaf AND NOT ind.is_bonus
                                     AND (ind.applies_to_tag IS NULL OR ind.applies_to_tag = ANY (u.tags))
                                     AND NOT EXISTS (SELECT 1 FROM dti.pillars p WHERE p.version_id = v.version_id AND p.pillar_code = ind.pillar_code
                                                       AND p.applies_to_tag IS NOT NULL AND NOT p.applies_to_tag = ANY (u.tags))
             WHERE CASE WHEN cardinality(v.scope) > 0 THEN a.chain && v.scope
                        ELSE EXISTS (SELECT 1 FROM roots r WHERE r.catalogue_id = v.catalogue_id AND r.year = y.year
                                                             AND r.root = a.chain[cardinality(a.chain)]) END
             GROUP BY v.catalogue_id, v.version_id, u.code, u.unit_id, y.year, v.deadline
        ),
        submitted AS (
            SELECT sv.unit_id, sv.year::int AS year, i.catalogue_id, array_agg(DISTINCT i.indicator_code) AS indicators, max(b.loaded_at) AS last_loaded_at
              FROM dti.submission_values sv
              JOIN dti.catalogue_items i ON i.item_id = sv.item_id
              JOIN dti.load_batches b ON b.batch_id = sv.batch_id
             GROUP BY sv.unit_id, sv.year, i.catalogue_id
        ),
        derived AS (
            SELECT unit_code, year, catalogue_id, array_agg(DISTINCT indicator_code) AS indicators
              FROM dti.derived_values GROUP BY unit_code, year, catalogue_id
        )
        SELECT e.unit_code, u.name AS unit_name, e.year, e.catalogue_id,
               cardinality(e.indicators) AS expected,
               cardinality(ARRAY(SELECT unnest(e.indicators) INTERSECT SELECT unnest(coalesce(s.indicators, '{}') || coalesce(d.indicators, '{}')))) AS submitted,
               ARRAY(SELECT x FROM unnest(e.indicators) WITH ORDINALITY AS t(x, n)
                      WHERE x <> ALL (coalesce(s.indicators, '{}') || coalesce(d.indicators, '{}')) ORDER BY n) AS missing,
               s.last_loaded_at, e.deadline
          FROM expected e
          JOIN dti.units u ON u.code = e.unit_code
          LEFT JOIN submitted s ON s.unit_id = e.unit_id AND s.year = e.year AND s.catalogue_id = e.catalogue_id
          LEFT JOIN derived d ON d.unit_code = e.unit_code AND d.year = e.year AND d.catalogue_id = e.catalogue_id
        """

    /// Rows of `new` missing from `reference` and rows of `reference` missing from `new` (as text, for the message),
    /// counted with their multiplicity; and the number of rows of each.
    static func difference(_ c: PostgresConnection, new: String, reference: String) throws -> (onlyNew: [String], onlyReference: [String], count: Int, referenceCount: Int) {
        func rows(_ q: String) throws -> [String] {
            try c.query("SELECT x::text AS r FROM (\(unescaped: q)) x ORDER BY 1").map { try $0["r"].decode(String.self) }
        }
        let onlyNew = try rows("(\(new)) EXCEPT ALL (\(reference))")
        let onlyReference = try rows("(\(reference)) EXCEPT ALL (\(new))")
        let n = try c.query("SELECT count(*) AS n FROM (\(unescaped: new)) x")[0]["n"].decode(Int.self)
        let m = try c.query("SELECT count(*) AS n FROM (\(unescaped: reference)) x")[0]["n"].decode(Int.self)
        return (onlyNew, onlyReference, n, m)
    }
}

/// The roll-up fixture with a history of every kind (see ReaderReference).
enum HistoryFixture {
    static let header = RollupFixture.header
    static let c = RollupFixture.communes

    static func make(_ prefix: String) throws -> WarehouseFixture {
        let f = try RollupFixture.make(prefix)
        let loader = SubmissionLoader(connection: f.db)
        func load(_ name: String, _ body: String, stage: Stage = .selfAssessment) throws {
            let r = try loader.load(path: try f.file(name, body), options: .init(stage: stage))
            #expect(r.committed && r.rejected.isEmpty, "\(name): \(r.rejected.map { "\($0.ref) \($0.message)" })")
        }
        let d = "commune-data-2024"
        // Another province's district, at the final stage.
        _ = try loader.load(path: f.home.reference + "/yen-dinh-2022.csv", options: .init(stage: .final))
        // Commune 1 corrects one value: its current values now come from two sheets (merged).
        try load("fix-1.csv", header + "\(c[0]),2024,\(d),3.3,a,101,biên bản số 7,\n")
        // Commune 2 sends its whole form again, every value changed, and one new item: its newest sheet holds them all.
        let whole = ["3.3,a,205", "3.6,answer,có", "4.1,answer,không", "4.6,a,24", "5.8.1,a,0.2", "5.8.1,b,0.06", "5.8.1,c,3",
                     "6.3,a,101", "6.3,b,31", "6.3,c,29", "4.3,answer,có"]
        try load("whole-2.csv", header + whole.map { "\(c[1]),2024,\(d),\($0),," }.joined(separator: "\n") + "\n")
        // Commune 3 adds an item it had not sent (merged: the old sheet's values and the new one's), from JSON.
        try load("add-3.json", """
            [{"unit_code": "\(c[2])", "year": 2024, "catalogue": "\(d)", "indicator": "4.3", "variable": "answer", "value": "không", "evidence": "QĐ 12"}]
            """)
        // Commune 1 again: a correction of the corrected value and of one value of the first sheet.
        try load("fix-1b.csv", header + "\(c[0]),2024,\(d),3.3,a,102,,\n\(c[0]),2024,\(d),6.3,b,31,,\n")
        // Commune 4 at round 1: a stage of its own.
        try load("round1-4.csv", header + "\(c[3]),2024,\(d),3.3,a,350,,round1\n")
        // A refused file and a dry run change nothing.
        let refused = try loader.load(path: try f.file("bad.csv", header + "\(c[4]),2024,\(d),3.3,a,5,,\n\(c[4]),2024,\(d),3.3,a,-1,,\n"))
        #expect(!refused.committed)
        _ = try loader.dryRun(path: try f.file("dry.csv", header + "\(c[5]),2024,\(d),3.3,a,5,,\n"))
        _ = try Rollup(connection: f.db).run(province: "bac-giang", year: RollupFixture.year, stage: .final)
        _ = try Rollup(connection: f.db).run(province: "thanh-hoa", year: 2022, stage: .final)
        return f
    }
}

@Suite("Readers: the current store gives what the history gave", .serialized)
struct CurrentStoreTests {
    @Test("dti.current_values and v_submitted_values: the same rows as the definitions of before, on a history of corrections, stages, JSON, a refused load and a dry run")
    func sameAsBefore() throws {
        let f = try HistoryFixture.make("readers-same")
        // The fixture has the shapes the store keeps: keys whose values are in their newest sheet, and merged keys.
        let merged = try f.db.query("""
            SELECT u.code FROM dti.current_sheets c JOIN dti.units u USING (unit_id) WHERE c.item_ids IS NOT NULL ORDER BY 1
            """).map { try $0["code"].decode(String.self) }
        #expect(merged == [HistoryFixture.c[0], HistoryFixture.c[2]], "communes 1 and 3 are merged; 2 sent everything again")
        #expect(try f.scalar("""
            SELECT b.file_name FROM dti.current_sheets c JOIN dti.units u USING (unit_id) JOIN dti.submission_sheets s USING (sheet_id)
              JOIN dti.load_batches b ON b.batch_id = s.batch_id WHERE u.code = \(HistoryFixture.c[1]) AND c.catalogue_id = 'commune-data-2024'
            """, as: String.self).hasSuffix("whole-2.csv"))
        #expect(try f.scalar("SELECT count(*) FROM dti.current_sheets WHERE item_ids IS NULL", as: Int.self) > 20)
        let cv = try ReaderReference.difference(f.db, new: "SELECT * FROM dti.current_values", reference: ReaderReference.currentValues)
        #expect(cv.onlyNew.isEmpty && cv.onlyReference.isEmpty, "new \(cv.onlyNew), before \(cv.onlyReference)")
        #expect(cv.count == cv.referenceCount && cv.count > 300)
        let columns = "unit_code, unit_name, level, parent_code, year, stage, catalogue_id, indicator_code, variable, meaning, value, value_text, evidence, batch_id, source_ref"
        let sv = try ReaderReference.difference(f.db, new: "SELECT \(columns) FROM dti.v_submitted_values", reference: ReaderReference.submittedValues)
        #expect(sv.onlyNew.isEmpty && sv.onlyReference.isEmpty, "new \(sv.onlyNew), before \(sv.onlyReference)")
        #expect(sv.count == cv.count)
        // The values the fixture changed are the current ones, with their evidence and source (a JSON element).
        #expect(try f.scalar("SELECT value::text FROM dti.v_submitted_values WHERE unit_code = \(HistoryFixture.c[0]) AND indicator_code = '3.3'", as: String.self) == "102")
        #expect(try f.scalar("SELECT evidence || ' ' || source_ref FROM dti.v_submitted_values WHERE unit_code = \(HistoryFixture.c[2]) AND indicator_code = '4.3'", as: String.self) == "QĐ 12 [0]")
        // value_id names the value in the history.
        #expect(try f.scalar("""
            SELECT count(*) FROM dti.v_submitted_values v JOIN dti.units u ON u.code = v.unit_code
              JOIN dti.submission_values h ON h.value_id = v.value_id AND h.unit_id = u.unit_id AND h.value IS NOT DISTINCT FROM v.value
            """, as: Int.self) == cv.count)
    }

    @Test("the rows the loads' trigger kept are the rows a rebuild from the history alone gives (the migration's fill)")
    func rebuildMatchesTrigger() throws {
        let f = try HistoryFixture.make("readers-rebuild")
        let all: PostgresQuery = "SELECT c::text AS r FROM dti.current_sheets c ORDER BY 1"
        let kept = try f.db.query(all).map { try $0["r"].decode(String.self) }
        let keys = try f.scalar("SELECT dti.current_sheets_rebuild()", as: Int.self)
        let rebuilt = try f.db.query(all).map { try $0["r"].decode(String.self) }
        #expect(keys == kept.count && kept.count > 20)
        #expect(rebuilt == kept)
        // Every row names the newest sheet of its key.
        #expect(try f.scalar("""
            SELECT count(*) FROM dti.current_sheets c
             WHERE c.sheet_id <> (SELECT max(s.sheet_id) FROM dti.submission_sheets s JOIN dti.catalogue_items i ON i.item_id = s.item_ids[1]
                                   WHERE s.unit_id = c.unit_id AND s.year = c.year AND s.stage = c.stage AND i.catalogue_id = c.catalogue_id)
            """, as: Int.self) == 0)
    }
}

/// The plans of the readers, not their times: one indicator across every unit of a year, and all values of one unit
/// for a year, read the current store through its indexes and fetch each sheet by its id; neither scans the history.
@Suite("Readers: plans use the indexes, not a scan of the history", .serialized)
struct ReaderPlanTests {
    static let oneIndicator = "SELECT unit_code, variable, value FROM dti.v_submitted_values WHERE year = 2024 AND catalogue_id = 'commune-data-2024' AND indicator_code = '3.3'"
    static func oneUnit(_ code: String) -> String {
        "SELECT catalogue_id, indicator_code, variable, value, value_text FROM dti.v_submitted_values WHERE year = 2024 AND unit_code = '\(code)'"
    }

    /// Every (node type, relation, index) of the plan of `sql`, from EXPLAIN (FORMAT JSON).
    static func nodes(_ c: PostgresConnection, _ sql: String) throws -> [(type: String, relation: String?, index: String?)] {
        let json = try c.query("EXPLAIN (FORMAT JSON) \(unescaped: sql)")[0][0].decode(String.self)
        var out: [(String, String?, String?)] = []
        func walk(_ node: [String: Any]) {
            out.append((node["Node Type"] as? String ?? "?", node["Relation Name"] as? String, node["Index Name"] as? String))
            for child in node["Plans"] as? [[String: Any]] ?? [] { walk(child) }
        }
        let top = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]]
        if let plan = top?.first?["Plan"] as? [String: Any] { walk(plan) }
        return out
    }

    @Test("one indicator across all units, and one unit's year: index scans of current_sheets and of submission_sheets by id, no sequential scan of either, for the owner and a district login")
    func plans() throws {
        let f = try RollupFixture.make("readers-plan")
        // A history long enough for the planner to choose as it would at scale: the fixture's sheets again for 123
        // earlier years (through the trigger, as a load writes them), then fresh statistics.
        try f.db.simpleQuery("""
            INSERT INTO dti.submission_sheets (batch_id, unit_id, year, stage, item_ids, "values", value_texts, evidences, source_refs, source_lines)
            SELECT s.batch_id, s.unit_id, y, s.stage, s.item_ids, s."values", s.value_texts, s.evidences, s.source_refs, s.source_lines
              FROM dti.submission_sheets s, generate_series(1901, 2023) AS y WHERE s.year = 2024;
            ANALYZE dti.submission_sheets; ANALYZE dti.current_sheets; ANALYZE dti.units; ANALYZE dti.catalogue_items
            """)
        #expect(try f.scalar("SELECT count(*) FROM dti.current_sheets", as: Int.self) > 3000)
        let role = "t_plan_" + UUID().uuidString.prefix(8).lowercased()
        _ = try Logins(connection: f.db).create(role: role, kind: .district, district: RollupFixture.district, password: WarehouseFixture.password(role))
        let district = try PostgresConnection(conninfo: try f.conninfo(as: role))
        defer { district.close(); try? f.db.simpleQuery("DROP ROLE IF EXISTS \"\(role)\"") }
        let history = ["submission_sheets", "current_sheets"]
        for (who, c) in [("owner", f.db), ("district login", district)] {
            for (name, sql) in [("one indicator", Self.oneIndicator), ("one unit", Self.oneUnit(RollupFixture.communes[0]))] {
                let plan = try Self.nodes(c, sql)
                let scans = plan.filter { $0.type == "Seq Scan" && history.contains($0.relation ?? "") }
                #expect(scans.isEmpty, "\(who), \(name): no sequential scan of \(scans.compactMap(\.relation)); plan \(plan)")
                #expect(plan.contains { $0.relation == "submission_sheets" && $0.index == "submission_sheets_id" },
                        "\(who), \(name): each sheet fetched by its id; plan \(plan)")
                // current_sheets by an index (an index scan names it; a bitmap heap scan's child index scan does).
                let indexes = Set(plan.compactMap(\.index))
                let wanted = name == "one indicator" ? ["current_sheets_catalogue_year"] : ["current_sheets_pkey", "current_sheets_catalogue_year"]
                #expect(!indexes.isDisjoint(with: wanted), "\(who), \(name): current_sheets through \(wanted); plan \(plan)")
                // And the answer is the fixture's (the plan reads the right rows).
                #expect(try c.query("SELECT count(*) FROM (\(unescaped: sql)) q")[0][0].decode(Int.self) > 0)
            }
        }
    }
}

@Suite("Analyst views (issue 16 point 3)", .serialized)
struct AnalystViewTests {
    @Test("v_year_comparison names the unit: unit_name, level and parent_code of dti.units on every row, each column commented")
    func yearComparisonNamesTheUnit() throws {
        let f = try HistoryFixture.make("analyst-yc")
        let rows = try f.scalar("SELECT count(*) FROM dti.v_year_comparison", as: Int.self)
        #expect(rows > 10)
        #expect(try f.scalar("""
            SELECT count(*) FROM dti.v_year_comparison c JOIN dti.units u ON u.code = c.unit_code
             WHERE c.unit_name = u.name AND c.level = u.level AND c.parent_code IS NOT DISTINCT FROM u.parent_code
            """, as: Int.self) == rows)
        #expect(try f.scalar("SELECT count(DISTINCT level) FROM dti.v_year_comparison", as: Int.self) >= 1)
        #expect(try f.scalar("SELECT parent_code FROM dti.v_year_comparison WHERE unit_code = \(RollupFixture.district) LIMIT 1", as: String.self) == "bac-giang")
        for column in ["unit_name", "level", "parent_code"] {
            #expect(try f.scalar("""
                SELECT col_description('dti.v_year_comparison'::regclass, a.attnum) IS NOT NULL FROM pg_attribute a
                 WHERE a.attrelid = 'dti.v_year_comparison'::regclass AND a.attname = \(column)
                """, as: Bool.self), "\(column) has a comment")
        }
    }
}
