import Foundation
import TestSupport
import XCTest
@testable import TensorGraph

/// Writes a checkpoint and event files for `Tools/interop-formats.py check`, which runs this test
/// with `TENSORGRAPH_INTEROP_OUT=DIR` and reads DIR with TensorFlow and tensorboard. Without the
/// variable it writes to a temporary directory and checks the files with our own readers.
final class InteropFormatsTests: XCTestCase {
    func testWritesFilesForTensorFlow() throws {
        let external = ProcessInfo.processInfo.environment["TENSORGRAPH_INTEROP_OUT"]
        let dir = try external ?? temporaryDirectory("interop-formats")
        defer { if external == nil { try? FileManager.default.removeItem(atPath: dir) } }

        // A checkpoint of every dtype with TF1 names (slots, global_step), and what TF should read.
        let (g, session) = try TensorBundleTests.modelWithEveryDType()
        try Saver(graph: g).save(session, to: dir + "/model.ckpt")
        var checkpoint: [String: Any] = [:]
        for variable in g.globalVariables {
            let value = try XCTUnwrap(session.value(of: variable))
            checkpoint[variable.name] = ["dtype": value.dtype.description, "shape": value.shape,
                                         "bytes": value.bytes.map { String(format: "%02x", $0) }.joined()]
        }
        try JSONSerialization.data(withJSONObject: checkpoint, options: [.sortedKeys]).write(to: URL(fileURLWithPath: dir + "/checkpoint-expected.json"))
        XCTAssertEqual(try Saver.read(dir + "/model.ckpt").count, checkpoint.count)

        // Scalars, a histogram, gray and RGB images, and the graph.
        let writer = try SummaryWriter(logDirectory: dir + "/events")
        let losses: [(Int, Double)] = [(1, 2.5), (2, 1.25), (5, 0.625)]
        for (step, loss) in losses { try writer.addScalar("loss", loss, step: step) }
        let weights: [Double] = [-3.5, -1e-13, 0, 0, 1e-12, 0.5, 2, 2, 7e5]
        try writer.addHistogram("weights", Tensor(weights), step: 1)
        let gray = Tensor(shape: [4, 3], scalars: (0..<12).map { UInt8($0 * 20) })
        let rgb = Tensor(shape: [2, 2, 3], scalars: (0..<12).map { UInt8(255 - $0 * 10) })
        try writer.addImage("gray", gray, step: 1)
        try writer.addImage("rgb", rgb, step: 2)
        try writer.addGraph(g)
        try writer.close()
        XCTAssertEqual(try SummaryEvent.readAll(writer.path).count, 8)

        // A trainer's per-epoch events.
        let (trainer, data, trainingGraph) = try SummaryWriterTests.smallTrainer()
        try trainer.logEvents(to: dir + "/trainer", learningRate: trainingGraph.constant(Float(0.1)))
        let history = try trainer.fit(data, epochs: 3, verbose: false)
        try trainer.eventWriter?.close()

        let expected: [String: Any] = [
            "events": [
                "graph": true, "graphNodes": g.nodes.count,
                "scalars": ["loss": losses.map { [$0.0, $0.1] }],
                "histograms": ["weights": ["steps": [1], "values": weights]],
                "images": ["gray": ["steps": [1], "shape": [4, 3, 1], "pixels": gray.scalars(as: UInt8.self).map(Int.init)],
                           "rgb": ["steps": [2], "shape": [2, 2, 3], "pixels": rgb.scalars(as: UInt8.self).map(Int.init)]],
            ],
            "trainer": [
                "graph": true, "graphNodes": trainingGraph.nodes.count,
                "scalars": ["loss": history.map { [$0.epoch, Double(Float($0.loss))] },
                            "accuracy": history.map { [$0.epoch, Double(Float($0.accuracy))] },
                            "learning_rate": history.map { [$0.epoch, Double(Float(0.1))] }],
                "histograms": ["dense/kernel": ["steps": [1, 2, 3]], "dense/bias": ["steps": [1, 2, 3]]],
                "images": [String: Any](),
            ],
        ]
        try JSONSerialization.data(withJSONObject: expected, options: [.sortedKeys]).write(to: URL(fileURLWithPath: dir + "/events-expected.json"))
    }
}
