/// The gradient of `StridedSlice` (TF's `StridedSliceGrad`; an array op in TensorFlow, kept here because
/// TF1 training graphs hold it wherever a forward pass slices, `x[0]`, `x[:, 1:]`): a tensor of `shape`,
/// zero except the slice `begin:end:strides` (with the same masks as the forward op), which holds `dy`.
///
/// Shapes: shape [r] (int32/int64 values), begin/end/strides [k ≤ r], dy of the slice's shape (the
/// forward op's output) → output of `shape`. Supports what `StridedSlice` supports here: positive
/// strides, no ellipsis or new-axis masks. Any dtype.
/// Gradient (TF's `_StridedSliceGradGrad`): the same slice of g for `dy`; none for the others.
public enum StridedSliceGrad: Op {
    public static let wireName = "StridedSliceGrad"
    public static let inputs: [ArgDef] = ["shape: Index", "begin: Index", "end: Index", "strides: Index", "dy: T"]
    public static let outputs: [ArgDef] = ["output: T"]
    /// The attributes are `StridedSlice`'s (`T`, `Index`, the five masks), with TF's names and defaults.
    public typealias Attrs = StridedSlice.Attrs

    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] {
        let dtype = ctx.inputs[4].dtype
        guard let shape = ctx.constantInts(0) else {
            if let r = ctx.inputs[0].shape.rank, r != 1 { throw ctx.error("shape must be a vector, got shape \(ctx.inputs[0].shape)") }
            return [TensorSpec(dtype, TensorShape(ctx.inputs[0].shape.dims?.first.flatMap { $0 }.map { Array(repeating: nil, count: $0) }))]
        }
        guard shape.allSatisfy({ $0 >= 0 }) else { throw ctx.error("shape must be non-negative, got \(shape)") }
        if let b = ctx.constantInts(1), let e = ctx.constantInts(2), let s = ctx.constantInts(3) {
            let slice: [Int]
            do { slice = try StridedSlice.plan(shape, begin: b, end: e, strides: s, attrs: ctx.attributes(StridedSliceGrad.self)).out } catch let error as TensorGraphError {
                throw ctx.error(error.description)
            }
            if !TensorShape(slice).isCompatible(with: ctx.inputs[4].shape) {
                throw ctx.error("dy has shape \(ctx.inputs[4].shape), the slice of \(shape) has \(slice)")
            }
        }
        return [TensorSpec(dtype, TensorShape(shape))]
    }

    public static func compute(_ ctx: KernelContext) throws {
        let dy = ctx.input(4)
        guard let shape = integerValues(ctx.input(0)), let b = integerValues(ctx.input(1)), let e = integerValues(ctx.input(2)),
              let s = integerValues(ctx.input(3)) else {
            throw ctx.error("shape, begin, end and strides must be integers")
        }
        guard shape.allSatisfy({ $0 >= 0 }), checkedProduct(shape) != nil else { throw ctx.error("shape \(shape) is not a valid shape") }
        let ranges: [(Int, Int, Int)], sliceShape: [Int]
        do { (ranges, sliceShape) = try StridedSlice.plan(shape, begin: b, end: e, strides: s, attrs: ctx.attributes(StridedSliceGrad.self)) } catch let error as TensorGraphError {
            throw ctx.error(error.description)
        }
        guard sliceShape == dy.shape else { throw ctx.error("dy has shape \(dy.shape), the slice of \(shape) has \(sliceShape)") }
        let out = try ctx.allocateOutput(0, dy.dtype, shape)
        let size = dy.dtype.byteCount
        out.storage.pointer.initializeMemory(as: UInt8.self, repeating: 0, count: out.count * size)
        let count = ranges.reduce(1) { $0 * $1.1 }
        guard count > 0 else { return }
        // Walk the slice's index space (shrunk axes included, length 1), scattering dy's elements in order.
        var strides = [Int](repeating: 1, count: shape.count)
        for d in stride(from: shape.count - 2, through: 0, by: -1) { strides[d] = strides[d + 1] * shape[d + 1] }
        var index = [Int](repeating: 0, count: shape.count)
        for i in 0..<count {
            var offset = 0
            for d in shape.indices { offset += (ranges[d].0 + index[d] * ranges[d].2) * strides[d] }
            (out.storage.pointer + offset * size).copyMemory(from: dy.storage.pointer + i * size, byteCount: size)
            var d = shape.count - 1
            while d >= 0 {
                index[d] += 1
                if index[d] < ranges[d].1 { break }
                index[d] = 0
                d -= 1
            }
        }
    }

    public static func gradient(_ ctx: GradientContext) throws -> [Output?] {
        let slice = try ctx.graph.addOutput(StridedSlice.self, [try ctx.grad(), ctx.input(1), ctx.input(2), ctx.input(3)],
                                            ctx.attributes(StridedSliceGrad.self), file: #fileID, line: #line)
        return [nil, nil, nil, nil, slice]
    }
}

extension Graph {
    /// The gradient of a strided slice (TF's `StridedSliceGrad`): zeros of `shape` with `dy` placed at
    /// `x[begin:end:strides]`, the masks as `stridedSlice`'s.
    public func stridedSliceGrad(shape: Output, begin: [Int], end: [Int], strides: [Int], dy: Output, beginMask: Int = 0,
                                 endMask: Int = 0, shrinkAxisMask: Int = 0, name: String? = nil,
                                 file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        let b = try constant(Tensor(begin.map(Int32.init)), file: file, line: line)
        let e = try constant(Tensor(end.map(Int32.init)), file: file, line: line)
        let s = try constant(Tensor(strides.map(Int32.init)), file: file, line: line)
        return try addOutput(StridedSliceGrad.self, name: name, [shape, b, e, s, dy],
                             StridedSlice.Attrs(T: dy.dtype, Index: .int32, beginMask: beginMask, endMask: endMask, shrinkAxisMask: shrinkAxisMask),
                             file: file, line: line)
    }
}
