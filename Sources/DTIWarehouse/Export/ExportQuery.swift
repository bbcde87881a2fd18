// Export/ — comparison tables for people. In: the analysts' views (v_year_comparison, v_indicator_scores …) read as the
// login that asks. Out: an ExportModel (titled tables, a chart) written as CSV, XLSX, HTML or a terminal table.

import DTICore
import Foundation
import PostgresClient

/// Builds an export from the analysts' views only — so a district login gets exactly what row-level security
/// lets it see, and nothing needs a privilege the views do not give.
public struct ExportQuery {
    public enum Detail: String, Sendable, CaseIterable { case pillar, indicator }

    public struct Options: Sendable {
        public var unit: String
        public var years: ClosedRange<Int>
        public var detail: Detail = .pillar
        public var children = false
        public var peers = false
        public var improvementRows = 15
        public var language: Language = .vi
        public var crosswalks: [Crosswalk] = []
        public init(unit: String, years: ClosedRange<Int>, detail: Detail = .pillar, children: Bool = false, peers: Bool = false,
                    language: Language = .vi, crosswalks: [Crosswalk] = []) {
            self.unit = unit; self.years = years; self.detail = detail; self.children = children; self.peers = peers
            self.language = language; self.crosswalks = crosswalks
        }
    }

    let connection: PostgresConnection
    public init(connection: PostgresConnection) { self.connection = connection }

    public func build(_ o: Options) throws -> ExportDocument {
        func t(_ vi: String, _ en: String) -> String { o.language == .vi ? vi : en }
        let lo = o.years.lowerBound, hi = o.years.upperBound
        let head = try connection.query("""
            SELECT unit_code, unit_name, level, peer_group, peer_group_name, catalogue_id, year
              FROM dti.v_unit_index WHERE unit_code = \(o.unit) AND year BETWEEN \(lo) AND \(hi) ORDER BY year DESC LIMIT 1
            """)
        guard head.count == 1 else {
            throw DTIError(.usage, vi: "không có kết quả nào của đơn vị '\(o.unit)' trong các năm \(lo)–\(hi) (chưa tổng hợp — dti rollup — hoặc tài khoản không được xem đơn vị này)",
                           en: "no results for unit '\(o.unit)' in \(lo)–\(hi) (not rolled up yet — dti rollup — or this login may not see the unit)")
        }
        let unitName: String = try head[0]["unit_name"].decode()
        let peerGroup: String = try head[0]["peer_group"].decode()
        let peerGroupName = try head[0]["peer_group_name"].decode(String?.self) ?? peerGroup
        let lastYear: Int = try head[0]["year"].decode()

        var tables: [ExportTable] = []
        var notes: [String] = []
        let comparison = try comparisonTable(o, notes: &notes)
        tables.append(comparison)
        if o.detail == .indicator { tables.append(try indicatorTable(o, notes: &notes)) }
        tables.append(try improvementTable(o, year: lastYear))
        var chartSeries: [(String, [Decimal?])] = []
        let years = Array(o.years)
        let own = try indexSeries(units: [o.unit], years: o.years)
        chartSeries.append((unitName, years.map { own[o.unit]?[$0] }))
        if o.children {
            // Units below with an index of their own (a province's districts, a district's agencies); communes
            // that only submit data have none, and their data is the commune table below.
            let (table, series) = try childrenTable(o)
            if !table.rows.isEmpty { tables.append(table) }
            chartSeries += series.prefix(9)
            if let communes = try communeTable(o, year: lastYear) { tables.append(communes) }
        }
        if o.peers {
            let (table, series) = try peersTable(o, peerGroup: peerGroup, peerGroupName: peerGroupName)
            tables.append(table)
            if !o.children { chartSeries = series.prefix(10).map { $0 } }
        }
        notes.append(t("Điểm giữ đủ chữ số thập phân trong CSV; bảng cho người đọc làm tròn 3 chữ số. Hạng tính trên tỷ lệ chưa làm tròn, bằng nhau thì cùng hạng.",
                       "Points keep every decimal in CSV; tables for people round to 3 places. Ranks use unrounded percent; ties share a rank."))
        let chart = ExportChart(title: t("Chỉ số DTI (% điểm tối đa) qua các năm", "DTI index (% of max) across years"), years: years,
                                series: chartSeries, yAxis: "%")
        let span = lo == hi ? "\(lo)" : "\(lo)–\(hi)"
        return ExportDocument(title: t("So sánh chỉ số chuyển đổi số — \(unitName)", "Digital transformation index comparison — \(unitName)"),
                              subtitle: t("\(o.unit) · năm \(span) · nhóm so sánh: \(peerGroupName)", "\(o.unit) · years \(span) · peer group: \(peerGroupName)"),
                              tables: tables, chart: chart, notes: notes)
    }

    // MARK: tables

    static func pillarSortKey(_ code: String?) -> [Int] {
        guard let code else { return [-1] }
        let romans = ["I": 1, "II": 2, "III": 3, "IV": 4, "V": 5, "VI": 6, "VII": 7, "VIII": 8, "IX": 9, "X": 10]
        if let r = romans[code] { return [r] }
        return code.split(separator: ".").map { Int($0) ?? 999 }
    }

    func comparisonTable(_ o: Options, notes: inout [String]) throws -> ExportTable {
        func t(_ vi: String, _ en: String) -> String { o.language == .vi ? vi : en }
        let rows = try connection.query("""
            SELECT c.pillar_code, p.pillar_name, p.pillar_ordinal, c.year, c.catalogue_id, c.points, c.max_points, c.percent, c.rank,
                   c.delta_points, c.delta_percent, c.delta_rank, c.same_catalogue, c.derived, c.prev_derived, c.prev_year
              FROM dti.v_year_comparison c
              LEFT JOIN dti.v_pillar_scores p ON p.unit_code = c.unit_code AND p.year = c.year AND p.catalogue_id = c.catalogue_id
                                              AND p.pillar_code = c.pillar_code
             WHERE c.unit_code = \(o.unit) AND c.year BETWEEN \(o.years.lowerBound) AND \(o.years.upperBound)
            """)
        struct R { var pillar: String?; var name: String; var ordinal: Int; var cells: [ExportCell] }
        var out: [R] = []
        var sawDerived = false, sawCatalogueChange = false
        for r in rows {
            let pillar = try r["pillar_code"].decode(String?.self)
            let same: Bool = try r["same_catalogue"].decode()
            let derived: Bool = try r["derived"].decode()
            let prevDerived: Bool = try r["prev_derived"].decode()
            if derived || prevDerived { sawDerived = true }
            if !same { sawCatalogueChange = true }
            var remark: [String] = []
            if derived { remark.append(t("giá trị suy ra từ các đơn vị tiền thân (trung bình)", "derived from predecessors (mean)")) }
            if !same { remark.append(t("bộ chỉ số đổi: so sánh theo %", "catalogue changed: compare percent")) }
            let pillarName = try r["pillar_name"].decode(String?.self) ?? ""
            let name = pillar == nil ? t("Tổng (chỉ số DTI)", "Total (DTI index)") : pillarName
            out.append(R(pillar: pillar, name: name, ordinal: try r["pillar_ordinal"].decode(Int?.self) ?? 0, cells: [
                .of(pillar ?? ""), .text(name), .integer(try r["year"].decode()), .text(try r["catalogue_id"].decode()),
                .of(try r["points"].decode(Decimal?.self)), .of(try r["max_points"].decode(Decimal?.self)), .of(try r["percent"].decode(Decimal?.self)),
                .of(try r["rank"].decode(Int?.self)),
                same ? .of(try r["delta_points"].decode(Decimal?.self)) : .empty,
                .of(try r["delta_percent"].decode(Decimal?.self)), .of(try r["delta_rank"].decode(Int?.self)),
                .text(remark.joined(separator: "; ")),
            ]))
        }
        out.sort { a, b in
            let ka = a.pillar == nil ? [-1] : [a.ordinal], kb = b.pillar == nil ? [-1] : [b.ordinal]
            if ka != kb { return ka.lexicographicallyPrecedes(kb) }
            if a.pillar != b.pillar { return Self.pillarSortKey(a.pillar).lexicographicallyPrecedes(Self.pillarSortKey(b.pillar)) }
            return (a.cells[2].decimal ?? 0) < (b.cells[2].decimal ?? 0)
        }
        if sawDerived { notes.append(t("Năm có đánh dấu “suy ra”: đơn vị hình thành do sáp nhập; giá trị là trung bình cộng chỉ số của các đơn vị tiền thân (quy tắc của báo cáo DTI quốc gia 2024), không phải kết quả đánh giá.",
                                       "Rows marked derived: the unit was formed by a merger; the value is the mean of its predecessors' indices (the national DTI 2024 report's rule), not an evaluation.")) }
        if sawCatalogueChange { notes.append(t("Khi bộ chỉ số thay đổi giữa hai năm, chênh lệch điểm không có nghĩa; dùng chênh lệch tỷ lệ (điểm %).",
                                               "Where the catalogue changed between two years, point differences are not meaningful; use the percent change.")) }
        return ExportTable(key: "comparison", title: t("So sánh qua các năm theo chỉ số chính", "Comparison across years by pillar"), columns: [
            ExportColumn(key: "pillar_code", header: t("Mã", "Code"), kind: .text),
            ExportColumn(key: "pillar_name", header: t("Chỉ số chính", "Pillar"), kind: .text),
            ExportColumn(key: "year", header: t("Năm", "Year"), kind: .integer),
            ExportColumn(key: "catalogue_id", header: t("Bộ chỉ số", "Catalogue"), kind: .text),
            ExportColumn(key: "points", header: t("Điểm", "Points"), kind: .points),
            ExportColumn(key: "max_points", header: t("Điểm tối đa", "Max"), kind: .points),
            ExportColumn(key: "percent", header: t("Tỷ lệ (%)", "Percent"), kind: .percent),
            ExportColumn(key: "rank", header: t("Hạng", "Rank"), kind: .integer),
            ExportColumn(key: "delta_points", header: t("Thay đổi điểm", "Δ points"), kind: .delta),
            ExportColumn(key: "delta_percent", header: t("Thay đổi tỷ lệ (điểm %)", "Δ percent (pp)"), kind: .delta),
            ExportColumn(key: "delta_rank", header: t("Thay đổi hạng (+ là lên)", "Δ rank (+ = up)"), kind: .rankDelta),
            ExportColumn(key: "remark", header: t("Ghi chú", "Remark"), kind: .text),
        ], rows: out.map(\.cells))
    }

    func indicatorTable(_ o: Options, notes: inout [String]) throws -> ExportTable {
        func t(_ vi: String, _ en: String) -> String { o.language == .vi ? vi : en }
        let rows = try connection.query("""
            SELECT year, catalogue_id, indicator_code, indicator_name, indicator_ordinal, points, max_points, status
              FROM dti.v_indicator_scores
             WHERE unit_code = \(o.unit) AND year BETWEEN \(o.years.lowerBound - 1) AND \(o.years.upperBound)
             ORDER BY year, indicator_ordinal
            """)
        struct Item { var code: String; var name: String; var points: Decimal?; var max: Decimal?; var ordinal: Int }
        var byYear: [Int: (catalogue: String, items: [Item])] = [:]
        for r in rows {
            let y: Int = try r["year"].decode()
            let item = Item(code: try r["indicator_code"].decode(), name: try r["indicator_name"].decode(), points: try r["points"].decode(Decimal?.self),
                            max: try r["max_points"].decode(Decimal?.self), ordinal: try r["indicator_ordinal"].decode())
            let catalogueId: String = try r["catalogue_id"].decode()
            byYear[y, default: (catalogueId, [])].items.append(item)
        }
        var out: [[ExportCell]] = []
        for year in o.years {
            guard let current = byYear[year] else { continue }
            let names = Dictionary(current.items.map { ($0.code, $0.name) }, uniquingKeysWith: { a, _ in a })
            var comparisons: [IndicatorComparison]
            if let prev = byYear[year - 1] {
                let same = prev.catalogue == current.catalogue
                let cw = o.crosswalks.first { $0.from == prev.catalogue && $0.to == current.catalogue }
                comparisons = IndicatorComparison.compare(current: current.items.map { ($0.code, ($0.points, $0.max)) },
                                                          previous: prev.items.map { ($0.code, ($0.points, $0.max)) }, sameCatalogue: same, crosswalk: cw)
                if !same && cw == nil {
                    notes.append(t("\(year - 1)→\(year): hai bộ chỉ số khác nhau (\(prev.catalogue), \(current.catalogue)) và không có bảng đối chiếu trong etl/crosswalks: không so sánh được từng chỉ số.",
                                   "\(year - 1)→\(year): different catalogues (\(prev.catalogue), \(current.catalogue)) and no crosswalk in etl/crosswalks: indicators are not compared."))
                }
            } else {
                comparisons = current.items.map { IndicatorComparison(code: $0.code, previousCodes: [], points: $0.points, maxPoints: $0.max,
                                                                      previousPoints: nil, previousMaxPoints: nil, status: .new) }
            }
            for c in comparisons {
                let status: String = switch c.status {
                case .comparable: byYear[year - 1] == nil ? "" : t("so sánh được", "comparable")
                case .renamed: t("đổi mã/tên từ \(c.previousCodes.joined(separator: ", "))", "renamed from \(c.previousCodes.joined(separator: ", "))")
                case .split: t("tách từ \(c.previousCodes.joined(separator: ", "))", "split from \(c.previousCodes.joined(separator: ", "))")
                case .merged: t("gộp từ \(c.previousCodes.joined(separator: ", "))", "merged from \(c.previousCodes.joined(separator: ", "))")
                case .dropped: t("bỏ: không so sánh được", "dropped: not comparable")
                case .new: byYear[year - 1] == nil ? "" : t("mới: không so sánh được", "new: not comparable")
                case .unmapped: t("không so sánh được", "not comparable")
                }
                let name = c.code.split(separator: "+").map { names[String($0)] ?? "" }.joined(separator: " + ")
                out.append([.text(c.code), .text(name), .integer(year), .of(c.points), .of(c.maxPoints), .of(c.previousPoints), .of(c.deltaPoints), .of(c.deltaPercent), .text(status)])
            }
        }
        return ExportTable(key: "indicators", title: t("So sánh từng chỉ số thành phần", "Indicator by indicator"), columns: [
            ExportColumn(key: "indicator_code", header: t("Mã", "Code"), kind: .text),
            ExportColumn(key: "indicator_name", header: t("Chỉ số", "Indicator"), kind: .text),
            ExportColumn(key: "year", header: t("Năm", "Year"), kind: .integer),
            ExportColumn(key: "points", header: t("Điểm", "Points"), kind: .points),
            ExportColumn(key: "max_points", header: t("Điểm tối đa", "Max"), kind: .points),
            ExportColumn(key: "prev_points", header: t("Điểm năm trước", "Previous points"), kind: .points),
            ExportColumn(key: "delta_points", header: t("Thay đổi điểm", "Δ points"), kind: .delta),
            ExportColumn(key: "delta_percent", header: t("Thay đổi tỷ lệ (điểm %)", "Δ percent (pp)"), kind: .delta),
            ExportColumn(key: "comparability", header: t("So sánh", "Comparability"), kind: .text),
        ], rows: out)
    }

    func improvementTable(_ o: Options, year: Int) throws -> ExportTable {
        func t(_ vi: String, _ en: String) -> String { o.language == .vi ? vi : en }
        let rows = try connection.query("""
            SELECT indicator_code, indicator_name, pillar_code, points, max_points, status, lead, notes
              FROM dti.v_indicator_scores
             WHERE unit_code = \(o.unit) AND year = \(year) AND is_leaf AND max_points IS NOT NULL AND status IN ('scored', 'not_scored')
               AND max_points - coalesce(points, 0) > 0
             ORDER BY max_points - coalesce(points, 0) DESC, indicator_ordinal
             LIMIT \(o.improvementRows)
            """)
        let out: [[ExportCell]] = try rows.map { r in
            let points = try r["points"].decode(Decimal?.self)
            let max: Decimal = try r["max_points"].decode()
            let status: String = try r["status"].decode()
            return [.text(try r["indicator_code"].decode()), .text(try r["indicator_name"].decode()), .of(try r["pillar_code"].decode(String?.self)),
                    .of(points), .number(max), .number(max - (points ?? 0)), .of(try r["lead"].decode(String?.self)),
                    .text(status == "scored" ? "" : t("chưa chấm: ", "not scored: ") + (try r["notes"].decode(String?.self) ?? ""))]
        }
        return ExportTable(key: "improvement", title: t("Kế hoạch cải thiện \(year): các chỉ số mất nhiều điểm nhất", "Improvement plan \(year): where the most points were lost"), columns: [
            ExportColumn(key: "indicator_code", header: t("Mã", "Code"), kind: .text),
            ExportColumn(key: "indicator_name", header: t("Chỉ số", "Indicator"), kind: .text),
            ExportColumn(key: "pillar_code", header: t("Chỉ số chính", "Pillar"), kind: .text),
            ExportColumn(key: "points", header: t("Điểm", "Points"), kind: .points),
            ExportColumn(key: "max_points", header: t("Điểm tối đa", "Max"), kind: .points),
            ExportColumn(key: "lost", header: t("Điểm bị mất", "Points lost"), kind: .points),
            ExportColumn(key: "lead", header: t("Cơ quan chủ trì", "Lead agency"), kind: .text),
            ExportColumn(key: "remark", header: t("Ghi chú", "Remark"), kind: .text),
        ], rows: out)
    }

    func indexSeries(units: [String], years: ClosedRange<Int>) throws -> [String: [Int: Decimal]] {
        var out: [String: [Int: Decimal]] = [:]
        for r in try connection.query("""
            SELECT unit_code, year, percent FROM dti.v_unit_index WHERE unit_code = ANY (\(units)::text[]) AND year BETWEEN \(years.lowerBound) AND \(years.upperBound)
            """) {
            if let p = try r["percent"].decode(Decimal?.self) { out[try r["unit_code"].decode(String.self), default: [:]][try r["year"].decode(Int.self)] = p }
        }
        return out
    }

    /// Units matching `filterColumn = filterValue` (the column is one of ours, never user text) across the years.
    func unitYearTable(_ o: Options, key: String, title: String, filterColumn: String, filterValue: String) throws -> (ExportTable, [(String, [Decimal?])]) {
        func t(_ vi: String, _ en: String) -> String { o.language == .vi ? vi : en }
        let rows = try connection.query("""
            SELECT i.unit_code, i.unit_name, i.year, i.points, i.max_points, i.percent, i.rating, i.rank, i.derived,
                   c.delta_points, c.delta_percent, c.delta_rank, c.same_catalogue
              FROM dti.v_unit_index i
              LEFT JOIN dti.v_year_comparison c ON c.unit_code = i.unit_code AND c.year = i.year AND c.pillar_code IS NULL AND c.catalogue_id = i.catalogue_id
             WHERE i.year BETWEEN \(o.years.lowerBound) AND \(o.years.upperBound) AND i.\(unescaped: filterColumn) = \(filterValue)
             ORDER BY i.year, i.rank NULLS LAST, i.unit_code
            """)
        var series: [String: (String, [Int: Decimal])] = [:]
        let out: [[ExportCell]] = try rows.map { r in
            let code: String = try r["unit_code"].decode(), name: String = try r["unit_name"].decode()
            let year: Int = try r["year"].decode()
            let percent = try r["percent"].decode(Decimal?.self)
            if let percent { series[code, default: (name, [:])].1[year] = percent }
            let same = try r["same_catalogue"].decode(Bool?.self) ?? true
            let derived: Bool = try r["derived"].decode()
            return [.text(code), .text(name), .integer(year), .of(try r["points"].decode(Decimal?.self)), .of(try r["max_points"].decode(Decimal?.self)),
                    .of(percent), .of(try r["rating"].decode(String?.self)), .of(try r["rank"].decode(Int?.self)),
                    same ? .of(try r["delta_points"].decode(Decimal?.self)) : .empty, .of(try r["delta_percent"].decode(Decimal?.self)),
                    .of(try r["delta_rank"].decode(Int?.self)), .text(derived ? t("suy ra từ đơn vị tiền thân", "derived from predecessors") : "")]
        }
        let table = ExportTable(key: key, title: title, columns: [
            ExportColumn(key: "unit_code", header: t("Mã đơn vị", "Unit code"), kind: .text),
            ExportColumn(key: "unit_name", header: t("Đơn vị", "Unit"), kind: .text),
            ExportColumn(key: "year", header: t("Năm", "Year"), kind: .integer),
            ExportColumn(key: "points", header: t("Điểm", "Points"), kind: .points),
            ExportColumn(key: "max_points", header: t("Điểm tối đa", "Max"), kind: .points),
            ExportColumn(key: "percent", header: t("Tỷ lệ (%)", "Percent"), kind: .percent),
            ExportColumn(key: "rating", header: t("Xếp loại", "Rating"), kind: .text),
            ExportColumn(key: "rank", header: t("Hạng", "Rank"), kind: .integer),
            ExportColumn(key: "delta_points", header: t("Thay đổi điểm", "Δ points"), kind: .delta),
            ExportColumn(key: "delta_percent", header: t("Thay đổi tỷ lệ (điểm %)", "Δ percent (pp)"), kind: .delta),
            ExportColumn(key: "delta_rank", header: t("Thay đổi hạng", "Δ rank"), kind: .rankDelta),
            ExportColumn(key: "remark", header: t("Ghi chú", "Remark"), kind: .text),
        ], rows: out)
        let years = Array(o.years)
        let chart: [(String, [Decimal?])] = series.sorted { $0.key < $1.key }.map { entry in
            (entry.value.0, years.map { y in entry.value.1[y] })
        }
        return (table, chart)
    }

    func childrenTable(_ o: Options) throws -> (ExportTable, [(String, [Decimal?])]) {
        try unitYearTable(o, key: "children", title: o.language == .vi ? "Các đơn vị trực thuộc" : "Units below",
                          filterColumn: "parent_code", filterValue: o.unit)
    }

    func peersTable(_ o: Options, peerGroup: String, peerGroupName: String) throws -> (ExportTable, [(String, [Decimal?])]) {
        try unitYearTable(o, key: "peers", title: (o.language == .vi ? "Nhóm so sánh: " : "Peer group: ") + peerGroupName,
                          filterColumn: "peer_group", filterValue: peerGroup)
    }

    /// Each commune's data for the district variables it feeds (last year), when the unit has communes that feed it.
    func communeTable(_ o: Options, year: Int) throws -> ExportTable? {
        func t(_ vi: String, _ en: String) -> String { o.language == .vi ? vi : en }
        let rows = try connection.query("""
            SELECT commune_code, commune_name, target_catalogue, target_indicator, target_variable, how, value, target_meaning
              FROM dti.v_commune_contributions
             WHERE district_code = \(o.unit) AND year = \(year)
             ORDER BY commune_code, target_indicator, target_variable
            """)
        guard rows.count > 0 else { return nil }
        var columns: [String] = []
        var meanings: [String: String] = [:]
        var communes: [(String, String)] = []
        var values: [String: [String: Decimal]] = [:]
        for r in rows {
            let key = "\(try r["target_indicator"].decode(String.self)).\(try r["target_variable"].decode(String.self))"
            let how: String = try r["how"].decode()
            let column = how == "sum" ? key : "\(key) (\(how))"
            if meanings[column] == nil { columns.append(column); meanings[column] = try r["target_meaning"].decode(String?.self) ?? "" }
            let code: String = try r["commune_code"].decode()
            if values[code] == nil { communes.append((code, try r["commune_name"].decode())) }
            if let v = try r["value"].decode(Decimal?.self) { values[code, default: [:]][column] = v }
        }
        columns.sort { Self.pillarSortKey($0.components(separatedBy: " ").first.map { String($0.split(separator: ".").dropLast().joined(separator: ".")) })
            .lexicographicallyPrecedes(Self.pillarSortKey($1.components(separatedBy: " ").first.map { String($0.split(separator: ".").dropLast().joined(separator: ".")) })) }
        let out = communes.map { c in [ExportCell.text(c.0), .text(c.1)] + columns.map { ExportCell.of(values[c.0]?[$0]) } }
        return ExportTable(key: "communes", title: t("Số liệu các xã đóng góp vào chỉ số của huyện, \(year)", "Communes' data feeding the district's indicators, \(year)"),
                           columns: [ExportColumn(key: "commune_code", header: t("Mã xã", "Commune code"), kind: .text),
                                     ExportColumn(key: "commune_name", header: t("Xã", "Commune"), kind: .text)]
                               + columns.map { ExportColumn(key: $0, header: "\($0): \(meanings[$0] ?? "")", kind: .points) },
                           rows: out)
    }
}
