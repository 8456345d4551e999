/// A constant tensor stored in the graph (`value` attr).
public enum Const: NonDifferentiableOp {
    public static let wireName = "Const"
    public static let inputs: [ArgDef] = []
    public static let outputs: [ArgDef] = ["output: dtype"]
    public struct Attrs: OpAttributes {
        public var value = Tensor(Float(0))
        public var dtype: DType = .float
        public static let defaults = Attrs()
        public static let fields: [AttrField<Attrs>] = [.tensor("value", \.value), .type("dtype", \.dtype)]

        public func validate() throws(AttributeError) {
            guard dtype == value.dtype else { throw AttributeError("dtype", "\(dtype) disagrees with value of dtype \(value.dtype)") }
        }
    }

    /// The attribute map of a Const node holding `value` (for nodes added with `addNode` directly).
    static func attributes(_ value: Tensor) -> Attributes { builderAttributes(Attrs(value: value, dtype: value.dtype)) }

    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] {
        let value = ctx.attributes(Const.self).value
        return [TensorSpec(value.dtype, TensorShape(value.shape))]
    }

    public static func compute(_ ctx: KernelContext) throws {
        ctx.setOutput(0, ctx.attributes(Const.self).value)
    }
}

extension Graph {
    /// A constant node holding `value`.
    public func constant(_ value: Tensor, name: String? = nil, file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try addOutput(Const.self, name: name ?? "Const", [], Const.Attrs(value: value, dtype: value.dtype), file: file, line: line)
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
