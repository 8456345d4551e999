/// A constant tensor stored in the graph (`value` attr).
public enum Const: NonDifferentiableOp {
    public static let wireName = "Const"
    public static let inputs: [ArgDef] = []
    public static let outputs: [ArgDef] = ["output: dtype"]
    /// The attributes of `Const`, with TensorFlow's names and defaults.
    public struct Attrs: OpAttributes {
        /// TF attribute `value`: the tensor the node outputs on every run.
        public var value = Tensor(Float(0))
        /// TF attribute `dtype`: the output's element type; must equal `value`'s.
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

    /// A scalar constant of the Swift scalar's own dtype (`Float` → float32, `Int64` → int64, `Bool` → bool).
    public func constant<T: TensorScalar>(_ value: T, name: String? = nil, file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try constant(Tensor(value), name: name, file: file, line: line)
    }

    /// A scalar constant from a Swift floating-point number or literal: float32, as TF1's `tf.constant(0.5)`
    /// (a Python float), unless `dtype` asks for float64 (or an integer type, truncating).
    public func constant(_ value: Double, dtype: DType = .float, name: String? = nil,
                         file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try constant(Tensor(scalar: value, dtype: dtype, file: file, line: line), name: name, file: file, line: line)
    }

    /// A scalar constant from a Swift integer or literal: int32, as TF1's `tf.constant(3)`, unless `dtype` says otherwise.
    public func constant(_ value: Int, dtype: DType = .int32, name: String? = nil,
                         file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try constant(Tensor(scalar: Double(value), dtype: dtype, file: file, line: line), name: name, file: file, line: line)
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

extension Tensor {
    /// A scalar of a numeric `dtype` holding `value` (integers truncate); bool and uint8 are errors.
    init(scalar value: Double, dtype: DType, file: StaticString, line: UInt) throws {
        switch dtype {
        case .float: self.init(Float(value))
        case .double: self.init(value)
        case .int32 where value.magnitude < 2_147_483_648: self.init(Int32(value))
        case .int64 where value.magnitude < 9.2e18: self.init(Int64(value))
        default:
            throw TensorGraphError.invalidGraph(op: "Const", node: "constant", message: "cannot make a \(dtype) scalar from \(value)",
                                                location: SourceLocation(file: file, line: line))
        }
    }
}
