import Foundation
import XCTest
@testable import TensorGraph

/// `RewriteRules.loopDeduplication`: a plan running a forward loop and the accumulating copy its
/// gradient built runs the copy alone, with the same results.
final class LoopDeduplicationTests: XCTestCase {
    private func loopSteps(_ session: Session) throws -> Int {
        try XCTUnwrap(session.lastPlan).steps.filter { ["While", "StatelessWhile"].contains($0.node.opName) }.count
    }

    func testTrainingAnRNNRunsTheLoopBodyOnceWithTheSameResults() throws {
        let g = Graph()
        let x = try g.placeholder(.double, shape: [nil, 4, 3], name: "x")
        let lengths = try g.constant(Tensor([Int32(4), Int32(2)]))
        let cell = try BasicLSTMCell(numUnits: 5)
        let (outputs, state) = try g.dynamicRNN(cell, inputs: x, sequenceLengths: lengths)
        let loss = try g.add(g.sum(g.square(outputs)), g.sum(g.square(state[1])))
        let wrt = [x] + cell.variables
        let grads = try g.gradients(of: [loss], with: wrt).map { try XCTUnwrap($0) }
        let session = Session(graph: g)
        try session.run(g.globalVariablesInitializer())
        let feeds = [x: Tensor(shape: [2, 4, 3], scalars: (0..<24).map { sin(Double($0) * 0.7) })]
        let fetches = [loss, outputs] + grads

        let others = RewriteRules.all.filter { rule in !RewriteRules.loopDeduplication.contains { $0.name == rule.name } }
        XCTAssertLessThan(others.count, RewriteRules.all.count, "the rule is on by default")
        session.rewriteRules = others
        let plain = try session.run(fetches, feeding: feeds)
        XCTAssertEqual(try loopSteps(session), 3, "forward loop, its accumulating copy, backward loop")

        session.rewriteRules = RewriteRules.all
        let merged = try session.run(fetches, feeding: feeds)
        XCTAssertEqual(try loopSteps(session), 2, "the copy took the forward loop's place")
        XCTAssert(try XCTUnwrap(session.lastPlan).rewrites.contains { $0.contains("accumulating copy") })
        for (a, b) in zip(plain, merged) {
            XCTAssertEqual(a.shape, b.shape)
            XCTAssertEqual(a.scalars(as: Double.self), b.scalars(as: Double.self), "identical: the same kernels on the same values")
        }

        // Without the gradient in the plan there is no copy to merge.
        _ = try session.run(loss, feeding: feeds)
        XCTAssertEqual(try loopSteps(session), 1)
    }

    func testALoopWithOtherInputsIsNotMerged() throws {
        let g = Graph()
        let a = try g.placeholder(.double, shape: [], name: "a")
        let loop = try g.whileLoop(cond: { b, v in try b.less(v[0], b.constant(Int32(3))) },
                                   body: { b, v in [try b.add(v[0], b.constant(Int32(1))), try b.mul(v[1], v[1])] },
                                   loopVars: [g.constant(Int32(0)), a])
        let grad = try XCTUnwrap(g.gradients(of: [loop[1]], with: [a])[0])
        // A second loop on other inputs, named like an accumulating copy of the first.
        let other = try g.whileLoop(cond: { b, v in try b.less(v[0], b.constant(Int32(2))) },
                                    body: { b, v in [try b.add(v[0], b.constant(Int32(1))), try b.add(v[1], v[1])] },
                                    loopVars: [g.constant(Int32(0)), g.add(a, g.constant(1.0, dtype: .double))], name: "\(loop[0].node.name)_grad/while_accumulate")
        let session = Session(graph: g)
        let out = try session.run([loop[1], grad, other[1]], feeding: [a: Tensor(1.5)])
        XCTAssertEqual(out[0].scalar(as: Double.self), pow(1.5, 8))
        XCTAssertEqual(out[1].scalar(as: Double.self), 8 * pow(1.5, 7), accuracy: 1e-9)
        XCTAssertEqual(out[2].scalar(as: Double.self), 2.5 * 4)
        XCTAssertEqual(try XCTUnwrap(session.lastPlan).rewrites.filter { $0.contains("accumulating copy") }.count, 1, "only the real copy")
    }
}
