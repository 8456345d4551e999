import CTensorFlowProto
import Foundation

/// Owns the C memory of protobuf-c messages built from Swift; everything is freed with the arena.
///
/// Pointers it hands out never escape the `withArena` scope that packs them.
final class ProtoArena {
    private var blocks: [UnsafeMutableRawPointer] = []

    deinit { for block in blocks { free(block) } }

    /// Zeroed storage for `count` values of `T`.
    func allocate<T>(_ type: T.Type, count: Int = 1) -> UnsafeMutablePointer<T> {
        let raw = calloc(Swift.max(count, 1), MemoryLayout<T>.stride)!
        blocks.append(raw)
        return raw.bindMemory(to: T.self, capacity: Swift.max(count, 1))
    }

    /// A NUL-terminated copy of `string`.
    func string(_ string: String) -> UnsafeMutablePointer<CChar> {
        let utf8 = Array(string.utf8CString)
        let p = allocate(CChar.self, count: utf8.count)
        p.update(from: utf8, count: utf8.count)
        return p
    }

    /// A copy of raw bytes as protobuf-c binary data.
    func bytes(_ source: UnsafeRawPointer, count: Int) -> ProtobufCBinaryData {
        let p = allocate(UInt8.self, count: count)
        if count > 0 { p.update(from: source.assumingMemoryBound(to: UInt8.self), count: count) }
        return ProtobufCBinaryData(len: count, data: p)
    }

    /// A C array of `values`.
    func array<T>(_ values: [T]) -> UnsafeMutablePointer<T> {
        let p = allocate(T.self, count: values.count)
        p.update(from: values, count: values.count)
        return p
    }
}
