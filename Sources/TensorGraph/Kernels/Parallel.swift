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

    /// Prepares BLAS once per process: single-threaded (TensorGraph splits work itself), and with
    /// AVX-512 kernels on CPUs that have AVX-512 but that OpenBLAS 0.3.21 does not recognise
    /// (it runs AMD Zen 4 with its Haswell kernels, half the speed). `TENSORGRAPH_BLAS_CORETYPE=keep`
    /// or an explicit `OPENBLAS_CORETYPE` leaves OpenBLAS's own choice alone.
    static let configureBLAS: Void = {
        let environment = ProcessInfo.processInfo.environment
        if environment["TENSORGRAPH_BLAS_DEBUG"] != nil {
            print("blas: core \(blasCoreName) avx512 \(cpuHasAVX512) env \(environment["OPENBLAS_CORETYPE"] ?? "-")")
        }
        if environment["OPENBLAS_CORETYPE"] == nil, environment["TENSORGRAPH_BLAS_CORETYPE"] != "keep",
           blasCoreName == "Haswell" || blasCoreName == "Zen", cpuHasAVX512 {
            setenv("OPENBLAS_CORETYPE", "SkylakeX", 1)
            gotoblas_dynamic_quit()
            gotoblas_dynamic_init()
        }
        openblas_set_num_threads(1)
    }()

    /// The kernel set OpenBLAS is using (e.g. `Haswell`, `SkylakeX`).
    public static var blasCoreName: String { openblas_get_corename().map { String(cString: $0) } ?? "unknown" }

    /// Whether the CPU has the AVX-512 subsets OpenBLAS's SkylakeX kernels use (F, BW, DQ, VL).
    static let cpuHasAVX512: Bool = {
        guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let flags = info.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return false }
        let set = Set(flags.split(separator: " ").map(String.init))
        return ["avx512f", "avx512bw", "avx512dq", "avx512vl"].allSatisfy(set.contains)
    }()

    /// Call before the first BLAS use (idempotent).
    public static func prepareBLAS() { _ = configureBLAS }

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

