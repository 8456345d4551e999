/// A tensor of shape `dims` filled with the scalar `value`.
///
/// Gradient: none for `dims`; the sum of g for `value`.
public enum Fill: Op {
    public static let wireName = "Fill"
    public static let inputs: [ArgDef] = ["dims: index_type", "value: T"]
    public static let outputs: [ArgDef] = ["output: T"]
    /// The attributes of `Fill`, with TensorFlow's names and defaults.
    public struct Attrs: OpAttributes {
        /// TF attribute `T`: the element type of `value` and the output.
        public var T: DType = .float
        /// TF attribute `index_type`: the dtype of `dims` (int32 or int64; default int32).
        public var indexType: DType = .int32
        public static let defaults = Attrs()
        public static let fields: [AttrField<Attrs>] = [.type("T", \.T), .type("index_type", \.indexType, oneOf: .indices, required: false)]
    }

    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] {
        guard ctx.inputs[1].shape.rank == nil || ctx.inputs[1].shape.rank == 0 else {
            throw ctx.error("value must be a scalar, got shape \(ctx.inputs[1].shape)")
        }
        let dtype = ctx.inputs[1].dtype
        if let dims = ctx.constantInts(0) {
            guard dims.allSatisfy({ $0 >= 0 }) else { throw ctx.error("dims must be non-negative, got \(dims)") }
            return [TensorSpec(dtype, TensorShape(dims))]
        }
        return [TensorSpec(dtype, ctx.shapeFromTensor(0))]
    }

    public static func compute(_ ctx: KernelContext) throws {
        guard let dims = integerValues(ctx.input(0)), dims.allSatisfy({ $0 >= 0 }) else { throw ctx.error("dims must be non-negative integers") }
        let value = ctx.input(1)
        let out = try ctx.allocateOutput(0, value.dtype, dims)
        let size = value.dtype.byteCount
        for i in 0..<out.count { (out.storage.pointer + i * size).copyMemory(from: value.storage.pointer, byteCount: size) }
    }

    public static func gradient(_ ctx: GradientContext) throws -> [Output?] {
        [nil, try ctx.graph.sum(ctx.grad())]
    }
}

/// Zeros with the shape and dtype of the input.
public enum ZerosLike: NonDifferentiableOp {
    public static let wireName = "ZerosLike"
    public static let inputs: [ArgDef] = ["x: T"]
    public static let outputs: [ArgDef] = ["y: T"]
    public typealias Attrs = TypeAttributes<AnyTypes>
    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] { [ctx.inputs[0]] }
    public static func compute(_ ctx: KernelContext) throws {
        let x = ctx.input(0)
        let out = try ctx.allocateOutput(0, x.dtype, x.shape)
        out.storage.pointer.initializeMemory(as: UInt8.self, repeating: 0, count: out.byteCount)
    }
}

/// Ones with the shape and dtype of the input.
public enum OnesLike: NonDifferentiableOp {
    public static let wireName = "OnesLike"
    public static let inputs: [ArgDef] = ["x: T"]
    public static let outputs: [ArgDef] = ["y: T"]
    /// TF allows more types (half, int8, complex, ...); these are all TensorGraph has.
    public typealias Attrs = TypeAttributes<AnyTypes>
    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] { [ctx.inputs[0]] }
    public static func compute(_ ctx: KernelContext) throws {
        let x = ctx.input(0)
        let out = try ctx.allocateOutput(0, x.dtype, x.shape)
        let n = out.count
        switch x.dtype {
        case .float: out.pointer(Float.self).update(repeating: 1, count: n)
        case .double: out.pointer(Double.self).update(repeating: 1, count: n)
        case .int32: out.pointer(Int32.self).update(repeating: 1, count: n)
        case .int64: out.pointer(Int64.self).update(repeating: 1, count: n)
        case .uint8: out.pointer(UInt8.self).update(repeating: 1, count: n)
        case .bool: out.pointer(Bool.self).update(repeating: true, count: n)
        }
    }
}

extension Graph {
    /// A tensor of shape `dims` (an int32 or int64 vector) filled with `value`.
    public func fill(dims: Output, value: Output, name: String? = nil, file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try addOutput(Fill.self, name: name, [dims, value], attrs: [:], file: file, line: line)
    }
    /// Zeros shaped like `x`.
    public func zerosLike(_ x: Output, name: String? = nil, file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try addOutput(ZerosLike.self, name: name, [x], attrs: [:], file: file, line: line)
    }
    /// Ones shaped like `x`.
    public func onesLike(_ x: Output, name: String? = nil, file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try addOutput(OnesLike.self, name: name, [x], attrs: [:], file: file, line: line)
    }
}
