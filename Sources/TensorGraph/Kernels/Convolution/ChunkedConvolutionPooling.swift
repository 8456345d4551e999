import CKernels

// The convolution + 2×2 max-pool steps (`_FusedConv2DMaxPool`, and `_FusedConv2DMaxPoolWithArgmax` in
// training, which also records each window's argmax over the whole batch): each worker takes its share of the batch
// and runs oneDNN's convolution a chunk of images at a time into its own cache-sized buffer, pooling each
// chunk before the next, so the full-resolution activations never reach memory. One oneDNN primitive per
// worker for the chunk size and one for the worker's last, shorter chunk, created once per step and
// geometry (kept in the step's KernelContext). The filter is reordered into oneDNN's layout by each worker's
// first chunk only, and not at all when a constant filter is the one the previous run reordered.

/// The per-worker oneDNN primitives of one step's convolution + pool.
final class ConvolutionPoolingChunks {
    let geometry: WindowGeometry
    let filters: Int
    let activation: FusedActivation
    let workers: Int
    /// Images per chunk, and the floats of one chunk's convolution output (a worker's buffer).
    let chunk: Int
    let chunkFloats: Int
    private let full: [OpaquePointer]
    private let tails: [OpaquePointer?]

    /// Nil when oneDNN has no primitive for the chunk geometry.
    init?(_ g: WindowGeometry, filters: Int, activation: FusedActivation) {
        (geometry, self.filters, self.activation) = (g, filters, activation)
        workers = Swift.max(1, Swift.min(Parallelism.workers, g.batch))
        let imageFloats = Swift.max(1, g.outHeight * g.outWidth * filters)
        // About 1 MB of output per chunk: the convolution's writes are still in L2 when the pool reads them.
        chunk = Swift.max(1, Swift.min(Parallelism.share(g.batch, worker: 0, of: workers).count, (1 << 18) / imageFloats))
        chunkFloats = chunk * imageFloats
        func create(_ batch: Int) -> OpaquePointer? {
            oneDNNConvolutionPrimitive(.forward, g, batch: batch, filters: filters, hasBias: true, activation: activation)
        }
        var full: [OpaquePointer] = [], tails: [OpaquePointer?] = [], failed = false
        for w in 0..<workers {
            let tail = Parallelism.share(g.batch, worker: w, of: workers).count % chunk
            guard let p = create(chunk) else { failed = true; break }
            full.append(p)
            if tail == 0 { tails.append(nil); continue }
            guard let t = create(tail) else { failed = true; break }
            tails.append(t)
        }
        if failed {
            (full.map { Optional($0) } + tails).forEach { $0.map { tg_dnnl_conv_destroy($0) } }
            return nil
        }
        (self.full, self.tails) = (full, tails)
    }

    deinit { (full.map { Optional($0) } + tails).forEach { $0.map { tg_dnnl_conv_destroy($0) } } }

    func fits(_ g: WindowGeometry, filters: Int, activation: FusedActivation) -> Bool {
        geometry == g && self.filters == filters && self.activation == activation && workers == Swift.max(1, Swift.min(Parallelism.workers, g.batch))
    }

    /// The storage of the filter the primitives' blocked copies hold, while still valid (see `unchangingFilter`).
    private var reorderedFilter: TensorStorage?

    /// Convolution (bias, activation) then 2×2 stride-2 max pool of every image into `out` (and, with `argmax`,
    /// each window's flat index into the full-resolution activations of the whole batch); false if oneDNN failed.
    /// `storage` is the filter's storage (`filter` points into it).
    func run<T>(_ x: UnsafeMutablePointer<T>, _ filter: UnsafeMutablePointer<T>, _ bias: UnsafeMutablePointer<T>,
                _ out: UnsafeMutablePointer<T>, argmax: UnsafeMutablePointer<Int32>? = nil, pool: WindowGeometry,
                scratch: WorkerBuffers<Float>, storage: TensorStorage? = nil) -> Bool {
        precondition(T.self == Float.self, "oneDNN convolutions run float32 only (isChosen checks)")
        let filter = readOnlyFloats(filter)
        let reusable = unchangingFilter(storage, at: filter)
        let filterReady = reusable != nil && reusable === reorderedFilter
        reorderedFilter = nil
        return withUnsafeTemporaryAllocation(of: Bool.self, capacity: workers) { ok in
            ok.initialize(repeating: false)
            Parallelism.run(workers: workers, Job(chunks: self, x: readOnlyFloats(x), filter: filter, bias: readOnlyFloats(bias),
                                                  out: UnsafeMutableRawPointer(out).assumingMemoryBound(to: Float.self),
                                                  argmax: argmax, pool: pool, scratch: scratch, filterReady: filterReady, ok: ok.baseAddress!))
            guard ok.allSatisfy({ $0 }) else { return false }
            reorderedFilter = reusable
            return true
        }
    }

    private struct Job: WorkerJob {
        let chunks: ConvolutionPoolingChunks
        let x: UnsafePointer<Float>, filter: UnsafePointer<Float>, bias: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>
        let argmax: UnsafeMutablePointer<Int32>?
        let pool: WindowGeometry, scratch: WorkerBuffers<Float>, filterReady: Bool, ok: UnsafeMutablePointer<Bool>

        func run(worker w: Int) {
            let c = chunks, g = c.geometry
            let images = Parallelism.share(g.batch, worker: w, of: c.workers)
            let imageIn = g.height * g.width * g.channels, pooledImage = pool.outHeight * pool.outWidth * c.filters
            var first = images.lowerBound
            // Each primitive (full-chunk and tail) holds its own blocked filter: each reorders on its first use.
            var fullReady = filterReady, tailReady = filterReady
            while first < images.upperBound {
                let n = Swift.min(c.chunk, images.upperBound - first)
                guard let primitive = n == c.chunk ? c.full[w] : c.tails[w] else { return }
                let ready = n == c.chunk ? fullReady : tailReady
                guard tg_dnnl_conv_execute_reusing(primitive, x + first * imageIn, filter, bias, scratch[w], ready ? 1 : 0) == 1 else { return }
                if n == c.chunk { fullReady = true } else { tailReady = true }
                tg_maxpool_2x2_f32(scratch[w], 0, n, g.outHeight, g.outWidth, c.filters, out + first * pooledImage,
                                   argmax.map { $0 + first * pooledImage }, first)
                first += n
            }
            ok[w] = true
        }
    }
}

extension KernelContext {
    /// The step's chunked oneDNN convolution + pool for this geometry, or nil when TensorGraph's own
    /// kernels run the pair (float64, fewer images than workers, or no oneDNN primitive).
    func convolutionPoolingChunks<T>(_ type: T.Type, _ g: WindowGeometry, filters: Int,
                                     activation: FusedActivation) -> ConvolutionPoolingChunks? {
        guard OneDNNConvolution.isChosen(T.self, .forward, g, filters: filters), g.outHeight >= 2, g.outWidth >= 2 else { return nil }
        if let existing = kernelResources as? ConvolutionPoolingChunks, existing.fits(g, filters: filters, activation: activation) {
            return existing
        }
        if let failed = kernelResources as? UnavailableConvolution, failed.geometry == g { return nil }
        let created = ConvolutionPoolingChunks(g, filters: filters, activation: activation)
        kernelResources = created ?? UnavailableConvolution(geometry: g)
        return created
    }
}
