// Beyond the seeds: a convolutional autoencoder on MNIST. Encoder: two strided 3×3 convolutions (28 → 14 → 7)
// and a dense 32-unit code; decoder: dense back to 7×7×32 and two strided 3×3 transposed convolutions
// (`tf.nn.conv2d_transpose`, 7 → 14 → 28) giving per-pixel logits; loss: sigmoid cross-entropy against the input.
// After training it writes a PNG grid, test inputs in the top row and their reconstructions below.
import ArgumentParser
import ExampleSupport
import Foundation
import TensorGraph

@main
struct MNISTAutoencoder: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mnist-autoencoder",
        abstract: "Train a convolutional autoencoder on MNIST and write test inputs above their reconstructions as a PNG."
    )

    @OptionGroup var dataset: MNISTDataOptions
    @Option(help: "Number of passes over the training set.") var epochs = 5
    @OptionGroup var outputs: TrainingOutputOptions
    @Option(help: ArgumentHelp("Where to write the PNG grid (a row of test inputs above their reconstructions).", valueName: "path"))
    var image = "Examples/Output/mnist-autoencoder.png"

    func validate() throws { try validateEpochs(epochs) }

    static let batchSize = 128
    static let codeSize = 32
    static let columns = 10

    func run() throws {
        let (trainSet, testSet) = outputs.limited(try dataset.load())
        let g = Graph()
        let x = try g.placeholder(.float, shape: [nil, 784], name: "x")
        let images = try g.reshape(x, to: [-1, 28, 28, 1])
        var h = try g.layers.conv2d(images, filters: 16, kernelSize: (3, 3), strides: (2, 2), padding: .same, activation: .relu, name: "encoder")
        h = try g.layers.conv2d(h, filters: 32, kernelSize: (3, 3), strides: (2, 2), padding: .same, activation: .relu, name: "encoder")
        let code = try g.layers.dense(g.layers.flatten(h), units: Self.codeSize, activation: .relu, name: "code")
        h = try g.reshape(g.layers.dense(code, units: 7 * 7 * 32, activation: .relu, name: "decoder"), to: [-1, 7, 7, 32])
        h = try g.relu(Self.transposedConvolution(g, h, inChannels: 32, filters: 16, height: 14, name: "decoder_conv_transpose"))
        let logits = try g.reshape(Self.transposedConvolution(g, h, inChannels: 16, filters: 1, height: 28, name: "decoder_conv_transpose"), to: [-1, 784])
        let reconstruction = try g.sigmoid(logits, name: "reconstruction")
        // Keras's binary_crossentropy: the mean over pixels and examples.
        let loss = try g.mean(g.sigmoidCrossEntropyWithLogits(labels: x, logits: logits))
        // Reported as `accuracy`: the fraction of pixels on the right side of 0.5.
        let half = try g.constant(Float(0.5))
        let pixelAgreement = try g.mean(g.cast(g.equal(g.greater(reconstruction, half), g.greater(x, half)), to: .float))
        let globalStep = try g.globalStep()
        let train = try AdamOptimizer().minimize(loss, globalStep: globalStep)
        print(g.summary(title: "mnist-autoencoder"))

        let session = Session(graph: g)
        try session.run(g.globalVariablesInitializer())
        let trainer = Trainer(session: session, loss: loss, accuracy: pixelAgreement, trainOp: train) { batch, _ in [x: batch.images] }
        print("loss: mean sigmoid cross-entropy per pixel; accuracy: fraction of pixels on the right side of 0.5")
        let history = try trainer.fit(trainSet, epochs: epochs, batchSize: Self.batchSize, shuffleSeed: 1, test: testSet,
                                      globalStep: globalStep, learningRate: 0.001, outputs: outputs)
        if let last = history.last, let testLoss = last.testLoss {
            let perEpoch = history.map(\.seconds).reduce(0, +) / Double(history.count)
            print(String(format: "mnist-autoencoder: test loss %.4f, %.1f s per epoch over %d epochs", testLoss, perEpoch, history.count))
        }

        let shown = testSet.subset(0..<min(Self.columns, testSet.count))
        let reconstructed = try session.run(reconstruction, feeding: [x: shown.images]).scalars(as: Float.self)
        let inputs = shown.pixels.scalars(as: UInt8.self)
        let outputsPixels = reconstructed.map { UInt8(max(0, min(255, ($0 * 255).rounded()))) }
        let grid = Self.grid(rows: [inputs, outputsPixels], columns: shown.count)
        let directory = (image as NSString).deletingLastPathComponent
        if !directory.isEmpty { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
        try PNG.writeGrayscale(grid, height: 56, width: 28 * shown.count, to: image)
        print("Wrote \(image): \(shown.count) test digits (top) and their reconstructions (bottom)")
    }

    /// A 3×3, stride-2, SAME transposed convolution to [N, height, height, filters] with a bias, its kernel
    /// [3, 3, filters, in] and bias under `name/` (Keras's Conv2DTranspose variables).
    static func transposedConvolution(_ g: Graph, _ x: Output, inChannels: Int, filters: Int, height: Int, name: String) throws -> Output {
        try g.withNameScope(name) {
            let kernel = try g.variable(name: "kernel", shape: [3, 3, filters, inChannels])
            let bias = try g.variable(name: "bias", shape: [filters], initializer: .zeros)
            // The batch size is known only when running: the output shape is [batch, height, height, filters].
            let batch = try g.stridedSlice(g.shape(of: x), begin: [0], end: [1], strides: [1])
            let outputShape = try g.concat([batch, g.constant(Tensor([Int32(height), Int32(height), Int32(filters)]))], axis: 0)
            let y = try g.conv2DTranspose(x, filter: kernel, outputShape: outputShape, strides: (2, 2), padding: .same)
            return try g.biasAdd(y, bias)
        }
    }

    /// Rows of 28×28 images side by side (`columns` per row), stacked: row-major UInt8 pixels.
    static func grid(rows: [[UInt8]], columns: Int) -> [UInt8] {
        let width = 28 * columns
        var pixels = [UInt8](repeating: 0, count: 28 * rows.count * width)
        for (r, row) in rows.enumerated() {
            for c in 0..<columns {
                for y in 0..<28 {
                    for x in 0..<28 { pixels[(r * 28 + y) * width + c * 28 + x] = row[(c * 28 + y) * 28 + x] }
                }
            }
        }
        return pixels
    }
}
