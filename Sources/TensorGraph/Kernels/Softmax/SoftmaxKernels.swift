/// Row-wise softmax kernels over the last dimension, numerically stabilised by the row maximum.

/// out[r, :] = softmax(x[r, :]) (or log-softmax when `log`).
@inline(__always)
func softmaxRows<T: FloatScalar>(_ x: UnsafePointer<T>, _ out: UnsafeMutablePointer<T>, rows: Int, columns: Int, log: Bool) {
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
