import Foundation

/// One split of an image-classification dataset: images scaled to [0, 1] and integer labels.
public struct LabeledImages: Sendable {
    /// [N, rows·columns] float32 in [0, 1].
    public let images: Tensor
    /// [N, rows·columns] uint8: the raw 0–255 pixel values (for embedding models).
    public let pixels: Tensor
    /// [N] int32 class labels.
    public let labels: Tensor
    /// [N, classes] float32 one-hot labels.
    public let oneHotLabels: Tensor
    /// [rows, columns] of one image, e.g. `[28, 28]`; `images` stores each one flattened.
    public let imageShape: [Int]

    /// Number of examples, N.
    public var count: Int { labels.count }

    init(images raw: Tensor, labels rawLabels: Tensor, classes: Int, path: String) throws {
        guard raw.dtype == .uint8, raw.rank == 3 else {
            throw TensorGraphError.fileError(path: path, message: "expected uint8 images of rank 3, got \(raw.dtype) \(raw.shape)")
        }
        guard rawLabels.dtype == .uint8, rawLabels.rank == 1, rawLabels.count == raw.shape[0] else {
            throw TensorGraphError.fileError(path: path, message: "expected \(raw.shape[0]) uint8 labels, got \(rawLabels.dtype) \(rawLabels.shape)")
        }
        let n = raw.shape[0], pixels = raw.shape[1] * raw.shape[2]
        imageShape = [raw.shape[1], raw.shape[2]]
        self.pixels = raw.reshaped(to: [n, pixels])
        let scaled = Tensor(uninitialized: .float, shape: [n, pixels])
        let src = raw.pointer(UInt8.self), dst = scaled.pointer(Float.self)
        for i in 0..<(n * pixels) { dst[i] = Float(src[i]) / 255 }
        images = scaled
        let labelValues = rawLabels.scalars(as: UInt8.self)
        if let bad = labelValues.first(where: { Int($0) >= classes }) {
            throw TensorGraphError.fileError(path: path, message: "label \(bad) is not below \(classes) classes")
        }
        labels = Tensor(labelValues.map(Int32.init))
        var hot = [Float](repeating: 0, count: n * classes)
        for (i, l) in labelValues.enumerated() { hot[i * classes + Int(l)] = 1 }
        oneHotLabels = Tensor(shape: [n, classes], scalars: hot)
    }

    private init(images: Tensor, pixels: Tensor, labels: Tensor, oneHotLabels: Tensor, imageShape: [Int]) {
        self.images = images
        self.pixels = pixels
        self.labels = labels
        self.oneHotLabels = oneHotLabels
        self.imageShape = imageShape
    }

    /// The examples in `range`, copied.
    public func subset(_ range: Range<Int>) -> LabeledImages {
        LabeledImages(images: images.rows(range), pixels: pixels.rows(range), labels: labels.rows(range), oneHotLabels: oneHotLabels.rows(range),
                      imageShape: imageShape)
    }

    /// Consecutive batches of `size` (the last one may be smaller unless `dropRemainder`),
    /// in file order or shuffled by `seed` (a new permutation per `epoch`).
    public func batches(of size: Int, shuffleSeed: UInt64? = nil, epoch: Int = 0, dropRemainder: Bool = false) -> [Batch] {
        precondition(size > 0, "batch size must be positive")
        var order = Array(0..<count)
        if let shuffleSeed {
            let generator = RandomGenerator(seed: shuffleSeed &+ UInt64(epoch) &* 0x9E37_79B9_7F4A_7C15)
            for i in stride(from: order.count - 1, to: 0, by: -1) {
                order.swapAt(i, Int(generator.next() % UInt64(i + 1)))
            }
        }
        var result: [Batch] = []
        var start = 0
        while start < count {
            let end = Swift.min(start + size, count)
            if dropRemainder && end - start < size { break }
            result.append(Batch(source: self, indices: shuffleSeed == nil ? nil : Array(order[start..<end]), range: start..<end))
            start = end
        }
        return result
    }

    /// A batch: its tensors are gathered when first asked for.
    public struct Batch: Sendable {
        let source: LabeledImages
        let indices: [Int]?
        let range: Range<Int>

        /// Number of examples in this batch, B (the last batch may be short).
        public var count: Int { range.count }
        /// [B, pixels] float32.
        public var images: Tensor { gather(source.images) }
        /// [B, pixels] uint8 raw values.
        public var pixels: Tensor { gather(source.pixels) }
        /// [B] int32.
        public var labels: Tensor { gather(source.labels) }
        /// [B, classes] float32.
        public var oneHotLabels: Tensor { gather(source.oneHotLabels) }

        private func gather(_ t: Tensor) -> Tensor {
            guard let indices else { return t.rows(range) }
            let rowBytes = t.shape.dropFirst().reduce(1, *) * t.dtype.byteCount
            let out = Tensor(uninitialized: t.dtype, shape: [indices.count] + t.shape.dropFirst())
            for (k, i) in indices.enumerated() {
                (out.storage.pointer + k * rowBytes).copyMemory(from: t.storage.pointer + i * rowBytes, byteCount: rowBytes)
            }
            return out
        }
    }
}

/// MNIST or Fashion-MNIST: 60,000 training and 10,000 test 28×28 grayscale images in 10 classes.
public struct MNIST: Sendable {
    /// The 60,000 training examples.
    public let train: LabeledImages
    /// The 10,000 test examples.
    public let test: LabeledImages

    /// Loads the four IDX files (`train-images-idx3-ubyte[.gz]`, ...) from `directory`.
    public init(directory: String) throws {
        func file(_ base: String) throws -> String {
            for candidate in ["\(directory)/\(base).gz", "\(directory)/\(base)"] where FileManager.default.fileExists(atPath: candidate) {
                return candidate
            }
            throw TensorGraphError.fileError(path: "\(directory)/\(base).gz", message: "no such file")
        }
        let trainImages = try file("train-images-idx3-ubyte"), trainLabels = try file("train-labels-idx1-ubyte")
        let testImages = try file("t10k-images-idx3-ubyte"), testLabels = try file("t10k-labels-idx1-ubyte")
        train = try LabeledImages(images: IDX.read(trainImages), labels: IDX.read(trainLabels), classes: 10, path: trainImages)
        test = try LabeledImages(images: IDX.read(testImages), labels: IDX.read(testLabels), classes: 10, path: testImages)
    }

    /// Where Debian's `dataset-fashion-mnist` package installs Fashion-MNIST.
    public static let fashionDebianDirectory = "/usr/share/datasets/fashion-mnist"

    /// Finds the MNIST directory shipped in the repository: `$MNIST_DIR`, then `Examples/Data/mnist`
    /// under the current directory or any parent, then relative to `sourceFile`.
    public static func locateBundled(sourceFile: String = #filePath) -> String? {
        var candidates: [String] = []
        if let env = ProcessInfo.processInfo.environment["MNIST_DIR"] { candidates.append(env) }
        var dir = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        for _ in 0..<6 {
            candidates.append(dir.appendingPathComponent("Examples/Data/mnist").path)
            dir.deleteLastPathComponent()
        }
        var source = URL(fileURLWithPath: sourceFile).deletingLastPathComponent()
        for _ in 0..<5 {
            candidates.append(source.appendingPathComponent("Examples/Data/mnist").path)
            source.deleteLastPathComponent()
        }
        return candidates.first { FileManager.default.fileExists(atPath: "\($0)/train-images-idx3-ubyte.gz") }
    }
}
