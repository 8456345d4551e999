import Foundation

/// Runs the stages before it on a thread of its own, up to `bufferSize` elements ahead of the reader.
///
/// The producer thread gathers and maps; the reader only takes finished elements. Releasing the
/// stream (the iterator going away, even mid-pass) cancels the producer, which then ends.
final class PrefetchStream: ItemStream {
    private let queue: PrefetchQueue

    init(upstream: any ItemStream, bufferSize: Int, source: [Tensor]) {
        queue = PrefetchQueue(capacity: bufferSize)
        let producer = PrefetchProducer(upstream: upstream, source: source, queue: queue)
        let thread = Thread { producer.run() }
        thread.name = "TensorGraph.Dataset.prefetch"
        thread.start()
    }

    deinit { queue.cancel() }

    func next() throws -> DatasetItem? {
        try queue.take().map { .value($0) }
    }
}

/// The producer side: owns the upstream stages once the thread starts.
///
/// `@unchecked Sendable`: the upstream streams are not thread-safe, and after the hand-over in
/// `PrefetchStream.init` only the producer thread touches them.
private final class PrefetchProducer: @unchecked Sendable {
    private let upstream: any ItemStream
    private let source: [Tensor]
    private let queue: PrefetchQueue

    init(upstream: any ItemStream, source: [Tensor], queue: PrefetchQueue) {
        self.upstream = upstream
        self.source = source
        self.queue = queue
    }

    func run() {
        while !queue.isCancelled {
            let result: Result<[Tensor], any Error>
            do {
                guard let item = try upstream.next() else { return queue.finish() }
                result = .success(item.materialized(from: source))
            } catch {
                result = .failure(error)
            }
            guard queue.put(result) else { return }
            // An error ends the pass, as it would without prefetch.
            if case .failure = result { return queue.finish() }
        }
    }
}

/// A bounded hand-over buffer between one producer thread and one reader.
///
/// `@unchecked Sendable`: every stored variable is read and written only with `condition` locked.
final class PrefetchQueue: @unchecked Sendable {
    private let condition = NSCondition()
    private let capacity: Int
    private var buffer: [Result<[Tensor], any Error>] = []
    private var finished = false
    private var cancelled = false

    init(capacity: Int) { self.capacity = capacity }

    var isCancelled: Bool {
        condition.lock()
        defer { condition.unlock() }
        return cancelled
    }

    /// Waits for room and appends `result`; `false` when the reader has gone (the producer stops).
    func put(_ result: Result<[Tensor], any Error>) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while buffer.count >= capacity, !cancelled { condition.wait() }
        guard !cancelled else { return false }
        buffer.append(result)
        condition.broadcast()
        return true
    }

    /// Marks the end of the pass: the reader gets `nil` once the buffer is empty.
    func finish() {
        condition.lock()
        finished = true
        condition.broadcast()
        condition.unlock()
    }

    /// Waits for the next element; `nil` at the end of the pass; rethrows a producer error.
    func take() throws -> [Tensor]? {
        condition.lock()
        while buffer.isEmpty, !finished { condition.wait() }
        guard !buffer.isEmpty else {
            condition.unlock()
            return nil
        }
        let result = buffer.removeFirst()
        condition.broadcast()
        condition.unlock()
        return try result.get()
    }

    /// The reader has gone: drop buffered elements and release a waiting producer.
    func cancel() {
        condition.lock()
        cancelled = true
        buffer.removeAll()
        condition.broadcast()
        condition.unlock()
    }
}
