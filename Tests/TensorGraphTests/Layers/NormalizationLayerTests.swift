import Foundation
import TestSupport
import XCTest
@testable import TensorGraph

/// The batch-normalization, layer-normalization and global pooling layers (issue 13): TF1's variable names,
/// training vs inference, and the moving statistics after several steps against Keras's update formula.
final class NormalizationLayerTests: XCTestCase {
    /// Per-channel biased mean and variance of NHWC (or [N, C]) values with `c` channels.
    private func statistics(_ values: [Float], channels c: Int) -> (mean: [Double], variance: [Double]) {
        let rows = values.count / c
        let mean = (0..<c).map { j in (0..<rows).map { Double(values[$0 * c + j]) }.reduce(0, +) / Double(rows) }
        let variance = (0..<c).map { j in (0..<rows).map { Foundation.pow(Double(values[$0 * c + j]) - mean[j], 2) }.reduce(0, +) / Double(rows) }
        return (mean, variance)
    }

    private func batch(_ k: Int) -> [Float] { (0..<24).map { Float($0) * 0.1 * Float(k + 1) - 0.5 * Float(k) + Float(($0 * 7) % 5) * 0.3 } }

    func testBatchNormalizationTrainingInferenceAndMovingStatistics() throws {
        let g = Graph()
        let x = try g.placeholder(.float, shape: [nil, 2, 2, 3], name: "x")
        let training = try g.placeholder(default: g.constant(false), shape: [], name: "training")
        let y = try g.layers.batchNormalization(x, training: training, momentum: 0.9)
        XCTAssertEqual(y.shape, [nil, 2, 2, 3])
        let variables = Dictionary(uniqueKeysWithValues: g.globalVariables.map { ($0.name, $0.isTrainable) })
        XCTAssertEqual(variables, ["batch_normalization/gamma": true, "batch_normalization/beta": true,
                                   "batch_normalization/moving_mean": false, "batch_normalization/moving_variance": false])
        let updates = g.collection(.updateOps)
        XCTAssertEqual(updates.count, 2)
        XCTAssertEqual(updates.map(\.node.name), ["batch_normalization/AssignMovingAvg", "batch_normalization/AssignMovingAvg_1"])
        XCTAssert(updates.allSatisfy { $0.node.opName == "AssignSub" })
        XCTAssert(g.nodes.contains { $0.opName == "FusedBatchNormV3" })
        let movingMean = try XCTUnwrap(g.globalVariables.first { $0.name == "batch_normalization/moving_mean" }).value
        let movingVariance = try XCTUnwrap(g.globalVariables.first { $0.name == "batch_normalization/moving_variance" }).value
        let session = Session(graph: g)
        try session.run(g.globalVariablesInitializer())

        // Three training steps: y uses the batch statistics; moving ← 0.9·moving + 0.1·batch (variance unbiased, n = 8).
        var expectedMean = [0.0, 0, 0], expectedVariance = [1.0, 1, 1]
        for k in 0..<3 {
            let values = batch(k)
            let out = try session.run([y] + updates, feeding: [x: Tensor(shape: [2, 2, 2, 3], scalars: values), training: Tensor(true)])
            let (mean, variance) = statistics(values, channels: 3)
            let normalized = values.indices.map { (Double(values[$0]) - mean[$0 % 3]) / (variance[$0 % 3] + 0.001).squareRoot() }
            assertClose(out[0].doubleValues, normalized, absolute: 1e-5, relative: 1e-5, "training output, step \(k)")
            for j in 0..<3 {
                expectedMean[j] = 0.9 * expectedMean[j] + 0.1 * mean[j]
                expectedVariance[j] = 0.9 * expectedVariance[j] + 0.1 * variance[j] * 8 / 7
            }
        }
        assertClose(try session.run(movingMean).doubleValues, expectedMean, absolute: 1e-6, relative: 1e-5)
        assertClose(try session.run(movingVariance).doubleValues, expectedVariance, absolute: 1e-6, relative: 1e-5)

        // Inference: the moving statistics normalize, and running the updates changes nothing.
        let values = batch(5)
        let out = try session.run([y] + updates, feeding: [x: Tensor(shape: [2, 2, 2, 3], scalars: values)])
        let normalized = values.indices.map { (Double(values[$0]) - expectedMean[$0 % 3]) / (expectedVariance[$0 % 3] + 0.001).squareRoot() }
        assertClose(out[0].doubleValues, normalized, absolute: 1e-5, relative: 1e-5, "inference output")
        assertClose(try session.run(movingMean).doubleValues, expectedMean, absolute: 1e-6, relative: 1e-5)
        assertClose(try session.run(movingVariance).doubleValues, expectedVariance, absolute: 1e-6, relative: 1e-5)
    }

    /// The gradient reaches gamma and beta through the fed-mode selection: dL/dβ = Σ w, dL/dγ = Σ w·x̂.
    func testBatchNormalizationGradientsInTraining() throws {
        let g = Graph()
        let x = try g.placeholder(.float, shape: [4, 3], name: "x")
        let training = try g.placeholder(default: g.constant(true), shape: [], name: "training")
        let y = try g.layers.batchNormalization(x, training: training)
        XCTAssertEqual(y.shape, [4, 3])
        let weights = (0..<12).map { Float($0 % 5) - 1.5 }
        let loss = try g.sum(y * g.constant(Tensor(shape: [4, 3], scalars: weights)))
        let params = g.trainableVariables
        XCTAssertEqual(params.map(\.name), ["batch_normalization/gamma", "batch_normalization/beta"])
        let grads = try g.gradients(of: loss, with: params.map(\.value)).map { $0! }
        let session = Session(graph: g)
        try session.run(g.globalVariablesInitializer())
        let values = batch(1).prefix(12).map { $0 }
        let result = try session.run(grads, feeding: [x: Tensor(shape: [4, 3], scalars: values)])
        let (mean, variance) = statistics(values, channels: 3)
        var gamma = [0.0, 0, 0], beta = [0.0, 0, 0]
        for i in 0..<12 {
            let j = i % 3, w = Double(weights[i])
            gamma[j] += w * (Double(values[i]) - mean[j]) / (variance[j] + 0.001).squareRoot()
            beta[j] += w
        }
        assertClose(result[0].doubleValues, gamma, absolute: 1e-4, relative: 1e-4)
        assertClose(result[1].doubleValues, beta, absolute: 1e-5)
    }

    func testBatchNormalizationFixedModesAndErrors() throws {
        let g = Graph()
        let x = try g.placeholder(.float, shape: [nil, 3], name: "x")
        _ = try g.layers.batchNormalization(x)                              // inference: no updates
        XCTAssert(g.collection(.updateOps).isEmpty)
        _ = try g.layers.batchNormalization(x, training: true, center: false, scale: false)
        XCTAssertEqual(g.collection(.updateOps).count, 2)
        XCTAssertEqual(Set(g.globalVariables.map(\.name)).subtracting(["batch_normalization/gamma", "batch_normalization/beta",
                                                                       "batch_normalization/moving_mean", "batch_normalization/moving_variance"]),
                       ["batch_normalization_1/moving_mean", "batch_normalization_1/moving_variance"])
        assertThrows(["batch_normalization", "NHWC"]) { try g.layers.batchNormalization(g.placeholder(.float, shape: [2, 3, 4])) }
        assertThrows(["batch_normalization", "bool"]) { try g.layers.batchNormalization(x, training: g.constant(1.0)) }
        XCTAssert(g.summary().contains("batch_normalization (BatchNormalization)"))
    }

    func testLayerNormalizationMatchesFormula() throws {
        let g = Graph()
        let x = try g.placeholder(.float, shape: [nil, 2, 4], name: "x")
        let y = try g.layers.layerNormalization(x)
        let z = try g.layers.layerNormalization(x, axis: 1)
        XCTAssertEqual(Dictionary(uniqueKeysWithValues: g.globalVariables.map { ($0.name, $0.shape) }),
                       ["layer_normalization/gamma": [4], "layer_normalization/beta": [4],
                        "layer_normalization_1/gamma": [2], "layer_normalization_1/beta": [2]])
        let session = Session(graph: g)
        try session.run(g.globalVariablesInitializer())
        let values = batch(2).prefix(16).map { $0 }
        let out = try session.run([y, z], feeding: [x: Tensor(shape: [2, 2, 4], scalars: values)])
        // Over the last axis: rows of 4.
        var expected: [Double] = []
        for row in 0..<4 {
            let slice = Array(values[row * 4..<(row + 1) * 4])
            let (mean, variance) = statistics(slice, channels: 1)
            expected += slice.map { (Double($0) - mean[0]) / (variance[0] + 0.001).squareRoot() }
        }
        assertClose(out[0].doubleValues, expected, absolute: 1e-5, relative: 1e-5)
        // Over axis 1: pairs 4 apart.
        var overAxis1 = [Double](repeating: 0, count: 16)
        for n in 0..<2 {
            for k in 0..<4 {
                let a = Double(values[n * 8 + k]), b = Double(values[n * 8 + 4 + k]), mean = (a + b) / 2, variance = Foundation.pow(a - mean, 2)
                overAxis1[n * 8 + k] = (a - mean) / (variance + 0.001).squareRoot()
                overAxis1[n * 8 + 4 + k] = (b - mean) / (variance + 0.001).squareRoot()
            }
        }
        assertClose(out[1].doubleValues, overAxis1, absolute: 1e-5, relative: 1e-5)
        try GradientCheck.check("layer_normalization", [Tensor(shape: [2, 3], scalars: [0.3, -1.2, 0.8, 2.0, 0.1, -0.4])], wrt: [0]) { g, x in
            try g.layers.layerNormalization(x[0], epsilon: 0.01, center: false, scale: false)
        }
        assertThrows(["layer_normalization", "axis 3"]) { try g.layers.layerNormalization(x, axis: 3) }
    }

    func testGlobalPoolingLayers() throws {
        let g = Graph()
        let x = try g.placeholder(.float, shape: [nil, 2, 2, 3], name: "x")
        let average = try g.layers.globalAveragePooling2d(x), maximum = try g.layers.globalMaxPooling2d(x, keepDims: true)
        XCTAssertEqual(average.shape, [nil, 3])
        XCTAssertEqual(maximum.shape, [nil, 1, 1, 3])
        let values = batch(0)
        let out = try Session(graph: g).run([average, maximum], feeding: [x: Tensor(shape: [2, 2, 2, 3], scalars: values)])
        var means: [Double] = [], maxima: [Double] = []
        for n in 0..<2 {
            for c in 0..<3 {
                let column = (0..<4).map { Double(values[n * 12 + $0 * 3 + c]) }
                means.append(column.reduce(0, +) / 4)
                maxima.append(column.max()!)
            }
        }
        assertClose(out[0].doubleValues, means, absolute: 1e-6)
        assertClose(out[1].doubleValues, maxima, absolute: 0)
        let summary = g.summary()
        XCTAssert(summary.contains("global_average_pooling2d (GlobalAveragePooling2D)") && summary.contains("global_max_pooling2d (GlobalMaxPooling2D)"), summary)
        assertThrows(["global_max_pooling2d"]) { try g.layers.globalMaxPooling2d(g.placeholder(.float, shape: [2, 3])) }
    }
}
