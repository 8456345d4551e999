/// Adds a bias vector along the last (channel) dimension: [..., C] + [C] → [..., C] (NHWC).
///
/// Gradient: (g, BiasAddGrad(g)).
public enum BiasAdd: FloatKernelOp {
    public static let wireName = "BiasAdd"
    public static let inputs: [ArgDef] = ["value: T", "bias: T"]
    public static let outputs: [ArgDef] = ["output: T"]
    public typealias Attrs = BiasAttributes

    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] {
        let value = ctx.inputs[0].shape, bias = ctx.inputs[1].shape
        if let r = value.rank, r < 2 { throw ctx.error("value must have rank >= 2, got \(value)") }
        if let r = bias.rank, r != 1 { throw ctx.error("bias must be rank 1, got \(bias)") }
        if let c = value.dims?.last ?? nil, let b = bias.dims?.first ?? nil, c != b {
            throw ctx.error("bias of shape \(bias) does not match last dimension of \(value)")
        }
        return [ctx.inputs[0]]
    }

    public static func compute<T: FloatScalar>(_ ctx: KernelContext, as _: T.Type) throws {
        let x = ctx.input(0), bias = ctx.input(1)
        guard x.rank >= 2, bias.rank == 1, x.shape.last == bias.count else {
            throw ctx.error("bias \(bias.shape) does not match value \(x.shape)")
        }
        let out = try ctx.allocateOutput(0, x.dtype, x.shape)
        let c = bias.count, rows = x.count / Swift.max(c, 1)
        let src = x.pointer(T.self), b = bias.pointer(T.self), dst = out.pointer(T.self)
        Parallelism.forRanges(rows, work: x.count, minimumWork: 1 << 15, BiasAddRows(src: src, bias: b, dst: dst, c: c))
    }

    public static func gradient(_ ctx: GradientContext) throws -> [Output?] {
        let g = try ctx.grad()
        return [g, try ctx.graph.biasAddGrad(g)]
    }
}

/// Sums a gradient over all but the last dimension: [..., C] → [C].
///
/// Gradient: g broadcast back to the input's shape.
public enum BiasAddGrad: FloatKernelOp {
    public static let wireName = "BiasAddGrad"
    public static let inputs: [ArgDef] = ["out_backprop: T"]
    public static let outputs: [ArgDef] = ["output: T"]
    public typealias Attrs = BiasAttributes

    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] {
        if let r = ctx.inputs[0].shape.rank, r < 2 { throw ctx.error("input must have rank >= 2, got \(ctx.inputs[0].shape)") }
        return [TensorSpec(ctx.inputs[0].dtype, TensorShape([ctx.inputs[0].shape.dims?.last ?? nil]))]
    }

    public static func compute<T: FloatScalar>(_ ctx: KernelContext, as _: T.Type) throws {
        let g = ctx.input(0)
        guard g.rank >= 2 else { throw ctx.error("input must have rank >= 2, got \(g.shape)") }
        let c = g.shape[g.rank - 1]
        let out = try ctx.allocateOutput(0, g.dtype, ctx.derived { [c] })
        let rows = g.count / Swift.max(c, 1)
        let src = g.pointer(T.self), dst = out.pointer(T.self)
        // Large inputs split by columns when each worker gets at least 64 of them (every worker sums
        // its own columns straight into the output: no partials, deterministic); otherwise by rows,
        // each worker into its own partial in scratch, added in worker order.
        let workers = g.count >= BiasAddGrad.parallelThreshold ? Swift.min(Parallelism.workers, Swift.max(rows, 1)) : 1
        if workers <= 1 || c >= 64 * workers {
            Parallelism.run(workers: workers, BiasGradColumns(src: src, dst: dst, rows: rows, c: c, workers: workers))
            return
        }
        let partials = try ctx.scratch(T.self, count: workers * c)
        Parallelism.run(workers: workers, BiasGradPartials(src: src, partials: partials, rows: rows, c: c, workers: workers))
        for j in 0..<c { dst[j] = partials[j] }
        for w in 1..<workers { addRow(dst, partials + w * c, count: c) }
    }

    /// Inputs with fewer elements run on one thread: below this a launch costs more than the sum
    /// (one vectorised pass reads ~1 GB/s per µs-scale call).
    static let parallelThreshold = 1 << 17

    public static func gradient(_ ctx: GradientContext) throws -> [Output?] {
        let graph = ctx.graph, input = ctx.input(0)
        return [try graph.broadcastTo(try ctx.grad(), shape: graph.shape(of: input))]
    }
}

/// BiasAdd's and BiasAddGrad's attributes: `T` and `data_format` (TensorGraph runs NHWC).
public struct BiasAttributes: OpAttributes {
    /// TF attribute `T`: the element type (float or double here).
    public var T: DType = .float
    /// TF attribute `data_format`: where the channel dimension is; only `NHWC` (channels last) is supported.
    public var dataFormat = "NHWC"
    public static let defaults = BiasAttributes()
    public static let fields: [AttrField<BiasAttributes>] = [
        .type("T", \.T, oneOf: .floats), .string("data_format", \.dataFormat, oneOf: ["NHWC", "NCHW"]),
    ]
    public func validate() throws(AttributeError) {
        guard dataFormat == "NHWC" else { throw AttributeError("data_format", "only NHWC is supported, got \(dataFormat)") }
    }
}

extension Graph {
    /// `value + bias` along the last dimension.
    public func biasAdd(_ value: Output, _ bias: Output, name: String? = nil, file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try addOutput(BiasAdd.self, name: name, [value, bias], BiasAttributes(), file: file, line: line)
    }
    /// Sum over all but the last dimension.
    public func biasAddGrad(_ grad: Output, file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try addOutput(BiasAddGrad.self, [grad], BiasAttributes(), file: file, line: line)
    }
}

/// `dst[r, :] = src[r, :] + bias` for a range of rows: the rows copied unless the output took over the input's
/// buffer, then the fused ops' bias epilogue with no activation (float32 on its multiversioned C loop; a generic
/// Swift loop ran scalar, ~1 ns an element).
private struct BiasAddRows<T: FloatScalar>: RangeJob {
    let src: UnsafePointer<T>, bias: UnsafePointer<T>, dst: UnsafeMutablePointer<T>, c: Int
    func run(_ range: Range<Int>) {
        let first = range.lowerBound * c
        if UnsafePointer(dst) != src { (dst + first).update(from: src + first, count: range.count * c) }
        BiasActivationRows(out: dst, bias: bias, f: c, activation: .none).run(range)
    }
}

/// Worker `w` sums its contiguous block of rows into `partials[w]` (added in worker order afterwards).
private struct BiasGradPartials<T: FloatScalar>: WorkerJob {
    let src: UnsafePointer<T>, partials: UnsafeMutablePointer<T>, rows: Int, c: Int, workers: Int
    func run(worker w: Int) {
        let p = partials + w * c
        for j in 0..<c { p[j] = 0 }
        for r in Parallelism.share(rows, worker: w, of: workers) { addRow(p, src + r * c, count: c) }
    }
}

/// Worker `w` sums every row's columns `share(c, w)` into the same columns of `dst`.
private struct BiasGradColumns<T: FloatScalar>: WorkerJob {
    let src: UnsafePointer<T>, dst: UnsafeMutablePointer<T>, rows: Int, c: Int, workers: Int
    func run(worker w: Int) {
        let columns = Parallelism.share(c, worker: w, of: workers)
        let out = dst + columns.lowerBound, width = columns.count
        for j in 0..<width { out[j] = 0 }
        for r in 0..<rows { addRow(out, src + r * c + columns.lowerBound, count: width) }
    }
}

/// `dst[0..<count] += src[0..<count]`, eight lanes at a time for float and double (the generic loop
/// is not vectorised when `T` is not specialised).
@inline(__always)
private func addRow<T: FloatScalar>(_ dst: UnsafeMutablePointer<T>, _ src: UnsafePointer<T>, count: Int) {
    if T.self == Float.self {
        addRowVectorised(UnsafeMutableRawPointer(dst).assumingMemoryBound(to: Float.self),
                         UnsafeRawPointer(src).assumingMemoryBound(to: Float.self), count: count, lanes: SIMD8<Float>.self)
    } else if T.self == Double.self {
        addRowVectorised(UnsafeMutableRawPointer(dst).assumingMemoryBound(to: Double.self),
                         UnsafeRawPointer(src).assumingMemoryBound(to: Double.self), count: count, lanes: SIMD8<Double>.self)
    } else {
        for j in 0..<count { dst[j] += src[j] }
    }
}

@inline(__always)
private func addRowVectorised<V: SIMD>(_ dst: UnsafeMutablePointer<V.Scalar>, _ src: UnsafePointer<V.Scalar>, count: Int,
                                       lanes _: V.Type) where V.Scalar: FloatScalar {
    let stride = V.scalarCount, size = MemoryLayout<V.Scalar>.stride
    let d = UnsafeMutableRawPointer(dst), s = UnsafeRawPointer(src)
    var j = 0
    while j + stride <= count {
        let sum = d.loadUnaligned(fromByteOffset: j * size, as: V.self) + s.loadUnaligned(fromByteOffset: j * size, as: V.self)
        d.storeBytes(of: sum, toByteOffset: j * size, as: V.self)
        j += stride
    }
    while j < count { dst[j] += src[j]; j += 1 }
}
