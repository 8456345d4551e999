import Synchronization

/// An input pipeline in the spirit of `tf.data`: a source of examples, then transformations
/// (shuffle, batch, map, repeat, prefetch), iterated as a Swift `Sequence`.
///
/// An element is an array of tensors, its *components*, in the order the source gave them
/// (`[features, labels]` for most sources), as TF1's `iterator.get_next()` returns a tuple:
///
/// ```swift
/// let train = try Dataset(tensors: [images, labels])   // [N, 784] float32, [N] int32
///     .shuffle(seed: 1)
///     .batch(32)
///     .prefetch(2)
/// for batch in train {                                  // [32, 784], [32]
///     try session.run(trainOp, feeding: [x: batch[0], y: batch[1]])
/// }
/// ```
///
/// A dataset is a description: nothing is read or copied until it is iterated. The source tensors
/// are held once; shuffling permutes row indices and `batch` gathers each batch's rows straight from
/// the source tensors, so no pass copies the whole dataset. Every pass is finite and its length,
/// `count`, is known before it starts.
///
/// Iterating the same `Dataset` value again (a new `for` loop) starts a new *iteration*: a shuffle
/// with `reshuffleEachIteration` draws a new permutation each time, reproducibly for its seed — a
/// freshly built pipeline replays the same sequence of epochs. `makeIterator(iteration:)` picks an
/// iteration explicitly (the `Trainer` passes its epoch count).
public struct Dataset: Sequence, Sendable {
    /// One element: the components in source order.
    public typealias Element = [Tensor]

    let node: DatasetNode
    /// The source tensors every stage gathers from (the rows of `Dataset(tensors:)`).
    let source: [Tensor]
    /// Elements in one pass (one iteration) over the dataset.
    public let count: Int
    /// Iterations started by `makeIterator()` on this value (and its copies).
    private let iterations: IterationCounter

    init(node: DatasetNode, source: [Tensor], count: Int) {
        self.node = node
        self.source = source
        self.count = count
        iterations = IterationCounter()
    }

    /// The dataset whose elements are the slices of `tensors` along their first dimension, as
    /// `tf.data.Dataset.from_tensor_slices`: element `i` is `[tensors[0][i], tensors[1][i], ...]`.
    ///
    /// Shapes: component `k` of shape `[N, d1, d2, ...]` gives elements of shape `[d1, d2, ...]`
    /// (a scalar for `[N]`). The tensors are shared, not copied.
    ///
    /// - Throws: `TensorGraphError.invalidArgument` when `tensors` is empty, a tensor is a scalar,
    ///   or the first dimensions differ (the message lists every shape).
    public init(tensors: [Tensor]) throws {
        try self.init(tensors: tensors, names: tensors.indices.map { "component \($0)" })
    }

    /// `init(tensors:)` whose errors name each component (a file path) instead of its position.
    init(tensors: [Tensor], names: [String]) throws {
        guard !tensors.isEmpty else {
            throw TensorGraphError.invalidArgument("Dataset: no tensors given; from_tensor_slices needs at least one")
        }
        for (tensor, name) in zip(tensors, names) where tensor.rank == 0 {
            throw TensorGraphError.invalidArgument("Dataset: \(name) is a scalar; slicing needs a first dimension")
        }
        let lengths = tensors.map { $0.shape[0] }
        guard lengths.allSatisfy({ $0 == lengths[0] }) else {
            let listing = zip(names, tensors).map { "\($0) has shape \($1.shape)" }.joined(separator: ", ")
            throw TensorGraphError.invalidArgument("Dataset: the tensors' first dimensions differ (\(listing)); "
                                                   + "each must hold one row per example")
        }
        self.init(node: .slices, source: tensors, count: lengths[0])
    }

    // MARK: Transformations

    /// The same elements in a new random order each pass, as `tf.data`'s
    /// `shuffle(buffer_size: count, seed:, reshuffle_each_iteration:)`.
    ///
    /// The permutation is uniform over the whole pass (Fisher–Yates, seeded), and iteration `e` of a
    /// seed uses the same permutation as `LabeledImages.batches(of:shuffleSeed:epoch: e)`. Before
    /// `map` and `batch` only row indices are permuted; after them one pass of elements is held in
    /// memory while it is permuted, so shuffle first.
    ///
    /// - Parameters:
    ///   - seed: The permutation's seed: equal seeds give equal sequences of permutations.
    ///   - reshuffleEachIteration: `true` (the default) draws a new permutation for every iteration
    ///     (every epoch, every repetition of `repeat`); `false` repeats the first one.
    public func shuffle(seed: UInt64, reshuffleEachIteration: Bool = true) -> Dataset {
        Dataset(node: .shuffle(node, seed: seed, reshuffleEachIteration: reshuffleEachIteration), source: source, count: count)
    }

    /// Consecutive elements combined into batches, as `tf.data`'s `batch(batch_size, drop_remainder)`.
    ///
    /// Shapes: each component's elements `[d1, ...]` stack to `[size, d1, ...]`. The last batch holds
    /// the `count % size` remaining elements, or is dropped when `dropRemainder` is `true` (so every
    /// batch has a static size). Rows are gathered from the source tensors, once per batch.
    ///
    /// - Throws: `TensorGraphError.invalidArgument` when `size` is not positive.
    public func batch(_ size: Int, dropRemainder: Bool = false) throws -> Dataset {
        guard size > 0 else { throw TensorGraphError.invalidArgument("Dataset.batch: batch size \(size) must be positive") }
        let batches = dropRemainder ? count / size : (count + size - 1) / size
        return Dataset(node: .batch(node, size: size, dropRemainder: dropRemainder), source: source, count: batches)
    }

    /// Each element replaced by `transform(element)`, as `tf.data`'s `map`.
    ///
    /// Before `batch` the closure sees one example (e.g. `[features [784], label []]`), after it a
    /// whole batch. It runs on the prefetch thread when a `prefetch` follows, hence `@Sendable`.
    /// The results of one batch must agree in component count, dtype and shape to be batched.
    public func map(_ transform: @escaping @Sendable ([Tensor]) -> [Tensor]) -> Dataset {
        Dataset(node: .map(node, transform), source: source, count: count)
    }

    /// The dataset's passes `count` times in a row, as `tf.data`'s `repeat(count)`.
    ///
    /// Each repetition is a new iteration of the stages before it, so a shuffle before `repeat`
    /// draws a new permutation per repetition (when it reshuffles each iteration). `repeat(0)` is empty.
    ///
    /// - Throws: `TensorGraphError.invalidArgument` when `count` is negative (an endless repeat
    ///   has no epoch length; take `repeat(n)` with a large `n`, or iterate in a loop).
    public func `repeat`(_ count: Int) throws -> Dataset {
        guard count >= 0 else {
            throw TensorGraphError.invalidArgument("Dataset.repeat: count \(count) must be zero or more")
        }
        let (total, overflow) = self.count.multipliedReportingOverflow(by: count)
        guard !overflow else {
            throw TensorGraphError.invalidArgument("Dataset.repeat: \(self.count) elements repeated \(count) times overflow Int")
        }
        return Dataset(node: .repeating(node, count: count), source: source, count: total)
    }

    /// The same elements, prepared up to `bufferSize` ahead on a background thread, as `tf.data`'s
    /// `prefetch(buffer_size)`: gathering, mapping and batching overlap with the caller's
    /// training step.
    ///
    /// The sequence is exactly the one without `prefetch`. The thread starts with each iteration and
    /// ends when the pass is consumed or its iterator is released.
    ///
    /// - Throws: `TensorGraphError.invalidArgument` when `bufferSize` is not positive.
    public func prefetch(_ bufferSize: Int) throws -> Dataset {
        guard bufferSize > 0 else {
            throw TensorGraphError.invalidArgument("Dataset.prefetch: buffer size \(bufferSize) must be positive")
        }
        return Dataset(node: .prefetch(node, bufferSize: bufferSize), source: source, count: count)
    }

    // MARK: Iteration

    /// An iterator over the next iteration (pass) of this dataset: the first call gives iteration 0,
    /// the next iteration 1, and so on, shared by copies of this value.
    public func makeIterator() -> Iterator {
        makeIterator(iteration: iterations.next())
    }

    /// An iterator over iteration `iteration` (0, 1, ...) of this dataset: shuffles use that
    /// iteration's permutation. Does not advance the counter `makeIterator()` uses.
    public func makeIterator(iteration: Int) -> Iterator {
        Iterator(stream: makeStream(node, key: UInt64(truncatingIfNeeded: iteration), source: source), source: source)
    }

    /// At least `count` (exactly `count`).
    public var underestimatedCount: Int { count }

    /// Produces the elements of one pass.
    public struct Iterator: IteratorProtocol {
        let stream: any ItemStream
        let source: [Tensor]

        /// The next element, or `nil` at the end of the pass.
        ///
        /// A pass fails only when a `map` returns elements that cannot be batched together
        /// (different component counts, dtypes or shapes), a programming error, which stops
        /// the program with the message; `nextElement()` throws it instead.
        public mutating func next() -> [Tensor]? {
            do {
                return try nextElement()
            } catch {
                preconditionFailure("\(error)")
            }
        }

        /// The next element, or `nil` at the end of the pass.
        ///
        /// - Throws: `TensorGraphError.invalidArgument` when a `map`'s results cannot be batched.
        public mutating func nextElement() throws -> [Tensor]? {
            try stream.next().map { $0.materialized(from: source) }
        }
    }
}

/// The stages of a pipeline, from its single source (`slices`) outwards.
indirect enum DatasetNode: Sendable {
    /// Rows of the source tensors.
    case slices
    case shuffle(DatasetNode, seed: UInt64, reshuffleEachIteration: Bool)
    case batch(DatasetNode, size: Int, dropRemainder: Bool)
    case map(DatasetNode, @Sendable ([Tensor]) -> [Tensor])
    case repeating(DatasetNode, count: Int)
    case prefetch(DatasetNode, bufferSize: Int)
}

/// The number of iterations `Dataset.makeIterator()` has started.
final class IterationCounter: Sendable {
    private let started = Mutex(0)

    /// The next iteration number (0 first).
    func next() -> Int {
        started.withLock { value in
            defer { value += 1 }
            return value
        }
    }
}
