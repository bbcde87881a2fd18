import PostgresClient

/// Reading the hierarchy back for people.
public struct UnitsQuery {
    public struct Row: Sendable {
        public var code: String
        public var name: String
        public var level: String
        public var depth: Int
        public var peerGroup: String?
        public var tags: [String]
        public var validTo: String?
        public var predecessors: [String]
    }

    let connection: PostgresConnection
    public init(connection: PostgresConnection) { self.connection = connection }

    /// Units in tree order (parents before children, siblings by code).
    public func list(under: String? = nil, level: String? = nil) throws -> [Row] {
        let rows = try connection.query("""
            WITH RECURSIVE tree AS (
                SELECT u.code, u.parent_code, 0 AS depth, ARRAY[u.code::text] AS path FROM dti.units u
                 WHERE CASE WHEN \(under)::text IS NULL THEN u.parent_code IS NULL OR NOT EXISTS (SELECT 1 FROM dti.units p WHERE p.code = u.parent_code)
                            ELSE u.code = \(under) END
                UNION ALL
                SELECT u.code, u.parent_code, t.depth + 1, t.path || u.code::text FROM dti.units u JOIN tree t ON u.parent_code = t.code
            )
            SELECT u.code, u.name, u.level::text AS level, t.depth, u.peer_group, u.tags, u.valid_to::text AS valid_to,
                   coalesce((SELECT array_agg(l.predecessor_code ORDER BY l.predecessor_code) FROM dti.unit_lineage l WHERE l.unit_code = u.code), '{}') AS predecessors
              FROM tree t JOIN dti.units u ON u.code = t.code
             WHERE \(level)::text IS NULL OR u.level::text = \(level)
             ORDER BY t.path
            """)
        return try rows.map { r in
            Row(code: try r["code"].decode(), name: try r["name"].decode(), level: try r["level"].decode(), depth: try r["depth"].decode(),
                peerGroup: try r["peer_group"].decode(String?.self), tags: try r["tags"].decode([String].self),
                validTo: try r["valid_to"].decode(String?.self), predecessors: try r["predecessors"].decode([String].self))
        }
    }
}
