// Depthwise 2-D convolution kernels (NHWC input [N, H, W, C], filter [KH, KW, C, M], output
// [N, OH, OW, C·M]): output channel c·M + m reads input channel c only. Every loop keeps the channel
// dimension innermost, so the inner loops run over contiguous memory (and vectorize when M = 1, the
// common MobileNet case). Forward and input gradient are gathers split over output/input rows; the
// filter gradient sums per-worker partials in worker order, so results are reproducible run to run.

/// The geometry of one depthwise convolution: TF's window rule applied to the dilated filter extent.
struct DepthwiseGeometry: Equatable {
    /// Sizes, strides and padding, with the kernel size set to the dilated extent `(k - 1)·d + 1`.
    var window: WindowGeometry
    /// Filter taps per dimension (before dilation).
    var kernelHeight, kernelWidth: Int
    /// Distance between taps in the input.
    var dilationY, dilationX: Int
    /// Output channels per input channel (the filter's last dimension).
    var multiplier: Int
    /// The output shape [N, OH, OW, C·M], kept so steady-state runs allocate no shape array.
    let outputShape: [Int]

    init?(input: [Int], kernel: (Int, Int), multiplier: Int, strides: (Int, Int), dilations: (Int, Int), padding: Padding) {
        let limit = 1 << 24
        guard (1...limit).contains(kernel.0), (1...limit).contains(kernel.1), (1...limit).contains(dilations.0),
              (1...limit).contains(dilations.1), (0...limit).contains(multiplier),
              let window = WindowGeometry(input: input, kernel: ((kernel.0 - 1) * dilations.0 + 1, (kernel.1 - 1) * dilations.1 + 1),
                                          strides: strides, padding: padding) else { return nil }
        self.window = window
        (kernelHeight, kernelWidth, dilationY, dilationX, self.multiplier) = (kernel.0, kernel.1, dilations.0, dilations.1, multiplier)
        outputShape = [window.batch, window.outHeight, window.outWidth, window.channels * multiplier]
    }

    /// Output channels: C·M.
    var outChannels: Int { window.channels * multiplier }
    /// Multiply-adds of one pass (for the parallel threshold).
    var work: Int { window.outputPositions * kernelHeight * kernelWidth * outChannels }
}

/// Depthwise convolution forward: input [N, H, W, C] ⊛ filter [KH, KW, C, M] → [N, OH, OW, C·M].
func depthwiseConv2DForward<T: FloatScalar>(_ x: UnsafePointer<T>, _ filter: UnsafePointer<T>, _ g: DepthwiseGeometry,
                                            _ out: UnsafeMutablePointer<T>) {
    Parallelism.forRanges(g.window.batch * g.window.outHeight, work: g.work, DepthwiseForwardRows(x: x, filter: filter, out: out, g: g))
}

/// The input gradient: out_backprop [N, OH, OW, C·M] and filter → [N, H, W, C].
func depthwiseConv2DBackpropInput<T: FloatScalar>(_ dy: UnsafePointer<T>, _ filter: UnsafePointer<T>, _ g: DepthwiseGeometry,
                                                  _ dx: UnsafeMutablePointer<T>) {
    Parallelism.forRanges(g.window.batch * g.window.height, work: g.work, DepthwiseInputGradientRows(dy: dy, filter: filter, dx: dx, g: g))
}

/// The filter gradient: input and out_backprop → [KH, KW, C, M], from per-worker `partials`
/// (`workers × KH·KW·C·M` elements) added in worker order.
func depthwiseConv2DBackpropFilter<T: FloatScalar>(_ x: UnsafePointer<T>, _ dy: UnsafePointer<T>, _ g: DepthwiseGeometry,
                                                   _ dw: UnsafeMutablePointer<T>, partials: WorkerBuffers<T>, workers: Int) {
    let rows = g.window.batch * g.window.outHeight
    let size = g.kernelHeight * g.kernelWidth * g.outChannels
    Parallelism.run(workers: workers, DepthwiseFilterGradientPartials(x: x, dy: dy, partials: partials, g: g, rows: rows, workers: workers))
    let first = partials[0]
    for j in 0..<size { dw[j] = first[j] }
    for w in 1..<Swift.max(workers, 1) {
        let p = partials[w]
        for j in 0..<size { dw[j] += p[j] }
    }
}

/// Workers the filter gradient splits its rows over (one when the layer is small).
func depthwiseFilterGradientWorkers(_ g: DepthwiseGeometry) -> Int {
    g.work >= 1 << 16 ? Swift.max(1, Swift.min(Parallelism.workers, g.window.batch * g.window.outHeight)) : 1
}

/// `acc[j] += a[j]·b[j]` for M = 1, else `acc[c·M + m] += a[c]·b[c·M + m]`.
@inline(__always)
private func multiplyAdd<T: FloatScalar>(_ acc: UnsafeMutablePointer<T>, input a: UnsafePointer<T>, _ b: UnsafePointer<T>, channels: Int, multiplier m: Int) {
    if m == 1 {
        for j in 0..<channels { acc[j] += a[j] * b[j] }
    } else {
        for c in 0..<channels {
            let v = a[c], base = c * m
            for k in 0..<m { acc[base + k] += v * b[base + k] }
        }
    }
}

/// Output rows `n·OH + oy` of the forward pass.
private struct DepthwiseForwardRows<T: FloatScalar>: RangeJob {
    let x: UnsafePointer<T>, filter: UnsafePointer<T>, out: UnsafeMutablePointer<T>, g: DepthwiseGeometry
    func run(_ range: Range<Int>) {
        if T.self == Float.self, g.multiplier == 1 {
            return depthwiseForwardFloat(floats(x), floats(filter), floats(out), g, range)
        }
        let w = g.window, c = w.channels, cm = g.outChannels
        for row in range {
            let n = row / w.outHeight, oy = row % w.outHeight
            for ox in 0..<w.outWidth {
                let o = out + (row * w.outWidth + ox) * cm
                for j in 0..<cm { o[j] = 0 }
                for ky in 0..<g.kernelHeight {
                    let iy = oy * w.strideY + ky * g.dilationY - w.padTop
                    guard iy >= 0, iy < w.height else { continue }
                    for kx in 0..<g.kernelWidth {
                        let ix = ox * w.strideX + kx * g.dilationX - w.padLeft
                        guard ix >= 0, ix < w.width else { continue }
                        multiplyAdd(o, input: x + ((n * w.height + iy) * w.width + ix) * c,
                                    filter + (ky * g.kernelWidth + kx) * cm, channels: c, multiplier: g.multiplier)
                    }
                }
            }
        }
    }
}

/// The taps `k` of one dimension whose input index `o·stride + k·dilation − pad` lies in `0..<size`.
@inline(__always)
private func validTaps(_ o: Int, stride: Int, dilation: Int, pad: Int, size: Int, taps: Int) -> Range<Int> {
    let base = o * stride - pad
    guard base < size else { return 0..<0 }
    let lo = base < 0 ? (dilation - 1 - base) / dilation : 0
    let hi = Swift.min(taps, (size - 1 - base) / dilation + 1)
    return lo..<Swift.max(lo, hi)
}

/// Forward rows for float32 with M = 1 (MobileNet's layers): 8 channels at a time accumulated in a
/// register over every tap and stored once, instead of a load and store of the output per tap (the
/// generic loop above), with the valid taps found once per pixel instead of tested per tap. Same sum
/// order as the generic loop (zero, then taps in row-major order), so the results are identical.
private func depthwiseForwardFloat(_ x: UnsafePointer<Float>, _ filter: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>,
                                   _ g: DepthwiseGeometry, _ range: Range<Int>) {
    let w = g.window, c = w.channels, blocked = c / 8 * 8
    let xr = UnsafeRawPointer(x), fr = UnsafeRawPointer(filter)
    for row in range {
        let n = row / w.outHeight, oy = row % w.outHeight
        let rows = validTaps(oy, stride: w.strideY, dilation: g.dilationY, pad: w.padTop, size: w.height, taps: g.kernelHeight)
        let iy0 = oy * w.strideY - w.padTop
        for ox in 0..<w.outWidth {
            let o = out + (row * w.outWidth + ox) * c
            let columns = validTaps(ox, stride: w.strideX, dilation: g.dilationX, pad: w.padLeft, size: w.width, taps: g.kernelWidth)
            let ix0 = ox * w.strideX - w.padLeft
            var cb = 0
            while cb < blocked {
                var acc = SIMD8<Float>()
                for ky in rows {
                    let xRow = ((n * w.height + iy0 + ky * g.dilationY) * w.width + ix0) * c + cb
                    let fRow = ky * g.kernelWidth * c + cb
                    for kx in columns {
                        let a = xr.loadUnaligned(fromByteOffset: (xRow + kx * g.dilationX * c) * 4, as: SIMD8<Float>.self)
                        let b = fr.loadUnaligned(fromByteOffset: (fRow + kx * c) * 4, as: SIMD8<Float>.self)
                        acc += a * b
                    }
                }
                for i in 0..<8 { o[cb + i] = acc[i] }
                cb += 8
            }
            for j in blocked..<c {
                var acc: Float = 0
                for ky in rows {
                    let xRow = ((n * w.height + iy0 + ky * g.dilationY) * w.width + ix0) * c + j
                    for kx in columns { acc += x[xRow + kx * g.dilationX * c] * filter[(ky * g.kernelWidth + kx) * c + j] }
                }
                o[j] = acc
            }
        }
    }
}

/// Input rows `n·H + iy` of the input gradient, each gathered from the output positions that read it.
private struct DepthwiseInputGradientRows<T: FloatScalar>: RangeJob {
    let dy: UnsafePointer<T>, filter: UnsafePointer<T>, dx: UnsafeMutablePointer<T>, g: DepthwiseGeometry
    func run(_ range: Range<Int>) {
        let w = g.window, c = w.channels, cm = g.outChannels, m = g.multiplier
        for row in range {
            let n = row / w.height, iy = row % w.height
            for ix in 0..<w.width {
                let d = dx + (row * w.width + ix) * c
                for j in 0..<c { d[j] = 0 }
                for ky in 0..<g.kernelHeight {
                    // Output row oy reads iy through tap ky when oy·sy + ky·dy − pad = iy.
                    let ty = iy + w.padTop - ky * g.dilationY
                    guard ty >= 0, ty % w.strideY == 0, ty / w.strideY < w.outHeight else { continue }
                    let oy = ty / w.strideY
                    for kx in 0..<g.kernelWidth {
                        let tx = ix + w.padLeft - kx * g.dilationX
                        guard tx >= 0, tx % w.strideX == 0, tx / w.strideX < w.outWidth else { continue }
                        let grad = dy + ((n * w.outHeight + oy) * w.outWidth + tx / w.strideX) * cm
                        let tap = filter + (ky * g.kernelWidth + kx) * cm
                        if m == 1 {
                            for j in 0..<c { d[j] += grad[j] * tap[j] }
                        } else {
                            for ch in 0..<c {
                                var s = T.zero
                                for k in 0..<m { s += grad[ch * m + k] * tap[ch * m + k] }
                                d[ch] += s
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Worker `w` sums the filter gradient of its contiguous block of output rows into `partials[w]`.
private struct DepthwiseFilterGradientPartials<T: FloatScalar>: WorkerJob {
    let x: UnsafePointer<T>, dy: UnsafePointer<T>, partials: WorkerBuffers<T>, g: DepthwiseGeometry, rows: Int, workers: Int
    func run(worker: Int) {
        let w = g.window, c = w.channels, cm = g.outChannels
        let p = partials[worker]
        for j in 0..<(g.kernelHeight * g.kernelWidth * cm) { p[j] = 0 }
        for row in Parallelism.share(rows, worker: worker, of: workers) {
            let n = row / w.outHeight, oy = row % w.outHeight
            for ox in 0..<w.outWidth {
                let grad = dy + (row * w.outWidth + ox) * cm
                for ky in 0..<g.kernelHeight {
                    let iy = oy * w.strideY + ky * g.dilationY - w.padTop
                    guard iy >= 0, iy < w.height else { continue }
                    for kx in 0..<g.kernelWidth {
                        let ix = ox * w.strideX + kx * g.dilationX - w.padLeft
                        guard ix >= 0, ix < w.width else { continue }
                        multiplyAdd(p + (ky * g.kernelWidth + kx) * cm, input: x + ((n * w.height + iy) * w.width + ix) * c,
                                    grad, channels: c, multiplier: g.multiplier)
                    }
                }
            }
        }
    }
}
