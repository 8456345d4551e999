import CKernels

/// Adds the bias (and applies relu) to rows of `f` outputs: the epilogue of a plan-fused Conv2D or MatMul + BiasAdd (+ Relu).
struct BiasActivationRows<T: FloatScalar>: RangeJob {
    let out: UnsafeMutablePointer<T>, bias: UnsafePointer<T>?, f: Int, relu: Bool

    func run(_ rows: Range<Int>) { apply(out + rows.lowerBound * f, rows.count) }

    func apply(_ rows: UnsafeMutablePointer<T>, _ count: Int) {
        guard let bias else { return }
        if T.self == Float.self {
            return tg_bias_activation_f32(floats(rows), count, f, floats(bias), relu ? 1 : 0)
        }
        for r in 0..<count {
            let row = rows + r * f
            if relu {
                for j in 0..<f { let v = row[j] + bias[j]; row[j] = v > 0 ? v : 0 }
            } else {
                for j in 0..<f { row[j] += bias[j] }
            }
        }
    }
}
