// An LSTM classifier on MNIST, as the TF1 tutorials build it: each image's 28 rows are 28 time steps
// of 28 pixels, a BasicLSTMCell of 128 units runs over them with tf.nn.dynamic_rnn, and a dense
// layer maps the last output to 10 logits. Adam, batch 128; the learning rate is an option (TF1's tutorial
// uses 0.001 over ~20 epochs; the default here is chosen to reach 98% within 5 epochs).
import ArgumentParser
import ExampleSupport
import TensorGraph

@main
struct MNISTLSTM: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mnist-lstm",
        abstract: "Train a 128-unit LSTM over MNIST's rows (dynamicRNN, Adam) and report test accuracy."
    )

    @OptionGroup var dataset: MNISTDataOptions
    @Option(help: "Number of passes over the training set.") var epochs = 5
    @OptionGroup var outputs: TrainingOutputOptions
    @Option(help: "Shuffle seed; any value but 1 also replaces the graph's default initializer seed.") var seed = 1
    @Option(name: .customLong("learning-rate"), help: "Adam's learning rate.") var learningRate = 0.003

    func validate() throws {
        try validateEpochs(epochs)
        guard seed >= 0 else { throw ValidationError("--seed must not be negative, got \(seed)") }
        guard learningRate > 0, learningRate.isFinite else { throw ValidationError("--learning-rate must be positive, got \(learningRate)") }
    }

    func run() throws {
        let (trainSet, testSet) = outputs.limited(try dataset.load())
        let g = Graph()
        if seed != 1 { g.randomSeed = seed }
        let x = try g.placeholder(.float, shape: [nil, 784], name: "x")
        let labels = try g.placeholder(.int32, shape: [nil], name: "labels")
        let rows = try g.reshape(x, to: [-1, 28, 28])                           // [batch, time 28, pixels 28]
        let cell = try BasicLSTMCell(numUnits: 128)
        let (_, state) = try g.dynamicRNN(cell, inputs: rows)
        let logits = try g.layers.dense(state[1], units: 10, name: "logits")     // the last step's h
        let (loss, accuracy) = try classificationMetrics(g, logits: logits, labels: labels)
        let globalStep = try g.globalStep()
        let train = try AdamOptimizer(learningRate: learningRate).minimize(loss, globalStep: globalStep)
        print(g.summary(title: "mnist-lstm"))

        let session = Session(graph: g)
        try session.run(g.globalVariablesInitializer())
        let trainer = Trainer(session: session, loss: loss, accuracy: accuracy, trainOp: train) { batch, _ in
            [x: batch.images, labels: batch.labels]
        }
        // An epoch over all of MNIST takes minutes here, so the progress bar stays on.
        let history = try trainer.fit(trainSet, epochs: epochs, batchSize: 128, shuffleSeed: UInt64(seed), test: testSet,
                                      globalStep: globalStep, learningRate: learningRate, outputs: outputs, progress: true)
        report("mnist-lstm", history: history, target: 98.0)
    }
}
