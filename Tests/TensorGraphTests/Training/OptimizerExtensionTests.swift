import Foundation
import TestSupport
import XCTest
@testable import TensorGraph

/// AdagradOptimizer, AdamWOptimizer and ExponentialMovingAverage (issue 13): two steps against the update
/// written out by hand, and against the values TensorFlow 2.21 gave for the same gradients
/// (`tf.compat.v1.train.AdagradOptimizer`, `tf.keras.optimizers.AdamW`, `tf.train.ExponentialMovingAverage`).
final class OptimizerExtensionTests: XCTestCase {
    private let start = [1.0, -2, 0.5]
    private let gradients = [[0.3, -0.4, 1.0], [-0.2, 0.1, 0.5]]

    /// Two steps of `optimizer` on loss = Σ w·c with c fed, so the gradient at step k is `gradients[k]`.
    private func twoSteps(_ optimizer: Optimizer) throws -> (Graph, Session, Output) {
        let g = Graph()
        let w = try g.variable(g.constant(Tensor(start)), name: "w")
        let c = try g.placeholder(.double, shape: [3], name: "c")
        let train = try optimizer.minimize(g.sum(w * c))
        let session = Session(graph: g)
        try session.run(g.globalVariablesInitializer())
        for grad in gradients { try session.run(train, feeding: [c: Tensor(grad)]) }
        return (g, session, w)
    }

    func testAdagradTwoStepsMatchHandComputationAndTensorFlow() throws {
        let (g, session, w) = try twoSteps(AdagradOptimizer(learningRate: 0.1))
        XCTAssert(g.nodes.contains { $0.opName == "ApplyAdagrad" && $0.name == "Adagrad/update_w/ApplyAdagrad" })
        let accumulator = try XCTUnwrap(g.globalVariables.first { $0.name == "w/Adagrad" })
        XCTAssertFalse(accumulator.isTrainable)
        var expected = start, accum = [Double](repeating: 0.1, count: 3)
        for grad in gradients {
            for i in 0..<3 {
                accum[i] += grad[i] * grad[i]
                expected[i] -= 0.1 * grad[i] / accum[i].squareRoot()
            }
        }
        assertClose(try session.run(w).doubleValues, expected, absolute: 0, relative: 1e-15)
        assertClose(try session.run(accumulator.value).doubleValues, accum, absolute: 0, relative: 1e-15)
        // tf.compat.v1.train.AdagradOptimizer(0.1) on float64 variables, same two gradients. TF converts the Python
        // learning rate to a float32 tensor before casting it to float64, so it steps with Float(0.1).
        let (_, tfSession, tfW) = try twoSteps(AdagradOptimizer(learningRate: Double(Float(0.1))))
        assertClose(try tfSession.run(tfW).doubleValues, [0.9728781622460996, -1.9407985540355437, 0.3616205907222334],
                    absolute: 0, relative: 1e-15)
        assertClose(try session.run(accumulator.value).doubleValues, [0.23, 0.27, 1.35], absolute: 0, relative: 1e-15)
        assertThrows(["initialAccumulatorValue"]) { try twoSteps(AdagradOptimizer(learningRate: 0.1, initialAccumulatorValue: 0)) }
        assertThrows(["weightDecay"]) { try twoSteps(AdamWOptimizer(weightDecay: -1)) }
    }

    func testAdamWTwoStepsMatchHandComputationAndKeras() throws {
        let (g, session, w) = try twoSteps(AdamWOptimizer(learningRate: 0.1, weightDecay: 0.5))
        XCTAssertEqual(Set(g.globalVariables.map(\.name)), ["w", "w/AdamW", "w/AdamW_1", "beta1_power", "beta2_power"])
        var expected = start, m = [0.0, 0, 0], v = [0.0, 0, 0]
        for (t, grad) in gradients.enumerated() {
            let rate = 0.1 * (1 - Foundation.pow(0.999, Double(t + 1))).squareRoot() / (1 - Foundation.pow(0.9, Double(t + 1)))
            for i in 0..<3 {
                expected[i] -= 0.1 * 0.5 * expected[i]   // decoupled decay first, scaled by the learning rate
                m[i] = 0.9 * m[i] + 0.1 * grad[i]
                v[i] = 0.999 * v[i] + 0.001 * grad[i] * grad[i]
                expected[i] -= rate * m[i] / (v[i].squareRoot() + 1e-7)
            }
        }
        assertClose(try session.run(w).doubleValues, expected, absolute: 0, relative: 1e-14)
        // tf.keras.optimizers.AdamW(learning_rate=0.1, weight_decay=0.5, epsilon=1e-7) on float64 variables. Keras
        // rounds the learning rate and the β of the bias correction to float32 (a NumPy replay of the formula with
        // those roundings gives its values to 1e-16), hence the 1e-5 tolerance.
        assertClose(try session.run(w).doubleValues, [0.7930498026673178, -1.6630552361270667, 0.263033851881743], absolute: 0, relative: 1e-5)
    }

    func testAdamWExcludesVariablesFromDecay() throws {
        let (_, session, w) = try twoSteps(AdamWOptimizer(learningRate: 0.1, weightDecay: 0.5, excludeFromWeightDecay: ["w"]))
        let (_, adamSession, adamW) = try twoSteps(AdamOptimizer(learningRate: 0.1, epsilon: 1e-7))
        assertClose(try session.run(w).doubleValues, try adamSession.run(adamW).doubleValues, absolute: 0, relative: 1e-15)
    }

    func testExponentialMovingAverageFollowsVariables() throws {
        let g = Graph()
        let w = try g.variable(g.constant(Tensor([Float(1), 2])), name: "w")
        let count = try g.placeholder(.int32, shape: [], name: "count")
        let ema = ExponentialMovingAverage(decay: 0.9, numUpdates: count)
        let update = try ema.apply([w])
        XCTAssertEqual(update.name, "ExponentialMovingAverage")
        XCTAssertEqual(update.node.controlInputs.map { g.nodes[$0].name }, ["ExponentialMovingAverage/AssignMovingAvg"])
        let shadow = try XCTUnwrap(ema.average(for: w))
        XCTAssertEqual(shadow.variable?.name, "w/ExponentialMovingAverage")
        XCTAssertEqual(shadow.variable?.isTrainable, false)
        XCTAssertEqual(g.collection(.movingAverageVariables), [w])
        let session = Session(graph: g)
        try session.run(g.globalVariablesInitializer())
        XCTAssertEqual(try session.run(shadow).doubleValues, [1, 2])   // starts at the variable's initial value
        _ = try session.run(g.assign(w, g.constant(Tensor([Float(3), 5]))))
        // numUpdates 3 caps the decay at 4/13; TF gave [2.384615421295166, 4.076923370361328].
        try session.run(update, feeding: [count: Tensor(Int32(3))])
        assertClose(try session.run(shadow).doubleValues, [2.384615421295166, 4.076923370361328], absolute: 1e-6)
        // A large count leaves the decay at 0.9: shadow += 0.1·(w − shadow).
        try session.run(update, feeding: [count: Tensor(Int32(1_000_000))])
        let previous = [2.384615421295166, 4.076923370361328]
        assertClose(try session.run(shadow).doubleValues, [previous[0] + 0.1 * (3 - previous[0]), previous[1] + 0.1 * (5 - previous[1])], absolute: 1e-6)
        assertThrows(["already computed"]) { try ema.apply([w]) }
        assertThrows(["decay"]) { try ExponentialMovingAverage(decay: 1.5).apply([w]) }
    }
}
