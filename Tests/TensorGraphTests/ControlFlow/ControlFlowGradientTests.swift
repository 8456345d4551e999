import TestSupport
import XCTest
@testable import TensorGraph

/// Gradients through `cond` (an `If` of gradient branches that recompute the forward branch) against
/// central finite differences in float64, for both branches, captures and a nested `cond`.
final class ControlFlowGradientTests: XCTestCase {
    func testCondGradientMatchesFiniteDifferencesInBothBranches() throws {
        let g = Graph()
        let x = try g.placeholder(.double, shape: [3], name: "x"), w = try g.placeholder(.double, shape: [], name: "w")
        let p = try g.placeholder(.bool, shape: [], name: "p")
        let y = try g.cond(p, then: { b in try b.sum(b.mul(b.mul(x, x), w)) }, else: { b in try b.sum(b.mul(b.tanh(x), b.exp(w))) })
        let loss = try g.square(y)
        let grads = try g.gradients(of: loss, with: [x, w, p])
        XCTAssertNil(grads[2], "the predicate gets no gradient")
        XCTAssertEqual(grads[0]?.node.opName, "StatelessIf")
        let session = Session(graph: g)
        for branch in [true, false] {
            let feeds: [Output: Tensor] = [x: Tensor([0.3, -0.7, 1.1]), w: Tensor(0.4), p: Tensor(branch)]
            let values = try session.run([grads[0]!, grads[1]!], feeding: feeds)
            assertGradientsClose(values[0].scalars(as: Double.self), try finiteDifferences(session, loss, feeds, wrt: x), "d/dx, branch \(branch)")
            assertGradientsClose(values[1].scalars(as: Double.self), try finiteDifferences(session, loss, feeds, wrt: w), "d/dw, branch \(branch)")
        }
    }

    func testGradientOfANestedCondAndOfAnUnusedInput() throws {
        let g = Graph()
        let x = try g.placeholder(.double, shape: [2], name: "x"), z = try g.placeholder(.double, shape: [2], name: "z")
        let p = try g.placeholder(.bool, shape: [], name: "p"), q = try g.placeholder(.bool, shape: [], name: "q")
        // The then branch ignores z: its gradient there is zeros, from the else branch it is not.
        let y = try g.cond(p, then: { b in
            try b.cond(q, then: { c in try c.sum(c.mul(x, x)) }, else: { c in try c.sum(c.tanh(x)) })
        }, else: { b in try b.sum(b.mul(x, z)) })
        let grads = try g.gradients(of: y, with: [x, z])
        let session = Session(graph: g)
        for (pv, qv) in [(true, true), (true, false), (false, true)] {
            let feeds: [Output: Tensor] = [x: Tensor([0.5, -1.5]), z: Tensor([2.0, 3.0]), p: Tensor(pv), q: Tensor(qv)]
            let values = try session.run([grads[0]!, grads[1]!], feeding: feeds)
            assertGradientsClose(values[0].scalars(as: Double.self), try finiteDifferences(session, y, feeds, wrt: x), "d/dx p=\(pv) q=\(qv)")
            assertGradientsClose(values[1].scalars(as: Double.self), try finiteDifferences(session, y, feeds, wrt: z), "d/dz p=\(pv) q=\(qv)")
        }
    }

    func testWhileGradientMatchesFiniteDifferencesForAnyTripCount() throws {
        let g = Graph()
        let x = try g.placeholder(.double, shape: [2], name: "x"), w = try g.placeholder(.double, shape: [], name: "w")
        let n = try g.placeholder(.int32, shape: [], name: "n")
        // v ← tanh(v·w) + v/2, n times (n fed: a trip count known only at run time); w is captured.
        let out = try g.whileLoop(cond: { b, v in try b.less(v[0], n) }, body: { b, v in
            [try b.add(v[0], b.constant(Int32(1))), try b.add(b.tanh(b.mul(v[1], w)), b.mul(v[1], b.constant(0.5, dtype: .double)))]
        }, loopVars: [g.constant(Int32(0)), x])
        let loss = try g.sum(g.square(out[1]))
        let grads = try g.gradients(of: loss, with: [x, w, n])
        XCTAssertNil(grads[2])
        let session = Session(graph: g)
        for trips in [0, 1, 4] {
            let feeds: [Output: Tensor] = [x: Tensor([0.3, -0.8]), w: Tensor(1.3), n: Tensor(Int32(trips))]
            let values = try session.run([grads[0]!, grads[1]!], feeding: feeds)
            assertGradientsClose(values[0].scalars(as: Double.self), try finiteDifferences(session, loss, feeds, wrt: x), "d/dx, \(trips) trips")
            assertGradientsClose(values[1].scalars(as: Double.self), try finiteDifferences(session, loss, feeds, wrt: w), "d/dw, \(trips) trips")
        }
    }

    func testGradientOfNestedLoopsWithACond() throws {
        let g = Graph()
        let x = try g.placeholder(.double, shape: [], name: "x"), n = try g.placeholder(.int32, shape: [], name: "n")
        let one = try g.constant(Int32(1))
        // Outer i < n: inner j < i: s ← s·x or sin-free s + x² by parity of j; then s ← tanh(s).
        let out = try g.whileLoop(cond: { b, v in try b.less(v[0], n) }, body: { b, v in
            let inner = try b.whileLoop(cond: { c, u in try c.less(u[0], v[0]) }, body: { c, u in
                let even = try c.equal(c.floorMod(u[0], c.constant(Int32(2))), c.constant(Int32(0)))
                let s = try c.cond(even, then: { d in try d.mul(u[1], x) }, else: { d in try d.add(u[1], d.mul(x, x)) })
                return [try c.add(u[0], one), s]
            }, loopVars: [b.constant(Int32(0)), v[1]])
            return [try b.add(v[0], one), try b.tanh(inner[1])]
        }, loopVars: [g.constant(Int32(0)), g.constant(0.7, dtype: .double)])
        let grad = try g.gradients(of: out[1], with: [x])[0]!
        let session = Session(graph: g)
        for trips in [0, 2, 4] {
            let feeds: [Output: Tensor] = [x: Tensor(0.9), n: Tensor(Int32(trips))]
            assertGradientsClose(try session.run(grad, feeding: feeds).scalars(as: Double.self),
                        try finiteDifferences(session, out[1], feeds, wrt: x), "nested, \(trips) trips")
        }
    }

    func testWhileGradientAccumulatesInTensorListsLinearlyInTheTripCount() throws {
        let g = Graph()
        let x = try g.placeholder(.double, shape: [64], name: "x"), w = try g.placeholder(.double, shape: [64], name: "w")
        // v ← v·w + 1, 3,000 times. Stacking into growing tensors copied O(N²) elements (w included).
        let out = try g.whileLoop(cond: { b, v in try b.less(v[0], b.constant(Int32(3000))) }, body: { b, v in
            [try b.add(v[0], b.constant(Int32(1))), try b.add(b.mul(v[1], w), b.constant(1.0, dtype: .double))]
        }, loopVars: [g.constant(Int32(0)), x])
        let grads = try g.gradients(of: g.sum(out[1]), with: [x, w])
        let ops = g.library.functions.flatMap { $0.graph.nodes.map(\.opName) }
        XCTAssertFalse(ops.contains("ConcatV2"))
        XCTAssertEqual(ops.filter { $0 == "TensorListSetItem" }.count, 1, "Mul's gradient needs v; the captured w is read, not saved")
        let session = Session(graph: g)
        let values = try session.run([grads[0]!, grads[1]!], feeding: [x: Tensor(shape: [64], scalars: Array(repeating: 0.5, count: 64)),
                                                                        w: Tensor(shape: [64], scalars: Array(repeating: 0.999, count: 64))])
        // v_N = w^N·x + Σ_{k<N} w^k: d/dx = w^N, d/dw = N·w^(N-1)·x + Σ_{k<N} k·w^(k-1).
        let n = 3000.0, wv = 0.999
        let dw = n * pow(wv, n - 1) * 0.5 + (1..<3000).reduce(0.0) { $0 + Double($1) * pow(wv, Double($1 - 1)) }
        for v in values[0].scalars(as: Double.self) { XCTAssertEqual(v, pow(wv, n), accuracy: 1e-9) }
        for v in values[1].scalars(as: Double.self) { XCTAssertEqual(v, dw, accuracy: 1e-6 * dw) }
    }
}
