import Foundation
import Logging

/// A `LogHandler` that keeps every message, for tests that check what was logged (server notices, …).
public struct CapturingLogHandler: LogHandler {
    /// One logged message.
    public struct Entry: Sendable {
        public var level: Logger.Level
        public var message: String
        public var metadata: [String: String]
    }

    /// The messages, shared by every copy of the handler.
    public final class Store: @unchecked Sendable {
        private let lock = NSLock()
        private var items: [Entry] = []

        public init() {}

        public var entries: [Entry] {
            lock.lock()
            defer { lock.unlock() }
            return items
        }

        func append(_ e: Entry) {
            lock.lock()
            items.append(e)
            lock.unlock()
        }
    }

    public let store: Store
    public var logLevel: Logger.Level = .trace
    public var metadata: Logger.Metadata = [:]

    public init(store: Store = Store()) {
        self.store = store
    }

    /// A logger writing into a new store, and the store.
    public static func logger(label: String = "test") -> (Logger, Store) {
        let store = Store()
        return (Logger(label: label) { _ in CapturingLogHandler(store: store) }, store)
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged: [String: String] = [:]
        for (k, v) in metadata { merged[k] = "\(v)" }
        for (k, v) in event.metadata ?? [:] { merged[k] = "\(v)" }
        store.append(Entry(level: event.level, message: "\(event.message)", metadata: merged))
    }
}
