import Foundation
import TestSupport
import XCTest
@testable import TensorGraph

/// Losses, gradient clipping and learning-rate schedules (issue 13) against TF1's formulas and against values
/// TensorFlow 2.21 printed for the same inputs (`tf.compat.v1.losses`, `tf.clip_by_global_norm`,
/// `tf.compat.v1.train.*_decay`; TF's losses compute in float32, hence the 1e-6 tolerances there).
final class TrainingUtilityTests: XCTestCase {
    private let labels = Tensor(shape: [2, 3], scalars: [0.0, 1, 0.3, 1, 0, 0.5])
    private let logits = Tensor(shape: [2, 3], scalars: [-50.0, 2, 0.1, 30, -1.5, 0])
    private let predictions = Tensor(shape: [2, 3], scalars: [0.5, 1, -2, 3, 0.2, 0.5])

    private func run(_ build: (Graph) throws -> Output) throws -> [Double] {
        let g = Graph()
        return try Session(graph: g).run(build(g)).doubleValues
    }

    func testSigmoidCrossEntropyMatchesTensorFlowAndIsStable() throws {
        let values = try run { g in try g.sigmoidCrossEntropyWithLogits(labels: g.constant(labels), logits: g.constant(logits)) }
        // tf.nn.sigmoid_cross_entropy_with_logits, float64 (logit −50 and 30 neither overflow nor round to 0).
        let tf = [1.9287498479639178e-22, 0.12692801104297249, 0.71439666007357094,
                  9.3576229688397368e-14, 0.20141327798275241, 0.69314718055994529]
        assertClose(values, tf, absolute: 1e-30, relative: 1e-12)
        let formula = zip(labels.doubleValues, logits.doubleValues).map { z, x in Swift.max(x, 0) - x * z + Foundation.log1p(Foundation.exp(-Swift.abs(x))) }
        assertClose(values, formula, absolute: 0, relative: 1e-14)
        // Away from x = 0, where the Select switches branches.
        let smooth = Tensor(shape: [2, 3], scalars: [-3.0, 2, 0.4, 1.7, -1.5, -0.2])
        try GradientCheck.check("logistic_loss", [labels, smooth], wrt: [0, 1], secondOrder: true) { g, x in
            try g.sigmoidCrossEntropyWithLogits(labels: x[0], logits: x[1])
        }
        assertThrows(["logistic_loss", "same shape"]) {
            let g = Graph()
            return try g.sigmoidCrossEntropyWithLogits(labels: g.placeholder(.float, shape: [2]), logits: g.placeholder(.float, shape: [3]))
        }
    }

    func testLossReductionsMatchTensorFlow() throws {
        let weightRows = Tensor(shape: [2, 1], scalars: [1.0, 0])
        let weights = Tensor(shape: [2, 3], scalars: [2.0, 0, 1, 0.5, 1, 0])
        func loss(_ body: @escaping (Graph, Output, Output) throws -> Output) throws -> Double {
            try run { g in try body(g, g.constant(self.labels), g.constant(self.predictions)) }[0]
        }
        // The values tf.compat.v1.losses gave (SUM_BY_NONZERO_WEIGHTS unless named).
        XCTAssertEqual(try loss { g, l, p in try g.losses.meanSquaredError(labels: l, predictions: p) }, 1.5966667, accuracy: 1e-6)
        XCTAssertEqual(try loss { g, l, p in try g.losses.meanSquaredError(labels: l, predictions: p, weights: g.constant(weightRows)) },
                       1.8466667, accuracy: 1e-6)
        XCTAssertEqual(try loss { g, l, p in try g.losses.huberLoss(labels: l, predictions: p, delta: 1.5) }, 0.72416663, accuracy: 1e-6)
        XCTAssertEqual(try loss { g, l, p in try g.losses.huberLoss(labels: l, predictions: p, delta: 0.7, weights: g.constant(weights)) },
                       0.55312496, accuracy: 1e-6)
        XCTAssertEqual(try loss { g, l, p in
            try g.losses.huberLoss(labels: l, predictions: p, weights: g.constant(weights), reduction: .mean)
        }, 0.62666667, accuracy: 1e-6)
        XCTAssertEqual(try loss { g, l, p in
            try g.losses.huberLoss(labels: l, predictions: p, weights: g.constant(weights), reduction: .sumOverBatchSize)
        }, 0.47, accuracy: 1e-6)
        XCTAssertEqual(try loss { g, l, _ in
            try g.losses.sigmoidCrossEntropy(multiClassLabels: l, logits: g.constant(self.logits), labelSmoothing: 0.2)
        }, 1.6803144216537476, accuracy: 1e-6)
        // The formula by hand: MSE with row weights [1, 0] averages the first row's three squared errors.
        let first = (0..<3).map { Foundation.pow(predictions.doubleValues[$0] - labels.doubleValues[$0], 2) }
        XCTAssertEqual(try loss { g, l, p in try g.losses.meanSquaredError(labels: l, predictions: p, weights: g.constant(weightRows)) },
                       first.reduce(0, +) / 3, accuracy: 1e-12)
        // All weights zero: div_no_nan gives 0 (and no NaN gradient).
        let zeroWeights = try run { g in
            let p = try g.constant(self.predictions)
            let l = try g.losses.meanSquaredError(labels: g.constant(self.labels), predictions: p, weights: g.constant(0.0, like: p))
            return try g.gradients(of: l, with: [p])[0]!
        }
        XCTAssertEqual(zeroWeights, [Double](repeating: 0, count: 6))
        let g = Graph()
        let l = try g.losses.meanSquaredError(labels: g.constant(labels), predictions: g.constant(predictions))
        XCTAssertEqual(g.collection(.losses), [l])
        assertThrows(["huber_loss", "delta"]) { try g.losses.huberLoss(labels: g.constant(labels), predictions: g.constant(predictions), delta: 0) }
        assertThrows(["mean_squared_error"]) {
            try g.losses.meanSquaredError(labels: g.placeholder(.float, shape: [2]), predictions: g.placeholder(.float, shape: [3]))
        }
    }

    func testLossGradientsMatchFiniteDifferences() throws {
        // Predictions away from the Huber kink |p − l| = delta.
        try GradientCheck.check("mean_squared_error", [labels, predictions], wrt: [0, 1]) { g, x in
            try g.losses.meanSquaredError(labels: x[0], predictions: x[1], weights: g.constant(Tensor(shape: [2, 1], scalars: [1.0, 0.5])))
        }
        try GradientCheck.check("huber_loss", [labels, predictions], wrt: [0, 1]) { g, x in
            try g.losses.huberLoss(labels: x[0], predictions: x[1], delta: 0.8)
        }
    }

    func testL2RegularizationIsScaledHalfSumOfSquares() throws {
        let g = Graph()
        let w = try g.variable(g.constant(Tensor([1.0, 2])), name: "w"), b = try g.variable(g.constant(Tensor([3.0])), name: "b")
        let penalty = try g.l2Regularization([w, b], scale: 0.01)
        let session = Session(graph: g)
        try session.run(g.globalVariablesInitializer())
        XCTAssertEqual(try session.run(penalty).scalar(as: Double.self), 0.01 * (1 + 4 + 9) / 2, accuracy: 1e-15)
        XCTAssertEqual(g.collection(.regularizationLosses), [penalty])
        assertThrows(["no variables"]) { try g.l2Regularization([], scale: 1) }
    }

    func testClipByGlobalNormMatchesTensorFlow() throws {
        let g = Graph()
        let a = try g.constant(Tensor(shape: [1, 2], scalars: [3.0, 4])), b = try g.constant(Tensor([12.0]))
        let (clipped, norm) = try g.clipByGlobalNorm([a, nil, b], clipNorm: 5)
        XCTAssertNil(clipped[1])
        let session = Session(graph: g)
        // tf.clip_by_global_norm([a, None, b], 5.0): norm 13, each scaled by 5/13.
        XCTAssertEqual(try session.run(norm).scalar(as: Double.self), 13)
        assertClose(try session.run(clipped[0]!).doubleValues, [1.153846153846154, 1.5384615384615385], absolute: 0, relative: 1e-15)
        assertClose(try session.run(clipped[2]!).doubleValues, [4.615384615384616], absolute: 0, relative: 1e-15)
        // Under the limit nothing changes; an infinite norm makes every value NaN, as TF.
        let (kept, _) = try g.clipByGlobalNorm([a, b], clipNorm: 100)
        XCTAssertEqual(try session.run(kept[0]!).doubleValues, [3, 4])
        let (poisoned, infinite) = try g.clipByGlobalNorm([g.constant(Tensor([Double.infinity, 1]))], clipNorm: 1)
        XCTAssert(try session.run(poisoned[0]!).doubleValues.allSatisfy(\.isNaN))
        XCTAssertEqual(try session.run(infinite).scalar(as: Double.self), .infinity)
        assertThrows(["clipNorm"]) { try g.clipByGlobalNorm([a], clipNorm: 0) }
        assertThrows(["every tensor is nil"]) { try g.clipByGlobalNorm([nil], clipNorm: 1) }
    }

    func testClippedGradientsTrain() throws {
        let g = Graph()
        let w = try g.variable(g.constant(Tensor([3.0, 4])), name: "w"), unused = try g.variable(g.constant(Tensor([1.0])), name: "unused")
        let optimizer = GradientDescentOptimizer(learningRate: 1)
        let pairs = try optimizer.computeGradients(g.sum(w * w) * 0.5, variables: [w, unused])   // gradient w, nil
        let (clipped, norm) = try g.clipByGlobalNorm(pairs, clipNorm: 1)
        XCTAssertNil(clipped[1].gradient)
        let byValue = try g.clipByValue(pairs, min: -3.5, max: 3.5)
        let session = Session(graph: g)
        try session.run(g.globalVariablesInitializer())
        XCTAssertEqual(try session.run(byValue[0].gradient!).doubleValues, [3, 3.5])
        XCTAssertEqual(try session.run(norm).scalar(as: Double.self), 5, accuracy: 1e-15)
        try session.run(optimizer.applyGradients(clipped))
        assertClose(try session.run(w).doubleValues, [3 - 0.6, 4 - 0.8], absolute: 1e-15)   // w − w/‖w‖
        assertThrows(["min"]) { try g.clipByValue(pairs, min: 1, max: 0) }
    }

    func testSchedulesMatchTensorFlowAndTheFormulas() throws {
        let g = Graph()
        let step = try g.placeholder(.int64, shape: [], name: "step")
        let exponential = try g.exponentialDecay(learningRate: 0.1, globalStep: step, decaySteps: 10, decayRate: 0.5)
        let staircase = try g.exponentialDecay(learningRate: 0.1, globalStep: step, decaySteps: 10, decayRate: 0.5, staircase: true)
        let piecewise = try g.piecewiseConstant(globalStep: step, boundaries: [5, 10], values: [1, 0.5, 0.1])
        let cosine = try g.cosineDecay(learningRate: 0.1, globalStep: step, decaySteps: 20, alpha: 0.1)
        // What tf.compat.v1.train.{exponential_decay, exponential_decay(staircase), piecewise_constant, cosine_decay} gave.
        let tf: [Int64: [Double]] = [
            0: [0.1, 0.1, 1.0, 0.1], 1: [0.0933033, 0.1, 1.0, 0.09944598], 7: [0.061557222, 0.1, 0.5, 0.07542957],
            10: [0.05, 0.05, 0.5, 0.054999996], 25: [0.01767767, 0.025, 0.1, 0.010000001], 100: [9.765625e-05, 9.765625e-05, 0.1, 0.010000001],
        ]
        let session = Session(graph: g)
        for (s, expected) in tf.sorted(by: { $0.key < $1.key }) {
            let values = try session.run([exponential, staircase, piecewise, cosine], feeding: [step: Tensor(s)]).map { Double($0.scalar(as: Float.self)) }
            assertClose(values, expected, absolute: 1e-8, relative: 1e-6, "step \(s)")
            let t = Double(s), p = Swift.min(t, 20) / 20
            let formula = [0.1 * Foundation.pow(0.5, t / 10), 0.1 * Foundation.pow(0.5, Foundation.floor(t / 10)),
                           t <= 5 ? 1 : t <= 10 ? 0.5 : 0.1, 0.1 * (0.9 * 0.5 * (1 + Foundation.cos(Double.pi * p)) + 0.1)]
            assertClose(values, formula, absolute: 1e-8, relative: 1e-6, "formula, step \(s)")
        }
        assertThrows(["decaySteps"]) { try g.cosineDecay(learningRate: 1, globalStep: step, decaySteps: 0) }
        assertThrows(["one more value"]) { try g.piecewiseConstant(globalStep: step, boundaries: [1], values: [1]) }
        assertThrows(["increase"]) { try g.piecewiseConstant(globalStep: step, boundaries: [2, 1], values: [1, 2, 3]) }
    }

    /// A schedule on the global step drives an optimizer: the rate halves after the first step here.
    func testScheduleOnGlobalStepDrivesTheOptimizer() throws {
        let g = Graph()
        let w = try g.variable(g.constant(Tensor([Float(0)])), name: "w")
        let globalStep = try g.globalStep()
        let rate = try g.exponentialDecay(learningRate: 1, globalStep: globalStep, decaySteps: 1, decayRate: 0.5, staircase: true)
        let train = try GradientDescentOptimizer(learningRate: rate).minimize(g.sum(w) * -1, globalStep: globalStep)
        let session = Session(graph: g)
        try session.run(g.globalVariablesInitializer())
        for _ in 0..<3 { try session.run(train) }
        XCTAssertEqual(try session.run(w).scalar(as: Float.self), 1 + 0.5 + 0.25)
        XCTAssertEqual(try session.run(globalStep).scalar(as: Int64.self), 3)
    }
}

/// Prod's gradient where the input has zeros, against TensorFlow 2.21's `tf.GradientTape` on `tf.reduce_prod`.
final class ProdGradientTests: XCTestCase {
    func testProdGradientWithZerosMatchesTensorFlow() throws {
        let values = [0.5, 0, 2, -1.5, 0, 0, 1.5, 0.7, 1.2, -0.7, 0.9, 2]
        let tf: [[Int]: [Double]] = [
            [1]: [0, -1.5, 0, 0, 0, 0, 0, 0, -1.26, 2.16, -1.68, -0.756],
            [0]: [0, 0, 1.35, 1.4, 0.6, 0, 1.8, -3, 0, 0, 3, -1.05],
            [0, 1]: [Double](repeating: 0, count: 12),
        ]
        for (axes, expected) in tf {
            let g = Graph()
            let x = try g.constant(Tensor(shape: [3, 4], scalars: values))
            let gradient = try XCTUnwrap(g.gradients(of: g.sum(g.prod(x, axes: axes)), with: [x])[0])
            // P/x here against TF's products of the others: equal up to rounding.
            assertClose(try Session(graph: g).run(gradient).doubleValues, expected, absolute: 1e-15, relative: 1e-15, "axes \(axes)")
        }
    }
}
