import DTICore

/// The one error type the command line turns into an exit code and a message for a person.
public struct DTIError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Int32, Sendable {
        /// the command was called wrongly (exit 1)
        case usage = 1
        /// the input was refused and nothing changed (exit 2)
        case inputRejected = 2
        /// the database failed or refused (exit 3)
        case database = 3
    }

    public var kind: Kind
    public var message: Message
    /// Further lines (every reject, every lint problem), printed after the message.
    public var details: [String]

    public init(_ kind: Kind, _ message: Message, details: [String] = []) {
        self.kind = kind
        self.message = message
        self.details = details
    }

    public init(_ kind: Kind, vi: String, en: String, details: [String] = []) {
        self.init(kind, Message("error", vi: vi, en: en), details: details)
    }

    public var description: String { message.vi }
}
