import DTICore
import DTIWarehouse
import Foundation
import Hummingbird
import NIOCore
import PostgresClient

extension Portal {
    /// The sign-in form. Before a session exists its CSRF token is a cookie of its own (double submit): the form's
    /// hidden field must equal the `dti_csrf` cookie, which a page of another site can neither read nor set.
    func signInPage(_ request: Request, _ context: PortalContext, error: String?, status: HTTPResponse.Status, lang: Language? = nil,
                    username: String = "") throws -> Response {
        let lang = lang ?? language(request, context)
        let token = request.cookies["dti_csrf"]?.value.nilIfEmpty ?? Tokens.random()
        let next = request.uri.queryParameters["next"].map(String.init) ?? ""
        var body = "<h1>\(HTML.t(lang, "Đăng nhập", "Sign in"))</h1>"
        body += "<p class=\"sub\">\(HTML.t(lang, "Dùng tài khoản dti do Sở TT&amp;TT cấp (tài khoản PostgreSQL của bạn).", "Use the dti login the ICT department gave you (your PostgreSQL login)."))</p>"
        if let error { body += "<p class=\"error\" id=\"error\">\(HTML.esc(error))</p>" }
        body += """
        <form class="stack" method="post" action="/login" id="login-form">\(HTML.csrfField(token))
        <input type="hidden" name="next" value="\(HTML.esc(next))"><input type="hidden" name="lang" value="\(lang.rawValue)">
        <label for="username">\(HTML.t(lang, "Tên đăng nhập", "Login"))</label><input type="text" id="username" name="username" autocomplete="username" value="\(HTML.esc(username))" required>
        <label for="password">\(HTML.t(lang, "Mật khẩu", "Password"))</label><input type="password" id="password" name="password" autocomplete="current-password" required>
        <p><button class="primary" type="submit" id="sign-in">\(HTML.t(lang, "Đăng nhập", "Sign in"))</button></p></form>
        """
        var response = Self.html(HTML.page(title: HTML.t(lang, "Đăng nhập — DTI", "Sign in — DTI"), lang: lang, session: nil, path: "/login", body: body), status: status)
        response.setCookie(Cookie(name: "dti_csrf", value: token, path: "/", secure: config.secureCookies, httpOnly: true, sameSite: .strict))
        return response
    }

    func signIn(_ request: Request, _ context: PortalContext) async throws -> Response {
        var request = request
        let buffer = try await request.collectBody(upTo: 64 * 1024)
        let form = Forms.urlencoded(String(buffer: buffer))
        let lang = form["lang"].flatMap(Language.init(rawValue:)) ?? .vi
        guard let cookie = request.cookies["dti_csrf"]?.value, let token = form["csrf"], !cookie.isEmpty, Tokens.equal(cookie, token) else {
            throw HTTPError(.forbidden, message: "CSRF token missing or wrong\n")
        }
        let username = (form["username"] ?? "").trimmingCharacters(in: .whitespaces)
        let password = form["password"] ?? ""
        let address = context.address
        if let wait = limiter.blocked(login: username, address: address) {
            logger.notice("sign-in refused: too many failures", metadata: ["login": "\(username)", "address": "\(address)"])
            var r = try signInPage(request, context, error: HTML.t(lang, "Quá nhiều lần đăng nhập sai. Thử lại sau \(wait) giây.",
                                                                "Too many failed sign-ins. Try again in \(wait) seconds."),
                                   status: .tooManyRequests, lang: lang, username: username)
            r.headers[.retryAfter] = String(wait)
            return r
        }
        let wrong = HTML.t(lang, "Sai tên đăng nhập hoặc mật khẩu.", "Wrong login or password.")
        guard !username.isEmpty, !password.isEmpty, username.utf8.count <= 63 else {
            limiter.failed(login: username, address: address)
            return try signInPage(request, context, error: wrong, status: .unauthorized, lang: lang, username: username)
        }
        // Never the server's own password file: a sign-in is the typed password or nothing (libpq would read a
        // passfile for any password it was not given).
        let conninfo = try Conninfo.replacing(config.databaseConninfo, with: ["user": username, "password": password, "passfile": "/dev/null"])
        let perLogin = config.connectionsPerLogin
        enum Outcome: Sendable { case ok(Session), wrong, notDTI }
        let sessions = self.sessions
        let outcome: Outcome = try await blocking {
            let db: PostgresConnection
            do { db = try PostgresConnection(conninfo: conninfo) } catch { return .wrong }
            do {
                // The same answer every dti command gets (migration 0022): the owner and roles in no dti group
                // have no portal pages; a district login counts only once it is bound to its district.
                let r = try db.query("SELECT kind, district FROM dti.session_login()")
                guard let row = r.first else { db.close(); return .notDTI }
                let bound = row["district"].text
                let kind: LoginKind
                switch row["kind"].text {
                case "district" where !(bound ?? "").isEmpty: kind = .district
                case "etl": kind = .etl
                case "analyst": kind = .analyst
                default: db.close(); return .notDTI
                }
                return .ok(sessions.open(login: username, kind: kind, district: kind == .district ? bound : nil, conninfo: conninfo, limit: perLogin, first: db))
            } catch {
                db.close()
                return .notDTI
            }
        }
        switch outcome {
        case .wrong:
            limiter.failed(login: username, address: address)
            logger.notice("sign-in failed", metadata: ["login": "\(username)", "address": "\(address)"])
            return try signInPage(request, context, error: wrong, status: .unauthorized, lang: lang, username: username)
        case .notDTI:
            limiter.failed(login: username, address: address)
            return try signInPage(request, context, error: HTML.t(lang, "Tài khoản này không phải tài khoản dti (huyện, phân tích hoặc Sở TT&TT).",
                                                                "This login is not a dti login (district, analyst or ICT department)."),
                                  status: .forbidden, lang: lang, username: username)
        case .ok(let session):
            limiter.succeeded(login: username)
            session.language = lang
            logger.info("signed in", metadata: ["login": "\(username)", "kind": "\(session.kind.rawValue)"])
            var next = form["next"] ?? ""
            // Only a path of this site: never an absolute URL or //host.
            if !next.hasPrefix("/") || next.hasPrefix("//") || next.contains("\\") { next = "/" }
            var response = Self.redirect(next)
            response.setCookie(sessionCookie(session.token))
            response.setCookie(Cookie(name: "dti_csrf", value: "", maxAge: 0, path: "/", secure: config.secureCookies, httpOnly: true, sameSite: .strict))
            return response
        }
    }

    func signOut(_ request: Request, _ context: PortalContext) async throws -> Response {
        guard let s = context.session else { return Self.redirect("/login") }
        _ = try await form(request, context, session: s)
        sessions.remove(s.token)
        logger.info("signed out", metadata: ["login": "\(s.login)"])
        var response = Self.redirect("/login?lang=\(s.language.rawValue)")
        response.setCookie(sessionCookie("", maxAge: 0))
        return response
    }
}

extension String {
    var nilIfEmpty: String? { isEmpty ? nil : self }
}
