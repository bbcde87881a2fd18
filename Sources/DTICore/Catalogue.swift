import Foundation

/// The four levels of the administrative hierarchy the warehouse evaluates.
public enum UnitLevel: String, Sendable, CaseIterable, Codable, Hashable {
    case province, district, commune, department
}

/// Evaluation stages: the unit's self-assessment, the appraisal rounds, and the published result.
public enum Stage: String, Sendable, CaseIterable, Codable, Comparable, Hashable {
    case selfAssessment = "self"
    case round1, round2, final

    public var order: Int { Stage.allCases.firstIndex(of: self)! }
    public static func < (l: Stage, r: Stage) -> Bool { l.order < r.order }
}

/// How a pillar total is formed from its indicators' points.
public enum TotalPolicy: String, Sendable, CaseIterable, Codable {
    /// plain sum of the indicators' points
    case sum
    /// the sum, never above the pillar's printed max
    case capped
    /// the sum × pillar max ÷ sum of the indicator maxima
    case rescaled
}

public enum CatalogueKind: String, Sendable, CaseIterable, Codable {
    case scored, data, profile
}

/// Where something stands in its source file (1-based), for messages that name file:line:column.
public struct SourcePosition: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let line: Int
    public let column: Int
    public init(line: Int, column: Int) { self.line = line; self.column = column }
    public static let unknown = SourcePosition(line: 0, column: 0)
    public static func < (l: SourcePosition, r: SourcePosition) -> Bool { (l.line, l.column) < (r.line, r.column) }
    public var description: String { "\(line):\(column)" }
}

public struct SourceDocument: Sendable, Hashable {
    public var file: String
    public var document: String
    public var number: String?
    public var date: String?
}

/// A rating band: a unit whose percent is above (or at) the threshold gets the name.
public struct RatingBand: Sendable, Hashable {
    public var name: String
    public var threshold: Decimal
    /// `from:` bands include the threshold, `above:` bands do not.
    public var inclusive: Bool

    public func admits(percent: Decimal) -> Bool { inclusive ? percent >= threshold : percent > threshold }
}

/// Only units carrying `tag` are evaluated on a pillar or indicator (001: the economy pillar, Phụ lục II).
public struct Applicability: Sendable, Hashable {
    public var tag: String
}

/// What a value typed as a percent ("45%", "45 %") means for a variable: 45 (`percent`) or 0.45 (`ratio`).
public enum PercentScale: String, Sendable, CaseIterable, Codable {
    case percent, ratio
}

public enum VariableKind: String, Sendable, CaseIterable, Codable {
    case number, count, amount, yesno, choice, points, text
    public var isNumeric: Bool { self == .number || self == .count || self == .amount || self == .points }
}

/// How a commune item is aggregated into a district variable.
public enum FeedAggregate: String, Sendable, CaseIterable, Codable {
    /// `count_units`: the communes of the district that exist in the year (the hierarchy's valid_from/valid_to), whether
    /// or not they answered: for denominators the source defines as all units ("Tổng Xã/Phường/Thị trấn trên địa bàn Huyện").
    case sum, count_yes, count_no, count_answers, count_units, min, max, mean
}

/// Which value wins when a district both submitted a variable and had it derived from its communes.
public enum FeedPrecedence: String, Sendable, CaseIterable, Codable {
    case derived, submitted
}

public struct Feed: Sendable, Hashable {
    public var catalogue: String
    public var indicator: String
    public var variable: String
    public var how: FeedAggregate
    public var precedence: FeedPrecedence
    public var position: SourcePosition
}

public struct Variable: Sendable, Hashable {
    public var name: String
    public var meaning: String
    public var kind: VariableKind
    public var unit: String?
    public var profile: String?
    public var previousYearOf: String?
    public var allowNegative: Bool
    public var feeds: [Feed]
    public var position: SourcePosition
    /// A value the source fixes (004's 3.6 "(7)"): not an input; the scorer uses it and the load refuses a submitted one.
    public var constant: Decimal? = nil
    /// An alias: the variable is defined as another of the same indicator (004's 3.6 d = a); not an input.
    public var sameAs: String? = nil
    /// How a value typed with a percent sign ("45%") is read: `percent` → 45, `ratio` → 0.45; nil: refused with both readings.
    public var scale: PercentScale? = nil

    /// Whether the unit submits this variable (not a constant, not an alias).
    public var isInput: Bool { constant == nil && sameAs == nil }

    public init(name: String, meaning: String, kind: VariableKind, unit: String?, profile: String?, previousYearOf: String?,
                allowNegative: Bool, feeds: [Feed], position: SourcePosition) {
        self.name = name; self.meaning = meaning; self.kind = kind; self.unit = unit; self.profile = profile
        self.previousYearOf = previousYearOf; self.allowNegative = allowNegative; self.feeds = feeds; self.position = position
    }
}

public struct Indicator: Sendable {
    public var code: String
    public var name: String
    public var maxPoints: Decimal?
    public var lead: String?
    public var supporting: String?
    public var evidence: String?
    public var deadline: String?
    public var how: String?
    public var variables: [Variable]
    /// nil on an indicator with children: its points are the sum of theirs.
    public var rule: Rule?
    public var children: [Indicator]
    public var appliesTo: Applicability?
    public var notes: [String]
    public var position: SourcePosition
    /// The pillar the indicator belongs to (nil for bonus indicators).
    public var pillarCode: String?
    /// The code of the parent indicator for a sub-indicator.
    public var parentCode: String?
    /// The name and lead agency as reports for people print them, where the source's verbatim text has a typo
    /// (`display_name`, `display_lead` beside `name`, `lead`; the verbatim text stays in `name`, `lead`).
    public var displayName: String? = nil
    public var displayLead: String? = nil
    /// Declared consistency checks over the variables and the unit's profile (`checks:`).
    public var checks: [Check] = []

    public var isLeaf: Bool { children.isEmpty }

    /// The printed max, or for a parent without one the sum of its children's.
    public var effectiveMaxPoints: Decimal? {
        if let m = maxPoints { return m }
        let sums = children.compactMap(\.effectiveMaxPoints)
        return sums.isEmpty ? nil : sums.reduce(0, +)
    }

    public func variable(_ name: String) -> Variable? { variables.first { $0.name == name } }

    /// This indicator and every descendant, depth first.
    public var flattened: [Indicator] { [self] + children.flatMap(\.flattened) }
}

public struct Pillar: Sendable {
    public var code: String
    public var name: String
    public var maxPoints: Decimal?
    public var group: String?
    public var totalPolicy: TotalPolicy?
    public var appliesTo: Applicability?
    public var notes: [String]
    public var indicators: [Indicator]
    public var position: SourcePosition
    /// The name as reports for people print it where the verbatim `name` has a typo of the source.
    public var displayName: String? = nil

    /// The sum of the top-level indicators' maxima (those that have one).
    public var indicatorMaxSum: Decimal { indicators.compactMap(\.effectiveMaxPoints).reduce(0, +) }
}

/// One evaluating body's indicator set for a level and a range of years.
public struct Catalogue: Sendable {
    public var id: String
    public var title: String
    public var source: SourceDocument
    public var levels: [UnitLevel]
    public var years: ClosedRange<Int>
    public var evaluator: String
    /// Unit codes under which the catalogue applies (`[bac-giang]`); empty = wherever its level matches.
    public var scope: [String]
    public var kind: CatalogueKind
    public var totalPolicy: TotalPolicy
    public var declaredTotal: Decimal?
    public var ratingBands: [RatingBand]
    public var stages: [Stage]
    public var dataPeriod: String?
    public var deadline: String?
    public var notes: [String]
    public var pillars: [Pillar]
    public var bonus: [Indicator]
    /// Decimal places reports for people round to (`display_precision`; 3 for points, 2 for percent by default).
    public var displayPrecision = DisplayPrecision()

    /// Every indicator at every depth, bonus included, in document order.
    public var allIndicators: [Indicator] { pillars.flatMap { $0.indicators.flatMap(\.flattened) } + bonus.flatMap(\.flattened) }

    /// Indicators that take data (leaves), in document order.
    public var leafIndicators: [Indicator] { allIndicators.filter(\.isLeaf) }

    public func indicator(_ code: String) -> Indicator? { allIndicators.first { $0.code == code } }

    public func pillar(_ code: String) -> Pillar? { pillars.first { $0.code == code } }

    /// The policy that applies to a pillar.
    public func policy(for pillar: Pillar) -> TotalPolicy { pillar.totalPolicy ?? totalPolicy }

    /// The sum of the printed pillar maxima (what the catalogue is "out of" for a unit evaluated on every pillar).
    public var pillarMaxSum: Decimal { pillars.compactMap(\.maxPoints).reduce(0, +) }

    public func rating(percent: Decimal) -> String? { ratingBands.first { $0.admits(percent: percent) }?.name }

    public func appliesTo(year: Int) -> Bool { years.contains(year) }
}

/// How many decimal places a catalogue's published results carry (display only: stored values keep every digit).
public struct DisplayPrecision: Sendable, Hashable {
    public var points: Int
    public var percent: Int
    public init(points: Int = 3, percent: Int = 2) { self.points = points; self.percent = percent }
}
