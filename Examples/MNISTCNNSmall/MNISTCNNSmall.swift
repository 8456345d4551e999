// Seed 000 CNNModel: Conv 32 3x3 valid relu, MaxPool 2, Flatten, Dense 32 relu, Dense 10 logits; Adam, batch 32, 5 epochs.
import ArgumentParser
import ExampleSupport
import TensorGraph

@main
struct MNISTCNNSmall: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mnist-cnn-small",
        abstract: "Train seed 000's one-conv CNN on MNIST with Adam and report test accuracy."
    )

    @OptionGroup var dataset: MNISTDataOptions
    @Option(help: "Number of passes over the training set.") var epochs = 5
    @OptionGroup var outputs: TrainingOutputOptions

    func validate() throws { try validateEpochs(epochs) }

    func run() throws {
        let (trainSet, testSet) = outputs.limited(try dataset.load())
        let g = Graph()
        let x = try g.placeholder(.float, shape: [nil, 784], name: "x")
        let labels = try g.placeholder(.int32, shape: [nil], name: "labels")
        let images = try g.reshape(x, to: [-1, 28, 28, 1])
        let conv = try g.layers.conv2d(images, filters: 32, kernelSize: (3, 3), activation: .relu)
        let pooled = try g.layers.maxPooling2d(conv)
        let hidden = try g.layers.dense(g.layers.flatten(pooled), units: 32, activation: .relu)
        let logits = try g.layers.dense(hidden, units: 10, name: "logits")
        let (loss, accuracy) = try classificationMetrics(g, logits: logits, labels: labels)
        let globalStep = try g.globalStep()
        let train = try AdamOptimizer().minimize(loss, globalStep: globalStep)
        print(g.summary(title: "mnist-cnn-small"))

        let session = Session(graph: g)
        try session.run(g.globalVariablesInitializer())
        let trainer = Trainer(session: session, loss: loss, accuracy: accuracy, trainOp: train) { batch, _ in
            [x: batch.images, labels: batch.labels]
        }
        let history = try trainer.fit(trainSet, epochs: epochs, batchSize: 32, shuffleSeed: 1, test: testSet,
                                      globalStep: globalStep, learningRate: 0.001, outputs: outputs)
        report("mnist-cnn-small", history: history, target: 98.3)
    }
}
