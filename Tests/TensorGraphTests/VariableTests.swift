import TestSupport
import XCTest
@testable import TensorGraph

/// VariableV2, Assign, AssignAdd, AssignSub: state lives in the session, ops update it.
final class VariableTests: XCTestCase {
    func testAssignFamily() throws {
        let g = Graph()
        let v = try g.variable(g.constant(Tensor([Float(1), 2])), name: "v")
        let set = try g.assign(v, g.constant(Tensor([Float(10), 20])))
        let add = try g.assignAdd(v, g.constant(Tensor([Float(1), 1])))
        let sub = try g.assignSub(v, g.constant(Tensor([Float(5), 5])))
        XCTAssertEqual([set, add, sub].map(\.node.opName), ["Assign", "AssignAdd", "AssignSub"])
        let session = Session(graph: g)
        try session.run(g.globalVariablesInitializer())
        XCTAssertEqual(try session.run(v).scalars(as: Float.self), [1, 2])
        XCTAssertEqual(try session.run(set).scalars(as: Float.self), [10, 20])
        XCTAssertEqual(try session.run(add).scalars(as: Float.self), [11, 21])
        XCTAssertEqual(try session.run(sub).scalars(as: Float.self), [6, 16])
        // Each session has its own state.
        let other = Session(graph: g)
        XCTAssertNil(other.value(of: g.variable(for: v)!))
        assertThrows(["uninitialized variable 'v'"]) { try other.run(add) }
    }

    func testAssignRejectsWrongShapes() throws {
        let g = Graph()
        let v = try g.variable(g.zeros([2]), name: "v")
        assertThrows(["[Assign]", "(3,)", "(2,)"]) { try g.assign(v, g.constant(Tensor([Float(1), 2, 3]))) }
        assertThrows(["not a variable"]) { try g.assign(g.constant(Float(1)), g.constant(Float(2))) }
    }

    func testSetValueValidates() throws {
        let g = Graph()
        let v = try g.variable(g.zeros([2]), name: "v")
        let variable = g.variable(for: v)!
        let session = Session(graph: g)
        try session.setValue(Tensor([Float(3), 4]), for: variable)
        XCTAssertEqual(try session.run(v).scalars(as: Float.self), [3, 4])
        assertThrows(["'v'"]) { try session.setValue(Tensor([Float(3)]), for: variable) }
    }
}

/// Random ops: seeded per graph (same values every session), advancing per run, right distribution.
final class RandomOpTests: XCTestCase {
    func testDistributionsAndDeterminism() throws {
        func sample() throws -> [[Float]] {
            let g = Graph()
            let u = try g.randomUniform([20_000], min: -2, max: 3)
            let n = try g.randomNormal([20_000], mean: 1, stddev: 2)
            let t = try g.truncatedNormal([20_000], stddev: 0.5)
            XCTAssertEqual(Set(g.nodes.map(\.opName)).isSuperset(of: ["RandomUniform", "RandomStandardNormal", "TruncatedNormal"]), true)
            return try Session(graph: g).run([u, n, t]).map { $0.scalars(as: Float.self) }
        }
        let first = try sample()
        XCTAssertEqual(first, try sample(), "same graph, same numbers")
        let (u, n, t) = (first[0], first[1], first[2])
        func mean(_ v: [Float]) -> Double { v.reduce(0.0) { $0 + Double($1) } / Double(v.count) }
        func std(_ v: [Float]) -> Double { let m = mean(v); return (v.reduce(0.0) { $0 + (Double($1) - m) * (Double($1) - m) } / Double(v.count)).squareRoot() }
        XCTAssert(u.allSatisfy { $0 >= -2 && $0 < 3 })
        XCTAssertEqual(mean(u), 0.5, accuracy: 0.05)
        XCTAssertEqual(mean(n), 1, accuracy: 0.05)
        XCTAssertEqual(std(n), 2, accuracy: 0.05)
        XCTAssert(t.allSatisfy { Swift.abs($0) <= 1.0 })
        XCTAssertEqual(std(t), 0.5 * 0.8796, accuracy: 0.02)
    }

    func testStreamAdvancesBetweenRuns() throws {
        let g = Graph()
        let u = try g.randomUniform([4])
        let s = Session(graph: g)
        XCTAssertNotEqual(try s.run(u).scalars(as: Float.self), try s.run(u).scalars(as: Float.self))
    }
}

final class OptimizerTests: XCTestCase {
    /// One SGD step on a linear model, against the hand-computed update.
    func testGradientDescentStepMatchesHandComputation() throws {
        let g = Graph()
        let x = try g.placeholder(.float, shape: [nil, 2], name: "x")
        let w = try g.variable(g.constant(Tensor(shape: [2, 1], scalars: [Float(0.5), -1])), name: "w")
        let b = try g.variable(g.constant(Tensor([Float(0.25)])), name: "b")
        let loss = try g.mean(g.square(g.matMul(x, w) + b))
        let step = try GradientDescentOptimizer(learningRate: 0.1).minimize(loss)
        XCTAssert(g.nodes.contains { $0.opName == "ApplyGradientDescent" && $0.name == "GradientDescent/update_w/ApplyGradientDescent" })
        let session = Session(graph: g)
        try session.run(g.globalVariablesInitializer())
        let xs: [Float] = [1, 2, 3, -1]
        try session.run(step, feeding: [x: Tensor(shape: [2, 2], scalars: xs)])
        // predictions p = x·w + b = [1·0.5 + 2·(−1) + 0.25, 3·0.5 + (−1)(−1) + 0.25] = [−1.25, 2.75]
        // dL/dp = 2p/2 = p; dL/dw = xᵀp; dL/db = Σp
        let p: [Float] = [-1.25, 2.75]
        let gw: [Float] = [xs[0] * p[0] + xs[2] * p[1], xs[1] * p[0] + xs[3] * p[1]]
        assertClose(try session.run(w).doubleValues, [Double(0.5 - 0.1 * gw[0]), Double(-1 - 0.1 * gw[1])])
        assertClose(try session.run(b).doubleValues, [Double(0.25 - 0.1 * (p[0] + p[1]))])
    }

    func testGlobalStepAndComputeApplySplit() throws {
        let g = Graph()
        let w = try g.variable(g.constant(Tensor([Float(1)])), name: "w")
        let loss = try g.sum(w * w)
        let optimizer = GradientDescentOptimizer(learningRate: 0.25)
        let pairs = try optimizer.computeGradients(loss)
        XCTAssertEqual(pairs.map(\.variable.name), ["w"])
        let globalStep = try g.globalStep()
        let train = try optimizer.applyGradients(pairs, globalStep: globalStep)
        let session = Session(graph: g)
        try session.run(g.globalVariablesInitializer())
        for _ in 0..<3 { try session.run(train) }
        XCTAssertEqual(try session.run(globalStep.value).scalar(as: Int64.self), 3)
        XCTAssertEqual(try session.run(w).scalar(as: Float.self), 0.125, accuracy: 1e-7)   // w ← w − 0.25·2w, three times
    }

    func testNoGradientsIsAnError() throws {
        let g = Graph()
        _ = try g.variable(g.zeros([1]), name: "w")
        let unrelated = try g.variable(g.zeros([1]), name: "u", trainable: false)
        assertThrows(["no gradients", "w"]) { try GradientDescentOptimizer(learningRate: 1).minimize(g.sum(unrelated)) }
    }
}
