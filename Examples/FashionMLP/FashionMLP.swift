// Seed 003: Fashion-MNIST, Flatten, Dense 256 relu, Dense 10 softmax; Adam, batch 64, 10 epochs.
import ArgumentParser
import ExampleSupport
import TensorGraph

@main
struct FashionMLP: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fashion-mlp",
        abstract: "Train seed 003's 784-256-10 MLP on Fashion-MNIST with Adam and report test accuracy."
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
        let hidden = try g.layers.dense(x, units: 256, activation: .relu, name: "Hidden")
        let logits = try g.layers.dense(hidden, units: 10, name: "Output")
        _ = try g.softmax(logits, name: "probabilities")
        let (loss, accuracy) = try classificationMetrics(g, logits: logits, labels: labels)
        let globalStep = try g.globalStep()
        let train = try AdamOptimizer().minimize(loss, globalStep: globalStep)
        print(g.summary(title: "fashion-mlp"))

        let session = Session(graph: g)
        try session.run(g.globalVariablesInitializer())
        let trainer = Trainer(session: session, loss: loss, accuracy: accuracy, trainOp: train) { batch, _ in
            [x: batch.images, labels: batch.labels]
        }
        let history = try trainer.fit(trainSet, epochs: epochs, batchSize: 64, shuffleSeed: 1, test: testSet,
                                      globalStep: globalStep, learningRate: 0.001, outputs: outputs)
        report("fashion-mlp", history: history, target: 88.0)
    }
}
