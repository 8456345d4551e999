/// Passes a list of tensors through unchanged (TF's `IdentityN`, `tf.identity_n`): inputs of the types
/// listed in `T` → the same tensors, sharing storage. TF uses it to override the gradients of several
/// tensors at once (`tf.custom_gradient`).
///
/// Gradient (as TF's `_IdentityNGrad`): each output's gradient passes to its input.
public enum IdentityN: Op {
    public static let wireName = "IdentityN"
    public static let inputs: [ArgDef] = ["input: T"]
    public static let outputs: [ArgDef] = ["output: T"]
    /// The attributes of `IdentityN`, with TensorFlow's names and defaults.
    public struct Attrs: OpAttributes {
        /// TF attribute `T`: the dtypes of the inputs (and outputs), a `list(type)` of at least one entry.
        public var T: [DType] = []
        public static let defaults = Attrs()
        public static let fields: [AttrField<Attrs>] = [.types("T", \.T, required: true)]

        public func validate() throws(AttributeError) {
            guard !T.isEmpty else { throw AttributeError("T", "must list at least one type") }
        }
    }

    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] { ctx.inputs }

    public static func compute(_ ctx: KernelContext) throws {
        for i in 0..<ctx.inputCount { ctx.setOutput(i, ctx.input(i)) }
    }

    public static func gradient(_ ctx: GradientContext) throws -> [Output?] {
        ctx.node.outputs.indices.map { ctx.gradIfPresent($0) }
    }
}

extension Graph {
    /// `values` passed through one `IdentityN` node (TF's `tf.identity_n`).
    public func identityN(_ values: [Output], name: String? = nil, file: StaticString = #fileID, line: UInt = #line) throws -> [Output] {
        guard !values.isEmpty else { throw TensorGraphError.invalidArgument("identityN needs at least one value") }
        let node = try addNode(IdentityN.self, name: name, inputs: values, attrs: [:], location: SourceLocation(file: file, line: line))
        return node.outputs.indices.map { Output(graph: self, node: node, index: $0) }
    }
}
