/// Storage of intermediate values whose last reader in a plan has run, by size, for later steps of the
/// same plan (or the next run) to reuse: memory follows liveness instead of one buffer per value.
final class BufferPool {
    /// Values smaller than this are not pooled.
    static let minimumBytes = 1 << 16

    /// Whether `value`'s buffer may be reused for another value: large enough to pool, not a variable's,
    /// and referenced by nothing but `value` (no alias, no tensor handed to the caller).
    static func accepts(_ value: inout Tensor) -> Bool {
        !value.storage.isVariable && value.storage.byteCount >= minimumBytes && isKnownUniquelyReferenced(&value.storage)
    }

    // Parallel arrays searched linearly: a plan has a handful of distinct sizes, and array elements
    // mutate in place (a dictionary's modify accessor can allocate its coroutine frame).
    private var sizes: [Int] = []
    private var lists: [[TensorStorage]] = []
    /// The run in which each size was last taken or given (see `startRun`).
    private var lastUsed: [Int] = []
    private var run = 0
    /// Sizes untouched for this many runs are dropped: feeds of ever new shapes (1,000 batch sizes)
    /// would otherwise keep every old size's buffers for good. A steady loop touches all its sizes each run.
    static let idleRunsBeforeRelease = 2

    /// Marks the start of a run and releases sizes no recent run used (removal allocates nothing).
    func startRun() {
        run &+= 1
        var i = sizes.count - 1
        while i >= 0 {
            if run &- lastUsed[i] > Self.idleRunsBeforeRelease {
                sizes.remove(at: i); lists.remove(at: i); lastUsed.remove(at: i)
            }
            i -= 1
        }
    }

    func take(byteCount: Int) -> TensorStorage? {
        guard let i = sizes.firstIndex(of: byteCount) else { return nil }
        lastUsed[i] = run
        return lists[i].popLast()
    }

    func give(_ storage: TensorStorage) {
        if let i = sizes.firstIndex(of: storage.byteCount) {
            lists[i].append(storage)
            lastUsed[i] = run
        } else {
            sizes.append(storage.byteCount)
            lists.append([storage])
            lastUsed.append(run)
        }
    }

    /// Distinct buffer sizes held (tests check it stays bounded).
    var sizeCount: Int { sizes.count }

    /// Bytes currently held for reuse.
    var heldBytes: Int { zip(sizes, lists).reduce(0) { $0 + $1.0 * $1.1.count } }
}
