import CLibPQ
import Foundation

/// Sends the data of a `COPY … FROM STDIN` (in the format the statement names: text, CSV or binary).
/// Valid only inside the `copyIn` closure that received it.
public final class CopyInWriter {
    private let handle: OpaquePointer
    private let query: String
    fileprivate var isOpen = true
    /// Bytes sent so far.
    public private(set) var bytesWritten = 0

    fileprivate init(handle: OpaquePointer, query: String) {
        self.handle = handle
        self.query = query
    }

    /// Sends bytes as they are.
    public func write(_ bytes: UnsafeRawBufferPointer) throws(PostgresError) {
        guard isOpen else { throw PostgresError(.protocol, message: "the COPY writer was used after its COPY ended", query: query) }
        guard var base = bytes.baseAddress else { return }
        var remaining = bytes.count
        while remaining > 0 {
            let chunk = min(remaining, 1 << 24)
            let sent = base.withMemoryRebound(to: CChar.self, capacity: chunk) { PQputCopyData(handle, $0, Int32(chunk)) }
            guard sent == 1 else { throw PostgresError.connection(handle, "COPY data could not be sent", query: query) }
            base += chunk
            remaining -= chunk
            bytesWritten += chunk
        }
    }

    /// Sends the bytes of `data`.
    public func write(_ data: Data) throws(PostgresError) {
        let outcome: Result<Void, PostgresError> = data.withUnsafeBytes { raw in
            Result { () throws(PostgresError) in try write(raw) }
        }
        try outcome.get()
    }

    /// Sends the UTF-8 bytes of `text`.
    public func write(_ text: String) throws(PostgresError) {
        var text = text
        let outcome: Result<Void, PostgresError> = text.withUTF8 { buffer in
            Result { () throws(PostgresError) in try write(UnsafeRawBufferPointer(buffer)) }
        }
        try outcome.get()
    }
}

extension PostgresConnection {
    /// Runs `COPY … FROM STDIN` and streams what `produce` writes. When `produce` throws, the COPY is aborted
    /// (the server discards everything) and the error is rethrown. Returns the number of rows copied.
    public func copyIn(_ sql: String, _ produce: (CopyInWriter) throws -> Void) throws -> Int {
        let handle = try startCopy(sql, expecting: PGRES_COPY_IN)
        let writer = CopyInWriter(handle: handle, query: sql)
        defer { writer.isOpen = false }
        do {
            try produce(writer)
        } catch {
            writer.isOpen = false
            _ = PQputCopyEnd(handle, "COPY aborted by the client: \(error)")
            _ = drainResults(handle, query: sql)
            throw error
        }
        writer.isOpen = false
        let ended = PQputCopyEnd(handle, nil)
        let (serverError, rows) = drainResults(handle, query: sql)
        if let serverError { throw serverError }
        guard ended == 1 else { throw PostgresError.connection(handle, "the end of COPY data could not be sent", query: sql) }
        return rows ?? 0
    }

    /// Runs `COPY … TO STDOUT` and hands every chunk the server sends (one row in text and CSV formats) to
    /// `consume`; the buffer is valid only during the call. When `consume` throws, the COPY is cancelled and the
    /// error rethrown. Returns the number of rows copied.
    public func copyOut(_ sql: String, _ consume: (UnsafeRawBufferPointer) throws -> Void) throws -> Int {
        let handle = try startCopy(sql, expecting: PGRES_COPY_OUT)
        var consumerError: (any Error)?
        var linkError: PostgresError?
        while true {
            var buffer: UnsafeMutablePointer<CChar>?
            let n = PQgetCopyData(handle, &buffer, 0)
            if n > 0, let buffer {
                defer { PQfreemem(buffer) }
                if consumerError == nil {
                    do {
                        try consume(UnsafeRawBufferPointer(start: buffer, count: Int(n)))
                    } catch {
                        consumerError = error
                        cancelCurrentCommand(handle)
                    }
                }
                continue
            }
            if n == -2 { linkError = PostgresError.connection(handle, "COPY data could not be read", query: sql) }
            break   // -1: the COPY is over
        }
        let (serverError, rows) = drainResults(handle, query: sql)
        if let consumerError { throw consumerError }
        if let linkError { throw linkError }
        if let serverError { throw serverError }
        return rows ?? 0
    }

    /// Sends the COPY statement and checks that the server entered the expected COPY mode.
    private func startCopy(_ sql: String, expecting: ExecStatusType) throws(PostgresError) -> OpaquePointer {
        let handle = try openHandle(query: sql)
        guard let result = PQexec(handle, sql) else {
            throw PostgresError.connection(handle, "the COPY statement could not be sent", query: sql)
        }
        defer { PQclear(result) }
        let status = PQresultStatus(result)
        if status == expecting { return handle }
        switch status {
        case PGRES_COPY_IN, PGRES_COPY_OUT:
            abandonCopy(handle, inbound: status == PGRES_COPY_IN)
            _ = drainResults(handle, query: sql)
            let want = expecting == PGRES_COPY_IN ? "COPY … FROM STDIN (copyIn)" : "COPY … TO STDOUT (copyOut)"
            throw PostgresError(.protocol, message: "the statement is not a \(want)", query: sql)
        case PGRES_TUPLES_OK, PGRES_COMMAND_OK, PGRES_EMPTY_QUERY:
            throw PostgresError(.protocol, message: "the statement is not a COPY", query: sql)
        default:
            throw failure(result, query: sql)
        }
    }

    /// Asks the server to cancel the command in progress (used when a COPY OUT consumer gives up).
    private func cancelCurrentCommand(_ handle: OpaquePointer) {
        guard let cancel = PQgetCancel(handle) else { return }
        defer { PQfreeCancel(cancel) }
        var message = [CChar](repeating: 0, count: 256)
        _ = PQcancel(cancel, &message, Int32(message.count))
    }
}
