import CKernels

/// Adds the bias and applies the fused activation to rows of `f` outputs: the epilogue of `_FusedConv2D`
/// (GEMM path) and `_FusedMatMul`.
struct BiasActivationRows<T: FloatScalar>: RangeJob {
    let out: UnsafeMutablePointer<T>, bias: UnsafePointer<T>?, f: Int, activation: FusedActivation

    func run(_ rows: Range<Int>) { apply(out + rows.lowerBound * f, rows.count) }

    func apply(_ rows: UnsafeMutablePointer<T>, _ count: Int) {
        guard let bias else { return }
        if T.self == Float.self {
            let (lower, upper) = activation.bounds
            return tg_bias_activation_f32(floats(rows), count, f, floats(bias), lower, upper)
        }
        for r in 0..<count {
            let row = rows + r * f
            for j in 0..<f { row[j] = activation.apply(row[j] + bias[j]) }
        }
    }
}
