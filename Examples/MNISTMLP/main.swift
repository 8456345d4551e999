// Seed 001 in Swift: the TF1 graph-mode MNIST notebook.
// 784-64 tanh-10, softmax, cross-entropy, SGD 0.5, batch 32, 5 epochs, no shuffling.
import Foundation
import TensorGraph

let arguments = CommandLine.arguments.dropFirst()
func option(_ name: String) -> String? {
    guard let i = arguments.firstIndex(of: name), arguments.index(after: i) < arguments.endIndex else { return nil }
    return arguments[arguments.index(after: i)]
}
let epochs = option("--epochs").flatMap(Int.init) ?? 5
let savePath = option("--save") ?? "Graphs/mnist-mlp.pb"
let batchSize = 32

do {
    guard let dataDirectory = option("--data") ?? MNIST.locateBundled() else {
        print("error: MNIST not found; pass --data DIR (with the four IDX .gz files) or set MNIST_DIR")
        exit(1)
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
    try frozen.write(to: savePath)
    let base = String(savePath.dropLast(savePath.hasSuffix(".pb") ? 3 : 0))
    let golden = mnist.test.subset(0..<8)
    try NPY.write(golden.images, to: base + ".input.npy")
    try NPY.write(session.run(classProbs, feeding: [x: golden.images]), to: base + ".output.npy")
    print("Saved \(savePath) (\(frozen.nodes.count) nodes), \(base).input.npy and \(base).output.npy")
} catch {
    print("error: \(error)")
    exit(1)
}
