/// One scratch region per worker, carved from one buffer (no per-call array of pointers).
struct WorkerBuffers<T> {
    let base: UnsafeMutablePointer<T>
    /// Elements per worker.
    let stride: Int
    @inline(__always) subscript(worker: Int) -> UnsafeMutablePointer<T> { base + worker * stride }
}

extension WorkerBuffers {
    /// The same regions as float32 (callers check `T.self == Float.self`).
    var floats: WorkerBuffers<Float> { WorkerBuffers<Float>(base: TensorGraph.floats(base), stride: stride) }
}

extension KernelContext {
    /// `workers` scratch regions of `count` elements each, kept across runs in scratch slot `slot`.
    func workerBuffers<T>(_ type: T.Type, workers: Int, count: Int, slot: Int) throws -> WorkerBuffers<T> {
        let (total, overflow) = workers.multipliedReportingOverflow(by: count)
        guard !overflow else { throw error("scratch buffer of \(workers) × \(count) elements is too large") }
        return WorkerBuffers(base: try scratch(T.self, count: total, slot: slot), stride: count)
    }
}
