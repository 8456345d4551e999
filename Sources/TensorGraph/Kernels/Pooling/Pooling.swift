import CKernels
/// Max and average pooling over NHWC windows, forward and backward.
/// SAME padding never reads padded positions: max ignores them, average divides by the valid count (TF semantics).

/// Max pooling; with `argmax`, also records for each output the flat input index of its window's first
/// maximum (so MaxPoolGrad can scatter without searching again). Images are split across workers.
func maxPool<T: FloatScalar>(_ x: UnsafePointer<T>, _ g: WindowGeometry, _ out: UnsafeMutablePointer<T>,
                             argmax: UnsafeMutablePointer<Int32>? = nil) {
    let work = g.batch * g.outHeight * g.outWidth * g.channels * g.kernelHeight * g.kernelWidth
    Parallelism.forRanges(g.batch, work: work, MaxPoolImages(x: x, g: g, out: out, argmax: argmax))
}

private struct MaxPoolImages<T: FloatScalar>: RangeJob {
    let x: UnsafePointer<T>, g: WindowGeometry, out: UnsafeMutablePointer<T>, argmax: UnsafeMutablePointer<Int32>?
    func run(_ images: Range<Int>) {
        if T.self == Float.self, g.tilesByTwo {
            // float32 2×2/2 pooling runs the vectorized C loop (same comparisons, same argmax).
            return tg_maxpool_2x2_f32(floats(x), images.lowerBound, images.upperBound, g.height, g.width, g.channels, floats(out), argmax, 0)
        }
        for n in images { maxPoolImage(x, g, out, argmax: argmax, n) }
    }
}

extension WindowGeometry {
    /// 2×2 windows with stride 2 that tile the input exactly (even height and width, no padding).
    var tilesByTwo: Bool {
        kernelHeight == 2 && kernelWidth == 2 && strideY == 2 && strideX == 2 && padTop == 0 && padLeft == 0
            && height == 2 * outHeight && width == 2 * outWidth
    }
}

@inline(__always)
private func maxPoolImage<T: FloatScalar>(_ x: UnsafePointer<T>, _ g: WindowGeometry, _ out: UnsafeMutablePointer<T>,
                                          argmax: UnsafeMutablePointer<Int32>?, _ n: Int) {
    let c = g.channels
    if let argmax, g.kernelHeight == 2, g.kernelWidth == 2, g.strideY == 2, g.strideX == 2, g.padTop == 0, g.padLeft == 0,
       2 * g.outHeight <= g.height, 2 * g.outWidth <= g.width {
        // The common 2×2/2 pool: four input pixels per output, compared channel-wise without branches.
        let base = n * g.height * g.width * c
        for oy in 0..<g.outHeight {
            for ox in 0..<g.outWidth {
                let o = ((n * g.outHeight + oy) * g.outWidth + ox) * c
                let i00 = base + ((2 * oy) * g.width + 2 * ox) * c, i01 = i00 + c
                let i10 = i00 + g.width * c, i11 = i10 + c
                let dst = out + o, index = argmax + o
                for j in 0..<c {
                    let v00 = x[i00 + j], v01 = x[i01 + j], v10 = x[i10 + j], v11 = x[i11 + j]
                    // Scan order (0,0), (0,1), (1,0), (1,1); a later pixel wins only when strictly larger.
                    var best = v00, at = i00 + j
                    if v01 > best { best = v01; at = i01 + j }
                    if v10 > best { best = v10; at = i10 + j }
                    if v11 > best { best = v11; at = i11 + j }
                    dst[j] = best
                    index[j] = Int32(truncatingIfNeeded: at)
                }
            }
        }
        return
    }
    if let argmax {
        let base = n * g.height * g.width * c
        for oy in 0..<g.outHeight {
            for ox in 0..<g.outWidth {
                let o = ((n * g.outHeight + oy) * g.outWidth + ox) * c
                let dst = out + o, index = argmax + o
                for j in 0..<c { dst[j] = -T.infinity; index[j] = -1 }
                for ky in 0..<g.kernelHeight {
                    let iy = oy * g.strideY + ky - g.padTop
                    guard iy >= 0 && iy < g.height else { continue }
                    for kx in 0..<g.kernelWidth {
                        let ix = ox * g.strideX + kx - g.padLeft
                        guard ix >= 0 && ix < g.width else { continue }
                        let i = base + (iy * g.width + ix) * c
                        let src = x + i
                        // Branch-free: the first window position always wins, later ones only when strictly larger.
                        for j in 0..<c {
                            let take = src[j] > dst[j] || index[j] < 0
                            dst[j] = take ? src[j] : dst[j]
                            index[j] = take ? Int32(i + j) : index[j]
                        }
                    }
                }
            }
        }
        return
    }
    do {
        let image = x + n * g.height * g.width * c
        for oy in 0..<g.outHeight {
            for ox in 0..<g.outWidth {
                let dst = out + ((n * g.outHeight + oy) * g.outWidth + ox) * c
                dst.update(repeating: -T.infinity, count: c)
                for ky in 0..<g.kernelHeight {
                    let iy = oy * g.strideY + ky - g.padTop
                    guard iy >= 0 && iy < g.height else { continue }
                    for kx in 0..<g.kernelWidth {
                        let ix = ox * g.strideX + kx - g.padLeft
                        guard ix >= 0 && ix < g.width else { continue }
                        let src = image + (iy * g.width + ix) * c
                        for j in 0..<c { dst[j] = src[j] > dst[j] ? src[j] : dst[j] }
                    }
                }
            }
        }
    }
}

private struct MaxPoolGradScatter<T: FloatScalar>: RangeJob {
    let grad: UnsafePointer<T>, argmax: UnsafePointer<Int32>, dx: UnsafeMutablePointer<T>, perImageIn: Int, perImageOut: Int
    func run(_ images: Range<Int>) {
        (dx + images.lowerBound * perImageIn).update(repeating: 0, count: images.count * perImageIn)
        for o in (images.lowerBound * perImageOut)..<(images.upperBound * perImageOut) where argmax[o] >= 0 {
            dx[Int(argmax[o])] += grad[o]
        }
    }
}

/// MaxPoolGrad from recorded argmax indices: dx = 0, then dx[argmax[o]] += grad[o].
func maxPoolGradScatter<T: FloatScalar>(_ grad: UnsafePointer<T>, _ argmax: UnsafePointer<Int32>, _ g: WindowGeometry,
                                        _ dx: UnsafeMutablePointer<T>) {
    let perImageIn = g.height * g.width * g.channels, perImageOut = g.outHeight * g.outWidth * g.channels
    Parallelism.forRanges(g.batch, work: g.batch * perImageIn, MaxPoolGradScatter(grad: grad, argmax: argmax, dx: dx, perImageIn: perImageIn, perImageOut: perImageOut))
}

/// Routes each output gradient to the first input position (in window scan order) that holds the
/// window's maximum, found by comparing the input with the pooled output channel-contiguously.
func maxPoolGrad<T: FloatScalar>(_ x: UnsafePointer<T>, _ pooled: UnsafePointer<T>, _ g: WindowGeometry, _ grad: UnsafePointer<T>,
                                 _ dx: UnsafeMutablePointer<T>, assigned: UnsafeMutablePointer<Bool>) {
    let c = g.channels
    dx.update(repeating: 0, count: g.batch * g.height * g.width * c)
    for n in 0..<g.batch {
        let base = n * g.height * g.width * c
        for oy in 0..<g.outHeight {
            for ox in 0..<g.outWidth {
                let o = ((n * g.outHeight + oy) * g.outWidth + ox) * c
                let y = pooled + o, gy = grad + o
                assigned.update(repeating: false, count: c)
                for ky in 0..<g.kernelHeight {
                    let iy = oy * g.strideY + ky - g.padTop
                    guard iy >= 0 && iy < g.height else { continue }
                    for kx in 0..<g.kernelWidth {
                        let ix = ox * g.strideX + kx - g.padLeft
                        guard ix >= 0 && ix < g.width else { continue }
                        let i = base + (iy * g.width + ix) * c
                        let src = x + i, dst = dx + i
                        // Branch-free so the channel loop vectorizes.
                        for j in 0..<c {
                            let hit = !assigned[j] && src[j] == y[j]
                            dst[j] += hit ? gy[j] : 0
                            assigned[j] = assigned[j] || hit
                        }
                    }
                }
            }
        }
    }
}

/// The number of real (unpadded) input positions in the window at (oy, ox).
@inline(__always)
func validWindowCount(_ g: WindowGeometry, _ oy: Int, _ ox: Int) -> Int {
    let y0 = Swift.max(oy * g.strideY - g.padTop, 0), y1 = Swift.min(oy * g.strideY - g.padTop + g.kernelHeight, g.height)
    let x0 = Swift.max(ox * g.strideX - g.padLeft, 0), x1 = Swift.min(ox * g.strideX - g.padLeft + g.kernelWidth, g.width)
    return Swift.max(y1 - y0, 0) * Swift.max(x1 - x0, 0)
}

/// Average pooling (`backward == false`) or its gradient (`backward == true`: spreads `src` windows into `dst`).
func avgPool<T: FloatScalar>(_ src: UnsafePointer<T>, _ g: WindowGeometry, _ dst: UnsafeMutablePointer<T>, backward: Bool) {
    let c = g.channels
    if backward { dst.update(repeating: 0, count: g.batch * g.height * g.width * c) }
    for n in 0..<g.batch {
        let imageOffset = n * g.height * g.width * c
        for oy in 0..<g.outHeight {
            for ox in 0..<g.outWidth {
                let o = ((n * g.outHeight + oy) * g.outWidth + ox) * c
                let scale = 1 / T(Swift.max(validWindowCount(g, oy, ox), 1))
                if !backward { (dst + o).update(repeating: 0, count: c) }
                for ky in 0..<g.kernelHeight {
                    let iy = oy * g.strideY + ky - g.padTop
                    guard iy >= 0 && iy < g.height else { continue }
                    for kx in 0..<g.kernelWidth {
                        let ix = ox * g.strideX + kx - g.padLeft
                        guard ix >= 0 && ix < g.width else { continue }
                        let i = imageOffset + (iy * g.width + ix) * c
                        if backward {
                            for j in 0..<c { dst[i + j] += src[o + j] * scale }
                        } else {
                            for j in 0..<c { dst[o + j] += src[i + j] * scale }
                        }
                    }
                }
            }
        }
    }
}
