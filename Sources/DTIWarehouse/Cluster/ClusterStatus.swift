/// What `dti db status` reports about the embedded cluster.
public struct ClusterStatus: Sendable {
    /// A postmaster is running on the data directory.
    public var running: Bool
    /// The postmaster's process id, when running.
    public var pid: Int32?
    /// `initdb` has made the data directory.
    public var initialized: Bool
    public var dataDirectory: String
    /// Where the server's Unix socket is (the only way in: it listens on no TCP address).
    public var socketDirectory: String
    public var port: Int
    /// The server's version (`15.13`), when running.
    public var serverVersion: String?
    public var logFile: String
    /// The libpq connection string of the `dti` database: `host=<socket dir> port=<port> dbname=dti user=postgres`.
    public var conninfo: String
    /// The same as a URL psql takes: `postgresql://postgres@/dti?host=<socket dir>&port=<port>`.
    public var url: String
}

/// What `dti db up` did.
public struct ClusterUpReport: Sendable {
    public var status: ClusterStatus
    /// `initdb` ran now (the cluster did not exist).
    public var initializedNow: Bool
    /// The server was started now (it was not running).
    public var startedNow: Bool
    /// A stale `postmaster.pid` (the server had crashed or been killed) was cleared before starting.
    public var recoveredStaleLock: Bool
    /// The `dti` database was created now.
    public var createdDatabase: Bool
    /// The cluster was made to check passwords now (it trusted local connections, or the owner's password file was
    /// lost): the owner has a new password in `passfile`.
    public var securedNow: Bool = false
}
