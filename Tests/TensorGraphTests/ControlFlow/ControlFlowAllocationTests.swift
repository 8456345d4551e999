import MallocCounter
import TestSupport
import XCTest
@testable import TensorGraph

#if DEBUG
private let isOptimizedBuild = false
#else
private let isOptimizedBuild = true
#endif

/// A steady-state run of a `whileLoop` with a `cond` in its body (stable shapes) allocates nothing:
/// the sub-plans are compiled once, the two alternating body copies reuse their buffers, and the
/// runner's arrays keep their capacity. Counted on optimized code only (`Tools/test.sh` runs the classes
/// matching "AllocationTests" in its release build); a debug run checks the values only.
final class ControlFlowAllocationTests: XCTestCase {
    func testSteadyStateLoopRunsAllocateNothing() throws {
        let g = Graph()
        let x = try g.placeholder(.float, shape: [64, 300], name: "x")   // 76,800 bytes: pooled-size buffers
        let out = try g.whileLoop(cond: { b, v in try b.less(v[0], b.constant(Int32(6))) }, body: { b, v in
            let even = try b.equal(b.floorMod(v[0], b.constant(Int32(2))), b.constant(Int32(0)))
            let next = try b.cond(even, then: { c in try c.tanh(v[1]) }, else: { c in try c.mul(v[1], c.constant(0.5)) })
            return [try b.add(v[0], b.constant(Int32(1))), next]
        }, loopVars: [g.constant(Int32(0)), x])
        let total = try g.sum(out[1])
        let session = Session(graph: g), feed = Tensor(shape: [64, 300], scalars: (0..<19_200).map { Float($0 % 7) * 0.1 })
        // Summed in Double: a float32 sum of 19,200 terms in one order or another differs by more than 1e-2.
        let expected = feed.scalars(as: Float.self).map { v -> Double in
            var v = v
            for i in 0..<6 { v = i % 2 == 0 ? Foundation.tanh(v) : v * 0.5 }
            return Double(v)
        }.reduce(0, +)
        XCTAssertEqual(Double(try session.run(total, feeding: [x: feed]).scalars(as: Float.self)[0]), expected, accuracy: 1e-2)
        for _ in 0..<(isOptimizedBuild ? 50 : 3) { _ = try session.run(total, feeding: [x: feed]) }
        if isOptimizedBuild {
            let feeds = [x: feed]   // built once: a dictionary literal in the loop would be the test's own allocation
            try assertSteadyStateAllocations(steps: 10, oneDNNBoundPerStep: 0, "loop with a cond") {
                let before = tg_malloc_count()
                for _ in 0..<10 { _ = try session.run(total, feeding: feeds) }
                return Int(tg_malloc_count() - before)
            }
        }
    }

    /// A graph's function library, and the function bodies in it, are freed with the graph: bodies refer to
    /// the library weakly (library → function → body → library was a reference cycle that leaked every
    /// imported or built graph with control flow: found by LeakSanitizer on the GraphDef fuzz corpus).
    func testGraphsWithFunctionsAreFreed() throws {
        weak var library: FunctionLibrary?, body: Graph?
        do {
            let g = Graph()
            let x = try g.placeholder(.float, shape: [], name: "x")
            let y = try g.cond(g.greater(x, g.constant(Float(0))), then: { b in try b.mul(x, b.constant(Float(2))) },
                               else: { b in try b.whileLoop(cond: { c, v in try c.less(v[0], c.constant(Float(10))) },
                                                            body: { c, v in [try c.add(v[0], c.constant(Float(1)))] }, loopVars: [x])[0] })
            XCTAssertEqual(try Session(graph: g).run(y, feeding: [x: Tensor(Float(-2))]).scalar(as: Float.self), 10)
            let imported = try Graph(graphDef: g.graphDef())
            XCTAssertEqual(imported.library.functions.count, g.library.functions.count)
            library = imported.library
            body = imported.library.functions.first?.graph
            XCTAssertNotNil(body)
            XCTAssertGreaterThanOrEqual(g.library.functions.count, 3, "then, else, and the loop's cond and body")
        }
        XCTAssertNil(library, "the imported graph's library outlived it")
        XCTAssertNil(body, "a function body outlived its graph")
    }
}
