// Support/ — small helpers shared by the folders above: a background thread, file digests, failpoints for crash
// tests, phase timing, plain-text tables. Nothing here knows about catalogues or units.

import Foundation

/// One piece of work on a thread of its own, whose result the caller waits for when it needs it: `dti load` hashes
/// the file while it parses it (the machine has two cores and the load is CPU-bound).
final class Background<Value: Sendable>: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var result: Result<Value, Error>?

    init(_ name: String, _ work: @escaping @Sendable () throws -> Value) {
        let thread = Thread { [self] in
            result = Result { try work() }
            done.signal()
        }
        thread.name = name
        thread.start()
    }

    /// Waits for the work to end; its value, or the error it threw.
    func value() throws -> Value {
        done.wait()
        done.signal()   // later calls return at once
        return try result!.get()
    }
}

/// A bounded queue between one producer thread and one consumer: the producer blocks while `depth` items wait.
final class HandOff<Item>: @unchecked Sendable {
    private let condition = NSCondition()
    private var items: [Item] = []
    private var closed = false
    private var failure: Error?
    private var cancelled = false
    private let depth: Int

    init(depth: Int) { self.depth = depth }

    /// Producer: false when the consumer has gone (stop producing).
    func put(_ item: Item) -> Bool {
        condition.lock(); defer { condition.unlock() }
        while items.count >= depth && !cancelled { condition.wait() }
        if cancelled { return false }
        items.append(item)
        condition.broadcast()
        return true
    }

    /// Producer: no more items; `error` if it stopped because of one.
    func close(_ error: Error? = nil) {
        condition.lock(); defer { condition.unlock() }
        closed = true
        failure = error
        condition.broadcast()
    }

    /// Consumer: the next item, nil once the producer closed; the producer's error after its last item.
    func take() throws -> Item? {
        condition.lock(); defer { condition.unlock() }
        while items.isEmpty && !closed { condition.wait() }
        if !items.isEmpty { let item = items.removeFirst(); condition.broadcast(); return item }
        if let failure { throw failure }
        return nil
    }

    /// Consumer: it stops taking (the producer's next `put` returns false).
    func cancel() {
        condition.lock(); defer { condition.unlock() }
        cancelled = true
        items.removeAll()
        condition.broadcast()
    }
}
