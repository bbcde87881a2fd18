import DTICore
import Foundation

/// One self-contained HTML page: the tables, an inline SVG line chart of the index across years, and a print
/// stylesheet (A4 landscape, no colours needed to read it).
public enum ExportHTML {
    public static func render(_ doc: ExportDocument, language: Language) -> String {
        func esc(_ s: String) -> String {
            s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
                .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
        }
        func number(_ d: Decimal, places: Int = 3, sign: Bool = false) -> String {
            ExportNumber.display(d, places: places, sign: sign, language: language)
        }
        var html = """
        <!DOCTYPE html>
        <html lang="\(language.rawValue)">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(esc(doc.title))</title>
        <style>
          body { font-family: "DejaVu Sans", "Segoe UI", Arial, sans-serif; margin: 24px; color: #1a1a1a; }
          h1 { font-size: 20px; margin: 0 0 4px; }
          .sub { color: #555; margin: 0 0 16px; }
          h2 { font-size: 16px; margin: 28px 0 8px; }
          table { border-collapse: collapse; font-size: 13px; margin-bottom: 8px; }
          th, td { border: 1px solid #c8c8c8; padding: 3px 7px; vertical-align: top; }
          th { background: #eef2f7; text-align: left; }
          td.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
          tr.total td { font-weight: bold; background: #f7f7f2; }
          .up { color: #0a7a2f; } .down { color: #b3261e; }
          .notes { font-size: 12px; color: #444; }
          svg text { font-family: inherit; }
          @media print {
            @page { size: A4 landscape; margin: 12mm; }
            body { margin: 0; }
            h2 { break-after: avoid; }
            table { break-inside: auto; } tr { break-inside: avoid; }
            .up, .down { color: inherit; }
          }
        </style>
        </head>
        <body>
        <h1>\(esc(doc.title))</h1>
        <p class="sub">\(esc(doc.subtitle))</p>

        """
        if let chart = doc.chart, !chart.series.isEmpty {
            html += "<h2>\(esc(chart.title))</h2>\n" + svg(chart, number: { number($0, places: 1) }, esc: esc) + "\n"
        }
        for table in doc.tables {
            html += "<h2>\(esc(table.title))</h2>\n<table data-table=\"\(table.key)\">\n<thead><tr>"
            html += table.columns.map { "<th>\(esc($0.header))</th>" }.joined() + "</tr></thead>\n<tbody>\n"
            for row in table.rows {
                let isTotal = table.key == "comparison" && row.first == .text("")
                html += isTotal ? "<tr class=\"total\">" : "<tr>"
                for (k, cell) in row.enumerated() {
                    let col = table.columns[k]
                    let key = col.key
                    switch cell {
                    case .text(let s): html += "<td data-col=\"\(key)\">\(esc(s))</td>"
                    case .integer(let i):
                        if col.kind == .rankDelta {
                            html += "<td class=\"n \(i > 0 ? "up" : i < 0 ? "down" : "")\" data-col=\"\(key)\">\(i > 0 ? "+" : "")\(i)</td>"
                        } else { html += "<td class=\"n\" data-col=\"\(key)\">\(i)</td>" }
                    case .number(let d):
                        switch col.kind {
                        case .delta: html += "<td class=\"n \(d > 0 ? "up" : d < 0 ? "down" : "")\" data-col=\"\(key)\">\(number(d, sign: true))</td>"
                        case .percent: html += "<td class=\"n\" data-col=\"\(key)\">\(number(d, places: 2))</td>"
                        default: html += "<td class=\"n\" data-col=\"\(key)\">\(number(d))</td>"
                        }
                    case .empty: html += "<td data-col=\"\(key)\"></td>"
                    }
                }
                html += "</tr>\n"
            }
            html += "</tbody>\n</table>\n"
        }
        if !doc.notes.isEmpty {
            html += "<div class=\"notes\"><p>" + doc.notes.map(esc).joined(separator: "</p><p>") + "</p></div>\n"
        }
        return html + "</body>\n</html>\n"
    }

    /// A line chart as inline SVG: one line per series, percent on the y axis (0–100), years on the x axis.
    static func svg(_ chart: ExportChart, number: (Decimal) -> String, esc: (String) -> String) -> String {
        let width = 760.0, height = 300.0, left = 48.0, right = 200.0, top = 16.0, bottom = 36.0
        let plotW = width - left - right, plotH = height - top - bottom
        let colors = ["#1f5fa8", "#d2691e", "#2e8b57", "#8b008b", "#b8860b", "#4682b4", "#c71585", "#556b2f", "#8b4513", "#483d8b"]
        let n = chart.years.count
        func x(_ i: Int) -> Double { n <= 1 ? left + plotW / 2 : left + plotW * Double(i) / Double(n - 1) }
        func y(_ v: Decimal) -> Double { top + plotH * (1 - min(max(NSDecimalNumber(decimal: v).doubleValue, 0), 100) / 100) }
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" aria-label=\"\(esc(chart.title))\">\n"
        for tick in stride(from: 0, through: 100, by: 20) {
            let ty = top + plotH * (1 - Double(tick) / 100)
            s += "<line x1=\"\(left)\" y1=\"\(ty)\" x2=\"\(left + plotW)\" y2=\"\(ty)\" stroke=\"#e3e3e3\"/>"
            s += "<text x=\"\(left - 6)\" y=\"\(ty + 4)\" font-size=\"11\" text-anchor=\"end\">\(tick)</text>\n"
        }
        for (i, year) in chart.years.enumerated() {
            s += "<text x=\"\(x(i))\" y=\"\(height - 12)\" font-size=\"12\" text-anchor=\"middle\">\(year)</text>\n"
        }
        s += "<text x=\"12\" y=\"\(top + plotH / 2)\" font-size=\"11\" transform=\"rotate(-90 12 \(top + plotH / 2))\" text-anchor=\"middle\">\(esc(chart.yAxis))</text>\n"
        for (k, series) in chart.series.enumerated() {
            let color = colors[k % colors.count]
            var points: [(Double, Double, Decimal)] = []
            for (i, v) in series.values.enumerated() { if let v { points.append((x(i), y(v), v)) } }
            if points.count > 1 {
                s += "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"\(k == 0 ? 3 : 1.5)\" points=\"" + points.map { "\($0.0),\($0.1)" }.joined(separator: " ") + "\"/>\n"
            }
            for p in points {
                s += "<circle cx=\"\(p.0)\" cy=\"\(p.1)\" r=\"\(k == 0 ? 4 : 2.5)\" fill=\"\(color)\"><title>\(esc(series.name)): \(number(p.2))%</title></circle>\n"
                if k == 0 { s += "<text x=\"\(p.0)\" y=\"\(p.1 - 8)\" font-size=\"11\" text-anchor=\"middle\" fill=\"\(color)\">\(number(p.2))</text>\n" }
            }
            let ly = top + 14 + Double(k) * 18
            s += "<rect x=\"\(left + plotW + 16)\" y=\"\(ly - 9)\" width=\"12\" height=\"4\" fill=\"\(color)\"/>"
            s += "<text x=\"\(left + plotW + 34)\" y=\"\(ly - 4)\" font-size=\"11\">\(esc(String(series.name.prefix(26))))</text>\n"
        }
        return s + "</svg>"
    }
}
