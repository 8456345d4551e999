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

/// Persistent helper threads with microsecond hand-off.
///
/// Kernels in a training step are short (tens of microseconds), so waking a sleeping thread per
/// kernel (as `DispatchQueue.concurrentPerform` does) would cost as much as the work. Helpers spin
/// briefly after each job and only then sleep. A job is split into shares (share `w` always computes
/// the same part, so results do not depend on which thread runs it). Each thread claims its own share
/// first — the caller share 0, helper k share k, so consecutive kernels touch the same data on the same
/// core — and then any share still unclaimed: when a helper is slow to start (a busy or shared core) the
/// caller takes its share instead of waiting for it. Calls are serialized by the caller.
final class WorkerPool: @unchecked Sendable {
    static let shared = WorkerPool(helpers: Parallelism.workers - 1)

    /// Bumped for every job; helpers wait for it to change.
    private let generation = Atomic<Int>(0)
    /// The current job's claim word: generation << 32 | share count << 16 | bit mask of claimed shares.
    private let claims = Atomic<Int>(0)
    /// Shares of the current job finished.
    private let finished = Atomic<Int>(0)
    private let sleepers = Atomic<Int>(0)
    private let condition = NSCondition()
    private let callerLock = NSLock()
    /// The current job (the caller's struct, on its stack while `run` waits) and how to call it; read
    /// only by a thread holding an unfinished share of it.
    private var job: UnsafeRawPointer?
    private var jobInvoke: ((UnsafeRawPointer, Int) -> Void)?
    private var jobGeneration = 0
    private let helpers: Int

    private init(helpers: Int) {
        self.helpers = Swift.max(helpers, 0)
        for index in 0..<self.helpers {
            let thread = Thread { [unowned self] in self.helperLoop(index + 1) }
            thread.name = "TensorGraph worker \(index + 1)"
            thread.start()
        }
    }

    func run<J: WorkerJob>(_ count: Int, _ body: J) {
        precondition(count > 0 && count <= 16, "WorkerPool: \(count) shares")
        callerLock.lock()
        defer { callerLock.unlock() }
        withUnsafePointer(to: body) { pointer in
            job = UnsafeRawPointer(pointer)
            // A capture-free closure: once `run` is specialized for `J` it is a plain function pointer
            // (no context to allocate) that calls J's specialized `run(worker:)`.
            jobInvoke = { pointer, worker in pointer.assumingMemoryBound(to: J.self).pointee.run(worker: worker) }
            jobGeneration += 1
            finished.store(0, ordering: .relaxed)
            // Publishes the job fields to whoever claims a share (acquiring the claim word).
            claims.store(jobGeneration << 32 | count << 16, ordering: .releasing)
            // Sequentially consistent: pairs with the helper's sleepers/generation check (a Dekker handshake).
            generation.add(1, ordering: .sequentiallyConsistent)
            if sleepers.load(ordering: .sequentiallyConsistent) > 0 {
                condition.lock()
                condition.broadcast()
                condition.unlock()
            }
            runShares(preferring: 0)
            var spins = 0
            while finished.load(ordering: .acquiring) < count {
                spins += 1
                if spins > 1000 { sched_yield() }
            }
            job = nil
            jobInvoke = nil
        }
    }

    /// Claims and runs shares of the current job, `preferred` first, until none is left unclaimed.
    private func runShares(preferring preferred: Int) {
        while true {
            let word = claims.load(ordering: .acquiring)
            let count = (word >> 16) & 0xFFFF, claimed = word & 0xFFFF
            let unclaimed = ~claimed & ((1 << count) - 1)
            guard unclaimed != 0 else { return }
            let share = preferred < count && unclaimed & (1 << preferred) != 0 ? preferred : unclaimed.trailingZeroBitCount
            // Success means this job is still current and the share is ours: the job cannot finish
            // (and its fields cannot change) before we report the share finished.
            guard claims.compareExchange(expected: word, desired: word | 1 << share, ordering: .acquiringAndReleasing).exchanged else { continue }
            if let job, let jobInvoke { jobInvoke(job, share) }
            finished.add(1, ordering: .releasing)
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
            runShares(preferring: index)
        }
    }
}
