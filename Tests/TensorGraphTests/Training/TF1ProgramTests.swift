import Foundation
import TestSupport
import XCTest
@testable import TensorGraph

/// The TF1 program of issue 10's trial, as a TF1 user writes it (small data, few steps): a CNN whose
/// batch statistics are updated by ops the train op waits for, L2 weight decay, a learning rate that
/// decays with the global step (a tensor), gradient clipping between `computeGradients` and
/// `applyGradients`; then saved and restored into an inference graph with fewer variables.
final class TF1ProgramTests: XCTestCase {
    private func buildModel(_ g: Graph, training: Bool) throws -> (x: Output, labels: Output, logits: Output, updates: [GraphOperation]) {
        let x = try g.placeholder(.float, shape: [nil, 6, 6, 1], name: "x"), labels = try g.placeholder(.int32, shape: [nil], name: "labels")
        let h = try g.layers.conv2d(x, filters: 4, kernelSize: (3, 3), padding: .same, activation: .relu)
        // A batch-norm-style moving mean of the features, updated as a side effect of training steps.
        let moving = try g.variable(g.constant(Tensor(shape: [4], scalars: [Float](repeating: 0, count: 4))),
                                    name: "moving_mean", trainable: false)
        var updates: [GraphOperation] = []
        if training {
            let batchMean = try g.mean(h, axes: [0, 1, 2])
            updates.append(try g.assign(moving, moving * 0.9 + batchMean * 0.1).op)
        }
        let logits = try g.layers.dense(g.layers.flatten(g.layers.maxPooling2d(h - moving)), units: 3)
        return (x, labels, logits, updates)
    }

    func testTF1CNNProgramTrainsSavesAndRestoresIntoASmallerGraph() throws {
        var data = TestRandom(seed: 31)
        let images = toFloat32(data.tensor([8, 6, 6, 1], 0, 1)), classes = Tensor((0..<8).map { Int32($0 % 3) })
        let directory = try temporaryDirectory("tf1-program")
        let path = directory + "/model.ckpt"

        let g = Graph()
        let model = try buildModel(g, training: true)
        let crossEntropy = try g.mean(g.sparseSoftmaxCrossEntropyWithLogits(labels: model.labels, logits: model.logits))
        let l2 = try g.addN(try g.trainableVariables.filter { $0.name.hasSuffix("kernel") }.map { try g.sum(g.square($0.value)) * 0.5 })
        let loss = try crossEntropy + 1e-3 * l2
        let step = try g.globalStep()
        // learning_rate = 0.1 · 0.5^(global_step / 2): exponential decay as ops on the global step.
        let rate = try 0.1 * g.exp(g.cast(step, to: .float) * (Foundation.log(0.5) / 2))
        let optimizer = MomentumOptimizer(learningRate: rate, momentum: 0.9)
        let train = try g.withControlDependencies(model.updates) {
            var clipped = try optimizer.computeGradients(loss)
            for i in clipped.indices {
                clipped[i].gradient = try clipped[i].gradient.map { try g.minimum(g.maximum($0, g.constant(-1.0)), g.constant(1.0)) }
            }
            return try optimizer.applyGradients(clipped, globalStep: step)
        }
        let session = Session(graph: g)
        try session.run(g.globalVariablesInitializer())   // no feed: initializers carry no control dependencies
        var losses: [Float] = []
        for _ in 0..<6 {
            losses.append(try session.run(loss, target: train, feeding: [model.x: images, model.labels: classes]).scalar(as: Float.self))
        }
        XCTAssertLessThan(losses.last!, losses.first!, "\(losses)")
        XCTAssertEqual(try session.value(of: step).scalar(as: Int64.self), 6)
        XCTAssertEqual(try session.run(rate).scalar(as: Float.self), 0.1 * 0.125, accuracy: 1e-7)
        let moving = try XCTUnwrap(g.globalVariables.first { $0.name == "moving_mean" })
        XCTAssertNotEqual(session.value(of: moving)?.scalars(as: Float.self), [0, 0, 0, 0], "the update ops ran with each step")
        try Saver(graph: g).save(session, to: path)

        // Inference graph: no optimizer slots, no global step — TF1's Saver restores its own list.
        let inference = Graph()
        let served = try buildModel(inference, training: false)
        let restored = Session(graph: inference)
        try Saver(graph: inference).restore(restored, from: path)
        XCTAssertEqual(inference.globalVariables.count, 5)
        let expected = try session.run(model.logits, feeding: [model.x: images])
        let got = try restored.run(served.logits, feeding: [served.x: images])
        XCTAssertEqual(got, expected)
    }
}
