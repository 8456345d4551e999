import CKernels
import Foundation

// The Conv2D drivers (NHWC input, HWCF filter): forward, input gradient and filter gradient. Float32
// layers the blocked C loops cover run direct (Direct.swift, chosen in Algorithm.swift); the rest run
// im2col + GEMM forward, GEMM + col2im for the input gradient, im2col + GEMMᵀ for the filter gradient,
// over batch chunks.

/// Batch chunking for the convolution kernels: each chunk's patch matrix (about `chunkFloats`
/// floats) stays in cache between im2col and the GEMM that reads it, and chunks are shared
/// out to the workers in a fixed interleave (so sums are reproducible).
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

/// out [N, OH, OW, F] = im2col(x) · filter [K, F], chunked over the batch.
func conv2DForward<T: FloatScalar>(_ x: UnsafePointer<T>, _ filter: UnsafePointer<T>, _ g: WindowGeometry, filters f: Int,
                                   _ out: UnsafeMutablePointer<T>, scratch: WorkerBuffers<T>,
                                   bias: UnsafePointer<T>? = nil, activation: FusedActivation = .none) {
    if ConvolutionAlgorithm.forward(T.self, g, filters: f) == .direct, T.self == Float.self {
        return directConvolution(floats(x), floats(filter), g, filters: f, bias: bias.map { floats($0) }, activation: activation,
                                 out: floats(out), scratch: scratch.floats)
    }
    let epilogue = BiasActivationRows(out: out, bias: bias, f: f, activation: activation)
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
        return directConvolution(floats(dy), rotated, backward, filters: c, bias: nil, activation: .none, out: floats(dx),
                                 scratch: scratch.floats)
    }
    _ = Parallelism.configureBLAS
    let chunks = ConvChunks(g)
    let imageIn = g.height * g.width * g.channels, imageOut = g.outHeight * g.outWidth * f
    chunks.forEach(g, ConvInputChunk(dy: dy, filter: filter, g: g, f: f, imageIn: imageIn, imageOut: imageOut, dx: dx, scratch: scratch))
}
