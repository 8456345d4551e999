/// Leaky rectified linear unit, elementwise (TF's `LeakyRelu`, `tf.nn.leaky_relu`): x for x > 0, α · x otherwise.
///
/// Shape: unchanged. `alpha` defaults to 0.2 as in TF (`leaky_relu([-1, 2])` is `[-0.2, 2]` in TensorFlow
/// 2.21) and may be any float, also above 1 or negative (a comparison, not `max(x, αx)`, as TF's kernel).
/// Gradient: `LeakyReluGrad(g, x)` with the same `alpha`: g where x > 0, α · g otherwise.
public enum LeakyRelu: FloatKernelOp {
    public static let wireName = "LeakyRelu"
    public static let inputs: [ArgDef] = ["features: T"]
    public static let outputs: [ArgDef] = ["activations: T"]
    /// True: element k of the output reads only element k of the input, so it may reuse the input's buffer.
    public static var writesElementwise: Bool { true }
    /// `alpha` (default 0.2) and `T`.
    public typealias Attrs = LeakyReluAttributes

    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] { [ctx.inputs[0]] }

    public static func compute<T: FloatScalar>(_ ctx: KernelContext, as _: T.Type) throws {
        let x = ctx.input(0), alpha = T(ctx.attributes(LeakyRelu.self).alpha)
        let out = try ctx.allocateOutput(0, x.dtype, x.shape)
        let job = LeakyReluJob(gradients: nil, features: x.pointer(T.self), out: out.pointer(T.self), alpha: alpha)
        Parallelism.forRanges(x.count, work: x.count, minimumWork: 1 << 15, job)
    }

    public static func gradient(_ ctx: GradientContext) throws -> [Output?] {
        let alpha = ctx.attributes(LeakyRelu.self).alpha
        return [try ctx.graph.leakyReluGrad(try ctx.grad(), features: ctx.input(0), alpha: Double(alpha))]
    }
}

/// `LeakyReluGrad(gradients, features)`: gradients where features > 0, α · gradients otherwise.
///
/// Shape: both inputs and the result have the same shape.
/// Gradient (TF's `_LeakyReluGradGrad`): LeakyReluGrad(g, features) for `gradients`; zeros for `features`.
public enum LeakyReluGrad: FloatKernelOp {
    public static let wireName = "LeakyReluGrad"
    public static let inputs: [ArgDef] = ["gradients: T", "features: T"]
    public static let outputs: [ArgDef] = ["backprops: T"]
    /// True: both inputs have the output's shape and element k reads only element k of each.
    public static var writesElementwise: Bool { true }
    /// `alpha` (default 0.2) and `T`, as LeakyRelu's.
    public typealias Attrs = LeakyReluAttributes

    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] {
        let a = ctx.inputs[0], b = ctx.inputs[1]
        guard a.shape.isCompatible(with: b.shape) else { throw ctx.error("shapes \(a.shape) and \(b.shape) must match") }
        return [TensorSpec(a.dtype, a.shape.merged(with: b.shape))]
    }

    public static func compute<T: FloatScalar>(_ ctx: KernelContext, as _: T.Type) throws {
        let gradients = ctx.input(0), features = ctx.input(1), alpha = T(ctx.attributes(LeakyReluGrad.self).alpha)
        guard gradients.shape == features.shape else {
            throw ctx.error("shapes \(gradients.shape) and \(features.shape) must match")
        }
        let out = try ctx.allocateOutput(0, gradients.dtype, gradients.shape)
        let job = LeakyReluJob(gradients: gradients.pointer(T.self), features: features.pointer(T.self), out: out.pointer(T.self), alpha: alpha)
        Parallelism.forRanges(out.count, work: out.count, minimumWork: 1 << 15, job)
    }

    public static func gradient(_ ctx: GradientContext) throws -> [Output?] {
        let alpha = ctx.attributes(LeakyReluGrad.self).alpha, features = ctx.input(1)
        return [try ctx.graph.leakyReluGrad(try ctx.grad(), features: features, alpha: Double(alpha)),
                try ctx.graph.zerosLike(features)]
    }
}

/// A range of LeakyRelu (`gradients` nil: the features themselves) or LeakyReluGrad, for the workers.
struct LeakyReluJob<T: FloatScalar>: RangeJob {
    let gradients: UnsafePointer<T>?, features: UnsafePointer<T>, out: UnsafeMutablePointer<T>, alpha: T

    func run(_ range: Range<Int>) {
        if let gradients {
            for i in range { out[i] = features[i] > 0 ? gradients[i] : gradients[i] * alpha }
        } else {
            for i in range { out[i] = features[i] > 0 ? features[i] : features[i] * alpha }
        }
    }
}

/// The attributes of `LeakyRelu` and `LeakyReluGrad`, with TF's names and defaults.
public struct LeakyReluAttributes: OpAttributes {
    /// TF attribute `alpha`: the slope below 0 (default 0.2).
    public var alpha: Float = 0.2
    /// TF attribute `T`: the element type (float or double here; TF's default is float).
    public var T: DType = .float
    public static let defaults = LeakyReluAttributes()
    public static let fields: [AttrField<LeakyReluAttributes>] = [
        .float("alpha", \.alpha), .type("T", \.T, oneOf: .floats, required: false),
    ]
}

extension Graph {
    /// Leaky ReLU (TF's `LeakyRelu`, `tf.nn.leaky_relu`): x for x > 0, `alpha` · x otherwise (default 0.2).
    public func leakyRelu(_ x: Output, alpha: Double = 0.2, name: String? = nil,
                          file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try addOutput(LeakyRelu.self, name: name, [x], LeakyReluAttributes(alpha: Float(alpha)), file: file, line: line)
    }
    /// LeakyRelu's gradient (TF's `LeakyReluGrad`): `gradients` where `features` > 0, `alpha` · `gradients` otherwise.
    public func leakyReluGrad(_ gradients: Output, features: Output, alpha: Double = 0.2,
                              file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try addOutput(LeakyReluGrad.self, [gradients, features], LeakyReluAttributes(alpha: Float(alpha)), file: file, line: line)
    }
}
