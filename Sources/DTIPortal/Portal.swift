// DTIPortal — `dti serve`: the web portal for district staff, the ICT department and analysts.
// In: a person's own dti login and password (no second user table); every query of theirs runs as that login, so
// row-level security decides what they see. Out: HTML pages, the exports of `dti export`, what-ifs, uploads.
// libpq is blocking: every database call runs on the portal's thread pool, never on an event loop.

import DTICore
import DTIWarehouse
import Foundation
import Hummingbird
import HummingbirdAuth
import Logging
import NIOCore
import NIOPosix
import PostgresClient

public struct PortalConfig: Sendable {
    public var bind = "127.0.0.1"
    public var port = 8080
    /// The warehouse database (host, port, dbname); a person's connections replace user and password with theirs.
    public var databaseConninfo: String
    /// The portal's own connection (whoever started `dti serve`): used only for what-ifs, which load and roll up
    /// inside a transaction that is rolled back, and only after the person's own login has shown it may see the unit.
    public var serviceConninfo: String
    public var crosswalks: [Crosswalk] = []
    /// Where uploads wait between the dry run and the confirmation.
    public var uploadDirectory: String = NSTemporaryDirectory() + "dti-uploads"
    public var connectionsPerLogin = 2
    public var threads = 6
    /// District pages kept built (`PageCache`); 0 turns the cache off.
    public var pageCacheEntries = 512
    /// How long a cached page may be served without a roll-up or load changing it.
    public var pageCacheSeconds: TimeInterval = 10 * 60
    /// How long a login's own check of a unit's years and runs (`pageStamp`) is taken as still true: a new roll-up or
    /// load shows on its pages after at most this long. 0 checks on every request.
    public var pageStampSeconds: TimeInterval = 1
    /// After pageStampSeconds, how long the older stamp still serves while one request renews it in the background
    /// (so that no request waits for the check): a change shows, or a lost right takes effect, within about
    /// pageStampSeconds plus one check, at most pageStampSeconds + this.
    public var pageStampStaleSeconds: TimeInterval = 10
    public var sessionIdle: TimeInterval = 30 * 60
    public var sessionAbsolute: TimeInterval = 8 * 3600
    public var failuresPerLogin = 5
    public var failuresPerAddress = 20
    public var failureWindow: TimeInterval = 15 * 60
    /// Set the Secure flag on cookies (the portal is served over TLS, directly or behind a proxy).
    public var secureCookies = false
    public var logLevel: Logger.Level = .info

    public init(databaseConninfo: String, serviceConninfo: String) {
        self.databaseConninfo = databaseConninfo
        self.serviceConninfo = serviceConninfo
    }
}

/// The portal's request context: the client's address (for the sign-in limit) and the session, if any.
public struct PortalContext: AuthRequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?
    /// The signed-in session, set by `SessionCookieAuthenticator` (hummingbird-auth's `AuthenticatorMiddleware`).
    public var identity: Session?
    var session: Session? { get { identity } set { identity = newValue } }

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.remoteAddress = source.channel.remoteAddress
    }

    public var maxUploadSize: Int { 64 * 1024 * 1024 }
    var address: String { remoteAddress?.ipAddress ?? "local" }
}

/// The state of one running portal: sessions, the sign-in limit, the thread pool, uploads and roll-up jobs.
public final class Portal: @unchecked Sendable {
    public let config: PortalConfig
    let sessions: SessionStore
    let limiter: SignInLimiter
    let threads: NIOThreadPool
    let service: LoginPool
    let uploads = UploadStore()
    let jobs = RollupJobs()
    let pageCache: PageCache
    let logger: Logger

    public init(config: PortalConfig, logger: Logger = Logger(label: "dti.portal")) {
        self.config = config
        self.sessions = SessionStore(idle: config.sessionIdle, absolute: config.sessionAbsolute)
        self.limiter = SignInLimiter(perLogin: config.failuresPerLogin, perAddress: config.failuresPerAddress, window: config.failureWindow)
        self.threads = NIOThreadPool(numberOfThreads: config.threads)
        self.threads.start()
        self.service = LoginPool(conninfo: config.serviceConninfo, limit: 1, first: nil)
        self.pageCache = PageCache(limit: config.pageCacheEntries, ttl: config.pageCacheSeconds)
        self.pageCache.stampSeconds = config.pageStampSeconds
        self.pageCache.staleSeconds = config.pageStampStaleSeconds
        self.logger = logger
    }

    public func shutdown() {
        sessions.closeAll()
        service.close()
        try? threads.syncShutdownGracefully()
    }

    public var sessionCount: Int { sessions.count }
    /// Connection pools open: one per signed-in login, however many sessions it has.
    public var loginPoolCount: Int { sessions.loginPools }
    public var openConnectionCount: Int { sessions.openConnections }
    /// Cached district pages and how often a request found one.
    public var pageCacheStats: (entries: Int, hits: Int, misses: Int) { (pageCache.count, pageCache.hits, pageCache.misses) }
    /// Requests served on a login's recent stamp, with no query (`PortalConfig.pageStampSeconds`).
    public var pageStampHits: Int { pageCache.stampHits }

    /// Runs blocking work (libpq, files) on the thread pool.
    func blocking<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await threads.runIfActive(body)
    }

    // MARK: the application

    public func router() -> Router<PortalContext> {
        let router = Router(context: PortalContext.self)
        // First the session of the request's cookie (hummingbird-auth), so that the log line names its login.
        router.add(middleware: SessionCookieAuthenticator(portal: self))
        router.add(middleware: RequestLog(portal: self))
        router.get("/healthz") { _, _ in "ok\n" }
        router.get("/") { [self] _, context in
            guard let s = context.session else { return Self.redirect("/login") }
            switch s.kind {
            case .district: return Self.redirect("/units/" + (s.district ?? ""))
            case .etl: return Self.redirect("/status")
            case .analyst: return Self.redirect("/views")
            }
        }
        router.get("/login") { [self] request, context in try signInPage(request, context, error: nil, status: .ok) }
        router.post("/login") { [self] request, context in try await signIn(request, context) }
        router.post("/logout") { [self] request, context in try await signOut(request, context) }
        router.get("/units/:code") { [self] request, context in try await unitPage(request, context) }
        router.get("/units/:code/:file") { [self] request, context in try await export(request, context) }
        router.post("/units/:code/whatif") { [self] request, context in try await whatIf(request, context) }
        router.get("/units") { [self] request, context in try await unitList(request, context) }
        router.get("/status") { [self] request, context in try await statusPage(request, context) }
        router.get("/uploads") { [self] request, context in try await uploadPage(request, context) }
        router.post("/uploads") { [self] request, context in try await upload(request, context) }
        router.post("/uploads/:id/confirm") { [self] request, context in try await confirmUpload(request, context) }
        router.get("/rollups") { [self] request, context in try await rollupPage(request, context) }
        router.post("/rollups") { [self] request, context in try await startRollup(request, context) }
        router.get("/rollups/:id") { [self] request, context in try await rollupJobPage(request, context) }
        router.get("/views") { [self] request, context in try await viewsPage(request, context) }
        return router
    }

    public func application() -> some ApplicationProtocol {
        Application(router: router(), configuration: .init(address: .hostname(config.bind, port: config.port), serverName: "dti"), logger: logger)
    }

    // MARK: helpers for the routes

    static func redirect(_ to: String) -> Response {
        Response(status: .seeOther, headers: [.location: to])
    }

    static func html(_ body: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
                 body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    func language(_ request: Request, _ context: PortalContext) -> Language {
        if let q = request.uri.queryParameters["lang"].flatMap({ Language(rawValue: String($0)) }) {
            context.session?.language = q
            return q
        }
        return context.session?.language ?? (request.cookies["dti_lang"].flatMap { Language(rawValue: $0.value) } ?? .vi)
    }

    /// The session, or a redirect to the sign-in page (a GET) / 401 (anything else).
    func requireSession(_ request: Request, _ context: PortalContext) throws -> Session {
        guard let s = context.session else {
            if request.method == .get { throw Redirect(to: "/login?next=" + (request.uri.path.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "/-._"))) ?? "/")) }
            throw HTTPError(.unauthorized, message: "sign in first\n")
        }
        return s
    }

    /// Reads a form body and checks its CSRF token against the session's.
    func form(_ request: Request, _ context: PortalContext, session: Session) async throws -> [(String, String)] {
        var request = request
        let buffer = try await request.collectBody(upTo: context.maxUploadSize)
        let pairs = Forms.urlencodedPairs(String(buffer: buffer))
        guard let token = pairs.first(where: { $0.0 == "csrf" })?.1, Tokens.equal(token, session.csrf) else {
            throw HTTPError(.forbidden, message: "CSRF token missing or wrong\n")
        }
        return pairs
    }

    func notFound(_ lang: Language, _ session: Session?) -> Response {
        Self.html(HTML.page(title: "404", lang: lang, session: session, path: "/",
                            body: "<h1>404</h1><p>\(HTML.t(lang, "Không tìm thấy trang này.", "This page does not exist."))</p>"), status: .notFound)
    }

    func sessionCookie(_ value: String, maxAge: Int? = nil) -> Cookie {
        Cookie(name: "dti_session", value: value, maxAge: maxAge, path: "/", secure: config.secureCookies, httpOnly: true, sameSite: .strict)
    }
}

/// Thrown by a route to send the browser elsewhere.
struct Redirect: Error { var to: String }

/// The session named by the request's `dti_session` cookie, as hummingbird-auth's `AuthenticatorMiddleware`: it sets
/// `context.identity`, or leaves it nil (no cookie, an unknown or expired session) for the route to redirect to
/// sign-in or answer 401 (`Portal.requireSession`). The sessions themselves, with their connection pools, are the
/// portal's `SessionStore`; sign-in makes them with the login's own PostgreSQL credentials.
struct SessionCookieAuthenticator: AuthenticatorMiddleware {
    typealias Context = PortalContext
    typealias Identity = Session
    let portal: Portal

    func authenticate(request: Request, context: PortalContext) async throws -> Session? {
        portal.sessions.sweepIfDue()
        return portal.sessions.find(request.cookies["dti_session"]?.value)
    }
}

/// One log line per request: method, route, status, duration, login — never a password, a cookie or a form.
struct RequestLog: RouterMiddleware {
    typealias Context = PortalContext
    let portal: Portal

    func handle(_ request: Request, context: PortalContext, next: (Request, PortalContext) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        let login = context.session?.login
        func log(_ status: Int) {
            let d = ContinuousClock.now - started
            let ms = Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15
            portal.logger.info("request", metadata: [
                "method": "\(request.method.rawValue)", "route": "\(context.endpointPath ?? request.uri.path)",
                "status": "\(status)", "duration_ms": "\(String(format: "%.1f", ms))", "login": "\(login ?? "-")",
            ])
        }
        do {
            let response = try await next(request, context)
            log(response.status.code)
            return response
        } catch let r as Redirect {
            log(303)
            return Portal.redirect(r.to)
        } catch let e as HTTPError {
            log(e.status.code)
            throw e
        } catch let e as DTIError {
            let status: HTTPResponse.Status = e.kind == .usage ? .badRequest : e.kind == .inputRejected ? .unprocessableContent : .internalServerError
            log(status.code)
            let lang = context.session?.language ?? .vi
            return Portal.html(HTML.page(title: "Error", lang: lang, session: context.session, path: request.uri.path,
                                         body: "<h1>\(status.code)</h1><p class=\"error\">\(HTML.esc(e.message.text(lang)))</p>"), status: status)
        } catch {
            log(500)
            portal.logger.error("request failed", metadata: ["route": "\(context.endpointPath ?? request.uri.path)", "error": "\(String(describing: type(of: error)))"])
            throw HTTPError(.internalServerError)
        }
    }
}
