import DTICore
import Foundation

/// What an export contains, independent of the file format: titled tables of typed cells, charts and the communes'
/// data. A library API (the portal reuses it): `ExportQuery.build` makes one from a connection and options, and
/// `ExportFiles` / `ExportHTML` turn it into bytes or a string.
public struct ExportDocument: Sendable {
    public var title: String
    public var subtitle: String
    public var tables: [ExportTable]
    /// The index across years (the unit first, then the units compared with it).
    public var chart: ExportChart?
    /// The unit's pillars against its peer group in the last year (percent of max).
    public var pillarChart: ExportPillarChart?
    /// Each commune's data, every year asked for (with `--children`, when the unit has communes that feed it).
    public var communes: ExportCommunes?
    /// Lines explaining derived values, catalogue changes, rounding.
    public var notes: [String]
    /// Facts about the document, for an XLSX's properties and a page's header.
    public var unitCode: String = ""
    public var unitName: String = ""
    public var years: ClosedRange<Int> = 0...0
    /// The catalogues of the years shown, named once (title, id), in year order.
    public var catalogues: [(years: String, id: String, title: String)] = []
    public var generatedAt = Date()
    /// Decimal places people read (the catalogues' `display_precision`).
    public var precision = DisplayPrecision()

    public var yearsText: String { years.lowerBound == years.upperBound ? "\(years.lowerBound)" : "\(years.lowerBound)–\(years.upperBound)" }
}

public struct ExportTable: Sendable {
    /// Short stable name: file suffix and sheet name (`comparison`, `improvement`, `children`, `peers`, `communes`).
    public var key: String
    public var title: String
    public var columns: [ExportColumn]
    public var rows: [[ExportCell]]

    public func column(_ key: String) -> Int? { columns.firstIndex { $0.key == key } }
}

public struct ExportColumn: Sendable {
    /// `count` is a whole number (items, yes/no as 1/0); `rank` is shown as "x/N" with the `rankOf` column of the row;
    /// `delta` is a change in points, `percentDelta` a change in percentage points.
    public enum Kind: Sendable { case text, integer, count, points, percent, delta, percentDelta, rank, rankOf, rankDelta }
    public var key: String
    public var header: String
    public var kind: Kind
    /// Ids and verbatim source text kept for machines (CSV, XLSX): not shown on the page or the terminal.
    public var machineOnly = false

    public init(key: String, header: String, kind: Kind, machineOnly: Bool = false) {
        self.key = key; self.header = header; self.kind = kind; self.machineOnly = machineOnly
    }
}

public enum ExportCell: Sendable, Equatable {
    case text(String)
    case number(Decimal)
    case integer(Int)
    case empty

    /// The machine form (CSV with `--precision full`): numbers with a dot and every digit.
    public var machine: String {
        switch self {
        case .text(let s): return s
        case .number(let d): return d.machineText
        case .integer(let i): return String(i)
        case .empty: return ""
        }
    }

    public var decimal: Decimal? {
        switch self {
        case .number(let d): return d
        case .integer(let i): return Decimal(i)
        default: return nil
        }
    }

    public var isEmpty: Bool {
        switch self {
        case .empty: return true
        case .text(let s): return s.isEmpty
        default: return false
        }
    }

    static func of(_ d: Decimal?) -> ExportCell { d.map { .number($0) } ?? .empty }
    static func of(_ i: Int?) -> ExportCell { i.map { .integer($0) } ?? .empty }
    static func of(_ s: String?) -> ExportCell { s.map { .text($0) } ?? .empty }
}

extension ExportColumn.Kind {
    /// Decimal places of the published form of a value of this kind.
    func places(_ p: DisplayPrecision) -> Int? {
        switch self {
        case .points, .delta: return p.points
        case .percent, .percentDelta: return p.percent
        case .count, .integer, .rank, .rankOf, .rankDelta: return 0
        case .text: return nil
        }
    }
}

/// A number as people read it in an export (HTML, terminal): Vietnamese or English separators, rounded for
/// display only, a `+` on positive changes.
public enum ExportNumber {
    public static func display(_ d: Decimal, places: Int = 3, sign: Bool = false, language: Language) -> String {
        let s = language == .vi ? DecimalText.vietnamese(d, fractionDigits: places) : DecimalText.english(d, fractionDigits: places)
        return sign && d > 0 ? "+" + s : s
    }
}

/// Index percent across years, one series per unit; the first series is the unit the export is about.
public struct ExportChart: Sendable {
    public var title: String
    public var years: [Int]
    public var series: [(name: String, values: [Decimal?])]
    public var yAxis: String
    /// The peer group: the first series stands out, the others are drawn in grey.
    public var highlightFirst = false
}

/// The unit's percent of max per pillar in one year, beside its peer group's mean and best (what the login may see).
public struct ExportPillarChart: Sendable {
    public var title: String
    public var year: Int
    public var pillars: [(code: String, name: String)]
    public var series: [(name: String, values: [Decimal?])]
}

/// The communes' data items that feed the district, by pillar of the district catalogue, for every year asked for.
public struct ExportCommunes: Sendable {
    public struct Item: Sendable {
        /// `1.4.answer`: the commune data item (indicator and variable of the data catalogue).
        public var key: String
        public var pillar: String
        /// What the commune's own item means (the data catalogue's variable meaning).
        public var meaning: String
        public var how: String
        /// Counts and yes/no answers are whole numbers.
        public var whole: Bool
        /// A yes/no answer (1 = yes, 0 = no).
        public var yesno: Bool = false
        /// The district variables it feeds (`1.4.a`) and how (`sum`, `count_yes` …).
        public var feeds: [(code: String, how: String)] = []
    }
    public var title: String
    public var years: [Int]
    public var pillars: [(code: String, name: String)]
    public var items: [Item]
    public var communes: [(code: String, name: String)]
    /// values[year][commune code][item key]
    public var values: [Int: [String: [String: Decimal]]]

    /// Items of one pillar, in order.
    public func items(of pillar: String) -> [Item] { items.filter { $0.pillar == pillar } }

    /// How many of a pillar's items a commune reported in a year.
    public func reported(_ commune: String, pillar: String, year: Int) -> Int {
        let v = values[year]?[commune] ?? [:]
        return items(of: pillar).filter { v[$0.key] != nil }.count
    }
}
