import CKernels

// Launchers for the register-blocked float32 C loops (direct_conv.c): no patch matrix, no BLAS.
// The drivers in Drivers.swift pick them through ConvolutionAlgorithm.

/// Direct convolution of a range of images (float32).
private struct DirectConvImages: WorkerJob {
    let x: UnsafePointer<Float>, filter: UnsafePointer<Float>, f: Int, window: tg_window, workers: Int
    let bias: UnsafePointer<Float>?, activation: FusedActivation, out: UnsafeMutablePointer<Float>, scratch: WorkerBuffers<Float>
    func run(worker w: Int) {
        let n = window.batch, rows = window.out_height
        // Whole images per worker, or, with fewer images than workers (single-image inference), a band of
        // output rows of every image.
        let images = n >= workers ? Parallelism.share(n, worker: w, of: workers) : 0..<n
        let band = n >= workers ? 0..<rows : Parallelism.share(rows, worker: w, of: workers)
        withUnsafePointer(to: window) { g in
            tg_conv2d_direct_f32(x, filter, f, g, images.lowerBound, images.upperBound, band.lowerBound, band.upperBound,
                                 bias, activation.bounds.lower, activation.bounds.upper, out, scratch[w])
        }
    }
}

/// The direct convolution over all images, split across workers by image.
func directConvolution(_ x: UnsafePointer<Float>, _ filter: UnsafePointer<Float>, _ g: WindowGeometry, filters f: Int,
                       bias: UnsafePointer<Float>?, activation: FusedActivation, out: UnsafeMutablePointer<Float>, scratch: WorkerBuffers<Float>) {
    let workers = ConvolutionAlgorithm.directWorkers(g, filters: f)
    Parallelism.run(workers: workers, DirectConvImages(x: x, filter: filter, f: f, window: g.c, workers: workers, bias: bias,
                                                       activation: activation, out: out, scratch: scratch))
}

/// Direct filter gradient (float32), each worker over its images into its own partial sum. Single-channel
/// layers other than 5×5 use the per-tap loop; the rest the blocked loop over a padded copy of each image.
struct DirectFilterGradient: WorkerJob {
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
