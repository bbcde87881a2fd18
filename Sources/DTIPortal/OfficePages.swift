import DTICore
import DTIWarehouse
import Foundation
import Hummingbird
import NIOCore
import PostgresClient

/// Files uploaded by the ICT department, kept between their dry run and the confirmation, for the login that
/// uploaded them only.
final class UploadStore: @unchecked Sendable {
    struct Upload: Sendable { var id: String; var login: String; var path: String; var name: String; var stage: Stage; var confirmed: Bool }
    private let lock = NSLock()
    private var uploads: [String: Upload] = [:]
    func add(_ u: Upload) { lock.lock(); uploads[u.id] = u; lock.unlock() }
    func get(_ id: String) -> Upload? { lock.lock(); defer { lock.unlock() }; return uploads[id] }
    func markConfirmed(_ id: String) { lock.lock(); uploads[id]?.confirmed = true; lock.unlock() }
}

/// Roll-ups started from the portal, running on the thread pool, with the progress lines the roll-up reports.
final class RollupJobs: @unchecked Sendable {
    struct Job: Sendable { var id: Int; var login: String; var province: String; var year: Int; var stage: Stage; var lines: [String] = []
        var done = false; var error: String? = nil; var report: String? = nil }
    private let lock = NSLock()
    private var jobs: [Int: Job] = [:]
    private var next = 1
    func start(login: String, province: String, year: Int, stage: Stage) -> Int {
        lock.lock(); defer { lock.unlock() }
        let id = next; next += 1
        jobs[id] = Job(id: id, login: login, province: province, year: year, stage: stage)
        return id
    }
    func update(_ id: Int, _ f: (inout Job) -> Void) { lock.lock(); if var j = jobs[id] { f(&j); jobs[id] = j }; lock.unlock() }
    func get(_ id: Int) -> Job? { lock.lock(); defer { lock.unlock() }; return jobs[id] }
}

extension Portal {
    func requireKind(_ session: Session, _ kinds: Set<LoginKind>, _ lang: Language) throws {
        guard kinds.contains(session.kind) else {
            throw HTTPError(.forbidden, message: HTML.t(lang, "Tài khoản này không được dùng trang này.\n", "This login may not use this page.\n"))
        }
    }

    // MARK: submission status

    func statusPage(_ request: Request, _ context: PortalContext) async throws -> Response {
        let session = try requireSession(request, context)
        let lang = language(request, context)
        try requireKind(session, [.etl, .analyst], lang)
        let year = request.uri.queryParameters["year"].flatMap { Int(String($0)) }
        let page: String = try await blocking {
            try session.pool.with { db in
                let y = try year ?? db.query("SELECT coalesce(max(year), extract(year FROM now())::int) AS y FROM dti.v_submission_status")[0]["y"].decode(Int.self)
                let rows = try db.query("""
                    SELECT s.unit_code, s.unit_name, u.level::text AS level, u.parent_code, s.catalogue_id, s.expected, s.submitted, cardinality(s.missing) AS missing,
                           to_char(s.last_loaded_at, 'YYYY-MM-DD HH24:MI') AS last, s.deadline::text AS deadline,
                           CASE WHEN cardinality(s.missing) > 0 AND s.deadline ~ '^\\d{4}-\\d{2}-\\d{2}$' THEN s.deadline::date < current_date ELSE false END AS overdue
                      FROM dti.v_submission_status s JOIN dti.units u ON u.code = s.unit_code
                     WHERE s.year = \(y) AND u.level IN ('district', 'commune')
                     ORDER BY coalesce(CASE WHEN u.level = 'district' THEN s.unit_code END, u.parent_code), u.level, s.unit_code, s.catalogue_id
                    """)
                func t(_ vi: String, _ en: String) -> String { HTML.t(lang, vi, en) }
                var b = "<h1>\(t("Tình hình nộp số liệu năm \(y)", "Submissions \(y)"))</h1>"
                b += "<form method=\"get\" action=\"/status\" class=\"noprint\">\(t("Năm", "Year")) <input type=\"number\" name=\"year\" value=\"\(y)\" style=\"width:7rem\"> <button type=\"submit\">OK</button></form>"
                let overdue = rows.filter { $0["overdue"].text == "t" }.count
                b += "<p>\(rows.count) \(t("dòng", "rows")) · <strong class=\"down\">\(overdue) \(t("quá hạn", "overdue"))</strong></p>"
                b += "<div class=\"scroll\"><table id=\"status\"><thead><tr><th>\(t("Đơn vị", "Unit"))</th><th>\(t("Cấp", "Level"))</th><th>\(t("Bộ chỉ số", "Catalogue"))</th><th>\(t("Cần nộp", "Expected"))</th><th>\(t("Đã nộp", "Submitted"))</th><th>\(t("Còn thiếu", "Missing"))</th><th>\(t("Nạp lần cuối", "Last load"))</th><th>\(t("Hạn", "Deadline"))</th><th></th></tr></thead><tbody>"
                for r in rows {
                    let missing = (try? r["missing"].decode(Int.self)) ?? 0
                    let flag = r["overdue"].text == "t" ? "<span class=\"flag\" style=\"color:var(--bad)\">\(t("quá hạn", "overdue"))</span>" : missing == 0 ? "<span class=\"flag ok\">\(t("đủ", "complete"))</span>" : ""
                    let level = r["level"].text ?? ""
                    let name = HTML.esc(r["unit_name"].text ?? "")
                    let unitCell = level == "district" ? "<a href=\"/units/\(HTML.esc(r["unit_code"].text ?? ""))\">\(name)</a>" : "&nbsp;&nbsp;\(name)"
                    b += "<tr><td>\(unitCell)<br><span class=\"sub\">\(HTML.esc(r["unit_code"].text ?? ""))</span></td><td>\(HTML.esc(level))</td><td>\(HTML.esc(r["catalogue_id"].text ?? ""))</td>"
                    b += "<td class=\"n\">\(r["expected"].text ?? "")</td><td class=\"n\">\(r["submitted"].text ?? "")</td><td class=\"n\(missing > 0 ? " down" : "")\">\(missing)</td>"
                    b += "<td>\(HTML.esc(r["last"].text ?? "—"))</td><td>\(HTML.esc(r["deadline"].text ?? "—"))</td><td>\(flag)</td></tr>"
                }
                b += "</tbody></table></div>"
                return HTML.page(title: t("Tình hình nộp", "Submissions"), lang: lang, session: session, path: "/status?year=\(y)", body: b)
            }
        }
        return Self.html(page)
    }

    // MARK: uploads: file → dry run → confirm

    func uploadPage(_ request: Request, _ context: PortalContext) async throws -> Response {
        let session = try requireSession(request, context)
        let lang = language(request, context)
        try requireKind(session, [.etl], lang)
        return Self.html(HTML.page(title: HTML.t(lang, "Nạp tệp", "Upload"), lang: lang, session: session, path: "/uploads", body: uploadForm(session, lang)))
    }

    func uploadForm(_ session: Session, _ lang: Language) -> String {
        func t(_ vi: String, _ en: String) -> String { HTML.t(lang, vi, en) }
        return """
        <h1>\(t("Nạp tệp số liệu", "Upload a data file"))</h1>
        <p class="sub">\(t("Biểu mẫu XLSX của dti template, CSV dài hoặc JSON. Trước tiên hệ thống chạy thử và cho xem kết quả; chỉ khi bấm Xác nhận thì số liệu mới được nạp.", "An XLSX form of dti template, a long CSV or JSON. The file is first tried (dry run) and the report shown; it is loaded only when you confirm."))</p>
        <form class="stack" method="post" action="/uploads" enctype="multipart/form-data" id="upload-form">\(HTML.csrfField(session.csrf))
        <label for="file">\(t("Tệp", "File"))</label><input type="file" id="file" name="file" accept=".csv,.xlsx,.json,.txt" required>
        <label for="stage">\(t("Giai đoạn", "Stage"))</label><select id="stage" name="stage">\(Stage.allCases.map { "<option value=\"\($0.rawValue)\">\($0.rawValue)</option>" }.joined())</select>
        <p><button class="primary" type="submit" id="upload-run">\(t("Chạy thử", "Dry run"))</button></p></form>
        """
    }

    func upload(_ request: Request, _ context: PortalContext) async throws -> Response {
        let session = try requireSession(request, context)
        let lang = language(request, context)
        try requireKind(session, [.etl], lang)
        var request = request
        let buffer = try await request.collectBody(upTo: context.maxUploadSize)
        let body = Data(buffer.readableBytesView)
        guard let parts = Forms.multipart(body, contentType: request.headers[.contentType] ?? "") else {
            throw HTTPError(.badRequest, message: "expected multipart/form-data\n")
        }
        let field = { (name: String) in parts.first { $0.name == name } }
        guard let csrf = field("csrf").map({ String(decoding: $0.data, as: UTF8.self) }), Tokens.equal(csrf, session.csrf) else {
            throw HTTPError(.forbidden, message: "CSRF token missing or wrong\n")
        }
        guard let file = field("file"), let original = file.filename, !original.isEmpty, !file.data.isEmpty else {
            throw HTTPError(.badRequest, message: HTML.t(lang, "chưa chọn tệp\n", "no file chosen\n"))
        }
        let stage = field("stage").flatMap { Stage(rawValue: String(decoding: $0.data, as: UTF8.self)) } ?? .selfAssessment
        // The file keeps its own name (the batch records it) in a directory of its own.
        let safeName = String(((original as NSString).lastPathComponent).map { $0.isLetter || $0.isNumber || "._-".contains($0) ? $0 : "_" })
        let id = Tokens.random().prefix(16).lowercased()
        let dir = config.uploadDirectory + "/" + id
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let path = dir + "/" + safeName
        try file.data.write(to: URL(fileURLWithPath: path))
        uploads.add(.init(id: String(id), login: session.login, path: path, name: safeName, stage: stage, confirmed: false))
        let page: String = try await blocking { [self] in
            let report = try dryRun(session, path: path, stage: stage)
            return HTML.page(title: HTML.t(lang, "Kết quả chạy thử", "Dry-run report"), lang: lang, session: session, path: "/uploads",
                             body: renderDryRun(report, id: String(id), name: safeName, session: session, lang: lang))
        }
        return Self.html(page)
    }

    struct DryRun: Sendable {
        var report: SubmissionLoader.Report?
        var refused: String?
    }

    /// `dti load --dry-run` as the person's own login: the loader's real checks inside a transaction that is rolled
    /// back, no batch, nothing written; the rejects with their cells and, per unit, what the load would change.
    func dryRun(_ session: Session, path: String, stage: Stage) throws -> DryRun {
        try session.pool.with { db in
            do {
                return DryRun(report: try SubmissionLoader(connection: db).dryRun(path: path, options: .init(stage: stage)), refused: nil)
            } catch let e as DTIError {
                return DryRun(report: nil, refused: e.message.text(session.language) + (e.details.isEmpty ? "" : "\n" + e.details.joined(separator: "\n")))
            }
        }
    }

    func renderDryRun(_ d: DryRun, id: String, name: String, session: Session, lang: Language) -> String {
        func t(_ vi: String, _ en: String) -> String { HTML.t(lang, vi, en) }
        var b = "<h1>\(t("Kết quả chạy thử", "Dry-run report")): \(HTML.esc(name))</h1>"
        if let refused = d.refused {
            return b + "<p class=\"error\" id=\"dry-run-refused\">\(HTML.esc(refused))</p>" + uploadForm(session, lang)
        }
        guard let r = d.report else { return b }
        if let existing = r.alreadyLoadedAs {
            return b + "<p class=\"note\" id=\"dry-run-noop\">\(t("Tệp này đã được nạp (lô \(existing)): nạp lại không thay đổi gì.", "This file was loaded already (batch \(existing)): loading it again changes nothing."))</p>"
        }
        b += "<div class=\"cards\"><div class=\"card\"><div class=\"label\">\(t("Bản ghi", "Records"))</div><div class=\"big\" id=\"dry-total\">\(r.total)</div></div>"
        b += "<div class=\"card\"><div class=\"label\">\(t("Sẽ nạp (mới hoặc sửa)", "Would load (new or changed)"))</div><div class=\"big\" id=\"dry-accepted\">\(r.accepted)</div></div>"
        b += "<div class=\"card\"><div class=\"label\">\(t("Không đổi", "Unchanged"))</div><div class=\"big\">\(r.unchanged)</div></div>"
        b += "<div class=\"card\"><div class=\"label\">\(t("Bị từ chối", "Rejected"))</div><div class=\"big\(r.rejected.isEmpty ? "" : " down")\" id=\"dry-rejected\">\(r.rejected.count)</div></div></div>"
        if !r.rejected.isEmpty {
            b += "<h2>\(t("Bản ghi bị từ chối (tệp sẽ không được nạp)", "Rejected records (the file would not load)"))</h2><div class=\"scroll\"><table id=\"rejects\"><thead><tr><th>\(t("Ô / dòng", "Cell / line"))</th><th>\(t("Đơn vị", "Unit"))</th><th>\(t("Chỉ số", "Indicator"))</th><th>\(t("Giá trị", "Value"))</th><th>\(t("Lý do", "Reason"))</th></tr></thead><tbody>"
            for x in r.rejected.prefix(500) {
                b += "<tr><td>\(HTML.esc(name)):\(HTML.esc(x.ref))</td><td>\(HTML.esc(x.unit))</td><td>\(HTML.esc(x.indicator)).\(HTML.esc(x.variable))</td><td>\(HTML.esc(x.raw))</td><td>\(HTML.esc(x.message.text(lang)))</td></tr>"
            }
            b += "</tbody></table></div>"
            return b + uploadForm(session, lang)
        }
        if !r.units.isEmpty {
            b += "<h2>\(t("Những gì sẽ thay đổi", "What would change"))</h2><div class=\"scroll\"><table id=\"changes\"><thead><tr><th>\(t("Đơn vị", "Unit"))</th><th>\(t("Năm", "Year"))</th><th>\(t("Bộ chỉ số", "Catalogue"))</th><th>\(t("Giai đoạn", "Stage"))</th><th>\(t("Mới", "New"))</th><th>\(t("Thay đổi", "Changed"))</th><th>\(t("Không đổi", "Unchanged"))</th><th>\(t("Rút lại (#rút)", "Withdrawn (#rút)"))</th><th>\(t("Giữ từ trước", "Kept from earlier"))</th></tr></thead><tbody>"
            for c in r.units {
                b += "<tr><td>\(HTML.esc(c.unit))</td><td>\(HTML.esc(c.year))</td><td>\(HTML.esc(c.catalogue))</td><td>\(HTML.esc(c.stage))</td><td class=\"n\">\(c.new)</td><td class=\"n\">\(c.changed)</td><td class=\"n\">\(c.unchanged)</td><td class=\"n\">\(c.withdrawn)</td><td class=\"n\">\(c.kept.count)</td></tr>"
            }
            b += "</tbody></table></div>"
        }
        if !r.warnings.isEmpty {
            b += "<h2>\(t("Cảnh báo (vẫn nạp)", "Warnings (the file still loads)"))</h2><ul id=\"warnings\">"
            for w in r.warnings { b += "<li>\(HTML.esc(w.ref)): \(HTML.esc(w.message.text(lang)))</li>" }
            b += "</ul>"
        }
        b += "<form method=\"post\" action=\"/uploads/\(HTML.esc(id))/confirm\" id=\"confirm-form\">\(HTML.csrfField(session.csrf))<p><button class=\"primary\" type=\"submit\" id=\"confirm\">\(t("Xác nhận nạp", "Confirm the load"))</button></p></form>"
        return b
    }

    func confirmUpload(_ request: Request, _ context: PortalContext) async throws -> Response {
        let session = try requireSession(request, context)
        let lang = language(request, context)
        try requireKind(session, [.etl], lang)
        _ = try await form(request, context, session: session)
        let id = context.parameters.get("id") ?? ""
        guard let u = uploads.get(id), u.login == session.login else { return notFound(lang, session) }
        let page: String = try await blocking { [self] in
            func t(_ vi: String, _ en: String) -> String { HTML.t(lang, vi, en) }
            let report: SubmissionLoader.Report
            do {
                report = try session.pool.with { db in try SubmissionLoader(connection: db).load(path: u.path, options: .init(stage: u.stage)) }
            } catch let e as DTIError {
                return HTML.page(title: "Error", lang: lang, session: session, path: "/uploads", body: "<p class=\"error\">\(HTML.esc(e.message.text(lang)))</p>")
            }
            uploads.markConfirmed(id)
            // The file was the upload's only copy on this server: the batch now holds its values and its name and digest.
            if report.committed { try? FileManager.default.removeItem(atPath: (u.path as NSString).deletingLastPathComponent) }
            var b = "<h1>\(t("Đã nạp", "Loaded")): \(HTML.esc(u.name))</h1>"
            if report.committed, let batch = report.batchId {
                b += "<p class=\"note\" id=\"loaded\">\(t("Lô", "Batch")) <strong id=\"batch-id\">\(batch)</strong>: \(report.accepted) \(t("bản ghi được nhận", "records accepted")), \(report.unchanged) \(t("không đổi", "unchanged")); \(t("người nạp", "loaded by")) <strong id=\"loaded-by\">\(HTML.esc(session.login))</strong>.</p>"
            } else if let existing = report.alreadyLoadedAs {
                b += "<p class=\"note\">\(t("Tệp đã được nạp trước đó (lô \(existing)).", "The file was loaded before (batch \(existing)).")))</p>"
            } else {
                b += "<p class=\"error\">\(report.rejected.count) \(t("bản ghi bị từ chối; không nạp gì.", "records rejected; nothing was loaded."))</p>"
            }
            b += "<p><a href=\"/rollups\">\(t("Tổng hợp lại", "Roll up"))</a> · <a href=\"/uploads\">\(t("Nạp tệp khác", "Upload another file"))</a></p>"
            return HTML.page(title: t("Đã nạp", "Loaded"), lang: lang, session: session, path: "/uploads", body: b)
        }
        return Self.html(page)
    }

    // MARK: roll-ups

    func rollupPage(_ request: Request, _ context: PortalContext) async throws -> Response {
        let session = try requireSession(request, context)
        let lang = language(request, context)
        try requireKind(session, [.etl], lang)
        let provinces: [(String, String)] = try await blocking {
            try session.pool.with { db in
                try db.query("SELECT code, name FROM dti.units WHERE level = 'province' ORDER BY code").map { (r: PostgresRow) in (r["code"].text ?? "", r["name"].text ?? "") }
            }
        }
        func t(_ vi: String, _ en: String) -> String { HTML.t(lang, vi, en) }
        let year = Calendar(identifier: .gregorian).component(.year, from: Date())
        var b = "<h1>\(t("Tổng hợp xã → huyện, chấm điểm, xếp hạng", "Roll up communes → districts, score, rank"))</h1>"
        b += "<form class=\"stack\" method=\"post\" action=\"/rollups\" id=\"rollup-form\">\(HTML.csrfField(session.csrf))"
        b += "<label for=\"province\">\(t("Tỉnh", "Province"))</label><select id=\"province\" name=\"province\">"
        for (code, name) in provinces { b += "<option value=\"\(HTML.esc(code))\">\(HTML.esc(name)) (\(HTML.esc(code)))</option>" }
        b += "</select><label for=\"year\">\(t("Năm", "Year"))</label><input type=\"number\" id=\"year\" name=\"year\" value=\"\(year)\">"
        b += "<label for=\"stage\">\(t("Giai đoạn", "Stage"))</label><select id=\"stage\" name=\"stage\">\(Stage.allCases.reversed().map { "<option value=\"\($0.rawValue)\">\($0.rawValue)</option>" }.joined())</select>"
        // Like `dti rollup --stage final`: a province with a district whose commune data is incomplete is not
        // published as final unless this box is ticked (then its index is marked complete = false).
        b += "<p><label><input type=\"checkbox\" id=\"allow-incomplete\" name=\"allow_incomplete\" value=\"1\"> \(t("Vẫn công bố (final) khi số liệu xã chưa đủ (chỉ số được đánh dấu chưa đủ)", "Publish the final stage even when commune data is incomplete (the index is marked incomplete)"))</label></p>"
        b += "<p><button class=\"primary\" type=\"submit\" id=\"rollup-run\">\(t("Bắt đầu", "Start"))</button></p></form>"
        return Self.html(HTML.page(title: t("Tổng hợp", "Roll-up"), lang: lang, session: session, path: "/rollups", body: b))
    }

    func startRollup(_ request: Request, _ context: PortalContext) async throws -> Response {
        let session = try requireSession(request, context)
        let lang = language(request, context)
        try requireKind(session, [.etl], lang)
        let pairs = try await form(request, context, session: session)
        let f = Dictionary(pairs, uniquingKeysWith: { a, _ in a })
        guard let province = f["province"], !province.isEmpty, let year = f["year"].flatMap({ Int($0) }) else {
            throw HTTPError(.badRequest, message: "province and year\n")
        }
        let stage = f["stage"].flatMap(Stage.init(rawValue:)) ?? .final
        let allowIncomplete = f["allow_incomplete"] == "1"
        let id = jobs.start(login: session.login, province: province, year: year, stage: stage)
        let jobs = self.jobs
        // The roll-up runs as the person's own login (rollup_runs records it), on the thread pool; the page polls.
        Task { [self] in
            do {
                let report = try await blocking {
                    try session.pool.with { db in
                        try Rollup(connection: db).run(province: province, year: year, stage: stage, requireComplete: stage == .final && !allowIncomplete) { line in jobs.update(id) { $0.lines.append(line) } }
                    }
                }
                jobs.update(id) {
                    $0.done = true
                    $0.report = HTML.t(lang, "Lượt \(report.runId): \(report.unitsScored) đơn vị, \(report.indicatorsScored) chỉ số, \(report.mismatches.count) chênh lệch, \(report.durationMs) ms",
                                       "Run \(report.runId): \(report.unitsScored) units, \(report.indicatorsScored) indicators, \(report.mismatches.count) mismatches, \(report.durationMs) ms")
                }
            } catch let e as DTIError {
                // The refusal names the districts and their missing communes; on this page the way out is the box,
                // not the command line's flag.
                let text = e.message.text(lang)
                    .replacingOccurrences(of: "thêm --allow-incomplete", with: "đánh dấu ô “Vẫn công bố (final) khi số liệu xã chưa đủ”")
                    .replacingOccurrences(of: "add --allow-incomplete", with: "tick “Publish the final stage even when commune data is incomplete”")
                jobs.update(id) { $0.done = true; $0.error = text }
            } catch {
                jobs.update(id) { $0.done = true; $0.error = "\(error)" }
            }
        }
        return Self.redirect("/rollups/\(id)")
    }

    func rollupJobPage(_ request: Request, _ context: PortalContext) async throws -> Response {
        let session = try requireSession(request, context)
        let lang = language(request, context)
        try requireKind(session, [.etl], lang)
        guard let id = context.parameters.get("id").flatMap({ Int($0) }), let job = jobs.get(id), job.login == session.login else { return notFound(lang, session) }
        func t(_ vi: String, _ en: String) -> String { HTML.t(lang, vi, en) }
        var b = job.done ? "" : "<meta http-equiv=\"refresh\" content=\"1\">"
        b += "<h1>\(t("Tổng hợp", "Roll-up")) \(HTML.esc(job.province)) \(job.year) (\(job.stage.rawValue))</h1>"
        let steps = job.lines.filter { $0.range(of: #"^\d/5"#, options: .regularExpression) != nil }.count
        b += "<progress id=\"rollup-progress\" max=\"5\" value=\"\(job.done ? 5 : steps)\" style=\"width:100%\"></progress><ul id=\"rollup-lines\">"
        for l in job.lines { b += "<li>\(HTML.esc(l))</li>" }
        b += "</ul>"
        if let e = job.error { b += "<p class=\"error\" id=\"rollup-error\">\(HTML.esc(e))</p>" }
        if let r = job.report { b += "<p class=\"note\" id=\"rollup-done\">\(HTML.esc(r))</p>" }
        return Self.html(HTML.page(title: t("Tổng hợp", "Roll-up"), lang: lang, session: session, path: "/rollups/\(id)", body: b))
    }

    // MARK: views (analysts)

    func viewsPage(_ request: Request, _ context: PortalContext) async throws -> Response {
        let session = try requireSession(request, context)
        let lang = language(request, context)
        try requireKind(session, [.analyst, .etl], lang)
        let keywords = (try? Conninfo.parse(config.databaseConninfo)) ?? [:]
        let page: String = try await blocking {
            try session.pool.with { db in
                func t(_ vi: String, _ en: String) -> String { HTML.t(lang, vi, en) }
                let views = try db.query("""
                    SELECT c.relname, coalesce(pg_catalog.obj_description(c.oid, 'pg_class'), '') AS comment,
                           (SELECT string_agg(a.attname || ': ' || coalesce(pg_catalog.col_description(c.oid, a.attnum), ''), E'\n' ORDER BY a.attnum)
                              FROM pg_catalog.pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped) AS columns
                      FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                     WHERE n.nspname = 'dti' AND c.relkind = 'v' AND c.relname LIKE 'v\\_%' ORDER BY c.relname
                    """)
                var conn = ["dbname": keywords["dbname"] ?? "dti", "user": session.login]
                if let h = keywords["host"] { conn["host"] = h }
                if let p = keywords["port"] { conn["port"] = p }
                let conninfo = ["host", "port", "dbname", "user"].compactMap { k in conn[k].map { "\(k)=\($0)" } }.joined(separator: " ")
                var b = "<h1>\(t("Các view cho phân tích", "Views for analysts"))</h1>"
                b += "<h2>\(t("Kết nối bằng psql", "Connect with psql"))</h2><pre class=\"note\" id=\"psql\">psql \"\(HTML.esc(conninfo))\"\n\\d+ dti.v_unit_index\nSELECT unit_code, year, points, percent, rank FROM v_unit_index ORDER BY year, rank;</pre>"
                b += "<p class=\"sub\">\(t("Mật khẩu là mật khẩu đăng nhập cổng này. Các view nằm trong schema dti (đã có trong search_path).", "The password is the one you signed in with. The views are in schema dti (on the search path)."))</p>"
                b += "<div class=\"scroll\"><table id=\"views\"><thead><tr><th>View</th><th>\(t("Mô tả", "Comment"))</th></tr></thead><tbody>"
                for v in views {
                    b += "<tr><td><code>\(HTML.esc(v["relname"].text ?? ""))</code></td><td>\(HTML.esc(v["comment"].text ?? ""))<details><summary>\(t("các cột", "columns"))</summary><pre style=\"white-space:pre-wrap\">\(HTML.esc(v["columns"].text ?? ""))</pre></details></td></tr>"
                }
                b += "</tbody></table></div>"
                return HTML.page(title: "Views — DTI", lang: lang, session: session, path: "/views", body: b)
            }
        }
        return Self.html(page)
    }
}
