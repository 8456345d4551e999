import CKernels
import Foundation

/// Which convolution algorithm a float32 layer uses.
enum ConvolutionAlgorithm {
    /// Register-blocked C loops over a zero-padded copy of each image (8 output pixels × 32 filters, or
    /// 16 × 16, accumulated in registers): no patch matrix, no BLAS packing. The input gradient of a
    /// stride-1 layer is the same loop over dy with the filter rotated 180° and its channels swapped.
    case direct
    /// Patch matrix (im2col) and GEMM: float64, and filter counts the blocked loops do not cover.
    case gemm

    /// `TENSORGRAPH_CONV=onednn|direct|gemm` forces one (for measurements). By default float32 layers run on
    /// oneDNN where `OneDNNConvolution.isChosen` says so, and otherwise direct when their filter (and, for
    /// gradients, channel) counts fit the blocking.
    static let forcedName: String? = ProcessInfo.processInfo.environment["TENSORGRAPH_CONV"]?.lowercased()

    /// The forced choice among TensorGraph's own algorithms (nil: by shape).
    static let forced: ConvolutionAlgorithm? = {
        switch forcedName {
        case "direct": return .direct
        case "gemm": return .gemm
        default: return nil
        }
    }()

    /// Direct when the blocked loops' row blocks are mostly real pixels, else the patch-matrix GEMM.
    static func forward<T>(_ type: T.Type, _ g: WindowGeometry, filters f: Int) -> ConvolutionAlgorithm {
        guard T.self == Float.self, f % 16 == 0, f > 0 else { return .gemm }
        return forced ?? (prefersDirect(g, filters: f) ? .direct : .gemm)
    }

    /// Direct unless the output rows are narrow for the loops' row blocks (under 3/4 of each block of 8
    /// pixels when the filters come in 32s, else 16; see `block_pixels` in CKernels/direct_conv.c) and
    /// the filter is large (≥ 2^17 floats, past L2): then each row block re-streams the whole filter
    /// from memory for a few real pixels. Measured at batch 1: the 2×2 and 4×4 stages of ResNet50 at
    /// 64×64 (filters of 2^18-2^21 floats) ran 2-8× faster as im2col + GEMM (the whole model 83 → 41 ms),
    /// while MobileNetV2's 3×3 expand layers (56 × 336 filter) ran 2-5× slower that way, and wide layers
    /// with small patches (a 7×7 stem over 3 channels) ran ~10× faster direct.
    static func prefersDirect(_ g: WindowGeometry, filters f: Int) -> Bool {
        let block = f % 32 == 0 ? 8 : 16
        let padded = (g.outWidth + block - 1) / block * block
        return g.outWidth * 4 >= padded * 3 || g.patchSize * f < 1 << 17
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
