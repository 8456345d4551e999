// Seed 000 SimpleModel: Flatten, Dense 32 relu, Dense 10 logits; Adam, batch 32, 5 epochs.
import ArgumentParser
import ExampleSupport
import TensorGraph

@main
struct MNISTDense: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mnist-dense",
        abstract: "Train seed 000's 784-32-10 dense model on MNIST with Adam and report test accuracy."
    )

    @OptionGroup var dataset: MNISTDataOptions
    @Option(help: "Number of passes over the training set.") var epochs = 5
    @OptionGroup var outputs: TrainingOutputOptions
    @Option(help: "Shuffle seed; any value but 1 also replaces the graph's default initializer seed.") var seed = 1

    func validate() throws {
        try validateEpochs(epochs)
        guard seed >= 0 else { throw ValidationError("--seed must not be negative, got \(seed)") }
    }

    func run() throws {
        let (trainSet, testSet) = outputs.limited(try dataset.load())
        let g = Graph()
        if seed != 1 { g.randomSeed = seed }
        let x = try g.placeholder(.float, shape: [nil, 784], name: "x")
        let labels = try g.placeholder(.int32, shape: [nil], name: "labels")
        let hidden = try g.layers.dense(x, units: 32, activation: .relu)
        let logits = try g.layers.dense(hidden, units: 10, name: "logits")
        let (loss, accuracy) = try classificationMetrics(g, logits: logits, labels: labels)
        let globalStep = try g.globalStep()
        let train = try AdamOptimizer().minimize(loss, globalStep: globalStep)
        print(g.summary(title: "mnist-dense"))

        let session = Session(graph: g)
        try session.run(g.globalVariablesInitializer())
        let trainer = Trainer(session: session, loss: loss, accuracy: accuracy, trainOp: train) { batch, _ in
            [x: batch.images, labels: batch.labels]
        }
        let history = try trainer.fit(trainSet, epochs: epochs, batchSize: 32, shuffleSeed: UInt64(seed), test: testSet,
                                      globalStep: globalStep, learningRate: 0.001, outputs: outputs)
        report("mnist-dense", history: history, target: 96.5)
    }
}
