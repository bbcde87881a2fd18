import Foundation

/// What one unit brings to a scoring run: its values for the catalogue's indicators, its tags (applicability)
/// and its peer group (min–max and ranks are relative to it).
public struct UnitSubmission: Sendable {
    public var unitCode: String
    public var tags: Set<String>
    public var peerGroup: String
    public var values: UnitValues

    public init(unitCode: String, tags: Set<String> = [], peerGroup: String = "", values: UnitValues) {
        self.unitCode = unitCode
        self.tags = tags
        self.peerGroup = peerGroup
        self.values = values
    }
}

public enum IndicatorStatus: String, Sendable, CaseIterable {
    case scored
    case notScored = "not_scored"
    case notApplicable = "not_applicable"
    case noPoints = "no_points"
}

public struct IndicatorResult: Sendable {
    public var code: String
    public var pillarCode: String?
    public var parentCode: String?
    public var isLeaf: Bool
    /// nil unless scored (or, for a parent, some of its children were scored).
    public var points: Decimal?
    public var maxPoints: Decimal?
    public var status: IndicatorStatus
    /// The ratio (or count, or amount) the rule looked at, when there is one.
    public var ratio: Decimal?
    public var notes: [Message]
    /// Set when the rule could not be applied as the source writes it, so the points are flagged (see `ScoreFlag`).
    public var flag: ScoreFlag? = nil
}

/// Why a score is flagged: the rule was applied, but not as the source means it. The points stay what the rule
/// gives (so reports still add up), and every reader shows the flag beside them (`v_indicator_scores.reason`).
public enum ScoreFlag: String, Sendable, CaseIterable {
    /// Min–max in a peer group of one unit: the unit is both best and worst, so it gets full marks whatever its data.
    case singleUnitPeerGroup = "single_unit_peer_group"

    public var message: Message {
        switch self {
        case .singleUnitPeerGroup:
            Message("score.single_unit_peer_group",
                    vi: "nhóm so sánh chỉ có một đơn vị: min–max không áp dụng được như văn bản (đơn vị vừa cao nhất vừa thấp nhất)",
                    en: "a peer group of one unit: min–max cannot apply as written (the unit is both best and worst)")
        }
    }
}

public struct PillarResult: Sendable {
    public var code: String
    public var points: Decimal
    /// The sum of the indicators' points before the pillar policy (capping, rescaling) is applied.
    public var rawPoints: Decimal
    public var maxPoints: Decimal
    public var percent: Decimal?
    public var applicable: Bool
    /// Indicators of the pillar that were not scored (counted as 0), with the reason.
    public var unscored: [String]
}

public struct UnitResult: Sendable {
    public var unitCode: String
    public var peerGroup: String
    public var indicators: [IndicatorResult]
    public var pillars: [PillarResult]
    public var bonusPoints: Decimal
    public var points: Decimal
    public var maxPoints: Decimal
    public var percent: Decimal?
    public var rating: String?

    public func indicator(_ code: String) -> IndicatorResult? { indicators.first { $0.code == code } }
    public func pillar(_ code: String) -> PillarResult? { pillars.first { $0.code == code } }
}

/// Scores every unit of a run against one catalogue: rules, min–max against peers, sub-indicator sums,
/// pillar totals by the catalogue's policy, index, percent and rating. Pure and exact; ranks are left to the
/// caller (the warehouse ranks in SQL on unrounded values).
public struct Scorer: Sendable {
    public let catalogue: Catalogue

    public init(catalogue: Catalogue) { self.catalogue = catalogue }

    public func score(_ units: [UnitSubmission]) -> [UnitResult] {
        // Pass 1: every leaf of every unit, min–max left pending.
        var outcomes: [[String: RuleOutcome]] = []
        var applicability: [[String: Bool]] = []
        let leaves = catalogue.leafIndicators
        let pillarOf = Dictionary(uniqueKeysWithValues: catalogue.pillars.map { ($0.code, $0) })
        for unit in units {
            var map: [String: RuleOutcome] = [:]
            var applies: [String: Bool] = [:]
            for leaf in leaves {
                let ok = isApplicable(leaf, pillar: leaf.pillarCode.flatMap { pillarOf[$0] }, unit: unit)
                applies[leaf.code] = ok
                guard ok, let rule = leaf.rule else { continue }
                map[leaf.code] = rule.score(Self.withFixedValues(unit.values[leaf.code] ?? [:], leaf.variables), max: leaf.maxPoints,
                                            variables: leaf.variables)
            }
            outcomes.append(map)
            applicability.append(applies)
        }

        // Pass 2: min–max within each peer group, on exact ratios.
        for leaf in leaves {
            guard case .minmax(_, let higherIsBetter, _) = leaf.rule, let m = leaf.maxPoints else { continue }
            var groups: [String: [Int]] = [:]
            for (i, unit) in units.enumerated() {
                if case .needsPeers = outcomes[i][leaf.code] { groups[unit.peerGroup, default: []].append(i) }
            }
            for (_, members) in groups {
                let ratios: [Fraction] = members.map {
                    if case .needsPeers(let r, _) = outcomes[$0][leaf.code] { return r }
                    return Fraction(0)
                }
                var best = ratios[0], worst = ratios[0]
                for r in ratios.dropFirst() {
                    if (r - best).numerator > 0 { best = r }
                    if (r - worst).numerator < 0 { worst = r }
                }
                for (k, i) in members.enumerated() {
                    let p = Rule.minmaxPoints(ratio: ratios[k], best: best, worst: worst, higherIsBetter: higherIsBetter, max: m)
                    let note = members.count == 1
                        ? ScoreFlag.singleUnitPeerGroup.message
                        : Message("score.minmax", vi: "min–max trong nhóm \(members.count) đơn vị", en: "min–max within a group of \(members.count) units")
                    outcomes[i][leaf.code] = .points(p, ratio: ratios[k].value, notes: [note])
                }
            }
        }

        // Pass 3: indicators, pillars and index per unit.
        return units.enumerated().map { i, unit in
            assemble(unit: unit, outcomes: outcomes[i], applicability: applicability[i])
        }
    }

    /// Scores a single unit (min–max then compares the unit with itself only).
    public func score(_ unit: UnitSubmission) -> UnitResult { score([unit])[0] }

    /// The values a rule reads: the submitted ones, with each constant the source fixes (004's 3.6 b = 7) and each
    /// alias (d = a) filled in from the catalogue, whatever was submitted for them.
    public static func withFixedValues(_ values: VariableValues, _ variables: [Variable]) -> VariableValues {
        guard variables.contains(where: { !$0.isInput }) else { return values }
        var out = values
        for v in variables {
            if let k = v.constant { out[v.name] = .number(k) }
            else if let a = v.sameAs { out[v.name] = values[a] }
        }
        return out
    }

    private func isApplicable(_ indicator: Indicator, pillar: Pillar?, unit: UnitSubmission) -> Bool {
        if let tag = pillar?.appliesTo?.tag, !unit.tags.contains(tag) { return false }
        if let tag = indicator.appliesTo?.tag, !unit.tags.contains(tag) { return false }
        if let raw = unit.values[indicator.code]?["applicable"], YesNo.parse(raw) == false { return false }
        return true
    }

    private func assemble(unit: UnitSubmission, outcomes: [String: RuleOutcome], applicability: [String: Bool]) -> UnitResult {
        var results: [IndicatorResult] = []

        /// Results for an indicator and its subtree (appended to `results` in document order); returns its own.
        func resolve(_ ind: Indicator) -> IndicatorResult {
            if ind.isLeaf {
                let applies = applicability[ind.code] ?? true
                var r = IndicatorResult(code: ind.code, pillarCode: ind.pillarCode, parentCode: ind.parentCode, isLeaf: true,
                                        points: nil, maxPoints: ind.maxPoints, status: .notScored, ratio: nil, notes: [])
                if !applies {
                    r.status = .notApplicable
                    r.notes = [Notes.notApplicable]
                } else {
                    switch outcomes[ind.code] {
                    case .points(let p, let ratio, let notes)?:
                        r.points = p; r.ratio = ratio; r.notes = notes; r.status = .scored
                        r.flag = ScoreFlag.allCases.first { f in notes.contains { $0.code == f.message.code } }
                    case .notScored(let why)?:
                        r.notes = [why]
                    case .noPoints?:
                        r.status = .noPoints
                    case .needsPeers?, nil:
                        r.notes = [Notes.missing("?")]
                    }
                }
                results.append(r)
                return r
            }
            let index = results.count
            results.append(IndicatorResult(code: ind.code, pillarCode: ind.pillarCode, parentCode: ind.parentCode, isLeaf: false,
                                           points: nil, maxPoints: ind.maxPoints, status: .scored, ratio: nil, notes: []))
            let children = ind.children.map(resolve)
            let applicable = children.filter { $0.status != .notApplicable }
            var parent = results[index]
            if applicable.isEmpty && !children.isEmpty {
                parent.status = .notApplicable
                parent.notes = [Notes.notApplicable]
            } else if applicable.allSatisfy({ $0.status == .noPoints }) {
                parent.status = .noPoints
            } else {
                parent.points = applicable.compactMap(\.points).reduce(0, +)
                let missing = applicable.filter { $0.status == .notScored }.map(\.code)
                if !missing.isEmpty {
                    parent.status = applicable.contains { $0.status == .scored } ? .scored : .notScored
                    parent.notes = [Message("score.children_unscored",
                        vi: "chưa chấm: \(missing.joined(separator: ", ")) (tính 0)",
                        en: "not scored: \(missing.joined(separator: ", ")) (counted as 0)")]
                }
                if parent.maxPoints == nil {
                    parent.maxPoints = ind.children.compactMap(\.maxPoints).reduce(0, +)
                }
            }
            results[index] = parent
            return parent
        }

        var pillarResults: [PillarResult] = []
        for pillar in catalogue.pillars {
            let tops = pillar.indicators.map(resolve)
            let pillarApplies = pillar.appliesTo.map { unit.tags.contains($0.tag) } ?? true
            pillarResults.append(total(pillar: pillar, tops: tops, definitionTops: pillar.indicators, applies: pillarApplies))
        }
        let bonusResults = catalogue.bonus.map(resolve)
        let bonus = bonusResults.compactMap(\.points).reduce(0, +)

        let counted = pillarResults.filter(\.applicable)
        let points = counted.map(\.points).reduce(0, +) + bonus
        let maxPoints = counted.map(\.maxPoints).reduce(0, +)
        let percent: Decimal? = maxPoints > 0 ? (Fraction(points * 100, maxPoints)).value : nil
        let rating = percent.flatMap { catalogue.rating(percent: $0) }
        return UnitResult(unitCode: unit.unitCode, peerGroup: unit.peerGroup, indicators: results, pillars: pillarResults,
                          bonusPoints: bonus, points: points, maxPoints: maxPoints, percent: percent, rating: rating)
    }

    /// Forms a pillar total by the catalogue's policy. Indicators without max points are left out of the max;
    /// a pillar with no max at all (004's pillar 9) is not counted.
    private func total(pillar: Pillar, tops: [IndicatorResult], definitionTops: [Indicator], applies: Bool) -> PillarResult {
        let applicableTops = tops.filter { $0.status != .notApplicable }
        let raw = applicableTops.compactMap(\.points).reduce(0, +)
        let unscored = applicableTops.filter { $0.status == .notScored }.map(\.code)
        let allMax = tops.compactMap(\.maxPoints).reduce(0, +)
        let applicableMax = applicableTops.compactMap(\.maxPoints).reduce(0, +)
        let notApplicableMax = allMax - applicableMax

        guard applies, let printed = pillar.maxPoints ?? (allMax > 0 ? allMax : nil) else {
            return PillarResult(code: pillar.code, points: 0, rawPoints: raw, maxPoints: 0, percent: nil, applicable: false, unscored: unscored)
        }
        var points = raw
        var maxPoints: Decimal
        switch catalogue.policy(for: pillar) {
        case .sum:
            maxPoints = printed - notApplicableMax
        case .capped:
            maxPoints = min(printed, applicableMax)
            if points > maxPoints { points = maxPoints }
        case .rescaled:
            if allMax > 0 {
                points = Fraction(raw * printed, allMax).value
                maxPoints = Fraction(applicableMax * printed, allMax).value
            } else {
                maxPoints = printed
            }
        }
        let percent: Decimal? = maxPoints > 0 ? Fraction(points * 100, maxPoints).value : nil
        return PillarResult(code: pillar.code, points: points, rawPoints: raw, maxPoints: maxPoints, percent: percent,
                            applicable: maxPoints > 0 || applicableTops.contains { $0.status == .scored }, unscored: unscored)
    }
}
