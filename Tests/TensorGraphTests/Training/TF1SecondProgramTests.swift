import Foundation
import TestSupport
import XCTest
@testable import TensorGraph

/// The training utilities of issue 13 together, as a TF1 user's second program writes them: a small conv net
/// with batch normalization (update ops run with each step), global average pooling, an L2 penalty, clipped
/// gradients, a decaying learning rate on the global step, and an exponential moving average of the weights.
final class TF1SecondProgramTests: XCTestCase {
    func testConvNetWithBatchNormScheduleClippingAndAverages() throws {
        let g = Graph()
        let x = try g.placeholder(.float, shape: [nil, 4, 4, 1], name: "x"), y = try g.placeholder(.float, shape: [nil, 1], name: "y")
        let training = try g.placeholder(default: g.constant(false), shape: [], name: "training")
        var h = try g.layers.conv2d(x, filters: 4, kernelSize: (3, 3), padding: .same, useBias: false)
        // Momentum 0.8 so that the moving statistics catch up within the few steps of a test.
        h = try g.relu(g.layers.batchNormalization(h, training: training, momentum: 0.8))
        let logits = try g.layers.dense(g.layers.globalAveragePooling2d(h), units: 1)
        let kernels = g.trainableVariables.filter { $0.name.hasSuffix("kernel") }
        let loss = try g.losses.sigmoidCrossEntropy(multiClassLabels: y, logits: logits) + g.l2Regularization(kernels, scale: 1e-4)

        let globalStep = try g.globalStep()
        let rate = try g.exponentialDecay(learningRate: 0.05, globalStep: globalStep, decaySteps: 10, decayRate: 0.9)
        let optimizer = AdamWOptimizer(learningRate: rate, weightDecay: 0.01, excludeFromWeightDecay: ["gamma", "beta", "bias"])
        let step = try g.withControlDependencies(g.collection(.updateOps).map(\.op)) {
            let (clipped, _) = try g.clipByGlobalNorm(optimizer.computeGradients(loss), clipNorm: 1)
            return try optimizer.applyGradients(clipped, globalStep: globalStep)
        }
        let ema = ExponentialMovingAverage(decay: 0.9, numUpdates: globalStep)
        let train = try g.withControlDependencies([step]) { try ema.apply(g.trainableVariables) }

        // Bright centre → 1, bright border → 0.
        var images: [Float] = [], labels: [Float] = []
        for k in 0..<8 {
            let centre = k % 2 == 0
            for i in 0..<16 {
                let inner = [5, 6, 9, 10].contains(i)
                images.append((inner == centre ? 1 : 0) + Float(k) * 0.01)
            }
            labels.append(centre ? 1 : 0)
        }
        let feeds: [Output: Tensor] = [x: Tensor(shape: [8, 4, 4, 1], scalars: images), y: Tensor(shape: [8, 1], scalars: labels)]
        var trainingFeeds = feeds
        trainingFeeds[training] = Tensor(true)
        let session = Session(graph: g)
        try session.run(g.globalVariablesInitializer())
        let before = try session.run([loss], feeding: feeds)[0].scalar(as: Float.self)
        let beforeTraining = try session.run(loss, feeding: trainingFeeds).scalar(as: Float.self)
        for _ in 0..<40 { try session.run(train, feeding: trainingFeeds) }
        let after = try session.run(loss, feeding: feeds).scalar(as: Float.self)
        let afterTraining = try session.run(loss, feeding: trainingFeeds).scalar(as: Float.self)
        XCTAssertLessThan(afterTraining, beforeTraining * 0.5, "training-mode loss \(beforeTraining) → \(afterTraining)")
        XCTAssertLessThan(after, before * 0.7, "inference loss \(before) → \(after)")
        XCTAssertEqual(try session.run(globalStep).scalar(as: Int64.self), 40)
        let movingMean = try XCTUnwrap(g.globalVariables.first { $0.name == "batch_normalization/moving_mean" })
        XCTAssert(try session.run(movingMean.value).scalars(as: Float.self).contains { $0 != 0 }, "update ops ran with the steps")
        let kernel = try XCTUnwrap(g.globalVariables.first { $0.name == "dense/kernel" })
        let average = try XCTUnwrap(ema.average(for: kernel))
        XCTAssertEqual(average.variable?.name, "dense/kernel/ExponentialMovingAverage")
        XCTAssertNotEqual(try session.run(average).scalars(as: Float.self), try session.run(kernel.value).scalars(as: Float.self))
        XCTAssertEqual(g.collection(.losses).count, 1)
        XCTAssertFalse(g.nodes.contains { OpRegistry.byName[$0.opName] == nil }, "TF ops only")
    }

    /// The same utilities exported as a GraphDef and run by TensorFlow 2.21 (`tf.compat.v1.import_graph_def`, run
    /// every `Assign`, then the `ExponentialMovingAverage` op three times with x and training=True): TF's values are
    /// below; ours agree to float32 rounding. The graph holds BN (FusedBatchNormV3 + AssignMovingAvg), Adagrad
    /// (ApplyAdagrad), cosine decay (Cos), clip_by_global_norm, huber and logistic losses and the moving average.
    func testExportedGraphRunsTheSameInTensorFlow() throws {
        let g = Graph()
        let x = try g.placeholder(.float, shape: [4, 2, 2, 3], name: "x")
        let training = try g.placeholder(default: g.constant(false), shape: [], name: "training")
        let y = try g.layers.batchNormalization(x, training: training, momentum: 0.9)
        let w = try g.variable(g.constant(Tensor([Float(1), -2, 0.5])), name: "w")
        let globalStep = try g.globalStep()
        let rate = try g.cosineDecay(learningRate: 0.1, globalStep: globalStep, decaySteps: 5, alpha: 0.1)
        let labels = try g.constant(Tensor(shape: [1, 3], scalars: [Float(0), 1, 0.3]))
        let prediction = try g.reshape(g.mean(y, axes: [0, 1, 2]), to: [1, 3]) * w
        let loss = try g.losses.huberLoss(labels: labels, predictions: prediction, delta: 0.5)
            + g.sum(g.sigmoidCrossEntropyWithLogits(labels: labels, logits: g.reshape(w, to: [1, 3])))
        let step = try g.withControlDependencies(g.collection(.updateOps).map(\.op)) {
            let optimizer = AdagradOptimizer(learningRate: rate)
            let (clipped, _) = try g.clipByGlobalNorm(optimizer.computeGradients(loss), clipNorm: 0.5)
            return try optimizer.applyGradients(clipped, globalStep: globalStep)
        }
        let ema = ExponentialMovingAverage(decay: 0.9, numUpdates: globalStep)
        let train = try g.withControlDependencies([step]) { try ema.apply([w]) }
        _ = try g.identity(loss, name: "loss_out")
        XCTAssertFalse(try g.graphDef().isEmpty)

        let session = Session(graph: g)
        try session.run(g.globalVariablesInitializer())
        let xs = Tensor(shape: [4, 2, 2, 3], scalars: (0..<48).map { Float(Foundation.sin(0.7 * Double($0) + 0.3) * 1.5) })
        for _ in 0..<3 { try session.run(train, feeding: [x: xs, training: Tensor(true)]) }
        XCTAssertEqual(try session.run(loss, feeding: [x: xs]).scalar(as: Float.self), 4.106937, accuracy: 2e-6)
        let tf: [String: [Double]] = [
            "w": [0.8461982607841492, -1.834824800491333, 0.40686559677124023],
            "w/ExponentialMovingAverage": [0.8615540266036987, -1.8510212898254395, 0.4168747067451477],
            "batch_normalization/moving_mean": [0.008719314821064472, 0.022446030750870705, 0.025616031140089035],
            "batch_normalization/moving_variance": [1.038978099822998, 1.0616717338562012, 1.0697541236877441],
            "w/Adagrad": [0.36297938227653503, 0.48313602805137634, 0.15000000596046448],
        ]
        for (name, expected) in tf {
            let variable = try XCTUnwrap(g.globalVariables.first { $0.name == name })
            assertClose(try session.run(variable.value).doubleValues, expected, absolute: 1e-6, relative: 1e-6, name)
        }
    }
}
