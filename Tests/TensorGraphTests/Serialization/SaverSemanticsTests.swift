import Foundation
import TestSupport
import XCTest
@testable import TensorGraph

/// TF1's `tf.train.Saver` semantics (issue 10): a saver restores exactly its own variable list,
/// ignores checkpoint entries it does not own (optimizer slots, `global_step`), and still reports
/// a variable of its list that is missing or mismatched.
final class SaverSemanticsTests: XCTestCase {
    /// A small CNN: conv2d (3x3, 4 filters, relu) → 2x2 max pool → flatten → dense (3 logits).
    /// Its variables are `conv2d/kernel`, `conv2d/bias`, `dense/kernel`, `dense/bias`.
    struct Model {
        let x: Output
        let logits: Output
        let probabilities: Output
        let variables: [Variable]
    }

    static func buildModel(_ g: Graph) throws -> Model {
        let before = g.globalVariables.count
        let x = try g.placeholder(.float, shape: [nil, 8, 8, 1], name: "x")
        let conv = try g.layers.conv2d(x, filters: 4, kernelSize: (3, 3), activation: .relu)
        let pooled = try g.layers.maxPooling2d(conv)
        let logits = try g.layers.dense(g.layers.flatten(pooled), units: 3)
        let probabilities = try g.softmax(logits, name: "probabilities")
        return Model(x: x, logits: logits, probabilities: probabilities, variables: Array(g.globalVariables[before...]))
    }

    static let input: Tensor = {
        var random = TestRandom(seed: 7)
        return toFloat32(random.tensor([4, 8, 8, 1], 0, 1))
    }()
    static let labels = Tensor([Int32(0), 1, 2, 1])

    /// Trains the model a few steps with `optimizer` and a global step, then saves every
    /// variable (weights, slots, `global_step`) to `path`. Returns the session and model.
    static func trainAndSave(_ optimizer: Optimizer, to path: String) throws -> (Session, Model) {
        let g = Graph()
        let model = try buildModel(g)
        let labels = try g.placeholder(.int32, shape: [nil], name: "labels")
        let loss = try g.mean(g.sparseSoftmaxCrossEntropyWithLogits(labels: labels, logits: model.logits))
        let train = try optimizer.minimize(loss, globalStep: g.globalStep())
        let session = Session(graph: g)
        try session.run(g.globalVariablesInitializer())
        for _ in 0..<3 { try session.run(train, feeding: [model.x: input, labels: Self.labels]) }
        try Saver(graph: g).save(session, to: path)
        return (session, model)
    }

    /// The scenario: a training checkpoint (Momentum or Adam slots, Adam's beta powers,
    /// `global_step`) restores into an inference graph that has only the model's weights.
    func testTrainingCheckpointRestoresIntoAGraphWithFewerVariables() throws {
        let dir = try temporaryDirectory("saver-fewer")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let optimizers: [(String, Optimizer)] = [
            ("Momentum", MomentumOptimizer(learningRate: 0.1, momentum: 0.9)),
            ("Adam", AdamOptimizer(learningRate: 0.01)),
        ]
        for (slot, optimizer) in optimizers {
            let path = "\(dir)/\(slot).ckpt"
            let (trained, trainedModel) = try Self.trainAndSave(optimizer, to: path)
            let entries = try Saver.read(path)
            XCTAssertNotNil(entries["global_step"], slot)
            XCTAssertNotNil(entries["dense/kernel/\(slot)"], "the checkpoint holds the optimizer's slots")

            let g = Graph()
            let model = try Self.buildModel(g)
            XCTAssertEqual(g.globalVariables.map(\.name), ["conv2d/kernel", "conv2d/bias", "dense/kernel", "dense/bias"])
            XCTAssertLessThan(g.globalVariables.count, entries.count)
            let session = Session(graph: g)
            try Saver(graph: g).restore(session, from: path)
            for (restored, saved) in zip(model.variables, trainedModel.variables) {
                XCTAssertEqual(restored.name, saved.name)
                XCTAssertEqual(session.value(of: restored), trained.value(of: saved), "\(slot): \(restored.name)")
            }
            XCTAssertEqual(try session.run(model.probabilities, feeding: [model.x: Self.input]),
                           try trained.run(trainedModel.probabilities, feeding: [trainedModel.x: Self.input]))
        }
    }

    /// `Saver(variables: [key: variable])` as `tf.train.Saver(var_list={...})`: a checkpoint written
    /// under other names restores, and the saver writes under its keys.
    func testNameMapRestoresUnderOtherNamesAndSavesUnderTheKeys() throws {
        let dir = try temporaryDirectory("saver-map")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (trained, trainedModel) = try Self.trainAndSave(MomentumOptimizer(learningRate: 0.1, momentum: 0.9), to: dir + "/teacher.ckpt")

        let g = Graph()
        let student = try g.withNameScope("student") { try Self.buildModel(g) }
        XCTAssertEqual(student.variables.map(\.name), ["student/conv2d/kernel", "student/conv2d/bias", "student/dense/kernel", "student/dense/bias"])
        let map = Dictionary(uniqueKeysWithValues: student.variables.map { (String($0.name.dropFirst("student/".count)), $0) })
        let session = Session(graph: g)
        let saver = Saver(variables: map)
        try saver.restore(session, from: dir + "/teacher.ckpt")
        for (restored, saved) in zip(student.variables, trainedModel.variables) {
            XCTAssertEqual(session.value(of: restored), trained.value(of: saved), restored.name)
        }

        // Saved under the keys, in key order, and the same bytes each time.
        try saver.save(session, to: dir + "/student.ckpt")
        let written = try Saver.read(dir + "/student.ckpt")
        XCTAssertEqual(written.keys.sorted(), ["conv2d/bias", "conv2d/kernel", "dense/bias", "dense/kernel"])
        XCTAssertEqual(written["dense/kernel"], trained.value(of: trainedModel.variables[2]))
        try saver.save(session, to: dir + "/again.ckpt")
        XCTAssertEqual(FileManager.default.contents(atPath: dir + "/again.ckpt"), FileManager.default.contents(atPath: dir + "/student.ckpt"))

        // The session form restores the same map; a key the checkpoint lacks names the key and its variable.
        let fresh = Session(graph: g)
        try fresh.restore(from: dir + "/teacher.ckpt", variables: map)
        XCTAssertEqual(fresh.value(of: student.variables[0]), trained.value(of: trainedModel.variables[0]))
        let kernel = student.variables[2], convBias = student.variables[1]
        assertThrows(["missing 'teacher/dense/kernel' (variable 'student/dense/kernel')",
                      "'dense/bias' (variable 'student/conv2d/bias') is float32(3,) in the checkpoint but float32(4,) in the graph"]) {
            try Saver(variables: ["teacher/dense/kernel": kernel, "dense/bias": convBias]).restore(fresh, from: dir + "/teacher.ckpt")
        }
    }

    /// Fine-tuning: a bigger graph (the model plus a new head) runs its initializer, then takes the
    /// model's weights from a training checkpoint; the new head keeps its initial values.
    func testRestoringAChosenSetForFineTuning() throws {
        let dir = try temporaryDirectory("saver-finetune")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/adam.ckpt"
        let (trained, trainedModel) = try Self.trainAndSave(AdamOptimizer(learningRate: 0.01), to: path)

        let g = Graph()
        let model = try Self.buildModel(g)
        _ = try g.layers.dense(model.logits, units: 2, name: "head")
        let head = g.globalVariables.filter { $0.name.hasPrefix("head/") }
        XCTAssertEqual(head.map(\.name), ["head/kernel", "head/bias"])
        let session = Session(graph: g)
        try session.run(g.globalVariablesInitializer())
        let initialHead = head.map { session.value(of: $0) }

        try session.restore(from: path, variables: model.variables)
        for (restored, saved) in zip(model.variables, trainedModel.variables) {
            XCTAssertEqual(session.value(of: restored), trained.value(of: saved), restored.name)
        }
        XCTAssertEqual(head.map { session.value(of: $0) }, initialHead, "variables outside the list are untouched")

        // The same through a subset saver; the whole-graph saver names the head as missing.
        let other = Session(graph: g)
        try Saver(variables: model.variables).restore(other, from: path)
        XCTAssertEqual(other.value(of: model.variables[3]), trained.value(of: trainedModel.variables[3]))
        XCTAssertNil(other.value(of: head[0]), "not initialized, not restored")
        assertThrows(["missing 'head/kernel'", "missing 'head/bias'"]) { try Saver(graph: g).restore(other, from: path) }
    }

    /// A variable of the saver's list that the checkpoint lacks, or holds with another shape, is
    /// still an error naming it; the entries the saver does not own are not mentioned.
    func testMissingOrMismatchedVariablesAreStillErrors() throws {
        let dir = try temporaryDirectory("saver-errors")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/momentum.ckpt"
        _ = try Self.trainAndSave(MomentumOptimizer(learningRate: 0.1, momentum: 0.9), to: path)

        // The model plus a new head that the checkpoint does not have, and a dense layer of another width.
        let g = Graph()
        let x = try g.placeholder(.float, shape: [nil, 8, 8, 1], name: "x")
        let conv = try g.layers.conv2d(x, filters: 4, kernelSize: (3, 3), activation: .relu)
        let wide = try g.layers.dense(g.layers.flatten(g.layers.maxPooling2d(conv)), units: 5)
        _ = try g.layers.dense(wide, units: 2, name: "head")
        let session = Session(graph: g)
        try session.run(g.globalVariablesInitializer())
        let kernel = try XCTUnwrap(g.globalVariables.first { $0.name == "conv2d/kernel" })
        let before = try XCTUnwrap(session.value(of: kernel))

        assertThrows(["missing 'head/kernel'", "missing 'head/bias'", "'dense/kernel' is float32(36, 3) in the checkpoint but float32(36, 5) in the graph",
                      "'dense/bias' is float32(3,)"]) {
            try Saver(graph: g).restore(session, from: path)
        }
        do {
            try Saver(graph: g).restore(session, from: path)
        } catch let error as TensorGraphError {
            XCTAssertFalse(error.description.contains("global_step") || error.description.contains("Momentum"),
                           "entries the saver does not own are ignored: \(error)")
        }
        XCTAssertEqual(session.value(of: kernel), before, "nothing restored when anything is wrong")

        // The saver's variables must belong to the session's graph.
        let model = try Self.buildModel(Graph())
        assertThrows(["variable 'conv2d/kernel' of the saver", "different graph"]) {
            try Saver(variables: model.variables).restore(session, from: path)
        }
    }
    /// `graphrun run --checkpoint` follows the same rule: the graph's variables are restored from a
    /// training checkpoint with slots and `global_step`; a graph variable the checkpoint lacks is named.
    func testGraphRunCheckpointIgnoresEntriesTheGraphLacks() throws {
        let dir = try temporaryDirectory("graphrun-checkpoint")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (trained, trainedModel) = try Self.trainAndSave(AdamOptimizer(learningRate: 0.01), to: dir + "/adam.ckpt")
        try NPY.write(Self.input, to: dir + "/input.npy")

        let g = Graph()
        _ = try Self.buildModel(g)
        try g.write(to: dir + "/model.pb")
        let r = try graphrun(["run", dir + "/model.pb", "--checkpoint", dir + "/adam.ckpt", "--feed", "x=\(dir)/input.npy",
                              "--fetch", "probabilities", "--output", dir + "/probabilities.npy"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let expected = try trained.run(trainedModel.probabilities, feeding: [trainedModel.x: Self.input])
        XCTAssertEqual(try NPY.read(dir + "/probabilities.npy"), expected)

        // A graph variable the checkpoint lacks: one line naming it, not the entries the graph lacks.
        let bigger = Graph()
        let model = try Self.buildModel(bigger)
        _ = try bigger.layers.dense(model.logits, units: 2, name: "head")
        try bigger.write(to: dir + "/bigger.pb")
        let missing = try graphrun(["run", dir + "/bigger.pb", "--checkpoint", dir + "/adam.ckpt", "--feed", "x=\(dir)/input.npy",
                                    "--fetch", "probabilities"])
        XCTAssertNotEqual(missing.status, 0)
        XCTAssert(missing.stderr.contains("missing 'head/kernel'") && missing.stderr.contains("missing 'head/bias'"), missing.stderr)
        XCTAssertFalse(missing.stderr.contains("global_step") || missing.stderr.contains("Adam"), missing.stderr)
        XCTAssertEqual(missing.stderr.split(separator: "\n").count, 1, missing.stderr)

        // A frozen graph has nothing to restore: say so rather than ignore the flag.
        let frozen = try graphrun(["run", repository + "/Graphs/mnist-mlp.pb", "--checkpoint", dir + "/adam.ckpt",
                                   "--feed", "x=\(repository)/Graphs/mnist-mlp.input.npy", "--fetch", "probs"])
        XCTAssertNotEqual(frozen.status, 0)
        XCTAssert(frozen.stderr.contains("--checkpoint: \(repository)/Graphs/mnist-mlp.pb has no variables"), frozen.stderr)
    }

    var repository: String { URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path }

    /// Runs the built `graphrun` binary.
    func graphrun(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        try runGraphrun(arguments, anchor: SaverSemanticsTests.self)
    }
}
