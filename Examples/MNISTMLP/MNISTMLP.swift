// Seed 001 in Swift: the TF1 graph-mode MNIST notebook.
// 784-64 tanh-10, softmax, cross-entropy, SGD 0.5, batch 32, 5 epochs, no shuffling.
// Self-contained on purpose (no ExampleSupport): the whole notebook reads in this one file.
import ArgumentParser
import Foundation
import TensorGraph

@main
struct MNISTMLP: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mnist-mlp",
        abstract: "Train seed 001's 784-64-10 tanh MLP on MNIST with SGD, then save it frozen with golden inputs and outputs."
    )

    @Option(help: "Number of passes over the training set.") var epochs = 5
    @Option(help: ArgumentHelp("Where to write the frozen GraphDef; .input.npy and .output.npy go beside it.", valueName: "path"))
    var save = "Graphs/mnist-mlp.pb"
    @Option(help: ArgumentHelp("Directory with the four MNIST IDX .gz files (default: $MNIST_DIR, else Examples/Data/mnist).",
                               valueName: "dir"))
    var data: String?

    func validate() throws {
        guard epochs >= 1 else { throw ValidationError("--epochs must be at least 1, got \(epochs)") }
    }

    func run() throws {
        let batchSize = 32
        guard let dataDirectory = data ?? MNIST.locateBundled() else {
            throw TensorGraphError.fileError(path: "Examples/Data/mnist",
                                             message: "MNIST not found; pass --data DIR (with the four IDX .gz files) or set MNIST_DIR")
        }
        let mnist = try MNIST(directory: dataDirectory)

        let g = Graph()
        let x = try g.placeholder(.float, shape: [nil, 784], name: "x")
        let y = try g.placeholder(.float, shape: [nil, 10], name: "y")

        let w1 = try g.variable(name: "W1", shape: [784, 64])                 // tf.get_variable: Glorot uniform
        let b1 = try g.variable(g.zeros([64]), name: "b1")                    // tf.Variable(tf.zeros(...))
        let h1 = try g.tanh(g.matMul(x, w1) + b1)
        let w2 = try g.variable(name: "W2", shape: [64, 10])
        let b2 = try g.variable(g.zeros([10]), name: "b2")
        let h2 = try g.matMul(h1, w2) + b2
        let classProbs = try g.softmax(h2, name: "probs")

        // The notebook's loss, kept as written: it applies softmax to the class probabilities a second time.
        let crossEntropy = try g.mean(g.neg(g.sum(y * g.log(g.softmax(classProbs)), axes: [1])))
        let trainStep = try GradientDescentOptimizer(learningRate: 0.5).minimize(crossEntropy)

        let correct = try g.equal(g.argMax(y, axis: 1), g.argMax(classProbs, axis: 1))
        let accuracy = try g.mean(g.cast(correct, to: .float))

        let session = Session(graph: g)
        try session.run(g.globalVariablesInitializer())

        let batches = mnist.train.batches(of: batchSize, dropRemainder: true)   // int(N / batch_size) steps, in order
        let feedsPerBatch = batches.map { [x: $0.images, y: $0.oneHotLabels] }
        print("mnist-mlp: \(batches.count) steps of \(batchSize) per epoch, \(epochs) epochs")
        var totalSeconds = 0.0
        for epoch in 0..<epochs {
            let start = Date()
            var lossSum = 0.0
            for feeds in feedsPerBatch {
                lossSum += Double(try session.run(crossEntropy, target: trainStep, feeding: feeds).scalar(as: Float.self))
            }
            let seconds = Date().timeIntervalSince(start)
            totalSeconds += seconds
            let testAccuracy = try session.run(accuracy, feeding: [x: mnist.test.images, y: mnist.test.oneHotLabels]).scalar(as: Float.self)
            print(String(format: "Epoch %d: loss %.4f  test accuracy %.4f  (%.2f s)", epoch, lossSum / Double(batches.count), testAccuracy, seconds))
        }
        let trainAccuracy = try session.run(accuracy, feeding: [x: mnist.train.images, y: mnist.train.oneHotLabels]).scalar(as: Float.self)
        let testAccuracy = try session.run(accuracy, feeding: [x: mnist.test.images, y: mnist.test.oneHotLabels]).scalar(as: Float.self)
        print(String(format: "Accuracy on training data: %.4f", trainAccuracy))
        print(String(format: "Accuracy on test data: %.4f", testAccuracy))
        print(String(format: "Training time: %.2f s (%.2f s per epoch)", totalSeconds, totalSeconds / Double(epochs)))

        // Save the trained model as a frozen GraphDef, with golden inputs and outputs beside it.
        let frozen = try g.freeze(session, outputs: [classProbs])
        try frozen.write(to: save)
        let base = String(save.dropLast(save.hasSuffix(".pb") ? 3 : 0))
        let golden = mnist.test.subset(0..<8)
        try NPY.write(golden.images, to: base + ".input.npy")
        try NPY.write(session.run(classProbs, feeding: [x: golden.images]), to: base + ".output.npy")
        print("Saved \(save) (\(frozen.nodes.count) nodes), \(base).input.npy and \(base).output.npy")
    }
}
