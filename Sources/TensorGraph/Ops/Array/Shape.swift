/// The runtime shape of a tensor as a vector (`out_type` int32 by default).
public enum Shape: NonDifferentiableOp {
    public static let wireName = "Shape"
    public static let inputs: [ArgDef] = ["input: T"]
    public static let outputs: [ArgDef] = ["output: out_type"]
    /// The attributes of `Shape`, with TensorFlow's names and defaults.
    public struct Attrs: OpAttributes {
        /// TF attribute `T`: the element type of the input (any; its values are never read).
        public var T: DType = .float
        /// TF attribute `out_type`: the dtype of the output vector (int32 or int64; default int32).
        public var outType: DType = .int32
        public static let defaults = Attrs()
        public static let fields: [AttrField<Attrs>] = [.type("T", \.T), .type("out_type", \.outType, oneOf: .indices, required: false)]
    }
    /// True: the output depends only on the input's shape, never on its values.
    public static var readsOnlyInputShapes: Bool { true }
    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] {
        [TensorSpec(ctx.attributes(Shape.self).outType, TensorShape([ctx.inputs[0].shape.rank]))]
    }
    public static func compute(_ ctx: KernelContext) throws {
        let x = ctx.input(0)
        if ctx.attributes(Shape.self).outType == .int64 {
            let out = try ctx.allocateOutput(0, .int64, [x.rank])
            for (i, d) in x.shape.enumerated() { out.pointer(Int64.self)[i] = Int64(d) }
        } else {
            // TF's Shape fails the same way for an int32 output of a dimension past 2³¹ − 1.
            let dims = x.shape.compactMap { Int32(exactly: $0) }
            guard dims.count == x.rank else {
                throw ctx.error("dimension of \(x.shape) does not fit out_type int32; use int64")
            }
            let out = try ctx.allocateOutput(0, .int32, [x.rank])
            for (i, d) in dims.enumerated() { out.pointer(Int32.self)[i] = d }
        }
    }
}

extension Graph {
    /// The shape of `x` as an int32 vector.
    public func shape(of x: Output, name: String? = nil, file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        // Folded to a constant when known and within int32; otherwise the Shape op (which reports the overflow).
        if let dims = x.shape.concrete, dims.allSatisfy({ Int32(exactly: $0) != nil }) {
            return try constant(Tensor(dims.map(Int32.init)), name: name ?? "Shape", file: file, line: line)
        }
        return try addOutput(Shape.self, name: name, [x], Shape.Attrs(outType: .int32), file: file, line: line)
    }
}
