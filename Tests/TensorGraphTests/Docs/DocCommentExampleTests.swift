import TensorGraph
import XCTest

/// Code from doc comments and the issue-10 trial programs, compiled against the public API as written.
final class DocCommentExampleTests: XCTestCase {
    /// The example in `Session`'s doc comment, as written there.
    func testSessionDocExample() throws {
        let g = Graph()
        let x = try g.placeholder(.float, shape: [nil, 2], name: "x"), y = try g.placeholder(.float, shape: [nil, 2], name: "y")
        let logits = try g.layers.dense(x, units: 2)
        let probabilities = try g.softmax(logits)
        let loss = try g.mean(g.softmaxCrossEntropyWithLogits(labels: y, logits: logits))
        let train = try GradientDescentOptimizer(learningRate: 0.5).minimize(loss)
        let images = Tensor(shape: [2, 2], scalars: [Float(1), 0, 0, 1]), labels = Tensor(shape: [2, 2], scalars: [Float(1), 0, 0, 1])

        let session = Session(graph: g)
        try session.run(g.globalVariablesInitializer())
        let stepLoss = try session.run(loss, target: train, feeding: [x: images, y: labels])   // one training step
        let values = try session.run([loss, probabilities], feeding: [x: images, y: labels])  // [loss, probabilities]

        XCTAssertLessThan(values[0].scalar(as: Float.self), stepLoss.scalar(as: Float.self))
        XCTAssertEqual(values[1].shape, [2, 2])
    }

    /// The first program of issue 10's trial: linear regression with a float-literal variable, as a TF1
    /// user writes it (`W = tf.Variable(0.0)`, `b = tf.Variable(0.0)`, `loss = tf.reduce_mean(tf.square(W * x + b - y))`).
    func testLinearRegressionWithFloatLiteralVariables() throws {
        let g = Graph()
        let x = try g.placeholder(.float, shape: [nil], name: "x"), y = try g.placeholder(.float, shape: [nil], name: "y")
        let w = try g.variable(g.constant(0.0), name: "W"), b = try g.variable(g.constant(0.0), name: "b")
        let loss = try g.mean(g.square(w * x + b - y))
        let train = try GradientDescentOptimizer(learningRate: 0.1).minimize(loss)
        let session = Session(graph: g)
        try session.run(g.globalVariablesInitializer())
        let xs = Tensor([Float(0), 1, 2, 3]), ys = Tensor([Float(1), 3, 5, 7])   // y = 2x + 1
        for _ in 0..<500 { try session.run(train, feeding: [x: xs, y: ys]) }
        XCTAssertEqual(try session.run(w).scalar(as: Float.self), 2, accuracy: 1e-3)
        XCTAssertEqual(try session.run(b).scalar(as: Float.self), 1, accuracy: 1e-3)
        XCTAssertEqual(w.dtype, .float)
    }
}
