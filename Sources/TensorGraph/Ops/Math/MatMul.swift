/// Matrix product of two rank-2 tensors, optionally transposing either.
///
/// Shapes: op(a) [m, k] · op(b) [k, n] → [m, n], where op transposes when `transpose_a`/`transpose_b`.
/// Gradient (no transposes): da = g · bᵀ, db = aᵀ · g; the other three cases follow TF's `_MatMulGrad`.
public enum MatMul: FloatKernelOp {
    public static let wireName = "MatMul"
    public static let inputs: [ArgDef] = ["a: T", "b: T"]
    public static let outputs: [ArgDef] = ["product: T"]
    /// The attributes of `MatMul`, with TensorFlow's names and defaults.
    public struct Attrs: OpAttributes {
        /// TF attributes `transpose_a` and `transpose_b`: multiply by aᵀ and/or bᵀ instead of a and b.
        public var transposeA = false, transposeB = false
        /// TF attribute `T`: the element type (float or double here).
        public var T: DType = .float
        /// Hints TF's GPU kernels read; kept so graphs round-trip.
        public var gradA = false, gradB = false
        public static let defaults = Attrs()
        public static let fields: [AttrField<Attrs>] = [
            .bool("transpose_a", \.transposeA), .bool("transpose_b", \.transposeB), .type("T", \.T, oneOf: .floats),
            .bool("grad_a", \.gradA), .bool("grad_b", \.gradB),
        ]
    }

    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] {
        let attrs = ctx.attributes(MatMul.self)
        let (ta, tb) = (attrs.transposeA, attrs.transposeB)
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
        return [TensorSpec(attrs.T, TensorShape([m, n]))]
    }

    /// The product's geometry (m, n, k), checked against the inputs.
    static func dimensions(_ ctx: KernelContext, _ a: Tensor, _ b: Tensor, _ attrs: Attrs) throws -> (m: Int, n: Int, k: Int) {
        guard a.rank == 2, b.rank == 2 else { throw ctx.error("inputs must be rank 2, got \(a.shape) and \(b.shape)") }
        let (m, k) = attrs.transposeA ? (a.shape[1], a.shape[0]) : (a.shape[0], a.shape[1])
        let (k2, n) = attrs.transposeB ? (b.shape[1], b.shape[0]) : (b.shape[0], b.shape[1])
        guard k == k2 else { throw ctx.error("inner dimensions differ: \(a.shape) · \(b.shape)") }
        return (m, n, k)
    }

    public static func compute<T: FloatScalar>(_ ctx: KernelContext, as _: T.Type) throws {
        let a = ctx.input(0), b = ctx.input(1), attrs = ctx.attributes(MatMul.self)
        let (m, n, k) = try dimensions(ctx, a, b, attrs)
        let out = try ctx.allocateOutput(0, a.dtype, ctx.derived { [m, n] })
        parallelGemm(T.self, transposeA: attrs.transposeA, transposeB: attrs.transposeB, m: m, n: n, k: k,
                     a: a.pointer(T.self), b: b.pointer(T.self), c: out.pointer(T.self))
    }

    public static func gradient(_ ctx: GradientContext) throws -> [Output?] {
        let g = try ctx.grad(), a = ctx.input(0), b = ctx.input(1), graph = ctx.graph
        let attrs = ctx.attributes(MatMul.self)
        switch (attrs.transposeA, attrs.transposeB) {
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
                      MatMul.Attrs(transposeA: transposeA, transposeB: transposeB),
                      file: file, line: line)
    }
}
