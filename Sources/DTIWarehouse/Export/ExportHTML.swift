import DTICore
import Foundation

/// One self-contained HTML page: the tables, inline SVG charts (the index across years, the pillars against the
/// peer group), the communes' data pillar by pillar, and a print stylesheet for A4 landscape. `fragment` gives the
/// body alone (for a portal page, with `stylesheet` in its head).
public enum ExportHTML {
    public static func render(_ doc: ExportDocument, language: Language) -> String {
        """
        <!DOCTYPE html>
        <html lang="\(language.rawValue)">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(esc(doc.title))</title>
        <style>
        \(stylesheet)
        </style>
        </head>
        <body>
        \(fragment(doc, language: language))
        </body>
        </html>

        """
    }

    /// The page's styles: readable from a phone to 1280 px, and on A4 landscape paper.
    public static let stylesheet = """
      .dti-export { font-family: "DejaVu Sans", "Segoe UI", Arial, sans-serif; color: #1a1a1a; max-width: 1240px; margin: 0 auto; }
      body { margin: 20px; }
      .dti-export h1 { font-size: 21px; margin: 0 0 4px; line-height: 1.25; }
      .dti-export .sub { color: #555; margin: 0 0 14px; font-size: 13px; line-height: 1.4; }
      .dti-export h2 { font-size: 16px; margin: 26px 0 8px; }
      .dti-export h3 { font-size: 14px; margin: 18px 0 6px; }
      .dti-export .charts { display: flex; flex-wrap: wrap; gap: 12px 28px; align-items: flex-start; }
      .dti-export .chart { flex: 1 1 420px; max-width: 600px; }
      .dti-export .chart svg { width: 100%; height: auto; display: block; }
      .dti-export .scroll { overflow-x: auto; -webkit-overflow-scrolling: touch; }
      .dti-export table { border-collapse: collapse; font-size: 13px; margin-bottom: 8px; }
      .dti-export th, .dti-export td { border: 1px solid #c8c8c8; padding: 3px 7px; vertical-align: top; }
      .dti-export th { background: #eef2f7; text-align: left; font-weight: 600; }
      .dti-export td.n, .dti-export th.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
      .dti-export td.name { min-width: 12em; }
      .dti-export td.nowrap { white-space: nowrap; }
      .dti-export tr.total td { font-weight: bold; background: #f7f7f2; }
      .dti-export .up { color: #0a7a2f; } .dti-export .down { color: #b3261e; }
      .dti-export .muted { color: #777; }
      .dti-export table.items th { font-size: 12px; font-weight: normal; min-width: 7.5em; max-width: 13em; line-height: 1.3; }
      .dti-export table.items th small, .dti-export table.items th .code { color: #666; font-size: 11px; display: block; }
      .dti-export table.items td.commune, .dti-export table.summary td.commune { white-space: nowrap; position: sticky; left: 0; background: #fff; }
      .dti-export table.items th:first-child, .dti-export table.summary th:first-child { position: sticky; left: 0; z-index: 1; }
      .dti-export td.full { background: #eaf5ec; } .dti-export td.part { background: #fdf3e1; } .dti-export td.none { background: #f9e3e1; }
      .dti-export details { margin: 10px 0; } .dti-export summary { cursor: pointer; font-weight: 600; }
      .dti-export .notes { font-size: 12px; color: #444; line-height: 1.45; }
      .dti-export svg text { font-family: "DejaVu Sans", "Segoe UI", Arial, sans-serif; }
      .dti-export .hint { display: none; color: #777; font-size: 12px; margin: 0 0 4px; }
      @media (max-width: 640px) {
        body { margin: 10px; }
        .dti-export .hint { display: block; }
        .dti-export h1 { font-size: 18px; }
        .dti-export table { font-size: 12px; }
        .dti-export td.name { min-width: 15em; }
      }
      @media print {
        @page { size: A4 landscape; margin: 10mm; }
        body { margin: 0; }
        .dti-export { max-width: none; font-size: 10px; }
        .dti-export h1 { font-size: 16px; } .dti-export h2 { font-size: 13px; margin-top: 14px; break-after: avoid; }
        .dti-export h3 { break-after: avoid; }
        .dti-export .scroll { overflow: visible; }
        .dti-export table { font-size: 9px; width: 100%; break-inside: auto; } .dti-export tr { break-inside: avoid; }
        .dti-export thead { display: table-header-group; }
        .dti-export th, .dti-export td { padding: 2px 4px; }
        .dti-export table.items th { min-width: 0; font-size: 8px; }
        .dti-export .charts { break-inside: avoid; }
        .dti-export .chart { flex: 1 1 45%; max-width: 48%; }
        .dti-export .up, .dti-export .down { color: inherit; }
        .dti-export details > summary { list-style: none; }
      }
    """

    /// The page's content: header, charts, tables, communes, notes.
    public static func fragment(_ doc: ExportDocument, language: Language) -> String {
        func t(_ vi: String, _ en: String) -> String { language == .vi ? vi : en }
        func number(_ d: Decimal, places: Int) -> String { ExportNumber.display(d, places: places, language: language) }
        var html = "<div class=\"dti-export\">\n<h1>\(esc(doc.title))</h1>\n<p class=\"sub\">\(esc(doc.subtitle))</p>\n"
        var charts: [String] = []
        if let chart = doc.chart, !chart.series.isEmpty {
            charts.append("<div class=\"chart\"><h2>\(esc(chart.title))</h2>\n" + svg(chart, language: language, number: { number($0, places: 1) }) + "</div>")
        }
        if let pc = doc.pillarChart, !pc.pillars.isEmpty {
            charts.append("<div class=\"chart\"><h2>\(esc(pc.title))</h2>\n" + pillarSVG(pc, number: { number($0, places: 1) }) + "</div>")
        }
        if !charts.isEmpty { html += "<div class=\"charts\">\n" + charts.joined(separator: "\n") + "\n</div>\n" }
        for table in doc.tables where !(table.key == "communes" && doc.communes != nil) {
            html += "<h2>\(esc(table.title))</h2>\n" + self.table(table, precision: doc.precision, language: language)
        }
        if let c = doc.communes { html += communes(c, language: language) }
        if !doc.notes.isEmpty {
            html += "<div class=\"notes\"><p>" + doc.notes.map(esc).joined(separator: "</p><p>") + "</p></div>\n"
        }
        html += "<p class=\"notes muted\">" + esc(t("Tạo bởi dti lúc ", "Generated by dti at ") + ISO8601DateFormatter().string(from: doc.generatedAt)) + "</p>\n"
        return html + "</div>\n"
    }

    static func esc(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    /// A table as people read it: no ids or verbatim duplicates, ranks "x/N", the note column only when used.
    static func table(_ table: ExportTable, precision: DisplayPrecision, language: Language) -> String {
        let shown = table.columns.indices.filter { HumanColumns.shows(table, $0) }
        var html = shown.count > 5 ? "<p class=\"hint\">\(language == .vi ? "← vuốt ngang để xem các cột khác →" : "← swipe sideways for more columns →")</p>\n" : ""
        html += "<div class=\"scroll\"><table data-table=\"\(table.key)\">\n<thead><tr>"
        html += shown.map { k in
            let c = table.columns[k]
            return "<th\(c.kind == .text ? "" : " class=\"n\"")>\(esc(c.header))</th>"
        }.joined() + "</tr></thead>\n<tbody>\n"
        for row in table.rows {
            let isTotal = table.key == "comparison" && row.first == .text("")
            html += isTotal ? "<tr class=\"total\">" : "<tr>"
            for k in shown {
                let col = table.columns[k]
                let text = HumanColumns.text(table, row: row, column: k, precision: precision, language: language)
                var classes: [String] = []
                if col.kind != .text { classes.append("n") }
                if col.key.hasSuffix("name") && col.kind == .text { classes.append("name") }
                if col.key.hasSuffix("code") { classes.append("nowrap") }
                if [.delta, .percentDelta, .rankDelta].contains(col.kind), let d = row[k].decimal { if d > 0 { classes.append("up") } else if d < 0 { classes.append("down") } }
                let cls = classes.isEmpty ? "" : " class=\"\(classes.joined(separator: " "))\""
                html += "<td\(cls) data-col=\"\(esc(col.key))\">\(esc(text))</td>"
            }
            html += "</tr>\n"
        }
        return html + "</tbody>\n</table></div>\n"
    }

    /// The communes: a summary (communes as rows, pillars as columns: data items reported), then one table per
    /// pillar with the items' meanings as headers; the last year open, earlier years folded.
    static func communes(_ c: ExportCommunes, language: Language) -> String {
        func t(_ vi: String, _ en: String) -> String { language == .vi ? vi : en }
        var html = "<section class=\"communes\" data-section=\"communes\">\n<h2>\(esc(c.title))</h2>\n"
            + "<p class=\"hint\">\(t("← vuốt ngang để xem các cột khác; tên xã luôn ở bên trái →", "← swipe sideways for more columns; the commune stays on the left →"))</p>\n"
        for (index, year) in c.years.reversed().enumerated() {
            var body = ""
            body += "<h3>" + esc(t("Tổng hợp \(year): số mục số liệu các xã đã nộp theo chỉ số chính", "Summary \(year): data items each commune reported, by pillar")) + "</h3>\n"
            body += "<div class=\"scroll\"><table class=\"summary\" data-table=\"communes-summary\" data-year=\"\(year)\">\n<thead><tr><th>\(t("Xã", "Commune"))</th>"
            body += c.pillars.map { "<th class=\"n\">\(esc($0.code)). \(esc($0.name))</th>" }.joined() + "</tr></thead>\n<tbody>\n"
            for commune in c.communes {
                body += "<tr><td class=\"commune\">\(esc(commune.name))</td>"
                for p in c.pillars {
                    let n = c.items(of: p.code).count, got = c.reported(commune.code, pillar: p.code, year: year)
                    body += "<td class=\"n \(got == n ? "full" : got == 0 ? "none" : "part")\">\(got)/\(n)</td>"
                }
                body += "</tr>\n"
            }
            body += "</tbody></table></div>\n"
            for p in c.pillars {
                let all = c.items(of: p.code)
                // At most 8 items a table, so a pillar fits 1280 px; a longer pillar continues in a second table.
                let parts = stride(from: 0, to: all.count, by: 8).map { Array(all[$0..<min($0 + 8, all.count)]) }
                for (n, items) in parts.enumerated() {
                    let suffix = parts.count > 1 ? " (\(n + 1)/\(parts.count))" : ""
                    body += "<h3>\(esc(p.code)). \(esc(p.name)) — \(year)\(suffix)</h3>\n"
                    body += "<div class=\"scroll\"><table class=\"items\" data-table=\"communes-pillar\" data-pillar=\"\(esc(p.code))\" data-year=\"\(year)\">\n<thead><tr><th>\(t("Xã", "Commune"))</th>"
                    body += items.map { i in
                        "<th title=\"\(esc(i.key))\">\(esc(i.meaning))<span class=\"code\">\(esc(itemLabel(i, language: language)))</span></th>"
                    }.joined() + "</tr></thead>\n<tbody>\n"
                    for commune in c.communes {
                        let v = c.values[year]?[commune.code] ?? [:]
                        body += "<tr><td class=\"commune\">\(esc(commune.name))</td>"
                        for i in items {
                            guard let d = v[i.key] else { body += "<td class=\"n muted\">—</td>"; continue }
                            let text = i.yesno ? (d == 0 ? t("không", "no") : t("có", "yes"))
                                : ExportNumber.display(d, places: i.whole ? 0 : 3, language: language)
                            body += "<td class=\"n\">\(esc(text))</td>"
                        }
                        body += "</tr>\n"
                    }
                    body += "</tbody></table></div>\n"
                }
            }
            if index == 0 { html += body } else {
                html += "<details data-year=\"\(year)\"><summary>\(esc(t("Năm \(year)", "Year \(year)")))</summary>\n\(body)</details>\n"
            }
        }
        return html + "</section>\n"
    }

    /// "→ 1.4.a · cộng các xã" under an item's meaning: the district variables it feeds and how.
    static func itemLabel(_ i: ExportCommunes.Item, language: Language) -> String {
        func how(_ h: String) -> String {
            switch h {
            case "sum": return language == .vi ? "cộng các xã" : "summed"
            case "count_yes": return language == .vi ? "đếm xã trả lời có" : "communes answering yes"
            case "count_no": return language == .vi ? "đếm xã trả lời không" : "communes answering no"
            case "count_answers": return language == .vi ? "đếm xã đã trả lời" : "communes answering"
            case "mean": return language == .vi ? "trung bình" : "mean"
            case "min": return language == .vi ? "nhỏ nhất" : "min"
            case "max": return language == .vi ? "lớn nhất" : "max"
            default: return h
            }
        }
        // An indicator code (3.4.a) is what the district's own forms print; a profile field (households.value)
        // is an internal name, so it is said in words.
        return "→ " + i.feeds.map { feed in
            let isIndicator = feed.code.first.map { $0.isNumber || "IVX".contains($0) } ?? false
            let target = isIndicator ? feed.code : (language == .vi ? "hồ sơ của huyện" : "the district's profile")
            return "\(target) · \(how(feed.how))"
        }.joined(separator: "; ")
    }

    static let palette = ["#1f5fa8", "#d2691e", "#2e8b57", "#8b008b", "#b8860b", "#4682b4", "#c71585", "#556b2f", "#8b4513", "#483d8b"]

    /// A line chart as inline SVG: percent on the y axis (0–100), years on the x axis. With `highlightFirst` the
    /// unit's line is drawn in colour with its values and every other unit of the peer group in light grey.
    static func svg(_ chart: ExportChart, language: Language, number: (Decimal) -> String) -> String {
        if chart.highlightFirst && chart.years.count == 1 { return peerBars(chart, number: number) }
        let width = 500.0, height = 270.0, left = 38.0, right = 160.0, top = 16.0, bottom = 34.0
        let plotW = width - left - right, plotH = height - top - bottom
        let n = chart.years.count
        func x(_ i: Int) -> Double { n <= 1 ? left + plotW / 2 : left + 16 + (plotW - 32) * Double(i) / Double(n - 1) }
        func y(_ v: Decimal) -> Double { top + plotH * (1 - min(max(NSDecimalNumber(decimal: v).doubleValue, 0), 100) / 100) }
        func f(_ d: Double) -> String { String(format: "%.1f", d) }
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" aria-label=\"\(esc(chart.title))\">\n"
        for tick in stride(from: 0, through: 100, by: 20) {
            let ty = top + plotH * (1 - Double(tick) / 100)
            s += "<line x1=\"\(f(left))\" y1=\"\(f(ty))\" x2=\"\(f(left + plotW))\" y2=\"\(f(ty))\" stroke=\"#e3e3e3\"/>"
            s += "<text x=\"\(f(left - 6))\" y=\"\(f(ty + 4))\" font-size=\"12.5\" text-anchor=\"end\">\(tick)</text>\n"
        }
        for (i, year) in chart.years.enumerated() {
            s += "<text x=\"\(f(x(i)))\" y=\"\(f(height - 12))\" font-size=\"13\" text-anchor=\"middle\">\(year)</text>\n"
        }
        s += "<text x=\"10\" y=\"\(f(top + plotH / 2))\" font-size=\"12.5\" transform=\"rotate(-90 10 \(f(top + plotH / 2)))\" text-anchor=\"middle\">\(esc(chart.yAxis))</text>\n"
        // Grey peers first, so the unit's line is drawn on top.
        let order = chart.highlightFirst ? Array(chart.series.indices.dropFirst()) + [0] : Array(chart.series.indices.reversed())
        for k in order {
            let series = chart.series[k]
            let emphasised = k == 0
            let color = chart.highlightFirst ? (emphasised ? palette[0] : "#b5b5b5") : palette[k % palette.count]
            var points: [(Double, Double, Decimal)] = []
            for (i, v) in series.values.enumerated() { if let v { points.append((x(i), y(v), v)) } }
            let dash = !chart.highlightFirst && !emphasised && k == chart.series.count - 1 && chart.series.count == 2 ? " stroke-dasharray=\"5 4\"" : ""
            if points.count > 1 {
                s += "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"\(emphasised ? 3 : 1.5)\"\(dash) points=\"" + points.map { "\(f($0.0)),\(f($0.1))" }.joined(separator: " ") + "\"><title>\(esc(series.name))</title></polyline>\n"
            }
            for p in points {
                s += "<circle cx=\"\(f(p.0))\" cy=\"\(f(p.1))\" r=\"\(emphasised ? 4 : 2.5)\" fill=\"\(color)\"><title>\(esc(series.name)): \(number(p.2))%</title></circle>\n"
                if emphasised { s += "<text x=\"\(f(p.0))\" y=\"\(f(p.1 - 9))\" font-size=\"12.5\" text-anchor=\"middle\" fill=\"\(color)\" font-weight=\"bold\">\(number(p.2))</text>\n" }
            }
        }
        // Legend: every series, or the unit and "the others" in grey.
        let legend: [(String, String)] = chart.highlightFirst
            ? [(chart.series[0].name, palette[0])] + (chart.series.count > 1 ? [((language == .vi ? "\(chart.series.count - 1) đơn vị khác" : "\(chart.series.count - 1) other units"), "#b5b5b5")] : [])
            : chart.series.enumerated().map { ($0.element.name, palette[$0.offset % palette.count]) }
        for (k, item) in legend.prefix(12).enumerated() {
            let ly = top + 14 + Double(k) * 18
            s += "<rect x=\"\(f(left + plotW + 14))\" y=\"\(f(ly - 8))\" width=\"14\" height=\"4\" fill=\"\(item.1)\"/>"
            s += "<text x=\"\(f(left + plotW + 32))\" y=\"\(f(ly - 3))\" font-size=\"12.5\">\(esc(short(item.0, 18)))<title>\(esc(item.0))</title></text>\n"
        }
        return s + "</svg>"
    }

    /// Horizontal bars per pillar: the unit, and the peer group's mean and best where the login sees them.
    static func pillarSVG(_ c: ExportPillarChart, number: (Decimal) -> String) -> String {
        let width = 520.0, left = 200.0, right = 40.0, top = 8.0, rowH = c.series.count > 1 ? 30.0 : 22.0
        let legendH = c.series.count > 1 ? 24.0 : 0
        let height = top + Double(c.pillars.count) * rowH + 26 + legendH
        let plotW = width - left - right
        let colors = ["#1f5fa8", "#9aa9bd", "#e0a03a"]
        func f(_ d: Double) -> String { String(format: "%.1f", d) }
        func w(_ v: Decimal) -> Double { plotW * min(max(NSDecimalNumber(decimal: v).doubleValue, 0), 100) / 100 }
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" aria-label=\"\(esc(c.title))\">\n"
        let axisY = top + Double(c.pillars.count) * rowH
        for tick in stride(from: 0, through: 100, by: 25) {
            let tx = left + plotW * Double(tick) / 100
            s += "<line x1=\"\(f(tx))\" y1=\"\(f(top))\" x2=\"\(f(tx))\" y2=\"\(f(axisY))\" stroke=\"#e3e3e3\"/>"
            s += "<text x=\"\(f(tx))\" y=\"\(f(axisY + 14))\" font-size=\"12.5\" text-anchor=\"middle\">\(tick)%</text>\n"
        }
        let barH = (rowH - 8) / Double(max(c.series.count, 1))
        for (i, p) in c.pillars.enumerated() {
            let y0 = top + Double(i) * rowH + 4
            s += "<text x=\"\(f(left - 8))\" y=\"\(f(y0 + (rowH - 8) / 2 + 4))\" font-size=\"12.5\" text-anchor=\"end\">\(esc(short("\(p.code). \(p.name)", 30)))<title>\(esc(p.name))</title></text>\n"
            for (k, series) in c.series.enumerated() {
                guard let v = series.values[i] else { continue }
                let by = y0 + Double(k) * barH
                s += "<rect x=\"\(f(left))\" y=\"\(f(by))\" width=\"\(f(max(w(v), 1)))\" height=\"\(f(barH - 1))\" fill=\"\(colors[k % colors.count])\"><title>\(esc(series.name)): \(number(v))%</title></rect>"
                if k == 0 { s += "<text x=\"\(f(left + w(v) + 4))\" y=\"\(f(by + barH - 3))\" font-size=\"11.5\" fill=\"#1a1a1a\">\(number(v))</text>" }
                s += "\n"
            }
        }
        if c.series.count > 1 {
            var lx = 10.0
            for (k, series) in c.series.enumerated() {
                s += "<rect x=\"\(f(lx))\" y=\"\(f(axisY + 24))\" width=\"12\" height=\"10\" fill=\"\(colors[k % colors.count])\"/>"
                s += "<text x=\"\(f(lx + 16))\" y=\"\(f(axisY + 33))\" font-size=\"12.5\">\(esc(short(series.name, 24)))</text>\n"
                lx += 16 + 7.2 * Double(min(series.name.count, 24)) + 18
            }
        }
        return s + "</svg>"
    }

    /// One year of a peer group: a bar per unit, best first, the unit in colour and the others in grey.
    static func peerBars(_ chart: ExportChart, number: (Decimal) -> String) -> String {
        let rows = chart.series.enumerated().compactMap { k, s in s.values.first.flatMap { $0 }.map { (k, s.name, $0) } }
            .sorted { $0.2 > $1.2 }
        let width = 500.0, left = 185.0, right = 50.0, top = 6.0, rowH = 20.0
        let height = top + Double(rows.count) * rowH + 24
        let plotW = width - left - right
        func f(_ d: Double) -> String { String(format: "%.1f", d) }
        func w(_ v: Decimal) -> Double { plotW * min(max(NSDecimalNumber(decimal: v).doubleValue, 0), 100) / 100 }
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" aria-label=\"\(esc(chart.title))\">\n"
        let axisY = top + Double(rows.count) * rowH
        for tick in stride(from: 0, through: 100, by: 25) {
            let tx = left + plotW * Double(tick) / 100
            s += "<line x1=\"\(f(tx))\" y1=\"\(f(top))\" x2=\"\(f(tx))\" y2=\"\(f(axisY))\" stroke=\"#e3e3e3\"/>"
            s += "<text x=\"\(f(tx))\" y=\"\(f(axisY + 14))\" font-size=\"12\" text-anchor=\"middle\">\(tick)%</text>\n"
        }
        for (i, row) in rows.enumerated() {
            let y0 = top + Double(i) * rowH
            let own = row.0 == 0
            let color = own ? palette[0] : "#b5b5b5"
            s += "<text x=\"\(f(left - 6))\" y=\"\(f(y0 + 14))\" font-size=\"12.5\" text-anchor=\"end\"\(own ? " font-weight=\"bold\"" : "")>\(esc(short(row.1, 23)))<title>\(esc(row.1))</title></text>"
            s += "<rect x=\"\(f(left))\" y=\"\(f(y0 + 3))\" width=\"\(f(max(w(row.2), 1)))\" height=\"14\" fill=\"\(color)\"><title>\(esc(row.1)): \(number(row.2))%</title></rect>"
            s += "<text x=\"\(f(left + w(row.2) + 4))\" y=\"\(f(y0 + 14))\" font-size=\"11.5\"\(own ? " font-weight=\"bold\"" : "")>\(number(row.2))</text>\n"
        }
        return s + "</svg>"
    }

    static func short(_ s: String, _ n: Int) -> String { s.count > n ? String(s.prefix(n - 1)) + "…" : s }
}
