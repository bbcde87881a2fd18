import CLibPQ

/// The rows a statement returned, copied out of libpq's result (which is then cleared) in text format.
public struct PostgresRows: RandomAccessCollection, Sendable {
    /// The column names in order.
    public var columns: [String] { storage.columns }
    /// The type OID of each column (`pg_type.oid`: 25 text, 1700 numeric, 1184 timestamptz, …).
    public var columnTypes: [UInt32] { storage.types }
    /// For a statement that returns no rows (`INSERT`, `UPDATE`, …) the rows it affected, else the rows returned.
    public var affectedRows: Int { storage.affected }

    let storage: Storage

    public var startIndex: Int { 0 }
    public var endIndex: Int { storage.rowCount }

    public subscript(position: Int) -> PostgresRow {
        precondition(position >= 0 && position < storage.rowCount, "row \(position) out of 0..<\(storage.rowCount)")
        return PostgresRow(storage: storage, row: position)
    }

    /// The immutable copy of a result shared by its rows and cells.
    final class Storage: Sendable {
        let columns: [String]
        let types: [UInt32]
        let index: [String: Int]
        let values: [String?]
        let rowCount: Int
        let affected: Int

        init(columns: [String], types: [UInt32], values: [String?], rowCount: Int, affected: Int) {
            self.columns = columns
            self.types = types
            var index: [String: Int] = [:]
            for (i, name) in columns.enumerated() where index[name] == nil { index[name] = i }
            self.index = index
            self.values = values
            self.rowCount = rowCount
            self.affected = affected
        }
    }

    /// Copies a `PGRES_TUPLES_OK` or `PGRES_COMMAND_OK` result. The caller still owns (and clears) `result`.
    init(copying result: OpaquePointer) {
        let rowCount = Int(PQntuples(result))
        let columnCount = Int(PQnfields(result))
        var columns: [String] = []
        var types: [UInt32] = []
        columns.reserveCapacity(columnCount)
        for c in 0..<columnCount {
            columns.append(PQfname(result, Int32(c)).map { String(cString: $0) } ?? "?column?")
            types.append(UInt32(PQftype(result, Int32(c))))
        }
        var values: [String?] = []
        values.reserveCapacity(rowCount * columnCount)
        for r in 0..<rowCount {
            for c in 0..<columnCount {
                if PQgetisnull(result, Int32(r), Int32(c)) == 1 {
                    values.append(nil)
                } else if let p = PQgetvalue(result, Int32(r), Int32(c)) {
                    values.append(String(cString: p))
                } else {
                    values.append(nil)
                }
            }
        }
        let tuples = PQcmdTuples(result).map { String(cString: $0) } ?? ""
        storage = Storage(columns: columns, types: types, values: values, rowCount: rowCount,
                          affected: Int(tuples) ?? rowCount)
    }
}

/// One row of a result.
public struct PostgresRow: Sendable {
    let storage: PostgresRows.Storage
    let row: Int

    /// The cell of the first column with this name. A name the result does not have gives a cell whose
    /// `decode` throws a decoding error naming the column and the columns there are.
    public subscript(_ column: String) -> PostgresCell {
        guard let c = storage.index[column] else {
            return PostgresCell(column: column, type: 0, text: nil, missingFrom: storage.columns)
        }
        return self[c]
    }

    /// The cell of the column at this 0-based index.
    public subscript(_ index: Int) -> PostgresCell {
        precondition(index >= 0 && index < storage.columns.count, "column \(index) out of 0..<\(storage.columns.count)")
        return PostgresCell(column: storage.columns[index], type: storage.types[index],
                            text: storage.values[row * storage.columns.count + index], missingFrom: nil)
    }

    /// The column names of the row's result.
    public var columns: [String] { storage.columns }
}

/// One value of a row, as the text the server sent (or NULL).
public struct PostgresCell: Sendable {
    /// The column's name.
    public let column: String
    /// The column's type OID.
    public let type: UInt32
    /// The value's text; nil for NULL.
    public let text: String?
    let missingFrom: [String]?

    init(column: String, type: UInt32, text: String?, missingFrom: [String]?) {
        self.column = column
        self.type = type
        self.text = text
        self.missingFrom = missingFrom
    }

    /// The value is SQL NULL (or the column does not exist).
    public var isNull: Bool { text == nil }

    /// Decodes the value: `String`, `Int`, `Int32`, `Int64`, `Bool`, `Decimal`, `Date`, `Data`, `[String]`,
    /// or an `Optional` of one of them (NULL → nil). NULL into a non-optional type is a decoding error.
    public func decode<T: PostgresDecodable>(_: T.Type = T.self) throws(PostgresError) -> T {
        if let missingFrom {
            throw PostgresError(.decoding, message: "the result has no column '\(column)' (it has: \(missingFrom.joined(separator: ", ")))",
                                column: column)
        }
        guard let text else { return try T.decodeNull(column: column) }
        return try T.decode(postgresText: text, column: column)
    }
}
