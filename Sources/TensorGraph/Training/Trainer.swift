import Foundation

/// Per-epoch metrics from `Trainer.fit`.
public struct EpochRecord: Sendable {
    /// The epoch's number within its `fit` call, from 1.
    public let epoch: Int
    /// Mean training loss over the epoch's batches, weighted by batch size.
    public let loss: Double
    /// Mean training accuracy over the epoch's batches, weighted by batch size.
    public let accuracy: Double
    /// Loss on the test set after the epoch; `nil` when `fit` was given no test set.
    public let testLoss: Double?
    /// Accuracy on the test set after the epoch; `nil` when `fit` was given no test set.
    public let testAccuracy: Double?
    /// Wall-clock seconds of the epoch's training steps (without the test evaluation).
    public let seconds: Double
}

/// An optional Keras-style training loop: epochs over a dataset with a progress bar,
/// evaluation on a test set, and a per-epoch history.
///
/// The model is described by symbolic outputs; the trainer turns each batch into the feed
/// dictionary, either through `feed` (for `LabeledImages`, so models may take one-hot or sparse
/// labels, floats or raw pixels, and a training switch) or, for a `Dataset`, by feeding a batch's
/// components to `inputs` in order (or through `feedComponents`).
public final class Trainer {
    /// The session that runs the steps (its variables must be initialized before `fit`).
    public let session: Session
    /// A float32 scalar: the loss reported (and minimized by `trainOp`).
    public let loss: Output
    /// A float32 scalar: the accuracy reported.
    public let accuracy: Output
    /// The training step run for every batch (an optimizer's `minimize`).
    public let trainOp: GraphOperation
    /// The feeds for a `LabeledImages` batch (`nil` for a trainer made for datasets).
    let feed: ((LabeledImages.Batch, _ training: Bool) -> [Output: Tensor])?
    /// The feeds for a `Dataset` batch's components (`nil` for a trainer made for `LabeledImages`).
    let feedComponents: (([Tensor], _ training: Bool) throws -> [Output: Tensor])?
    /// Epochs trained so far over all `fit` calls: each epoch's shuffle is a new permutation, also when
    /// `fit(epochs: 1)` is called in a loop (`tf.data`'s `reshuffle_each_iteration`). A `Dataset`'s
    /// epoch `e` of all calls is its iteration `e` (`Dataset.makeIterator(iteration:)`).
    public private(set) var epochsTrained = 0
    /// Where `fit` logs TensorBoard events after each epoch (`nil`, the default, logs nothing): the
    /// scalars `loss`, `accuracy`, `test_loss` and `test_accuracy` (with a test set) and
    /// `learning_rate` (with `loggedLearningRate`), a histogram of every trainable variable under
    /// its name, and the graph once; the step is the epoch number over all `fit` calls (from 1).
    public var eventWriter: SummaryWriter?
    /// A scalar evaluated after each epoch and logged as `learning_rate` (e.g. a decayed rate).
    public var loggedLearningRate: Output?
    private var graphLogged = false

    /// A trainer for `LabeledImages`: `feed` maps a batch and the training switch to the feeds.
    public init(session: Session, loss: Output, accuracy: Output, trainOp: GraphOperation,
                feed: @escaping (LabeledImages.Batch, _ training: Bool) -> [Output: Tensor]) {
        self.session = session
        self.loss = loss
        self.accuracy = accuracy
        self.trainOp = trainOp
        self.feed = feed
        self.feedComponents = nil
    }

    /// A trainer for `Dataset`s: `feedComponents` maps a batch's components and the training switch
    /// to the feeds (for feeds beyond the batch, e.g. TF1's `keep_prob`).
    public init(session: Session, loss: Output, accuracy: Output, trainOp: GraphOperation,
                feedComponents: @escaping ([Tensor], _ training: Bool) throws -> [Output: Tensor]) {
        self.session = session
        self.loss = loss
        self.accuracy = accuracy
        self.trainOp = trainOp
        self.feed = nil
        self.feedComponents = feedComponents
    }

    /// A trainer for `Dataset`s whose batch components feed `inputs` in order: `inputs: [x, y]` feeds
    /// `batch[0]` to `x` and `batch[1]` to `y`. `training`, a bool scalar placeholder, is fed `true`
    /// while fitting and `false` while evaluating (for dropout and batch normalization).
    ///
    /// `fit` and `evaluate` throw `TensorGraphError.invalidArgument` when a batch's component count
    /// differs from `inputs.count`.
    public convenience init(session: Session, loss: Output, accuracy: Output, trainOp: GraphOperation,
                            inputs: [Output], training: Output? = nil) {
        self.init(session: session, loss: loss, accuracy: accuracy, trainOp: trainOp) { components, isTraining in
            guard components.count == inputs.count else {
                throw TensorGraphError.invalidArgument(
                    "Trainer: a batch has \(components.count) components but the trainer has \(inputs.count) inputs to feed")
            }
            guard Set(inputs).count == inputs.count else {
                throw TensorGraphError.invalidArgument("Trainer: inputs \(inputs.map(\.name)) name a placeholder twice")
            }
            var feeds = Dictionary(uniqueKeysWithValues: zip(inputs, components))
            if let training { feeds[training] = Tensor(isTraining) }
            return feeds
        }
    }

    /// Logs events to a new event file in `logDirectory` from now on (TF1's
    /// `tf.summary.FileWriter(logdir, sess.graph)` beside a Keras `TensorBoard` callback); see `eventWriter`.
    public func logEvents(to logDirectory: String, learningRate: Output? = nil) throws {
        try eventWriter?.close()
        eventWriter = try SummaryWriter(logDirectory: logDirectory)
        loggedLearningRate = learningRate
        graphLogged = false
    }

    /// Writes one epoch's events (see `eventWriter`) and flushes, so TensorBoard shows the epoch.
    private func logEpoch(_ record: EpochRecord, step: Int) throws {
        guard let writer = eventWriter else { return }
        if !graphLogged {
            try writer.addGraph(session.graph)
            graphLogged = true
        }
        var scalars = [("loss", record.loss), ("accuracy", record.accuracy)]
        if let testLoss = record.testLoss, let testAccuracy = record.testAccuracy {
            scalars += [("test_loss", testLoss), ("test_accuracy", testAccuracy)]
        }
        if let rate = loggedLearningRate {
            scalars.append(("learning_rate", try session.run(rate).doubleValues.first ?? .nan))
        }
        for (tag, value) in scalars { try writer.addScalar(tag, value, step: step) }
        for variable in session.graph.trainableVariables {
            if let value = session.value(of: variable) { try writer.addHistogram(variable.name, value, step: step) }
        }
        try writer.flush()
    }

    /// Trains for `epochs`, printing progress; evaluates on `test` after each epoch when given.
    ///
    /// Epoch `e` of all calls (`epochsTrained`) shuffles with `LabeledImages.batches(of:shuffleSeed:epoch: e)`.
    ///
    /// - Throws: `TensorGraphError.invalidArgument` for a trainer made for datasets or a batch size
    ///   below 1; the session's errors.
    @discardableResult
    public func fit(_ train: LabeledImages, epochs: Int, batchSize: Int, shuffleSeed: UInt64? = nil,
                    test: LabeledImages? = nil, verbose: Bool = true) throws -> [EpochRecord] {
        guard let feed else { throw Self.wrongData("fit", given: "LabeledImages", madeFor: "Dataset") }
        guard batchSize > 0 else { throw TensorGraphError.invalidArgument("Trainer.fit: batch size \(batchSize) must be positive") }
        let steps = (train.count + batchSize - 1) / batchSize
        return try fitLoop(epochs: epochs, steps: steps, verbose: verbose, evaluateTest: test.map { test in { try self.evaluate(test) } }) { iteration, step in
            for batch in train.batches(of: batchSize, shuffleSeed: shuffleSeed, epoch: iteration) {
                try step(feed(batch, true), batch.count)
            }
        }
    }

    /// Trains for `epochs` passes over `train`, a dataset of batches, printing progress; evaluates
    /// on `test` after each epoch when given.
    ///
    /// Epoch `e` of all calls (`epochsTrained`) is iteration `e` of `train`, so a
    /// `shuffle(seed:)` in it draws a new permutation every epoch, reproducibly. Metrics are weighted
    /// by batch size (the first dimension of a batch's first component).
    ///
    /// - Throws: `TensorGraphError.invalidArgument` for a trainer made for `LabeledImages`, an empty
    ///   dataset, or batches that do not match `inputs`; the session's errors (e.g. a feed of the
    ///   wrong shape when the dataset was not batched).
    @discardableResult
    public func fit(_ train: Dataset, epochs: Int, test: Dataset? = nil, verbose: Bool = true) throws -> [EpochRecord] {
        guard let feedComponents else { throw Self.wrongData("fit", given: "Dataset", madeFor: "LabeledImages") }
        guard train.count > 0 else { throw TensorGraphError.invalidArgument("Trainer.fit: the training dataset has no batches") }
        return try fitLoop(epochs: epochs, steps: train.count, verbose: verbose, evaluateTest: test.map { test in { try self.evaluate(test) } }) { iteration, step in
            var batches = train.makeIterator(iteration: iteration)
            while let batch = try batches.nextElement() {
                try step(feedComponents(batch, true), Self.batchSize(batch))
            }
        }
    }

    /// The epochs of both `fit`s: `runEpoch(iteration, step)` calls `step(feeds, batchSize)` per batch.
    private func fitLoop(epochs: Int, steps: Int, verbose: Bool, evaluateTest: (() throws -> (loss: Double, accuracy: Double))?,
                         runEpoch: (_ iteration: Int, _ step: (_ feeds: [Output: Tensor], _ count: Int) throws -> Void) throws -> Void)
        throws -> [EpochRecord] {
        var history: [EpochRecord] = []
        let progress = ProgressBar(enabled: verbose)
        for epoch in 0..<epochs {
            let iteration = epochsTrained
            epochsTrained += 1
            if verbose { print("Epoch \(epoch + 1)/\(epochs)") }
            let start = Date()
            var lossSum = 0.0, accuracySum = 0.0, seen = 0, step = 0
            try runEpoch(iteration) { feeds, count in
                let values = try session.run([loss, accuracy], targets: [trainOp], feeding: feeds)
                lossSum += Double(values[0].scalar(as: Float.self)) * Double(count)
                accuracySum += Double(values[1].scalar(as: Float.self)) * Double(count)
                seen += count
                step += 1
                progress.update(step: step, of: steps, elapsed: Date().timeIntervalSince(start),
                                metrics: [("accuracy", accuracySum / Double(seen)), ("loss", lossSum / Double(seen))])
            }
            let seconds = Date().timeIntervalSince(start)
            let test = try evaluateTest?()
            let record = EpochRecord(epoch: epoch + 1, loss: lossSum / Double(seen), accuracy: accuracySum / Double(seen),
                                     testLoss: test?.loss, testAccuracy: test?.accuracy, seconds: seconds)
            progress.finish(steps: step, elapsed: seconds, metrics: [("accuracy", record.accuracy), ("loss", record.loss)]
                            + (test.map { [("test_accuracy", $0.accuracy), ("test_loss", $0.loss)] } ?? []))
            history.append(record)
            try logEpoch(record, step: iteration + 1)
        }
        return history
    }

    /// Mean loss and accuracy over `data`, in batches (without training).
    ///
    /// - Throws: `TensorGraphError.invalidArgument` for a trainer made for datasets; the session's errors.
    public func evaluate(_ data: LabeledImages, batchSize: Int = 500) throws -> (loss: Double, accuracy: Double) {
        guard let feed else { throw Self.wrongData("evaluate", given: "LabeledImages", madeFor: "Dataset") }
        guard batchSize > 0 else { throw TensorGraphError.invalidArgument("Trainer.evaluate: batch size \(batchSize) must be positive") }
        var lossSum = 0.0, accuracySum = 0.0
        for batch in data.batches(of: batchSize) {
            let values = try session.run([loss, accuracy], feeding: feed(batch, false))
            lossSum += Double(values[0].scalar(as: Float.self)) * Double(batch.count)
            accuracySum += Double(values[1].scalar(as: Float.self)) * Double(batch.count)
        }
        return (lossSum / Double(data.count), accuracySum / Double(data.count))
    }

    /// Mean loss and accuracy over one pass of `data`, a dataset of batches (without training),
    /// weighted by batch size. The pass is iteration 0 of `data`.
    ///
    /// - Throws: `TensorGraphError.invalidArgument` for a trainer made for `LabeledImages`, an empty
    ///   dataset, or batches that do not match `inputs`; the session's errors.
    public func evaluate(_ data: Dataset) throws -> (loss: Double, accuracy: Double) {
        guard let feedComponents else { throw Self.wrongData("evaluate", given: "Dataset", madeFor: "LabeledImages") }
        var lossSum = 0.0, accuracySum = 0.0, seen = 0
        var batches = data.makeIterator(iteration: 0)
        while let batch = try batches.nextElement() {
            let count = Self.batchSize(batch)
            let values = try session.run([loss, accuracy], feeding: feedComponents(batch, false))
            lossSum += Double(values[0].scalar(as: Float.self)) * Double(count)
            accuracySum += Double(values[1].scalar(as: Float.self)) * Double(count)
            seen += count
        }
        guard seen > 0 else { throw TensorGraphError.invalidArgument("Trainer.evaluate: the dataset has no examples") }
        return (lossSum / Double(seen), accuracySum / Double(seen))
    }

    /// Examples in a batch: the first dimension of its first component (1 for an unbatched scalar).
    private static func batchSize(_ batch: [Tensor]) -> Int { batch.first?.shape.first ?? 1 }

    private static func wrongData(_ method: String, given: String, madeFor: String) -> TensorGraphError {
        .invalidArgument("Trainer.\(method): given a \(given), but this trainer was made to feed \(madeFor) batches "
                         + (madeFor == "Dataset" ? "(init with inputs: or feedComponents:)" : "(init with feed:)"))
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
