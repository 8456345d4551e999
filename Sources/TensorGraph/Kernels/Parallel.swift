import CBLAS
import Dispatch
import Foundation
import Synchronization

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
        WorkerPool.shared.run(Swift.min(count, workers), body)
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


/// Persistent helper threads with microsecond hand-off.
///
/// Kernels in a training step are short (tens of microseconds), so waking a sleeping thread per
/// kernel (as `DispatchQueue.concurrentPerform` does) would cost as much as the work. Helpers spin
/// briefly after each job and only then sleep; the caller runs worker 0 itself and spins until the
/// helpers finish. Calls are serialized by the caller (sessions run one step at a time).
final class WorkerPool: @unchecked Sendable {
    static let shared = WorkerPool(helpers: Parallelism.workers - 1)

    private let generation = Atomic<Int>(0)
    private let remaining = Atomic<Int>(0)
    private let sleepers = Atomic<Int>(0)
    private let condition = NSCondition()
    private let callerLock = NSLock()
    private var job: ((Int) -> Void)?
    private var jobCount = 0
    private let helpers: Int

    private init(helpers: Int) {
        self.helpers = Swift.max(helpers, 0)
        for index in 0..<self.helpers {
            let thread = Thread { [unowned self] in self.helperLoop(index + 1) }
            thread.name = "TensorGraph worker \(index + 1)"
            thread.start()
        }
    }

    func run(_ count: Int, _ body: (Int) -> Void) {
        callerLock.lock()
        defer { callerLock.unlock() }
        withoutActuallyEscaping(body) { escapable in
            job = escapable
            jobCount = count
            remaining.store(helpers, ordering: .relaxed)
            // Sequentially consistent: pairs with the helper's sleepers/generation check (a Dekker handshake).
            generation.add(1, ordering: .sequentiallyConsistent)
            if sleepers.load(ordering: .sequentiallyConsistent) > 0 {
                condition.lock()
                condition.broadcast()
                condition.unlock()
            }
            body(0)
            var spins = 0
            while remaining.load(ordering: .acquiring) > 0 {
                spins += 1
                if spins > 1000 { sched_yield() }
            }
            job = nil
        }
    }

    private func helperLoop(_ index: Int) {
        var seen = 0
        while true {
            var spins = 0
            while generation.load(ordering: .acquiring) == seen {
                spins += 1
                if spins < 200_000 { continue }  // stay hot between the kernels of a step (~100 µs)
                condition.lock()
                sleepers.add(1, ordering: .sequentiallyConsistent)
                while generation.load(ordering: .sequentiallyConsistent) == seen { condition.wait() }
                sleepers.subtract(1, ordering: .releasing)
                condition.unlock()
            }
            seen = generation.load(ordering: .acquiring)
            if index < jobCount, let job { job(index) }
            remaining.subtract(1, ordering: .releasing)
        }
    }
}
