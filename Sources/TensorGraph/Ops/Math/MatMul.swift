/// Matrix product of two rank-2 tensors, optionally transposing either.
///
/// Shapes: op(a) [m, k] · op(b) [k, n] → [m, n], where op transposes when `transpose_a`/`transpose_b`.
/// Gradient (no transposes): da = g · bᵀ, db = aᵀ · g; the other three cases follow TF's `_MatMulGrad`.
public enum MatMul: Op {
    public static let wireName = "MatMul"

    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] {
        try ctx.checkInputCount(2)
        let dtype = try ctx.commonDType()
        try ctx.requireFloat(dtype)
        let ta = ctx.bool("transpose_a", default: false), tb = ctx.bool("transpose_b", default: false)
        let a = ctx.inputs[0].shape, b = ctx.inputs[1].shape
        for (label, s) in [("a", a), ("b", b)] where s.rank != nil && s.rank != 2 {
            throw ctx.error("\(label) must be rank 2, got shape \(s)")
        }
        let ad = a.dims ?? [nil, nil], bd = b.dims ?? [nil, nil]
        let (m, ka) = ta ? (ad[1], ad[0]) : (ad[0], ad[1])
        let (kb, n) = tb ? (bd[1], bd[0]) : (bd[0], bd[1])
        if let ka, let kb, ka != kb {
            throw ctx.error("inner dimensions differ: a \(a)\(ta ? "ᵀ" : "") · b \(b)\(tb ? "ᵀ" : "") (\(ka) vs \(kb))")
        }
        return [TensorSpec(dtype, TensorShape([m, n]))]
    }

    public static func compute(_ ctx: KernelContext) throws {
        let a = ctx.input(0), b = ctx.input(1)
        let ta = ctx.node.attrs["transpose_a"] == .bool(true), tb = ctx.node.attrs["transpose_b"] == .bool(true)
        guard a.rank == 2, b.rank == 2 else { throw ctx.error("inputs must be rank 2, got \(a.shape) and \(b.shape)") }
        let (m, k) = ta ? (a.shape[1], a.shape[0]) : (a.shape[0], a.shape[1])
        let (k2, n) = tb ? (b.shape[1], b.shape[0]) : (b.shape[0], b.shape[1])
        guard k == k2 else { throw ctx.error("inner dimensions differ: \(a.shape) · \(b.shape)") }
        // A plan-fused BiasAdd (and Relu) brings the bias as a third input.
        if ctx.inputCount == 3, ctx.input(2).shape != [n] {
            throw ctx.error("fused bias of shape \(ctx.input(2).shape) does not match \(n) columns")
        }
        let out = try ctx.allocateOutput(0, a.dtype, ctx.derived { [m, n] })
        func run<T: FloatScalar>(_: T.Type) {
            parallelGemm(T.self, transposeA: ta, transposeB: tb, m: m, n: n, k: k, a: a.pointer(T.self), b: b.pointer(T.self), c: out.pointer(T.self))
            guard ctx.inputCount == 3 else { return }
            // The output is still in cache: add the bias (and apply relu) row block by row block.
            let epilogue = BiasActivationRows(out: out.pointer(T.self), bias: UnsafePointer(ctx.input(2).pointer(T.self)), f: n, relu: ctx.fusedRelu)
            Parallelism.forRanges(m, work: m * n, minimumWork: 1 << 15, epilogue)
        }
        switch a.dtype {
        case .float: run(Float.self)
        case .double: run(Double.self)
        default: throw ctx.error("no kernel for dtype \(a.dtype)")
        }
    }

    public static func gradient(_ ctx: GradientContext) throws -> [Output?] {
        let g = try ctx.grad(), a = ctx.input(0), b = ctx.input(1), graph = ctx.graph
        switch (ctx.boolAttr("transpose_a"), ctx.boolAttr("transpose_b")) {
        case (false, false):
            return [try graph.matMul(g, b, transposeB: true), try graph.matMul(a, g, transposeA: true)]
        case (false, true):
            return [try graph.matMul(g, b), try graph.matMul(g, a, transposeA: true)]
        case (true, false):
            return [try graph.matMul(b, g, transposeB: true), try graph.matMul(a, g)]
        case (true, true):
            return [try graph.matMul(b, g, transposeA: true, transposeB: true),
                    try graph.matMul(g, a, transposeA: true, transposeB: true)]
        }
    }
}

extension Graph {
    /// Matrix product `op(a) · op(b)`: [m, k] · [k, n] → [m, n].
    public func matMul(_ a: Output, _ b: Output, transposeA: Bool = false, transposeB: Bool = false,
                       name: String? = nil, file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try addOutput(MatMul.self, name: name, [a, b],
                      attrs: ["T": .type(a.dtype), "transpose_a": .bool(transposeA), "transpose_b": .bool(transposeB)],
                      file: file, line: line)
    }
}
