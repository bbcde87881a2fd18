import CLibPQ
import Foundation

extension PostgresConnection {
    /// Runs one statement with bound parameters (`PQexecParams`, text format, types inferred by the server) and
    /// returns its rows.
    @discardableResult
    public func query(_ q: PostgresQuery) throws(PostgresError) -> PostgresRows {
        let handle = try openHandle(query: q.sql)
        guard q.binds.count <= 65_535 else {
            throw PostgresError(.encoding, message: "\(q.binds.count) parameters; PostgreSQL takes at most 65535", query: q.sql)
        }
        var texts: [String?] = []
        texts.reserveCapacity(q.binds.count)
        for (i, bind) in q.binds.enumerated() {
            do throws(PostgresError) {
                let text = try bind?.postgresText()
                if let text, text.utf8.contains(0) {
                    throw PostgresError(.encoding, message: "the value contains a NUL character, which PostgreSQL text cannot hold")
                }
                texts.append(text)
            } catch {
                var e = error
                e.message = "$\(i + 1): " + e.message
                e.query = q.sql
                throw e
            }
        }
        let result = withCStringArray(texts) { values in
            PQexecParams(handle, q.sql, Int32(texts.count), nil, values, nil, nil, 0)
        }
        guard let result else { throw PostgresError.connection(handle, "the statement could not be sent", query: q.sql) }
        defer { PQclear(result) }
        switch PQresultStatus(result) {
        case PGRES_TUPLES_OK, PGRES_COMMAND_OK, PGRES_EMPTY_QUERY:
            return PostgresRows(copying: result)
        case PGRES_COPY_IN, PGRES_COPY_OUT:
            abandonCopy(handle, inbound: PQresultStatus(result) == PGRES_COPY_IN)
            throw PostgresError(.protocol, message: "COPY statements go through copyIn or copyOut, not query", query: q.sql)
        default:
            throw failure(result, query: q.sql)
        }
    }

    /// Runs one statement with bound parameters and returns how many rows it affected (`INSERT`, `UPDATE`,
    /// `DELETE`, `MERGE`, `COPY`; the rows returned for a `SELECT`).
    @discardableResult
    public func execute(_ q: PostgresQuery) throws(PostgresError) -> Int {
        try query(q).affectedRows
    }

    /// Runs SQL text that may hold several statements and no parameters (a migration file, `SET` commands),
    /// checking the result of every statement. Without an enclosing transaction each statement commits on its
    /// own, as in `psql`.
    public func simpleQuery(_ sql: String) throws(PostgresError) {
        let handle = try openHandle(query: sql)
        guard PQsendQuery(handle, sql) == 1 else {
            throw PostgresError.connection(handle, "the statements could not be sent", query: sql)
        }
        if let error = drainResults(handle, query: sql).error { throw error }
    }

    /// Reads every remaining result of the current command until libpq returns NULL, clearing each; returns the
    /// first error and the affected-row count of the last `COMMAND_OK`. A COPY met on the way is abandoned.
    func drainResults(_ handle: OpaquePointer, query: String?) -> (error: PostgresError?, affected: Int?) {
        var firstError: PostgresError?
        var affected: Int?
        while let result = PQgetResult(handle) {
            defer { PQclear(result) }
            switch PQresultStatus(result) {
            case PGRES_TUPLES_OK, PGRES_COMMAND_OK, PGRES_EMPTY_QUERY:
                if let p = PQcmdTuples(result), let n = Int(String(cString: p)) { affected = n }
            case PGRES_COPY_IN, PGRES_COPY_OUT:
                abandonCopy(handle, inbound: PQresultStatus(result) == PGRES_COPY_IN)
                if firstError == nil {
                    firstError = PostgresError(.protocol, message: "COPY statements go through copyIn or copyOut", query: query)
                }
            default:
                if firstError == nil { firstError = failure(result, query: query) }
            }
            if PQstatus(handle) == CONNECTION_BAD {
                if firstError == nil { firstError = PostgresError.connection(handle, "the connection broke", query: query) }
                break
            }
        }
        return (firstError, affected)
    }

    /// Leaves a COPY the caller did not ask for: ends COPY IN with an error, reads COPY OUT to its end.
    func abandonCopy(_ handle: OpaquePointer, inbound: Bool) {
        if inbound {
            _ = PQputCopyEnd(handle, "COPY is not allowed here")
        } else {
            var buffer: UnsafeMutablePointer<CChar>?
            while PQgetCopyData(handle, &buffer, 0) > 0 {
                PQfreemem(buffer)
                buffer = nil
            }
        }
    }
}

/// Calls `body` with a C array of NUL-terminated copies of `strings` (nil stays a NULL pointer), freed afterwards.
func withCStringArray<R>(_ strings: [String?], _ body: (UnsafePointer<UnsafePointer<CChar>?>?) -> R) -> R {
    let copies: [UnsafeMutablePointer<CChar>?] = strings.map { $0.flatMap { strdup($0) } }
    defer { for c in copies { free(c) } }
    let pointers: [UnsafePointer<CChar>?] = copies.map { $0.map { UnsafePointer($0) } }
    return pointers.withUnsafeBufferPointer { body($0.baseAddress) }
}
