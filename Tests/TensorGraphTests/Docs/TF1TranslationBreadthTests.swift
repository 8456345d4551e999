import TestSupport
import XCTest
@testable import TensorGraph

/// The rows of TF1Translation.md's "Control flow, normalization, schedules and the TensorFlow formats" table,
/// compiled and run as written there.
final class TF1TranslationBreadthTests: XCTestCase {
    func testTF1TranslationBreadth() throws {
        let g = Graph()
        let x = try g.placeholder(.float, shape: [nil, 3], name: "x")
        let training = try g.placeholder(default: g.constant(true), shape: [], name: "training")
        // tf.cond / tf.while_loop
        let a = try g.constant(Tensor([Float(3)]))
        let pred = try g.placeholder(.bool, shape: [], name: "pred")
        let chosen = try g.cond(pred, then: { b in try a * 2.0 }, else: { b in try a - 1.0 })
        let n = try g.constant(Int32(4))
        let loop = try g.whileLoop(cond: { b, v in try b.less(v[0], n) }, body: { b, v in [try v[0] + 1, try v[1] * 2.0] },
                                   loopVars: [g.constant(Int32(0)), g.constant(Tensor([Float(1)]))])
        // Batch normalization and its update ops, a schedule, clipping, losses, Adagrad
        let normalized = try g.layers.batchNormalization(x, training: training)
        XCTAssertEqual(g.collection(.updateOps).count, 2)
        let w = try g.variable(name: "w", shape: [3, 1])
        let p = try g.matMul(normalized, w)
        let y = try g.placeholder(.float, shape: [nil, 1], name: "y")
        let loss = try g.losses.huberLoss(labels: y, predictions: p) + g.mean(g.sigmoidCrossEntropyWithLogits(labels: y, logits: p))
        let step = try g.globalStep()
        let rate = try g.exponentialDecay(learningRate: 0.1, globalStep: step, decaySteps: 100, decayRate: 0.96)
        let optimizer = AdagradOptimizer(learningRate: rate)
        let train = try g.withControlDependencies(g.collection(.updateOps).map(\.op)) {
            let (clipped, _) = try g.clipByGlobalNorm(optimizer.computeGradients(loss), clipNorm: 5)
            return try optimizer.applyGradients(clipped, globalStep: step)
        }
        let session = Session(graph: g)
        try session.run(g.globalVariablesInitializer())
        XCTAssertEqual(try session.run(chosen, feeding: [pred: Tensor(true)]).scalars(as: Float.self), [6])
        XCTAssertEqual(try session.run(chosen, feeding: [pred: Tensor(false)]).scalars(as: Float.self), [2])
        XCTAssertEqual(try session.run(loop[1]).scalars(as: Float.self), [16])
        let batch = Tensor(shape: [4, 3], scalars: (0..<12).map { Float($0) / 4 })
        let targets = Tensor(shape: [4, 1], scalars: [Float(0), 1, 0, 1])
        try session.run(train, feeding: [x: batch, y: targets])
        XCTAssertEqual(try session.value(of: step).scalar(as: Int64.self), 1)
        // The formats: a summary writer, a checkpoint with its MetaGraphDef, a SavedModel
        let folder = try temporaryDirectory("translation-breadth")
        let writer = try SummaryWriter(logDirectory: folder + "/logs")
        try writer.addScalar("loss", Double(session.run(loss, feeding: [x: batch, y: targets]).scalar(as: Float.self)), step: 1)
        try writer.close()
        try Saver(graph: g).save(session, to: folder + "/model.ckpt", writeMetaGraph: true)
        XCTAssert(FileManager.default.fileExists(atPath: folder + "/model.ckpt.meta"))
        XCTAssert(FileManager.default.fileExists(atPath: folder + "/model.ckpt.index"))
        let inference = Graph()
        let input = try inference.placeholder(.float, shape: [nil, 3], name: "x")
        let probs = try inference.softmax(inference.matMul(input, inference.constant(Tensor(shape: [3, 2], scalars: [Float](repeating: 0.5, count: 6)))),
                                          name: "probs")
        try SavedModel.export(session: Session(graph: inference), to: folder + "/saved", inputs: ["x": input], outputs: ["probs": probs])
        XCTAssert(FileManager.default.fileExists(atPath: folder + "/saved/saved_model.pb"))
    }
}
