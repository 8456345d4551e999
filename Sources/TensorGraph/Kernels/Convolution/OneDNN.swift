import CKernels
import Foundation

// Convolutions on oneDNN's JIT kernels (CKernels/dnnl_conv.c): forward (with the fused bias and clamp
// activation as post-ops), input gradient and filter gradient, NHWC activations and HWIO filters.
//
// Threading: TensorGraph's worker pool is the only pool. Each worker runs oneDNN on its own slice of the
// batch, single-threaded, with its own primitive (created once per step and geometry, kept in the step's
// KernelContext); the filter gradient's per-worker partial sums are added in worker order, so results are
// bit-for-bit the same run to run for a fixed thread count. The forward pass reorders the filter into
// oneDNN's blocked layout only when it may have changed since the last run (`run(...filter:)`): an
// inference plan's constant filters are reordered once, not on every call by every worker.
//
// Chosen by shape, from the measurements in Benchmarks/README.md (oneDNN 2.6.3 on a 2-core Zen 4, N = 128
// MNIST CNN layers: forward 2.5 ms vs 3.7 ms for the blocked C loops, filter gradient 2.5 vs 3.3, input
// gradient 2.4 vs 3.6): float32, at least one image per worker (batch-1 inference keeps the direct loops,
// which split output rows across workers), and for the input gradient at least 8 input channels (oneDNN's
// kernels reach 7-16 GFLOP/s for a single-channel input gradient).

/// A oneDNN primitive for pass `pass` of geometry `g` over `batch` images (nil when oneDNN has none); the
/// caller owns it (`tg_dnnl_conv_destroy`).
func oneDNNConvolutionPrimitive(_ pass: ConvolutionPass, _ g: WindowGeometry, batch: Int, filters: Int, hasBias: Bool,
                                activation: FusedActivation) -> OpaquePointer? {
    var slice = g
    slice.batch = batch
    var window = slice.c
    let bounds = activation.bounds
    return tg_dnnl_conv_create(pass.rawValue, &window, filters, hasBias ? 1 : 0, bounds.lower, bounds.upper)
}

/// The three convolution passes oneDNN runs.
enum ConvolutionPass: Int32 {
    case forward = 0, backwardData = 1, backwardFilter = 2
}

/// One step's oneDNN convolution: a primitive per worker, each for that worker's slice of the batch.
final class OneDNNConvolution {
    let pass: ConvolutionPass
    let geometry: WindowGeometry
    let filters: Int
    let hasBias: Bool
    let activation: FusedActivation
    /// Workers the batch is split across (each gets at least one image).
    let workers: Int
    private let primitives: [OpaquePointer]

    /// Nil when oneDNN has no primitive for this geometry (then TensorGraph's own kernels run it).
    init?(_ pass: ConvolutionPass, _ g: WindowGeometry, filters: Int, hasBias: Bool, activation: FusedActivation) {
        (self.pass, geometry, self.filters, self.hasBias, self.activation) = (pass, g, filters, hasBias, activation)
        workers = Swift.max(1, Swift.min(Parallelism.workers, g.batch))
        var created: [OpaquePointer] = []
        for w in 0..<workers {
            let batch = Parallelism.share(g.batch, worker: w, of: workers).count
            guard let p = oneDNNConvolutionPrimitive(pass, g, batch: batch, filters: filters, hasBias: hasBias, activation: activation) else {
                created.forEach { tg_dnnl_conv_destroy($0) }
                return nil
            }
            created.append(p)
        }
        primitives = created
    }

    deinit { primitives.forEach { tg_dnnl_conv_destroy($0) } }

    /// oneDNN's name for the kernel it runs (`brgconv:avx512_core`, `jit:avx2`, ...).
    var implementation: String { String(cString: tg_dnnl_conv_implementation(primitives[0])) }

    func fits(_ pass: ConvolutionPass, _ g: WindowGeometry, filters: Int, hasBias: Bool, activation: FusedActivation) -> Bool {
        self.pass == pass && geometry == g && self.filters == filters && self.hasBias == hasBias && self.activation == activation
    }

    /// Whether oneDNN runs this pass for this shape (see the file's header for the measurements).
    static func isChosen<T>(_ type: T.Type, _ pass: ConvolutionPass, _ g: WindowGeometry, filters: Int) -> Bool {
        guard T.self == Float.self, filters > 0, g.channels > 0, g.outputPositions > 0 else { return false }
        switch ConvolutionAlgorithm.forcedName {
        case "onednn": return true
        case "direct", "gemm": return false
        default: return g.batch >= Parallelism.workers && (pass != .backwardData || g.channels >= 8)
        }
    }

    /// The storage of the filter each primitive's blocked copy was last reordered from, while that copy is
    /// still valid (forward pass only; nil: reorder on the next run).
    private var reorderedFilter: TensorStorage?

    /// Runs the pass. Operands: forward (x, filter, bias, y), input gradient (dy, filter, -, dx), filter
    /// gradient (x, dy, -, dw) with `partials` holding workers − 1 filter-sized partial sums. False if oneDNN failed.
    ///
    /// `filter` (forward only) is the storage the filter operand `b` points into. When it is the storage the
    /// previous run reordered and no variable owns it, its bytes are unchanged — nothing in TensorGraph writes
    /// to a storage another reference holds (every reuse checks `isKnownUniquelyReferenced`, see
    /// `BufferPool.accepts`; variables, updated in place, are flagged `isVariable`) and this object holds one —
    /// so the primitives' blocked copies are reused instead of reordering the whole filter again: for
    /// inference with constant filters the reorder runs once, not per call and worker.
    func run<T>(_ a: UnsafeMutablePointer<T>, _ b: UnsafeMutablePointer<T>, bias: UnsafeMutablePointer<T>?,
                _ out: UnsafeMutablePointer<T>, partials: WorkerBuffers<Float>?, filter: TensorStorage? = nil) -> Bool {
        precondition(T.self == Float.self, "oneDNN convolutions run float32 only (isChosen checks)")
        let a = readOnlyFloats(a), b = readOnlyFloats(b), bias = bias.map(readOnlyFloats)
        let out = UnsafeMutableRawPointer(out).assumingMemoryBound(to: Float.self)
        let reusable = pass == .forward ? unchangingFilter(filter, at: b) : nil
        let filterReady = reusable != nil && reusable === reorderedFilter
        reorderedFilter = nil
        return withUnsafeTemporaryAllocation(of: Bool.self, capacity: workers) { ok in
            ok.initialize(repeating: false)
            Parallelism.run(workers: workers, Job(convolution: self, a: a, b: b, bias: bias, out: out, partials: partials,
                                                  filterReady: filterReady, ok: ok.baseAddress!))
            guard ok.allSatisfy({ $0 }) else { return false }
            reorderedFilter = reusable
            if pass == .backwardFilter, let partials {
                let count = geometry.patchSize * filters
                for w in 1..<workers {
                    let p = partials[w - 1]
                    for i in 0..<count { out[i] += p[i] }
                }
            }
            return true
        }
    }

    private struct Job: WorkerJob {
        let convolution: OneDNNConvolution
        let a: UnsafePointer<Float>, b: UnsafePointer<Float>, bias: UnsafePointer<Float>?, out: UnsafeMutablePointer<Float>
        let partials: WorkerBuffers<Float>?, filterReady: Bool, ok: UnsafeMutablePointer<Bool>

        func run(worker w: Int) {
            let c = convolution, g = c.geometry
            let first = Parallelism.share(g.batch, worker: w, of: c.workers).lowerBound
            let imageIn = g.height * g.width * g.channels, imageOut = g.outHeight * g.outWidth * c.filters
            let primitive = c.primitives[w]
            switch c.pass {
            case .forward:
                ok[w] = tg_dnnl_conv_execute_reusing(primitive, a + first * imageIn, b, bias, out + first * imageOut, filterReady ? 1 : 0) == 1
            case .backwardData:
                ok[w] = tg_dnnl_conv_execute(primitive, a + first * imageOut, b, nil, out + first * imageIn) == 1
            case .backwardFilter:
                guard w == 0 || partials != nil else { return }
                let target = w == 0 ? out : partials![w - 1]
                ok[w] = tg_dnnl_conv_execute(primitive, a + first * imageIn, b + first * imageOut, nil, target) == 1
            }
        }
    }
}

/// `filter` when its bytes cannot change between runs while a reference to it is held — it is the storage
/// `pointer` reads and no variable owns it (see `OneDNNConvolution.run`) — so a blocked copy made from it
/// stays valid as long as the same storage comes back.
func unchangingFilter(_ filter: TensorStorage?, at pointer: UnsafePointer<Float>) -> TensorStorage? {
    guard let filter, !filter.isVariable, UnsafeRawPointer(filter.pointer) == UnsafeRawPointer(pointer) else { return nil }
    return filter
}

extension KernelContext {
    /// The step's oneDNN convolution for this pass and geometry — created on the first call and again when
    /// the geometry changes — or nil when TensorGraph's own kernels run it (by shape, or oneDNN has none).
    func oneDNNConvolution<T>(_ type: T.Type, _ pass: ConvolutionPass, _ g: WindowGeometry, filters: Int, hasBias: Bool = false,
                              activation: FusedActivation = .none) -> OneDNNConvolution? {
        guard OneDNNConvolution.isChosen(T.self, pass, g, filters: filters) else { return nil }
        if let existing = kernelResources as? OneDNNConvolution,
           existing.fits(pass, g, filters: filters, hasBias: hasBias, activation: activation) {
            return existing
        }
        if let failed = kernelResources as? UnavailableConvolution, failed.geometry == g { return nil }
        if let created = OneDNNConvolution(pass, g, filters: filters, hasBias: hasBias, activation: activation) {
            kernelResources = created
            return created
        }
        kernelResources = UnavailableConvolution(geometry: g)
        return nil
    }
}

/// Remembers that oneDNN had no primitive for a geometry, so the step does not ask again every run.
final class UnavailableConvolution {
    let geometry: WindowGeometry
    init(geometry: WindowGeometry) { self.geometry = geometry }
}

extension Parallelism {
    /// Which kernels run a float32 SAME convolution of `input` [N, H, W, C] with `filters` filters of
    /// `kernel` size, per pass: oneDNN's implementation name (`brgconv:avx512_core`, `jit:avx2`, ...) or
    /// TensorGraph's own loops. For the benchmark report.
    public static func convolutionKernels(input: [Int], kernel: (Int, Int), filters: Int) -> String {
        guard let g = WindowGeometry(input: input, kernel: kernel, strides: (1, 1), padding: .same) else { return "invalid geometry" }
        let passes: [(ConvolutionPass, String)] = [(.forward, "forward"), (.backwardData, "input gradient"), (.backwardFilter, "filter gradient")]
        return passes.map { pass, name in
            guard OneDNNConvolution.isChosen(Float.self, pass, g, filters: filters),
                  let c = OneDNNConvolution(pass, g, filters: filters, hasBias: pass == .forward, activation: pass == .forward ? .relu : .none)
            else { return "\(name): TensorGraph's own loops" }
            return "\(name): oneDNN \(c.implementation)"
        }.joined(separator: ", ")
    }
}
