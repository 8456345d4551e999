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

    func take(byteCount: Int) -> TensorStorage? {
        guard let i = sizes.firstIndex(of: byteCount) else { return nil }
        return lists[i].popLast()
    }

    func give(_ storage: TensorStorage) {
        if let i = sizes.firstIndex(of: storage.byteCount) {
            lists[i].append(storage)
        } else {
            sizes.append(storage.byteCount)
            lists.append([storage])
        }
    }

    /// Bytes currently held for reuse.
    var heldBytes: Int { zip(sizes, lists).reduce(0) { $0 + $1.0 * $1.1.count } }
}
