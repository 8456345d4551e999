/// Passes its input through unchanged and fails the run when it holds a NaN or ±Inf
/// (`tf.debugging.check_numerics`).
///
/// `[...] → [...]`: the same tensor, sharing storage (no copy). A non-finite element throws a
/// `NumericsError` naming this node, where it was built, `message`, the kind of the first bad
/// element (NaN, Inf, -Inf) and its flat index. Float and double only (TF also allows half and bfloat16).
///
/// Gradient: the incoming gradient, checked again (TF's `_CheckNumericsGrad`), with the message
/// "Not a number (NaN) or infinity (Inf) values detected in gradient. <message>".
public enum CheckNumerics: Op {
    public static let wireName = "CheckNumerics"
    public static let inputs: [ArgDef] = ["tensor: T"]
    public static let outputs: [ArgDef] = ["output: T"]

    /// The attributes of `CheckNumerics`, with TensorFlow's names and defaults.
    public struct Attrs: OpAttributes {
        /// TF attribute `T`: the element type (float or double here).
        public var T: DType = .float
        /// Said in the error (TF gives no default: every node carries one).
        public var message = ""
        public static let defaults = Attrs()
        public static let fields: [AttrField<Attrs>] = [
            .type("T", \.T, oneOf: .floats), .string("message", \.message, required: true),
        ]
    }

    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] { [ctx.inputs[0]] }

    public static func compute(_ ctx: KernelContext) throws {
        let x = ctx.input(0)
        if let found = firstNonFinite(x) {
            throw NumericsError(node: ctx.node, message: ctx.attributes(CheckNumerics.self).message, output: 0, value: x, found: found)
        }
        ctx.setOutput(0, x)
    }

    public static func gradient(_ ctx: GradientContext) throws -> [Output?] {
        let message = "Not a number (NaN) or infinity (Inf) values detected in gradient. " + ctx.attributes(CheckNumerics.self).message
        // Located where the forward check was built, so a failing gradient points at the user's line.
        let node = try ctx.graph.addNode(CheckNumerics.self, inputs: [try ctx.grad()],
                                         attrs: CheckNumerics.builderAttributes(Attrs(message: message)), location: ctx.node.location)
        return [Output(graph: ctx.graph, node: node, index: 0)]
    }
}

extension Graph {
    /// `x` unchanged; a run that computes a NaN or ±Inf in it throws a `NumericsError` naming this
    /// node, this line, `message`, the kind and the first bad flat index.
    public func checkNumerics(_ x: Output, message: String, name: String? = nil,
                              file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try addOutput(CheckNumerics.self, name: name, [x], CheckNumerics.Attrs(message: message), file: file, line: line)
    }
}
