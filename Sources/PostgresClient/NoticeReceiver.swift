import CLibPQ
import Logging

/// Routes the server's notices and warnings (`RAISE NOTICE`, `NOTICE: relation already exists, skipping`) to a
/// logger at `.info`, through libpq's notice-receiver callback; without a logger they are dropped (libpq's default
/// would print them on standard error). The connection keeps the box alive for as long as libpq may call it.
final class NoticeReceiver {
    let logger: Logger?

    init(logger: Logger?) {
        self.logger = logger
    }

    /// Installs the receiver on a connection; `self` must outlive the connection (the connection holds it).
    func install(on connection: OpaquePointer) {
        let context = Unmanaged.passUnretained(self).toOpaque()
        _ = PQsetNoticeReceiver(connection, { context, result in
            guard let context, let result else { return }
            let receiver = Unmanaged<NoticeReceiver>.fromOpaque(context).takeUnretainedValue()
            receiver.receive(result)
        }, context)
    }

    private func receive(_ result: OpaquePointer) {
        guard let logger else { return }
        let notice = PostgresError.fromResult(result, query: nil)
        var metadata: Logger.Metadata = ["postgres.severity": "\(notice.severity ?? "NOTICE")"]
        if let s = notice.sqlState { metadata["postgres.sqlstate"] = "\(s)" }
        if let d = notice.detail { metadata["postgres.detail"] = "\(d)" }
        if let h = notice.hint { metadata["postgres.hint"] = "\(h)" }
        logger.info("\(notice.severity ?? "NOTICE"): \(notice.message)", metadata: metadata)
    }
}
