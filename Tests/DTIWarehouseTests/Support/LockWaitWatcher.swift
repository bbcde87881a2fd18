import Foundation
import PostgresClient

/// Watches one database for a session that waits on another session's lock, while two runs meant to overlap go on.
/// A test of "two at the same time" proves nothing unless one of them really waited for the other: without this it
/// passes just as well when the second starts after the first has finished.
final class LockWaitWatcher: @unchecked Sendable {
    private let state = NSLock()
    private var waits = 0
    private var stopping = false
    private let stopped = DispatchSemaphore(value: 0)

    /// `locktype` as in `pg_locks`: `advisory` for the migrator's and the roll-up's locks, `transactionid` for a row
    /// another transaction has inserted and not yet committed.
    init(conninfo: String, locktype: String) throws {
        let ready = DispatchSemaphore(value: 0)
        Thread.detachNewThread { [self] in
            defer { stopped.signal() }
            let connection = try? PostgresConnection(conninfo: conninfo)
            ready.signal()
            guard let c = connection else { return }    // never sees a wait: the test fails
            defer { c.close() }
            while !state.withLock({ stopping }) {
                let n = (try? c.query("""
                    SELECT count(*) AS n FROM pg_catalog.pg_locks l JOIN pg_catalog.pg_stat_activity a ON a.pid = l.pid
                     WHERE NOT l.granted AND l.locktype = \(locktype) AND a.datname = current_database()
                    """)[0]["n"].decode(Int.self)) ?? 0
                if n > 0 { state.withLock { waits += 1 } }
                usleep(2_000)
            }
        }
        ready.wait()
    }

    /// Whether a session has been seen waiting so far.
    var sawWait: Bool { state.withLock { waits > 0 } }

    /// Stops watching; whether a session was ever seen waiting.
    func finish() -> Bool {
        state.withLock { stopping = true }
        stopped.wait()
        return state.withLock { waits > 0 }
    }
}
