/// An element on its way through a pipeline: source rows not gathered yet, or computed tensors.
///
/// Rows stay indices through shuffles, repeats and batching, so a batch is gathered from the
/// source tensors in one step and nothing copies the whole dataset.
enum DatasetItem {
    /// Row `i` of every source tensor: one example.
    case row(Int)
    /// Rows `indices` of every source tensor, stacked: one batch.
    case rows([Int])
    /// Components already computed (by `map`, or by stacking computed elements).
    case value([Tensor])

    /// The components, gathering source rows if needed: `[N, d...]` sources give `[d...]` for
    /// `.row` and `[indices.count, d...]` for `.rows`.
    func materialized(from source: [Tensor]) -> [Tensor] {
        switch self {
        case let .row(index):
            return source.map { gatherRows($0, [index]).reshaped(to: Array($0.shape.dropFirst())) }
        case let .rows(indices):
            return source.map { gatherRows($0, indices) }
        case let .value(components):
            return components
        }
    }
}

/// Rows `indices` of `tensor` along its first dimension: `[N, d...]` → `[indices.count, d...]`.
func gatherRows(_ tensor: Tensor, _ indices: [Int]) -> Tensor {
    let rowBytes = tensor.shape.dropFirst().reduce(1, *) * tensor.dtype.byteCount
    let result = Tensor(uninitialized: tensor.dtype, shape: [indices.count] + tensor.shape.dropFirst())
    var k = 0
    while k < indices.count {
        // A run of consecutive rows (an unshuffled batch is one run) is one copy.
        var run = 1
        while k + run < indices.count, indices[k + run] == indices[k] + run { run += 1 }
        (result.storage.pointer + k * rowBytes).copyMemory(from: tensor.storage.pointer + indices[k] * rowBytes,
                                                           byteCount: run * rowBytes)
        k += run
    }
    return result
}

/// Elements `[d...]` (equal count, dtypes and shapes per component) stacked to `[elements.count, d...]`.
func stackElements(_ elements: [[Tensor]]) throws -> [Tensor] {
    let first = elements[0]
    for (position, element) in elements.enumerated() {
        guard element.count == first.count else {
            throw TensorGraphError.invalidArgument(
                "Dataset.batch: element \(position) of the batch has \(element.count) components, element 0 has \(first.count)")
        }
        for (component, (tensor, reference)) in zip(element, first).enumerated()
        where tensor.dtype != reference.dtype || tensor.shape != reference.shape {
            throw TensorGraphError.invalidArgument(
                "Dataset.batch: component \(component) of element \(position) is \(tensor.dtype) \(tensor.shape), "
                + "element 0's is \(reference.dtype) \(reference.shape); a batch stacks equal shapes")
        }
    }
    return first.indices.map { component in
        let reference = first[component]
        let result = Tensor(uninitialized: reference.dtype, shape: [elements.count] + reference.shape)
        for (position, element) in elements.enumerated() {
            (result.storage.pointer + position * reference.byteCount).copyMemory(from: element[component].storage.pointer,
                                                                                byteCount: reference.byteCount)
        }
        return result
    }
}

/// One running stage of a pipeline, pulling from the stage before it.
protocol ItemStream: AnyObject {
    /// The next item of this pass, or `nil` at its end.
    func next() throws -> DatasetItem?
}

/// The running stages for `node`. `key` identifies the iteration: a shuffle's permutation depends
/// on it, and `repeat` gives each repetition its own key.
func makeStream(_ node: DatasetNode, key: UInt64, source: [Tensor]) -> any ItemStream {
    switch node {
    case .slices:
        return SliceStream(count: source[0].shape[0])
    case let .shuffle(upstream, seed, reshuffleEachIteration):
        // The same mixing as `LabeledImages.batches(of:shuffleSeed:epoch:)`, so both agree on a seed.
        let iterationSeed = reshuffleEachIteration ? seed &+ key &* 0x9E37_79B9_7F4A_7C15 : seed
        return ShuffleStream(upstream: makeStream(upstream, key: key, source: source), seed: iterationSeed)
    case let .batch(upstream, size, dropRemainder):
        return BatchStream(upstream: makeStream(upstream, key: key, source: source), size: size,
                           dropRemainder: dropRemainder, source: source)
    case let .map(upstream, transform):
        return MapStream(upstream: makeStream(upstream, key: key, source: source), transform: transform, source: source)
    case let .repeating(upstream, count):
        // Repetition r of iteration k is iteration k·count + r of the stages before: consecutive
        // repetitions behave as consecutive epochs, and no two (k, r) share a key.
        return RepeatStream(count: count) { repetition in
            makeStream(upstream, key: key &* UInt64(count) &+ UInt64(repetition), source: source)
        }
    case let .prefetch(upstream, bufferSize):
        return PrefetchStream(upstream: makeStream(upstream, key: key, source: source), bufferSize: bufferSize, source: source)
    }
}

/// Rows 0..<count in order.
final class SliceStream: ItemStream {
    private let count: Int
    private var position = 0

    init(count: Int) { self.count = count }

    func next() throws -> DatasetItem? {
        guard position < count else { return nil }
        defer { position += 1 }
        return .row(position)
    }
}

/// The upstream pass, read whole and then given out in a seeded random order.
final class ShuffleStream: ItemStream {
    private let upstream: any ItemStream
    private let seed: UInt64
    private var shuffled: [DatasetItem]?
    private var position = 0

    init(upstream: any ItemStream, seed: UInt64) {
        self.upstream = upstream
        self.seed = seed
    }

    func next() throws -> DatasetItem? {
        if shuffled == nil {
            var items: [DatasetItem] = []
            while let item = try upstream.next() { items.append(item) }
            // Fisher–Yates from the end, as LabeledImages.batches does.
            let generator = RandomGenerator(seed: seed)
            for i in stride(from: items.count - 1, to: 0, by: -1) {
                items.swapAt(i, Int(generator.next() % UInt64(i + 1)))
            }
            shuffled = items
        }
        guard let shuffled, position < shuffled.count else { return nil }
        defer { position += 1 }
        return shuffled[position]
    }
}

/// Up to `size` upstream elements per batch; source rows stay indices until the batch is read.
final class BatchStream: ItemStream {
    private let upstream: any ItemStream
    private let size: Int
    private let dropRemainder: Bool
    private let source: [Tensor]

    init(upstream: any ItemStream, size: Int, dropRemainder: Bool, source: [Tensor]) {
        self.upstream = upstream
        self.size = size
        self.dropRemainder = dropRemainder
        self.source = source
    }

    func next() throws -> DatasetItem? {
        var items: [DatasetItem] = []
        items.reserveCapacity(size)
        while items.count < size, let item = try upstream.next() { items.append(item) }
        guard !items.isEmpty, !(dropRemainder && items.count < size) else { return nil }
        let rows = items.compactMap { item -> Int? in
            if case let .row(index) = item { return index }
            return nil
        }
        if rows.count == items.count { return .rows(rows) }
        return .value(try stackElements(items.map { $0.materialized(from: source) }))
    }
}

/// Each upstream element through `transform`.
final class MapStream: ItemStream {
    private let upstream: any ItemStream
    private let transform: @Sendable ([Tensor]) -> [Tensor]
    private let source: [Tensor]

    init(upstream: any ItemStream, transform: @escaping @Sendable ([Tensor]) -> [Tensor], source: [Tensor]) {
        self.upstream = upstream
        self.transform = transform
        self.source = source
    }

    func next() throws -> DatasetItem? {
        guard let item = try upstream.next() else { return nil }
        return .value(transform(item.materialized(from: source)))
    }
}

/// `count` upstream passes, each started (with its own iteration key) when the one before ends.
final class RepeatStream: ItemStream {
    private let count: Int
    private let makeUpstream: (Int) -> any ItemStream
    private var repetition = 0
    private var current: (any ItemStream)?

    init(count: Int, makeUpstream: @escaping (Int) -> any ItemStream) {
        self.count = count
        self.makeUpstream = makeUpstream
    }

    func next() throws -> DatasetItem? {
        while repetition < count {
            let stream = current ?? makeUpstream(repetition)
            current = stream
            if let item = try stream.next() { return item }
            current = nil
            repetition += 1
        }
        return nil
    }
}
