import Foundation
import TestSupport
import XCTest
@testable import TensorGraph

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
        XCTAssertEqual(try session.run(globalStep).scalar(as: Int64.self), 3)
        XCTAssertEqual(try session.run(w).scalar(as: Float.self), 0.125, accuracy: 1e-7)   // w ← w − 0.25·2w, three times
    }

    func testNoGradientsIsAnError() throws {
        let g = Graph()
        _ = try g.variable(g.zeros([1]), name: "w")
        let unrelated = try g.variable(g.zeros([1]), name: "u", trainable: false)
        assertThrows(["no gradients", "w"]) { try GradientDescentOptimizer(learningRate: 1).minimize(g.sum(unrelated)) }
    }
}

/// Optimizer updates against their formulas on a tiny problem (float64 so the comparison is tight).
final class OptimizerFormulaTests: XCTestCase {
    /// loss = Σ w·c for a fixed c, so the gradient is always c.
    private func run(_ optimizer: Optimizer, steps: Int) throws -> (Graph, Session, Output) {
        let g = Graph()
        let w = try g.variable(g.constant(Tensor([1.0, -2.0])), name: "w")
        let c = try g.constant(Tensor([0.5, -3.0]))
        let train = try optimizer.minimize(g.sum(w * c))
        let session = Session(graph: g)
        try session.run(g.globalVariablesInitializer())
        for _ in 0..<steps { try session.run(train) }
        return (g, session, w)
    }

    func testAdamMatchesItsFormulaOverThreeSteps() throws {
        let (lr, b1, b2, eps) = (0.01, 0.9, 0.999, 1e-8)
        let (g, session, w) = try run(AdamOptimizer(learningRate: lr), steps: 3)
        var expected = [1.0, -2.0], m = [0.0, 0.0], v = [0.0, 0.0]
        let grad = [0.5, -3.0]
        for t in 1...3 {
            let rate = lr * (1 - pow(b2, Double(t))).squareRoot() / (1 - pow(b1, Double(t)))
            for i in 0..<2 {
                m[i] = b1 * m[i] + (1 - b1) * grad[i]
                v[i] = b2 * v[i] + (1 - b2) * grad[i] * grad[i]
                expected[i] -= rate * m[i] / (v[i].squareRoot() + eps)
            }
        }
        assertClose(try session.run(w).doubleValues, expected, absolute: 1e-12, relative: 1e-12)
        // Slots are ordinary variables with TF's names.
        let names = Set(g.globalVariables.map(\.name))
        XCTAssert(names.isSuperset(of: ["w", "w/Adam", "w/Adam_1", "beta1_power", "beta2_power"]), "\(names)")
        let m1 = try XCTUnwrap(g.globalVariables.first { $0.name == "w/Adam" })
        assertClose(try session.run(m1.value).doubleValues, m, absolute: 1e-12, relative: 1e-12)
        let p1 = try XCTUnwrap(g.globalVariables.first { $0.name == "beta1_power" })
        XCTAssertEqual(try session.run(p1.value).scalar(as: Double.self), pow(0.9, 4), accuracy: 1e-12)
    }

    func testMomentumAndNesterov() throws {
        for nesterov in [false, true] {
            let (g, session, w) = try run(MomentumOptimizer(learningRate: 0.1, momentum: 0.9, useNesterov: nesterov), steps: 2)
            var expected = [1.0, -2.0], accum = [0.0, 0.0]
            for _ in 0..<2 {
                for (i, gi) in [0.5, -3.0].enumerated() {
                    accum[i] = accum[i] * 0.9 + gi
                    expected[i] -= nesterov ? 0.1 * gi + 0.1 * 0.9 * accum[i] : 0.1 * accum[i]
                }
            }
            assertClose(try session.run(w).doubleValues, expected, absolute: 1e-12, relative: 1e-12, "nesterov \(nesterov)")
            XCTAssert(g.globalVariables.contains { $0.name == "w/Momentum" })
        }
    }

    func testRMSProp() throws {
        let (g, session, w) = try run(RMSPropOptimizer(learningRate: 0.01, momentum: 0.5), steps: 2)
        var expected = [1.0, -2.0], ms = [1.0, 1.0], mom = [0.0, 0.0]
        for _ in 0..<2 {
            for (i, gi) in [0.5, -3.0].enumerated() {
                ms[i] = 0.9 * ms[i] + 0.1 * gi * gi
                mom[i] = 0.5 * mom[i] + 0.01 * gi / (ms[i] + 1e-10).squareRoot()
                expected[i] -= mom[i]
            }
        }
        assertClose(try session.run(w).doubleValues, expected, absolute: 1e-12, relative: 1e-12)
        XCTAssert(Set(g.globalVariables.map(\.name)).isSuperset(of: ["w/RMSProp", "w/RMSProp_1"]))
    }
}
