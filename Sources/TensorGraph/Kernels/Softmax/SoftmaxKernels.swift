import CKernels

/// Row-wise softmax kernels over the last dimension, numerically stabilised by the row maximum.

/// out[r, :] = softmax(x[r, :]) (or log-softmax when `log`): float32 through the vectorised C loop
/// (`tg_softmax_rows_f32`), rows split across workers when there are enough; float64 through
/// `softmaxRowsReference`. `out` must not overlap `x`.
@inline(__always)
func softmaxRows<T: FloatScalar>(_ x: UnsafePointer<T>, _ out: UnsafeMutablePointer<T>, rows: Int, columns: Int, log: Bool) {
    guard T.self == Float.self else { return softmaxRowsReference(x, out, rows: rows, columns: columns, log: log) }
    let job = SoftmaxRowsJob(x: UnsafeRawPointer(x).assumingMemoryBound(to: Float.self),
                             out: UnsafeMutableRawPointer(out).assumingMemoryBound(to: Float.self), columns: columns, log: log)
    // About 20 operations per element (the exponential's polynomial); splitting pays from ~2¹⁵ elements.
    Parallelism.forRanges(rows, work: rows * columns, minimumWork: 1 << 15, job)
}

/// A range of rows of a float32 softmax.
struct SoftmaxRowsJob: RangeJob {
    let x: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>
    let columns: Int, log: Bool

    func run(_ range: Range<Int>) {
        let offset = range.lowerBound * columns
        tg_softmax_rows_f32(x + offset, out + offset, range.count, columns, log ? 1 : 0)
    }
}

/// The plain loop: the float64 kernel and the reference the float32 path is tested against.
func softmaxRowsReference<T: FloatScalar>(_ x: UnsafePointer<T>, _ out: UnsafeMutablePointer<T>, rows: Int, columns: Int, log: Bool) {
    for r in 0..<rows {
        let src = x + r * columns, dst = out + r * columns
        var maximum = -T.infinity
        for j in 0..<columns where src[j] > maximum { maximum = src[j] }
        var total: T = 0
        for j in 0..<columns {
            let e = T.exp(src[j] - maximum)
            dst[j] = e
            total += e
        }
        if log {
            let logTotal = T.log(total)
            for j in 0..<columns { dst[j] = src[j] - maximum - logTotal }
        } else {
            let inverse = 1 / total
            for j in 0..<columns { dst[j] *= inverse }
        }
    }
}
