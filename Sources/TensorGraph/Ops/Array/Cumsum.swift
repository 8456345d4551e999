/// Running sums along `axis` (TF's `Cumsum`, `tf.cumsum`): same shape; float, double, int32, int64 or uint8
/// (integers wrap on overflow, as TF's).
///
/// On [a, b, c] (checked against TensorFlow 2.21): plain [a, a+b, a+b+c]; `exclusive` [0, a, a+b];
/// `reverse` [a+b+c, b+c, c]; both [b+c, c, 0]. `axis` is a scalar in [-rank, rank) (negative counts from
/// the end), so a scalar input has no axis to sum along, as in TF.
///
/// Gradient (as TF's `_CumsumGrad`): the cumsum of g along the same axis with the same `exclusive` and the
/// opposite `reverse`; none for `axis`.
public enum Cumsum: Op {
    public static let wireName = "Cumsum"
    public static let inputs: [ArgDef] = ["x: T", "axis: Tidx"]
    public static let outputs: [ArgDef] = ["out: T"]
    /// The attributes of `Cumsum`, with TensorFlow's names and defaults.
    public struct Attrs: OpAttributes {
        /// TF attribute `exclusive`: each sum leaves out its own element (the first is 0).
        public var exclusive = false
        /// TF attribute `reverse`: sum from the end of the axis towards its start.
        public var reverse = false
        /// TF attribute `T`: the element type (TF also allows complex and small integer types).
        public var T: DType = .float
        /// TF attribute `Tidx`: the dtype of `axis` (int32 or int64; default int32).
        public var Tidx: DType = .int32
        public static let defaults = Attrs()
        public static let fields: [AttrField<Attrs>] = [
            .bool("exclusive", \.exclusive), .bool("reverse", \.reverse), .type("T", \.T, oneOf: .numeric + [.uint8]),
            .type("Tidx", \.Tidx, oneOf: .indices, required: false),
        ]
    }

    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] {
        if let r = ctx.inputs[1].shape.rank, r != 0 { throw ctx.error("axis must be a scalar, got shape \(ctx.inputs[1].shape)") }
        if let raw = ctx.constantInts(1)?.first, let rank = ctx.inputs[0].shape.rank, normalizedAxis(raw, rank: rank) == nil {
            throw ctx.error("axis \(raw) is out of range [\(-rank), \(rank)) for input of shape \(ctx.inputs[0].shape)")
        }
        return [ctx.inputs[0]]
    }

    public static func compute(_ ctx: KernelContext) throws {
        let x = ctx.input(0), attrs = ctx.attributes(Cumsum.self)
        guard let raw = integerValues(ctx.input(1)), raw.count == 1, let axis = normalizedAxis(raw[0], rank: x.rank) else {
            throw ctx.error("axis must be a scalar in [\(-x.rank), \(x.rank)) for input of shape \(x.shape)")
        }
        let out = try ctx.allocateOutput(0, x.dtype, x.shape)
        let outer = x.shape[..<axis].reduce(1, *), n = x.shape[axis], inner = x.shape[(axis + 1)...].reduce(1, *)
        func scan<T: AccumulatingScalar>(_: T.Type) {
            let src = x.pointer(T.self), dst = out.pointer(T.self)
            for o in 0..<outer {
                for i in 0..<inner {
                    let base = o * n * inner + i
                    var total = T.zero
                    for step in 0..<n {
                        let k = base + (attrs.reverse ? n - 1 - step : step) * inner
                        if attrs.exclusive {
                            dst[k] = total
                            total = T.accumulate(total, src[k])
                        } else {
                            total = T.accumulate(total, src[k])
                            dst[k] = total
                        }
                    }
                }
            }
        }
        guard withAccumulatingType(x.dtype, { scan($0) }) != nil else { throw ctx.error("no kernel for dtype \(x.dtype)") }
    }

    public static func gradient(_ ctx: GradientContext) throws -> [Output?] {
        let attrs = ctx.attributes(Cumsum.self)
        return [try ctx.graph.cumsum(ctx.grad(), axis: ctx.input(1), exclusive: attrs.exclusive, reverse: !attrs.reverse), nil]
    }
}

extension Graph {
    /// Running sums of `x` along `axis` (TF's `tf.cumsum`); `exclusive` leaves out each element itself,
    /// `reverse` sums from the end.
    public func cumsum(_ x: Output, axis: Int = 0, exclusive: Bool = false, reverse: Bool = false, name: String? = nil,
                       file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        let a = try constant(Tensor(Int32(axis)), name: "Cumsum/axis", file: file, line: line)
        return try cumsum(x, axis: a, exclusive: exclusive, reverse: reverse, name: name, file: file, line: line)
    }

    /// Running sums of `x` along an axis given as an int32 or int64 scalar tensor.
    public func cumsum(_ x: Output, axis: Output, exclusive: Bool = false, reverse: Bool = false, name: String? = nil,
                       file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try addOutput(Cumsum.self, name: name, [x, axis], Cumsum.Attrs(exclusive: exclusive, reverse: reverse), file: file, line: line)
    }
}
