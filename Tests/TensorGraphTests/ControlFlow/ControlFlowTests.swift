import TestSupport
import XCTest
@testable import TensorGraph

/// `cond` and `whileLoop` built as `StatelessIf`/`StatelessWhile` over library functions, run as
/// sub-plan steps: results, only the taken branch running, captures, nesting, shape invariants and the
/// loop guard.
final class ControlFlowTests: XCTestCase {
    func testCondRunsTheTakenBranch() throws {
        let g = Graph()
        let x = try g.placeholder(.double, shape: [3], name: "x"), p = try g.placeholder(.bool, shape: [], name: "p")
        let y = try g.cond(p, then: { b in try b.square(x) }, else: { b in try b.neg(x) })
        XCTAssertEqual(y.node.opName, "StatelessIf")
        XCTAssertEqual(y.shape, TensorShape([3]))
        XCTAssertEqual(g.library.functions.count, 2)
        let session = Session(graph: g), xv = Tensor([1.0, -2.0, 3.0])
        XCTAssertEqual(try session.run(y, feeding: [x: xv, p: Tensor(true)]).scalars(as: Double.self), [1, 4, 9])
        XCTAssertEqual(try session.run(y, feeding: [x: xv, p: Tensor(false)]).scalars(as: Double.self), [-1, 2, -3])
    }

    func testOnlyTheTakenBranchRuns() throws {
        let g = Graph()
        let i = try g.placeholder(.int32, shape: [], name: "i")
        let table = try g.constant(Tensor([10.0, 20.0, 30.0]))
        // An index out of range fails only if the else branch runs (TF1's guarded gather).
        let y = try g.cond(g.less(i, g.constant(Int32(3))), then: { b in try b.gather(table, indices: i) },
                           else: { b in try b.constant(-1.0, dtype: .double) })
        let session = Session(graph: g)
        XCTAssertEqual(try session.run(y, feeding: [i: Tensor(Int32(1))]).scalars(as: Double.self), [20])
        XCTAssertEqual(try session.run(y, feeding: [i: Tensor(Int32(7))]).scalars(as: Double.self), [-1])
    }

    func testCondPredicateOfNonBooleanDtypeFollowsToBool() throws {
        let g = Graph()
        let p = try g.placeholder(.float, shape: .unknown, name: "p")
        let y = try g.cond(p, then: { b in try b.constant(1.0, dtype: .double) }, else: { b in try b.constant(0.0, dtype: .double) })
        let session = Session(graph: g)
        // TF's ToBool: a scalar is true when nonzero, any other tensor when it has elements.
        for (value, expected) in [(Tensor(Float(0)), 0.0), (Tensor(Float(2)), 1.0), (Tensor([Float]()), 0.0), (Tensor([Float(0), 0]), 1.0)] {
            XCTAssertEqual(try session.run(y, feeding: [p: value]).scalars(as: Double.self), [expected])
        }
    }

    func testWhileLoopWithADynamicTripCount() throws {
        let g = Graph()
        let n = try g.placeholder(.int32, shape: [], name: "n")
        let out = try g.whileLoop(cond: { b, v in try b.less(v[0], n) },
                                  body: { b, v in [try b.add(v[0], b.constant(Int32(1))), try b.add(v[1], b.cast(b.add(v[0], b.constant(Int32(1))), to: .double))] },
                                  loopVars: [g.constant(Int32(0)), g.constant(0.0, dtype: .double)])
        XCTAssertEqual(out[0].node.opName, "StatelessWhile")
        let session = Session(graph: g)
        for count in [0, 1, 10, 100] {
            let values = try session.run(out, feeding: [n: Tensor(Int32(count))])
            XCTAssertEqual(values[0].scalars(as: Int32.self), [Int32(count)])
            XCTAssertEqual(values[1].scalars(as: Double.self), [Double(count * (count + 1) / 2)])
        }
    }

    func testMaximumIterationsStopsTheLoop() throws {
        let g = Graph()
        let out = try g.whileLoop(cond: { b, v in try b.less(v[0], b.constant(Int32(1000))) },
                                  body: { b, v in [try b.add(v[0], b.constant(Int32(1)))] },
                                  loopVars: [g.constant(Int32(0))], maximumIterations: g.constant(Int32(7)))
        XCTAssertEqual(out.count, 1)
        XCTAssertEqual(try Session(graph: g).run(out[0]).scalars(as: Int32.self), [7])
    }

    func testAnEndlessLoopFailsNamingTheNode() throws {
        let g = Graph()
        let out = try g.whileLoop(cond: { b, _ in try b.constant(true) }, body: { _, v in v }, loopVars: [g.constant(1.0)], name: "forever")
        let session = Session(graph: g)
        session.maximumLoopIterations = 50
        XCTAssertThrowsError(try session.run(out[0])) { error in
            guard case let TensorGraphError.kernelFailure(op, node, message) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(op, "StatelessWhile")
            XCTAssertEqual(node, "forever")
            XCTAssert(message.contains("50"), message)
        }
    }

    func testCapturedTensorsBecomeInputs() throws {
        let g = Graph()
        let scale = try g.placeholder(.double, shape: [], name: "scale"), x = try g.placeholder(.double, shape: [2], name: "x")
        // x·scale^k for the smallest k with max(x·scale^k) ≥ 100; `scale` is captured by the body.
        let out = try g.whileLoop(cond: { b, v in try b.less(b.max(v[0], axes: [0]), b.constant(100.0, dtype: .double)) },
                                  body: { b, v in [try b.mul(v[0], scale)] }, loopVars: [x])
        XCTAssertEqual(out[0].node.inputs.count, 2, "loop variable + captured scale")
        let value = try Session(graph: g).run(out[0], feeding: [x: Tensor([1.0, 3.0]), scale: Tensor(2.0)])
        XCTAssertEqual(value.scalars(as: Double.self), [64, 192])
    }

    func testNestedLoopsAndConds() throws {
        let g = Graph()
        let n = try g.placeholder(.int32, shape: [], name: "n")
        let one = try g.constant(Int32(1))
        // Σ_{i<n} Σ_{j<i} (j even ? j : -1)
        let out = try g.whileLoop(cond: { b, v in try b.less(v[0], n) }, body: { b, v in
            let inner = try b.whileLoop(cond: { c, w in try c.less(w[0], v[0]) }, body: { c, w in
                let even = try c.equal(c.floorMod(w[0], c.constant(Int32(2))), c.constant(Int32(0)))
                let term = try c.cond(even, then: { _ in w[0] }, else: { d in try d.constant(Int32(-1)) })
                return [try c.add(w[0], one), try c.add(w[1], term)]
            }, loopVars: [b.constant(Int32(0)), v[1]])
            return [try b.add(v[0], one), inner[1]]
        }, loopVars: [g.constant(Int32(0)), g.constant(Int32(0))])
        var expected = 0
        for i in 0..<6 { for j in 0..<i { expected += j % 2 == 0 ? j : -1 } }
        XCTAssertEqual(try Session(graph: g).run(out[1], feeding: [n: Tensor(Int32(6))]).scalars(as: Int32.self), [Int32(expected)])
    }

    func testShapeInvariantsLetALoopVariableGrow() throws {
        let g = Graph()
        let out = try g.whileLoop(cond: { b, v in try b.less(v[0], b.constant(Int32(4))) },
                                  body: { b, v in [try b.add(v[0], b.constant(Int32(1))), try b.concat([v[1], v[1]], axis: 0)] },
                                  loopVars: [g.constant(Int32(0)), g.constant(Tensor([1.0]))], shapeInvariants: [.scalar, TensorShape([nil])])
        XCTAssertEqual(out[1].shape, TensorShape([nil]))
        XCTAssertEqual(try Session(graph: g).run(out[1]).count, 16)
        // Without the invariant the body's result does not fit the loop variable's shape.
        XCTAssertThrowsError(try g.whileLoop(cond: { b, v in try b.less(v[0], b.constant(Int32(4))) },
                                             body: { b, v in [v[0], try b.concat([v[1], v[1]], axis: 0)] },
                                             loopVars: [g.constant(Int32(0)), g.constant(Tensor([1.0]))]))
    }

    func testBranchesMustAgree() throws {
        let g = Graph()
        let p = try g.placeholder(.bool, shape: [])
        XCTAssertThrowsError(try g.cond(p, then: { b in [try b.constant(1.0)] }, else: { b in [try b.constant(Int32(1))] }))
    }

    func testRepeatedRunsReuseTheBodyPlans() throws {
        let g = Graph()
        let x = try g.placeholder(.float, shape: [128, 128], name: "x")
        let out = try g.whileLoop(cond: { b, v in try b.less(v[0], b.constant(Int32(5))) },
                                  body: { b, v in [try b.add(v[0], b.constant(Int32(1))), try b.tanh(v[1])] }, loopVars: [g.constant(Int32(0)), x])
        let session = Session(graph: g), feed = Tensor(zeros: .float, shape: [128, 128])
        _ = try session.run(out[1], feeding: [x: feed])
        let held = session.lastPlan?.heldBufferBytes
        for _ in 0..<3 { _ = try session.run(out[1], feeding: [x: feed]) }
        XCTAssertEqual(session.lastPlan?.heldBufferBytes, held)
        guard let runner = session.lastPlan?.steps.first(where: { $0.kind == .subPlan })?.subPlan else { return XCTFail("no sub-plan step") }
        XCTAssertEqual(runner.compiledBodyCount, 3, "cond + two alternating body copies, compiled once")
    }

    func testStatefulBodiesUseTheStatefulOps() throws {
        let g = Graph()
        let p = try g.placeholder(.bool, shape: [], name: "p")
        let y = try g.cond(p, then: { b in try b.randomUniform([2], dtype: .double, seed: 3) }, else: { b in try b.zeros([2], dtype: .double) })
        XCTAssertEqual(y.node.opName, "If")
        let out = try g.whileLoop(cond: { b, v in try b.less(v[0], b.constant(Int32(3))) },
                                  body: { b, v in [try b.add(v[0], b.constant(Int32(1))), try b.add(v[1], b.randomUniform([2], dtype: .double, seed: 4))] },
                                  loopVars: [g.constant(Int32(0)), g.zeros([2], dtype: .double)])
        XCTAssertEqual(out[0].node.opName, "While")
        let session = Session(graph: g)
        let first = try session.run(out[1]).scalars(as: Double.self), second = try session.run(out[1]).scalars(as: Double.self)
        XCTAssertNotEqual(first, second, "the random op runs again on every iteration and run")
        XCTAssert(first.allSatisfy { (0..<3).contains($0) })
        XCTAssertEqual(try session.run(y, feeding: [p: Tensor(false)]).scalars(as: Double.self), [0, 0])
        XCTAssert(try session.run(y, feeding: [p: Tensor(true)]).scalars(as: Double.self).allSatisfy { (0..<1).contains($0) })
    }

    /// The examples in the doc comments of `cond` and `whileLoop`.
    func testDocCommentExamples() throws {
        let g = Graph()
        let x = try g.placeholder(.float, shape: [], name: "x")
        let y = try g.cond(g.less(x, g.constant(Float(0))), then: { b in try b.neg(x) }, else: { b in try b.square(x) })
        let out = try g.whileLoop(cond: { b, v in try b.less(v[0], b.constant(Int32(10))) },
                                  body: { b, v in [try v[0] + 1, try v[1] * 2] },
                                  loopVars: [g.constant(Int32(0)), g.constant(1.0)])
        let session = Session(graph: g)
        XCTAssertEqual(try session.run(y, feeding: [x: Tensor(Float(-3))]).scalars(as: Float.self), [3])
        XCTAssertEqual(try session.run(y, feeding: [x: Tensor(Float(3))]).scalars(as: Float.self), [9])
        XCTAssertEqual(try session.run(out[1]).scalars(as: Float.self), [1024])
    }

    func testLoopsObeyTheSessionsTimeoutAndMemoryLimits() throws {
        let g = Graph()
        let forever = try g.whileLoop(cond: { b, _ in try b.constant(true) }, body: { b, v in [try b.add(v[0], b.constant(1.0))] },
                                      loopVars: [g.constant(0.0)], name: "forever")
        let session = Session(graph: g)
        session.runTimeout = 0.2
        XCTAssertThrowsError(try session.run(forever[0])) { error in
            XCTAssert("\(error)".contains("timeout"), "\(error)")
        }
        // A loop variable that doubles each iteration: 2^17 floats is 512 KiB, over a 256 KiB run budget.
        let growing = try g.whileLoop(cond: { b, v in try b.less(v[0], b.constant(Int32(17))) },
                                      body: { b, v in [try v[0] + 1, try b.concat([v[1], v[1]], axis: 0)] },
                                      loopVars: [g.constant(Int32(0)), g.constant(Tensor([Float(1)]))], shapeInvariants: [.scalar, TensorShape([nil])])
        session.runTimeout = nil
        session.maximumRunBytes = 1 << 18
        XCTAssertThrowsError(try session.run(growing[1])) { error in
            XCTAssert("\(error)".contains("maximumRunBytes"), "\(error)")
        }
        session.maximumRunBytes = Int.max
        XCTAssertEqual(try session.run(growing[1]).count, 1 << 17)
    }
}
