/// A 64-byte aligned block of memory holding a tensor's elements.
///
/// Tensors share storage by reference; kernels only write into storage they
/// have just allocated or that the session proved unshared
/// (`isKnownUniquelyReferenced`). Variables own their storage and update it in
/// place, which is why fetched variable values are copied before they are
/// handed to the caller.
public final class TensorStorage: @unchecked Sendable {
    let pointer: UnsafeMutableRawPointer
    let byteCount: Int
    /// Set for the storage a session keeps for a variable.
    var isVariable = false

    init(byteCount: Int) {
        self.byteCount = byteCount
        // Never allocate zero bytes, so `pointer` is always valid.
        pointer = UnsafeMutableRawPointer.allocate(byteCount: max(byteCount, 64), alignment: 64)
    }

    /// New storage filled with zero bytes.
    static func zeroed(byteCount: Int) -> TensorStorage {
        let storage = TensorStorage(byteCount: byteCount)
        storage.pointer.initializeMemory(as: UInt8.self, repeating: 0, count: max(byteCount, 64))
        return storage
    }

    deinit { pointer.deallocate() }
}
