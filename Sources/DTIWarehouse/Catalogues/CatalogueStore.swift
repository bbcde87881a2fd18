// Catalogues/ — indicator catalogues. In: etl/catalogues/*.yaml, parsed and linted by DTICore. Out: catalogue versions
// in the database (pillars, indicators, variables, rules) and their printed tree (`dti catalogue load|list|show`).

import Crypto
import DTICore
import Foundation
import PostgresClient

/// Catalogues in the database, as versions: `dti catalogue load | list | show`.
/// A file is identified by the sha256 of its bytes: reloading an identical file changes nothing; a changed file
/// becomes a new version. Files are linted first, and a file with any lint error is refused before the database
/// is touched.
public struct CatalogueStore {
    public struct LoadResult: Sendable {
        public var catalogueId: String
        public var file: String
        public var version: Int
        public var versionId: Int
        /// false when the file was identical to the current version.
        public var changed: Bool
        public var indicators: Int
    }

    public struct Summary: Sendable {
        public var catalogueId: String
        public var version: Int
        public var versionId: Int
        public var title: String
        public var kind: String
        public var levels: [String]
        public var yearFrom: Int
        public var yearTo: Int
        public var pillars: Int
        public var indicators: Int
        public var maxPoints: Decimal?
        public var loadedAt: String
        public var sha256: String
    }

    let connection: PostgresConnection

    public init(connection: PostgresConnection) { self.connection = connection }

    /// Lints then loads the files, all in one transaction.
    public func load(paths: [String]) throws -> [LoadResult] {
        let checked = CatalogueFiles.checkAll(paths: paths)
        let bad = checked.filter(\.hasErrors)
        if !bad.isEmpty {
            let lines = bad.flatMap { $0.diagnostics.errors.map { $0.text(Say.language) } }
            throw DTIError(.inputRejected,
                vi: "\(bad.count) tệp bộ chỉ số có lỗi: không nạp gì (xem dti catalogue lint)",
                en: "\(bad.count) catalogue files have errors: nothing loaded (see dti catalogue lint)", details: lines)
        }
        var seen: [String: String] = [:]
        for c in checked {
            let id = c.catalogue!.id
            if let other = seen[id] {
                throw DTIError(.inputRejected, vi: "hai tệp cùng id '\(id)': \(other) và \(c.path)", en: "two files share the id '\(id)': \(other) and \(c.path)")
            }
            seen[id] = c.path
        }
        return try connection.transaction { db in
            try db.execute("SELECT pg_advisory_xact_lock(hashtext('dti.catalogue_load'))")
            let results = try checked.map { try store($0, db: db) }
            try CatalogueChecksStore.fillMissing(db: db)   // versions loaded before migration 0028 (issue 16)
            return results
        }
    }

    static func sha256Hex(_ data: Data) -> String {
        SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }

    private func store(_ file: CatalogueFiles.Checked, db: PostgresConnection) throws -> LoadResult {
        let c = file.catalogue!
        let sha = Self.sha256Hex(file.bytes)
        let current = try db.query("""
            SELECT v.version_id, v.version, v.sha256 FROM dti.catalogues c JOIN dti.catalogue_versions v ON v.version_id = c.current_version
             WHERE c.catalogue_id = \(c.id)
            """)
        if current.count == 1, current[0]["sha256"].text == sha {
            // A version loaded before migration 0031 marks every variable an input: its constants and aliases are not.
            let notInputs = c.allIndicators.flatMap { i in i.variables.filter { !$0.isInput }.map { ["i": i.code, "v": $0.name] } }
            if !notInputs.isEmpty {
                let json = String(decoding: try JSONEncoder().encode(notInputs), as: UTF8.self)
                try db.execute("""
                    UPDATE dti.indicator_variables iv SET is_input = false
                      FROM jsonb_to_recordset(\(json)::jsonb) AS x(i text, v text)
                     WHERE iv.version_id = \(try current[0]["version_id"].decode(Int.self)) AND iv.indicator_code = x.i AND iv.variable = x.v AND iv.is_input
                    """)
            }
            return LoadResult(catalogueId: c.id, file: file.path, version: try current[0]["version"].decode(Int.self),
                              versionId: try current[0]["version_id"].decode(Int.self), changed: false, indicators: c.allIndicators.count)
        }
        try db.execute("INSERT INTO dti.catalogues (catalogue_id) VALUES (\(c.id)) ON CONFLICT DO NOTHING")
        let levels = "{" + c.levels.map(\.rawValue).joined(separator: ",") + "}"
        let inserted = try db.query("""
            INSERT INTO dti.catalogue_versions (catalogue_id, version, sha256, file_name, source_text, title, kind, levels,
                year_from, year_to, evaluator, total_policy, declared_total, scope, deadline, notes)
            SELECT \(c.id), coalesce(max(version), 0) + 1, \(sha), \((file.path as NSString).lastPathComponent), \(file.text), \(c.title),
                   \(c.kind.rawValue), \(levels)::dti.unit_level[], \(c.years.lowerBound), \(c.years.upperBound), \(c.evaluator),
                   \(c.totalPolicy.rawValue), \(c.declaredTotal.map(\.machineText))::numeric, \(c.scope)::text[], \(c.deadline), \(c.notes)::text[]
              FROM dti.catalogue_versions WHERE catalogue_id = \(c.id)
            RETURNING version_id, version
            """)
        let versionId = try inserted[0]["version_id"].decode(Int.self)
        let version = try inserted[0]["version"].decode(Int.self)
        let rows = CatalogueRows(c)

        try db.execute("""
            INSERT INTO dti.pillars (version_id, pillar_code, ordinal, name, max_points, group_name, total_policy, applies_to_tag, notes)
            SELECT \(versionId), code, ordinal, name, max_points::numeric, group_name, total_policy, applies_to_tag, notes
              FROM jsonb_to_recordset(\(try rows.json(rows.pillars))::jsonb)
                   AS x(code text, ordinal int, name text, max_points text, group_name text, total_policy text, applies_to_tag text, notes text[])
            """)
        try db.execute("""
            INSERT INTO dti.indicators (version_id, indicator_code, ordinal, pillar_code, parent_code, name, max_points, rule_kind, rule_formula,
                lead, supporting, evidence, deadline, how, applies_to_tag, is_leaf, is_bonus, notes)
            SELECT \(versionId), code, ordinal, pillar_code, parent_code, name, max_points::numeric, rule_kind, rule_formula,
                   lead, supporting, evidence, deadline, how, applies_to_tag, is_leaf, is_bonus, notes
              FROM jsonb_to_recordset(\(try rows.json(rows.indicators))::jsonb)
                   AS x(code text, ordinal int, pillar_code text, parent_code text, name text, max_points text, rule_kind text, rule_formula text,
                        lead text, supporting text, evidence text, deadline text, how text, applies_to_tag text, is_leaf bool, is_bonus bool, notes text[])
            """)
        let variablesJSON = try rows.json(rows.variables)
        try db.execute("""
            INSERT INTO dti.catalogue_items (catalogue_id, indicator_code, variable)
            SELECT \(c.id), indicator_code, variable FROM jsonb_to_recordset(\(variablesJSON)::jsonb) AS x(indicator_code text, variable text)
            ON CONFLICT DO NOTHING
            """)
        try db.execute("""
            INSERT INTO dti.indicator_variables (version_id, indicator_code, variable, item_id, meaning, kind, unit_of_measure, profile_field,
                previous_year_of, allow_negative, max_value, choice_values, ordinal, percent_scale, is_input)
            SELECT \(versionId), x.indicator_code, x.variable, i.item_id, x.meaning, x.kind, x.unit_of_measure, x.profile_field,
                   x.previous_year_of, x.allow_negative, x.max_value::numeric, x.choice_values, x.ordinal, x.percent_scale, coalesce(x.is_input, true)
              FROM jsonb_to_recordset(\(variablesJSON)::jsonb)
                   AS x(indicator_code text, variable text, meaning text, kind text, unit_of_measure text, profile_field text,
                        previous_year_of text, allow_negative bool, max_value text, choice_values text[], ordinal int, percent_scale text,
                        is_input bool)
              JOIN dti.catalogue_items i ON i.catalogue_id = \(c.id) AND i.indicator_code = x.indicator_code AND i.variable = x.variable
            """)
        try db.execute("""
            INSERT INTO dti.ratio_limits (version_id, indicator_code, numerator, denominator)
            SELECT \(versionId), indicator_code, numerator, denominator
              FROM jsonb_to_recordset(\(try rows.json(rows.ratioLimits))::jsonb) AS x(indicator_code text, numerator text, denominator text)
            """)
        try db.execute("""
            INSERT INTO dti.feeds (version_id, source_item_id, target_catalogue, target_indicator, target_variable, how, precedence)
            SELECT \(versionId), i.item_id, x.target_catalogue, x.target_indicator, x.target_variable, x.how, x.precedence
              FROM jsonb_to_recordset(\(try rows.json(rows.feeds))::jsonb)
                   AS x(indicator_code text, variable text, target_catalogue text, target_indicator text, target_variable text, how text, precedence text)
              JOIN dti.catalogue_items i ON i.catalogue_id = \(c.id) AND i.indicator_code = x.indicator_code AND i.variable = x.variable
            """)
        try CatalogueDisplayStore.store(c, versionId: versionId, db: db)
        try CatalogueChecksStore.store(c, versionId: versionId, db: db)
        try db.execute("UPDATE dti.catalogues SET current_version = \(versionId) WHERE catalogue_id = \(c.id)")
        return LoadResult(catalogueId: c.id, file: file.path, version: version, versionId: versionId, changed: true, indicators: c.allIndicators.count)
    }

    /// What is loaded: the current version of every catalogue.
    public func list() throws -> [Summary] {
        let rows = try connection.query("""
            SELECT v.catalogue_id, v.version, v.version_id, v.title, v.kind, v.levels::text[] AS levels, v.year_from, v.year_to, v.sha256,
                   to_char(v.loaded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') AS loaded_at,
                   (SELECT count(*) FROM dti.pillars p WHERE p.version_id = v.version_id) AS pillars,
                   (SELECT count(*) FROM dti.indicators i WHERE i.version_id = v.version_id) AS indicators,
                   (SELECT sum(p.max_points) FROM dti.pillars p WHERE p.version_id = v.version_id) AS max_points
              FROM dti.catalogues c JOIN dti.catalogue_versions v ON v.version_id = c.current_version
             ORDER BY v.catalogue_id
            """)
        return try rows.map { r in
            Summary(catalogueId: try r["catalogue_id"].decode(), version: try r["version"].decode(), versionId: try r["version_id"].decode(),
                    title: try r["title"].decode(), kind: try r["kind"].decode(), levels: try r["levels"].decode(),
                    yearFrom: try r["year_from"].decode(), yearTo: try r["year_to"].decode(), pillars: try r["pillars"].decode(),
                    indicators: try r["indicators"].decode(), maxPoints: try r["max_points"].decode(Decimal?.self),
                    loadedAt: try r["loaded_at"].decode(), sha256: try r["sha256"].decode())
        }
    }

    /// A loaded version parsed back into the model (the same parser as `dti score`, so scoring in the warehouse and
    /// without it cannot differ). Without a version: the current one.
    public func catalogue(_ id: String, versionId: Int? = nil) throws -> (versionId: Int, version: Int, catalogue: Catalogue) {
        let rows: PostgresRows
        if let versionId {
            rows = try connection.query("SELECT version_id, version, file_name, source_text FROM dti.catalogue_versions WHERE version_id = \(versionId)")
        } else {
            rows = try connection.query("""
                SELECT v.version_id, v.version, v.file_name, v.source_text FROM dti.catalogues c
                  JOIN dti.catalogue_versions v ON v.version_id = c.current_version WHERE c.catalogue_id = \(id)
                """)
        }
        guard rows.count == 1 else {
            if versionId == nil { try Lookup(connection: connection).catalogue(id) }   // unknown: close matches
            throw DTIError(.usage, vi: "bộ chỉ số '\(id)' chưa được nạp (dti catalogue list)", en: "catalogue '\(id)' is not loaded (dti catalogue list)")
        }
        let c = try Self.parsed(id, file: try rows[0]["file_name"].decode(), text: try rows[0]["source_text"].decode())
        return (try rows[0]["version_id"].decode(), try rows[0]["version"].decode(), c)
    }

    /// A stored version's source, parsed (once per process: `ParsedCatalogues`); one that no longer parses is an error.
    static func parsed(_ id: String, file: String, text: String) throws -> Catalogue {
        if let c = ParsedCatalogues.shared.get(file: file, text: text) { return c }
        let (parsed, diagnostics) = CatalogueParser.parse(text, file: file)
        guard let c = parsed, !diagnostics.hasErrors else {
            throw DTIError(.database, vi: "bộ chỉ số '\(id)' trong CSDL không đọc lại được", en: "catalogue '\(id)' in the database cannot be read back",
                           details: diagnostics.map(\.description))
        }
        ParsedCatalogues.shared.put(file: file, text: text, c)
        return c
    }
}

/// The current versions of the scored and profile catalogues, read in one query and parsed on a background thread
/// while the caller goes on with the database: `dti rollup` gathers and derives in PostgreSQL meanwhile, and parsing
/// the YAML was a tenth of its own CPU time, spent waiting (make bench). `wait()` gives them in catalogue order.
final class CataloguePrefetch: @unchecked Sendable {
    struct Version { var catalogueId: String; var versionId: Int; var kind: String; var file: String; var text: String }
    private let versions: [Version]
    private let group = DispatchGroup()
    private var parsed: [Result<Catalogue, any Error>] = []

    init(_ db: PostgresConnection) throws {
        versions = try db.query("""
            SELECT c.catalogue_id, v.version_id, v.kind, v.file_name, v.source_text
              FROM dti.catalogues c JOIN dti.catalogue_versions v ON v.version_id = c.current_version
             WHERE v.kind IN ('scored', 'profile') ORDER BY c.catalogue_id
            """).map {
            Version(catalogueId: try $0["catalogue_id"].decode(), versionId: try $0["version_id"].decode(), kind: try $0["kind"].decode(),
                    file: try $0["file_name"].decode(), text: try $0["source_text"].decode())
        }
        DispatchQueue.global().async(group: group) { [self] in
            parsed = versions.map { v in Result { try CatalogueStore.parsed(v.catalogueId, file: v.file, text: v.text) } }
        }
    }

    /// Each version with its catalogue, or the error `CatalogueStore.catalogue` gives for one that does not parse.
    func wait() -> [(version: Version, catalogue: Result<Catalogue, any Error>)] {
        group.wait()
        return Array(zip(versions, parsed))
    }
}

/// Catalogues already parsed in this process, by their file name and exact source text: `dti rollup` reads the same
/// versions once per province, and parsing a catalogue's YAML again each time was most of its own CPU time (make
/// bench). Keyed by the text itself, not a version id, so two databases of one process (the tests) never share an
/// entry unless their sources are the same bytes; the parser is pure, so the same text gives the same catalogue.
final class ParsedCatalogues: @unchecked Sendable {
    static let shared = ParsedCatalogues()
    private struct Key: Hashable { var file: String; var text: String }
    private let lock = NSLock()
    private var entries: [Key: Catalogue] = [:]

    func get(file: String, text: String) -> Catalogue? {
        lock.lock(); defer { lock.unlock() }
        return entries[Key(file: file, text: text)]
    }

    func put(file: String, text: String, _ c: Catalogue) {
        lock.lock(); defer { lock.unlock() }
        if entries.count >= 64 { entries.removeAll() }
        entries[Key(file: file, text: text)] = c
    }
}

/// The rows of the catalogue tables for one catalogue, as JSON for `jsonb_to_recordset` (one set-based insert per table).
struct CatalogueRows {
    struct PillarRow: Encodable {
        let code: String; let ordinal: Int; let name: String; let max_points: String?
        let group_name: String?; let total_policy: String?; let applies_to_tag: String?; let notes: [String]
    }
    struct IndicatorRow: Encodable {
        let code: String; let ordinal: Int; let pillar_code: String?; let parent_code: String?; let name: String; let max_points: String?
        let rule_kind: String?; let rule_formula: String?; let lead: String?; let supporting: String?; let evidence: String?
        let deadline: String?; let how: String?; let applies_to_tag: String?; let is_leaf: Bool; let is_bonus: Bool; let notes: [String]
    }
    struct VariableRow: Encodable {
        let indicator_code: String; let variable: String; let meaning: String; let kind: String; let unit_of_measure: String?
        let profile_field: String?; let previous_year_of: String?; let allow_negative: Bool; let max_value: String?
        let choice_values: [String]?; let ordinal: Int
        /// How "45%" is read (`scale:`): percent, ratio or nil (migration 0024).
        var percent_scale: String? = nil
        /// false for a constant or an alias (migration 0031): not submitted, so not owed (v_submission_status).
        var is_input: Bool? = nil
    }
    struct RatioLimitRow: Encodable { let indicator_code: String; let numerator: String; let denominator: String }
    struct FeedRow: Encodable {
        let indicator_code: String; let variable: String; let target_catalogue: String; let target_indicator: String
        let target_variable: String; let how: String; let precedence: String
    }

    var pillars: [PillarRow] = []
    var indicators: [IndicatorRow] = []
    var variables: [VariableRow] = []
    var ratioLimits: [RatioLimitRow] = []
    var feeds: [FeedRow] = []

    init(_ c: Catalogue) {
        for (k, p) in c.pillars.enumerated() {
            pillars.append(PillarRow(code: p.code, ordinal: k + 1, name: p.name, max_points: p.maxPoints?.machineText, group_name: p.group,
                                     total_policy: p.totalPolicy?.rawValue, applies_to_tag: p.appliesTo?.tag, notes: p.notes))
        }
        for (k, i) in c.allIndicators.enumerated() {
            indicators.append(IndicatorRow(code: i.code, ordinal: k + 1, pillar_code: i.pillarCode, parent_code: i.parentCode, name: i.name,
                                           max_points: i.maxPoints?.machineText, rule_kind: i.rule?.kind, rule_formula: i.rule.flatMap(Self.formulaText),
                                           lead: i.lead, supporting: i.supporting, evidence: i.evidence, deadline: i.deadline, how: i.how,
                                           applies_to_tag: i.appliesTo?.tag, is_leaf: i.isLeaf, is_bonus: i.rule?.isBonus ?? false, notes: i.notes))
            guard i.isLeaf, let rule = i.rule else { continue }
            var ordinal = 0
            for v in i.variables {
                ordinal += 1
                var choices: [String]? = nil
                if v.kind == .choice, case .choice(let name, let options) = rule, name == v.name {
                    choices = options.flatMap { [$0.code, $0.label] }.map { $0.precomposedStringWithCanonicalMapping.lowercased() }
                }
                variables.append(VariableRow(indicator_code: i.code, variable: v.name, meaning: v.meaning, kind: v.kind.rawValue, unit_of_measure: v.unit,
                                             profile_field: v.profile, previous_year_of: v.previousYearOf, allow_negative: v.allowNegative,
                                             max_value: nil, choice_values: choices, ordinal: ordinal, percent_scale: v.scale?.rawValue,
                                             is_input: v.isInput))
                for f in v.feeds {
                    feeds.append(FeedRow(indicator_code: i.code, variable: v.name, target_catalogue: f.catalogue, target_indicator: f.indicator,
                                         target_variable: f.variable, how: f.how.rawValue, precedence: f.precedence.rawValue))
                }
            }
            if rule.kind == "direct" || rule.kind == "bonus", i.variable("points") == nil {
                ordinal += 1
                let cap: Decimal? = { if case .bonus(let cap) = rule { return cap }; return i.maxPoints }()
                variables.append(VariableRow(indicator_code: i.code, variable: "points", meaning: "Điểm do cơ quan đánh giá chấm / points awarded",
                                             kind: "points", unit_of_measure: "điểm", profile_field: nil, previous_year_of: nil, allow_negative: false,
                                             max_value: cap?.machineText, choice_values: nil, ordinal: ordinal))
            }
            if rule.kind != "data", i.variable("applicable") == nil {
                ordinal += 1
                variables.append(VariableRow(indicator_code: i.code, variable: "applicable", meaning: "Chỉ số có áp dụng cho đơn vị không (không = loại khỏi điểm và điểm tối đa) / does the indicator apply to the unit",
                                             kind: "yesno", unit_of_measure: nil, profile_field: nil, previous_year_of: nil, allow_negative: false,
                                             max_value: nil, choice_values: nil, ordinal: ordinal))
            }
            if case .ratio(let f, .reject, _) = rule, case .divide(.variable(let n), .variable(let d)) = f {
                ratioLimits.append(RatioLimitRow(indicator_code: i.code, numerator: n, denominator: d))
            }
        }
    }

    static func formulaText(_ rule: Rule) -> String? {
        switch rule {
        case .ratio(let f, _, _), .target(let f, _, _, _), .tiers(let f, _, _, _, _), .minmax(let f, _, _), .growth(let f, _, _): return f.description
        default: return nil
        }
    }

    func json<T: Encodable>(_ rows: [T]) throws -> String {
        String(decoding: try JSONEncoder().encode(rows), as: UTF8.self)
    }
}
