import Foundation

/// The value a TensorList handle holds (TF's `TensorList` variant): `count` elements of one dtype.
///
/// Lists are values, as in TF: `TensorListSetItem` returns a new handle and the handle it was given
/// still reads the old elements. TF gets O(1) writes by forwarding an input list whose reference count
/// is one; here a handle is a view of a shared, append-only `Buffer`, so a write is O(1) whenever it
/// (a) comes from the newest handle of its buffer, (b) fills a slot that handle sees as unset or
/// appends, and (c) the buffer was made by an earlier write (see `init`). Every slot records the generation that wrote it and each handle the generation it was made
/// at; a handle ignores slots written after it, so older handles keep reading what they held. Any
/// other write (overwriting a set element, or writing through an older handle) copies the handle's
/// elements into a new buffer first, O(count) references (element data is never copied).
///
/// That makes the loop accumulators of `whileGradient` (one write per iteration at the next index)
/// and TF2's `TensorArray.write` in a loop amortised O(1) per write.
struct TensorListValue {
    /// Elements shared by the handles made from one another; guarded by `lock` (a list folded into a
    /// constant may be written by concurrent runs).
    final class Buffer: @unchecked Sendable {
        var slots: [Tensor?]
        /// The generation that set each slot (0: set when the buffer was made).
        var writtenAt: [Int]
        /// The newest handle's generation.
        var generation = 0
        let lock = NSLock()

        init(_ slots: [Tensor?]) {
            self.slots = slots
            writtenAt = Array(repeating: 0, count: slots.count)
        }
    }

    private var buffer: Buffer
    /// This handle's generation: slots written later are invisible to it.
    private var generation: Int
    /// The number of elements.
    private(set) var count: Int
    /// TF attribute `element_dtype` of the op that made the list.
    let elementDType: DType
    /// The elements' shape as declared (`element_shape` input; unknown dimensions allowed).
    let elementShape: TensorShape
    /// For a TF1 `TensorArrayV3`: its `dynamic_size` (writes past the end grow it).
    var dynamicSize = false

    /// A list of `elements` (nil: a slot `TensorListReserve` made that nothing has set yet).
    ///
    /// Its buffer is at generation 0, which is never written in place: a list a kernel makes may be
    /// folded into a constant that every run (and concurrent runs) share, so the first write copies
    /// into a buffer of its own and later writes fill that one.
    init(elements: [Tensor?], elementDType: DType, elementShape: TensorShape) {
        buffer = Buffer(elements)
        (generation, count, self.elementDType, self.elementShape) = (0, elements.count, elementDType, elementShape)
    }

    /// Element `i` as this handle sees it (nil: unset); `i` must be in `0..<count`.
    subscript(i: Int) -> Tensor? {
        buffer.lock.lock()
        defer { buffer.lock.unlock() }
        return buffer.writtenAt[i] <= generation ? buffer.slots[i] : nil
    }

    /// The elements as this handle sees them.
    var elements: [Tensor?] { (0..<count).map { self[$0] } }

    /// The list with element `index` set to `item`, grown with unset slots when `index >= count`.
    func setting(_ index: Int, to item: Tensor) -> TensorListValue {
        buffer.lock.lock()
        let inPlace = generation > 0 && generation == buffer.generation && count == buffer.slots.count
            && (index >= count || buffer.slots[index] == nil)
        if inPlace {
            let next = buffer.generation + 1
            if index >= count {
                buffer.slots += Array(repeating: nil, count: index + 1 - count)
                buffer.writtenAt += Array(repeating: next, count: index + 1 - count)
            }
            buffer.slots[index] = item
            buffer.writtenAt[index] = next
            buffer.generation = next
            buffer.lock.unlock()
            var result = self
            (result.generation, result.count) = (next, max(count, index + 1))
            return result
        }
        buffer.lock.unlock()
        var elements = self.elements
        if index >= count { elements += Array(repeating: nil, count: index + 1 - count) }
        elements[index] = item
        var result = self
        result.buffer = Buffer(elements)
        (result.buffer.generation, result.buffer.writtenAt) = (1, Array(repeating: 1, count: elements.count))
        (result.generation, result.count) = (1, elements.count)
        return result
    }

    /// Whether `self` and `other` view one buffer (for tests: a write was done in place).
    func sharesBuffer(with other: TensorListValue) -> Bool { buffer === other.buffer }

    /// A handle tensor holding `self`.
    var handle: Tensor {
        var tensor = Tensor(Int32(clamping: count))
        tensor.list = self
        return tensor
    }

    /// TF's element-shape encoding: a scalar -1 is an unknown shape, -1 entries unknown dimensions.
    static func shape(from tensor: Tensor) -> TensorShape {
        guard let dims = integerValues(tensor) else { return .unknown }
        if tensor.rank == 0 { return .unknown }
        return TensorShape(dims.map { $0 < 0 ? nil : $0 })
    }

    /// Element `index` (TF's `TensorListGetItem`): an unset slot reads as zeros of `shape` when that
    /// shape is fully known.
    func element(_ index: Int, shape: TensorShape, _ ctx: KernelContext) throws -> Tensor {
        guard (0..<count).contains(index) else {
            throw ctx.error("index \(index) is out of range for a list of \(count) elements")
        }
        if let element = self[index] { return element }
        let known = shape.dims.map { $0.compactMap { $0 } }
        guard let dims = known, dims.count == shape.dims?.count else {
            throw ctx.error("element \(index) was never set and its shape \(shape) is not fully known")
        }
        return Tensor(zeros: elementDType, shape: dims)
    }
}

extension KernelContext {
    /// The list input `i` holds, or a typed error when it is not a TensorList handle.
    func list(_ i: Int) throws -> TensorListValue {
        guard let list = input(i).list else { throw error("input \(i) is not a TensorList handle") }
        return list
    }
}
