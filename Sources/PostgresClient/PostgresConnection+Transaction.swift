import CLibPQ

extension PostgresConnection {
    /// Runs `body` in a transaction: `BEGIN`, then `COMMIT` when it returns, `ROLLBACK` (and the error rethrown)
    /// when it throws. Called inside another `transaction`, it uses a savepoint, so the inner block rolls back
    /// alone. A transaction the server already aborted (an error the body caught and swallowed) is not reported as
    /// committed: `COMMIT` answers `ROLLBACK` and this throws.
    @discardableResult
    public func transaction<T>(_ body: (PostgresConnection) throws -> T) throws -> T {
        let depth = transactionDepth
        let savepoint = "dti_savepoint_\(depth)"
        // Inside a transaction (ours, or one opened with a plain BEGIN) this block becomes a savepoint.
        let nested = depth > 0 || inTransaction
        if !nested {
            try simpleQuery("BEGIN")
        } else {
            try simpleQuery("SAVEPOINT \(savepoint)")
        }
        transactionDepth += 1
        defer { transactionDepth = depth }
        let value: T
        do {
            value = try body(self)
        } catch {
            // The original error matters; a failed rollback (the connection broke) would only hide it.
            try? simpleQuery(!nested ? "ROLLBACK" : "ROLLBACK TO SAVEPOINT \(savepoint); RELEASE SAVEPOINT \(savepoint)")
            throw error
        }
        if !nested {
            let tag = try commandTag("COMMIT")
            if tag == "ROLLBACK" {
                throw PostgresError(.server, message: "the transaction had failed and was rolled back instead of committed",
                                    sqlState: "25P02", severity: "ERROR", query: "COMMIT")
            }
        } else {
            do {
                try simpleQuery("RELEASE SAVEPOINT \(savepoint)")
            } catch {
                try? simpleQuery("ROLLBACK TO SAVEPOINT \(savepoint); RELEASE SAVEPOINT \(savepoint)")
                throw error
            }
        }
        return value
    }

    /// Runs one parameterless command and returns its command tag (`COMMIT`, `ROLLBACK`, `INSERT 0 1`).
    func commandTag(_ sql: String) throws(PostgresError) -> String {
        let handle = try openHandle(query: sql)
        guard let result = PQexec(handle, sql) else {
            throw PostgresError.connection(handle, "the statement could not be sent", query: sql)
        }
        defer { PQclear(result) }
        guard PQresultStatus(result) == PGRES_COMMAND_OK else { throw failure(result, query: sql) }
        return PQcmdStatus(result).map { String(cString: $0) } ?? ""
    }
}
