// Seed 002: Conv 16 5x5 same relu, MaxPool, Conv 32 5x5 same relu, MaxPool, Flatten, Dense 128 relu,
// Dropout 0.4, Dense 10 softmax; Adam, batch 128, 2 epochs.
import ArgumentParser
import ExampleSupport
import Foundation
import TensorGraph

@main
struct MNISTCNN: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mnist-cnn",
        abstract: "Train seed 002's CNN with dropout on MNIST, then save it frozen with golden files and digit PNGs."
    )

    @OptionGroup var dataset: MNISTDataOptions
    @Option(help: "Number of passes over the training set.") var epochs = 2
    @OptionGroup var outputs: TrainingOutputOptions
    @Option(help: ArgumentHelp("Where to write the frozen GraphDef; .input.npy and .output.npy go beside it.", valueName: "path"))
    var save = "Graphs/mnist-cnn.pb"
    @Option(help: ArgumentHelp("Directory for one PNG per digit from the test set.", valueName: "dir"))
    var digits = "Examples/Data/digits"
    @Option(help: ArgumentHelp("Also write a SavedModel here after training (signature serving_default: x → probabilities); it must not exist yet.",
                               valueName: "dir"))
    var savedModel: String?

    func validate() throws {
        try validateEpochs(epochs)
        try validateSavedModelTarget(savedModel)
    }

    func run() throws {
        let (trainSet, testSet) = outputs.limited(try dataset.load())
        let g = Graph()
        let x = try g.placeholder(.float, shape: [nil, 784], name: "x")
        let y = try g.placeholder(.float, shape: [nil, 10], name: "y")
        let training = try g.placeholder(default: g.constant(false), shape: [], name: "training")
        let images = try g.reshape(x, to: [-1, 28, 28, 1])
        var h = try g.layers.conv2d(images, filters: 16, kernelSize: (5, 5), padding: .same, activation: .relu)
        h = try g.layers.maxPooling2d(h)
        h = try g.layers.conv2d(h, filters: 32, kernelSize: (5, 5), padding: .same, activation: .relu)
        h = try g.layers.maxPooling2d(h)
        h = try g.layers.dense(g.layers.flatten(h), units: 128, activation: .relu)
        h = try g.layers.dropout(h, rate: 0.4, training: training)
        let logits = try g.layers.dense(h, units: 10)
        let probabilities = try g.softmax(logits, name: "probabilities")
        let loss = try g.mean(g.softmaxCrossEntropyWithLogits(labels: y, logits: logits))
        let accuracy = try g.mean(g.cast(g.equal(g.argMax(probabilities, axis: 1), g.argMax(y, axis: 1)), to: .float))
        let globalStep = try g.globalStep()
        let train = try AdamOptimizer().minimize(loss, globalStep: globalStep)
        print(g.summary(title: "mnist-cnn"))

        let session = Session(graph: g)
        try session.run(g.globalVariablesInitializer())
        let on = Tensor(true), off = Tensor(false)
        let trainer = Trainer(session: session, loss: loss, accuracy: accuracy, trainOp: train) { batch, isTraining in
            [x: batch.images, y: batch.oneHotLabels, training: isTraining ? on : off]
        }
        let history = try trainer.fit(trainSet, epochs: epochs, batchSize: 128, shuffleSeed: 1, test: testSet,
                                      globalStep: globalStep, learningRate: 0.001, outputs: outputs)
        report("mnist-cnn", history: history, target: 98.5)

        // Save the frozen model (the training switch stays a PlaceholderWithDefault that defaults to false),
        // golden inputs/outputs, and one PNG per digit from the test set for `graphrun run --feed x=...png`.
        let frozen = try g.freeze(session, outputs: [probabilities])
        try frozen.write(to: save)
        let base = String(save.dropLast(save.hasSuffix(".pb") ? 3 : 0))
        let golden = testSet.subset(0..<min(8, testSet.count))
        try NPY.write(golden.images, to: base + ".input.npy")
        try NPY.write(session.run(probabilities, feeding: [x: golden.images]), to: base + ".output.npy")
        try FileManager.default.createDirectory(atPath: digits, withIntermediateDirectories: true)
        let testLabels = testSet.labels.scalars(as: Int32.self)
        for digit in 0..<10 {
            guard let index = testLabels.firstIndex(of: Int32(digit)) else { continue }   // a small --limit may lack a digit
            let pixels = testSet.pixels.rows(index..<(index + 1)).scalars(as: UInt8.self)
            try PNG.writeGrayscale(pixels, height: 28, width: 28, to: "\(digits)/\(digit).png")
        }
        print("Saved \(save) (\(frozen.nodes.count) nodes), golden .npy files and digit PNGs in \(digits)")
        if let savedModel {
            try SavedModel.export(session: session, to: savedModel, inputs: ["x": x], outputs: ["probabilities": probabilities])
            print("Saved the SavedModel \(savedModel) (graphrun run \(savedModel) --feed x=...)")
        }
    }
}
