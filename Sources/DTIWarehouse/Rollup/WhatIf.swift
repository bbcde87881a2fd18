// Rollup/ — what-if: "if these inputs were different, what would our points, index and rank be?".
// In: a unit, a year and changed inputs (indicator.variable = value). Out: the new points of every indicator and pillar,
// the index and the rank in the peer group beside today's, and the best next steps. Nothing is written: the changed
// inputs go through the real loader and the real roll-up (the same Scorer) inside a transaction that is rolled back.

import DTICore
import Foundation
import PostgresClient

public struct WhatIf {
    /// One changed input: `8.8.a=120` is indicator 8.8, variable a, value 120 (the indicator code may have dots;
    /// the variable is the last part).
    public struct Change: Sendable, Equatable {
        public var indicator: String
        public var variable: String
        public var value: String
        public init(indicator: String, variable: String, value: String) {
            self.indicator = indicator; self.variable = variable; self.value = value
        }

        public static func parse(_ s: String) throws -> Change {
            guard let eq = s.firstIndex(of: "="), let dot = s[..<eq].lastIndex(of: ".") else {
                throw DTIError(.usage, vi: "--set '\(s)' không hợp lệ: viết CHỈSỐ.BIẾN=GIÁTRỊ, ví dụ 8.8.count=12",
                               en: "--set '\(s)' is not valid: write INDICATOR.VARIABLE=VALUE, e.g. 8.8.count=12")
            }
            let indicator = String(s[..<dot]).trimmingCharacters(in: .whitespaces)
            let variable = String(s[s.index(after: dot)..<eq]).trimmingCharacters(in: .whitespaces)
            let value = String(s[s.index(after: eq)...]).trimmingCharacters(in: .whitespaces)
            guard !indicator.isEmpty, !variable.isEmpty, !value.isEmpty else {
                throw DTIError(.usage, vi: "--set '\(s)' thiếu chỉ số, biến hoặc giá trị", en: "--set '\(s)' lacks an indicator, a variable or a value")
            }
            return Change(indicator: indicator, variable: variable, value: value)
        }
    }

    /// Points of the index, a pillar (`code` = pillar) or an indicator, today and with the changes.
    public struct Line: Sendable, Equatable {
        public var code: String
        public var name: String
        public var before: Decimal?
        public var after: Decimal?
        public var maxPoints: Decimal?
        public var delta: Decimal? { after.map { $0 - (before ?? 0) } }
    }

    /// Full marks on one indicator: how many points of the index it would add.
    public struct Step: Sendable, Equatable {
        public var indicator: String
        public var name: String
        public var pillar: String
        public var lost: Decimal
        public var indexGain: Decimal
        public var lead: String?
    }

    public struct Result: Sendable {
        public var unit: String
        public var unitName: String
        public var year: Int
        public var catalogue: String
        public var stage: Stage
        public var changes: [Change]
        public var index: Line
        public var percentBefore: Decimal?
        public var percentAfter: Decimal?
        public var rankBefore: Int?
        public var rankAfter: Int?
        public var peers: Int
        public var pillars: [Line]
        public var indicators: [Line]
        /// Only the indicators whose points change.
        public var changedIndicators: [Line] { indicators.filter { $0.before != $0.after } }
        public var bestNextSteps: [Step]
    }

    let connection: PostgresConnection
    /// `connection` must be able to load and roll up (an ETL login or the owner): the changes are loaded and rolled
    /// up for real inside a transaction that is always rolled back.
    public init(connection: PostgresConnection) { self.connection = connection }

    public func run(unit: String, year: Int, changes: [Change]) throws -> Result {
        let head = try connection.query("""
            SELECT unit_code, unit_name, catalogue_id, stage::text AS stage, peer_group FROM dti.v_unit_index
             WHERE unit_code = \(unit) AND year = \(year) AND NOT derived ORDER BY catalogue_id LIMIT 1
            """)
        guard let h = head.first else {
            throw DTIError(.usage, vi: "đơn vị '\(unit)' chưa có kết quả năm \(year) (chưa tổng hợp — dti rollup — hoặc không được xem)",
                           en: "unit '\(unit)' has no results for \(year) (not rolled up — dti rollup — or not visible to this login)")
        }
        let catalogue: String = try h["catalogue_id"].decode()
        let stage = Stage(rawValue: try h["stage"].decode(String.self)) ?? .final
        let unitName: String = try h["unit_name"].decode()
        let province = try connection.query("""
            WITH RECURSIVE up AS (SELECT code, parent_code, level FROM dti.units WHERE code = \(unit)
                                  UNION ALL SELECT u.code, u.parent_code, u.level FROM dti.units u JOIN up ON u.code = up.parent_code)
            SELECT code FROM up WHERE level = 'province' LIMIT 1
            """).first.map { try $0["code"].decode(String.self) } ?? String(unit.split(separator: ".").first ?? "")

        let before = try snapshot(unit: unit, year: year, catalogue: catalogue, stage: stage)
        let steps = try bestNextSteps(unit: unit, year: year, catalogue: catalogue, stage: stage)

        // The changed inputs, as a file of the long CSV any district could have sent.
        var csv = "unit_code,year,catalogue,indicator,variable,value,evidence,stage\n"
        for c in changes {
            csv += [unit, String(year), catalogue, c.indicator, c.variable, c.value, "what-if", stage.rawValue].map(Self.csvField).joined(separator: ",") + "\n"
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("dti-whatif-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("whatif.csv").path
        try Data(csv.utf8).write(to: URL(fileURLWithPath: path))

        struct RolledBack: Error {}
        var after: Snapshot? = nil
        var loadFailure: SubmissionLoader.Report? = nil
        do {
            try connection.transaction { db in
                if !changes.isEmpty {
                    let load = try SubmissionLoader(connection: db).load(path: path, options: .init(stage: stage))
                    if !load.rejected.isEmpty { loadFailure = load; throw RolledBack() }
                }
                _ = try Rollup(connection: db).run(province: province, year: year, stage: stage)
                after = try snapshot(unit: unit, year: year, catalogue: catalogue, stage: stage, on: db)
                throw RolledBack()
            }
        } catch is RolledBack {}
        if let load = loadFailure {
            let text = load.rejected.map { "\($0.indicator).\($0.variable)=\($0.raw): \(Say.text($0.message))" }.joined(separator: "; ")
            throw DTIError(.inputRejected, vi: "giá trị thử không hợp lệ: \(text)", en: "the changed values are rejected: \(text)")
        }
        guard let after else { throw DTIError(.database, vi: "không tính được kết quả thử", en: "the what-if produced no result") }

        func lines(_ b: [String: (String, Decimal?, Decimal?)], _ a: [String: (String, Decimal?, Decimal?)], order: [String]) -> [Line] {
            order.map { code in
                Line(code: code, name: b[code]?.0 ?? a[code]?.0 ?? "", before: b[code]?.1, after: a[code]?.1, maxPoints: a[code]?.2 ?? b[code]?.2)
            }
        }
        return Result(unit: unit, unitName: unitName, year: year, catalogue: catalogue, stage: stage, changes: changes,
                      index: Line(code: "", name: "DTI", before: before.points, after: after.points, maxPoints: after.maxPoints),
                      percentBefore: before.percent, percentAfter: after.percent, rankBefore: before.rank, rankAfter: after.rank,
                      peers: after.peers,
                      pillars: lines(before.pillars, after.pillars, order: after.pillarOrder.isEmpty ? before.pillarOrder : after.pillarOrder),
                      indicators: lines(before.indicators, after.indicators, order: after.indicatorOrder.isEmpty ? before.indicatorOrder : after.indicatorOrder),
                      bestNextSteps: steps)
    }

    struct Snapshot {
        var points: Decimal?
        var maxPoints: Decimal?
        var percent: Decimal?
        var rank: Int?
        var peers: Int
        var pillars: [String: (String, Decimal?, Decimal?)] = [:]
        var pillarOrder: [String] = []
        var indicators: [String: (String, Decimal?, Decimal?)] = [:]
        var indicatorOrder: [String] = []
    }

    func snapshot(unit: String, year: Int, catalogue: String, stage: Stage, on db: PostgresConnection? = nil) throws -> Snapshot {
        let db = db ?? connection
        let idx = try db.query("""
            SELECT points, max_points, percent, rank, peer_group FROM dti.unit_index
             WHERE unit_code = \(unit) AND year = \(year) AND catalogue_id = \(catalogue) AND stage = \(stage.rawValue)::dti.stage
            """)
        guard let i = idx.first else { return Snapshot(peers: 0) }
        let group: String = try i["peer_group"].decode()
        let peers = try db.query("""
            SELECT count(*) AS n FROM dti.unit_index WHERE year = \(year) AND catalogue_id = \(catalogue) AND stage = \(stage.rawValue)::dti.stage
               AND peer_group = \(group) AND NOT derived
            """)[0]["n"].decode(Int.self)
        var s = Snapshot(points: try i["points"].decode(Decimal?.self), maxPoints: try i["max_points"].decode(Decimal?.self),
                         percent: try i["percent"].decode(Decimal?.self), rank: try i["rank"].decode(Int?.self), peers: peers)
        for r in try db.query("""
            SELECT pillar_code, coalesce(pillar_display_name, pillar_name) AS pillar_name, points, max_points FROM dti.v_pillar_scores_all_stages
             WHERE unit_code = \(unit) AND year = \(year) AND catalogue_id = \(catalogue) AND stage = \(stage.rawValue)::dti.stage
             ORDER BY pillar_ordinal
            """) {
            let code: String = try r["pillar_code"].decode()
            s.pillars[code] = (try r["pillar_name"].decode(String?.self) ?? code, try r["points"].decode(Decimal?.self), try r["max_points"].decode(Decimal?.self))
            s.pillarOrder.append(code)
        }
        for r in try db.query("""
            SELECT indicator_code, indicator_display_name AS indicator_name, points, max_points FROM dti.v_indicator_scores_all_stages
             WHERE unit_code = \(unit) AND year = \(year) AND catalogue_id = \(catalogue) AND stage = \(stage.rawValue)::dti.stage
             ORDER BY indicator_ordinal
            """) {
            let code: String = try r["indicator_code"].decode()
            s.indicators[code] = (try r["indicator_name"].decode(String?.self) ?? code, try r["points"].decode(Decimal?.self), try r["max_points"].decode(Decimal?.self))
            s.indicatorOrder.append(code)
        }
        return s
    }

    /// The top-level indicators whose full marks would raise the index most. The gain follows the pillar's total
    /// policy exactly as the Scorer forms it: `sum` adds the points lost, `capped` adds them up to the pillar's max,
    /// `rescaled` adds them × the pillar's printed max ÷ the sum of its indicators' maxima.
    public func bestNextSteps(unit: String, year: Int, catalogue: String, stage: Stage, limit: Int = 10) throws -> [Step] {
        let pillars = try connection.query("""
            SELECT p.pillar_code, p.points, p.raw_points, p.max_points, p.total_policy,
                   (SELECT sum(i.max_points) FROM dti.v_indicator_scores_all_stages i
                     WHERE i.unit_code = p.unit_code AND i.year = p.year AND i.catalogue_id = p.catalogue_id AND i.stage = p.stage
                       AND i.pillar_code = p.pillar_code AND i.parent_code IS NULL AND i.status <> 'not_applicable') AS tops_max
              FROM dti.v_pillar_scores_all_stages p
             WHERE p.unit_code = \(unit) AND p.year = \(year) AND p.catalogue_id = \(catalogue) AND p.stage = \(stage.rawValue)::dti.stage
            """)
        struct P { var points: Decimal; var raw: Decimal; var max: Decimal; var policy: String; var topsMax: Decimal }
        var byCode: [String: P] = [:]
        for r in pillars {
            byCode[try r["pillar_code"].decode(String.self)] = P(points: try r["points"].decode(Decimal?.self) ?? 0, raw: try r["raw_points"].decode(Decimal?.self) ?? 0,
                                                                 max: try r["max_points"].decode(Decimal?.self) ?? 0, policy: r["total_policy"].text ?? "sum",
                                                                 topsMax: try r["tops_max"].decode(Decimal?.self) ?? 0)
        }
        var steps: [Step] = []
        for r in try connection.query("""
            SELECT indicator_code, indicator_display_name AS indicator_name, pillar_code, points, max_points, lead_display AS lead FROM dti.v_indicator_scores_all_stages
             WHERE unit_code = \(unit) AND year = \(year) AND catalogue_id = \(catalogue) AND stage = \(stage.rawValue)::dti.stage
               AND parent_code IS NULL AND status <> 'not_applicable' AND max_points IS NOT NULL
               AND coalesce(points, 0) < max_points
            """) {
            let pillar = r["pillar_code"].text ?? ""
            let lost = (try r["max_points"].decode(Decimal.self)) - (try r["points"].decode(Decimal?.self) ?? 0)
            guard let p = byCode[pillar] else { continue }
            let gain: Decimal
            switch p.policy {
            case "capped": gain = max(0, min(p.raw + lost, p.max) - p.points)
            case "rescaled": gain = p.topsMax > 0 ? Fraction(lost * p.max, p.topsMax).value : 0
            default: gain = lost
            }
            guard gain > 0 else { continue }
            steps.append(Step(indicator: try r["indicator_code"].decode(), name: r["indicator_name"].text ?? "", pillar: pillar, lost: lost,
                              indexGain: gain, lead: r["lead"].text))
        }
        steps.sort { $0.indexGain != $1.indexGain ? $0.indexGain > $1.indexGain : $0.indicator.compare($1.indicator, options: .numeric) == .orderedAscending }
        return Array(steps.prefix(limit))
    }

    static func csvField(_ s: String) -> String {
        s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
    }
}
