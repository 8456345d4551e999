// Seed 003: Fashion-MNIST, Conv 32 2x2 relu, MaxPool, Conv 32 2x2 relu, MaxPool, Flatten, Dense 256 relu,
// Dense 10 softmax; Adam, batch 64, 10 epochs.
import ArgumentParser
import ExampleSupport
import TensorGraph

@main
struct FashionCNN: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fashion-cnn",
        abstract: "Train seed 003's two-conv CNN on Fashion-MNIST with Adam and report test accuracy."
    )

    @OptionGroup var dataset: FashionMNISTDataOptions
    @Option(help: "Number of passes over the training set.") var epochs = 10
    @OptionGroup var outputs: TrainingOutputOptions

    func validate() throws { try validateEpochs(epochs) }

    func run() throws {
        let (trainSet, testSet) = outputs.limited(try dataset.load())
        let g = Graph()
        let x = try g.placeholder(.float, shape: [nil, 784], name: "x")
        let labels = try g.placeholder(.int32, shape: [nil], name: "labels")
        var h = try g.reshape(x, to: [-1, 28, 28, 1])
        h = try g.layers.conv2d(h, filters: 32, kernelSize: (2, 2), activation: .relu, name: "Conv_1")
        h = try g.layers.maxPooling2d(h)
        h = try g.layers.conv2d(h, filters: 32, kernelSize: (2, 2), activation: .relu, name: "Conv_2")
        h = try g.layers.maxPooling2d(h)
        h = try g.layers.dense(g.layers.flatten(h), units: 256, activation: .relu)
        let logits = try g.layers.dense(h, units: 10)
        _ = try g.softmax(logits, name: "probabilities")
        let (loss, accuracy) = try classificationMetrics(g, logits: logits, labels: labels)
        let globalStep = try g.globalStep()
        let train = try AdamOptimizer().minimize(loss, globalStep: globalStep)
        print(g.summary(title: "fashion-cnn"))

        let session = Session(graph: g)
        try session.run(g.globalVariablesInitializer())
        let trainer = Trainer(session: session, loss: loss, accuracy: accuracy, trainOp: train) { batch, _ in
            [x: batch.images, labels: batch.labels]
        }
        let history = try trainer.fit(trainSet, epochs: epochs, batchSize: 64, shuffleSeed: 1, test: testSet,
                                      globalStep: globalStep, learningRate: 0.001, outputs: outputs)
        report("fashion-cnn", history: history, target: 90.5)
    }
}
