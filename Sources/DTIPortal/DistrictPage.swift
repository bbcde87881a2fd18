import DTICore
import DTIWarehouse
import Foundation
import Hummingbird
import NIOCore
import PostgresClient

/// The unit's comparison page: index, rating and rank x/N per year, trend and pillar charts against the peer
/// group's median, the indicator table (points lost, lead agency, flags), the communes, downloads and a what-if.
/// Everything is read as the signed-in login: a unit it may not see has no rows, and the page answers 404.
struct UnitPageData: Sendable {
    struct Year: Sendable { var year: Int; var catalogue: String; var points: Decimal?; var max: Decimal?; var percent: Decimal?; var rating: String?
        var rank: Int?; var peers: Int?; var derived: Bool; var stage: String = "" }
    struct Indicator: Sendable { var code: String; var name: String; var pillar: String; var parent: String?; var points: Decimal?; var max: Decimal?
        var status: String; var notes: String?; var lead: String?; var warnings: [String] = []
        /// Why the points are flagged (v_indicator_scores.reason: single_unit_peer_group), nil when the rule applied as written.
        var reason: String? = nil }
    /// A pillar (code nil: the index) of the last year against its peer group's median (dti.peer_medians, 0033).
    struct PeerComparison: Sendable { var code: String?; var name: String; var percent: Decimal?; var peers: Int?; var median: Decimal? }
    struct Input: Sendable { var key: String; var meaning: String; var value: String }

    var unit: String
    var unitName: String
    var peerGroupName: String
    var years: [Year]
    var indicators: [Indicator]
    var inputs: [Input]
    var document: ExportDocument
    var peerComparison: [PeerComparison] = []
}

extension Portal {
    static func yearRange(_ request: Request) throws -> ClosedRange<Int>? {
        guard let s = request.uri.queryParameters["years"].map(String.init), !s.isEmpty else { return nil }
        let parts = s.split(whereSeparator: { $0 == "-" || $0 == "–" || $0 == ":" }).map { Int($0.trimmingCharacters(in: .whitespaces)) }
        if parts.count == 1, let y = parts[0] { return y...y }
        if parts.count == 2, let a = parts[0], let b = parts[1], a <= b, b - a < 30 { return a...b }
        throw HTTPError(.badRequest, message: "years: write 2024 or 2022-2024\n")
    }

    /// The years the login can see for the unit (and the roll-up runs behind them), or
    /// nil when it sees none: the unit does not exist, is not rolled up, or is hidden by row-level security.
    static func visibleYears(_ db: PostgresConnection, unit: String, range: ClosedRange<Int>?) throws -> (ClosedRange<Int>, String)? {
        let rows = try db.query("""
            SELECT min(year) AS lo, max(year) AS hi, string_agg(year || ':' || coalesce(run_id::text, '-'), ',' ORDER BY year, catalogue_id) AS v
              FROM dti.v_unit_index WHERE unit_code = \(unit)
               AND year BETWEEN \(range?.lowerBound ?? 0) AND \(range?.upperBound ?? 9999)
            """)
        guard let r = rows.first, let lo = try r["lo"].decode(Int?.self), let hi = try r["hi"].decode(Int?.self) else { return nil }
        return (range ?? lo...hi, r["v"].text ?? "")
    }

    /// What a cached page depends on, read as the signed-in login: the years it sees for the unit with the roll-up
    /// run behind each, and the newest load batch holding values of the unit or its communes. Nil when the login
    /// sees no year of the unit (404). One indexed query: this runs on every request, cached or not.
    static func pageStamp(_ db: PostgresConnection, unit: String, range: ClosedRange<Int>?) throws -> (ClosedRange<Int>, String)? {
        let rows = try db.query("""
            SELECT min(i.year) AS lo, max(i.year) AS hi,
                   string_agg(i.year || ':' || i.catalogue_id || ':' || coalesce(i.run_id::text, '-'), ',' ORDER BY i.year, i.catalogue_id) AS runs,
                   -- the unit and its communes, each looked up by submission_sheets_key (an OR of code and
                   -- parent_code made the planner read every sheet: 4.6 ms instead of 0.5 ms at BENCH_SCALE=small)
                   (SELECT max(s.batch_id)
                      FROM (SELECT unit_id FROM dti.units WHERE code = \(unit)
                            UNION ALL SELECT unit_id FROM dti.units WHERE parent_code = \(unit)) u
                     CROSS JOIN LATERAL (SELECT max(x.batch_id) AS batch_id FROM dti.submission_sheets x WHERE x.unit_id = u.unit_id) s) AS batch
              FROM dti.v_unit_index i WHERE i.unit_code = \(unit)
               AND i.year BETWEEN \(range?.lowerBound ?? 0) AND \(range?.upperBound ?? 9999)
            """)
        guard let r = rows.first, let lo = try r["lo"].decode(Int?.self), let hi = try r["hi"].decode(Int?.self) else { return nil }
        return (range ?? lo...hi, (r["runs"].text ?? "") + ";" + (r["batch"].text ?? "-"))
    }

    /// The unit's page data and body for this session's audience, from the cache when its stamp still holds; nil
    /// when the login may not see the unit. Runs on the thread pool, as the session's login.
    func cachedUnitPage(_ db: PostgresConnection, session: Session, unit: String, range: ClosedRange<Int>?, lang: Language) throws -> (ClosedRange<Int>, PageCache.Entry)? {
        guard let (years, stamp) = try Self.pageStamp(db, unit: unit, range: range) else { return nil }
        pageCache.noteStamp(.init(login: session.login, unit: unit, range: range), years: years, stamp: stamp)
        let key = PageCache.Key(audience: PageCache.audience(session), unit: unit, lo: years.lowerBound, hi: years.upperBound, language: lang.rawValue)
        if let e = pageCache.get(key, stamp: stamp) { return (years, e) }
        let data = try Self.loadUnitPage(db, unit: unit, years: years, lang: lang, crosswalks: config.crosswalks)
        let body = Self.renderUnitBody(data, years: years, lang: lang, csrf: pageCache.placeholder, whatIf: nil, whatIfError: nil, changes: [])
        let entry = PageCache.Entry(stamp: stamp, built: Date(), data: data, title: "\(data.unitName) — DTI",
                                    pieces: body.components(separatedBy: HTML.esc(pageCache.placeholder)))
        pageCache.put(key, entry)
        return (years, entry)
    }

    func unitPage(_ request: Request, _ context: PortalContext) async throws -> Response {
        let session = try requireSession(request, context)
        let lang = language(request, context)
        let unit = context.parameters.get("code") ?? ""
        let range = try Self.yearRange(request)
        let path = request.uri.path + (request.uri.queryParameters["years"].map { "?years=\($0)" } ?? "")
        // This login was shown the unit's stamp less than stampSeconds ago: the cached page, with no query and no hop
        // to the thread pool.
        let stampKey = PageCache.StampKey(login: session.login, unit: unit, range: range)
        if let (recent, renew) = pageCache.recent(stampKey, audience: PageCache.audience(session), language: lang.rawValue) {
            // Past its second: checked again as the login in the background, while this and the next requests are
            // served (at most pageStampStaleSeconds more). A login that no longer sees the unit loses the stamp and
            // gets its 404 on the next request.
            if renew {
                Task { [self] in
                    do {
                        let fresh = try await blocking { try session.pool.with { db in try Self.pageStamp(db, unit: unit, range: range) } }
                        if let (years, stamp) = fresh { pageCache.noteStamp(stampKey, years: years, stamp: stamp) } else { pageCache.dropStamp(stampKey) }
                    } catch {
                        pageCache.dropStamp(stampKey)
                    }
                }
            }
            return Self.html(HTML.page(title: recent.title, lang: lang, session: session, path: path, body: PageCache.body(recent, csrf: session.csrf)))
        }
        let found: PageCache.Entry? = try await blocking { [self] in
            try session.pool.with { db in try cachedUnitPage(db, session: session, unit: unit, range: range, lang: lang)?.1 }
        }
        guard let found else { return notFound(lang, session) }
        // The session's own parts, never cached: its CSRF token in the forms, its login in the header.
        return Self.html(HTML.page(title: found.title, lang: lang, session: session, path: path, body: PageCache.body(found, csrf: session.csrf)))
    }

    static func loadUnitPage(_ db: PostgresConnection, unit: String, years: ClosedRange<Int>, lang: Language, crosswalks: [Crosswalk]) throws -> UnitPageData {
        let doc = try ExportQuery(connection: db).build(.init(unit: unit, years: years, detail: .pillar, children: true, peers: false,
                                                              language: lang, crosswalks: crosswalks))
        var yearRows: [UnitPageData.Year] = []
        var unitName = unit, peerGroupName = ""
        // N of "x/N" from dti.peer_group_size (0023): a district login sees only its own row, so counting the rows
        // it can see would print 1/1.
        for r in try db.query("""
            SELECT i.year, i.catalogue_id, i.points, i.max_points, i.percent, i.rating, i.rank, i.derived, i.unit_name, i.peer_group_name, i.stage::text AS stage,
                   CASE WHEN i.rank IS NULL THEN NULL ELSE dti.peer_group_size(i.peer_group, i.year, i.stage, i.catalogue_id) END AS peers
              FROM dti.v_unit_index i
             WHERE i.unit_code = \(unit) AND i.year BETWEEN \(years.lowerBound) AND \(years.upperBound)
             ORDER BY i.year, i.catalogue_id
            """) {
            unitName = try r["unit_name"].decode(); peerGroupName = try r["peer_group_name"].decode(String?.self) ?? ""
            yearRows.append(.init(year: try r["year"].decode(), catalogue: try r["catalogue_id"].decode(), points: try r["points"].decode(Decimal?.self),
                                  max: try r["max_points"].decode(Decimal?.self), percent: try r["percent"].decode(Decimal?.self), rating: r["rating"].text,
                                  rank: try r["rank"].decode(Int?.self), peers: try r["peers"].decode(Int?.self), derived: try r["derived"].decode(Bool.self),
                                  stage: r["stage"].text ?? ""))
        }
        var indicators: [UnitPageData.Indicator] = []
        var inputs: [UnitPageData.Input] = []
        var comparison: [UnitPageData.PeerComparison] = []
        if let last = yearRows.last {
            for r in try db.query("""
                SELECT s.indicator_code, s.indicator_display_name AS indicator_name, s.pillar_code, s.parent_code, s.points, s.max_points, s.status, s.notes,
                       s.lead_display AS lead, s.reason
                  FROM dti.v_indicator_scores s
                 WHERE s.unit_code = \(unit) AND s.year = \(last.year) AND s.catalogue_id = \(last.catalogue)
                 ORDER BY s.indicator_ordinal
                """) {
                indicators.append(.init(code: try r["indicator_code"].decode(), name: r["indicator_name"].text ?? "", pillar: r["pillar_code"].text ?? "",
                                        parent: r["parent_code"].text, points: try r["points"].decode(Decimal?.self),
                                        max: try r["max_points"].decode(Decimal?.self), status: r["status"].text ?? "", notes: r["notes"].text, lead: r["lead"].text,
                                        reason: r["reason"].text))
            }
            // The pillars and the index against the peer group's median: medians only, from a definer function that
            // gives none for a group under dti.peer_median_min_group() (SECURITY.md, "Peer-group medians").
            for r in try db.query("""
                WITH m AS (SELECT * FROM dti.peer_medians(\(unit), \(last.year), \(last.stage)::dti.stage, \(last.catalogue)))
                SELECT NULL::text AS pillar_code, NULL::text AS name, NULL::numeric AS percent, m.peers, m.median_percent, 0 AS ord
                  FROM (SELECT 1) one LEFT JOIN m ON m.pillar_code IS NULL
                UNION ALL
                SELECT p.pillar_code, p.pillar_display_name, p.percent, m.peers, m.median_percent, p.pillar_ordinal
                  FROM dti.v_pillar_scores p LEFT JOIN m ON m.pillar_code = p.pillar_code
                 WHERE p.unit_code = \(unit) AND p.year = \(last.year) AND p.catalogue_id = \(last.catalogue) AND p.stage = \(last.stage)::dti.stage
                 ORDER BY ord
                """) {
                let code = r["pillar_code"].text
                comparison.append(.init(code: code, name: r["name"].text ?? "", percent: code == nil ? last.percent : try r["percent"].decode(Decimal?.self),
                                        peers: try r["peers"].decode(Int?.self), median: try r["median_percent"].decode(Decimal?.self)))
            }
            // Data-quality flags beside the numbers they concern: the declared checks a current value fails and the
            // roll-up's mismatches between the district's own figure and its communes' sum (v_check_warnings).
            var warnings: [String: [String]] = [:]
            for r in try db.query("""
                SELECT indicator_code, variable, CASE WHEN \(lang.rawValue) = 'en' THEN message_en ELSE message_vi END AS message
                  FROM dti.v_check_warnings
                 WHERE unit_code = \(unit) AND year = \(last.year) AND catalogue_id = \(last.catalogue)
                 ORDER BY indicator_code, variable
                """) {
                warnings[r["indicator_code"].text ?? "", default: []].append(r["message"].text ?? "")
            }
            for k in indicators.indices { indicators[k].warnings = warnings[indicators[k].code] ?? [] }
            for r in try db.query("""
                SELECT indicator_code, variable, coalesce(meaning, '') AS meaning, coalesce(value::text, value_text, '') AS v FROM dti.v_submitted_values
                 WHERE unit_code = \(unit) AND year = \(last.year) AND catalogue_id = \(last.catalogue)
                 ORDER BY indicator_code, variable
                """) {
                inputs.append(.init(key: "\(r["indicator_code"].text ?? "").\(r["variable"].text ?? "")", meaning: r["meaning"].text ?? "", value: r["v"].text ?? ""))
            }
        }
        return UnitPageData(unit: unit, unitName: unitName, peerGroupName: peerGroupName, years: yearRows,
                            indicators: indicators, inputs: inputs, document: doc, peerComparison: comparison)
    }

    static func renderUnitPage(_ d: UnitPageData, years: ClosedRange<Int>, lang: Language, session: Session, path: String,
                               whatIf: WhatIf.Result?, whatIfError: String?, changes: [(String, String)]) -> String {
        HTML.page(title: "\(d.unitName) — DTI", lang: lang, session: session, path: path,
                  body: renderUnitBody(d, years: years, lang: lang, csrf: session.csrf, whatIf: whatIf, whatIfError: whatIfError, changes: changes))
    }

    /// The page's body (no header): the same for every session of an audience but for `csrf`.
    static func renderUnitBody(_ d: UnitPageData, years: ClosedRange<Int>, lang: Language, csrf: String,
                               whatIf: WhatIf.Result?, whatIfError: String?, changes: [(String, String)]) -> String {
        func t(_ vi: String, _ en: String) -> String { HTML.t(lang, vi, en) }
        func n(_ v: Decimal?, _ p: Int = 2, sign: Bool = false) -> String { HTML.number(v, lang, places: p, sign: sign) }
        let e = HTML.esc
        var b = "<h1 id=\"unit-name\">\(e(d.unitName))</h1><p class=\"sub\">\(e(d.unit)) · \(t("nhóm so sánh", "peer group")): \(e(d.peerGroupName)) · \(t("năm", "years")) \(years.lowerBound == years.upperBound ? "\(years.lowerBound)" : "\(years.lowerBound)–\(years.upperBound)")</p>"

        if let whatIfError { b += "<p class=\"error\" id=\"whatif-error\">\(e(whatIfError))</p>" }
        if let w = whatIf { b += renderWhatIf(w, lang: lang) }

        // Index, rating, rank x/N per year.
        b += "<h2>\(t("Chỉ số DTI, xếp loại và thứ hạng", "DTI index, rating and rank"))</h2><div class=\"cards\">"
        for y in d.years.reversed() {
            let rank = y.rank.map { "\($0)/\(y.peers.map(String.init) ?? "?")" } ?? "—"
            let flags = y.derived ? "<div><span class=\"flag\">\(t("suy ra từ đơn vị tiền thân", "derived from predecessors"))</span></div>" : ""
            b += """
            <div class="card" id="year-\(y.year)"><div class="label">\(y.year) · \(e(y.catalogue))</div>
            <div class="big">\(n(y.percent))%</div><div>\(n(y.points, 3)) / \(n(y.max, 0)) \(t("điểm", "points"))</div>
            <div>\(t("Xếp loại", "Rating")): <strong>\(e(y.rating ?? "—"))</strong></div>
            <div>\(t("Thứ hạng", "Rank")): <strong class="rank">\(rank)</strong></div>\(flags)</div>
            """
        }
        b += "</div>"

        // Downloads: the files of `dti export --children`.
        let span = years.lowerBound == years.upperBound ? "\(years.lowerBound)" : "\(years.lowerBound)-\(years.upperBound)"
        let q = "?years=\(span)&amp;lang=\(lang.rawValue)"
        b += "<h2>\(t("Tải về", "Downloads"))</h2><p class=\"downloads noprint\">"
        b += "<a id=\"download-xlsx\" href=\"/units/\(e(d.unit))/export.xlsx\(q)\">Excel (XLSX)</a>"
        b += "<a id=\"download-csv\" href=\"/units/\(e(d.unit))/export.csv\(q)\">CSV</a>"
        for table in d.document.tables where table.key != "comparison" {
            b += "<a href=\"/units/\(e(d.unit))/export.csv\(q)&amp;table=\(e(table.key))\">CSV: \(e(table.title.count > 40 ? String(table.title.prefix(38)) + "…" : table.title))</a>"
        }
        b += "<a id=\"download-html\" href=\"/units/\(e(d.unit))/export.html\(q)\">\(t("Trang in (HTML)", "Printable page (HTML)"))</a></p>"

        // Indicators of the last year: points lost, lead agency, flags (the improvement plan).
        if let last = d.years.last {
            b += "<h2>\(t("Các chỉ số năm \(last.year): điểm bị mất và cơ quan chủ trì", "Indicators \(last.year): points lost and lead agency"))</h2>"
            b += "<div class=\"scroll\"><table id=\"indicators\"><thead><tr><th>\(t("Mã", "Code"))</th><th>\(t("Chỉ số", "Indicator"))</th><th>\(t("Điểm", "Points"))</th><th>\(t("Tối đa", "Max"))</th><th>\(t("Điểm bị mất", "Points lost"))</th><th class=\"hide-sm\">\(t("Cơ quan chủ trì", "Lead agency"))</th><th>\(t("Ghi chú", "Flags"))</th></tr></thead><tbody>"
            for i in d.indicators {
                let lost = i.max.map { $0 - (i.points ?? 0) }
                var flags = ""
                if i.status == "not_scored" { flags += "<span class=\"flag\">\(t("chưa chấm", "not scored"))</span>" }
                if i.status == "not_applicable" { flags += "<span class=\"flag ok\">\(t("không áp dụng", "not applicable"))</span>" }
                if let reason = i.reason {
                    let why = ScoreFlag(rawValue: reason)?.message.text(lang) ?? reason
                    flags += "<details class=\"warning reason\" data-reason=\"\(e(reason))\"><summary><span class=\"flag\">\(t("cờ", "flag")): \(e(reason))</span></summary><div>\(e(why))</div></details>"
                }
                if !i.warnings.isEmpty {
                    flags += "<details class=\"warning\"><summary><span class=\"flag\">\(t("cảnh báo", "warning")) (\(i.warnings.count))</span></summary>"
                        + i.warnings.map { "<div>\(e($0))</div>" }.joined() + "</details>"
                }
                let notes = i.notes.map { "<details><summary>\(t("chi tiết", "details"))</summary>\(e($0))</details>" } ?? ""
                let indent = i.parent == nil ? "" : "&nbsp;&nbsp;↳ "
                b += "<tr\(i.parent == nil ? " style=\"font-weight:600\"" : "")><td>\(e(i.code))</td><td>\(indent)\(e(i.name))</td><td class=\"n\">\(n(i.points, 3))</td><td class=\"n\">\(n(i.max, 3))</td>"
                b += "<td class=\"n\(lost.map { $0 > 0 } == true ? " down" : "")\">\(n(lost, 3))</td><td class=\"hide-sm\">\(e(i.lead ?? ""))</td><td>\(flags)\(notes)</td></tr>"
            }
            b += "</tbody></table></div>"
        }

        b += renderPeerComparison(d, lang: lang)

        // The export's own page body: charts (inline SVG), pillars across years, the communes, notes.
        b += "<section id=\"export\">" + ExportHTML.fragment(d.document, language: lang) + "</section>"

        // What-if form.
        if let last = d.years.last {
            b += "<h2 id=\"whatif\">\(t("Thử thay đổi số liệu (what-if)", "What-if: change inputs"))</h2>"
            b += "<p class=\"sub\">\(t("Nhập chỉ số.biến và giá trị mới; kết quả tính như một lần nạp và tổng hợp thật, không ghi gì vào kho.", "Enter indicator.variable and a new value; computed like a real load and roll-up, nothing is written."))</p>"
            b += "<form method=\"post\" action=\"/units/\(e(d.unit))/whatif?years=\(span)\" id=\"whatif-form\">\(HTML.csrfField(csrf))"
            b += "<input type=\"hidden\" name=\"year\" value=\"\(last.year)\"><datalist id=\"inputs\">"
            for i in d.inputs { b += "<option value=\"\(e(i.key))\">\(e(i.meaning)) (\(e(i.value)))</option>" }
            b += "</datalist>"
            let rows = changes.isEmpty ? [("", "")] : changes
            for (k, (key, value)) in (rows + [("", ""), ("", "")]).prefix(max(3, rows.count)).enumerated() {
                b += "<div class=\"whatif-row\"><input type=\"text\" name=\"key\" list=\"inputs\" placeholder=\"8.8.count\" value=\"\(e(key))\" id=\"whatif-key-\(k)\">"
                b += " = <input type=\"text\" name=\"value\" placeholder=\"12\" value=\"\(e(value))\" id=\"whatif-value-\(k)\"></div>"
            }
            b += "<p><button class=\"primary\" type=\"submit\" id=\"whatif-run\">\(t("Tính thử", "Compute"))</button></p></form>"
        }
        return b
    }

    /// The index and each pillar of the last year against the peer group's median: one bar per row, the unit's
    /// percent in colour and the median as a dark tick, with both numbers written (inline SVG, nothing fetched). A
    /// group too small for a median (dti.peer_median_min_group) says so instead of drawing one.
    static func renderPeerComparison(_ d: UnitPageData, lang: Language) -> String {
        func t(_ vi: String, _ en: String) -> String { HTML.t(lang, vi, en) }
        let rows = d.peerComparison.filter { $0.percent != nil }
        guard let last = d.years.last, !rows.isEmpty else { return "" }
        let e = HTML.esc
        func n(_ v: Decimal?) -> String { HTML.number(v, lang, places: 1) }
        let peers = rows.compactMap(\.peers).max()
        let anyMedian = rows.contains { $0.median != nil }
        var b = "<h2 id=\"peer-median\">\(t("So với trung vị nhóm so sánh", "Against the peer group's median")) \(last.year)</h2>"
        if anyMedian {
            b += "<p class=\"sub\">\(t("Cột: % điểm tối đa của đơn vị; vạch đen: trung vị của \(peers ?? 0) đơn vị được xếp hạng trong nhóm (không nêu tên đơn vị nào).", "Bar: the unit's percent of the maximum; black tick: the median of the \(peers ?? 0) ranked units of the group (no unit is named)."))</p>"
        } else {
            b += "<p class=\"sub\" id=\"peer-median-none\">\(t("Nhóm so sánh có \(peers ?? 0) đơn vị được xếp hạng, ít hơn 5: không hiển thị trung vị để không lộ số liệu của từng đơn vị.", "The peer group has \(peers ?? 0) ranked units, fewer than 5: no median is shown, so that no single unit's figures can be read from it."))</p>"
        }
        let width = 640.0, left = 230.0, right = 110.0, top = 6.0, rowH = 24.0
        let plotW = width - left - right
        let height = top + Double(rows.count) * rowH + 24
        func f(_ x: Double) -> String { String(format: "%.1f", x) }
        func x(_ v: Decimal) -> Double { left + plotW * min(max(NSDecimalNumber(decimal: v).doubleValue, 0), 100) / 100 }
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" aria-label=\"\(e(t("So với trung vị nhóm", "Against the peer median")))\">"
        let axisY = top + Double(rows.count) * rowH
        for tick in stride(from: 0, through: 100, by: 25) {
            let tx = left + plotW * Double(tick) / 100
            svg += "<line x1=\"\(f(tx))\" y1=\"\(f(top))\" x2=\"\(f(tx))\" y2=\"\(f(axisY))\" stroke=\"#e3e3e3\"/><text x=\"\(f(tx))\" y=\"\(f(axisY + 15))\" font-size=\"12\" text-anchor=\"middle\">\(tick)%</text>"
        }
        for (i, r) in rows.enumerated() {
            let y0 = top + Double(i) * rowH
            let label = r.code.map { "\($0). \(r.name)" } ?? t("Chỉ số DTI (tổng)", "DTI index (total)")
            let short = label.count > 34 ? String(label.prefix(33)) + "…" : label
            svg += "<text x=\"\(f(left - 6))\" y=\"\(f(y0 + 16))\" font-size=\"12.5\" text-anchor=\"end\"\(r.code == nil ? " font-weight=\"bold\"" : "")>\(e(short))<title>\(e(label))</title></text>"
            let pct = r.percent ?? 0
            svg += "<rect x=\"\(f(left))\" y=\"\(f(y0 + 4))\" width=\"\(f(max(x(pct) - left, 1)))\" height=\"15\" fill=\"#0b5cad\"><title>\(e(label)): \(n(pct))%</title></rect>"
            var note = "\(n(pct))%"
            if let m = r.median {
                svg += "<line class=\"median\" x1=\"\(f(x(m)))\" y1=\"\(f(y0 + 1))\" x2=\"\(f(x(m)))\" y2=\"\(f(y0 + 22))\" stroke=\"#111\" stroke-width=\"3\"><title>\(t("trung vị", "median")): \(n(m))%</title></line>"
                note += " · \(t("TV", "med.")) \(n(m))%"
            }
            svg += "<text x=\"\(f(width - right + 6))\" y=\"\(f(y0 + 16))\" font-size=\"11.5\">\(e(note))</text>"
        }
        svg += "</svg>"
        b += "<div class=\"chart\" id=\"peer-median-chart\">\(svg)</div>"
        // The same numbers as a table, for screen readers and for copying.
        b += "<details><summary>\(t("Bảng số liệu", "As a table"))</summary><div class=\"scroll\"><table id=\"peer-median-table\"><thead><tr><th>\(t("Chỉ số chính", "Pillar"))</th><th>% \(t("của đơn vị", "of the unit"))</th><th>\(t("Trung vị nhóm", "Group median"))</th><th>\(t("Chênh lệch", "Difference"))</th></tr></thead><tbody>"
        for r in rows {
            let label = r.code.map { "\($0). \(r.name)" } ?? t("Chỉ số DTI (tổng)", "DTI index (total)")
            let diff = r.median.flatMap { m in r.percent.map { $0 - m } }
            b += "<tr><td>\(e(label))</td><td class=\"n\">\(n(r.percent))</td><td class=\"n\">\(r.median == nil ? "—" : n(r.median))</td><td class=\"n\(diff.map { $0 < 0 ? " down" : $0 > 0 ? " up" : "" } ?? "")\">\(diff.map { HTML.number($0, lang, places: 1, sign: true) } ?? "—")</td></tr>"
        }
        b += "</tbody></table></div></details>"
        return b
    }

    static func renderWhatIf(_ w: WhatIf.Result, lang: Language) -> String {
        func t(_ vi: String, _ en: String) -> String { HTML.t(lang, vi, en) }
        func n(_ v: Decimal?, _ p: Int = 3, sign: Bool = false) -> String { HTML.number(v, lang, places: p, sign: sign) }
        func cls(_ v: Decimal?) -> String { v.map { $0 > 0 ? " up" : $0 < 0 ? " down" : "" } ?? "" }
        let e = HTML.esc
        var b = "<section class=\"note\" id=\"whatif-result\"><h2>\(t("Kết quả thử", "What-if result")) \(w.year)</h2>"
        b += "<p>\(t("Thay đổi", "Changes")): " + w.changes.map { "<code>\(e($0.indicator)).\(e($0.variable)) = \(e($0.value))</code>" }.joined(separator: ", ") + "</p>"
        let rankText = { (r: Int?) in r.map { "\($0)/\(w.peers)" } ?? "—" }
        let rankDelta = (w.rankBefore != nil && w.rankAfter != nil) ? w.rankBefore! - w.rankAfter! : 0
        b += "<div class=\"cards\"><div class=\"card\"><div class=\"label\">\(t("Tổng điểm", "Index points"))</div><div class=\"big\" id=\"whatif-index\">\(n(w.index.after))</div>"
        b += "<div class=\"\(cls(w.index.delta))\">\(n(w.index.delta, sign: true)) \(t("so với hiện nay", "from today")) (\(n(w.index.before)))</div></div>"
        b += "<div class=\"card\"><div class=\"label\">% \(t("điểm tối đa", "of max"))</div><div class=\"big\">\(n(w.percentAfter, 2))%</div><div>\(t("hiện nay", "today")) \(n(w.percentBefore, 2))%</div></div>"
        b += "<div class=\"card\"><div class=\"label\">\(t("Thứ hạng trong nhóm", "Rank in peer group"))</div><div class=\"big\" id=\"whatif-rank\">\(rankText(w.rankAfter))</div>"
        b += "<div class=\"\(rankDelta > 0 ? "up" : rankDelta < 0 ? "down" : "")\">\(t("hiện nay", "today")) \(rankText(w.rankBefore))</div></div></div>"
        b += "<div class=\"scroll\"><table id=\"whatif-pillars\"><thead><tr><th>\(t("Chỉ số chính", "Pillar"))</th><th>\(t("Hiện nay", "Today"))</th><th>\(t("Sau thay đổi", "With changes"))</th><th>\(t("Thay đổi", "Change"))</th></tr></thead><tbody>"
        for p in w.pillars { b += "<tr><td>\(e(p.code)). \(e(p.name))</td><td class=\"n\">\(n(p.before))</td><td class=\"n\">\(n(p.after))</td><td class=\"n\(cls(p.delta))\">\(n(p.delta, sign: true))</td></tr>" }
        b += "</tbody></table></div>"
        let changed = w.changedIndicators
        b += "<h3>\(t("Các chỉ số thay đổi điểm", "Indicators whose points change"))</h3>"
        if changed.isEmpty { b += "<p>\(t("Không chỉ số nào thay đổi điểm.", "No indicator's points change."))</p>" } else {
            b += "<div class=\"scroll\"><table id=\"whatif-indicators\"><thead><tr><th>\(t("Mã", "Code"))</th><th>\(t("Chỉ số", "Indicator"))</th><th>\(t("Hiện nay", "Today"))</th><th>\(t("Sau thay đổi", "With changes"))</th><th>\(t("Thay đổi", "Change"))</th></tr></thead><tbody>"
            for i in changed { b += "<tr><td>\(e(i.code))</td><td>\(e(i.name))</td><td class=\"n\">\(n(i.before))</td><td class=\"n\">\(n(i.after))</td><td class=\"n\(cls(i.delta))\">\(n(i.delta, sign: true))</td></tr>" }
            b += "</tbody></table></div>"
        }
        b += "<h3>\(t("Bước tiếp theo tốt nhất: đạt điểm tối đa ở chỉ số này thì tổng điểm tăng", "Best next steps: full marks on this indicator would add to the index"))</h3>"
        b += "<div class=\"scroll\"><table id=\"best-next-steps\"><thead><tr><th>\(t("Mã", "Code"))</th><th>\(t("Chỉ số", "Indicator"))</th><th>\(t("Điểm bị mất", "Points lost"))</th><th>\(t("Tổng điểm tăng", "Index gain"))</th><th class=\"hide-sm\">\(t("Cơ quan chủ trì", "Lead agency"))</th></tr></thead><tbody>"
        for s in w.bestNextSteps { b += "<tr><td>\(e(s.indicator))</td><td>\(e(s.name))</td><td class=\"n\">\(n(s.lost))</td><td class=\"n up\">+\(n(s.indexGain))</td><td class=\"hide-sm\">\(e(s.lead ?? ""))</td></tr>" }
        b += "</tbody></table></div><p class=\"sub\">\(t("Không có gì được ghi vào kho dữ liệu.", "Nothing was written to the warehouse."))</p></section>"
        return b
    }

    // MARK: downloads

    func export(_ request: Request, _ context: PortalContext) async throws -> Response {
        let session = try requireSession(request, context)
        let lang = language(request, context)
        let unit = context.parameters.get("code") ?? ""
        let file = context.parameters.get("file") ?? ""
        guard file.hasPrefix("export."), let format = ExportFiles.Format(rawValue: String(file.dropFirst("export.".count))), format != .table else {
            return notFound(lang, session)
        }
        let range = try Self.yearRange(request)
        let table = request.uri.queryParameters["table"].map(String.init)
        let crosswalks = config.crosswalks
        let result: (Data, String)? = try await blocking {
            try session.pool.with { db in
                guard let (years, _) = try Self.visibleYears(db, unit: unit, range: range) else { return nil }
                let doc = try ExportQuery(connection: db).build(.init(unit: unit, years: years, detail: .pillar, children: true, peers: false,
                                                                      language: lang, crosswalks: crosswalks))
                let span = years.lowerBound == years.upperBound ? "\(years.lowerBound)" : "\(years.lowerBound)-\(years.upperBound)"
                let name = "\(unit)-\(span)"
                // The same bytes `dti export` writes (ExportFiles.write uses these), kept in memory.
                switch format {
                case .csv:
                    let suffix = (table == nil || table == "comparison") ? "" : "-" + (table ?? "")
                    guard let file = ExportFiles.csvFiles(doc).first(where: { $0.suffix == suffix }) else { return nil }
                    return (file.data, name + suffix + ".csv")
                case .xlsx: return (try ExportFiles.xlsxData(doc, language: lang), name + ".xlsx")
                default: return (Data(ExportHTML.render(doc, language: lang).utf8), name + ".html")
                }
            }
        }
        guard let (data, name) = result else { return notFound(lang, session) }
        let type = switch format {
        case .csv: "text/csv; charset=utf-8"
        case .xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        default: "text/html; charset=utf-8"
        }
        return Response(status: .ok, headers: [.contentType: type, .contentDisposition: "attachment; filename=\"\(name)\"", .cacheControl: "no-store"],
                        body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    // MARK: what-if

    func whatIf(_ request: Request, _ context: PortalContext) async throws -> Response {
        let session = try requireSession(request, context)
        let lang = language(request, context)
        let pairs = try await form(request, context, session: session)
        let unit = context.parameters.get("code") ?? ""
        let range = try Self.yearRange(request)
        let keys = pairs.filter { $0.0 == "key" }.map(\.1), values = pairs.filter { $0.0 == "value" }.map(\.1)
        var typed: [(String, String)] = []
        for (k, v) in zip(keys, values) where !k.trimmingCharacters(in: .whitespaces).isEmpty || !v.trimmingCharacters(in: .whitespaces).isEmpty {
            typed.append((k.trimmingCharacters(in: .whitespaces), v.trimmingCharacters(in: .whitespaces)))
        }
        let entered = typed
        let service = self.service
        let path = request.uri.path.replacingOccurrences(of: "/whatif", with: "") + (range.map { "?years=\($0.lowerBound)-\($0.upperBound)" } ?? "")
        let page: String? = try await blocking { [self] in
            // First as the person: may they see this unit at all? Then the page data, as them.
            let seen: (ClosedRange<Int>, UnitPageData)? = try session.pool.with { db in
                try self.cachedUnitPage(db, session: session, unit: unit, range: range, lang: lang).map { ($0.0, $0.1.data) }
            }
            guard let (years, data) = seen, let year = data.years.last?.year else { return nil }
            var result: WhatIf.Result? = nil
            var failure: String? = nil
            do {
                let changes = try entered.map { try WhatIf.Change.parse("\($0.0)=\($0.1)") }
                if changes.isEmpty { throw DTIError(.usage, vi: "chưa nhập thay đổi nào", en: "no change entered") }
                result = try service.with { db in try WhatIf(connection: db).run(unit: unit, year: year, changes: changes) }
            } catch let e as DTIError {
                failure = e.message.text(lang)
            }
            return Self.renderUnitPage(data, years: years, lang: lang, session: session, path: path, whatIf: result, whatIfError: failure, changes: entered)
        }
        guard let page else { return notFound(lang, session) }
        return Self.html(page)
    }

    // MARK: the units a login may see (ICT department and analysts)

    func unitList(_ request: Request, _ context: PortalContext) async throws -> Response {
        let session = try requireSession(request, context)
        let lang = language(request, context)
        let page: String = try await blocking {
            try session.pool.with { db in
                let rows = try db.query("""
                    SELECT unit_code, min(unit_name) AS unit_name, min(level::text) AS level, min(year) AS lo, max(year) AS hi
                      FROM dti.v_unit_index WHERE NOT derived GROUP BY unit_code ORDER BY unit_code
                    """)
                func t(_ vi: String, _ en: String) -> String { HTML.t(lang, vi, en) }
                var b = "<h1>\(t("Các đơn vị đã có kết quả", "Units with results"))</h1><div class=\"scroll\"><table id=\"units\"><thead><tr><th>\(t("Mã", "Code"))</th><th>\(t("Tên", "Name"))</th><th>\(t("Cấp", "Level"))</th><th>\(t("Năm", "Years"))</th></tr></thead><tbody>"
                for r in rows {
                    let code = HTML.esc(r["unit_code"].text ?? "")
                    b += "<tr><td><a href=\"/units/\(code)\">\(code)</a></td><td>\(HTML.esc(r["unit_name"].text ?? ""))</td><td>\(HTML.esc(r["level"].text ?? ""))</td><td>\(r["lo"].text ?? "")–\(r["hi"].text ?? "")</td></tr>"
                }
                b += "</tbody></table></div>"
                return HTML.page(title: t("Các đơn vị — DTI", "Units — DTI"), lang: lang, session: session, path: "/units", body: b)
            }
        }
        return Self.html(page)
    }
}
