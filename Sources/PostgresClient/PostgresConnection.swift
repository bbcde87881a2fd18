import CLibPQ
import Foundation
import Logging

/// One synchronous connection to PostgreSQL through libpq. Not `Sendable`: use it from one thread at a time
/// (open one per thread). Every session runs with `client_encoding = UTF8`, `TimeZone = 'UTC'`,
/// `DateStyle = 'ISO, YMD'` and `bytea_output = 'hex'`, which the decoders rely on.
public final class PostgresConnection {
    var handle: OpaquePointer?
    let logger: Logger?
    /// Keeps the notice callback's context alive for as long as the connection.
    private let noticeReceiver: NoticeReceiver
    /// How many `transaction` calls are open (the outer one is `BEGIN`, inner ones are savepoints).
    var transactionDepth = 0

    /// Opens a connection. `conninfo` is a libpq connection string (`host=/run/pg port=5432 dbname=dti`),
    /// a `postgresql://` URL, or `""` to let libpq read the `PG*` environment variables.
    /// Notices the server sends (`RAISE NOTICE`, …) go to `logger` at `.info` (without a logger they are dropped).
    public init(conninfo: String, logger: Logger? = nil) throws(PostgresError) {
        guard let connection = PQconnectdb(conninfo) else {
            throw PostgresError(.connection, message: "libpq could not allocate a connection")
        }
        guard PQstatus(connection) == CONNECTION_OK else {
            let error = PostgresError.connection(connection, "could not connect")
            PQfinish(connection)
            throw error
        }
        handle = connection
        self.logger = logger
        noticeReceiver = NoticeReceiver(logger: logger)
        noticeReceiver.install(on: connection)
        do {
            try simpleQuery("SET client_encoding TO 'UTF8'; SET TimeZone TO 'UTC'; SET DateStyle TO 'ISO, YMD'; "
                            + "SET bytea_output TO 'hex'")
        } catch {
            close()
            throw error
        }
    }

    deinit {
        close()
    }

    /// The connection string the environment asks for: `DATABASE_URL` when set, else `""` (libpq reads the
    /// process's `PG*` variables) when one of `PGHOST`, `PGHOSTADDR`, `PGDATABASE`, `PGSERVICE`, `PGPORT`, `PGUSER`
    /// is set, else nil (nothing is configured).
    public static func environmentConninfo(_ env: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        if let url = env["DATABASE_URL"], !url.isEmpty { return url }
        let libpqVariables = ["PGHOST", "PGHOSTADDR", "PGDATABASE", "PGSERVICE", "PGPORT", "PGUSER"]
        if libpqVariables.contains(where: { !(env[$0] ?? "").isEmpty }) { return "" }
        return nil
    }

    /// Connects to the server the environment names (see `environmentConninfo`), or returns nil when it names none.
    public static func fromEnvironment(_ env: [String: String] = ProcessInfo.processInfo.environment,
                                       logger: Logger? = nil) throws -> PostgresConnection? {
        guard let conninfo = environmentConninfo(env) else { return nil }
        return try PostgresConnection(conninfo: conninfo, logger: logger)
    }

    /// The server's version as a number: 150013 for 15.13; 0 once closed.
    public var serverVersion: Int {
        guard let handle else { return 0 }
        return Int(PQserverVersion(handle))
    }

    /// Whether the connection is open and healthy.
    public var isOpen: Bool {
        guard let handle else { return false }
        return PQstatus(handle) == CONNECTION_OK
    }

    /// Whether a transaction block is open on the session (`BEGIN` without `COMMIT` yet).
    public var inTransaction: Bool {
        guard let handle else { return false }
        let s = PQtransactionStatus(handle)
        return s == PQTRANS_INTRANS || s == PQTRANS_INERROR
    }

    /// The password hashed on this side, as the server stores it (`SCRAM-SHA-256$…` when the server's
    /// `password_encryption` is scram-sha-256), for `CREATE/ALTER ROLE … PASSWORD`: the clear text never travels to
    /// the server nor lands in its logs (libpq's `PQencryptPasswordConn`).
    public func encryptPassword(_ password: String, user: String) throws(PostgresError) -> String {
        let handle = try openHandle()
        guard let hashed = PQencryptPasswordConn(handle, password, user, nil) else {
            throw PostgresError.connection(handle, "cannot hash the password", query: nil)
        }
        defer { PQfreemem(hashed) }
        return String(cString: hashed)
    }

    /// Closes the connection; later calls fail with a `.connection` error. Closing twice is harmless.
    public func close() {
        if let handle {
            PQfinish(handle)
            self.handle = nil
        }
    }

    /// The open handle, or a `.connection` error.
    func openHandle(query: String? = nil) throws(PostgresError) -> OpaquePointer {
        guard let handle else { throw PostgresError(.connection, message: "the connection is closed", query: query) }
        return handle
    }

    /// The error a failed result stands for: what the server said, or a `.connection` error when the link broke.
    func failure(_ result: OpaquePointer, query: String?) -> PostgresError {
        if let handle, PQstatus(handle) == CONNECTION_BAD {
            var e = PostgresError.connection(handle, "the connection broke", query: query)
            if let m = PQresultErrorMessage(result).map({ String(cString: $0).trimmingTrailingNewlines() }), !m.isEmpty {
                e.message = m
            }
            return e
        }
        return PostgresError.fromResult(result, query: query)
    }
}

@available(*, unavailable, message: "a PostgresConnection belongs to one thread; open one per thread")
extension PostgresConnection: Sendable {}
