import DTICore
import Foundation

/// What an export contains, independent of the file format: titled tables of typed cells and a chart.
public struct ExportDocument: Sendable {
    public var title: String
    public var subtitle: String
    public var tables: [ExportTable]
    public var chart: ExportChart?
    /// Lines explaining derived values, catalogue changes, rounding.
    public var notes: [String]
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
    public enum Kind: Sendable { case text, integer, points, percent, delta, rankDelta }
    public var key: String
    public var header: String
    public var kind: Kind
}

public enum ExportCell: Sendable, Equatable {
    case text(String)
    case number(Decimal)
    case integer(Int)
    case empty

    /// The machine form (CSV): numbers with a dot and every digit.
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

    static func of(_ d: Decimal?) -> ExportCell { d.map { .number($0) } ?? .empty }
    static func of(_ i: Int?) -> ExportCell { i.map { .integer($0) } ?? .empty }
    static func of(_ s: String?) -> ExportCell { s.map { .text($0) } ?? .empty }
}

/// A number as people read it in an export (HTML, terminal): Vietnamese or English separators, rounded for
/// display only, a `+` on positive changes.
enum ExportNumber {
    static func display(_ d: Decimal, places: Int = 3, sign: Bool = false, language: Language) -> String {
        let s = language == .vi ? DecimalText.vietnamese(d, fractionDigits: places) : DecimalText.english(d, fractionDigits: places)
        return sign && d > 0 ? "+" + s : s
    }
}

/// Index percent across years, one series per unit.
public struct ExportChart: Sendable {
    public var title: String
    public var years: [Int]
    public var series: [(name: String, values: [Decimal?])]
    public var yAxis: String
}
