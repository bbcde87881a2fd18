import Foundation

/// What to do when a formula divides by zero (b = 0).
public enum ZeroDenominatorPolicy: String, Sendable, CaseIterable {
    /// the indicator is not scored, with the reason (default)
    case unscored
    /// 0 points
    case zero
    /// full marks (e.g. "incidents handled / incidents" with no incident at all)
    case full
}

/// What to do when a ratio comes out above 1 (a > b).
public enum OverOnePolicy: String, Sendable, CaseIterable {
    /// count it as 1, with a note (default)
    case cap
    /// keep it: points may exceed max
    case allow
    /// refuse it: the load rejects the record, the pure core does not score it
    case reject
}

/// How a `target` rule scores below its target.
public enum TargetBelow: String, Sendable, CaseIterable {
    /// ratio ÷ target × max (default)
    case scaled
    /// ratio × max, as some sources print it
    case ratio
}

public enum DeductionStart: String, Sendable, CaseIterable {
    case max, zero
}

public struct Tier: Sendable, Hashable {
    public var atLeast: Decimal
    public var fraction: Decimal
}

public struct ChoiceOption: Sendable, Hashable {
    public var code: String
    public var label: String
    public var fraction: Decimal
}

public struct CompositePart: Sendable {
    public var weight: Decimal
    public var label: String?
    public var rule: Rule
}

/// How an indicator turns a unit's data into points. See `etl/catalogues/README.md`.
public indirect enum Rule: Sendable {
    case ratio(formula: Formula, overOne: OverOnePolicy, zeroDenominator: ZeroDenominatorPolicy)
    case target(formula: Formula, target: Decimal, below: TargetBelow, zeroDenominator: ZeroDenominatorPolicy)
    case tiers(formula: Formula, levels: [Tier], otherwise: Decimal, gate: String?, zeroDenominator: ZeroDenominatorPolicy)
    case yesno(variable: String, yes: Decimal, no: Decimal)
    case choice(variable: String, options: [ChoiceOption])
    case composite(parts: [CompositePart])
    case perItem(variable: String, points: Decimal, cap: Decimal?)
    case minmax(formula: Formula, higherIsBetter: Bool, zeroDenominator: ZeroDenominatorPolicy)
    case growth(formula: Formula, reference: Decimal, zeroDenominator: ZeroDenominatorPolicy)
    case deduction(variable: String, points: Decimal, start: DeductionStart, floor: Decimal?)
    case direct
    case bonus(cap: Decimal?)
    case data

    /// The kind as written in catalogue files.
    public var kind: String {
        switch self {
        case .ratio: "ratio"
        case .target: "target"
        case .tiers: "tiers"
        case .yesno: "yesno"
        case .choice: "choice"
        case .composite: "composite"
        case .perItem: "per_item"
        case .minmax: "minmax"
        case .growth: "growth"
        case .deduction: "deduction"
        case .direct: "direct"
        case .bonus: "bonus"
        case .data: "data"
        }
    }

    public static let kinds = ["ratio", "target", "tiers", "yesno", "choice", "composite", "per_item", "minmax",
                               "growth", "deduction", "direct", "bonus", "data"]

    /// Every variable the rule reads.
    public var variables: [String] {
        var out: [String] = []
        func add(_ v: String) { if !out.contains(v) { out.append(v) } }
        switch self {
        case .ratio(let f, _, _), .target(let f, _, _, _), .minmax(let f, _, _), .growth(let f, _, _):
            f.variables.forEach(add)
        case .tiers(let f, _, _, let gate, _):
            if let gate { add(gate) }
            f.variables.forEach(add)
        case .yesno(let v, _, _), .choice(let v, _), .perItem(let v, _, _), .deduction(let v, _, _, _):
            add(v)
        case .composite(let parts):
            parts.flatMap(\.rule.variables).forEach(add)
        case .direct, .bonus:
            add("points")
        case .data:
            break
        }
        return out
    }

    /// True when the rule needs the other units of the peer group (min–max).
    public var needsPeers: Bool {
        switch self {
        case .minmax: true
        case .composite(let parts): parts.contains { $0.rule.needsPeers }
        default: false
        }
    }

    /// True when the rule gives points outside the max.
    public var isBonus: Bool { if case .bonus = self { true } else { false } }

    /// True when a ratio above 1 must be refused (`over_one: reject`): the load rejects a > b.
    public var rejectsOverOne: Bool {
        if case .ratio(_, .reject, _) = self { return true }
        return false
    }
}
