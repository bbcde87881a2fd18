import CLibPQ

/// libpq connection strings: parse one (keyword form or URL) and write it back with some keywords changed.
public enum Conninfo {
    /// The keywords a connection string sets (`host`, `port`, `dbname`, …), parsed by libpq's `PQconninfoParse`.
    /// Keywords it leaves unset are absent (libpq fills them from `PG*` variables and defaults when connecting).
    public static func parse(_ conninfo: String) throws(PostgresError) -> [String: String] {
        var errorMessage: UnsafeMutablePointer<CChar>?
        guard let options = PQconninfoParse(conninfo, &errorMessage) else {
            var text = "the connection string cannot be parsed"
            if let errorMessage {
                text = String(cString: errorMessage).trimmingTrailingNewlines()
                PQfreemem(errorMessage)
            }
            throw PostgresError(.connection, message: text)
        }
        defer { PQconninfoFree(options) }
        var result: [String: String] = [:]
        var option = options
        while let keyword = option.pointee.keyword {
            if let value = option.pointee.val { result[String(cString: keyword)] = String(cString: value) }
            option += 1
        }
        return result
    }

    /// `base` with some keywords replaced (for example the same server with `dbname` set to another database).
    public static func replacing(_ base: String, with changes: [String: String]) throws(PostgresError) -> String {
        var keywords = try parse(base)
        for (k, v) in changes { keywords[k] = v }
        return keywords.sorted { $0.key < $1.key }.map { "\($0.key)=\(quote($0.value))" }.joined(separator: " ")
    }

    /// A value in single quotes with `\` and `'` escaped, as libpq's keyword form reads it.
    public static func quote(_ value: String) -> String {
        var s = "'"
        for ch in value.unicodeScalars {
            if ch == "'" || ch == "\\" { s += "\\" }
            s.unicodeScalars.append(ch)
        }
        return s + "'"
    }
}
