import DTICore
import Foundation

/// District pages already built, so that 50 people opening their district's page at once do not each run its
/// dozen queries (about 110 ms of server time a page at BENCH_SCALE=small; `make bench`, portal section).
///
/// What is cached is the page's data and its rendered body, never a whole page: the parts that belong to one
/// session (the CSRF token of the what-if form, the header with the login's name and its sign-out form) are put in
/// on every request. The body is kept as the pieces around each place the session's CSRF token goes.
///
/// Row-level security decides what a login sees, and one login's view of a unit is not another's: an analyst's
/// page of Tân Yên draws the peer group's mean and best, which a district login cannot read. So an entry is keyed by
/// its audience as well: `district:CODE` for every login bound to that district (row-level security depends on
/// nothing else: `dti.restricted_district(current_user)`), and `etl` / `analyst` for the others, which see every
/// row. Before an entry is served, the person's own login must still see the unit: every request asks, as that
/// login, for the unit's years and roll-up runs (`Portal.pageStamp`), 404 when it sees none.
///
/// An entry is valid while that stamp is unchanged: the roll-up run behind each year shown and the newest load
/// batch holding values of the unit or its communes. A new roll-up or a load that touches the unit changes it, so
/// the next request rebuilds the page. Anything else (a catalogue reloaded with new names) is picked up after `ttl`.
final class PageCache: @unchecked Sendable {
    struct Key: Hashable, Sendable {
        var audience: String
        var unit: String
        var lo: Int
        var hi: Int
        var language: String
    }

    struct Entry: Sendable {
        var stamp: String
        var built: Date
        var data: UnitPageData
        var title: String
        /// The body split at every place the session's CSRF token goes.
        var pieces: [String]
    }

    /// Stands for the session's CSRF token while the body is cached: random per process, so no text from the
    /// database can be taken for it.
    let placeholder = "csrf-" + Tokens.random()
    let limit: Int
    let ttl: TimeInterval
    private let lock = NSLock()
    private var entries: [Key: Entry] = [:]
    private var _hits = 0, _misses = 0
    var hits: Int { lock.lock(); defer { lock.unlock() }; return _hits }
    var misses: Int { lock.lock(); defer { lock.unlock() }; return _misses }

    init(limit: Int, ttl: TimeInterval) { self.limit = max(0, limit); self.ttl = ttl }

    static func audience(_ s: Session) -> String {
        switch s.kind {
        case .district: "district:" + (s.district ?? "")
        case .etl: "etl"
        case .analyst: "analyst"
        }
    }

    func get(_ key: Key, stamp: String, now: Date = Date()) -> Entry? {
        lock.lock(); defer { lock.unlock() }
        guard let e = entries[key], e.stamp == stamp, now.timeIntervalSince(e.built) < ttl else { _misses += 1; return nil }
        _hits += 1
        return e
    }

    func put(_ key: Key, _ entry: Entry) {
        guard limit > 0 else { return }
        lock.lock(); defer { lock.unlock() }
        if entries[key] == nil, entries.count >= limit, let oldest = entries.min(by: { $0.value.built < $1.value.built })?.key {
            entries[oldest] = nil
        }
        entries[key] = entry
    }

    var count: Int { lock.lock(); defer { lock.unlock() }; return entries.count }

    // MARK: the stamp a login read last, for `stampSeconds`

    /// A login's own answer to "which years of this unit do I see, with which roll-up runs and newest batch"
    /// (`Portal.pageStamp`), kept for a second or so: under 50 sessions that ask again at once, that one query
    /// (parsed and planned every time) was most of a cached page's cost. It is kept per login, never per audience,
    /// so a login is served only what it has itself been shown to see within `stampSeconds`; 0 asks every time.
    struct StampKey: Hashable, Sendable { var login: String; var unit: String; var range: ClosedRange<Int>? }
    private var stamps: [StampKey: (years: ClosedRange<Int>, stamp: String, at: Date)] = [:]
    private var refreshing: Set<StampKey> = []
    var stampSeconds: TimeInterval = 0
    /// How much longer an older stamp still serves while one request's background check renews it.
    var staleSeconds: TimeInterval = 0
    private var _stampHits = 0
    var stampHits: Int { lock.lock(); defer { lock.unlock() }; return _stampHits }

    func noteStamp(_ key: StampKey, years: ClosedRange<Int>, stamp: String, now: Date = Date()) {
        guard stampSeconds > 0 else { return }
        lock.lock(); defer { lock.unlock() }
        if stamps.count >= 4 * max(limit, 64) { stamps = stamps.filter { now.timeIntervalSince($0.value.at) < stampSeconds + staleSeconds } }
        stamps[key] = (years, stamp, now)
        refreshing.remove(key)
    }

    /// The login no longer sees the unit (or the check failed): its next request asks again, in the foreground.
    func dropStamp(_ key: StampKey) {
        lock.lock(); defer { lock.unlock() }
        stamps[key] = nil
        refreshing.remove(key)
    }

    /// The page for a login whose stamp is fresh, with no query: nil when the stamp is older than `stampSeconds`
    /// (+ `staleSeconds`) or the entry is gone or rebuilt since. `renew` is true for the one request that should
    /// check the stamp again in the background (the stamp is past `stampSeconds`); the others keep being served.
    func recent(_ key: StampKey, audience: String, language: String, now: Date = Date()) -> (entry: Entry, renew: Bool)? {
        guard stampSeconds > 0 else { return nil }
        lock.lock(); defer { lock.unlock() }
        guard let s = stamps[key] else { return nil }
        let age = now.timeIntervalSince(s.at)
        guard age < stampSeconds + staleSeconds else { return nil }
        var renew = false
        if age >= stampSeconds {
            // Past its second: one request renews it; if nobody can (one already is), only within the stale window.
            if refreshing.contains(key) { if age >= stampSeconds + staleSeconds { return nil } } else { refreshing.insert(key); renew = true }
        }
        let k = Key(audience: audience, unit: key.unit, lo: s.years.lowerBound, hi: s.years.upperBound, language: language)
        guard let e = entries[k], e.stamp == s.stamp, now.timeIntervalSince(e.built) < ttl else {
            if renew { refreshing.remove(key) }
            return nil
        }
        _stampHits += 1
        _hits += 1
        return (e, renew)
    }

    /// The page for one session: its CSRF token where the placeholder was.
    static func body(_ e: Entry, csrf: String) -> String { e.pieces.joined(separator: HTML.esc(csrf)) }
}
