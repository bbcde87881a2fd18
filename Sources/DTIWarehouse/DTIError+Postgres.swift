import DTICore
import PostgresClient

extension DTIError {
    /// A database error (exit 3) that says what was being done, then what PostgreSQL said (SQLSTATE, message,
    /// detail, hint) as further lines.
    public init(database error: any Error, vi: String, en: String) {
        var details: [String] = []
        if let e = error as? PostgresError {
            details.append(e.description)
            if let context = e.context, !context.isEmpty { details.append(context) }
        } else if let e = error as? DTIError {
            details.append(e.message.vi)
            details += e.details
        } else {
            details.append("\(error)")
        }
        self.init(.database, Message("database", vi: vi, en: en), details: details)
    }
}
