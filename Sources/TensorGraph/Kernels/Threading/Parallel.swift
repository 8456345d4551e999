import CDNNL
import CKernels
import CBLAS
import Dispatch
import Foundation

/// How kernels use the machine's cores.
///
/// BLAS runs single-threaded and TensorGraph splits work itself (convolution batch chunks, GEMM
/// row blocks, large elementwise loops), so the two never oversubscribe the cores. Work is assigned
/// to workers statically, so results are bit-for-bit reproducible run to run.
public enum Parallelism {
    /// Worker threads kernels may use (default: active cores; `TENSORGRAPH_THREADS` overrides), at most
    /// `WorkerPool.maxThreads`: a larger request is clamped rather than refused (see there for why).
    public static let workers: Int = {
        if let text = ProcessInfo.processInfo.environment["TENSORGRAPH_THREADS"], let n = Int(text), n > 0 {
            return Swift.min(n, WorkerPool.maxThreads)
        }
        return Swift.max(1, Swift.min(ProcessInfo.processInfo.activeProcessorCount, WorkerPool.maxThreads))
    }()

    /// Prepares BLAS once per process: single-threaded (TensorGraph splits work itself), and with kernels
    /// for the instruction set TensorGraph's own loops use — the CPU's best, capped by `ONEDNN_MAX_CPU_ISA`
    /// (one switch for every kernel in the process): AVX-512 kernels on CPUs that have AVX-512 but that
    /// OpenBLAS 0.3.21 does not recognise (it runs AMD Zen 4 with its Haswell kernels, half the speed), and
    /// AVX2 or SSE kernels when the cap asks for them. Chosen from cpuid features, never CPU names.
    /// `TENSORGRAPH_BLAS_CORETYPE=keep` or an explicit `OPENBLAS_CORETYPE` leaves OpenBLAS's own choice alone.
    static let configureBLAS: Void = {
        let environment = ProcessInfo.processInfo.environment
        let level = tg_isa_level()
        if environment["TENSORGRAPH_BLAS_DEBUG"] != nil {
            print("blas: core \(blasCoreName) isa level \(level) env \(environment["OPENBLAS_CORETYPE"] ?? "-")")
        }
        if environment["OPENBLAS_CORETYPE"] == nil, environment["TENSORGRAPH_BLAS_CORETYPE"] != "keep" {
            let avx512Cores: Set<String> = ["SkylakeX", "Cooperlake", "SapphireRapids"]
            var wanted: String?
            if level == 2, blasCoreName == "Haswell" || blasCoreName == "Zen" { wanted = "SkylakeX" }
            if level == 1, avx512Cores.contains(blasCoreName) { wanted = "Haswell" }
            if level == 0, avx512Cores.contains(blasCoreName) || ["Haswell", "Zen"].contains(blasCoreName) { wanted = "Nehalem" }
            if let wanted {
                setenv("OPENBLAS_CORETYPE", wanted, 1)
                gotoblas_dynamic_quit()
                gotoblas_dynamic_init()
            }
        }
        openblas_set_num_threads(1)
    }()

    /// The float32 GEMM library and the instruction set it runs with, e.g. `oneDNN 2.6.3 dnnl_sgemm
    /// (avx512_core_bf16)` or `OpenBLAS (SkylakeX kernels)` under `TENSORGRAPH_GEMM=openblas`.
    public static var gemmDescription: String {
        if GemmLibrary.float32 == .openBLAS { return "OpenBLAS cblas_sgemm (\(blasCoreName) kernels)" }
        let v = dnnl_version().pointee
        return "oneDNN \(v.major).\(v.minor).\(v.patch) dnnl_sgemm (\(oneDNNInstructionSet))"
    }

    /// The instruction set oneDNN's JIT kernels use on this CPU under the current cap.
    public static var oneDNNInstructionSet: String {
        let isa = dnnl_get_effective_cpu_isa()
        let names: [(dnnl_cpu_isa_t, String)] = [
            (dnnl_cpu_isa_avx512_core_amx, "avx512_core_amx"), (dnnl_cpu_isa_avx512_core_bf16, "avx512_core_bf16"),
            (dnnl_cpu_isa_avx512_core_vnni, "avx512_core_vnni"), (dnnl_cpu_isa_avx512_core, "avx512_core"),
            (dnnl_cpu_isa_avx2_vnni, "avx2_vnni"), (dnnl_cpu_isa_avx2, "avx2"), (dnnl_cpu_isa_avx, "avx"),
            (dnnl_cpu_isa_sse41, "sse41"),
        ]
        return names.first { $0.0 == isa }?.1 ?? "isa \(isa.rawValue)"
    }

    /// The kernel set OpenBLAS is using (e.g. `Haswell`, `SkylakeX`); float64 GEMMs run there.
    public static var blasCoreName: String { openblas_get_corename().map { String(cString: $0) } ?? "unknown" }

    /// Whether the CPU has the AVX-512 subsets OpenBLAS's SkylakeX kernels use (F, BW, DQ, VL).
    static let cpuHasAVX512: Bool = {
        guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let flags = info.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return false }
        let set = Set(flags.split(separator: " ").map(String.init))
        return ["avx512f", "avx512bw", "avx512dq", "avx512vl"].allSatisfy(set.contains)
    }()

    /// The instruction set TensorGraph's own C loops run with on this CPU (`avx512f`, `avx2+fma`, ...).
    public static var kernelInstructionSet: String { String(cString: tg_kernels_isa()) }

    /// The CPU's model name and the vector instruction-set extensions it reports (from /proc/cpuinfo flags).
    public static var cpuDescription: (model: String, extensions: [String]) {
        guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return ("unknown", []) }
        let lines = info.split(separator: "\n")
        let model = lines.first { $0.hasPrefix("model name") }.flatMap { $0.split(separator: ":", maxSplits: 1).last }
            .map { $0.trimmingCharacters(in: .whitespaces) } ?? "unknown"
        let flags = lines.first { $0.hasPrefix("flags") }.map { $0.split(separator: " ").map(String.init) } ?? []
        let interesting = ["sse4_2", "avx", "avx2", "fma", "avx512f", "avx512bw", "avx512dq", "avx512vl", "avx512_vnni", "avx512_bf16", "amx_tile"]
        return (model, interesting.filter(flags.contains))
    }

    /// Call before the first BLAS use (idempotent).
    public static func prepareBLAS() { _ = configureBLAS }

    /// Runs `job.run(worker:)` for each worker in parallel (inline when there is one).
    static func run<J: WorkerJob>(workers count: Int = workers, _ job: J) {
        if count <= 1 { return job.run(worker: 0) }
        WorkerPool.shared.run(Swift.min(count, workers), job)
    }

    /// Worker `w`'s part of 0..<n when it is split into `parts` contiguous ranges (sizes differ by at most one).
    @inline(__always) static func share(_ n: Int, worker w: Int, of parts: Int) -> Range<Int> {
        (n * w / parts)..<(n * (w + 1) / parts)
    }

    /// Splits 0..<n into one contiguous range per worker and runs them in parallel when `work`
    /// (a rough operation count) makes it worthwhile.
    static func forRanges<J: RangeJob>(_ n: Int, work: Int, minimumWork: Int = 1 << 16, _ job: J) {
        let count = work >= minimumWork ? Swift.min(workers, n) : 1
        if count <= 1 { return job.run(0..<n) }
        run(workers: count, RangeSplit(job: job, n: n, parts: count))
    }
}

/// One parallel launch: `run(worker:)` does worker `w`'s share.
///
/// Kernels describe their parallel loops as small structs of pointers and sizes rather than closures:
/// a closure handed to another thread has to be converted to an escaping one, and Swift allocates its
/// context on the heap each time, which would put an allocation in every parallel kernel call.
protocol WorkerJob {
    func run(worker: Int)
}

/// A loop over `0..<n` that can run as contiguous ranges on different workers.
protocol RangeJob {
    func run(_ range: Range<Int>)
}

/// Splits a `RangeJob` into `parts` contiguous ranges, one per worker.
struct RangeSplit<J: RangeJob>: WorkerJob {
    let job: J
    let n: Int
    let parts: Int
    func run(worker w: Int) {
        let range = Parallelism.share(n, worker: w, of: parts)
        if !range.isEmpty { job.run(range) }
    }
}
