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
    @Option(help: ArgumentHelp("Save a TensorFlow checkpoint and PREFIX.meta after every epoch; when it exists, resume from it and train the remaining epochs.",
                               valueName: "prefix"))
    var checkpoint: String?
    @Option(help: ArgumentHelp("Write TensorBoard events here: the graph, loss, accuracy, learning rate and weight histograms per epoch.", valueName: "dir"))
    var logdir: String?
    @Option(help: ArgumentHelp("Also write a SavedModel here after training (signature serving_default: x → probs); it must not exist yet.",
                               valueName: "dir"))
    var savedModel: String?
    @Option(help: ArgumentHelp("Train and test on only the first N examples of each split (for quick checks).", valueName: "N"))
    var limit: Int?

    func validate() throws {
        guard epochs >= 1 else { throw ValidationError("--epochs must be at least 1, got \(epochs)") }
        if let limit { guard limit >= 1 else { throw ValidationError("--limit must be at least 1, got \(limit)") } }
        if let savedModel, FileManager.default.fileExists(atPath: savedModel),
           (try? FileManager.default.contentsOfDirectory(atPath: savedModel))?.isEmpty != true {
            throw ValidationError("--saved-model '\(savedModel)' exists and is not empty")
        }
    }

    func run() throws {
        let batchSize = 32
        guard let dataDirectory = data ?? MNIST.locateBundled() else {
            throw TensorGraphError.fileError(path: "Examples/Data/mnist",
                                             message: "MNIST not found; pass --data DIR (with the four IDX .gz files) or set MNIST_DIR")
        }
        let mnist = try MNIST(directory: dataDirectory)
        let trainSet = limit.map { mnist.train.subset(0..<min($0, mnist.train.count)) } ?? mnist.train
        let testSet = limit.map { mnist.test.subset(0..<min($0, mnist.test.count)) } ?? mnist.test

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
        let globalStep = try g.globalStep()
        let trainStep = try GradientDescentOptimizer(learningRate: 0.5).minimize(crossEntropy, globalStep: globalStep)

        let correct = try g.equal(g.argMax(y, axis: 1), g.argMax(classProbs, axis: 1))
        let accuracy = try g.mean(g.cast(correct, to: .float))

        let session = Session(graph: g)
        try session.run(g.globalVariablesInitializer())

        let batches = trainSet.batches(of: batchSize, dropRemainder: true)   // int(N / batch_size) steps, in order
        guard !batches.isEmpty else { throw ValidationError("--limit \(limit ?? 0) leaves no full batch of \(batchSize)") }
        let feedsPerBatch = batches.map { [x: $0.images, y: $0.oneHotLabels] }
        print("mnist-mlp: \(batches.count) steps of \(batchSize) per epoch, \(epochs) epochs")

        // --checkpoint: resume where a previous run stopped (global step / steps per epoch = epochs done).
        let saver = Saver(graph: g)
        var firstEpoch = 0
        if let checkpoint, FileManager.default.fileExists(atPath: checkpoint + ".index") {
            try saver.restore(session, from: checkpoint)
            let steps = Int(try session.run(globalStep).scalar(as: Int64.self))
            firstEpoch = min(steps / batches.count, epochs)
            print("Resumed from \(checkpoint): global step \(steps), \(firstEpoch) epochs done")
        }
        // --logdir: the graph once, then scalars and weight histograms per epoch (step = epoch number from 1).
        let events = try logdir.map { try SummaryWriter(logDirectory: $0) }
        try events?.addGraph(g)

        var totalSeconds = 0.0
        for epoch in firstEpoch..<epochs {
            let start = Date()
            var lossSum = 0.0
            for feeds in feedsPerBatch {
                lossSum += Double(try session.run(crossEntropy, target: trainStep, feeding: feeds).scalar(as: Float.self))
            }
            let seconds = Date().timeIntervalSince(start)
            totalSeconds += seconds
            let testAccuracy = try session.run(accuracy, feeding: [x: testSet.images, y: testSet.oneHotLabels]).scalar(as: Float.self)
            print(String(format: "Epoch %d: loss %.4f  test accuracy %.4f  (%.2f s)", epoch, lossSum / Double(batches.count), testAccuracy, seconds))
            if let checkpoint {
                let directory = (checkpoint as NSString).deletingLastPathComponent
                if !directory.isEmpty { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
                try saver.save(session, to: checkpoint, writeMetaGraph: true, trainOp: trainStep)
            }
            if let events {
                let trainAccuracy = try session.run(accuracy, feeding: [x: trainSet.images, y: trainSet.oneHotLabels]).scalar(as: Float.self)
                for (tag, value) in [("loss", lossSum / Double(batches.count)), ("accuracy", Double(trainAccuracy)),
                                     ("test_accuracy", Double(testAccuracy)), ("learning_rate", 0.5)] {
                    try events.addScalar(tag, value, step: epoch + 1)
                }
                for variable in g.trainableVariables {
                    if let value = session.value(of: variable) { try events.addHistogram(variable.name, value, step: epoch + 1) }
                }
                try events.flush()
            }
        }
        try events?.close()
        let trainAccuracy = try session.run(accuracy, feeding: [x: trainSet.images, y: trainSet.oneHotLabels]).scalar(as: Float.self)
        let testAccuracy = try session.run(accuracy, feeding: [x: testSet.images, y: testSet.oneHotLabels]).scalar(as: Float.self)
        print(String(format: "Accuracy on training data: %.4f", trainAccuracy))
        print(String(format: "Accuracy on test data: %.4f", testAccuracy))
        print(String(format: "Training time: %.2f s (%.2f s per epoch)", totalSeconds, totalSeconds / Double(max(epochs - firstEpoch, 1))))

        // Save the trained model as a frozen GraphDef, with golden inputs and outputs beside it.
        let frozen = try g.freeze(session, outputs: [classProbs])
        try frozen.write(to: save)
        let base = String(save.dropLast(save.hasSuffix(".pb") ? 3 : 0))
        let golden = testSet.subset(0..<min(8, testSet.count))
        try NPY.write(golden.images, to: base + ".input.npy")
        try NPY.write(session.run(classProbs, feeding: [x: golden.images]), to: base + ".output.npy")
        print("Saved \(save) (\(frozen.nodes.count) nodes), \(base).input.npy and \(base).output.npy")
        if let savedModel {
            try SavedModel.export(session: session, to: savedModel, inputs: ["x": x], outputs: ["probs": classProbs])
            print("Saved the SavedModel \(savedModel) (graphrun run \(savedModel) --feed x=...)")
        }
    }
}
