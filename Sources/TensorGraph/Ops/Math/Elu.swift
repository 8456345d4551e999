/// Exponential linear unit, elementwise (TF's `Elu`, `tf.nn.elu`): x for x ≥ 0, eˣ − 1 below.
///
/// Shape: unchanged. Computed as TF's kernel does, `exp(x) − 1` (not `expm1`).
/// Gradient: `EluGrad(g, y)` with y the output: g where y ≥ 0, g · (y + 1) below.
public enum Elu: UnaryFloatOp {
    public static let wireName = "Elu"
    public static let inputs: [ArgDef] = ["features: T"]
    public static let outputs: [ArgDef] = ["activations: T"]
    /// `x < 0 ? eˣ − 1 : x`.
    @inline(__always) public static func apply<T: FloatScalar>(_ x: T) -> T { x < 0 ? T.exp(x) - 1 : x }
    public static func gradient(_ ctx: GradientContext) throws -> [Output?] {
        [try ctx.graph.eluGrad(try ctx.grad(), outputs: ctx.output())]
    }
}

/// `EluGrad(gradients, outputs)`: gradients · (outputs + 1) where outputs < 0, else gradients.
///
/// Shape: both inputs and the result have the same shape.
/// Gradient (TF's `_EluGradGrad`): EluGrad(g, outputs) for `gradients`; g · gradients where
/// outputs < 0 (else 0) for `outputs`.
public enum EluGrad: ActivationGradOp {
    public static let wireName = "EluGrad"
    public static let inputs: [ArgDef] = ["gradients: T", "outputs: T"]
    /// `outputs < 0 ? gradients · (outputs + 1) : gradients`.
    @inline(__always) public static func apply<T: FloatScalar>(_ gradients: T, _ outputs: T) -> T {
        outputs < 0 ? gradients * (outputs + 1) : gradients
    }
    public static func gradient(_ ctx: GradientContext) throws -> [Output?] {
        try negativeSideGradient(ctx) { g, grad, outputs in try g.eluGrad(grad, outputs: outputs) }
    }
}

/// The gradient of EluGrad and SeluGrad (`(gradients, outputs)` ops whose slope in `outputs` is 1 below 0 and 0
/// above): `[rule(g, outputs), g · gradients where outputs < 0 else 0]`, written with `Select` as TF does.
func negativeSideGradient(_ ctx: GradientContext, _ rule: (Graph, Output, Output) throws -> Output) throws -> [Output?] {
    let g = ctx.graph, gradients = ctx.input(0), outputs = ctx.input(1), grad = try ctx.grad()
    let negative = try g.less(outputs, g.constant(0.0, like: outputs))
    return [try rule(g, grad, outputs), try g.select(negative, grad * gradients, g.zerosLike(outputs))]
}

extension Graph {
    /// Exponential linear unit (TF's `Elu`, `tf.nn.elu`): x for x ≥ 0, eˣ − 1 below; float32 or float64.
    public func elu(_ x: Output, name: String? = nil, file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try addOutput(Elu.self, name: name, [x], attrs: [:], file: file, line: line)
    }
    /// Elu's gradient (TF's `EluGrad`) from the incoming `gradients` and Elu's `outputs`; shapes must match.
    public func eluGrad(_ gradients: Output, outputs: Output, file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try addOutput(EluGrad.self, [gradients, outputs], attrs: [:], file: file, line: line)
    }
}
