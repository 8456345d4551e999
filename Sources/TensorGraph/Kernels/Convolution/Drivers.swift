import CKernels
import Foundation

/// 2-D convolution kernels (NHWC input, HWCF filter): im2col + GEMM forward, GEMM + col2im for
/// the input gradient, im2col + GEMMᵀ for the filter gradient.

/// Padding scheme of convolutions and pools, as TensorFlow's `padding` attr.
public enum Padding: String, Sendable {
    case same = "SAME"
    case valid = "VALID"
}

/// Sizes of one convolution or pooling window application.
struct WindowGeometry: Equatable {
    var batch, height, width, channels: Int
    var kernelHeight, kernelWidth: Int
    var strideY, strideX: Int
    var outHeight, outWidth: Int
    var padTop, padLeft: Int

    /// TF's output size and padding rule: SAME gives ceil(in / stride) with the extra padding at the end.
    init?(input: [Int], kernel: (Int, Int), strides: (Int, Int), padding: Padding) {
        // Bounds keep every size product below overflow for corrupt graphs.
        let limit = 1 << 24
        guard input.count == 4, input.allSatisfy({ (0...limit).contains($0) }), (1...limit).contains(kernel.0), (1...limit).contains(kernel.1),
              (1...limit).contains(strides.0), (1...limit).contains(strides.1) else { return nil }
        (batch, height, width, channels) = (input[0], input[1], input[2], input[3])
        (kernelHeight, kernelWidth) = kernel
        (strideY, strideX) = strides
        func size(_ n: Int, _ k: Int, _ s: Int) -> (Int, Int)? {
            switch padding {
            case .valid:
                guard n >= k else { return nil }
                return ((n - k) / s + 1, 0)
            case .same:
                let out = (n + s - 1) / s
                let total = Swift.max((out - 1) * s + k - n, 0)
                return (out, total / 2)
            }
        }
        guard let (oh, pt) = size(height, kernelHeight, strideY), let (ow, pl) = size(width, kernelWidth, strideX) else { return nil }
        (outHeight, padTop, outWidth, padLeft) = (oh, pt, ow, pl)
        guard let cells = checkedProduct([batch, oh, ow, kernelHeight, kernelWidth, channels]), cells <= 1 << 40 else { return nil }
    }

    var patchSize: Int { kernelHeight * kernelWidth * channels }

    /// The same geometry for the C kernels.
    var c: tg_window {
        tg_window(batch: batch, height: height, width: width, channels: channels, kernel_height: kernelHeight,
                  kernel_width: kernelWidth, stride_y: strideY, stride_x: strideX, out_height: outHeight,
                  out_width: outWidth, pad_top: padTop, pad_left: padLeft)
    }
    var outputPositions: Int { batch * outHeight * outWidth }
}

/// cols[(n, oy, ox), (ky, kx, c)] = x[n, oy·sy + ky − pt, ox·sx + kx − pl, c] (0 outside the image).
///
/// A window row (kx = 0..<kw, all channels) is one contiguous run of kw·C floats whenever it lies
/// inside the image, so it is copied as a block; only border windows go pixel by pixel.
func im2col<T: FloatScalar>(_ x: UnsafePointer<T>, _ g: WindowGeometry, _ cols: UnsafeMutablePointer<T>) {
    if T.self == Float.self {
        // float32 runs the C loop compiled for the CPU's vector width (same layout and values).
        var window = g.c
        return tg_im2col_f32(floats(x), &window, floats(cols))
    }
    im2colReference(x, g, cols)
}

/// The Swift im2col (used for float64, and as the reference for the C loop).
func im2colReference<T: FloatScalar>(_ x: UnsafePointer<T>, _ g: WindowGeometry, _ cols: UnsafeMutablePointer<T>) {
    let c = g.channels, rowLength = g.patchSize, run = g.kernelWidth * c
    var row = 0
    for n in 0..<g.batch {
        let image = x + n * g.height * g.width * c
        for oy in 0..<g.outHeight {
            for ox in 0..<g.outWidth {
                var dst = cols + row * rowLength
                let ix0 = ox * g.strideX - g.padLeft
                let inside = ix0 >= 0 && ix0 + g.kernelWidth <= g.width
                for ky in 0..<g.kernelHeight {
                    let iy = oy * g.strideY + ky - g.padTop
                    if iy < 0 || iy >= g.height {
                        for j in 0..<run { dst[j] = 0 }
                    } else if inside {
                        let src = image + (iy * g.width + ix0) * c
                        for j in 0..<run { dst[j] = src[j] }
                    } else {
                        for kx in 0..<g.kernelWidth {
                            let ix = ix0 + kx
                            let d = dst + kx * c
                            if ix >= 0 && ix < g.width {
                                let src = image + (iy * g.width + ix) * c
                                for j in 0..<c { d[j] = src[j] }
                            } else {
                                for j in 0..<c { d[j] = 0 }
                            }
                        }
                    }
                    dst += run
                }
                row += 1
            }
        }
    }
}

/// Single-channel im2col in the transposed layout colsT[(ky, kx), (n, oy, ox)]: for a fixed tap and
/// output row, the pixels read are a contiguous input row, so whole rows are copied instead of
/// 5-float fragments. First convolution layers on grayscale images have one channel.
func im2colTransposedSingleChannel<T: FloatScalar>(_ x: UnsafePointer<T>, _ g: WindowGeometry, _ colsT: UnsafeMutablePointer<T>) {
    let positions = g.outputPositions, plane = g.outHeight * g.outWidth
    for ky in 0..<g.kernelHeight {
        for kx in 0..<g.kernelWidth {
            let row = colsT + (ky * g.kernelWidth + kx) * positions
            // Output columns whose input column ox·sx + kx − pl lies inside the image.
            let first = Swift.max(0, (g.padLeft - kx + g.strideX - 1) / g.strideX)
            let last = Swift.min(g.outWidth, (g.width - 1 + g.padLeft - kx) / g.strideX + 1)
            for n in 0..<g.batch {
                let image = x + n * g.height * g.width
                for oy in 0..<g.outHeight {
                    let dst = row + n * plane + oy * g.outWidth
                    let iy = oy * g.strideY + ky - g.padTop
                    guard iy >= 0 && iy < g.height && first < last else {
                        for ox in 0..<g.outWidth { dst[ox] = 0 }
                        continue
                    }
                    for ox in 0..<first { dst[ox] = 0 }
                    let src = image + iy * g.width + kx - g.padLeft
                    if g.strideX == 1 {
                        for ox in first..<last { dst[ox] = src[ox] }
                    } else {
                        for ox in first..<last { dst[ox] = src[ox * g.strideX] }
                    }
                    for ox in last..<g.outWidth { dst[ox] = 0 }
                }
            }
        }
    }
}

/// The adjoint of im2col: dx[n, iy, ix, c] = Σ cols[...] over every window position that read it.
func col2im<T: FloatScalar>(_ cols: UnsafePointer<T>, _ g: WindowGeometry, _ dx: UnsafeMutablePointer<T>) {
    if T.self == Float.self {
        var window = g.c
        return tg_col2im_f32(floats(cols), &window, floats(dx))
    }
    col2imReference(cols, g, dx)
}

/// The Swift col2im (used for float64, and as the reference for the C loop).
func col2imReference<T: FloatScalar>(_ cols: UnsafePointer<T>, _ g: WindowGeometry, _ dx: UnsafeMutablePointer<T>) {
    let c = g.channels, rowLength = g.patchSize, run = g.kernelWidth * c
    dx.update(repeating: 0, count: g.batch * g.height * g.width * c)
    var row = 0
    for n in 0..<g.batch {
        let image = dx + n * g.height * g.width * c
        for oy in 0..<g.outHeight {
            for ox in 0..<g.outWidth {
                var src = cols + row * rowLength
                let ix0 = ox * g.strideX - g.padLeft
                let inside = ix0 >= 0 && ix0 + g.kernelWidth <= g.width
                for ky in 0..<g.kernelHeight {
                    let iy = oy * g.strideY + ky - g.padTop
                    if iy >= 0 && iy < g.height {
                        if inside {
                            let target = image + (iy * g.width + ix0) * c
                            for j in 0..<run { target[j] += src[j] }
                        } else {
                            for kx in 0..<g.kernelWidth {
                                let ix = ix0 + kx
                                guard ix >= 0 && ix < g.width else { continue }
                                let target = image + (iy * g.width + ix) * c, s = src + kx * c
                                for j in 0..<c { target[j] += s[j] }
                            }
                        }
                    }
                    src += run
                }
                row += 1
            }
        }
    }
}

/// Reference convolution: the direct 7-deep loop, in Double.
func conv2dReference(_ x: [Double], _ filter: [Double], _ g: WindowGeometry, filters f: Int) -> [Double] {
    var out = [Double](repeating: 0, count: g.outputPositions * f)
    for n in 0..<g.batch {
        for oy in 0..<g.outHeight {
            for ox in 0..<g.outWidth {
                for o in 0..<f {
                    var sum = 0.0
                    for ky in 0..<g.kernelHeight {
                        for kx in 0..<g.kernelWidth {
                            let iy = oy * g.strideY + ky - g.padTop, ix = ox * g.strideX + kx - g.padLeft
                            guard iy >= 0, iy < g.height, ix >= 0, ix < g.width else { continue }
                            for ch in 0..<g.channels {
                                sum += x[((n * g.height + iy) * g.width + ix) * g.channels + ch]
                                    * filter[((ky * g.kernelWidth + kx) * g.channels + ch) * f + o]
                            }
                        }
                    }
                    out[((n * g.outHeight + oy) * g.outWidth + ox) * f + o] = sum
                }
            }
        }
    }
    return out
}

/// Batch chunking for the convolution kernels: each chunk's patch matrix (about `chunkFloats`
/// floats) stays in cache between im2col and the GEMM that reads it, and chunks are shared
/// out to the workers in a fixed interleave (so sums are reproducible).
/// One scratch region per worker, carved from one buffer (no per-call array of pointers).
struct WorkerBuffers<T> {
    let base: UnsafeMutablePointer<T>
    /// Elements per worker.
    let stride: Int
    @inline(__always) subscript(worker: Int) -> UnsafeMutablePointer<T> { base + worker * stride }
}

extension WorkerBuffers {
    /// The same regions as float32 (callers check `T.self == Float.self`).
    var floats: WorkerBuffers<Float> { WorkerBuffers<Float>(base: TensorGraph.floats(base), stride: stride) }
}

/// A kernel's pointer as float32, for the C loops; callers check `T.self == Float.self`.
@inline(__always) func floats<T>(_ p: UnsafePointer<T>) -> UnsafePointer<Float> {
    UnsafeRawPointer(p).assumingMemoryBound(to: Float.self)
}
@inline(__always) func floats<T>(_ p: UnsafeMutablePointer<T>) -> UnsafeMutablePointer<Float> {
    UnsafeMutableRawPointer(p).assumingMemoryBound(to: Float.self)
}

extension KernelContext {
    /// `workers` scratch regions of `count` elements each, kept across runs in scratch slot `slot`.
    func workerBuffers<T>(_ type: T.Type, workers: Int, count: Int, slot: Int) throws -> WorkerBuffers<T> {
        let (total, overflow) = workers.multipliedReportingOverflow(by: count)
        guard !overflow else { throw error("scratch buffer of \(workers) × \(count) elements is too large") }
        return WorkerBuffers(base: try scratch(T.self, count: total, slot: slot), stride: count)
    }
}

struct ConvChunks {
    static let chunkFloats: Int = {
        if let text = ProcessInfo.processInfo.environment["TENSORGRAPH_CONV_CHUNK"], let n = Int(text), n > 0 { return n }
        return 1 << 18
    }()

    let imagesPerChunk: Int
    let count: Int
    let workers: Int

    init(_ g: WindowGeometry) {
        let perImage = Swift.max(g.outHeight * g.outWidth * g.patchSize, 1)
        imagesPerChunk = Swift.max(1, Swift.min(g.batch, ConvChunks.chunkFloats / perImage))
        count = (g.batch + imagesPerChunk - 1) / imagesPerChunk
        workers = Swift.max(1, Swift.min(Parallelism.workers, count))
    }

    /// Patch-matrix floats one worker needs.
    func scratchCount(_ g: WindowGeometry) -> Int { imagesPerChunk * g.outHeight * g.outWidth * g.patchSize }

    /// Calls `job.run(worker:first:chunk:)` for every chunk, in parallel across workers.
    func forEach<J: ChunkJob>(_ g: WindowGeometry, _ job: J) {
        Parallelism.run(workers: workers, Split(chunks: self, g: g, job: job))
    }

    private struct Split<J: ChunkJob>: WorkerJob {
        let chunks: ConvChunks, g: WindowGeometry, job: J
        func run(worker w: Int) {
            var chunk = w
            while chunk < chunks.count {
                let first = chunk * chunks.imagesPerChunk
                var sub = g
                sub.batch = Swift.min(chunks.imagesPerChunk, g.batch - first)
                job.run(worker: w, first: first, chunk: sub)
                chunk += chunks.workers
            }
        }
    }
}

/// Work on one batch chunk of a convolution: images `first..<first + chunk.batch`, using worker `worker`'s scratch.
protocol ChunkJob {
    func run(worker: Int, first: Int, chunk: WindowGeometry)
}

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

struct ConvForwardChunk<T: FloatScalar>: ChunkJob {
    let x: UnsafePointer<T>, filter: UnsafePointer<T>, g: WindowGeometry, f: Int, imageIn: Int, imageOut: Int
    let out: UnsafeMutablePointer<T>, scratch: WorkerBuffers<T>, epilogue: BiasActivationRows<T>
    func run(worker w: Int, first: Int, chunk sub: WindowGeometry) {
        if g.channels == 1 {
            im2colTransposedSingleChannel(x + first * imageIn, sub, scratch[w])
            gemm(T.self, transposeA: true, transposeB: false, m: sub.outputPositions, n: f, k: g.patchSize,
                 a: scratch[w], b: filter, c: out + first * imageOut)
        } else {
            im2col(x + first * imageIn, sub, scratch[w])
            gemm(T.self, transposeA: false, transposeB: false, m: sub.outputPositions, n: f, k: g.patchSize,
                 a: scratch[w], b: filter, c: out + first * imageOut)
        }
        epilogue.apply(out + first * imageOut, sub.outputPositions)
    }
}

/// Which convolution algorithm a float32 layer uses.
enum ConvolutionAlgorithm {
    /// Register-blocked C loops over a zero-padded copy of each image (8 output pixels × 32 filters, or
    /// 16 × 16, accumulated in registers): no patch matrix, no BLAS packing. The input gradient of a
    /// stride-1 layer is the same loop over dy with the filter rotated 180° and its channels swapped.
    case direct
    /// Patch matrix (im2col) and GEMM: float64, and filter counts the blocked loops do not cover.
    case gemm

    /// `TENSORGRAPH_CONV=direct|gemm` forces one (for measurements); by default float32 layers whose
    /// filter (and, for gradients, channel) counts fit the blocking run direct.
    static let forced: ConvolutionAlgorithm? = {
        switch ProcessInfo.processInfo.environment["TENSORGRAPH_CONV"] {
        case "direct": return .direct
        case "gemm": return .gemm
        default: return nil
        }
    }()

    static func forward<T>(_ type: T.Type, _ g: WindowGeometry, filters f: Int) -> ConvolutionAlgorithm {
        guard T.self == Float.self, f % 16 == 0, f > 0 else { return .gemm }
        return forced ?? .direct
    }

    static func filterGradient<T>(_ type: T.Type, _ g: WindowGeometry, filters f: Int) -> ConvolutionAlgorithm {
        guard T.self == Float.self, f > 0, g.channels > 0 else { return .gemm }
        let blocked = g.channels == 1 ? f % 16 == 0 : (f % 32 == 0 && g.channels % 8 == 0) || (f % 16 == 0 && g.channels % 16 == 0)
        return blocked ? forced ?? .direct : .gemm
    }

    /// Workers and scratch floats per worker (the patch matrix, or one padded image) for the filter gradient.
    static func filterGradientScratch<T>(_ type: T.Type, _ g: WindowGeometry, filters f: Int) -> (workers: Int, count: Int) {
        let chunks = ConvChunks(g)
        guard filterGradient(T.self, g, filters: f) == .direct else { return (chunks.workers, chunks.scratchCount(g)) }
        var window = g.c
        return (Swift.max(chunks.workers, directWorkers(g, filters: f)), tg_conv2d_filter_grad_scratch(&window))
    }
}

/// Direct convolution of a range of images (float32).
private struct DirectConvImages: WorkerJob {
    let x: UnsafePointer<Float>, filter: UnsafePointer<Float>, f: Int, window: tg_window, workers: Int
    let bias: UnsafePointer<Float>?, relu: Bool, out: UnsafeMutablePointer<Float>, scratch: WorkerBuffers<Float>
    func run(worker w: Int) {
        let n = window.batch, rows = window.out_height
        // Whole images per worker, or, with fewer images than workers (single-image inference), a band of
        // output rows of every image.
        let images = n >= workers ? Parallelism.share(n, worker: w, of: workers) : 0..<n
        let band = n >= workers ? 0..<rows : Parallelism.share(rows, worker: w, of: workers)
        withUnsafePointer(to: window) { g in
            tg_conv2d_direct_f32(x, filter, f, g, images.lowerBound, images.upperBound, band.lowerBound, band.upperBound,
                                 bias, relu ? 1 : 0, out, scratch[w])
        }
    }
}

/// The direct convolution over all images, split across workers by image.
private func directConvolution(_ x: UnsafePointer<Float>, _ filter: UnsafePointer<Float>, _ g: WindowGeometry, filters f: Int,
                               bias: UnsafePointer<Float>?, relu: Bool, out: UnsafeMutablePointer<Float>, scratch: WorkerBuffers<Float>) {
    let workers = ConvolutionAlgorithm.directWorkers(g, filters: f)
    Parallelism.run(workers: workers, DirectConvImages(x: x, filter: filter, f: f, window: g.c, workers: workers, bias: bias,
                                                       relu: relu, out: out, scratch: scratch))
}

extension ConvolutionAlgorithm {
    /// For a stride-1 float32 layer whose input channels are a multiple of 16, the input gradient as a
    /// forward convolution: the geometry over dy (channels F, padding K−1−p, output the input's size)
    /// and the scratch it needs (the worker regions, then one region holding the rotated filter).
    static func inputGradientAsConvolution<T>(_ type: T.Type, _ g: WindowGeometry, filters f: Int) -> (WindowGeometry, (workers: Int, count: Int))? {
        guard T.self == Float.self, g.strideY == 1, g.strideX == 1, g.channels % 16 == 0, g.channels > 0, f > 0,
              forced ?? .direct == .direct else { return nil }
        var b = g
        (b.height, b.width, b.channels) = (g.outHeight, g.outWidth, f)
        (b.outHeight, b.outWidth) = (g.height, g.width)
        (b.padTop, b.padLeft) = (g.kernelHeight - 1 - g.padTop, g.kernelWidth - 1 - g.padLeft)
        guard b.padTop >= 0, b.padLeft >= 0 else { return nil }
        var window = b.c
        let count = Swift.max(tg_conv2d_direct_scratch(&window, g.channels), g.patchSize * f)
        return (b, (directWorkers(b, filters: g.channels) + 1, count))
    }

    /// Workers and scratch floats per worker the forward convolution needs.
    static func forwardScratch<T>(_ type: T.Type, _ g: WindowGeometry, filters f: Int) -> (workers: Int, count: Int) {
        if forward(T.self, g, filters: f) == .direct {
            var window = g.c
            return (directWorkers(g, filters: f), tg_conv2d_direct_scratch(&window, f))
        }
        let chunks = ConvChunks(g)
        return (chunks.workers, chunks.scratchCount(g))
    }

    /// Workers for a direct convolution: one per image (or per band of output rows when there are fewer
    /// images than workers), when the work is worth splitting.
    static func directWorkers(_ g: WindowGeometry, filters f: Int) -> Int {
        guard g.outputPositions * g.patchSize * f >= 1 << 18 else { return 1 }
        return Swift.max(1, Swift.min(Parallelism.workers, Swift.max(g.batch, g.outHeight)))
    }
}

/// Single-channel filter gradient, each worker over its images into its own partial sum.
private struct DirectFilterGradient: WorkerJob {
    let x: UnsafePointer<Float>, dy: UnsafePointer<Float>, f: Int, window: tg_window, workers: Int
    let partials: WorkerBuffers<Float>, scratch: WorkerBuffers<Float>
    func run(worker w: Int) {
        let images = Parallelism.share(window.batch, worker: w, of: workers)
        withUnsafePointer(to: window) { g in
            if window.channels == 1, window.kernel_height != 5 || window.kernel_width != 5 {
                tg_conv2d_filter_grad_c1_f32(x, dy, f, g, images.lowerBound, images.upperBound, partials[w])
            } else {
                tg_conv2d_filter_grad_f32(x, dy, f, g, images.lowerBound, images.upperBound, partials[w], scratch[w])
            }
        }
    }
}

/// out [N, OH, OW, F] = im2col(x) · filter [K, F], chunked over the batch.
func conv2DForward<T: FloatScalar>(_ x: UnsafePointer<T>, _ filter: UnsafePointer<T>, _ g: WindowGeometry, filters f: Int,
                                   _ out: UnsafeMutablePointer<T>, scratch: WorkerBuffers<T>,
                                   bias: UnsafePointer<T>? = nil, relu: Bool = false) {
    if ConvolutionAlgorithm.forward(T.self, g, filters: f) == .direct, T.self == Float.self {
        return directConvolution(floats(x), floats(filter), g, filters: f, bias: bias.map { floats($0) }, relu: relu,
                                 out: floats(out), scratch: scratch.floats)
    }
    let epilogue = BiasActivationRows(out: out, bias: bias, f: f, relu: relu)
    _ = Parallelism.configureBLAS
    let chunks = ConvChunks(g)
    let imageIn = g.height * g.width * g.channels, imageOut = g.outHeight * g.outWidth * f
    if chunks.count == 1 {
        // One chunk (small batches, e.g. single-image inference): split the GEMM's rows instead.
        let transposed = g.channels == 1
        if transposed { im2colTransposedSingleChannel(x, g, scratch[0]) } else { im2col(x, g, scratch[0]) }
        parallelGemm(T.self, transposeA: transposed, transposeB: false, m: g.outputPositions, n: f, k: g.patchSize,
                     a: scratch[0], b: filter, c: out)
        return Parallelism.forRanges(g.outputPositions, work: g.outputPositions * f, epilogue)
    }
    chunks.forEach(g, ConvForwardChunk(x: x, filter: filter, g: g, f: f, imageIn: imageIn, imageOut: imageOut, out: out, scratch: scratch, epilogue: epilogue))
}

struct ConvFilterChunk<T: FloatScalar>: ChunkJob {
    let x: UnsafePointer<T>, dy: UnsafePointer<T>, g: WindowGeometry, f: Int, imageIn: Int, imageOut: Int
    let scratch: WorkerBuffers<T>, partials: WorkerBuffers<T>, started: UnsafeMutableBufferPointer<Bool>
    func run(worker w: Int, first: Int, chunk sub: WindowGeometry) {
        // dW [K, F] = colsᵀ · dy, with colsᵀ built directly for single-channel input.
        let transposed = g.channels == 1
        if transposed { im2colTransposedSingleChannel(x + first * imageIn, sub, scratch[w]) } else { im2col(x + first * imageIn, sub, scratch[w]) }
        gemm(T.self, transposeA: !transposed, transposeB: false, m: g.patchSize, n: f, k: sub.outputPositions,
             a: scratch[w], b: dy + first * imageOut, c: partials[w], accumulate: started[w])
        started[w] = true
    }
}

/// dFilter [K, F] = Σ over chunks im2col(x)ᵀ · dy, each worker summing into its own buffer, then added in order.
func conv2DBackpropFilter<T: FloatScalar>(_ x: UnsafePointer<T>, _ dy: UnsafePointer<T>, _ g: WindowGeometry, filters f: Int,
                                          _ out: UnsafeMutablePointer<T>, scratch: WorkerBuffers<T>, partials: WorkerBuffers<T>) {
    _ = Parallelism.configureBLAS
    let chunks = ConvChunks(g)
    let imageIn = g.height * g.width * g.channels, imageOut = g.outHeight * g.outWidth * f
    let k = g.patchSize
    if ConvolutionAlgorithm.filterGradient(T.self, g, filters: f) == .direct, T.self == Float.self {
        let workers = ConvolutionAlgorithm.directWorkers(g, filters: f)
        Parallelism.run(workers: workers, DirectFilterGradient(x: floats(x), dy: floats(dy), f: f, window: g.c, workers: workers,
                                                               partials: partials.floats, scratch: scratch.floats))
        out.update(from: partials[0], count: k * f)
        for w in 1..<workers { for i in 0..<(k * f) { out[i] += partials[w][i] } }
        return
    }
    withUnsafeTemporaryAllocation(of: Bool.self, capacity: chunks.workers) { started in
        started.initialize(repeating: false)
        chunks.forEach(g, ConvFilterChunk(x: x, dy: dy, g: g, f: f, imageIn: imageIn, imageOut: imageOut, scratch: scratch, partials: partials, started: started))
    }
    out.update(from: partials[0], count: k * f)
    for w in 1..<chunks.workers {
        let p = partials[w]
        for i in 0..<(k * f) { out[i] += p[i] }
    }
}

struct ConvInputChunk<T: FloatScalar>: ChunkJob {
    let dy: UnsafePointer<T>, filter: UnsafePointer<T>, g: WindowGeometry, f: Int, imageIn: Int, imageOut: Int
    let dx: UnsafeMutablePointer<T>, scratch: WorkerBuffers<T>
    func run(worker w: Int, first: Int, chunk sub: WindowGeometry) {
        gemm(T.self, transposeA: false, transposeB: true, m: sub.outputPositions, n: g.patchSize, k: f,
             a: dy + first * imageOut, b: filter, c: scratch[w])
        col2im(scratch[w], sub, dx + first * imageIn)
    }
}

/// dx [N, H, W, C] = col2im(dy · filterᵀ), chunked over the batch.
func conv2DBackpropInput<T: FloatScalar>(_ dy: UnsafePointer<T>, _ filter: UnsafePointer<T>, _ g: WindowGeometry, filters f: Int,
                                         _ dx: UnsafeMutablePointer<T>, scratch: WorkerBuffers<T>) {
    if let (backward, _) = ConvolutionAlgorithm.inputGradientAsConvolution(T.self, g, filters: f) {
        // dx = conv(dy, filter rotated 180° with in/out channels swapped), stride 1, padding K−1−p.
        let rotated = floats(scratch[ConvolutionAlgorithm.directWorkers(backward, filters: g.channels)]), w = floats(filter)
        let (kh, kw, c) = (g.kernelHeight, g.kernelWidth, g.channels)
        for ky in 0..<kh {
            for kx in 0..<kw {
                let source = w + ((kh - 1 - ky) * kw + (kw - 1 - kx)) * c * f, target = rotated + (ky * kw + kx) * f * c
                for ci in 0..<c { for fi in 0..<f { target[fi * c + ci] = source[ci * f + fi] } }
            }
        }
        return directConvolution(floats(dy), rotated, backward, filters: c, bias: nil, relu: false, out: floats(dx),
                                 scratch: scratch.floats)
    }
    _ = Parallelism.configureBLAS
    let chunks = ConvChunks(g)
    let imageIn = g.height * g.width * g.channels, imageOut = g.outHeight * g.outWidth * f
    chunks.forEach(g, ConvInputChunk(dy: dy, filter: filter, g: g, f: f, imageIn: imageIn, imageOut: imageOut, dx: dx, scratch: scratch))
}
