import Foundation
import Yams

/// How the indicators of one catalogue version map onto those of the next (etl/crosswalks/*.yaml), so that an
/// indicator-level comparison across years stays honest when the catalogue changes.
public struct Crosswalk: Sendable {
    public enum Kind: String, Sendable, CaseIterable {
        /// the same indicator under the same code
        case same
        /// the same indicator under another code or name
        case renamed
        /// one indicator became several: compared as the sum of the new ones
        case split
        /// several indicators became one: compared as the sum of the old ones
        case merged
        /// the indicator is gone: not comparable
        case dropped
        /// the indicator is new: not comparable
        case new
    }

    public struct Mapping: Sendable, Equatable {
        public var kind: Kind
        public var from: [String]
        public var to: [String]
        public var note: String?
    }

    public var from: String
    public var to: String
    public var mappings: [Mapping]
    public var notes: [String]

    /// Parses a crosswalk file; errors name the line.
    public static func parse(_ text: String, file: String) throws -> Crosswalk {
        func fail(_ node: Node?, _ vi: String, _ en: String) -> Diagnostic {
            let pos = node?.mark.map { SourcePosition(line: $0.line, column: $0.column) } ?? SourcePosition(line: 1, column: 1)
            return Diagnostic(.error, file: file, at: pos, Message("crosswalk", vi: vi, en: en))
        }
        let root: Node
        do {
            guard let r = try Yams.compose(yaml: text) else { throw fail(nil, "tệp rỗng", "empty file") }
            root = r
        } catch let d as Diagnostic { throw d } catch { throw fail(nil, "YAML không hợp lệ: \(error)", "invalid YAML: \(error)") }
        guard let m = root.mapping, let from = m["from"]?.string, let to = m["to"]?.string else {
            throw fail(root, "cần 'from' và 'to' (mã bộ chỉ số)", "'from' and 'to' (catalogue ids) are required")
        }
        func codes(_ n: Node?) -> [String] {
            guard let n else { return [] }
            if let s = n.string { return [IndicatorCode.normalize(s)] }
            return n.sequence?.compactMap { $0.string.map(IndicatorCode.normalize) } ?? []
        }
        var mappings: [Mapping] = []
        for item in m["indicators"]?.sequence ?? [] {
            guard let im = item.mapping else { throw fail(item, "mỗi dòng là một bảng {from, to, kind}", "each entry is a mapping {from, to, kind}") }
            guard let kindText = im["kind"]?.string, let kind = Kind(rawValue: kindText) else {
                throw fail(item, "'kind' phải là một trong: \(Kind.allCases.map(\.rawValue).joined(separator: ", "))",
                           "'kind' must be one of: \(Kind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            let f = codes(im["from"]), t = codes(im["to"])
            let ok: Bool = switch kind {
            case .same: f.count == 1 && t.count == 1 && f == t
            case .renamed: f.count == 1 && t.count == 1
            case .split: f.count == 1 && t.count >= 2
            case .merged: f.count >= 2 && t.count == 1
            case .dropped: f.count >= 1 && t.isEmpty
            case .new: f.isEmpty && t.count >= 1
            }
            if !ok {
                throw fail(item, "'\(kind.rawValue)' không khớp số mã ở from (\(f.count)) và to (\(t.count))",
                           "'\(kind.rawValue)' does not fit the number of codes in from (\(f.count)) and to (\(t.count))")
            }
            mappings.append(Mapping(kind: kind, from: f, to: t, note: im["note"]?.string))
        }
        let notes = m["notes"]?.sequence?.compactMap(\.string) ?? []
        return Crosswalk(from: from, to: to, mappings: mappings, notes: notes)
    }
}

/// One indicator-level comparison between two years.
public struct IndicatorComparison: Sendable, Equatable {
    public enum Status: String, Sendable {
        case comparable, renamed, split, merged, dropped, new
        /// the catalogues differ and no crosswalk says how
        case unmapped
    }
    public var code: String
    public var previousCodes: [String]
    public var points: Decimal?
    public var maxPoints: Decimal?
    public var previousPoints: Decimal?
    public var previousMaxPoints: Decimal?
    public var status: Status

    public init(code: String, previousCodes: [String], points: Decimal?, maxPoints: Decimal?, previousPoints: Decimal?,
                previousMaxPoints: Decimal?, status: Status) {
        self.code = code; self.previousCodes = previousCodes; self.points = points; self.maxPoints = maxPoints
        self.previousPoints = previousPoints; self.previousMaxPoints = previousMaxPoints; self.status = status
    }

    public var isComparable: Bool { status == .comparable || status == .renamed || status == .split || status == .merged }
    public var deltaPoints: Decimal? {
        guard isComparable, let p = points, let q = previousPoints else { return nil }
        return p - q
    }
    /// Change in percent of max (percentage points): comparable even when the max changed.
    public var deltaPercent: Decimal? {
        guard isComparable, let p = points, let m = maxPoints, m != 0, let q = previousPoints, let n = previousMaxPoints, n != 0 else { return nil }
        return p * 100 / m - q * 100 / n
    }

    public typealias Score = (points: Decimal?, max: Decimal?)

    /// Compares this year's indicator points with last year's. Same catalogue: by code. Different catalogues:
    /// through the crosswalk (renamed and split/merged indicators compared as sums; dropped and new ones marked
    /// not comparable); without a crosswalk nothing is comparable at indicator level.
    public static func compare(current: [(String, Score)], previous: [(String, Score)], sameCatalogue: Bool,
                               crosswalk: Crosswalk?) -> [IndicatorComparison] {
        let prev = Dictionary(previous, uniquingKeysWith: { a, _ in a })
        let curr = Dictionary(current, uniquingKeysWith: { a, _ in a })
        func sum(_ codes: [String], in dict: [String: Score]) -> Score {
            let items = codes.compactMap { dict[$0] }
            guard items.count == codes.count else { return (nil, nil) }
            let points = items.allSatisfy { $0.points != nil } ? items.compactMap(\.points).reduce(0, +) : nil
            let max = items.allSatisfy { $0.max != nil } ? items.compactMap(\.max).reduce(0, +) : nil
            return (points, max)
        }
        var out: [IndicatorComparison] = []
        if sameCatalogue {
            for (code, s) in current {
                let p = prev[code]
                out.append(IndicatorComparison(code: code, previousCodes: p == nil ? [] : [code], points: s.points, maxPoints: s.max,
                                               previousPoints: p?.points, previousMaxPoints: p?.max, status: p == nil ? .new : .comparable))
            }
            return out
        }
        guard let crosswalk else {
            return current.map { IndicatorComparison(code: $0.0, previousCodes: [], points: $0.1.points, maxPoints: $0.1.max,
                                                     previousPoints: nil, previousMaxPoints: nil, status: .unmapped) }
        }
        var handled = Set<String>()
        for (code, s) in current where !handled.contains(code) {
            guard let m = crosswalk.mappings.first(where: { $0.to.contains(code) }) else {
                out.append(IndicatorComparison(code: code, previousCodes: [], points: s.points, maxPoints: s.max, previousPoints: nil,
                                               previousMaxPoints: nil, status: .unmapped))
                continue
            }
            switch m.kind {
            case .same, .renamed, .merged:
                let p = sum(m.from, in: prev)
                out.append(IndicatorComparison(code: code, previousCodes: m.from, points: s.points, maxPoints: s.max, previousPoints: p.points,
                                               previousMaxPoints: p.max, status: m.kind == .same ? .comparable : m.kind == .renamed ? .renamed : .merged))
                handled.insert(code)
            case .split:
                let c = sum(m.to, in: curr)
                let p = sum(m.from, in: prev)
                out.append(IndicatorComparison(code: m.to.joined(separator: "+"), previousCodes: m.from, points: c.points, maxPoints: c.max,
                                               previousPoints: p.points, previousMaxPoints: p.max, status: .split))
                handled.formUnion(m.to)
            case .new:
                out.append(IndicatorComparison(code: code, previousCodes: [], points: s.points, maxPoints: s.max, previousPoints: nil,
                                               previousMaxPoints: nil, status: .new))
                handled.insert(code)
            case .dropped:
                break
            }
        }
        for m in crosswalk.mappings where m.kind == .dropped {
            let p = sum(m.from, in: prev)
            out.append(IndicatorComparison(code: m.from.joined(separator: "+"), previousCodes: m.from, points: nil, maxPoints: nil,
                                           previousPoints: p.points, previousMaxPoints: p.max, status: .dropped))
        }
        return out
    }
}
