import Foundation

/// Reads records on a second thread, and prepares each one there (`prepare`), while the caller works on the ones
/// already done. For `dti load` the second thread parses the CSV and normalises the fields, the caller numbers the keys
/// and writes the COPY data: on a machine with two cores that takes most of the loader's own work off the path that
/// feeds the server. The records, and the error that stops the reading if any, come out in file order, exactly as
/// `base.next()` would give them.
final class RecordPrefetcher<Output: Sendable>: @unchecked Sendable {
    private var base: any RecordSource
    private let prepare: @Sendable (RawRecord) -> Output
    private let batchSize: Int, depth: Int
    private let condition = NSCondition()
    private var queue: [[Output]] = []
    private var finished = false
    private var failure: Error? = nil
    private var stopped = false
    // The caller's side.
    private var batch: [Output] = []
    private var index = 0

    init(_ base: any RecordSource, batchSize: Int = 4096, depth: Int = 8, prepare: @escaping @Sendable (RawRecord) -> Output) {
        self.base = base; self.prepare = prepare; self.batchSize = batchSize; self.depth = depth
        let thread = Thread { [self] in produce() }
        thread.name = "dti-record-reader"
        thread.start()
    }

    /// The next record, prepared; nil at the end; the reading error once the records before it are taken.
    func next() throws -> Output? {
        if index == batch.count {
            guard let more = try take() else { return nil }
            batch = more
            index = 0
        }
        defer { index += 1 }
        return batch[index]
    }

    /// Stops the reading thread early (it also stops by itself at the end of the file).
    func stop() {
        condition.lock()
        stopped = true
        queue.removeAll()
        condition.broadcast()
        condition.unlock()
    }

    /// The reading thread: fills the queue, at most `depth` batches ahead.
    private func produce() {
        while true {
            var records: [Output] = []
            records.reserveCapacity(batchSize)
            var error: Error? = nil
            var atEnd = false
            do {
                while records.count < batchSize {
                    guard let r = try base.next() else { atEnd = true; break }
                    records.append(prepare(r))
                }
            } catch let e { error = e }
            condition.lock()
            while queue.count >= depth && !stopped { condition.wait() }
            if stopped { condition.unlock(); return }
            if !records.isEmpty { queue.append(records) }
            if let error { failure = error }
            if atEnd || error != nil { finished = true }
            condition.broadcast()
            condition.unlock()
            if atEnd || error != nil { return }
        }
    }

    private func take() throws -> [Output]? {
        condition.lock()
        defer { condition.unlock() }
        while queue.isEmpty && !finished { condition.wait() }
        if !queue.isEmpty {
            let b = queue.removeFirst()
            condition.broadcast()
            return b
        }
        if let failure { throw failure }
        return nil
    }
}
