// Per-channel kernels of the fused batch norm ops. Channels are last (NHWC, NDHWC), so x is viewed as
// [rows, C]: statistics are sums down the rows (per-worker partials over contiguous row blocks, added in
// worker order, so results are reproducible) and the outputs are per-channel affine maps of the rows.

/// What `channelSums` adds up per channel.
enum ChannelStatistic {
    /// Σ values.
    case sum
    /// Σ (values − center)².
    case centeredSquares
    /// Σ values into the first result and Σ values·(other − center) into the second (the gradient's two sums,
    /// with values = y_backprop and other = x).
    case gradientSums
}

extension KernelContext {
    /// Per-channel sums over the rows of `values` ([rows, channels]): `first[j]` (and, for `.gradientSums`,
    /// `second[j]`). Uses scratch slot 1 for the workers' partials.
    func channelSums<T: FloatScalar>(_ statistic: ChannelStatistic, _ values: UnsafePointer<T>, other: UnsafePointer<T>? = nil,
                                     center: UnsafePointer<T>? = nil, rows: Int, channels c: Int,
                                     into first: UnsafeMutablePointer<T>, _ second: UnsafeMutablePointer<T>? = nil) throws {
        let workers = rows * c >= 1 << 15 ? Swift.min(Parallelism.workers, Swift.max(rows, 1)) : 1
        let partials = try scratch(T.self, count: workers * 2 * c, slot: 1)
        Parallelism.run(workers: workers, ChannelSumPartials(statistic: statistic, values: values, other: other ?? values,
                                                             center: center ?? values, partials: partials, rows: rows, c: c, workers: workers))
        for j in 0..<c { first[j] = partials[j] }
        for w in 1..<workers { for j in 0..<c { first[j] += partials[w * 2 * c + j] } }
        guard let second else { return }
        for j in 0..<c { second[j] = partials[c + j] }
        for w in 1..<workers { for j in 0..<c { second[j] += partials[w * 2 * c + c + j] } }
    }
}

/// `out[r, j] = u[r, j]·a[j] + d[j]`, or with `v`: `u[r, j]·a[j] + v[r, j]·b[j] + d[j]`, over rows in parallel.
func channelAffine<T: FloatScalar>(_ u: UnsafePointer<T>, _ a: UnsafePointer<T>, plus v: UnsafePointer<T>? = nil, times b: UnsafePointer<T>? = nil,
                                   offset d: UnsafePointer<T>, rows: Int, channels c: Int, into out: UnsafeMutablePointer<T>) {
    Parallelism.forRanges(rows, work: rows * c, minimumWork: 1 << 15, ChannelAffineRows(u: u, a: a, v: v, b: b ?? a, d: d, out: out, c: c))
}

/// Worker `w` sums its contiguous block of rows into its partials `[2c]` at `partials + w·2c`.
private struct ChannelSumPartials<T: FloatScalar>: WorkerJob {
    let statistic: ChannelStatistic
    let values: UnsafePointer<T>, other: UnsafePointer<T>, center: UnsafePointer<T>
    let partials: UnsafeMutablePointer<T>, rows: Int, c: Int, workers: Int
    func run(worker w: Int) {
        let p = partials + w * 2 * c, q = p + c
        for j in 0..<(2 * c) { p[j] = 0 }
        for r in Parallelism.share(rows, worker: w, of: workers) {
            let v = values + r * c
            switch statistic {
            case .sum:
                for j in 0..<c { p[j] += v[j] }
            case .centeredSquares:
                for j in 0..<c { let d = v[j] - center[j]; p[j] += d * d }
            case .gradientSums:
                let x = other + r * c
                for j in 0..<c { p[j] += v[j]; q[j] += v[j] * (x[j] - center[j]) }
            }
        }
    }
}

/// Rows of `channelAffine` (each output element is written after its inputs are read).
private struct ChannelAffineRows<T: FloatScalar>: RangeJob {
    let u: UnsafePointer<T>, a: UnsafePointer<T>, v: UnsafePointer<T>?, b: UnsafePointer<T>, d: UnsafePointer<T>
    let out: UnsafeMutablePointer<T>, c: Int
    func run(_ range: Range<Int>) {
        for r in range {
            let base = r * c
            if let v {
                for j in 0..<c { out[base + j] = u[base + j] * a[j] + v[base + j] * b[j] + d[j] }
            } else {
                for j in 0..<c { out[base + j] = u[base + j] * a[j] + d[j] }
            }
        }
    }
}
