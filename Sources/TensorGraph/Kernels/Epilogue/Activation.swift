/// The activation a fused kernel applies after adding the bias (`fused_ops` of `_FusedConv2D` and
/// `_FusedMatMul`). Each is a clamp, so the C epilogues take it as bounds: relu is [0, ∞), relu6 [0, 6].
/// A new clamp-shaped activation is one case here; others (Elu, Tanh, Sigmoid) need a loop of their own.
enum FusedActivation: String, Sendable, CaseIterable {
    case none = ""
    case relu = "Relu"
    case relu6 = "Relu6"

    /// The op a rewrite rule looks for after the BiasAdd, and the activation it becomes.
    static let byOp: [String: FusedActivation] = ["Relu": .relu, "Relu6": .relu6]

    /// Lower and upper clamp bounds (NaN passes through, as in TF's Relu).
    var bounds: (lower: Float, upper: Float) {
        switch self {
        case .none: return (-.infinity, .infinity)
        case .relu: return (0, .infinity)
        case .relu6: return (0, 6)
        }
    }

    @inline(__always) func apply<T: FloatScalar>(_ v: T) -> T {
        let (lower, upper) = bounds
        return v < T(lower) ? T(lower) : (v > T(upper) ? T(upper) : v)
    }
}
