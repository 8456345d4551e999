/// A value the caller feeds at run time (`dtype`, `shape` with unknown dimensions allowed).
public enum Placeholder: NonDifferentiableOp {
    public static let wireName = "Placeholder"

    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] {
        try ctx.checkInputCount(0)
        let shape = (try? ctx.shape("shape")) ?? .unknown
        return [TensorSpec(try ctx.type("dtype"), shape)]
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

    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] {
        try ctx.checkInputCount(1)
        let shape = (try? ctx.shape("shape")) ?? ctx.inputs[0].shape
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
        try addOutput(Placeholder.self, name: name ?? "Placeholder", [], attrs: ["dtype": .type(dtype), "shape": .shape(shape)],
                      file: file, line: line)
    }

    /// A placeholder that yields `defaultValue` when not fed.
    public func placeholder(default defaultValue: Output, shape: TensorShape? = nil, name: String? = nil,
                            file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try addOutput(PlaceholderWithDefault.self, name: name ?? "PlaceholderWithDefault", [defaultValue],
                      attrs: ["dtype": .type(defaultValue.dtype), "shape": .shape(shape ?? defaultValue.shape)],
                      file: file, line: line)
    }
}
