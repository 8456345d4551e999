/// Scaled exponential linear unit, elementwise (TF's `Selu`, `tf.nn.selu`): scale · x for x ≥ 0,
/// scale · α · (eˣ − 1) below, with TF's constants α = 1.6732632423543772848, scale = 1.0507009873554804934.
///
/// Shape: unchanged. selu(1) = 1.0507009873554805, selu(−1) = −1.1113307378125628 (checked against
/// TensorFlow 2.21 in float64).
/// Gradient: `SeluGrad(g, y)` with y the output: g · scale where y ≥ 0, g · (y + scale · α) below.
public enum Selu: UnaryFloatOp {
    public static let wireName = "Selu"
    public static let inputs: [ArgDef] = ["features: T"]
    public static let outputs: [ArgDef] = ["activations: T"]
    /// TF's `scale`.
    public static let scale = 1.0507009873554804934193349852946
    /// TF's `scale · alpha`.
    public static let scaleAlpha = 1.0507009873554804934193349852946 * 1.6732632423543772848170429916717
    /// `x < 0 ? scale · α · (eˣ − 1) : scale · x`.
    @inline(__always) public static func apply<T: FloatScalar>(_ x: T) -> T {
        x < 0 ? T(scaleAlpha) * (T.exp(x) - 1) : T(scale) * x
    }
    public static func gradient(_ ctx: GradientContext) throws -> [Output?] {
        [try ctx.graph.seluGrad(try ctx.grad(), outputs: ctx.output())]
    }
}

/// `SeluGrad(gradients, outputs)`: gradients · (outputs + scale · α) where outputs < 0, else gradients · scale.
///
/// Shape: both inputs and the result have the same shape.
/// Gradient (TF's `_SeluGradGrad`): SeluGrad(g, outputs) for `gradients`; g · gradients where
/// outputs < 0 (else 0) for `outputs`.
public enum SeluGrad: ActivationGradOp {
    public static let wireName = "SeluGrad"
    public static let inputs: [ArgDef] = ["gradients: T", "outputs: T"]
    /// `outputs < 0 ? gradients · (outputs + scale · α) : gradients · scale`.
    @inline(__always) public static func apply<T: FloatScalar>(_ gradients: T, _ outputs: T) -> T {
        outputs < 0 ? gradients * (outputs + T(Selu.scaleAlpha)) : gradients * T(Selu.scale)
    }
    public static func gradient(_ ctx: GradientContext) throws -> [Output?] {
        try negativeSideGradient(ctx) { g, grad, outputs in try g.seluGrad(grad, outputs: outputs) }
    }
}

extension Graph {
    /// Scaled exponential linear unit (TF's `Selu`, `tf.nn.selu`); float32 or float64, same shape.
    public func selu(_ x: Output, name: String? = nil, file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try addOutput(Selu.self, name: name, [x], attrs: [:], file: file, line: line)
    }
    /// Selu's gradient (TF's `SeluGrad`) from the incoming `gradients` and Selu's `outputs`; shapes must match.
    public func seluGrad(_ gradients: Output, outputs: Output, file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try addOutput(SeluGrad.self, [gradients, outputs], attrs: [:], file: file, line: line)
    }
}
