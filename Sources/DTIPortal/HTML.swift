import DTICore
import DTIWarehouse
import Foundation
import Mustache

/// HTML for the portal's pages: every value from the database or a request goes through `esc`, pages are one
/// self-contained document (inline CSS and SVG, no script from elsewhere, so a page works offline and prints).
enum HTML {
    static func esc(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for c in s.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    static func number(_ d: Decimal?, _ lang: Language, places: Int = 2, sign: Bool = false) -> String {
        guard let d else { return "—" }
        let s = lang == .vi ? DecimalText.vietnamese(d, fractionDigits: places) : DecimalText.english(d, fractionDigits: places)
        return sign && d > 0 ? "+" + s : s
    }

    static func t(_ lang: Language, _ vi: String, _ en: String) -> String { lang == .vi ? vi : en }

    static let css = """
    :root{--ink:#1b1f24;--muted:#5b6470;--line:#d7dce2;--accent:#0b5cad;--good:#0a7a2f;--bad:#b3261e;--warn:#8a5a00;--bg:#f6f8fa}
    *{box-sizing:border-box}body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif;color:var(--ink);background:#fff}
    header.top{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:center;justify-content:space-between;padding:.6rem 1rem;background:var(--accent);color:#fff}
    header.top a{color:#fff}header.top form{display:inline;margin:0}header.top button{background:#fff;color:var(--accent);border:0;border-radius:4px;padding:.3rem .7rem;cursor:pointer}
    main{max-width:1240px;margin:0 auto;padding:1rem}
    h1{font-size:1.45rem;margin:.2rem 0}h2{font-size:1.15rem;margin:1.6rem 0 .5rem;border-bottom:2px solid var(--line);padding-bottom:.2rem}
    .sub{color:var(--muted)}
    .cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(210px,1fr));gap:.7rem;margin:.8rem 0}
    .card{border:1px solid var(--line);border-radius:6px;padding:.6rem .8rem;background:var(--bg)}
    .card .big{font-size:1.6rem;font-weight:600}.card .label{color:var(--muted);font-size:.85rem}
    .charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(340px,1fr));gap:1rem}
    .chart{border:1px solid var(--line);border-radius:6px;padding:.5rem}svg{width:100%;height:auto;display:block}
    .scroll{overflow-x:auto;-webkit-overflow-scrolling:touch}
    table{border-collapse:collapse;width:100%;font-size:.9rem}th,td{border:1px solid var(--line);padding:.3rem .45rem;vertical-align:top}
    th{background:#e8eef6;text-align:left;position:sticky;top:0}td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
    .up{color:var(--good)}.down{color:var(--bad)}.flag{display:inline-block;font-size:.75rem;border-radius:3px;padding:0 .3rem;margin-left:.25rem;background:#fff4d6;color:var(--warn);border:1px solid #e9c46a}
    .ok{background:#e3f5e8;color:var(--good);border-color:#9ad3a8}
    .downloads a{display:inline-block;margin:.2rem .4rem .2rem 0;padding:.35rem .7rem;border:1px solid var(--accent);border-radius:4px;text-decoration:none}
    form.stack label{display:block;margin:.5rem 0 .2rem}input,select,button{font:inherit}input[type=text],input[type=password],input[type=number]{padding:.35rem;border:1px solid var(--line);border-radius:4px;width:100%;max-width:22rem}
    button.primary{background:var(--accent);color:#fff;border:0;border-radius:4px;padding:.45rem 1rem;cursor:pointer}
    .error{background:#fde8e6;border:1px solid #f1b0aa;color:var(--bad);padding:.5rem .8rem;border-radius:4px}
    .note{background:var(--bg);border:1px solid var(--line);padding:.5rem .8rem;border-radius:4px}
    details summary{cursor:pointer;color:var(--accent)}
    .whatif-row{display:flex;flex-wrap:wrap;gap:.4rem;align-items:center;margin:.25rem 0}.whatif-row input{max-width:9rem}
    @media (max-width:700px){main{padding:.5rem}body{font-size:14px}th,td{padding:.25rem}.hide-sm{display:none}}
    @media print{header.top,.noprint,form{display:none!important}main{max-width:none;padding:0}a{color:inherit;text-decoration:none}th{position:static}.chart{break-inside:avoid}}
    """

    /// Every page's frame, a Mustache template (swift-mustache): `{{…}}` escapes for HTML (& < > " '), the only
    /// unescaped parts are the stylesheet and the body, which the page renderers build with `esc`.
    static let layoutSource = """
        <!doctype html><html lang="{{lang}}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
        <title>{{title}}</title><style>{{{style}}}</style></head><body><header class="top"><div><strong>DTI</strong> · {{portal}}</div><div>\
        <a href="{{switchHref}}" id="lang-switch">{{switchLabel}}</a>\
        {{#session}} · <span id="who">{{login}}</span> · {{#links}}<a href="{{href}}">{{label}}</a> · {{/links}}\
        <form method="post" action="/logout"><input type="hidden" name="csrf" value="{{csrf}}"><button type="submit" id="logout">{{signOut}}</button></form>{{/session}}\
        </div></header><main>{{{body}}}</main></body></html>
        """
    // The source is a constant of this file: PortalTests renders every kind of page through it.
    static let layout = try! MustacheTemplate(string: layoutSource)
    static let style = ExportHTML.stylesheet + "\n" + css

    /// A whole page. `session` nil: the signed-out header.
    static func page(title: String, lang: Language, session: Session?, path: String, body: String) -> String {
        let other: Language = lang == .vi ? .en : .vi
        let sep = path.contains("?") ? "&" : "?"
        var values: [String: Any] = [
            "lang": lang.rawValue, "title": title, "style": style, "body": body,
            "portal": t(lang, "Cổng thông tin chỉ số chuyển đổi số", "Digital transformation index portal"),
            "switchHref": path + sep + "lang=" + other.rawValue, "switchLabel": other == .en ? "English" : "Tiếng Việt",
        ]
        if let session {
            var links: [[String: String]] = []
            switch session.kind {
            case .district: if let d = session.district { links = [["href": "/units/" + d, "label": t(lang, "Huyện của tôi", "My district")]] }
            case .etl: links = [["href": "/status", "label": t(lang, "Tình hình nộp", "Submissions")], ["href": "/uploads", "label": t(lang, "Nạp tệp", "Upload")],
                                ["href": "/rollups", "label": t(lang, "Tổng hợp", "Roll-up")], ["href": "/units", "label": t(lang, "Các đơn vị", "Units")]]
            case .analyst: links = [["href": "/views", "label": t(lang, "Các view", "Views")], ["href": "/units", "label": t(lang, "Các đơn vị", "Units")]]
            }
            values["session"] = ["login": session.login, "links": links, "csrf": session.csrf, "signOut": t(lang, "Đăng xuất", "Sign out")] as [String: Any]
        }
        return layout.render(values)
    }

    static func csrfField(_ token: String) -> String { "<input type=\"hidden\" name=\"csrf\" value=\"\(esc(token))\">" }
}

/// Form bodies: `application/x-www-form-urlencoded` and `multipart/form-data` (file uploads).
enum Forms {
    static func urlencoded(_ body: String) -> [String: String] {
        var out: [String: String] = [:]
        for pair in body.split(separator: "&", omittingEmptySubsequences: true) {
            let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ s: Substring) -> String { (String(s).replacingOccurrences(of: "+", with: " ").removingPercentEncoding) ?? String(s) }
            let k = decode(kv[0]), v = kv.count > 1 ? decode(kv[1]) : ""
            if let existing = out[k] { out[k] = existing + "\n" + v } else { out[k] = v }
        }
        return out
    }

    /// Pairs in order (repeated names kept), for the what-if form's rows.
    static func urlencodedPairs(_ body: String) -> [(String, String)] {
        body.split(separator: "&", omittingEmptySubsequences: true).map { pair in
            let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ s: Substring) -> String { (String(s).replacingOccurrences(of: "+", with: " ").removingPercentEncoding) ?? String(s) }
            return (decode(kv[0]), kv.count > 1 ? decode(kv[1]) : "")
        }
    }

    struct Part { var name: String; var filename: String?; var data: Data }

    static func multipart(_ body: Data, contentType: String) -> [Part]? {
        guard let b = contentType.components(separatedBy: ";").map({ $0.trimmingCharacters(in: .whitespaces) })
            .first(where: { $0.lowercased().hasPrefix("boundary=") })?.dropFirst("boundary=".count) else { return nil }
        let boundary = Data(("--" + String(b).trimmingCharacters(in: CharacterSet(charactersIn: "\""))).utf8)
        var parts: [Part] = []
        var ranges: [Range<Data.Index>] = []
        var search = body.startIndex
        while let r = body.range(of: boundary, in: search..<body.endIndex) { ranges.append(r); search = r.upperBound }
        guard ranges.count >= 2 else { return nil }
        let crlf2 = Data("\r\n\r\n".utf8)
        for k in 0..<(ranges.count - 1) {
            var start = ranges[k].upperBound
            var end = ranges[k + 1].lowerBound
            if body[start..<min(start + 2, body.endIndex)] == Data("\r\n".utf8) { start += 2 }
            if end - start >= 2, body[(end - 2)..<end] == Data("\r\n".utf8) { end -= 2 }
            guard start < end, let sep = body.range(of: crlf2, in: start..<end) else { continue }
            let headers = String(decoding: body[start..<sep.lowerBound], as: UTF8.self)
            var name = "", filename: String? = nil
            for line in headers.components(separatedBy: "\r\n") where line.lowercased().hasPrefix("content-disposition") {
                for item in line.components(separatedBy: ";").map({ $0.trimmingCharacters(in: .whitespaces) }) {
                    if item.hasPrefix("name=") { name = String(item.dropFirst(5)).trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }
                    if item.hasPrefix("filename=") { filename = String(item.dropFirst(9)).trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }
                }
            }
            parts.append(Part(name: name, filename: filename, data: Data(body[sep.upperBound..<end])))
        }
        return parts
    }
}
