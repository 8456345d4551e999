import CKernels

// Depthwise 2-D convolution kernels (NHWC input [N, H, W, C], filter [KH, KW, C, M], output
// [N, OH, OW, C·M]): output channel c·M + m reads input channel c only. Every loop keeps the channel
// dimension innermost, so the inner loops run over contiguous memory. The float32 forward with M = 1
// (MobileNet's layers) runs the register-blocked C loop (CKernels/depthwise_conv.c, compiled per
// instruction set), with `_FusedDepthwiseConv2dNative`'s bias and activation applied in registers.
// Forward and input gradient are gathers split over output/input rows; the filter gradient sums
// per-worker partials in worker order, so results are reproducible run to run.

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

    /// The geometry as the C kernels take it (M = 1).
    var c: tg_depthwise {
        let w = window
        return tg_depthwise(batch: w.batch, height: w.height, width: w.width, channels: w.channels, kernel_height: kernelHeight,
                            kernel_width: kernelWidth, dilation_y: dilationY, dilation_x: dilationX, stride_y: w.strideY,
                            stride_x: w.strideX, out_height: w.outHeight, out_width: w.outWidth, pad_top: w.padTop, pad_left: w.padLeft)
    }
}

/// Depthwise convolution forward: input [N, H, W, C] ⊛ filter [KH, KW, C, M] → [N, OH, OW, C·M], then, when
/// `bias` [C·M] is given, `activation(y + bias)` applied to each pixel while it is in registers or cache
/// (`_FusedDepthwiseConv2dNative`'s epilogue; the same values as a separate BiasAdd and activation).
func depthwiseConv2DForward<T: FloatScalar>(_ x: UnsafePointer<T>, _ filter: UnsafePointer<T>, _ g: DepthwiseGeometry,
                                            _ out: UnsafeMutablePointer<T>, bias: UnsafePointer<T>? = nil,
                                            activation: FusedActivation = .none) {
    Parallelism.forRanges(g.window.batch * g.window.outHeight, work: g.work,
                          DepthwiseForwardRows(x: x, filter: filter, out: out, g: g, bias: bias, activation: activation))
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

/// Output rows `n·OH + oy` of the forward pass, with the optional bias and activation epilogue.
private struct DepthwiseForwardRows<T: FloatScalar>: RangeJob {
    let x: UnsafePointer<T>, filter: UnsafePointer<T>, out: UnsafeMutablePointer<T>, g: DepthwiseGeometry
    let bias: UnsafePointer<T>?, activation: FusedActivation
    func run(_ range: Range<Int>) {
        if T.self == Float.self, g.multiplier == 1 {
            var geometry = g.c
            let (lower, upper) = activation.bounds
            return tg_depthwise_forward_f32(floats(x), floats(filter), &geometry, range.lowerBound, range.upperBound,
                                            bias.map { floats($0) }, lower, upper, floats(out))
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
                if let bias {
                    for j in 0..<cm { o[j] = activation.apply(o[j] + bias[j]) }
                }
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
