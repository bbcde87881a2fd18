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
        let lookup = Lookup(connection: connection)
        try lookup.unit(o.unit)
        let head = try connection.query("""
            SELECT unit_code, unit_name, level, peer_group, peer_group_name, catalogue_id, year
              FROM dti.v_unit_index WHERE unit_code = \(o.unit) AND year BETWEEN \(lo) AND \(hi) ORDER BY year DESC LIMIT 1
            """)
        guard head.count == 1 else {
            let span = lo == hi ? "\(lo)" : "\(lo)–\(hi)"
            let years = try lookup.resultYears(o.unit)
            if years.isEmpty {
                throw DTIError(.usage, vi: "đơn vị '\(o.unit)' chưa có kết quả năm nào (chưa tổng hợp: dti rollup --year Y)",
                               en: "unit '\(o.unit)' has no results for any year yet (not rolled up: dti rollup --year Y)")
            }
            let list = years.map(String.init).joined(separator: ", ")
            throw DTIError(.usage, vi: "đơn vị '\(o.unit)' không có kết quả năm \(span); có kết quả các năm: \(list)",
                           en: "unit '\(o.unit)' has no results for \(span); it has results for: \(list)")
        }
        let unitName: String = try head[0]["unit_name"].decode()
        let peerGroup: String = try head[0]["peer_group"].decode()
        let peerGroupName = try head[0]["peer_group_name"].decode(String?.self) ?? peerGroup
        let lastYear: Int = try head[0]["year"].decode()

        var tables: [ExportTable] = []
        var notes: [String] = []
        let (comparison, catalogues, precision) = try comparisonTable(o, notes: &notes)
        tables.append(comparison)
        if o.detail == .indicator { tables.append(try indicatorTable(o, notes: &notes)) }
        tables.append(try improvementTable(o, year: lastYear))
        let years = Array(o.years)
        let own = try indexSeries(units: [o.unit], years: o.years)
        var chartSeries: [(String, [Decimal?])] = [(unitName, years.map { own[o.unit]?[$0] })]
        var highlight = false
        var communes: ExportCommunes? = nil
        if o.children {
            // Units below with an index of their own (a province's districts, a district's agencies); communes
            // that only submit data have none, and their data is the commune section.
            let (table, series) = try childrenTable(o)
            if !table.rows.isEmpty { tables.append(table) }
            chartSeries += series.prefix(9)
            communes = try communeData(o)
            if let communes { tables.append(Self.communeTable(communes, language: o.language)) }
        }
        if o.peers {
            let (table, series) = try peersTable(o, peerGroup: peerGroup, peerGroupName: peerGroupName)
            tables.append(table)
            if !o.children {
                chartSeries = [chartSeries[0]] + series.filter { $0.0 != unitName }.prefix(60)
                highlight = true
            }
        } else if !o.children, let mean = try peerMeanSeries(o, peerGroup: peerGroup) {
            chartSeries.append((t("Trung bình nhóm so sánh", "Peer group mean"), mean))
        }
        notes.append(t("Bảng cho người đọc và CSV làm tròn như bộ chỉ số công bố (điểm \(precision.points) chữ số thập phân, tỷ lệ \(precision.percent)); CSV với --precision full và XLSX giữ đủ chữ số. Hạng tính trên tỷ lệ chưa làm tròn, bằng nhau thì cùng hạng; “x/N”: hạng x trong N đơn vị của nhóm so sánh.",
                       "Tables for people and CSV round as the catalogue publishes (points \(precision.points) decimals, percent \(precision.percent)); CSV with --precision full and XLSX keep every digit. Ranks use unrounded percent; ties share a rank; “x/N”: rank x of the N units of the peer group."))
        let chartTitle = highlight && years.count == 1 ? t("Chỉ số DTI năm \(lo) (% điểm tối đa) trong nhóm so sánh", "DTI index \(lo) (% of max) in the peer group")
            : t("Chỉ số DTI (% điểm tối đa) qua các năm", "DTI index (% of max) across years")
        let chart = ExportChart(title: chartTitle, years: years,
                                series: chartSeries, yAxis: "%", highlightFirst: highlight)
        let pillarChart = try pillarChart(o, year: lastYear, unitName: unitName, peerGroup: peerGroup)
        let span = lo == hi ? "\(lo)" : "\(lo)–\(hi)"
        let catalogueText = catalogues.map { "\($0.title) (\($0.years))" }.joined(separator: "; ")
        var doc = ExportDocument(title: t("So sánh chỉ số chuyển đổi số — \(unitName)", "Digital transformation index comparison — \(unitName)"),
                                 subtitle: t("Năm \(span) · nhóm so sánh: \(peerGroupName) · bộ chỉ số: \(catalogueText)",
                                             "Years \(span) · peer group: \(peerGroupName) · catalogue: \(catalogueText)"),
                                 tables: tables.map(\.machineOrder), chart: chart, pillarChart: pillarChart, communes: communes, notes: notes)
        doc.unitCode = o.unit
        doc.unitName = unitName
        doc.years = o.years
        doc.catalogues = catalogues
        doc.precision = precision
        return doc
    }

    // MARK: tables

    static func pillarSortKey(_ code: String?) -> [Int] {
        guard let code else { return [-1] }
        let romans = ["I": 1, "II": 2, "III": 3, "IV": 4, "V": 5, "VI": 6, "VII": 7, "VIII": 8, "IX": 9, "X": 10]
        if let r = romans[code] { return [r] }
        return code.split(separator: ".").map { Int($0) ?? 999 }
    }

    func comparisonTable(_ o: Options, notes: inout [String]) throws -> (ExportTable, [(years: String, id: String, title: String)], DisplayPrecision) {
        func t(_ vi: String, _ en: String) -> String { o.language == .vi ? vi : en }
        let rows = try connection.query("""
            SELECT c.pillar_code, p.pillar_name, p.pillar_display_name, p.pillar_ordinal, c.year, c.catalogue_id, c.points, c.max_points,
                   c.percent, c.rank, c.delta_points, c.delta_percent, c.delta_rank, c.same_catalogue, c.derived, c.prev_derived, c.prev_year,
                   dti.peer_group_size(coalesce(p.peer_group, i.peer_group), c.year, c.stage, c.catalogue_id, c.pillar_code) AS rank_of,
                   coalesce(p.points_places, q.points_places) AS points_places, coalesce(p.percent_places, q.percent_places) AS percent_places,
                   coalesce(p.catalogue_title, q.catalogue_title) AS catalogue_title,
                   \(unescaped: try completeness("v_year_comparison", alias: "c"))
              FROM dti.v_year_comparison c
              LEFT JOIN dti.v_pillar_scores p ON p.unit_code = c.unit_code AND p.year = c.year AND p.catalogue_id = c.catalogue_id
                                              AND p.pillar_code = c.pillar_code
              LEFT JOIN dti.v_unit_index i ON c.pillar_code IS NULL AND i.unit_code = c.unit_code AND i.year = c.year AND i.catalogue_id = c.catalogue_id
              LEFT JOIN LATERAL (SELECT q.points_places, q.percent_places, q.catalogue_title FROM dti.v_pillar_scores q
                                  WHERE q.unit_code = c.unit_code AND q.year = c.year AND q.catalogue_id = c.catalogue_id LIMIT 1) q ON c.pillar_code IS NULL
             WHERE c.unit_code = \(o.unit) AND c.year BETWEEN \(o.years.lowerBound) AND \(o.years.upperBound)
            """)
        // The flagged scores (issue 15 point 6) of the years, read once: a pillar row names its own, the total all.
        let flaggedRows = try connection.query("""
            SELECT year, catalogue_id, pillar_code, reason || ' ' || indicator_code AS flag FROM dti.v_indicator_scores
             WHERE unit_code = \(o.unit) AND year BETWEEN \(o.years.lowerBound) AND \(o.years.upperBound) AND reason IS NOT NULL
             ORDER BY reason, indicator_ordinal
            """)
        let flags: [(year: Int, catalogue: String, pillar: String?, flag: String)] = try flaggedRows.map {
            (try $0["year"].decode(), try $0["catalogue_id"].decode(), try $0["pillar_code"].decode(String?.self), try $0["flag"].decode())
        }
        struct R { var pillar: String?; var name: String; var ordinal: Int; var cells: [ExportCell] }
        var out: [R] = []
        var sawDerived = false, sawCatalogueChange = false
        var catalogueYears: [String: (title: String, years: [Int])] = [:]
        var precision = DisplayPrecision(points: 0, percent: 0)
        var sawPrecision = false
        for r in rows {
            let pillar = try r["pillar_code"].decode(String?.self)
            let same: Bool = try r["same_catalogue"].decode()
            let derived: Bool = try r["derived"].decode()
            let prevDerived: Bool = try r["prev_derived"].decode()
            let year: Int = try r["year"].decode()
            let catalogueId: String = try r["catalogue_id"].decode()
            if let title = try r["catalogue_title"].decode(String?.self) {
                var entry = catalogueYears[catalogueId] ?? (title, [])
                if !entry.years.contains(year) { entry.years.append(year) }
                catalogueYears[catalogueId] = entry
            }
            if let pp = try r["points_places"].decode(Int?.self), let cp = try r["percent_places"].decode(Int?.self) {
                precision = DisplayPrecision(points: max(precision.points, pp), percent: max(precision.percent, cp)); sawPrecision = true
            }
            if derived || prevDerived { sawDerived = true }
            if !same { sawCatalogueChange = true }
            var remark: [String] = []
            if derived { remark.append(t("giá trị suy ra từ các đơn vị tiền thân (trung bình)", "derived from predecessors (mean)")) }
            if !same { remark.append(t("bộ chỉ số đổi: so sánh theo %", "catalogue changed: compare percent")) }
            if let note = try completenessNote(r, o.language) { remark.append(note) }
            remark += Self.flagRemarks(flags.filter { $0.year == year && $0.catalogue == catalogueId && (pillar == nil || $0.pillar == pillar) }.map(\.flag),
                                       o.language)
            let verbatim = try r["pillar_name"].decode(String?.self) ?? ""
            let shown = try r["pillar_display_name"].decode(String?.self) ?? verbatim
            let name = pillar == nil ? t("Tổng (chỉ số DTI)", "Total (DTI index)") : shown
            out.append(R(pillar: pillar, name: name, ordinal: try r["pillar_ordinal"].decode(Int?.self) ?? 0, cells: [
                .of(pillar ?? ""), .text(name), .text(pillar == nil ? "" : verbatim), .integer(year), .text(catalogueId),
                .of(try r["points"].decode(Decimal?.self)), .of(try r["max_points"].decode(Decimal?.self)), .of(try r["percent"].decode(Decimal?.self)),
                .of(try r["rank"].decode(Int?.self)), .of(try r["rank_of"].decode(Int?.self)),
                same ? .of(try r["delta_points"].decode(Decimal?.self)) : .empty,
                .of(try r["delta_percent"].decode(Decimal?.self)), .of(try r["delta_rank"].decode(Int?.self)),
                .text(remark.joined(separator: "; ")),
            ]))
        }
        out.sort { a, b in
            let ka = a.pillar == nil ? [-1] : [a.ordinal], kb = b.pillar == nil ? [-1] : [b.ordinal]
            if ka != kb { return ka.lexicographicallyPrecedes(kb) }
            if a.pillar != b.pillar { return Self.pillarSortKey(a.pillar).lexicographicallyPrecedes(Self.pillarSortKey(b.pillar)) }
            return (a.cells[3].decimal ?? 0) < (b.cells[3].decimal ?? 0)
        }
        if sawDerived { notes.append(t("Năm có đánh dấu “suy ra”: đơn vị hình thành do sáp nhập; giá trị là trung bình cộng chỉ số của các đơn vị tiền thân (quy tắc của báo cáo DTI quốc gia 2024), không phải kết quả đánh giá.",
                                       "Rows marked derived: the unit was formed by a merger; the value is the mean of its predecessors' indices (the national DTI 2024 report's rule), not an evaluation.")) }
        if sawCatalogueChange { notes.append(t("Khi bộ chỉ số thay đổi giữa hai năm, chênh lệch điểm không có nghĩa; dùng chênh lệch tỷ lệ (điểm %).",
                                               "Where the catalogue changed between two years, point differences are not meaningful; use the percent change.")) }
        let catalogues = catalogueYears.map { (id, entry) -> (years: String, id: String, title: String) in
            let ys = entry.years.sorted()
            return (ys.count == 1 ? "\(ys[0])" : "\(ys.first!)–\(ys.last!)", id, entry.title)
        }.sorted { $0.years < $1.years }
        let table = ExportTable(key: "comparison", title: t("So sánh qua các năm theo chỉ số chính", "Comparison across years by pillar"), columns: [
            ExportColumn(key: "pillar_code", header: t("Mã", "Code"), kind: .text),
            ExportColumn(key: "pillar_name", header: t("Chỉ số chính", "Pillar"), kind: .text),
            ExportColumn(key: "pillar_name_source", header: t("Tên chỉ số chính theo văn bản nguồn", "Pillar name as in the source"), kind: .text, machineOnly: true),
            ExportColumn(key: "year", header: t("Năm", "Year"), kind: .integer),
            ExportColumn(key: "catalogue_id", header: t("Bộ chỉ số", "Catalogue"), kind: .text, machineOnly: true),
            ExportColumn(key: "points", header: t("Điểm", "Points"), kind: .points),
            ExportColumn(key: "max_points", header: t("Điểm tối đa", "Max"), kind: .points),
            ExportColumn(key: "percent", header: t("Tỷ lệ (%)", "Percent"), kind: .percent),
            ExportColumn(key: "rank", header: t("Hạng", "Rank"), kind: .rank),
            ExportColumn(key: "rank_of", header: t("Số đơn vị xếp hạng", "Units ranked"), kind: .rankOf),
            ExportColumn(key: "delta_points", header: t("Thay đổi điểm", "Δ points"), kind: .delta),
            ExportColumn(key: "delta_percent", header: t("Thay đổi tỷ lệ (điểm %)", "Δ percent (pp)"), kind: .percentDelta),
            ExportColumn(key: "delta_rank", header: t("Thay đổi hạng (+ là lên)", "Δ rank (+ = up)"), kind: .rankDelta),
            ExportColumn(key: "remark", header: t("Ghi chú", "Remark"), kind: .text),
        ], rows: out.map(\.cells))
        return (table, catalogues, sawPrecision ? precision : DisplayPrecision())
    }

    func indicatorTable(_ o: Options, notes: inout [String]) throws -> ExportTable {
        func t(_ vi: String, _ en: String) -> String { o.language == .vi ? vi : en }
        let rows = try connection.query("""
            SELECT year, catalogue_id, indicator_code, indicator_name, indicator_display_name, indicator_ordinal, points, max_points, status, reason
              FROM dti.v_indicator_scores
             WHERE unit_code = \(o.unit) AND year BETWEEN \(o.years.lowerBound - 1) AND \(o.years.upperBound)
             ORDER BY year, indicator_ordinal
            """)
        struct Item { var code: String; var name: String; var points: Decimal?; var max: Decimal?; var ordinal: Int; var source: String; var reason: String? }
        var byYear: [Int: (catalogue: String, items: [Item])] = [:]
        for r in rows {
            let y: Int = try r["year"].decode()
            let item = Item(code: try r["indicator_code"].decode(), name: try r["indicator_display_name"].decode(), points: try r["points"].decode(Decimal?.self),
                            max: try r["max_points"].decode(Decimal?.self), ordinal: try r["indicator_ordinal"].decode(),
                            source: try r["indicator_name"].decode(), reason: try r["reason"].decode(String?.self))
            let catalogueId: String = try r["catalogue_id"].decode()
            byYear[y, default: (catalogueId, [])].items.append(item)
        }
        var out: [[ExportCell]] = []
        for year in o.years {
            guard let current = byYear[year] else { continue }
            let names = Dictionary(current.items.map { ($0.code, $0.name) }, uniquingKeysWith: { a, _ in a })
            let sources = Dictionary(current.items.map { ($0.code, $0.source) }, uniquingKeysWith: { a, _ in a })
            // A flagged score (v_indicator_scores.reason) is printed beside its points, whatever the comparison says.
            let flags = Dictionary(current.items.compactMap { i in i.reason.map { (i.code, Self.reasonText($0, o.language)) } }, uniquingKeysWith: { a, _ in a })
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
                let source = c.code.split(separator: "+").map { sources[String($0)] ?? "" }.joined(separator: " + ")
                let flagged = c.code.split(separator: "+").compactMap { flags[String($0)] }
                let remark = ([status.isEmpty ? nil : status] + flagged.map { t("cờ: ", "flag: ") + $0 }).compactMap { $0 }.joined(separator: "; ")
                out.append([.text(c.code), .text(name), .text(source), .integer(year), .of(c.points), .of(c.maxPoints), .of(c.previousPoints), .of(c.deltaPoints), .of(c.deltaPercent), .text(remark)])
            }
        }
        return ExportTable(key: "indicators", title: t("So sánh từng chỉ số thành phần", "Indicator by indicator"), columns: [
            ExportColumn(key: "indicator_code", header: t("Mã", "Code"), kind: .text),
            ExportColumn(key: "indicator_name", header: t("Chỉ số", "Indicator"), kind: .text),
            ExportColumn(key: "indicator_name_source", header: t("Tên chỉ số theo văn bản nguồn", "Indicator name as in the source"), kind: .text, machineOnly: true),
            ExportColumn(key: "year", header: t("Năm", "Year"), kind: .integer),
            ExportColumn(key: "points", header: t("Điểm", "Points"), kind: .points),
            ExportColumn(key: "max_points", header: t("Điểm tối đa", "Max"), kind: .points),
            ExportColumn(key: "prev_points", header: t("Điểm năm trước", "Previous points"), kind: .points),
            ExportColumn(key: "delta_points", header: t("Thay đổi điểm", "Δ points"), kind: .delta),
            ExportColumn(key: "delta_percent", header: t("Thay đổi tỷ lệ (điểm %)", "Δ percent (pp)"), kind: .percentDelta),
            ExportColumn(key: "comparability", header: t("So sánh", "Comparability"), kind: .text),
        ], rows: out)
    }

    func improvementTable(_ o: Options, year: Int) throws -> ExportTable {
        func t(_ vi: String, _ en: String) -> String { o.language == .vi ? vi : en }
        let rows = try connection.query("""
            SELECT indicator_code, indicator_name, indicator_display_name, pillar_code, points, max_points, status, lead, lead_display, notes,
                   reason
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
            return [.text(try r["indicator_code"].decode()), .text(try r["indicator_display_name"].decode()), .text(try r["indicator_name"].decode()),
                    .of(try r["pillar_code"].decode(String?.self)),
                    .of(points), .number(max), .number(max - (points ?? 0)), .of(try r["lead_display"].decode(String?.self)),
                    .of(try r["lead"].decode(String?.self)),
                    .text(([status == "scored" ? nil : t("chưa chấm: ", "not scored: ") + (try r["notes"].decode(String?.self) ?? "")]
                           + [try r["reason"].decode(String?.self).map { Self.reasonText($0, o.language) }]).compactMap { $0 }.joined(separator: "; "))]
        }
        return ExportTable(key: "improvement", title: t("Kế hoạch cải thiện \(year): các chỉ số mất nhiều điểm nhất", "Improvement plan \(year): where the most points were lost"), columns: [
            ExportColumn(key: "indicator_code", header: t("Mã", "Code"), kind: .text),
            ExportColumn(key: "indicator_name", header: t("Chỉ số", "Indicator"), kind: .text),
            ExportColumn(key: "indicator_name_source", header: t("Tên chỉ số theo văn bản nguồn", "Indicator name as in the source"), kind: .text, machineOnly: true),
            ExportColumn(key: "pillar_code", header: t("Chỉ số chính", "Pillar"), kind: .text),
            ExportColumn(key: "points", header: t("Điểm", "Points"), kind: .points),
            ExportColumn(key: "max_points", header: t("Điểm tối đa", "Max"), kind: .points),
            ExportColumn(key: "lost", header: t("Điểm bị mất", "Points lost"), kind: .points),
            ExportColumn(key: "lead", header: t("Cơ quan chủ trì", "Lead agency"), kind: .text),
            ExportColumn(key: "lead_source", header: t("Cơ quan chủ trì theo văn bản nguồn", "Lead agency as in the source"), kind: .text, machineOnly: true),
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
                   c.delta_points, c.delta_percent, c.delta_rank, c.same_catalogue,
                   dti.peer_group_size(i.peer_group, i.year, i.stage, i.catalogue_id) AS rank_of,
                   \(unescaped: try completeness("v_unit_index", alias: "i"))
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
                    .of(percent), .of(try r["rating"].decode(String?.self)), .of(try r["rank"].decode(Int?.self)), .of(try r["rank_of"].decode(Int?.self)),
                    same ? .of(try r["delta_points"].decode(Decimal?.self)) : .empty, .of(try r["delta_percent"].decode(Decimal?.self)),
                    .of(try r["delta_rank"].decode(Int?.self)),
                    .text(([derived ? t("suy ra từ đơn vị tiền thân", "derived from predecessors") : nil] + [try completenessNote(r, o.language)])
                        .compactMap { $0 }.joined(separator: "; "))]
        }
        let table = ExportTable(key: key, title: title, columns: [
            ExportColumn(key: "unit_code", header: t("Mã đơn vị", "Unit code"), kind: .text, machineOnly: true),
            ExportColumn(key: "unit_name", header: t("Đơn vị", "Unit"), kind: .text),
            ExportColumn(key: "year", header: t("Năm", "Year"), kind: .integer),
            ExportColumn(key: "points", header: t("Điểm", "Points"), kind: .points),
            ExportColumn(key: "max_points", header: t("Điểm tối đa", "Max"), kind: .points),
            ExportColumn(key: "percent", header: t("Tỷ lệ (%)", "Percent"), kind: .percent),
            ExportColumn(key: "rating", header: t("Xếp loại", "Rating"), kind: .text),
            ExportColumn(key: "rank", header: t("Hạng", "Rank"), kind: .rank),
            ExportColumn(key: "rank_of", header: t("Số đơn vị xếp hạng", "Units ranked"), kind: .rankOf),
            ExportColumn(key: "delta_points", header: t("Thay đổi điểm", "Δ points"), kind: .delta),
            ExportColumn(key: "delta_percent", header: t("Thay đổi tỷ lệ (điểm %)", "Δ percent (pp)"), kind: .percentDelta),
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

    // MARK: completeness of commune data (the roll-up's `complete`, `coverage` and `reason` columns, where the views carry them)

    /// Whether a view of the schema has these columns (the export reads columns other work adds only once they exist).
    func hasColumns(_ view: String, _ columns: [String]) throws -> Bool {
        let found = try connection.query("""
            SELECT count(*)::int AS n FROM information_schema.columns
             WHERE table_schema = 'dti' AND table_name = \(view) AND column_name = ANY (\(columns)::text[])
            """)
        return try found[0]["n"].decode(Int.self) == columns.count
    }

    /// `complete` and `coverage` of a view (NULL when the view does not have them).
    func completeness(_ view: String, alias: String) throws -> String {
        try hasColumns(view, ["complete", "coverage"])
            ? "\(alias).complete AS complete, \(alias).coverage::numeric AS coverage"
            : "NULL::boolean AS complete, NULL::numeric AS coverage"
    }

    /// "số liệu xã chưa đủ: có 86% số liệu cần có" beside a number that depends on commune data not all present.
    func completenessNote(_ r: PostgresRow, _ language: Language) throws -> String? {
        let complete = try r["complete"].decode(Bool?.self)
        let coverage = try r["coverage"].decode(Decimal?.self)
        guard complete == false || (coverage.map { $0 < 1 } ?? false) else { return nil }
        let share = coverage.map { ExportNumber.display($0 * 100, places: 0, language: language) + "%" }
        return language == .vi ? "số liệu xã chưa đủ" + (share.map { ": có \($0) số liệu cần có" } ?? "")
                               : "commune data incomplete" + (share.map { ": \($0) of the expected data present" } ?? "")
    }

    /// "cờ 4.7, 6.2: nhóm so sánh chỉ có một đơn vị …" from "reason code" pairs sorted by reason.
    static func flagRemarks(_ flagged: [String], _ language: Language) -> [String] {
        var byReason: [(reason: String, codes: [String])] = []
        for pair in flagged {
            let parts = pair.split(separator: " ", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { continue }
            if byReason.last?.reason == parts[0] { byReason[byReason.count - 1].codes.append(parts[1]) } else { byReason.append((parts[0], [parts[1]])) }
        }
        return byReason.map { (language == .vi ? "cờ " : "flag ") + $0.codes.joined(separator: ", ") + ": " + reasonText($0.reason, language) }
    }

    /// A roll-up's reason code in words.
    static func reasonText(_ code: String, _ language: Language) -> String {
        ScoreFlag(rawValue: code)?.message.text(language) ?? code
    }

    /// The unit's index across years beside its visible peer group's mean (nil when the login sees no other peer).
    func peerMeanSeries(_ o: Options, peerGroup: String) throws -> [Decimal?]? {
        let rows = try connection.query("""
            SELECT year, avg(percent) AS mean, count(*) AS units FROM dti.v_unit_index
             WHERE peer_group = \(peerGroup) AND year BETWEEN \(o.years.lowerBound) AND \(o.years.upperBound) AND percent IS NOT NULL
             GROUP BY year
            """)
        var mean: [Int: Decimal] = [:]
        var many = false
        for r in rows {
            if try r["units"].decode(Int.self) > 1 { many = true }
            if let m = try r["mean"].decode(Decimal?.self) { mean[try r["year"].decode(Int.self)] = m }
        }
        return many ? o.years.map { mean[$0] } : nil
    }

    /// The unit's pillars (percent of max) in the last year, beside the mean and the best of the peer group it may see.
    func pillarChart(_ o: Options, year: Int, unitName: String, peerGroup: String) throws -> ExportPillarChart? {
        func t(_ vi: String, _ en: String) -> String { o.language == .vi ? vi : en }
        let rows = try connection.query("""
            WITH own AS (SELECT catalogue_id, pillar_code, pillar_display_name, pillar_ordinal, percent FROM dti.v_pillar_scores
                          WHERE unit_code = \(o.unit) AND year = \(year))
            SELECT own.pillar_code, own.pillar_display_name, own.percent, avg(p.percent) AS mean, max(p.percent) AS best, count(p.unit_code) AS units
              FROM own
              LEFT JOIN dti.v_pillar_scores p ON p.year = \(year) AND p.peer_group = \(peerGroup) AND p.catalogue_id = own.catalogue_id
                                              AND p.pillar_code = own.pillar_code AND p.percent IS NOT NULL
             GROUP BY own.pillar_code, own.pillar_display_name, own.percent, own.pillar_ordinal
             ORDER BY own.pillar_ordinal
            """)
        guard rows.count > 0 else { return nil }
        var pillars: [(code: String, name: String)] = []
        var own: [Decimal?] = [], mean: [Decimal?] = [], best: [Decimal?] = []
        var many = false
        for r in rows {
            pillars.append((try r["pillar_code"].decode(), try r["pillar_display_name"].decode()))
            own.append(try r["percent"].decode(Decimal?.self))
            mean.append(try r["mean"].decode(Decimal?.self))
            best.append(try r["best"].decode(Decimal?.self))
            if try r["units"].decode(Int.self) > 1 { many = true }
        }
        var series: [(name: String, values: [Decimal?])] = [(unitName, own)]
        if many { series += [(t("Trung bình nhóm so sánh", "Peer group mean"), mean), (t("Cao nhất trong nhóm", "Best in the group"), best)] }
        return ExportPillarChart(title: t("Các chỉ số chính năm \(year) (% điểm tối đa)", "Pillars in \(year) (% of max)") + (many ? t(" so với nhóm so sánh", " against the peer group") : ""),
                                 year: year, pillars: pillars, series: series)
    }

    /// Each commune's data items that feed the district's variables, every year asked for.
    func communeData(_ o: Options) throws -> ExportCommunes? {
        func t(_ vi: String, _ en: String) -> String { o.language == .vi ? vi : en }
        let rows = try connection.query("""
            SELECT commune_code, commune_name, year, source_indicator, source_variable, target_indicator, target_variable, how, value,
                   target_meaning, source_meaning, source_kind, target_pillar_code, target_pillar_name
              FROM dti.v_commune_items   -- the values only: v_commune_contributions adds points and share, read per row
             WHERE district_code = \(o.unit) AND year BETWEEN \(o.years.lowerBound) AND \(o.years.upperBound)
             ORDER BY commune_code, year, target_indicator, target_variable
            """)
        guard rows.count > 0 else { return nil }
        var items: [String: ExportCommunes.Item] = [:]
        var communes: [(code: String, name: String)] = []
        var seenCommunes = Set<String>()
        var values: [Int: [String: [String: Decimal]]] = [:]
        var years = Set<Int>()
        var seenValue = Set<String>()
        var feedPillarNames: [String: String] = [:]
        for r in rows {
            // One column per commune data item; an item feeding several district variables (a yes/no counted as
            // "yes" and as "answered") is shown once, with every variable it feeds.
            let indicator: String = try r["target_indicator"].decode()
            let variable: String = try r["target_variable"].decode()
            let how: String = try r["how"].decode()
            let key = "\(try r["source_indicator"].decode(String.self)).\(try r["source_variable"].decode(String.self))"
            let target = (code: "\(indicator).\(variable)", how: how)
            if var item = items[key] {
                if !item.feeds.contains(where: { $0.code == target.code && $0.how == target.how }) { item.feeds.append(target); items[key] = item }
            } else {
                let kind = try r["source_kind"].decode(String?.self) ?? "number"
                let pillar = try r["target_pillar_code"].decode(String?.self) ?? String(indicator.split(separator: ".").first ?? "")
                let meaning = try r["source_meaning"].decode(String?.self) ?? (try r["target_meaning"].decode(String?.self) ?? key)
                items[key] = .init(key: key, pillar: pillar, meaning: meaning, how: how, whole: kind == "count" || kind == "yesno",
                                   yesno: kind == "yesno", feeds: [target])
            }
            if let p = try r["target_pillar_code"].decode(String?.self), let n = try r["target_pillar_name"].decode(String?.self) { feedPillarNames[p] = n }
            let code: String = try r["commune_code"].decode()
            if seenCommunes.insert(code).inserted { communes.append((code, try r["commune_name"].decode())) }
            let year: Int = try r["year"].decode()
            years.insert(year)
            guard seenValue.insert("\(year)|\(code)|\(key)").inserted else { continue }
            if let v = try r["value"].decode(Decimal?.self) { values[year, default: [:]][code, default: [:]][key] = v }
        }
        func itemKey(_ k: String) -> [Int] {
            Self.pillarSortKey(String(k.split(separator: ".").dropLast().joined(separator: ".")))
        }
        let ordered = items.values.sorted { a, b in
            itemKey(a.key) != itemKey(b.key) ? itemKey(a.key).lexicographicallyPrecedes(itemKey(b.key)) : a.key < b.key
        }
        // The district catalogue's pillar names, as reports print them.
        var names = feedPillarNames
        for r in try connection.query("""
            SELECT DISTINCT ON (pillar_code) pillar_code, pillar_display_name FROM dti.v_pillar_scores
             WHERE unit_code = \(o.unit) AND year BETWEEN \(o.years.lowerBound) AND \(o.years.upperBound) ORDER BY pillar_code, year DESC
            """) { names[try r["pillar_code"].decode(String.self)] = try r["pillar_display_name"].decode(String.self) }
        var pillarCodes: [String] = []
        for i in ordered where !pillarCodes.contains(i.pillar) { pillarCodes.append(i.pillar) }
        pillarCodes.sort { Self.pillarSortKey($0).lexicographicallyPrecedes(Self.pillarSortKey($1)) }
        let span = o.years.lowerBound == o.years.upperBound ? "\(o.years.lowerBound)" : "\(o.years.lowerBound)–\(o.years.upperBound)"
        return ExportCommunes(title: t("Số liệu các xã đóng góp vào chỉ số của huyện, \(span)", "Communes' data feeding the district's indicators, \(span)"),
                              years: years.sorted(), pillars: pillarCodes.map { ($0, names[$0] ?? $0) }, items: ordered,
                              communes: communes.sorted { $0.name.compare($1.name, locale: Locale(identifier: "vi")) == .orderedAscending },
                              values: values)
    }

    /// The communes' data as one table (CSV, XLSX): a row per commune and year, a column per item.
    static func communeTable(_ c: ExportCommunes, language: Language) -> ExportTable {
        func t(_ vi: String, _ en: String) -> String { language == .vi ? vi : en }
        var rows: [[ExportCell]] = []
        for year in c.years {
            for commune in c.communes {
                let v = c.values[year]?[commune.code] ?? [:]
                rows.append([.text(commune.code), .text(commune.name), .integer(year)] + c.items.map { ExportCell.of(v[$0.key]) })
            }
        }
        return ExportTable(key: "communes", title: c.title,
                           columns: [ExportColumn(key: "commune_code", header: t("Mã xã", "Commune code"), kind: .text, machineOnly: true),
                                     ExportColumn(key: "commune_name", header: t("Xã", "Commune"), kind: .text),
                                     ExportColumn(key: "year", header: t("Năm", "Year"), kind: .integer)]
                               + c.items.map { i in
                                   ExportColumn(key: i.key, header: "\(i.key): \(i.meaning) → \(i.feeds.map { "\($0.code) (\($0.how))" }.joined(separator: ", "))",
                                                kind: i.whole ? .count : .points)
                               },
                           rows: rows)
    }
}
