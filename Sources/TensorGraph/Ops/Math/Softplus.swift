import Foundation

/// log(1 + eˣ), elementwise, without overflow (TF's `Softplus`, `tf.math.softplus`).
///
/// As TF's kernel: x itself above −t and eˣ below t, with t = log(ε) + 2 (−13.94 for float32, −34.04 for
/// float64), where those equal log(1 + eˣ) to machine precision; log1p(eˣ) between: softplus(1000) = 1000 and
/// softplus(−40) = 4.248354255291589e−18 in float64, as TensorFlow 2.21 gives (its float32 kernel flushes
/// subnormal results such as softplus(−100) to 0; this one keeps them). Shape: unchanged.
/// Gradient: g · sigmoid(x) (TF writes it with `Sigmoid`, not `SoftplusGrad`).
public enum Softplus: UnaryFloatOp {
    public static let wireName = "Softplus"
    public static let inputs: [ArgDef] = ["features: T"]
    public static let outputs: [ArgDef] = ["activations: T"]
    /// TF's cut-off log(ε) + 2 for `T` (computed in `T`, as Eigen does).
    @inline(__always) static func threshold<T: FloatScalar>(_: T.Type) -> T {
        T.self == Float.self ? T(Float(-13.942385)) : T(-34.04365338911715)
    }
    /// `log(1 + eˣ)`: x above −threshold, eˣ below threshold.
    @inline(__always) public static func apply<T: FloatScalar>(_ x: T) -> T {
        let t = threshold(T.self)
        if x > -t { return x }
        let e = T.exp(x)
        return x < t ? e : viaDouble(e, Foundation.log1p)
    }
    public static func gradient(_ ctx: GradientContext) throws -> [Output?] {
        [try ctx.grad() * ctx.graph.sigmoid(ctx.input(0))]
    }
}

/// `SoftplusGrad(gradients, features) = gradients / (1 + e^(−features))`: Softplus's gradient from its input.
///
/// Shape: both inputs and the result have the same shape.
/// Gradient (TF's `_SoftplusGradGrad`): SoftplusGrad(g, features) for `gradients`;
/// g · gradients / (e^(−x) + 2 + eˣ) for `features`.
public enum SoftplusGrad: ActivationGradOp {
    public static let wireName = "SoftplusGrad"
    public static let inputs: [ArgDef] = ["gradients: T", "features: T"]
    /// `gradients / (e^(−features) + 1)`.
    @inline(__always) public static func apply<T: FloatScalar>(_ gradients: T, _ features: T) -> T {
        gradients / (T.exp(-features) + 1)
    }
    public static func gradient(_ ctx: GradientContext) throws -> [Output?] {
        let g = ctx.graph, dy = ctx.input(0), x = ctx.input(1), grad = try ctx.grad()
        let denominator = try g.exp(g.neg(x)) + 2.0 + g.exp(x)
        return [try g.softplusGrad(grad, features: x), try grad * dy / denominator]
    }
}

extension Graph {
    /// log(1 + eˣ) without overflow (TF's `Softplus`, `tf.math.softplus`); float32 or float64, same shape.
    public func softplus(_ x: Output, name: String? = nil, file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try addOutput(Softplus.self, name: name, [x], attrs: [:], file: file, line: line)
    }
    /// Softplus's gradient (TF's `SoftplusGrad`), `gradients / (1 + e^(−features))`; shapes must match.
    public func softplusGrad(_ gradients: Output, features: Output, file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try addOutput(SoftplusGrad.self, [gradients, features], attrs: [:], file: file, line: line)
    }
}
