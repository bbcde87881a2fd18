import Crypto
import DTICore
import Foundation
import DTIWarehouse
import PostgresClient

/// What a signed-in login may do in the portal, from its PostgreSQL role memberships (there is no user table).
public enum LoginKind: String, Sendable {
    /// dti_district, bound to a district: its district's pages only (row-level security).
    case district
    /// dti_etl: the ICT department's pages (status, uploads, roll-ups) and every unit's page.
    case etl
    /// dti_analyst: every unit's page and the views page.
    case analyst
}

/// A small pool of connections opened as one login with its own password, shared by every session of that login
/// (`SessionStore` counts them). The connections are opened on demand (at most `limit`), reused, and all closed when
/// the login's last session ends. Called only from the portal's thread pool: `with` blocks while every connection is busy.
public final class LoginPool: @unchecked Sendable {
    private var conninfo: String
    let limit: Int
    private let condition = NSCondition()
    private var idle: [PostgresConnection] = []
    private var open = 0
    private var closed = false

    init(conninfo: String, limit: Int, first: PostgresConnection?) {
        self.conninfo = conninfo
        self.limit = max(1, limit)
        if let first { idle = [first]; open = 1 }
    }

    public func with<T>(_ body: (PostgresConnection) throws -> T) throws -> T {
        let c = try acquire()
        var broken = false
        defer { release(c, broken: broken) }
        do { return try body(c) } catch {
            broken = !c.isOpen || c.inTransaction
            throw error
        }
    }

    private func acquire() throws -> PostgresConnection {
        condition.lock()
        while true {
            if closed { condition.unlock(); throw DTIError(.usage, vi: "phiên đã kết thúc", en: "the session has ended") }
            if let c = idle.popLast() { condition.unlock(); return c }
            if open < limit {
                open += 1
                condition.unlock()
                let conninfo = self.conninfo
                do { return try PostgresConnection(conninfo: conninfo) } catch {
                    condition.lock(); open -= 1; condition.signal(); condition.unlock()
                    throw error
                }
            }
            condition.wait()
        }
    }

    private func release(_ c: PostgresConnection, broken: Bool) {
        condition.lock()
        if closed || broken || !c.isOpen {
            open -= 1
            condition.signal()
            condition.unlock()
            c.close()
            return
        }
        idle.append(c)
        condition.signal()
        condition.unlock()
    }

    /// A new session of the same login signed in: its password is the one just checked (it may have been changed
    /// since the first session), and the connection that checked it joins the pool if there is room.
    func adopt(_ c: PostgresConnection, conninfo: String) {
        condition.lock()
        self.conninfo = conninfo
        if !closed, open < limit {
            open += 1
            idle.append(c)
            condition.signal()
            condition.unlock()
            return
        }
        condition.unlock()
        c.close()
    }

    /// Closes the idle connections now and the busy ones when they come back.
    public func close() {
        condition.lock()
        closed = true
        let toClose = idle
        idle = []
        open -= toClose.count
        condition.broadcast()
        condition.unlock()
        for c in toClose { c.close() }
    }

    public var openConnections: Int { condition.lock(); defer { condition.unlock() }; return open }
}

/// A signed-in person: their login, what it may do, the connections opened as it, a CSRF token for its forms.
public final class Session: @unchecked Sendable {
    public let token: String
    public let login: String
    public let kind: LoginKind
    /// The district a district login is bound to.
    public let district: String?
    public let csrf: String
    public let pool: LoginPool
    let created: Date
    private let lock = NSLock()
    private var _lastSeen: Date
    private var _language: Language = .vi

    init(login: String, kind: LoginKind, district: String?, pool: LoginPool, now: Date) {
        self.token = Tokens.random()
        self.csrf = Tokens.random()
        self.login = login; self.kind = kind; self.district = district; self.pool = pool
        self.created = now; self._lastSeen = now
    }

    var lastSeen: Date { lock.lock(); defer { lock.unlock() }; return _lastSeen }
    func touch(_ now: Date) { lock.lock(); _lastSeen = now; lock.unlock() }
    public var language: Language {
        get { lock.lock(); defer { lock.unlock() }; return _language }
        set { lock.lock(); _language = newValue; lock.unlock() }
    }
}

enum Tokens {
    /// 32 random bytes, URL-safe base64 (a cookie value and a form field as they are).
    static func random() -> String {
        let key = SymmetricKey(size: .bits256)
        let data = key.withUnsafeBytes { Data($0) }
        return data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// Compares two secrets in time independent of where they differ.
    static func equal(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var d: UInt8 = 0
        for i in 0..<x.count { d |= x[i] ^ y[i] }
        return d == 0
    }
}

/// Sessions in memory: a server restart signs everybody out. A session expires after `idle` without a request or
/// `absolute` after sign-in; an expired session's connections are closed by `sweep` (at most once a minute, on any
/// request) or on its next request.
public final class SessionStore: @unchecked Sendable {
    let idle: TimeInterval
    let absolute: TimeInterval
    private let lock = NSLock()
    private var sessions: [String: Session] = [:]
    /// One pool per signed-in login, with the number of its sessions: closed when the last one ends.
    private var pools: [String: (pool: LoginPool, sessions: Int)] = [:]

    init(idle: TimeInterval, absolute: TimeInterval) { self.idle = idle; self.absolute = absolute }

    /// A new session for a login whose password `first` (opened with `conninfo`) has just checked: it shares the
    /// login's pool when the login is signed in already.
    func open(login: String, kind: LoginKind, district: String?, conninfo: String, limit: Int, first: PostgresConnection, now: Date = Date()) -> Session {
        lock.lock()
        let pool: LoginPool
        if let existing = pools[login] {
            pool = existing.pool
            pools[login] = (pool, existing.sessions + 1)
            lock.unlock()
            pool.adopt(first, conninfo: conninfo)
            lock.lock()
        } else {
            pool = LoginPool(conninfo: conninfo, limit: limit, first: first)
            pools[login] = (pool, 1)
        }
        let s = Session(login: login, kind: kind, district: district, pool: pool, now: now)
        sessions[s.token] = s
        lock.unlock()
        return s
    }

    /// Called with the lock held for a session just removed: the pool to close, when it was its login's last session.
    private func ended(_ s: Session) -> LoginPool? {
        guard let entry = pools[s.login], entry.pool === s.pool else { return nil }
        if entry.sessions <= 1 { pools[s.login] = nil; return entry.pool }
        pools[s.login] = (entry.pool, entry.sessions - 1)
        return nil
    }

    /// Open connections over every signed-in login's pool.
    public var openConnections: Int { lock.lock(); defer { lock.unlock() }; return pools.values.reduce(0) { $0 + $1.pool.openConnections } }
    public var loginPools: Int { lock.lock(); defer { lock.unlock() }; return pools.count }

    func find(_ token: String?, now: Date = Date()) -> Session? {
        guard let token, !token.isEmpty else { return nil }
        lock.lock()
        guard let s = sessions[token] else { lock.unlock(); return nil }
        if now.timeIntervalSince(s.lastSeen) > idle || now.timeIntervalSince(s.created) > absolute {
            sessions[token] = nil
            let close = ended(s)
            lock.unlock()
            close?.close()
            return nil
        }
        lock.unlock()
        s.touch(now)
        return s
    }

    func remove(_ token: String) {
        lock.lock()
        let s = sessions.removeValue(forKey: token)
        let close = s.flatMap { ended($0) }
        lock.unlock()
        close?.close()
    }

    private var lastSweep = Date()

    /// Sweeps at most once a minute (called on every request: no timer of its own).
    func sweepIfDue(now: Date = Date()) {
        lock.lock()
        let due = now.timeIntervalSince(lastSweep) >= 60
        if due { lastSweep = now }
        lock.unlock()
        if due { sweep(now: now) }
    }

    func sweep(now: Date = Date()) {
        lock.lock()
        let expired = sessions.values.filter { now.timeIntervalSince($0.lastSeen) > idle || now.timeIntervalSince($0.created) > absolute }
        for s in expired { sessions[s.token] = nil }
        let close = expired.compactMap { ended($0) }
        lock.unlock()
        for p in close { p.close() }
    }

    func closeAll() {
        lock.lock(); let all = pools.values.map(\.pool); sessions = [:]; pools = [:]; lock.unlock()
        for p in all { p.close() }
    }

    public var count: Int { lock.lock(); defer { lock.unlock() }; return sessions.count }
}

/// Failed sign-ins counted per login and per client address over a sliding window; while either is over its
/// limit, sign-in is refused without trying the password.
public final class SignInLimiter: @unchecked Sendable {
    let perLogin: Int
    let perAddress: Int
    let window: TimeInterval
    private let lock = NSLock()
    private var byLogin: [String: [Date]] = [:]
    private var byAddress: [String: [Date]] = [:]

    init(perLogin: Int, perAddress: Int, window: TimeInterval) {
        self.perLogin = perLogin; self.perAddress = perAddress; self.window = window
    }

    /// Seconds until sign-in may be tried again, or nil when it may be tried now.
    func blocked(login: String, address: String, now: Date = Date()) -> Int? {
        lock.lock(); defer { lock.unlock() }
        let l = prune(&byLogin, login.lowercased(), now), a = prune(&byAddress, address, now)
        var wait: TimeInterval? = nil
        if l.count >= perLogin, let first = l.first { wait = window - now.timeIntervalSince(first) }
        if a.count >= perAddress, let first = a.first { wait = max(wait ?? 0, window - now.timeIntervalSince(first)) }
        return wait.map { max(1, Int($0.rounded(.up))) }
    }

    func failed(login: String, address: String, now: Date = Date()) {
        lock.lock(); defer { lock.unlock() }
        byLogin[login.lowercased(), default: []].append(now)
        byAddress[address, default: []].append(now)
    }

    func succeeded(login: String) {
        lock.lock(); byLogin[login.lowercased()] = nil; lock.unlock()
    }

    private func prune(_ table: inout [String: [Date]], _ key: String, _ now: Date) -> [Date] {
        let kept = (table[key] ?? []).filter { now.timeIntervalSince($0) < window }
        table[key] = kept.isEmpty ? nil : kept
        return kept
    }
}
