import Foundation
import TestSupport
import XCTest
@testable import TensorGraph

/// Training driven by a `Dataset` read from a folder of PNGs: in a plain loop and through `Trainer`.
final class DatasetTrainingTests: XCTestCase {
    /// A softmax classifier on [B, 8, 8, 1] images with int32 labels, initialized, with a trainer
    /// feeding a batch's components to `x` and `y`.
    func makeModel(classes: Int) throws -> (x: Output, y: Output, loss: Output, trainer: Trainer) {
        let g = Graph()
        let x = try g.placeholder(.float, shape: [nil, 8, 8, 1], name: "images")
        let y = try g.placeholder(.int32, shape: [nil], name: "labels")
        let logits = try g.layers.dense(g.reshape(x, to: [-1, 64]), units: classes)
        let loss = try g.mean(g.sparseSoftmaxCrossEntropyWithLogits(labels: y, logits: logits))
        let accuracy = try g.mean(g.cast(g.equal(g.argMax(logits, axis: 1, outputType: .int32), y), to: .float))
        let train = try GradientDescentOptimizer(learningRate: 0.5).minimize(loss)
        let session = Session(graph: g)
        try session.run(g.globalVariablesInitializer())
        return (x, y, loss, Trainer(session: session, loss: loss, accuracy: accuracy, trainOp: train, inputs: [x, y]))
    }

    func testPlainLoopOverAPNGFolderDatasetLowersTheLoss() throws {
        let root = try writeImageFolder("dataset-train-loop", classes: 4, perClass: 16)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let dataset = try Dataset(imageFolder: root).shuffle(seed: 1).batch(16).prefetch(2)
        let model = try makeModel(classes: 4)
        let session = model.trainer.session
        var epochLosses: [Float] = []
        for _ in 0..<5 {
            var total: Float = 0
            for batch in dataset {
                let values = try session.run([model.loss], targets: [model.trainer.trainOp], feeding: [model.x: batch[0], model.y: batch[1]])
                total += values[0].scalar(as: Float.self)
            }
            epochLosses.append(total / Float(dataset.count))
        }
        XCTAssertLessThan(epochLosses[4], epochLosses[0] * 0.5, "\(epochLosses)")
    }

    func testTrainerFitsADatasetFromAPNGFolder() throws {
        let root = try writeImageFolder("dataset-trainer", classes: 4, perClass: 16)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let test = try writeImageFolder("dataset-trainer-test", classes: 4, perClass: 4, seed: 2)
        defer { try? FileManager.default.removeItem(atPath: test) }
        let trainer = try makeModel(classes: 4).trainer
        let train = try Dataset(imageFolder: root).shuffle(seed: 3).batch(10)
        let history = try trainer.fit(train, epochs: 4, test: try Dataset(imageFolder: test).batch(8), verbose: false)
        XCTAssertEqual(history.map { $0.epoch }, [1, 2, 3, 4])
        XCTAssertLessThan(history[3].loss, history[0].loss * 0.5, "\(history.map { $0.loss })")
        XCTAssertGreaterThan(try XCTUnwrap(history[3].testAccuracy), 0.9)
        XCTAssertEqual(trainer.epochsTrained, 4)
        let (_, accuracy) = try trainer.evaluate(try Dataset(imageFolder: test).batch(5))
        XCTAssertEqual(accuracy, try XCTUnwrap(history[3].testAccuracy), accuracy: 1e-6, "evaluate weights batches by size")
    }

    /// `fit(epochs: 1)` in a loop reshuffles a Dataset every epoch, reproducibly (epoch e is iteration e).
    func testTrainerReshufflesADatasetAcrossFitCalls() throws {
        // Feature = position, so the batch fed records the order.
        let positions = Tensor(shape: [32, 1], scalars: (0..<32).map(Float.init))
        let dataset = try Dataset(tensors: [positions, Tensor((0..<32).map { Int32($0 % 2) })]).shuffle(seed: 7).batch(32)
        func orders() throws -> [[Float]] {
            let g = Graph()
            let x = try g.placeholder(.float, shape: [nil, 1]), y = try g.placeholder(.int32, shape: [nil])
            let logits = try g.layers.dense(x, units: 2)
            let loss = try g.mean(g.sparseSoftmaxCrossEntropyWithLogits(labels: y, logits: logits))
            let accuracy = try g.mean(g.cast(g.equal(g.argMax(logits, axis: 1, outputType: .int32), y), to: .float))
            let step = try GradientDescentOptimizer(learningRate: 0.1).minimize(loss)
            let session = Session(graph: g)
            try session.run(g.globalVariablesInitializer())
            var orders: [[Float]] = []
            let trainer = Trainer(session: session, loss: loss, accuracy: accuracy, trainOp: step) { batch, _ in
                orders.append(batch[0].scalars(as: Float.self))
                return [x: batch[0], y: batch[1]]
            }
            for _ in 0..<3 { try trainer.fit(dataset, epochs: 1, verbose: false) }
            XCTAssertEqual(trainer.epochsTrained, 3)
            return orders
        }
        let first = try orders()
        XCTAssertEqual(first.count, 3)
        XCTAssertNotEqual(first[0], first[1])
        XCTAssertNotEqual(first[1], first[2])
        XCTAssertEqual(first[2], labelsFree(dataset, iteration: 2), "epoch e is iteration e")
        XCTAssertEqual(try orders(), first, "the shuffles are seeded")
    }

    func labelsFree(_ dataset: Dataset, iteration: Int) -> [Float] {
        var iterator = dataset.makeIterator(iteration: iteration)
        return iterator.next()?[0].scalars(as: Float.self) ?? []
    }

    func testTrainerRejectsTheWrongKindOfData() throws {
        let model = try makeModel(classes: 2)
        let (session, loss, accuracy, train) = (model.trainer.session, model.loss, model.trainer.accuracy, model.trainer.trainOp)
        let images = Tensor(shape: [4, 8, 8, 1], scalars: [Float](repeating: 0, count: 256))
        let dataset = try Dataset(tensors: [images, Tensor([Int32(0), 1, 0, 1])]).batch(2)
        let forDatasets = Trainer(session: session, loss: loss, accuracy: accuracy, trainOp: train, inputs: [model.x])
        assertThrows(["Trainer", "a batch has 2 components but the trainer has 1 inputs"]) { try forDatasets.fit(dataset, epochs: 1, verbose: false) }
        let twice = Trainer(session: session, loss: loss, accuracy: accuracy, trainOp: train, inputs: [model.x, model.x])
        assertThrows(["Trainer", "images:0", "twice"]) { try twice.fit(dataset, epochs: 1, verbose: false) }
        assertThrows(["Trainer.fit", "no batches"]) { try forDatasets.fit(try dataset.repeat(0), epochs: 1, verbose: false) }
        let forImages = Trainer(session: session, loss: loss, accuracy: accuracy, trainOp: train) { batch, _ in [model.x: batch.images] }
        assertThrows(["Trainer.fit", "given a Dataset", "init with feed:"]) { try forImages.fit(dataset, epochs: 1, verbose: false) }
    }
}
