import CKernels
/// Max pooling over NHWC windows (`ksize`, `strides`, `padding`): [N, H, W, C] → [N, OH, OW, C].
///
/// Gradient: MaxPoolGrad(input, output, g), which routes g to each window's (first) maximum.
public enum MaxPool: Op {
    public static let wireName = "MaxPool"

    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] { try WindowAttributes.poolOutputs(ctx) }

    public static func compute(_ ctx: KernelContext) throws {
        let x = ctx.input(0)
        let (g, shape) = try ctx.pooledGeometry(of: x)
        let out = try ctx.allocateOutput(0, x.dtype, shape)
        // When this run also computes MaxPoolGrad, record where each maximum came from for it.
        // Flat input indices are stored as Int32: inputs of 2³¹ elements or more go without (the gradient searches).
        let argmax = ctx.recordsSideResults && x.count <= argmaxElementLimit ? try ctx.scratch(Int32.self, count: out.count, slot: 0) : nil
        switch x.dtype {
        case .float: maxPool(x.pointer(Float.self), g, out.pointer(Float.self), argmax: argmax)
        case .double: maxPool(x.pointer(Double.self), g, out.pointer(Double.self), argmax: argmax)
        default: throw ctx.error("no kernel for dtype \(x.dtype)")
        }
        ctx.argmax = argmax
        ctx.sideResultsRun = argmax == nil ? -1 : ctx.runCounter
    }

    /// Inputs with more elements keep no argmax (indices are Int32); tests lower it to reach that path.
    nonisolated(unsafe) static var argmaxElementLimit = Int(Int32.max)

    public static func gradient(_ ctx: GradientContext) throws -> [Output?] {
        let w = try WindowAttributes.of(ctx.node)
        return [try ctx.graph.maxPoolGrad(original: ctx.input(0), pooled: ctx.output(), grad: ctx.grad(),
                                          ksize: w.kernel!, strides: w.strides, padding: w.padding)]
    }
}

/// The gradient of MaxPool: (orig_input, orig_output, grad) → [N, H, W, C].
///
/// No gradient rule of its own (TF's is MaxPoolGradGrad); differentiating it throws.
public enum MaxPoolGrad: Op {
    public static let wireName = "MaxPoolGrad"
    public static var differentiability: Differentiability { .missing }

    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] {
        try ctx.checkInputCount(3)
        let dtype = try ctx.commonDType()
        try ctx.requireFloat(dtype)
        _ = try WindowAttributes(ctx.attrs, needsKernel: true, fail: ctx.error)
        return [ctx.inputs[0]]
    }

    public static func compute(_ ctx: KernelContext) throws {
        let x = ctx.input(0), pooled = ctx.input(1), dy = ctx.input(2)
        let g = try ctx.derived { () throws -> WindowGeometry in
            let w = try ctx.windowAttributes(needsKernel: true)
            let g = try ctx.geometry(input: x.shape, kernel: w.kernel!, w)
            let pooledShape = [g.batch, g.outHeight, g.outWidth, g.channels]
            guard dy.shape == pooledShape, pooled.shape == pooledShape else {
                throw ctx.error("grad \(dy.shape) and output \(pooled.shape) must have the pooled shape \(pooledShape) of input \(x.shape)")
            }
            return g
        }
        let out = try ctx.allocateOutput(0, x.dtype, x.shape)
        if let forward = ctx.partner, forward.sideResultsRun == forward.runCounter, let argmax = forward.argmax {
            switch x.dtype {
            case .float: return maxPoolGradScatter(dy.pointer(Float.self), argmax, g, out.pointer(Float.self))
            case .double: return maxPoolGradScatter(dy.pointer(Double.self), argmax, g, out.pointer(Double.self))
            default: throw ctx.error("no kernel for dtype \(x.dtype)")
            }
        }
        let assigned = try ctx.scratch(Bool.self, count: g.channels)
        switch x.dtype {
        case .float: maxPoolGrad(x.pointer(Float.self), pooled.pointer(Float.self), g, dy.pointer(Float.self), out.pointer(Float.self), assigned: assigned)
        case .double: maxPoolGrad(x.pointer(Double.self), pooled.pointer(Double.self), g, dy.pointer(Double.self), out.pointer(Double.self), assigned: assigned)
        default: throw ctx.error("no kernel for dtype \(x.dtype)")
        }
    }
}

extension Graph {
    /// Max pooling with window `ksize` (kh, kw).
    public func maxPool(_ x: Output, ksize: (Int, Int), strides: (Int, Int), padding: Padding, name: String? = nil,
                        file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        var attrs = WindowAttributes.attributes(strides: strides, padding: padding, kernel: ksize)
        attrs["T"] = .type(x.dtype)
        return try addOutput(MaxPool.self, name: name, [x], attrs: attrs, file: file, line: line)
    }

    /// The gradient of a max pool.
    public func maxPoolGrad(original: Output, pooled: Output, grad: Output, ksize: (Int, Int), strides: (Int, Int), padding: Padding,
                            file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        var attrs = WindowAttributes.attributes(strides: strides, padding: padding, kernel: ksize)
        attrs["T"] = .type(original.dtype)
        return try addOutput(MaxPoolGrad.self, [original, pooled, grad], attrs: attrs, file: file, line: line)
    }
}

/// ReluGrad(MaxPoolGrad(y, pooled, g), y) as the plan fuses it (see `ExecutionPlan.fusePoolingGradients`):
/// inputs (g, y, pooled), the argmax from the MaxPool partner. dx = 0, then dx[argmax[o]] += g[o] where
/// pooled[o] > 0; with `recordsSideResults`, also the per-channel sums of dx for a BiasAddGrad.
func fusedMaxPoolReluGrad(_ ctx: KernelContext) throws {
    let grad = ctx.input(0), y = ctx.input(1), pooled = ctx.input(2)
    guard let forward = ctx.partner else { throw ctx.error("internal: fused pooling gradient without its MaxPool") }
    guard grad.shape == pooled.shape, y.dtype == grad.dtype, pooled.dtype == grad.dtype else {
        throw ctx.error("gradient \(grad.shape) and pooled output \(pooled.shape) do not match features \(y.shape)")
    }
    // The MaxPool's window over the features, cached while the shapes stay the same.
    let g = try ctx.derived { () throws -> WindowGeometry in
        let window = try WindowAttributes.of(forward.node)
        guard let kernel = window.kernel,
              let g = WindowGeometry(input: y.shape, kernel: kernel, strides: window.strides, padding: window.padding),
              grad.shape == [g.batch, g.outHeight, g.outWidth, g.channels] else {
            throw ctx.error("gradient \(grad.shape) does not match the pooling of features \(y.shape)")
        }
        return g
    }
    let out = try ctx.allocateOutput(0, y.dtype, y.shape)
    guard forward.sideResultsRun == forward.runCounter, let argmax = forward.argmax else {
        return try searchedMaxPoolReluGrad(ctx, g, out: out)
    }
    let workers = y.count >= 1 << 15 ? Swift.min(Parallelism.workers, g.batch) : 1
    func run<T: FloatScalar>(_: T.Type) throws {
        let sums = ctx.recordsSideResults ? try ctx.workerBuffers(T.self, workers: workers + 1, count: g.channels, slot: 0) : nil
        Parallelism.run(workers: workers, MaxPoolReluGradScatter(
            grad: grad.pointer(T.self), pooled: pooled.pointer(T.self), argmax: argmax, dx: out.pointer(T.self),
            g: g, workers: workers, sums: sums))
        guard let sums else { return }
        // Partials added in worker order (deterministic), into the last region.
        let total = sums[workers]
        total.update(from: sums[0], count: g.channels)
        for w in 1..<workers { for j in 0..<g.channels { total[j] += sums[w][j] } }
        ctx.channelSums = UnsafeMutableRawPointer(total)
        ctx.channelSumsRun = ctx.runCounter
    }
    switch y.dtype {
    case .float: try run(Float.self)
    case .double: try run(Double.self)
    default: throw ctx.error("no kernel for dtype \(y.dtype)")
    }
}

/// Worker `w`'s images of the fused MaxPoolGrad + ReluGrad scatter (and its per-channel sums).
private struct MaxPoolReluGradScatter<T: FloatScalar>: WorkerJob {
    let grad: UnsafePointer<T>, pooled: UnsafePointer<T>, argmax: UnsafePointer<Int32>, dx: UnsafeMutablePointer<T>
    let g: WindowGeometry, workers: Int
    let sums: WorkerBuffers<T>?

    func run(worker w: Int) {
        let images = Parallelism.share(g.batch, worker: w, of: workers)
        let (first, end) = (images.lowerBound, images.upperBound)
        let partial = sums?[w]
        if let partial { partial.update(repeating: 0, count: g.channels) }
        if T.self == Float.self, g.tilesByTwo {
            // 2×2/2 windows that tile the input: the C loop writes each input position once, no scatter.
            return tg_maxpool_relu_grad_2x2_f32(floats(grad), floats(pooled), argmax, first, end, g.height, g.width, g.channels,
                                                floats(dx), partial.map { floats($0) })
        }
        let perImageIn = g.height * g.width * g.channels, perImageOut = g.outHeight * g.outWidth * g.channels
        (dx + first * perImageIn).update(repeating: 0, count: (end - first) * perImageIn)
        // Branch-free on the relu mask (about half the pooled values are 0, an unpredictable branch).
        var o = first * perImageOut
        let last = end * perImageOut
        while o < last {
            for c in 0..<g.channels {
                let value = pooled[o + c] > 0 ? grad[o + c] : 0
                let at = Int(argmax[o + c])
                if at >= 0 { dx[at] += value }
                if let partial { partial[c] += value }
            }
            o += g.channels
        }
    }
}

/// The fused gradient when the MaxPool kept no argmax (inputs too large for Int32 indices): MaxPoolGrad's
/// search, then the relu mask, then the per-channel sums — the separate ops' arithmetic, in one step.
private func searchedMaxPoolReluGrad(_ ctx: KernelContext, _ g: WindowGeometry, out: Tensor) throws {
    let grad = ctx.input(0), y = ctx.input(1), pooled = ctx.input(2)
    func run<T: FloatScalar>(_: T.Type) throws {
        let dx = out.pointer(T.self), features = y.pointer(T.self)
        maxPoolGrad(features, pooled.pointer(T.self), g, grad.pointer(T.self), dx, assigned: try ctx.scratch(Bool.self, count: g.channels, slot: 1))
        for i in 0..<out.count where !(features[i] > 0) { dx[i] = 0 }
        guard ctx.recordsSideResults else { return }
        let sums = try ctx.scratch(T.self, count: g.channels, slot: 2)
        sums.update(repeating: 0, count: g.channels)
        for i in 0..<out.count { sums[i % g.channels] += dx[i] }
        ctx.channelSums = UnsafeMutableRawPointer(sums)
        ctx.channelSumsRun = ctx.runCounter
    }
    switch y.dtype {
    case .float: try run(Float.self)
    case .double: try run(Double.self)
    default: throw ctx.error("no kernel for dtype \(y.dtype)")
    }
}
