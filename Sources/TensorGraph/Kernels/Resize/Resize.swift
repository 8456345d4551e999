// Image resizing kernels (NHWC), with TensorFlow's coordinate rules. Source coordinates are computed in
// float32, as TF's CPU kernels compute them, so the same source pixels and weights are chosen at the
// boundaries (`align_corners`, `half_pixel_centers`); the per-axis tables are built once per shape.

/// TF's `CalculateResizeScale`: input pixels per output pixel along one axis.
func resizeScale(input: Int, output: Int, alignCorners: Bool) -> Float {
    alignCorners && output > 1 ? Float(input - 1) / Float(output - 1) : Float(input) / Float(output)
}

/// The source pixel nearest-neighbor resizing reads for output index `i` (TF's `ResizeNearestNeighbor`):
/// ⌊i·scale⌋, or round(i·scale) (halves away from zero) with `align_corners`, or ⌊(i + ½)·scale⌋ with
/// `half_pixel_centers`; clamped to the input.
func nearestSource(_ i: Int, scale: Float, input: Int, alignCorners: Bool, halfPixelCenters: Bool) -> Int {
    let position = halfPixelCenters ? (Float(i) + 0.5) * scale : Float(i) * scale
    let index = Swift.min(Int(alignCorners ? position.rounded() : position.rounded(.down)), input - 1)
    return halfPixelCenters ? Swift.max(0, index) : index
}

/// The two source pixels bilinear resizing blends for one output index, and the weight of the second.
struct ResizeLerp: Equatable {
    var lower: Int, upper: Int
    var lerp: Float
}

/// TF's bilinear source position for output index `i`: i·scale, or (i + ½)·scale − ½ with `half_pixel_centers`;
/// the neighbours are ⌊·⌋ and ⌈·⌉ clamped to the input, weighted by the fractional part.
func bilinearSource(_ i: Int, scale: Float, input: Int, halfPixelCenters: Bool) -> ResizeLerp {
    let position = halfPixelCenters ? (Float(i) + 0.5) * scale - 0.5 : Float(i) * scale
    let floor = position.rounded(.down)
    return ResizeLerp(lower: Swift.max(Int(floor), 0), upper: Swift.min(Int(position.rounded(.up)), input - 1), lerp: position - floor)
}

/// Sizes of one resize: images [N, H, W, C] → [N, OH, OW, C].
struct ResizeShape: Equatable {
    let batch, inHeight, inWidth, outHeight, outWidth, channels: Int
    /// [N, H, W, C] and [N, OH, OW, C], kept so steady-state runs allocate no shape arrays.
    let inputShape: [Int], outputShape: [Int]

    init(batch: Int, inHeight: Int, inWidth: Int, outHeight: Int, outWidth: Int, channels: Int) {
        (self.batch, self.inHeight, self.inWidth, self.outHeight, self.outWidth, self.channels) = (batch, inHeight, inWidth, outHeight, outWidth, channels)
        inputShape = [batch, inHeight, inWidth, channels]
        outputShape = [batch, outHeight, outWidth, channels]
    }
}

/// Nearest-neighbor tables: the source row and column of each output row and column, and (for the
/// gradient's gather) the first output row/column reading each source row/column. The tables are
/// non-decreasing, so each source row's readers are one contiguous range.
struct NearestResizePlan {
    let shape: ResizeShape
    let rows: [Int], columns: [Int]
    let rowStarts: [Int], columnStarts: [Int]

    init(_ shape: ResizeShape, alignCorners: Bool, halfPixelCenters: Bool) {
        self.shape = shape
        let sy = resizeScale(input: shape.inHeight, output: shape.outHeight, alignCorners: alignCorners)
        let sx = resizeScale(input: shape.inWidth, output: shape.outWidth, alignCorners: alignCorners)
        rows = (0..<shape.outHeight).map { nearestSource($0, scale: sy, input: shape.inHeight, alignCorners: alignCorners, halfPixelCenters: halfPixelCenters) }
        columns = (0..<shape.outWidth).map { nearestSource($0, scale: sx, input: shape.inWidth, alignCorners: alignCorners, halfPixelCenters: halfPixelCenters) }
        // starts[s] = the first output index whose source is at least s (the table is non-decreasing).
        func starts(_ table: [Int], _ n: Int) -> [Int] {
            var result = [Int](repeating: table.count, count: n + 1)
            var next = 0
            for (k, source) in table.enumerated() where source >= next {
                for s in next...source { result[s] = k }
                next = source + 1
            }
            return result
        }
        rowStarts = starts(rows, shape.inHeight)
        columnStarts = starts(columns, shape.inWidth)
    }
}

/// Bilinear tables: the two source rows/columns and the weight of each output row/column.
struct BilinearResizePlan {
    let shape: ResizeShape
    let rows: [ResizeLerp], columns: [ResizeLerp]

    init(_ shape: ResizeShape, alignCorners: Bool, halfPixelCenters: Bool) {
        self.shape = shape
        let sy = resizeScale(input: shape.inHeight, output: shape.outHeight, alignCorners: alignCorners)
        let sx = resizeScale(input: shape.inWidth, output: shape.outWidth, alignCorners: alignCorners)
        rows = (0..<shape.outHeight).map { bilinearSource($0, scale: sy, input: shape.inHeight, halfPixelCenters: halfPixelCenters) }
        columns = (0..<shape.outWidth).map { bilinearSource($0, scale: sx, input: shape.inWidth, halfPixelCenters: halfPixelCenters) }
    }
}

/// Nearest-neighbor resize of any element type: copies each output pixel's C elements from its source pixel.
func resizeNearest(_ src: UnsafeRawPointer, _ plan: NearestResizePlan, elementBytes: Int, _ dst: UnsafeMutableRawPointer) {
    let s = plan.shape
    plan.rows.withUnsafeBufferPointer { rows in
        plan.columns.withUnsafeBufferPointer { columns in
            guard let ys = rows.baseAddress, let xs = columns.baseAddress else { return }
            Parallelism.forRanges(s.batch * s.outHeight, work: s.batch * s.outHeight * s.outWidth * s.channels, minimumWork: 1 << 16,
                                  NearestRows(src: src, dst: dst, ys: ys, xs: xs, shape: s, pixelBytes: s.channels * elementBytes))
        }
    }
}

/// The nearest-neighbor gradient: each source pixel sums the gradients of the output pixels that copied it.
func resizeNearestGradient<T: FloatScalar>(_ grads: UnsafePointer<T>, _ plan: NearestResizePlan, _ dx: UnsafeMutablePointer<T>) {
    let s = plan.shape
    plan.rowStarts.withUnsafeBufferPointer { rowStarts in
        plan.columnStarts.withUnsafeBufferPointer { columnStarts in
            guard let ys = rowStarts.baseAddress, let xs = columnStarts.baseAddress else { return }
            Parallelism.forRanges(s.batch * s.inHeight, work: s.batch * s.outHeight * s.outWidth * s.channels, minimumWork: 1 << 16,
                                  NearestGradientRows(grads: grads, dx: dx, rowStarts: ys, columnStarts: xs, shape: s))
        }
    }
}

/// Bilinear resize of images of element type `S`, computed in `C` (float32, or float64 for float64 images),
/// written as float32 as TF's `ResizeBilinear` always outputs.
func resizeBilinear<S: ResizeSource, C: FloatScalar>(_ src: UnsafePointer<S>, _ plan: BilinearResizePlan, computingIn _: C.Type,
                                                     _ dst: UnsafeMutablePointer<Float>) {
    let s = plan.shape
    plan.rows.withUnsafeBufferPointer { rows in
        plan.columns.withUnsafeBufferPointer { columns in
            guard let ys = rows.baseAddress, let xs = columns.baseAddress else { return }
            Parallelism.forRanges(s.batch * s.outHeight, work: 4 * s.batch * s.outHeight * s.outWidth * s.channels, minimumWork: 1 << 16,
                                  BilinearRows<S, C>(src: src, dst: dst, ys: ys, xs: xs, shape: s))
        }
    }
}

/// The bilinear gradient: float32 `grads` [N, OH, OW, C] spread back onto the four source pixels of each
/// output pixel with its weights → [N, H, W, C]. Images run in parallel (each is scattered by one worker).
func resizeBilinearGradient<T: FloatScalar>(_ grads: UnsafePointer<Float>, _ plan: BilinearResizePlan, _ dx: UnsafeMutablePointer<T>) {
    let s = plan.shape
    plan.rows.withUnsafeBufferPointer { rows in
        plan.columns.withUnsafeBufferPointer { columns in
            guard let ys = rows.baseAddress, let xs = columns.baseAddress else { return }
            Parallelism.forRanges(s.batch, work: 4 * s.batch * s.outHeight * s.outWidth * s.channels, minimumWork: 1 << 16,
                                  BilinearGradientImages(grads: grads, dx: dx, ys: ys, xs: xs, shape: s))
        }
    }
}

/// Element types bilinear resizing reads (TF converts every image type to float before blending).
protocol ResizeSource { func resizeValue<C: FloatScalar>(as _: C.Type) -> C }
extension Float: ResizeSource { @inline(__always) func resizeValue<C: FloatScalar>(as _: C.Type) -> C { C(self) } }
extension Double: ResizeSource { @inline(__always) func resizeValue<C: FloatScalar>(as _: C.Type) -> C { C(self) } }
extension UInt8: ResizeSource { @inline(__always) func resizeValue<C: FloatScalar>(as _: C.Type) -> C { C(self) } }
extension Int32: ResizeSource { @inline(__always) func resizeValue<C: FloatScalar>(as _: C.Type) -> C { C(self) } }
extension Int64: ResizeSource { @inline(__always) func resizeValue<C: FloatScalar>(as _: C.Type) -> C { C(self) } }

/// Output rows `n·OH + y` of a nearest-neighbor resize, as byte copies of whole pixels.
private struct NearestRows: RangeJob {
    let src: UnsafeRawPointer, dst: UnsafeMutableRawPointer, ys: UnsafePointer<Int>, xs: UnsafePointer<Int>, shape: ResizeShape, pixelBytes: Int
    func run(_ range: Range<Int>) {
        let s = shape
        for row in range {
            let n = row / s.outHeight, y = row % s.outHeight
            let source = src + (n * s.inHeight + ys[y]) * s.inWidth * pixelBytes
            let target = dst + row * s.outWidth * pixelBytes
            for x in 0..<s.outWidth {
                (target + x * pixelBytes).copyMemory(from: source + xs[x] * pixelBytes, byteCount: pixelBytes)
            }
        }
    }
}

/// Source rows `n·H + iy` of the nearest-neighbor gradient, gathered from the output ranges that read them.
private struct NearestGradientRows<T: FloatScalar>: RangeJob {
    let grads: UnsafePointer<T>, dx: UnsafeMutablePointer<T>, rowStarts: UnsafePointer<Int>, columnStarts: UnsafePointer<Int>, shape: ResizeShape
    func run(_ range: Range<Int>) {
        let s = shape, c = s.channels
        for row in range {
            let n = row / s.inHeight, iy = row % s.inHeight
            for ix in 0..<s.inWidth {
                let d = dx + (row * s.inWidth + ix) * c
                for j in 0..<c { d[j] = 0 }
                for y in rowStarts[iy]..<rowStarts[iy + 1] {
                    for x in columnStarts[ix]..<columnStarts[ix + 1] {
                        let g = grads + ((n * s.outHeight + y) * s.outWidth + x) * c
                        for j in 0..<c { d[j] += g[j] }
                    }
                }
            }
        }
    }
}

/// Output rows of a bilinear resize: TF's `compute_lerp`, top = tl + (tr − tl)·xλ, bottom likewise,
/// out = top + (bottom − top)·yλ.
private struct BilinearRows<S: ResizeSource, C: FloatScalar>: RangeJob {
    let src: UnsafePointer<S>, dst: UnsafeMutablePointer<Float>, ys: UnsafePointer<ResizeLerp>, xs: UnsafePointer<ResizeLerp>, shape: ResizeShape
    func run(_ range: Range<Int>) {
        let s = shape, c = s.channels
        for row in range {
            let n = row / s.outHeight, wy = ys[row % s.outHeight]
            let top = src + (n * s.inHeight + wy.lower) * s.inWidth * c, bottom = src + (n * s.inHeight + wy.upper) * s.inWidth * c
            let yLerp = C(wy.lerp)
            for x in 0..<s.outWidth {
                let wx = xs[x], xLerp = C(wx.lerp)
                let l = wx.lower * c, r = wx.upper * c
                let o = dst + (row * s.outWidth + x) * c
                for j in 0..<c {
                    let topLeft = top[l + j].resizeValue(as: C.self), topRight = top[r + j].resizeValue(as: C.self)
                    let bottomLeft = bottom[l + j].resizeValue(as: C.self), bottomRight = bottom[r + j].resizeValue(as: C.self)
                    let upper = topLeft + (topRight - topLeft) * xLerp
                    let lower = bottomLeft + (bottomRight - bottomLeft) * xLerp
                    o[j] = Float(upper + (lower - upper) * yLerp)
                }
            }
        }
    }
}

/// Images `n` of the bilinear gradient: each output pixel's gradient g adds g·(1 − yλ)·(1 − xλ) to its
/// top-left source, g·(1 − yλ)·xλ to its top-right, g·yλ·(1 − xλ) and g·yλ·xλ to the bottom pair (TF's order).
private struct BilinearGradientImages<T: FloatScalar>: RangeJob {
    let grads: UnsafePointer<Float>, dx: UnsafeMutablePointer<T>, ys: UnsafePointer<ResizeLerp>, xs: UnsafePointer<ResizeLerp>, shape: ResizeShape
    func run(_ range: Range<Int>) {
        let s = shape, c = s.channels, image = s.inHeight * s.inWidth * c
        for n in range {
            let out = dx + n * image
            for j in 0..<image { out[j] = 0 }
            for y in 0..<s.outHeight {
                let wy = ys[y], yLerp = T(wy.lerp), yInverse = T(1 - wy.lerp)
                let top = out + wy.lower * s.inWidth * c, bottom = out + wy.upper * s.inWidth * c
                for x in 0..<s.outWidth {
                    let wx = xs[x], xLerp = T(wx.lerp), xInverse = T(1 - wx.lerp)
                    let l = wx.lower * c, r = wx.upper * c
                    let g = grads + ((n * s.outHeight + y) * s.outWidth + x) * c
                    for j in 0..<c {
                        let v = T(g[j])
                        top[l + j] += v * yInverse * xInverse
                        top[r + j] += v * yInverse * xLerp
                        bottom[l + j] += v * yLerp * xInverse
                        bottom[r + j] += v * yLerp * xLerp
                    }
                }
            }
        }
    }
}
