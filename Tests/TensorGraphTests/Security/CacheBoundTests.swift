import TestSupport
import XCTest
@testable import TensorGraph

/// What a long-running process keeps between runs stays bounded however the feeds vary: the buffer
/// pool under 1,000 distinct batch sizes, the plan cache under many distinct fetch lists.
final class CacheBoundTests: XCTestCase {
    func testThousandDistinctBatchSizesKeepTheBufferPoolBounded() throws {
        let g = Graph()
        let x = try g.placeholder(.float, shape: [nil, 16], name: "x")
        // tanh's output (≥ 64 KB from 1,024 rows) dies after the multiply and goes to the pool.
        let y = try g.tanh(x) * 2.0
        let session = Session(graph: g)
        var largestPool = 0
        for rows in 1024..<2024 {
            let value = try session.run(y, feeding: [x: Tensor(zeros: .float, shape: [rows, 16])])
            XCTAssertEqual(value.shape, [rows, 16])
            let pool = try XCTUnwrap(session.lastPlan).pool
            largestPool = max(largestPool, pool.sizeCount)
        }
        XCTAssertEqual(session.cachedPlanCount, 1, "the plan is keyed by signature, not by shapes")
        // Without eviction the pool kept one size per batch size seen (1,000 here).
        XCTAssertLessThanOrEqual(largestPool, 3 * (BufferPool.idleRunsBeforeRelease + 1))
        let held = try XCTUnwrap(session.lastPlan).pool.heldBytes
        XCTAssertLessThanOrEqual(held, 3 * (BufferPool.idleRunsBeforeRelease + 1) * 2024 * 16 * 4)

        // A steady loop keeps its buffers: the same size twice reuses, nothing is evicted.
        let steady = Tensor(zeros: .float, shape: [2048, 16])
        for _ in 0..<5 { _ = try session.run(y, feeding: [x: steady]) }
        XCTAssertGreaterThan(try XCTUnwrap(session.lastPlan).pool.sizeCount, 0)
    }

    func testPlanCacheIsBounded() throws {
        let g = Graph()
        let x = try g.placeholder(.float, shape: [4], name: "x")
        let outputs = try (0..<100).map { try g.add(x, g.constant(Float($0))) }
        let session = Session(graph: g)
        let feed = Tensor([Float](repeating: 1, count: 4))
        for (k, output) in outputs.enumerated() {
            XCTAssertEqual(try session.run(output, feeding: [x: feed]).scalars(as: Float.self), [Float](repeating: 1 + Float(k), count: 4))
        }
        XCTAssertLessThanOrEqual(session.cachedPlanCount, Session.maximumCachedPlans)
        // An evicted signature compiles again and still gives the right value.
        XCTAssertEqual(try session.run(outputs[0], feeding: [x: feed]).scalars(as: Float.self), [1, 1, 1, 1])
    }
}
