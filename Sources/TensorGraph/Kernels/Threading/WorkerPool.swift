import Foundation
import Synchronization

/// Persistent helper threads with microsecond hand-off.
///
/// Kernels in a training step are short (tens of microseconds), so waking a sleeping thread per
/// kernel (as `DispatchQueue.concurrentPerform` does) would cost as much as the work. Helpers spin
/// briefly after each job and only then sleep. A job is split into shares (share `w` always computes
/// the same part, so results do not depend on which thread runs it). Each thread claims its own share
/// first — the caller share 0, helper k share k, so consecutive kernels touch the same data on the same
/// core — and then any share still unclaimed: when a helper is slow to start (a busy or shared core) the
/// caller takes its share instead of waiting for it. Calls are serialized by the caller.
///
/// Any share count works. Claims are bits in a fixed array of words (32 shares a word), helpers are
/// started when a job has more shares than the pool has threads, and a job wider than `capacity`
/// (only direct callers: `Parallelism.workers` is clamped to `maxThreads`) runs as successive rounds.
/// Pools live as long as the process: their helper threads hold unowned pointers back to them.
final class WorkerPool: @unchecked Sendable {
    static let shared = WorkerPool(helpers: Parallelism.workers - 1)

    /// Threads (caller and helpers) the shared pool may use: above the few hundred hardware threads of
    /// the largest machines today. A bound is needed because the claim words are one fixed array (helpers
    /// read them at any time, so it cannot be reallocated), and it keeps a mistyped `TENSORGRAPH_THREADS`
    /// from starting thousands of threads. Larger requests are clamped, not refused.
    static let maxThreads = 1024

    private static let sharesPerWord = 32
    private static let claimBits = (1 << sharesPerWord) - 1
    private static let generationBits = ~claimBits

    /// Bumped for every job; helpers wait for it to change.
    private let generation = Atomic<Int>(0)
    /// The current job's claim words: word i is generation << 32 | bit mask of claimed shares
    /// 32i..<32i + 32 (shares past the job's count start claimed). The job's words are words
    /// 0..<⌈count / 32⌉; later words keep an older generation, so nobody claims through them.
    private let claims: UnsafeMutablePointer<Atomic<Int>>
    private let claimWords: Int
    /// Shares of the current job finished.
    private let finished = Atomic<Int>(0)
    private let sleepers = Atomic<Int>(0)
    private let condition = NSCondition()
    private let callerLock = NSLock()
    /// The current job (the caller's struct, on its stack while `run` waits), how to call it, and the
    /// share number of the round's first share; read only by a thread holding an unfinished share of it.
    private var job: UnsafeRawPointer?
    private var jobInvoke: ((UnsafeRawPointer, Int) -> Void)?
    private var roundStart = 0
    private var jobGeneration = 0
    /// Most threads, and so most shares one round claims.
    let capacity: Int
    /// Helper threads started so far (helper k claims share k first); changed only under `callerLock` or in `init`.
    private(set) var helpers = 0

    init(helpers: Int, capacity: Int = WorkerPool.maxThreads) {
        self.capacity = Swift.max(capacity, 1)
        claimWords = (self.capacity + Self.sharesPerWord - 1) / Self.sharesPerWord
        // Never freed: helpers may read the words at any time, and the pool lives as long as they do.
        claims = .allocate(capacity: claimWords)
        for word in 0..<claimWords { (claims + word).initialize(to: Atomic(0)) }
        startHelpers(Swift.min(helpers, self.capacity - 1))
    }

    /// Runs `body.run(worker:)` once for each share `0..<count`, on the calling thread and the helpers.
    func run<J: WorkerJob>(_ count: Int, _ body: J) {
        guard count > 0 else { return }
        callerLock.lock()
        defer { callerLock.unlock() }
        startHelpers(Swift.min(count, capacity) - 1)
        withUnsafePointer(to: body) { pointer in
            job = UnsafeRawPointer(pointer)
            // A capture-free closure: once `run` is specialized for `J` it is a plain function pointer
            // (no context to allocate) that calls J's specialized `run(worker:)`.
            jobInvoke = { pointer, worker in pointer.assumingMemoryBound(to: J.self).pointee.run(worker: worker) }
            var start = 0
            while start < count {
                runRound(start..<Swift.min(count, start + capacity))
                start += capacity
            }
            job = nil
            jobInvoke = nil
        }
    }

    /// Starts helpers until there are `count` (allocates only when the pool grows).
    private func startHelpers(_ count: Int) {
        while helpers < count {
            helpers += 1
            let index = helpers
            let thread = Thread { [unowned self] in self.helperLoop(index) }
            thread.name = "TensorGraph worker \(index)"
            thread.start()
        }
    }

    /// Publishes shares `shares` of the current job as one generation, takes part, and waits for all of them.
    private func runRound(_ shares: Range<Int>) {
        let count = shares.count
        jobGeneration += 1
        roundStart = shares.lowerBound
        finished.store(0, ordering: .relaxed)
        let tag = Self.tag(jobGeneration)
        for word in 0..<((count + Self.sharesPerWord - 1) / Self.sharesPerWord) {
            let used = Swift.min(count - word * Self.sharesPerWord, Self.sharesPerWord)
            // Releasing: publishes the job fields to whoever claims a share (acquiring the word).
            claims[word].store(tag | (Self.claimBits & ~((1 << used) - 1)), ordering: .releasing)
        }
        // Sequentially consistent: pairs with the helper's sleepers/generation check (a Dekker handshake).
        generation.add(1, ordering: .sequentiallyConsistent)
        if sleepers.load(ordering: .sequentiallyConsistent) > 0 {
            condition.lock()
            condition.broadcast()
            condition.unlock()
        }
        runShares(of: jobGeneration, preferring: 0)
        var spins = 0
        while finished.load(ordering: .acquiring) < count {
            spins += 1
            if spins > 1000 { sched_yield() }
        }
    }

    /// A generation as it appears in the claim words (its low 32 bits, above the claim bits).
    @inline(__always) private static func tag(_ generation: Int) -> Int { generation << sharesPerWord & generationBits }

    /// Claims and runs shares of job `generation`, `preferred` first, until none is left unclaimed.
    private func runShares(of generation: Int, preferring preferred: Int) {
        let home = preferred / Self.sharesPerWord
        if home < claimWords { _ = runShares(word: home, of: generation, preferring: preferred % Self.sharesPerWord) }
        for word in 0..<claimWords where word != home {
            // The job's words come first, so the first word of another generation ends the scan.
            guard runShares(word: word, of: generation, preferring: nil) else { return }
        }
    }

    /// Claims and runs the unclaimed shares of claim word `word`, `preferred` (a bit) first. Returns false
    /// when the word is not job `generation`'s (past its shares, or the job is over).
    private func runShares(word: Int, of generation: Int, preferring preferred: Int?) -> Bool {
        let tag = Self.tag(generation)
        while true {
            let value = claims[word].load(ordering: .acquiring)
            guard value & Self.generationBits == tag else { return false }
            let unclaimed = ~value & Self.claimBits
            guard unclaimed != 0 else { return true }
            var bit = unclaimed.trailingZeroBitCount
            if let preferred, unclaimed & (1 << preferred) != 0 { bit = preferred }
            // Success means this job is still current and the share is ours: the job cannot finish
            // (and its fields cannot change) before we report the share finished.
            guard claims[word].compareExchange(expected: value, desired: value | 1 << bit, ordering: .acquiringAndReleasing).exchanged else { continue }
            if let job, let jobInvoke { jobInvoke(job, roundStart + word * Self.sharesPerWord + bit) }
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
            runShares(of: seen, preferring: index)
        }
    }
}
