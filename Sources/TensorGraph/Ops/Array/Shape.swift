/// The runtime shape of a tensor as a vector (`out_type` int32 by default).
public enum Shape: NonDifferentiableOp {
    public static let wireName = "Shape"
    public static var readsOnlyInputShapes: Bool { true }
    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] {
        try ctx.checkInputCount(1)
        let outType = (try? ctx.type("out_type")) ?? .int32
        guard outType == .int32 || outType == .int64 else { throw ctx.error("out_type must be int32 or int64") }
        return [TensorSpec(outType, TensorShape([ctx.inputs[0].shape.rank]))]
    }
    public static func compute(_ ctx: KernelContext) throws {
        let x = ctx.input(0)
        if ctx.node.attrs["out_type"] == .type(.int64) {
            let out = try ctx.allocateOutput(0, .int64, [x.rank])
            for (i, d) in x.shape.enumerated() { out.pointer(Int64.self)[i] = Int64(d) }
        } else {
            let out = try ctx.allocateOutput(0, .int32, [x.rank])
            for (i, d) in x.shape.enumerated() { out.pointer(Int32.self)[i] = Int32(d) }
        }
    }
}

extension Graph {
    /// The shape of `x` as an int32 vector.
    public func shape(of x: Output, name: String? = nil, file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        if let dims = x.shape.concrete {
            return try constant(Tensor(dims.map(Int32.init)), name: name ?? "Shape", file: file, line: line)
        }
        return try addOutput(Shape.self, name: name, [x], attrs: ["T": .type(x.dtype), "out_type": .type(.int32)], file: file, line: line)
    }
}
