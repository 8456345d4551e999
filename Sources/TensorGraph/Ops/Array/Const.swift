/// A constant tensor stored in the graph (`value` attr).
public enum Const: NonDifferentiableOp {
    public static let wireName = "Const"

    static func attributes(_ value: Tensor) -> Attributes { ["dtype": .type(value.dtype), "value": .tensor(value)] }

    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] {
        try ctx.checkInputCount(0)
        guard case .tensor(let t)? = ctx.attrs["value"] else { throw ctx.error("missing tensor attribute 'value'") }
        if let declared = try? ctx.type("dtype"), declared != t.dtype {
            throw ctx.error("dtype attribute \(declared) disagrees with value of dtype \(t.dtype)")
        }
        return [TensorSpec(t.dtype, TensorShape(t.shape))]
    }

    public static func compute(_ ctx: KernelContext) throws {
        guard case .tensor(let t)? = ctx.node.attrs["value"] else { throw ctx.error("missing value") }
        ctx.setOutput(0, t)
    }
}

extension Graph {
    /// A constant node holding `value`.
    public func constant(_ value: Tensor, name: String? = nil, file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try addOutput(Const.self, name: name ?? "Const", [], attrs: Const.attributes(value), file: file, line: line)
    }

    /// A scalar constant.
    public func constant<T: TensorScalar>(_ value: T, name: String? = nil, file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try constant(Tensor(value), name: name, file: file, line: line)
    }

    /// A constant from scalars and a shape.
    public func constant<T: TensorScalar>(_ scalars: [T], shape: [Int], name: String? = nil,
                                          file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try constant(Tensor(shape: shape, scalars: scalars), name: name, file: file, line: line)
    }

    /// A scalar constant of `like`'s (floating-point) dtype, for use in gradient rules and composites.
    public func constant(_ value: Double, like: Output, file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        switch like.dtype {
        case .double: return try constant(Tensor(value), file: file, line: line)
        case .int32: return try constant(Tensor(Int32(value)), file: file, line: line)
        case .int64: return try constant(Tensor(Int64(value)), file: file, line: line)
        default: return try constant(Tensor(Float(value)), file: file, line: line)
        }
    }
}
