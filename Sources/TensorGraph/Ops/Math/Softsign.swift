/// x / (1 + |x|), elementwise (TF's `Softsign`, `tf.nn.softsign`).
///
/// Shape: unchanged; tends to ±1 at ±inf.
/// Gradient: `SoftsignGrad(g, x)` = g / (1 + |x|)².
public enum Softsign: UnaryFloatOp {
    public static let wireName = "Softsign"
    public static let inputs: [ArgDef] = ["features: T"]
    public static let outputs: [ArgDef] = ["activations: T"]
    /// `x / (1 + |x|)`.
    @inline(__always) public static func apply<T: FloatScalar>(_ x: T) -> T { x / (1 + Swift.abs(x)) }
    public static func gradient(_ ctx: GradientContext) throws -> [Output?] {
        [try ctx.graph.softsignGrad(try ctx.grad(), features: ctx.input(0))]
    }
}

/// `SoftsignGrad(gradients, features) = gradients / (1 + |features|)²`.
///
/// Shape: both inputs and the result have the same shape.
/// No gradient: TensorFlow registers none for SoftsignGrad, so differentiating through it (a second
/// derivative of Softsign) throws, naming the node.
public enum SoftsignGrad: ActivationGradOp {
    public static let wireName = "SoftsignGrad"
    public static let inputs: [ArgDef] = ["gradients: T", "features: T"]
    /// `.missing`, as in TF.
    public static var differentiability: Differentiability { .missing }
    /// `gradients / (1 + |features|)²`.
    @inline(__always) public static func apply<T: FloatScalar>(_ gradients: T, _ features: T) -> T {
        let d = 1 + Swift.abs(features)
        return gradients / (d * d)
    }
}

extension Graph {
    /// x / (1 + |x|) (TF's `Softsign`, `tf.nn.softsign`); float32 or float64, same shape.
    public func softsign(_ x: Output, name: String? = nil, file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try addOutput(Softsign.self, name: name, [x], attrs: [:], file: file, line: line)
    }
    /// Softsign's gradient (TF's `SoftsignGrad`), `gradients / (1 + |features|)²`; shapes must match.
    public func softsignGrad(_ gradients: Output, features: Output, file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try addOutput(SoftsignGrad.self, [gradients, features], attrs: [:], file: file, line: line)
    }
}
