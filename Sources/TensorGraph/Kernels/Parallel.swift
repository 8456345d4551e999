import CBLAS
import Dispatch
import Foundation

/// How kernels use the machine's cores.
///
/// BLAS runs single-threaded and TensorGraph splits work itself (convolution batch chunks, GEMM
/// row blocks, large elementwise loops), so the two never oversubscribe the cores. Work is assigned
/// to workers statically, so results are bit-for-bit reproducible run to run.
public enum Parallelism {
    /// Worker threads kernels may use (default: active cores; `TENSORGRAPH_THREADS` overrides).
    public static let workers: Int = {
        if let text = ProcessInfo.processInfo.environment["TENSORGRAPH_THREADS"], let n = Int(text), n > 0 { return n }
        return Swift.max(1, ProcessInfo.processInfo.activeProcessorCount)
    }()

    /// Puts BLAS in single-threaded mode once per process.
    static let configureBLAS: Void = { openblas_set_num_threads(1) }()

    /// Runs `body(worker)` for each worker in parallel (inline when there is one).
    static func run(workers count: Int = workers, _ body: (Int) -> Void) {
        if count <= 1 { return body(0) }
        // Kernels hand each worker a disjoint slice of memory; the closure is only used for this call.
        withoutActuallyEscaping(body) { escapable in
            let shared = unsafeBitCast(escapable, to: (@Sendable (Int) -> Void).self)
            DispatchQueue.concurrentPerform(iterations: count, execute: shared)
        }
    }

    /// Splits 0..<n into one contiguous range per worker and runs them in parallel when `work`
    /// (a rough operation count) makes it worthwhile.
    static func forRanges(_ n: Int, work: Int, minimumWork: Int = 1 << 16, _ body: (Range<Int>) -> Void) {
        let count = work >= minimumWork ? Swift.min(workers, n) : 1
        if count <= 1 { return body(0..<n) }
        run(workers: count) { w in
            let start = n * w / count, end = n * (w + 1) / count
            if start < end { body(start..<end) }
        }
    }
}

