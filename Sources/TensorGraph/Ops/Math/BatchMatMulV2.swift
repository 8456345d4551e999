/// Batched matrix product with numpy broadcasting of the batch dimensions (TF's `BatchMatMulV2`, which
/// `tf.matmul` emits for inputs of rank above 2).
///
/// Shapes: x [..., r, c] and y [..., r', c'] (rank ≥ 2 each); with `adj_x` x's last two dimensions are
/// swapped (the adjoint is the transpose for real types), likewise `adj_y`: op(x) [..., m, k] · op(y)
/// [..., k, n] → [broadcast(x's batch, y's batch)..., m, n]. A batch dimension of 1, or a missing one,
/// repeats that operand, as in numpy's `matmul`.
/// Gradient (TF's `_BatchMatMulV2`), for no adjoints: dx = g · yᴴ, dy = xᴴ · g (the other three cases
/// swap operands as `MatMul`'s), each summed over the batch dimensions its input was broadcast along.
public enum BatchMatMulV2: FloatKernelOp {
    public static let wireName = "BatchMatMulV2"
    public static let inputs: [ArgDef] = ["x: T", "y: T"]
    public static let outputs: [ArgDef] = ["output: T"]
    /// True: the batch dimensions broadcast, so the gradient driver sums each input's gradient back to its shape.
    public static var broadcastsInputs: Bool { true }

    /// The attributes of `BatchMatMulV2`, with TensorFlow's names and defaults.
    public struct Attrs: OpAttributes {
        /// TF attribute `T`: the element type (float or double here; TF also has integer and complex kernels).
        public var T: DType = .float
        /// TF attributes `adj_x` and `adj_y`: multiply by the adjoint (here: transpose) of x's and/or y's matrices.
        public var adjX = false, adjY = false
        /// TF attributes `grad_x` and `grad_y`: hints TF sets on the products its gradient builds; kept so graphs round-trip.
        public var gradX = false, gradY = false
        public static let defaults = Attrs()
        public static let fields: [AttrField<Attrs>] = [
            .type("T", \.T, oneOf: .floats), .bool("adj_x", \.adjX), .bool("adj_y", \.adjY),
            .bool("grad_x", \.gradX), .bool("grad_y", \.gradY),
        ]
    }

    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] {
        let attrs = ctx.attributes(BatchMatMulV2.self)
        let x = ctx.inputs[0].shape, y = ctx.inputs[1].shape
        for (label, s) in [("x", x), ("y", y)] {
            if let rank = s.rank, rank < 2 { throw ctx.error("\(label) must have rank at least 2, got shape \(s)") }
        }
        guard let xd = x.dims, let yd = y.dims else { return [TensorSpec(attrs.T, .unknown)] }
        guard let batch = TensorShape.broadcast(TensorShape(Array(xd.dropLast(2))), TensorShape(Array(yd.dropLast(2))))?.dims else {
            throw ctx.error("batch dimensions of x \(x) and y \(y) are not broadcast-compatible")
        }
        let (m, kx) = attrs.adjX ? (xd[xd.count - 1], xd[xd.count - 2]) : (xd[xd.count - 2], xd[xd.count - 1])
        let (ky, n) = attrs.adjY ? (yd[yd.count - 1], yd[yd.count - 2]) : (yd[yd.count - 2], yd[yd.count - 1])
        if let kx, let ky, kx != ky {
            throw ctx.error("inner dimensions differ: x \(x)\(attrs.adjX ? "ᴴ" : "") · y \(y)\(attrs.adjY ? "ᴴ" : "") (\(kx) vs \(ky))")
        }
        return [TensorSpec(attrs.T, TensorShape(batch + [m, n]))]
    }

    /// What a call's shapes determine, cached across runs with the same shapes.
    struct Geometry {
        let outShape: [Int]
        let m: Int, n: Int, k: Int
        /// Element offsets of each output matrix's operands in x and y (repeated where a batch dimension broadcasts).
        let xOffsets: [Int], yOffsets: [Int]
        /// Every product reads the same y matrix and x's matrices lie back to back, untransposed (a dense
        /// layer applied to a sequence, `[B, m, k] · [k, n]`): one product of [B·m, k] · [k, n] instead.
        let stacksRows: Bool
    }

    static func geometry(_ ctx: KernelContext, _ x: Tensor, _ y: Tensor, _ attrs: Attrs) throws -> Geometry {
        guard x.rank >= 2, y.rank >= 2 else { throw ctx.error("inputs must have rank at least 2, got \(x.shape) and \(y.shape)") }
        let xs = x.shape, ys = y.shape
        let (m, k) = attrs.adjX ? (xs[xs.count - 1], xs[xs.count - 2]) : (xs[xs.count - 2], xs[xs.count - 1])
        let (k2, n) = attrs.adjY ? (ys[ys.count - 1], ys[ys.count - 2]) : (ys[ys.count - 2], ys[ys.count - 1])
        guard k == k2 else { throw ctx.error("inner dimensions differ: \(xs) · \(ys)") }
        let xBatch = Array(xs.dropLast(2)), yBatch = Array(ys.dropLast(2))
        guard let batch = broadcastShapes(xBatch, yBatch) else {
            throw ctx.error("batch dimensions of \(xs) and \(ys) are not broadcast-compatible")
        }
        let count = batch.reduce(1, *)
        var xOffsets = [Int](repeating: 0, count: count), yOffsets = [Int](repeating: 0, count: count)
        if !batch.isEmpty {
            let xStrides = broadcastStrides(xBatch, toRank: batch.count, outShape: batch)
            let yStrides = broadcastStrides(yBatch, toRank: batch.count, outShape: batch)
            for b in 0..<count {
                var rest = b, xMatrix = 0, yMatrix = 0
                for d in stride(from: batch.count - 1, through: 0, by: -1) {
                    let i = rest % batch[d]
                    rest /= batch[d]
                    xMatrix += i * xStrides[d]
                    yMatrix += i * yStrides[d]
                }
                xOffsets[b] = xMatrix * m * k
                yOffsets[b] = yMatrix * k * n
            }
        }
        let stacksRows = yOffsets.allSatisfy { $0 == yOffsets[0] } && xOffsets.indices.allSatisfy { xOffsets[$0] == $0 * m * k }
        return Geometry(outShape: batch + [m, n], m: m, n: n, k: k, xOffsets: xOffsets, yOffsets: yOffsets, stacksRows: stacksRows)
    }

    public static func compute<T: FloatScalar>(_ ctx: KernelContext, as _: T.Type) throws {
        let x = ctx.input(0), y = ctx.input(1), attrs = ctx.attributes(BatchMatMulV2.self)
        let geometry = try ctx.derived { try Self.geometry(ctx, x, y, attrs) }
        let out = try ctx.allocateOutput(0, x.dtype, geometry.outShape)
        let (m, n, k) = (geometry.m, geometry.n, geometry.k)
        let a = x.pointer(T.self), b = y.pointer(T.self), c = out.pointer(T.self)
        let count = geometry.xOffsets.count
        if count > 1 && !attrs.adjX && geometry.stacksRows {
            return parallelGemm(T.self, transposeA: false, transposeB: attrs.adjY, m: count * m, n: n, k: k, a: a,
                                b: b + geometry.yOffsets[0], c: c)
        }
        if count == 1 {
            return parallelGemm(T.self, transposeA: attrs.adjX, transposeB: attrs.adjY, m: m, n: n, k: k, a: a, b: b, c: c)
        }
        // Several products: whole matrices go to the workers, each calling the single-threaded `gemm`.
        let job = BatchGemmJob(transposeA: attrs.adjX, transposeB: attrs.adjY, m: m, n: n, k: k, a: a, b: b, c: c,
                               xOffsets: geometry.xOffsets, yOffsets: geometry.yOffsets)
        Parallelism.forRanges(count, work: 2 * m * n * k * count, minimumWork: 300_000, job)
    }

    public static func gradient(_ ctx: GradientContext) throws -> [Output?] {
        let g = try ctx.grad(), x = ctx.input(0), y = ctx.input(1)
        let attrs = ctx.attributes(BatchMatMulV2.self)
        func product(_ a: Output, _ b: Output, _ adjA: Bool, _ adjB: Bool, forX: Bool) throws -> Output {
            try ctx.graph.addOutput(BatchMatMulV2.self, [a, b], Attrs(adjX: adjA, adjY: adjB, gradX: forX, gradY: !forX),
                                    file: #fileID, line: #line)
        }
        switch (attrs.adjX, attrs.adjY) {
        case (false, false):
            return [try product(g, y, false, true, forX: true), try product(x, g, true, false, forX: false)]
        case (false, true):
            return [try product(g, y, false, false, forX: true), try product(g, x, true, false, forX: false)]
        case (true, false):
            return [try product(y, g, false, true, forX: true), try product(x, g, false, false, forX: false)]
        case (true, true):
            return [try product(y, g, true, true, forX: true), try product(g, x, true, true, forX: false)]
        }
    }
}

/// The products of a range of batch entries, each one `gemm` on the calling worker.
struct BatchGemmJob<T: FloatScalar>: RangeJob {
    let transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int
    let a: UnsafePointer<T>, b: UnsafePointer<T>, c: UnsafeMutablePointer<T>
    let xOffsets: [Int], yOffsets: [Int]

    func run(_ range: Range<Int>) {
        for batch in range {
            gemm(T.self, transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                 a: a + xOffsets[batch], b: b + yOffsets[batch], c: c + batch * m * n)
        }
    }
}

extension Graph {
    /// Batched matrix product (TF's `BatchMatMulV2`, `tf.matmul` on rank > 2): op(x) [..., m, k] · op(y) [..., k, n]
    /// → [..., m, n], batch dimensions broadcast numpy-style; `adjointX`/`adjointY` swap the last two dimensions of
    /// x/y (TF's `adj_x`/`adj_y`). float32 or float64.
    public func batchMatMul(_ x: Output, _ y: Output, adjointX: Bool = false, adjointY: Bool = false, name: String? = nil,
                            file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try addOutput(BatchMatMulV2.self, name: name, [x, y], BatchMatMulV2.Attrs(adjX: adjointX, adjY: adjointY), file: file, line: line)
    }
}
