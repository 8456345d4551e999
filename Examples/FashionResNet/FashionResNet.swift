// Beyond the seeds: a small residual CNN on Fashion-MNIST with batch normalization (moving averages through
// UPDATE_OPS), dropout, L2 weight decay, a cosine-decayed learning rate and gradients clipped by global norm.
// The test set is evaluated on the same network built in inference mode (trained values copied in after each
// epoch), which is finally written frozen with every batch norm folded into its convolution.
import ArgumentParser
import ExampleSupport
import Foundation
import TensorGraph

@main
struct FashionResNet: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fashion-resnet",
        abstract: "Train a small residual CNN with batch norm on Fashion-MNIST, then save it frozen with the batch norms folded."
    )

    @OptionGroup var dataset: FashionMNISTDataOptions
    @Option(help: "Number of passes over the training set.") var epochs = 10
    @OptionGroup var outputs: TrainingOutputOptions
    @Option(help: ArgumentHelp("Where to write the frozen inference GraphDef (batch norms folded); .input.npy and .output.npy go beside it.",
                               valueName: "path"))
    var save = "Graphs/fashion-resnet.pb"

    func validate() throws { try validateEpochs(epochs) }

    static let batchSize = 128
    static let weightDecay = 1e-4
    static let learningRate = 0.002

    func run() throws {
        let (trainSet, testSet) = outputs.limited(try dataset.load())
        // The training/inference switch is the layers' own flag: the network is built twice from one function,
        // training (batch statistics, moving-average updates, dropout) and inference (moving statistics, no
        // dropout), and the inference graph gets the trained values after every epoch. A fed switch
        // (`batchNormalization(h, training: placeholder)`) would run both normalizations and a SelectV2 per layer
        // in every step, about a third of the step here.
        let g = Graph()
        let x = try g.placeholder(.float, shape: [nil, 784], name: "x")
        let labels = try g.placeholder(.int32, shape: [nil], name: "labels")
        let logits = try Self.network(g, x, training: true)
        let (crossEntropy, accuracy) = try classificationMetrics(g, logits: logits, labels: labels)
        // L2 weight decay on the convolution and dense kernels (not on biases or batch-norm parameters).
        let kernels = g.trainableVariables.filter { $0.name.hasSuffix("kernel") }
        let penalty = try kernels.dropFirst().reduce(g.l2Loss(kernels[0].value)) { try $0 + g.l2Loss($1.value) }
        let loss = try crossEntropy + Self.weightDecay * penalty

        let globalStep = try g.globalStep()
        let stepsPerEpoch = (trainSet.count + Self.batchSize - 1) / Self.batchSize
        let learningRate = try g.cosineDecay(learningRate: Self.learningRate, globalStep: globalStep, decaySteps: epochs * stepsPerEpoch,
                                             alpha: 0.02)
        let optimizer = AdamOptimizer(learningRate: learningRate)
        // The moving-average updates run with every step (TF1: `with tf.control_dependencies(UPDATE_OPS)`).
        let train = try g.withControlDependencies(g.collection(.updateOps).map(\.op)) {
            let (clipped, _) = try g.clipByGlobalNorm(optimizer.computeGradients(loss), clipNorm: 5)
            return try optimizer.applyGradients(clipped, globalStep: globalStep)
        }
        print(g.summary(title: "fashion-resnet"))
        let session = Session(graph: g)
        try session.run(g.globalVariablesInitializer())
        let trainer = Trainer(session: session, loss: crossEntropy, accuracy: accuracy, trainOp: train) { batch, _ in
            [x: batch.images, labels: batch.labels]
        }

        let inference = try InferenceModel()
        // The epoch loop of `Trainer.fit(_:epochs:...outputs:)`, evaluating on the inference graph.
        let recorder = try EpochRecorder(session: session, trainOp: train, globalStep: globalStep, stepsPerEpoch: stepsPerEpoch,
                                         learningRate: Self.learningRate, options: outputs)
        let start = recorder.completedEpochs
        var history: [(seconds: Double, testAccuracy: Double)] = []
        if start >= epochs {
            try inference.load(from: session)
            let (testLoss, testAccuracy) = try inference.evaluate(testSet)
            print(String(format: "Already trained %d of %d epochs: test loss %.4f, test accuracy %.2f%%", start, epochs, testLoss, testAccuracy * 100))
        }
        // Epoch e draws the shuffle an uninterrupted run would (see `Trainer.fit(_:epochs:...outputs:)`).
        let seed = UInt64(1) &+ UInt64(bitPattern: Int64(start)) &* 0x9E37_79B9_7F4A_7C15
        for epoch in start..<max(start, epochs) {
            let trained = try trainer.fit(trainSet, epochs: 1, batchSize: Self.batchSize, shuffleSeed: seed, verbose: false)[0]
            try inference.load(from: session)
            let (testLoss, testAccuracy) = try inference.evaluate(testSet)
            print(String(format: "Epoch %d/%d: loss %.4f  accuracy %.4f  test_loss %.4f  test_accuracy %.4f  (%.1f s)", epoch + 1, epochs,
                         trained.loss, trained.accuracy, testLoss, testAccuracy, trained.seconds))
            try recorder.record(epoch: epoch, loss: trained.loss, accuracy: trained.accuracy, testLoss: testLoss, testAccuracy: testAccuracy)
            history.append((trained.seconds, testAccuracy))
        }
        try recorder.close()
        if let last = history.last {   // `report`'s line
            print(String(format: "fashion-resnet: test accuracy %.2f%% (target ≥ 92.5%%), %.1f s per epoch over %d epochs", last.testAccuracy * 100,
                         history.map(\.seconds).reduce(0, +) / Double(history.count), history.count))
        }
        if history.isEmpty { try inference.load(from: session) }
        try saveFolded(inference, testSet: testSet)
    }

    /// The network in inference mode in its own graph, with the training graph's variable names.
    final class InferenceModel {
        let graph = Graph()
        let session: Session
        let x: Output, labels: Output, probabilities: Output, evaluator: Trainer

        init() throws {
            x = try graph.placeholder(.float, shape: [nil, 784], name: "x")
            labels = try graph.placeholder(.int32, shape: [nil], name: "labels")
            let logits = try FashionResNet.network(graph, x, training: false)
            probabilities = try graph.softmax(logits, name: "probabilities")
            let (loss, accuracy) = try classificationMetrics(graph, logits: logits, labels: labels)
            session = Session(graph: graph)
            let (x, labels) = (x, labels)
            evaluator = Trainer(session: session, loss: loss, accuracy: accuracy, trainOp: try graph.group([])) { batch, _ in
                [x: batch.images, labels: batch.labels]
            }
        }

        /// Copies every variable's value from the training session (by name).
        func load(from training: Session) throws {
            let trained = Dictionary(uniqueKeysWithValues: training.graph.globalVariables.map { ($0.name, $0) })
            for variable in graph.globalVariables {
                guard let source = trained[variable.name], let value = training.value(of: source) else {
                    throw TensorGraphError.invalidArgument("fashion-resnet: no trained value for \(variable.name)")
                }
                try session.setValue(value, for: variable)
            }
        }

        func evaluate(_ data: LabeledImages) throws -> (loss: Double, accuracy: Double) { try evaluator.evaluate(data) }
    }

    /// Freezes the inference graph with its batch norms folded, checks it against the unfolded graph, and
    /// writes it with golden inputs and outputs.
    func saveFolded(_ model: InferenceModel, testSet: LabeledImages) throws {
        let frozen = try model.graph.freeze(model.session, outputs: [model.probabilities], foldingBatchNorms: true)
        let left = frozen.nodes.filter { $0.opName.hasPrefix("FusedBatchNorm") }.count
        guard left == 0 else { throw TensorGraphError.invalidArgument("fashion-resnet: \(left) batch norms were not folded") }

        let sample = testSet.subset(0..<min(1000, testSet.count))
        let expected = try model.session.run(model.probabilities, feeding: [model.x: sample.images]).scalars(as: Float.self)
        let foldedSession = Session(graph: frozen)
        guard let foldedX = frozen.output(named: "x"), let foldedProbabilities = frozen.output(named: "probabilities") else {
            throw TensorGraphError.invalidArgument("fashion-resnet: the frozen graph lost x or probabilities")
        }
        let actual = try foldedSession.run(foldedProbabilities, feeding: [foldedX: sample.images]).scalars(as: Float.self)
        let difference = zip(expected, actual).map { abs($0 - $1) }.max() ?? 0
        print(String(format: "Folded graph vs unfolded inference graph on %d test images: max |Δp| = %.2e", sample.count, difference))
        guard difference < 1e-4 else { throw TensorGraphError.invalidArgument("fashion-resnet: the folded graph differs by \(difference)") }

        let directory = (save as NSString).deletingLastPathComponent
        if !directory.isEmpty { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
        try frozen.write(to: save)
        let base = String(save.dropLast(save.hasSuffix(".pb") ? 3 : 0))
        let golden = testSet.subset(0..<min(8, testSet.count))
        try NPY.write(golden.images, to: base + ".input.npy")
        try NPY.write(foldedSession.run(foldedProbabilities, feeding: [foldedX: golden.images]), to: base + ".output.npy")
        print("Saved \(save) (\(frozen.nodes.count) nodes, no FusedBatchNorm) and golden .npy files; "
              + "run it with: graphrun run \(save) --feed x=\(base).input.npy --fetch probabilities")
    }

    /// 28×28×1 → conv 3×3/32 → max pool → a residual block of 32 (14×14) → a strided block of 64 (7×7)
    /// → a block of 64 → global average pool → [dropout 0.3 when training] → dense 10 (logits). Batch norms
    /// use momentum 0.9: 469 steps an epoch move the moving statistics to the current weights within a few dozen.
    static func network(_ g: Graph, _ x: Output, training: Bool) throws -> Output {
        func convolution(_ h: Output, _ filters: Int, _ size: Int, strides: Int = 1) throws -> Output {
            let y = try g.layers.conv2d(h, filters: filters, kernelSize: (size, size), strides: (strides, strides), padding: .same, useBias: false)
            return try g.layers.batchNormalization(y, training: training, momentum: 0.9)
        }
        // y = relu(x + BN(conv(relu(BN(conv(x)))))), with a strided 1×1 projection when the shape changes.
        func block(_ h: Output, _ filters: Int, strides: Int = 1) throws -> Output {
            let inner = try g.relu(convolution(h, filters, 3, strides: strides))
            let residual = try convolution(inner, filters, 3)
            let shortcut = try strides == 1 && h.shape.dims?.last == filters ? h : convolution(h, filters, 1, strides: strides)
            return try g.relu(shortcut + residual)
        }
        var h = try g.reshape(x, to: [-1, 28, 28, 1])
        h = try g.relu(convolution(h, 32, 3))
        h = try g.layers.maxPooling2d(h)
        h = try block(h, 32)
        h = try block(h, 64, strides: 2)
        h = try block(h, 64)
        h = try g.layers.globalAveragePooling2d(h)
        if training { h = try g.layers.dropout(h, rate: 0.3, training: g.constant(true)) }
        return try g.layers.dense(h, units: 10)
    }
}
