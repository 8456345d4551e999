import ArgumentParser
import Foundation
import TensorGraph

/// The options every example takes besides `--epochs` and `--data` (scripts call exactly these):
/// `--checkpoint PREFIX`, `--logdir DIR`, and `--limit N` for quick runs on a subset.
public struct TrainingOutputOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Save a TensorFlow checkpoint PREFIX.index/.data-* and PREFIX.meta after every epoch; when it exists, resume from it (variables, optimizer slots, global step) and train the remaining epochs of --epochs.",
                               valueName: "prefix"))
    /// `--checkpoint PREFIX`: where `EpochRecorder` saves after each epoch and resumes from.
    public var checkpoint: String?
    @Option(help: ArgumentHelp("Write TensorBoard events here: the graph, loss, accuracy, test loss and accuracy, learning rate and a histogram of every weight per epoch.",
                               valueName: "dir"))
    /// `--logdir DIR`: where `EpochRecorder` writes TensorBoard events (nothing when nil).
    public var logdir: String?
    @Option(help: ArgumentHelp("Train and test on only the first N examples of each split (for quick checks).", valueName: "N"))
    /// `--limit N`: the number of examples of each split to use (all when nil).
    public var limit: Int?

    /// The defaults: no checkpoint, no events, all the data.
    public init() {}

    /// Rejects `--limit` below 1 and an empty `--checkpoint`.
    public func validate() throws {
        if let limit { guard limit >= 1 else { throw ValidationError("--limit must be at least 1, got \(limit)") } }
        if checkpoint?.isEmpty == true { throw ValidationError("--checkpoint needs a path prefix") }
    }

    /// `data` cut to the first `--limit` examples of each split (all of it without `--limit`).
    public func limited(_ data: MNIST) -> (train: LabeledImages, test: LabeledImages) {
        guard let limit else { return (data.train, data.test) }
        return (data.train.subset(0..<Swift.min(limit, data.train.count)), data.test.subset(0..<Swift.min(limit, data.test.count)))
    }
}

/// Checkpoints and TensorBoard events around an example's epoch loop.
///
/// On creation it restores `--checkpoint` when `PREFIX.index` exists, and derives the epochs already
/// trained from the global step (`global_step / stepsPerEpoch`). After each epoch, `record` saves the
/// checkpoint with its `.meta` (TF1's `Saver.save`, which TensorFlow's `import_meta_graph` resumes) and
/// logs the epoch's scalars and weight histograms at step `epoch + 1`, so a resumed run continues the curves.
public final class EpochRecorder {
    let session: Session
    let trainOp: GraphOperation
    let learningRate: Double
    let checkpoint: String?
    let writer: SummaryWriter?
    /// Epochs finished before this run (from the checkpoint's global step; 0 without one).
    public let completedEpochs: Int

    /// - Parameters:
    ///   - globalStep: the int64 step counter the train op increments (`g.globalStep()`).
    ///   - stepsPerEpoch: training steps in one epoch, to turn the restored global step into epochs.
    ///   - learningRate: logged as `learning_rate` each epoch.
    /// - Throws: a checkpoint that does not match the graph (another model at that prefix); file errors.
    public init(session: Session, trainOp: GraphOperation, globalStep: Output, stepsPerEpoch: Int, learningRate: Double,
                options: TrainingOutputOptions) throws {
        self.session = session
        self.trainOp = trainOp
        self.learningRate = learningRate
        checkpoint = options.checkpoint
        var completed = 0
        if let prefix = options.checkpoint, FileManager.default.fileExists(atPath: prefix + ".index") {
            try Saver(graph: session.graph).restore(session, from: prefix)
            let steps = Int(try session.run(globalStep).scalar(as: Int64.self))
            completed = steps / Swift.max(stepsPerEpoch, 1)
            if steps % Swift.max(stepsPerEpoch, 1) != 0 {
                print("note: global step \(steps) is not a whole number of \(stepsPerEpoch)-step epochs (another --limit or batch size?)")
            }
            print("Resumed from \(prefix): global step \(steps), \(completed) epochs done")
        }
        completedEpochs = completed
        if let logdir = options.logdir {
            let writer = try SummaryWriter(logDirectory: logdir)
            // The graph once per event file, as `tf.summary.FileWriter(logdir, sess.graph)` writes it.
            try writer.addGraph(session.graph)
            self.writer = writer
        } else {
            writer = nil
        }
    }

    /// Saves the checkpoint and logs epoch `epoch` (counted from 0 over all runs).
    public func record(epoch: Int, loss: Double, accuracy: Double, testLoss: Double?, testAccuracy: Double?) throws {
        if let checkpoint {
            let directory = (checkpoint as NSString).deletingLastPathComponent
            if !directory.isEmpty { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
            try Saver(graph: session.graph).save(session, to: checkpoint, writeMetaGraph: true, trainOp: trainOp)
        }
        guard let writer else { return }
        let step = epoch + 1
        var scalars = [("loss", loss), ("accuracy", accuracy), ("learning_rate", learningRate)]
        if let testLoss { scalars.append(("test_loss", testLoss)) }
        if let testAccuracy { scalars.append(("test_accuracy", testAccuracy)) }
        for (tag, value) in scalars { try writer.addScalar(tag, value, step: step) }
        for variable in session.graph.trainableVariables {
            if let value = session.value(of: variable) { try writer.addHistogram(variable.name, value, step: step) }
        }
        try writer.flush()
    }

    /// Closes the event file.
    public func close() throws { try writer?.close() }
}

extension Trainer {
    /// Trains epochs `completedEpochs..<epochs` one at a time with checkpoints and events as `outputs` asks
    /// (see `EpochRecorder`), resuming from `--checkpoint` when it exists.
    ///
    /// Epoch `e`'s shuffle is the one an uninterrupted `fit(train, epochs:, shuffleSeed: seed)` would draw,
    /// also after a resume: `LabeledImages.batches` seeds epoch `e` with `seed + e·φ`, and this trainer
    /// counts its own epochs from 0, so the seed is shifted by the epochs already done.
    /// - Parameters:
    ///   - globalStep: the step counter `trainOp` increments (`minimize(loss, globalStep: g.globalStep())`).
    ///   - learningRate: the optimizer's rate, logged per epoch.
    ///   - progress: also draw the trainer's progress bar during each epoch (for examples whose epochs take
    ///     minutes); the trainer heads it `Epoch 1/1`, as it trains one epoch per call.
    public func fit(_ train: LabeledImages, epochs: Int, batchSize: Int, shuffleSeed: UInt64, test: LabeledImages,
                    globalStep: Output, learningRate: Double, outputs: TrainingOutputOptions, progress: Bool = false) throws -> [EpochRecord] {
        let recorder = try EpochRecorder(session: session, trainOp: trainOp, globalStep: globalStep,
                                         stepsPerEpoch: (train.count + batchSize - 1) / batchSize, learningRate: learningRate, options: outputs)
        let start = recorder.completedEpochs
        guard start < epochs else {
            let (loss, accuracy) = try evaluate(test)
            print(String(format: "Already trained %d of %d epochs: test loss %.4f, test accuracy %.2f%%", start, epochs, loss, accuracy * 100))
            try recorder.close()
            return []
        }
        let seed = shuffleSeed &+ UInt64(bitPattern: Int64(start - epochsTrained)) &* 0x9E37_79B9_7F4A_7C15
        var history: [EpochRecord] = []
        for epoch in start..<epochs {
            let record = try fit(train, epochs: 1, batchSize: batchSize, shuffleSeed: seed, test: test, verbose: progress)[0]
            print(String(format: "Epoch %d/%d: loss %.4f  accuracy %.4f  test_loss %.4f  test_accuracy %.4f  (%.1f s)", epoch + 1, epochs,
                         record.loss, record.accuracy, record.testLoss ?? .nan, record.testAccuracy ?? .nan, record.seconds))
            try recorder.record(epoch: epoch, loss: record.loss, accuracy: record.accuracy, testLoss: record.testLoss, testAccuracy: record.testAccuracy)
            history.append(record)
        }
        try recorder.close()
        return history
    }
}
