import Foundation
import TensorGraph

/// Command-line options shared by the examples: `--epochs N`, `--data DIR`, `--save PATH`.
public struct ExampleOptions {
    let arguments = Array(CommandLine.arguments.dropFirst())

    public init() {}

    public func value(_ name: String) -> String? {
        guard let i = arguments.firstIndex(of: name), i + 1 < arguments.count else { return nil }
        return arguments[i + 1]
    }

    public func int(_ name: String, default value: Int) -> Int { self.value(name).flatMap(Int.init) ?? value }
    public func flag(_ name: String) -> Bool { arguments.contains(name) }
}

/// Loads MNIST from `--data` or the copy shipped in Examples/Data/mnist.
public func loadMNIST(_ options: ExampleOptions, sourceFile: String = #filePath) throws -> MNIST {
    guard let directory = options.value("--data") ?? MNIST.locateBundled(sourceFile: sourceFile) else {
        throw TensorGraphError.fileError(path: "Examples/Data/mnist", message: "MNIST not found; pass --data DIR or set MNIST_DIR")
    }
    return try MNIST(directory: directory)
}

/// Loads Fashion-MNIST from `--data` or Debian's `dataset-fashion-mnist` location.
public func loadFashionMNIST(_ options: ExampleOptions) throws -> MNIST {
    let directory = options.value("--data") ?? MNIST.fashionDebianDirectory
    guard FileManager.default.fileExists(atPath: directory + "/train-images-idx3-ubyte.gz") else {
        throw TensorGraphError.fileError(path: directory, message: """
            Fashion-MNIST not found. Install it with `sudo apt-get install dataset-fashion-mnist` \
            (files go to \(MNIST.fashionDebianDirectory)) or pass --data DIR with the four IDX .gz files
            """)
    }
    return try MNIST(directory: directory)
}

/// Mean sparse softmax cross-entropy and accuracy of `logits` [N, 10] against int32 `labels` [N].
public func classificationMetrics(_ g: Graph, logits: Output, labels: Output) throws -> (loss: Output, accuracy: Output) {
    let loss = try g.mean(g.sparseSoftmaxCrossEntropyWithLogits(labels: labels, logits: logits))
    let accuracy = try g.mean(g.cast(g.equal(g.argMax(logits, axis: 1, outputType: .int32), labels), to: .float))
    return (loss, accuracy)
}

/// Runs an example body, printing errors as one line and exiting non-zero.
public func runExample(_ body: () throws -> Void) {
    do {
        try body()
    } catch {
        FileHandle.standardError.write(Data("error: \(error)\n".utf8))
        exit(1)
    }
}

/// The final report every example prints.
public func report(_ name: String, history: [EpochRecord], target: Double) {
    guard let last = history.last, let accuracy = last.testAccuracy else { return }
    let perEpoch = history.map(\.seconds).reduce(0, +) / Double(history.count)
    print(String(format: "%@: test accuracy %.2f%% (target ≥ %.1f%%), %.1f s per epoch over %d epochs",
                 name, accuracy * 100, target, perEpoch, history.count))
}
