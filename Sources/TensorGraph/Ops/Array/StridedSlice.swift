/// Python-style slicing `x[b0:e0:s0, ...]` with TF's masks (`begin_mask`, `end_mask`, `shrink_axis_mask`).
///
/// Supports positive strides and no `ellipsis_mask`/`new_axis_mask` — the subset Keras emits for
/// `Flatten` (`Shape → StridedSlice → Pack → Reshape`) and ordinary slicing. No gradient rule
/// (TF's is StridedSliceGrad); differentiating through it throws.
public enum StridedSlice: Op {
    public static let wireName = "StridedSlice"
    public static var differentiability: Differentiability { .missing }

    /// Resolved (begin, length, stride) per dimension and the output shape.
    static func plan(_ shape: [Int], begin: [Int], end: [Int], strides: [Int], attrs: Attributes) throws -> (ranges: [(Int, Int, Int)], out: [Int]) {
        func mask(_ key: String) -> Int { if case .int(let v)? = attrs[key] { return v }; return 0 }
        guard mask("ellipsis_mask") == 0, mask("new_axis_mask") == 0 else { throw TensorGraphError.invalidArgument("ellipsis_mask and new_axis_mask are not supported") }
        guard begin.count == end.count, end.count == strides.count, begin.count <= shape.count else {
            throw TensorGraphError.invalidArgument("begin/end/strides lengths \(begin.count)/\(end.count)/\(strides.count) do not fit shape \(shape)")
        }
        var ranges: [(Int, Int, Int)] = [], out: [Int] = []
        for d in shape.indices {
            let n = shape[d]
            guard d < begin.count else { ranges.append((0, n, 1)); out.append(n); continue }
            let s = strides[d]
            guard s > 0 else { throw TensorGraphError.invalidArgument("only positive strides are supported, got \(s)") }
            let shrink = mask("shrink_axis_mask") & (1 << d) != 0
            func clamp(_ v: Int) -> Int { Swift.min(Swift.max(v < 0 ? v + n : v, 0), n) }
            let b = mask("begin_mask") & (1 << d) != 0 ? 0 : clamp(begin[d])
            if shrink {
                let index = begin[d] < 0 ? begin[d] + n : begin[d]
                guard (0..<n).contains(index) else { throw TensorGraphError.invalidArgument("index \(begin[d]) out of range for dimension of size \(n)") }
                ranges.append((index, 1, 1))
                continue
            }
            let e = mask("end_mask") & (1 << d) != 0 ? n : clamp(end[d])
            let length = e > b ? (e - b + s - 1) / s : 0
            ranges.append((b, length, s))
            out.append(length)
        }
        return (ranges, out)
    }

    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] {
        try ctx.checkInputCount(4)
        let dtype = ctx.inputs[0].dtype
        guard let shape = ctx.inputs[0].shape.concrete, let b = ctx.constantInts(1), let e = ctx.constantInts(2), let s = ctx.constantInts(3) else {
            // Rank is known when only the shrink mask removes dims.
            if let dims = ctx.inputs[0].shape.dims, let b = ctx.constantInts(1) {
                let shrink = (try? ctx.int("shrink_axis_mask", default: 0)) ?? 0
                let kept = dims.indices.filter { $0 >= b.count || shrink & (1 << $0) == 0 }
                return [TensorSpec(dtype, TensorShape(Array(repeating: nil, count: kept.count)))]
            }
            return [TensorSpec(dtype, .unknown)]
        }
        do {
            return [TensorSpec(dtype, TensorShape(try plan(shape, begin: b, end: e, strides: s, attrs: ctx.attrs).out))]
        } catch let error as TensorGraphError {
            throw ctx.error(error.description)
        }
    }

    public static func compute(_ ctx: KernelContext) throws {
        let x = ctx.input(0)
        guard let b = integerValues(ctx.input(1)), let e = integerValues(ctx.input(2)), let s = integerValues(ctx.input(3)) else {
            throw ctx.error("begin, end and strides must be integers")
        }
        let (ranges, outShape): ([(Int, Int, Int)], [Int])
        do { (ranges, outShape) = try plan(x.shape, begin: b, end: e, strides: s, attrs: ctx.node.attrs) } catch let error as TensorGraphError {
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
                             attrs: ["T": .type(x.dtype), "Index": .type(.int32), "begin_mask": .int(beginMask), "end_mask": .int(endMask),
                                     "ellipsis_mask": .int(0), "new_axis_mask": .int(0), "shrink_axis_mask": .int(shrinkAxisMask)],
                             file: file, line: line)
    }
}
