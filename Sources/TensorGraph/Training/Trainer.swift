import Foundation

/// Per-epoch metrics from `Trainer.fit`.
public struct EpochRecord: Sendable {
    public let epoch: Int
    public let loss: Double
    public let accuracy: Double
    public let testLoss: Double?
    public let testAccuracy: Double?
    public let seconds: Double
}

/// An optional Keras-style training loop: epochs over a dataset with a progress bar,
/// evaluation on a test set, and a per-epoch history.
///
/// The model is described by symbolic outputs; `feed` turns a batch into the feed dictionary
/// (so models may take one-hot or sparse labels, floats or raw pixels, and a training switch).
public final class Trainer {
    public let session: Session
    public let loss: Output
    public let accuracy: Output
    public let trainOp: Operation
    let feed: (LabeledImages.Batch, _ training: Bool) -> [Output: Tensor]
    /// Epochs trained so far over all `fit` calls: each epoch's shuffle is a new permutation, also when
    /// `fit(epochs: 1)` is called in a loop (`tf.data`'s `reshuffle_each_iteration`).
    public private(set) var epochsTrained = 0

    public init(session: Session, loss: Output, accuracy: Output, trainOp: Operation,
                feed: @escaping (LabeledImages.Batch, _ training: Bool) -> [Output: Tensor]) {
        self.session = session
        self.loss = loss
        self.accuracy = accuracy
        self.trainOp = trainOp
        self.feed = feed
    }

    /// Trains for `epochs`, printing progress; evaluates on `test` after each epoch when given.
    @discardableResult
    public func fit(_ train: LabeledImages, epochs: Int, batchSize: Int, shuffleSeed: UInt64? = nil,
                    test: LabeledImages? = nil, verbose: Bool = true) throws -> [EpochRecord] {
        var history: [EpochRecord] = []
        let progress = ProgressBar(enabled: verbose)
        for epoch in 0..<epochs {
            let batches = train.batches(of: batchSize, shuffleSeed: shuffleSeed, epoch: epochsTrained)
            epochsTrained += 1
            if verbose { print("Epoch \(epoch + 1)/\(epochs)") }
            let start = Date()
            var lossSum = 0.0, accuracySum = 0.0, seen = 0
            for (step, batch) in batches.enumerated() {
                let values = try session.run([loss, accuracy], targets: [trainOp], feeding: feed(batch, true))
                lossSum += Double(values[0].scalar(as: Float.self)) * Double(batch.count)
                accuracySum += Double(values[1].scalar(as: Float.self)) * Double(batch.count)
                seen += batch.count
                progress.update(step: step + 1, of: batches.count, elapsed: Date().timeIntervalSince(start),
                                metrics: [("accuracy", accuracySum / Double(seen)), ("loss", lossSum / Double(seen))])
            }
            let seconds = Date().timeIntervalSince(start)
            var record = EpochRecord(epoch: epoch + 1, loss: lossSum / Double(seen), accuracy: accuracySum / Double(seen),
                                     testLoss: nil, testAccuracy: nil, seconds: seconds)
            if let test {
                let (testLoss, testAccuracy) = try evaluate(test)
                record = EpochRecord(epoch: epoch + 1, loss: record.loss, accuracy: record.accuracy, testLoss: testLoss,
                                     testAccuracy: testAccuracy, seconds: seconds)
            }
            progress.finish(steps: batches.count, elapsed: seconds, metrics: [("accuracy", record.accuracy), ("loss", record.loss)]
                            + (record.testAccuracy.map { [("test_accuracy", $0), ("test_loss", record.testLoss!)] } ?? []))
            history.append(record)
        }
        return history
    }

    /// Mean loss and accuracy over `data`, in batches (without training).
    public func evaluate(_ data: LabeledImages, batchSize: Int = 500) throws -> (loss: Double, accuracy: Double) {
        var lossSum = 0.0, accuracySum = 0.0
        for batch in data.batches(of: batchSize) {
            let values = try session.run([loss, accuracy], feeding: feed(batch, false))
            lossSum += Double(values[0].scalar(as: Float.self)) * Double(batch.count)
            accuracySum += Double(values[1].scalar(as: Float.self)) * Double(batch.count)
        }
        return (lossSum / Double(data.count), accuracySum / Double(data.count))
    }
}

/// `938/938 ━━━━━━━━━━━━━━━━━━━━ 8s 7ms/step - accuracy: 0.7800 - loss: 0.6200`, redrawn in place on a
/// terminal; one line per epoch otherwise.
final class ProgressBar {
    let enabled: Bool
    let isTerminal = isatty(STDOUT_FILENO) != 0
    private var lastDraw = Date.distantPast

    init(enabled: Bool) { self.enabled = enabled }

    func line(step: Int, of total: Int, elapsed: Double, metrics: [(String, Double)]) -> String {
        let width = 20, filled = total == 0 ? width : width * step / total
        let bar = String(repeating: "━", count: filled) + String(repeating: "─", count: width - filled)
        let perStep = step > 0 ? elapsed / Double(step) * 1000 : 0
        let counter = String(repeating: " ", count: String(total).count - String(step).count) + "\(step)/\(total)"
        let parts = metrics.map { String(format: "%@: %.4f", $0.0, $0.1) }
        return "\(counter) \(bar) \(Int(elapsed.rounded()))s \(Int(perStep.rounded()))ms/step - " + parts.joined(separator: " - ")
    }

    func update(step: Int, of total: Int, elapsed: Double, metrics: [(String, Double)]) {
        guard enabled, isTerminal, Date().timeIntervalSince(lastDraw) > 0.1 || step == total else { return }
        lastDraw = Date()
        print("\r" + line(step: step, of: total, elapsed: elapsed, metrics: metrics), terminator: "")
        fflush(nil)
    }

    func finish(steps: Int, elapsed: Double, metrics: [(String, Double)]) {
        guard enabled else { return }
        print((isTerminal ? "\r" : "") + line(step: steps, of: steps, elapsed: elapsed, metrics: metrics))
        fflush(nil)
    }
}
