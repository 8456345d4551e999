/// A value the caller feeds at run time (`dtype`, `shape` with unknown dimensions allowed).
public enum Placeholder: NonDifferentiableOp {
    public static let wireName = "Placeholder"
    public static let inputs: [ArgDef] = []
    public static let outputs: [ArgDef] = ["output: dtype"]
    /// The attributes of `Placeholder`, with TensorFlow's names and defaults.
    public struct Attrs: OpAttributes {
        /// TF attribute `dtype`: the element type a fed value must have.
        public var dtype: DType = .float
        /// TF attribute `shape`: the shape a fed value must be compatible with; unknown (the default) accepts any.
        public var shape: TensorShape = .unknown
        public static let defaults = Attrs()
        public static let fields: [AttrField<Attrs>] = [.type("dtype", \.dtype), .shape("shape", \.shape)]
    }

    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] {
        let attrs = ctx.attributes(Placeholder.self)
        return [TensorSpec(attrs.dtype, attrs.shape)]
    }

    public static func compute(_ ctx: KernelContext) throws {
        // Plans feed placeholders directly; reaching here means the feed is missing.
        throw TensorGraphError.missingFeed(placeholder: ctx.node.name)
    }
}

/// Its input unless the caller feeds it: e.g. a `training` switch that defaults to false.
///
/// Gradient: g passes to the default input.
public enum PlaceholderWithDefault: Op {
    public static let wireName = "PlaceholderWithDefault"
    public static let inputs: [ArgDef] = ["input: dtype"]
    public static let outputs: [ArgDef] = ["output: dtype"]
    /// The attributes of `PlaceholderWithDefault`, with TensorFlow's names and defaults.
    public struct Attrs: OpAttributes {
        /// TF attribute `dtype`: the element type of the default input and of any fed value.
        public var dtype: DType = .float
        /// TF attribute `shape` (required): the output's possibly partial shape, which the default input and any
        /// fed value must be compatible with.
        public var shape: TensorShape = .unknown
        public static let defaults = Attrs()
        public static let fields: [AttrField<Attrs>] = [.type("dtype", \.dtype), .shape("shape", \.shape, required: true)]
    }

    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] {
        let shape = ctx.attributes(PlaceholderWithDefault.self).shape
        guard shape.isCompatible(with: ctx.inputs[0].shape) else {
            throw ctx.error("default of shape \(ctx.inputs[0].shape) does not fit shape \(shape)")
        }
        return [TensorSpec(ctx.inputs[0].dtype, shape)]
    }

    public static func compute(_ ctx: KernelContext) throws { ctx.setOutput(0, ctx.input(0)) }

    public static func gradient(_ ctx: GradientContext) throws -> [Output?] { [try ctx.grad()] }
}

extension Graph {
    /// A tensor to be fed at run time; `nil` dimensions accept any size.
    public func placeholder(_ dtype: DType, shape: TensorShape = .unknown, name: String? = nil,
                            file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try addOutput(Placeholder.self, name: name ?? "Placeholder", [], Placeholder.Attrs(dtype: dtype, shape: shape),
                      file: file, line: line)
    }

    /// A placeholder that yields `defaultValue` when not fed.
    public func placeholder(default defaultValue: Output, shape: TensorShape? = nil, name: String? = nil,
                            file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try addOutput(PlaceholderWithDefault.self, name: name ?? "PlaceholderWithDefault", [defaultValue],
                      PlaceholderWithDefault.Attrs(shape: shape ?? defaultValue.shape), file: file, line: line)
    }
}
