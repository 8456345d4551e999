/// Python-style slicing `x[b0:e0:s0, ...]` with TF's masks (`begin_mask`, `end_mask`, `shrink_axis_mask`).
///
/// Supports positive strides and no `ellipsis_mask`/`new_axis_mask` — the subset Keras emits for
/// `Flatten` (`Shape → StridedSlice → Pack → Reshape`) and ordinary slicing. The gradient is TF's:
/// `StridedSliceGrad(Shape(x), begin, end, strides, dy)` with the same masks.
public enum StridedSlice: Op {
    public static let wireName = "StridedSlice"
    public static let inputs: [ArgDef] = ["input: T", "begin: Index", "end: Index", "strides: Index"]
    public static let outputs: [ArgDef] = ["output: T"]
    /// The attributes of `StridedSlice`, with TensorFlow's names and defaults.
    public struct Attrs: OpAttributes {
        /// TF attribute `T`: the element type of the input and output.
        public var T: DType = .float
        /// TF also allows int16, which TensorGraph does not have.
        public var Index: DType = .int32
        /// TF attributes `begin_mask`, `end_mask`, `ellipsis_mask`, `new_axis_mask` and `shrink_axis_mask`: bit i set
        /// means dimension i ignores `begin[i]` (starts at 0), ignores `end[i]` (runs to the end), is an ellipsis,
        /// is a new size-1 axis, or takes the single index `begin[i]` and is dropped.
        /// Ellipsis and new-axis masks must be 0.
        public var beginMask = 0, endMask = 0, ellipsisMask = 0, newAxisMask = 0, shrinkAxisMask = 0
        public static let defaults = Attrs()
        public static let fields: [AttrField<Attrs>] = [
            .type("T", \.T), .type("Index", \.Index, oneOf: .indices),
            .int("begin_mask", \.beginMask), .int("end_mask", \.endMask), .int("ellipsis_mask", \.ellipsisMask),
            .int("new_axis_mask", \.newAxisMask), .int("shrink_axis_mask", \.shrinkAxisMask),
        ]

        public func validate() throws(AttributeError) {
            guard ellipsisMask == 0 else { throw AttributeError("ellipsis_mask", "is not supported (must be 0), got \(ellipsisMask)") }
            guard newAxisMask == 0 else { throw AttributeError("new_axis_mask", "is not supported (must be 0), got \(newAxisMask)") }
        }
    }

    /// Resolved (begin, length, stride) per dimension and the output shape.
    static func plan(_ shape: [Int], begin: [Int], end: [Int], strides: [Int], attrs: Attrs) throws -> (ranges: [(Int, Int, Int)], out: [Int]) {
        guard begin.count == end.count, end.count == strides.count, begin.count <= shape.count else {
            throw TensorGraphError.invalidArgument("begin/end/strides lengths \(begin.count)/\(end.count)/\(strides.count) do not fit shape \(shape)")
        }
        var ranges: [(Int, Int, Int)] = [], out: [Int] = []
        for d in shape.indices {
            let n = shape[d]
            guard d < begin.count else { ranges.append((0, n, 1)); out.append(n); continue }
            let s = strides[d]
            guard s > 0 else { throw TensorGraphError.invalidArgument("only positive strides are supported, got \(s)") }
            let shrink = attrs.shrinkAxisMask & (1 << d) != 0
            func clamp(_ v: Int) -> Int { Swift.min(Swift.max(v < 0 ? v + n : v, 0), n) }
            let b = attrs.beginMask & (1 << d) != 0 ? 0 : clamp(begin[d])
            if shrink {
                let index = begin[d] < 0 ? begin[d] + n : begin[d]
                guard (0..<n).contains(index) else { throw TensorGraphError.invalidArgument("index \(begin[d]) out of range for dimension of size \(n)") }
                ranges.append((index, 1, 1))
                continue
            }
            let e = attrs.endMask & (1 << d) != 0 ? n : clamp(end[d])
            let length = e > b ? (e - b - 1) / s + 1 : 0   // ⌈(e − b) / s⌉ without overflow for huge strides
            ranges.append((b, length, s))
            out.append(length)
        }
        return (ranges, out)
    }

    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] {
        let dtype = ctx.inputs[0].dtype, attrs = ctx.attributes(StridedSlice.self)
        guard let shape = ctx.inputs[0].shape.concrete, let b = ctx.constantInts(1), let e = ctx.constantInts(2), let s = ctx.constantInts(3) else {
            // Rank is known when only the shrink mask removes dims.
            if let dims = ctx.inputs[0].shape.dims, let b = ctx.constantInts(1) {
                let kept = dims.indices.filter { $0 >= b.count || attrs.shrinkAxisMask & (1 << $0) == 0 }
                return [TensorSpec(dtype, TensorShape(Array(repeating: nil, count: kept.count)))]
            }
            return [TensorSpec(dtype, .unknown)]
        }
        do {
            return [TensorSpec(dtype, TensorShape(try plan(shape, begin: b, end: e, strides: s, attrs: attrs).out))]
        } catch let error as TensorGraphError {
            throw ctx.error(error.description)
        }
    }

    /// TF's `_StridedSliceGrad`: `dy` scattered into zeros of `x`'s shape at the slice; none for the indices.
    public static func gradient(_ ctx: GradientContext) throws -> [Output?] {
        let g = ctx.graph, attrs = ctx.attributes(StridedSlice.self)
        var shape = try g.shape(of: ctx.input(0))
        if attrs.Index == .int64 { shape = try g.cast(shape, to: .int64) }
        let dx = try g.addOutput(StridedSliceGrad.self, [shape, ctx.input(1), ctx.input(2), ctx.input(3), try ctx.grad()], attrs,
                                 file: #fileID, line: #line)
        return [dx, nil, nil, nil]
    }

    public static func compute(_ ctx: KernelContext) throws {
        let x = ctx.input(0)
        guard let b = integerValues(ctx.input(1)), let e = integerValues(ctx.input(2)), let s = integerValues(ctx.input(3)) else {
            throw ctx.error("begin, end and strides must be integers")
        }
        let (ranges, outShape): ([(Int, Int, Int)], [Int])
        do { (ranges, outShape) = try plan(x.shape, begin: b, end: e, strides: s, attrs: ctx.attributes(StridedSlice.self)) } catch let error as TensorGraphError {
            throw ctx.error(error.description)
        }
        let out = try ctx.allocateOutput(0, x.dtype, outShape)
        let count = ranges.reduce(1) { $0 * $1.1 }
        guard count > 0 else { return }
        var strides = [Int](repeating: 1, count: x.rank)
        for d in stride(from: x.rank - 2, through: 0, by: -1) { strides[d] = strides[d + 1] * x.shape[d + 1] }
        let size = x.dtype.byteCount
        var index = [Int](repeating: 0, count: x.rank)
        for i in 0..<count {
            var offset = 0
            for d in 0..<x.rank { offset += (ranges[d].0 + index[d] * ranges[d].2) * strides[d] }
            (out.storage.pointer + i * size).copyMemory(from: x.storage.pointer + offset * size, byteCount: size)
            var d = x.rank - 1
            while d >= 0 {
                index[d] += 1
                if index[d] < ranges[d].1 { break }
                index[d] = 0
                d -= 1
            }
        }
    }
}

extension Graph {
    /// `x[begin:end:strides]` with TF's masks.
    public func stridedSlice(_ x: Output, begin: [Int], end: [Int], strides: [Int], beginMask: Int = 0, endMask: Int = 0,
                             shrinkAxisMask: Int = 0, name: String? = nil, file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        let b = try constant(Tensor(begin.map(Int32.init)), name: "strided_slice/stack", file: file, line: line)
        let e = try constant(Tensor(end.map(Int32.init)), name: "strided_slice/stack_1", file: file, line: line)
        let s = try constant(Tensor(strides.map(Int32.init)), name: "strided_slice/stack_2", file: file, line: line)
        return try addOutput(StridedSlice.self, name: name, [x, b, e, s],
                             StridedSlice.Attrs(beginMask: beginMask, endMask: endMask, shrinkAxisMask: shrinkAxisMask),
                             file: file, line: line)
    }
}
