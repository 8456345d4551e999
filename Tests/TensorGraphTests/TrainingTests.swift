import Foundation
import TestSupport
import XCTest
@testable import TensorGraph

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

final class LayerTests: XCTestCase {
    func testLayersCreateTFNamedVariables() throws {
        let g = Graph()
        let x = try g.placeholder(.float, shape: [nil, 28, 28, 1])
        let c1 = try g.conv2d(x, filters: 8, kernelSize: (3, 3), activation: .relu)
        let c2 = try g.conv2d(c1, filters: 4, kernelSize: (5, 5), padding: .same)
        let p = try g.maxPooling2d(c2)
        let a = try g.averagePooling2d(p, poolSize: (3, 3), strides: (1, 1), padding: .same)
        let f = try g.flatten(a)
        let d = try g.dense(f, units: 16, activation: .tanh)
        let out = try g.dense(d, units: 10)
        let shapes = Dictionary(uniqueKeysWithValues: g.globalVariables.map { ($0.name, $0.shape) })
        XCTAssertEqual(shapes, ["conv2d/kernel": [3, 3, 1, 8], "conv2d/bias": [8], "conv2d_1/kernel": [5, 5, 8, 4], "conv2d_1/bias": [4],
                                "dense/kernel": [13 * 13 * 4, 16], "dense/bias": [16], "dense_1/kernel": [16, 10], "dense_1/bias": [10]])
        XCTAssertEqual(c1.shape, [nil, 26, 26, 8])
        XCTAssertEqual(p.shape, [nil, 13, 13, 4])
        XCTAssertEqual(f.shape, [nil, 676])
        XCTAssertEqual(out.shape, [nil, 10])
        let summary = g.summary()
        XCTAssert(summary.contains("conv2d (Conv2D)") && summary.contains("(None, 26, 26, 8)") && summary.contains("80"), summary)
        let total: Int = 80 + 804 + 676 * 16 + 16 + 170
        XCTAssert(summary.contains("Total params: \(total)"), summary)
    }

    func testEmbeddingLooksUpRows() throws {
        let g = Graph()
        let ids = try g.placeholder(.int32, shape: [nil, 3])
        let e = try g.embedding(ids, inputDim: 10, outputDim: 2)
        XCTAssertEqual(e.shape, [nil, 3, 2])
        let table = try XCTUnwrap(g.globalVariables.first { $0.name == "embedding/embeddings" })
        let session = Session(graph: g)
        try session.run(g.globalVariablesInitializer())
        let values = try session.run(table.value).scalars(as: Float.self)
        XCTAssert(values.allSatisfy { Swift.abs($0) <= 0.05 })
        let rows = try session.run(e, feeding: [ids: Tensor(shape: [1, 3], scalars: [Int32(9), 0, 9])]).scalars(as: Float.self)
        XCTAssertEqual(rows, Array(values[18..<20]) + Array(values[0..<2]) + Array(values[18..<20]))
    }

    func testDropoutTrainsAndPassesThroughAtInference() throws {
        let g = Graph()
        let x = try g.placeholder(.float, shape: [nil, 1000])
        let training = try g.placeholder(default: g.constant(false), shape: [], name: "training")
        let y = try g.dropout(x, rate: 0.4, training: training)
        let session = Session(graph: g)
        let ones = Tensor(shape: [2, 1000], scalars: [Float](repeating: 1, count: 2000))
        XCTAssertEqual(try session.run(y, feeding: [x: ones]).scalars(as: Float.self), ones.scalars(as: Float.self))
        let dropped = try session.run(y, feeding: [x: ones, training: Tensor(true)]).scalars(as: Float.self)
        let kept = dropped.filter { $0 != 0 }
        XCTAssert(kept.allSatisfy { Swift.abs($0 - 1 / 0.6) < 1e-5 })
        XCTAssertEqual(Double(kept.count) / 2000, 0.6, accuracy: 0.04)
        XCTAssertFalse(g.nodes.contains { OpRegistry.byName[$0.opName] == nil }, "dropout uses registered TF ops only")
    }
}

/// A few hundred CNN steps on an MNIST subset: the loss must fall.
final class CNNTrainingTests: XCTestCase {
    func testSmallCNNLossFalls() throws {
        let mnist = try MNIST(directory: XCTUnwrap(MNIST.locateBundled()))
        let train = mnist.train.subset(0..<3200)
        let g = Graph()
        let x = try g.placeholder(.float, shape: [nil, 784])
        let labels = try g.placeholder(.int32, shape: [nil])
        var h = try g.conv2d(g.reshape(x, to: [-1, 28, 28, 1]), filters: 8, kernelSize: (3, 3), activation: .relu)
        h = try g.maxPooling2d(h)
        let logits = try g.dense(g.flatten(h), units: 10)
        let loss = try g.mean(g.sparseSoftmaxCrossEntropyWithLogits(labels: labels, logits: logits))
        let accuracy = try g.mean(g.cast(g.equal(g.argMax(logits, axis: 1, outputType: .int32), labels), to: .float))
        let step = try AdamOptimizer(learningRate: 0.003).minimize(loss)
        let session = Session(graph: g)
        try session.run(g.globalVariablesInitializer())
        let trainer = Trainer(session: session, loss: loss, accuracy: accuracy, trainOp: step) { batch, _ in [x: batch.images, labels: batch.labels] }
        let history = try trainer.fit(train, epochs: 2, batchSize: 32, shuffleSeed: 2, test: mnist.test.subset(0..<1000), verbose: false)
        XCTAssertEqual(history.count, 2)
        XCTAssertLessThan(history[1].loss, 0.6, "\(history.map(\.loss))")
        XCTAssertGreaterThan(try XCTUnwrap(history[1].testAccuracy), 0.85)
    }
}
