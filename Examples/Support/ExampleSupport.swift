import ArgumentParser
import Foundation
import TensorGraph

/// `--data DIR` for the MNIST examples: by default `$MNIST_DIR`, else the copy shipped in Examples/Data/mnist.
public struct MNISTDataOptions: ParsableArguments {
    @Option(name: .customLong("data"),
            help: ArgumentHelp("Directory with the four MNIST IDX .gz files (default: $MNIST_DIR, else Examples/Data/mnist).",
                               valueName: "dir"))
    public var directory: String?

    public init() {}

    /// Loads MNIST from `--data` or the bundled copy.
    public func load(sourceFile: String = #filePath) throws -> MNIST {
        guard let directory = directory ?? MNIST.locateBundled(sourceFile: sourceFile) else {
            throw TensorGraphError.fileError(path: "Examples/Data/mnist", message: "MNIST not found; pass --data DIR or set MNIST_DIR")
        }
        return try MNIST(directory: directory)
    }
}

/// `--data DIR` for the Fashion-MNIST examples: by default where Debian's `dataset-fashion-mnist` installs it.
public struct FashionMNISTDataOptions: ParsableArguments {
    @Option(name: .customLong("data"), help: ArgumentHelp("Directory with the four Fashion-MNIST IDX .gz files.", valueName: "dir"))
    public var directory: String = MNIST.fashionDebianDirectory

    public init() {}

    /// Loads Fashion-MNIST from `--data`, saying how to install it when it is missing.
    public func load() throws -> MNIST {
        guard FileManager.default.fileExists(atPath: directory + "/train-images-idx3-ubyte.gz") else {
            throw TensorGraphError.fileError(path: directory, message: """
                Fashion-MNIST not found. Install it with `sudo apt-get install dataset-fashion-mnist` \
                (files go to \(MNIST.fashionDebianDirectory)) or pass --data DIR with the four IDX .gz files
                """)
        }
        return try MNIST(directory: directory)
    }
}

/// Rejects an `--epochs` value the training loops cannot run (`0..<epochs` traps below zero).
public func validateEpochs(_ epochs: Int) throws {
    guard epochs >= 1 else { throw ValidationError("--epochs must be at least 1, got \(epochs)") }
}

/// Rejects a `--saved-model` directory that exists and is not empty before any training (the export
/// would refuse it only at the end).
public func validateSavedModelTarget(_ directory: String?) throws {
    guard let directory, let contents = try? FileManager.default.contentsOfDirectory(atPath: directory) else {
        if let directory, FileManager.default.fileExists(atPath: directory) { throw ValidationError("--saved-model '\(directory)' is a file") }
        return
    }
    guard contents.isEmpty else { throw ValidationError("--saved-model '\(directory)' exists and is not empty") }
}

/// Mean sparse softmax cross-entropy and accuracy of `logits` [N, 10] against int32 `labels` [N].
public func classificationMetrics(_ g: Graph, logits: Output, labels: Output) throws -> (loss: Output, accuracy: Output) {
    let loss = try g.mean(g.sparseSoftmaxCrossEntropyWithLogits(labels: labels, logits: logits))
    let accuracy = try g.mean(g.cast(g.equal(g.argMax(logits, axis: 1, outputType: .int32), labels), to: .float))
    return (loss, accuracy)
}

/// The final report every example prints.
public func report(_ name: String, history: [EpochRecord], target: Double) {
    guard let last = history.last, let accuracy = last.testAccuracy else { return }
    let perEpoch = history.map(\.seconds).reduce(0, +) / Double(history.count)
    print(String(format: "%@: test accuracy %.2f%% (target ≥ %.1f%%), %.1f s per epoch over %d epochs",
                 name, accuracy * 100, target, perEpoch, history.count))
}
