import TestSupport
import XCTest
@testable import TensorGraph

/// Trains the seed-001 MLP on a 2,000-image MNIST subset.
final class EndToEndTests: XCTestCase {
    func testMLPTrainsOnMNISTSubset() throws {
        let mnist = try MNIST(directory: XCTUnwrap(MNIST.locateBundled()))
        let train = mnist.train.subset(0..<2000), test = mnist.test.subset(0..<1000)
        let g = Graph()
        let x = try g.placeholder(.float, shape: [nil, 784], name: "x")
        let y = try g.placeholder(.float, shape: [nil, 10], name: "y")
        let w1 = try g.variable(name: "W1", shape: [784, 64]), b1 = try g.variable(g.zeros([64]), name: "b1")
        let w2 = try g.variable(name: "W2", shape: [64, 10]), b2 = try g.variable(g.zeros([10]), name: "b2")
        let logits = try g.matMul(g.tanh(g.matMul(x, w1) + b1), w2) + b2
        let loss = try g.mean(g.softmaxCrossEntropyWithLogits(labels: y, logits: logits))
        let train_op = try GradientDescentOptimizer(learningRate: 0.5).minimize(loss)
        let accuracy = try g.mean(g.cast(g.equal(g.argMax(y, axis: 1), g.argMax(logits, axis: 1)), to: .float))
        let session = Session(graph: g)
        try session.run(g.globalVariablesInitializer())

        let testFeeds = [x: test.images, y: test.oneHotLabels]
        let initialAccuracy = try session.run(accuracy, feeding: testFeeds).scalar(as: Float.self)
        var losses: [Float] = []
        for epoch in 0..<5 {
            for batch in train.batches(of: 32, shuffleSeed: 5, epoch: epoch) {
                losses.append(try session.run(loss, target: train_op, feeding: [x: batch.images, y: batch.oneHotLabels]).scalar())
            }
        }
        let finalAccuracy = try session.run(accuracy, feeding: testFeeds).scalar(as: Float.self)
        let early = losses.prefix(20).reduce(0, +) / 20, late = losses.suffix(50).reduce(0, +) / 50
        XCTAssertLessThan(late, early * 0.3, "loss falls: \(early) → \(late)")
        XCTAssertLessThan(initialAccuracy, 0.3)
        // Random weights score ~10%; a 2,000-image model reaches ~85–90%.
        XCTAssertGreaterThan(finalAccuracy, 0.8, "test accuracy \(finalAccuracy)")
    }
}
