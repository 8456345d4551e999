/// Rectified linear unit max(x, 0), elementwise.
///
/// Gradient: `ReluGrad(g, y)`: g where the output is positive, else 0 (at exactly 0 the gradient is 0, as in TF).
public enum Relu: UnaryFloatOp {
    public static let wireName = "Relu"
    public static let inputs: [ArgDef] = ["features: T"]
    public static let outputs: [ArgDef] = ["activations: T"]
    /// `max(x, 0)`; NaN stays NaN, as TensorFlow's Relu (and the fused `_FusedConv2D`/`_FusedMatMul` Relu) give it,
    /// so a plan that fuses the Relu and one that does not agree.
    @inline(__always) public static func apply<T: FloatScalar>(_ x: T) -> T { x < 0 ? 0 : x }
    public static func gradient(_ ctx: GradientContext) throws -> [Output?] {
        [try ctx.graph.reluGrad(try ctx.grad(), features: ctx.output())]
    }
}

/// `ReluGrad(gradients, features)`: gradients where features > 0, else 0. Note TF's input order.
///
/// Gradient: ReluGrad(g, features) for `gradients`; none for `features` (piecewise constant).
public enum ReluGrad: ActivationGradOp {
    public static let wireName = "ReluGrad"
    public static let inputs: [ArgDef] = ["gradients: T", "features: T"]
    public static let outputs: [ArgDef] = ["backprops: T"]
    /// `gradients` where `features` > 0, else 0.
    @inline(__always) public static func apply<T: FloatScalar>(_ gradients: T, _ features: T) -> T { features > 0 ? gradients : 0 }
    public static func gradient(_ ctx: GradientContext) throws -> [Output?] {
        [try ctx.graph.reluGrad(try ctx.grad(), features: ctx.input(1)), try ctx.graph.zerosLike(ctx.input(1))]
    }
}

extension Graph {
    /// Elementwise max(x, 0).
    public func relu(_ x: Output, name: String? = nil, file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try addOutput(Relu.self, name: name, [x], attrs: [:], file: file, line: line)
    }
    /// `gradients` where `features` > 0.
    public func reluGrad(_ gradients: Output, features: Output, file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try addOutput(ReluGrad.self, [gradients, features], attrs: [:], file: file, line: line)
    }
}
