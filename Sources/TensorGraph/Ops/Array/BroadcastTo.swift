/// Broadcasts a tensor to a shape, numpy-style.
///
/// Gradient: g summed back to the input's shape.
public enum BroadcastTo: Op {
    public static let wireName = "BroadcastTo"
    public static let inputs: [ArgDef] = ["input: T", "shape: Tidx"]
    public static let outputs: [ArgDef] = ["output: T"]
    /// The attributes of `BroadcastTo`, with TensorFlow's names and defaults.
    public struct Attrs: OpAttributes {
        /// TF allows any type; the kernel takes float, double, int32 and int64.
        public var T: DType = .float
        /// TF attribute `Tidx`: the dtype of `shape` (int32 or int64; default int32).
        public var Tidx: DType = .int32
        public static let defaults = Attrs()
        public static let fields: [AttrField<Attrs>] = [.type("T", \.T, oneOf: .numeric), .type("Tidx", \.Tidx, oneOf: .indices, required: false)]
    }

    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] {
        guard let dims = ctx.constantInts(1) else { return [TensorSpec(ctx.inputs[0].dtype, ctx.shapeFromTensor(1))] }
        guard let out = TensorShape.broadcast(ctx.inputs[0].shape, TensorShape(dims)), out.isCompatible(with: TensorShape(dims)) else {
            throw ctx.error("cannot broadcast shape \(ctx.inputs[0].shape) to \(dims)")
        }
        return [TensorSpec(ctx.inputs[0].dtype, TensorShape(dims))]
    }

    public static func compute(_ ctx: KernelContext) throws {
        let x = ctx.input(0)
        let dims = try ctx.derived(valuesOf: 0b10) { () throws -> [Int] in
            guard let dims = integerValues(ctx.input(1)), broadcastShapes(x.shape, dims) == dims else {
                throw ctx.error("cannot broadcast shape \(x.shape) to \(ctx.input(1).doubleValues.map(Int.init))")
            }
            return dims
        }
        if x.shape == dims { return ctx.setOutput(0, x) }
        let out = try ctx.allocateOutput(0, x.dtype, dims)
        let zero = Tensor.zeroScalar(x.dtype)
        switch x.dtype {
        case .float: mapBinary(x, zero, out) { (a: Float, _: Float) in a }
        case .double: mapBinary(x, zero, out) { (a: Double, _: Double) in a }
        case .int32: mapBinary(x, zero, out) { (a: Int32, _: Int32) in a }
        case .int64: mapBinary(x, zero, out) { (a: Int64, _: Int64) in a }
        default: throw ctx.error("no kernel for dtype \(x.dtype)")
        }
    }

    public static func gradient(_ ctx: GradientContext) throws -> [Output?] {
        [try ctx.graph.reduceGradient(ctx.grad(), toShapeOf: ctx.input(0)), nil]
    }
}

extension Graph {
    /// `x` broadcast to `shape` (an int32 or int64 vector).
    public func broadcastTo(_ x: Output, shape: Output, name: String? = nil, file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        if let dims = constantValue(of: shape.endpoint).flatMap(integerValues), x.shape.concrete == dims { return x }
        return try addOutput(BroadcastTo.self, name: name, [x, shape], attrs: [:], file: file, line: line)
    }
}
