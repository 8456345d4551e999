// Seed 000 EmbeddingModel: Embedding(784, 3) over raw 0-255 pixel values, Flatten, Dense 32 relu, Dense 10 logits;
// Adam, batch 32, 3 epochs. (As in the tutorial, input_dim is 784 although only values 0-255 occur.)
import ArgumentParser
import ExampleSupport
import TensorGraph

@main
struct MNISTEmbedding: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mnist-embedding",
        abstract: "Train seed 000's pixel-embedding model on MNIST with Adam and report test accuracy."
    )

    @OptionGroup var dataset: MNISTDataOptions
    @Option(help: "Number of passes over the training set.") var epochs = 3
    @OptionGroup var outputs: TrainingOutputOptions

    func validate() throws { try validateEpochs(epochs) }

    func run() throws {
        let (trainSet, testSet) = outputs.limited(try dataset.load())
        let g = Graph()
        let pixels = try g.placeholder(.uint8, shape: [nil, 784], name: "pixels")
        let labels = try g.placeholder(.int32, shape: [nil], name: "labels")
        let embedded = try g.layers.embedding(g.cast(pixels, to: .int32), inputDim: 784, outputDim: 3)
        let hidden = try g.layers.dense(g.layers.flatten(embedded), units: 32, activation: .relu)
        let logits = try g.layers.dense(hidden, units: 10, name: "logits")
        let (loss, accuracy) = try classificationMetrics(g, logits: logits, labels: labels)
        let globalStep = try g.globalStep()
        let train = try AdamOptimizer().minimize(loss, globalStep: globalStep)
        print(g.summary(title: "mnist-embedding"))

        let session = Session(graph: g)
        try session.run(g.globalVariablesInitializer())
        let trainer = Trainer(session: session, loss: loss, accuracy: accuracy, trainOp: train) { batch, _ in
            [pixels: batch.pixels, labels: batch.labels]
        }
        let history = try trainer.fit(trainSet, epochs: epochs, batchSize: 32, shuffleSeed: 1, test: testSet,
                                      globalStep: globalStep, learningRate: 0.001, outputs: outputs)
        report("mnist-embedding", history: history, target: 90)
    }
}
