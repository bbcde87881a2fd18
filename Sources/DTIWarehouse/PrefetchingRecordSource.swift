import Foundation

/// Reads records on a second thread while the caller works on the ones already read (for `dti load`: normalising,
/// numbering keys and writing COPY data). Parsing a large CSV is about 40 % of the loader's own work, so on a machine
/// with two cores this takes it off the path that feeds the server. The records, and the error that stops the reading
/// if any, come out in file order, exactly as `base.next()` would give them.
struct PrefetchingRecordSource: RecordSource {
    let format: String
    private let channel: Channel
    private var batch: [RawRecord] = []
    private var index = 0

    init(_ base: any RecordSource, batchSize: Int = 4096, depth: Int = 8) {
        format = base.format
        channel = Channel(base: base, batchSize: batchSize, depth: depth)
        let channel = self.channel
        let thread = Thread { channel.produce() }
        thread.name = "dti-record-reader"
        thread.start()
    }

    mutating func next() throws -> RawRecord? {
        if index == batch.count {
            guard let more = try channel.take() else { return nil }
            batch = more
            index = 0
        }
        defer { index += 1 }
        return batch[index]
    }

    /// Stops the reading thread early (it also stops by itself at the end of the file).
    func stop() { channel.stop() }

    /// Batches of records passed from the reading thread to the caller; the base source is used by that thread only.
    private final class Channel: @unchecked Sendable {
        private var base: any RecordSource
        private let batchSize: Int, depth: Int
        private let condition = NSCondition()
        private var queue: [[RawRecord]] = []
        private var finished = false
        private var failure: Error? = nil
        private var stopped = false

        init(base: any RecordSource, batchSize: Int, depth: Int) {
            self.base = base; self.batchSize = batchSize; self.depth = depth
        }

        func produce() {
            while true {
                var records: [RawRecord] = []
                records.reserveCapacity(batchSize)
                var error: Error? = nil
                var atEnd = false
                do {
                    while records.count < batchSize {
                        guard let r = try base.next() else { atEnd = true; break }
                        records.append(r)
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

        /// The next batch; nil at the end; the reading error once the records before it are taken.
        func take() throws -> [RawRecord]? {
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

        func stop() {
            condition.lock()
            stopped = true
            queue.removeAll()
            condition.broadcast()
            condition.unlock()
        }
    }
}
