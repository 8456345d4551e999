import Foundation
import TestSupport
import XCTest
@testable import TensorGraph

/// A few hundred CNN steps on an MNIST subset: the loss must fall.
final class CNNTrainingTests: XCTestCase {
    func testSmallCNNLossFalls() throws {
        let mnist = try MNIST(directory: XCTUnwrap(MNIST.locateBundled()))
        let train = mnist.train.subset(0..<3200)
        let g = Graph()
        let x = try g.placeholder(.float, shape: [nil, 784])
        let labels = try g.placeholder(.int32, shape: [nil])
        var h = try g.layers.conv2d(g.reshape(x, to: [-1, 28, 28, 1]), filters: 8, kernelSize: (3, 3), activation: .relu)
        h = try g.layers.maxPooling2d(h)
        let logits = try g.layers.dense(g.layers.flatten(h), units: 10)
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
