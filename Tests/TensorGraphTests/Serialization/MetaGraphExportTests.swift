import CTensorFlowProto
import Foundation
import TestSupport
import XCTest
@testable import TensorGraph

/// MetaGraphDef (`PREFIX.meta`) and SavedModel export and import.
///
/// `Tools/interop-metagraph.py check` runs `testWritesFilesForTensorFlow` with
/// `TENSORGRAPH_INTEROP_OUT=DIR` and has TensorFlow 2.21 import the `.meta`, restore and continue
/// training, and load the SavedModels (`tf.saved_model.load`, `saved_model_cli run`). Without the
/// variable the test writes to a temporary directory and checks the files with our own readers.
final class MetaGraphExportTests: XCTestCase {
    struct MLP {
        let graph: Graph, session: Session
        let x: Output, labels: Output, loss: Output, probs: Output
        let train: GraphOperation
        let images: Tensor, classes: Tensor
        func step() throws -> Float {
            try session.run(loss, target: train, feeding: [x: images, labels: classes]).scalar(as: Float.self)
        }
    }

    /// A 4-8-3 MLP with Adam and a global step, initialized, on 8 fixed rows.
    static func mlp() throws -> MLP {
        let g = Graph()
        g.randomSeed = 3
        let x = try g.placeholder(.float, shape: [nil, 4], name: "x")
        let labels = try g.placeholder(.int32, shape: [nil], name: "labels")
        let hidden = try g.layers.dense(x, units: 8, activation: .relu, name: "hidden")
        let logits = try g.layers.dense(hidden, units: 3, name: "head")
        let probs = try g.softmax(logits, name: "probs")
        let loss = try g.mean(g.sparseSoftmaxCrossEntropyWithLogits(labels: labels, logits: logits), name: "loss")
        let train = try AdamOptimizer(learningRate: 0.05).minimize(loss, globalStep: g.globalStep())
        let session = Session(graph: g)
        try session.run(g.globalVariablesInitializer())
        let images = Tensor(shape: [8, 4], scalars: (0..<32).map { Float(($0 * 7) % 11) / 5 - 1 })
        let classes = Tensor(shape: [8], scalars: (0..<8).map { Int32($0 % 3) })
        return MLP(graph: g, session: session, x: x, labels: labels, loss: loss, probs: probs, train: train, images: images, classes: classes)
    }

    func testWritesFilesForTensorFlow() throws {
        let external = ProcessInfo.processInfo.environment["TENSORGRAPH_INTEROP_OUT"]
        let dir = try external ?? temporaryDirectory("interop-metagraph")
        defer { if external == nil { try? FileManager.default.removeItem(atPath: dir) } }
        let model = try Self.mlp()
        for _ in 0..<2 { _ = try model.step() }   // Adam's slots and powers away from their initial values
        try FileManager.default.createDirectory(atPath: dir + "/mlp", withIntermediateDirectories: true)
        try Saver(graph: model.graph).save(model.session, to: dir + "/mlp/model.ckpt", writeMetaGraph: true, trainOp: model.train)
        let losses = try (0..<3).map { _ in try model.step() }
        try NPY.write(model.images, to: dir + "/x.npy")
        try NPY.write(model.classes, to: dir + "/labels.npy")
        let probs = try model.session.run(model.probs, feeding: [model.x: model.images])
        try NPY.write(probs, to: dir + "/probs.npy")
        try SavedModel.export(session: model.session, to: dir + "/savedmodel", inputs: ["x": model.x], outputs: ["probs": model.probs])
        let frozen = try model.graph.freeze(model.session, outputs: [model.probs])
        try SavedModel.export(session: Session(graph: frozen), to: dir + "/frozen",
                              inputs: ["x": try XCTUnwrap(frozen.output(named: "x"))], outputs: ["probs": try XCTUnwrap(frozen.output(named: "probs"))])
        let expected: [String: Any] = ["losses": losses.map(Double.init), "loss": model.loss.name, "x": model.x.name, "labels": model.labels.name]
        try JSONSerialization.data(withJSONObject: expected, options: [.sortedKeys]).write(to: URL(fileURLWithPath: dir + "/expected.json"))

        // Our own reading of the same files.
        for name in ["savedmodel", "frozen"] {
            let loaded = try SavedModel.load(from: dir + "/" + name)
            XCTAssertEqual(loaded.signatures["serving_default"]?.methodName, "tensorflow/serving/predict")
            let out = try XCTUnwrap(loaded.run(["x": model.images])["probs"])
            assertClose(out.scalars(as: Float.self).map(Double.init), probs.scalars(as: Float.self).map(Double.init), absolute: 1e-6)
        }
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir + "/frozen/variables/variables.index"))
        let meta = try readWholeFile(dir + "/mlp/model.ckpt.meta")
        XCTAssertEqual(meta, try Saver(graph: model.graph).metaGraphDef(of: model.graph, trainOp: model.train), "deterministic bytes")
    }

    func testMetaGraphHasTheSaverAndCollectionsTF1Writes() throws {
        let model = try Self.mlp()
        let bytes = try Saver(graph: model.graph).metaGraphDef(of: model.graph, trainOp: model.train, tags: ["train"])
        let proto = try XCTUnwrap(bytes.withUnsafeBufferPointer { tensorflow__meta_graph_def__unpack(nil, $0.count, $0.baseAddress) })
        defer { tensorflow__meta_graph_def__free_unpacked(proto, nil) }
        let saverDef = try XCTUnwrap(proto.pointee.saver_def?.pointee)
        XCTAssertEqual(String(cString: saverDef.filename_tensor_name), "save/Const:0")
        XCTAssertEqual(String(cString: saverDef.save_tensor_name), "save/control_dependency:0")
        XCTAssertEqual(String(cString: saverDef.restore_op_name), "save/restore_all")
        XCTAssertEqual(saverDef.version, TENSORFLOW__SAVER_DEF__CHECKPOINT_FORMAT_VERSION__V2)
        let info = try XCTUnwrap(proto.pointee.meta_info_def?.pointee)
        XCTAssertEqual(String(cString: info.tags[0]!), "train")
        XCTAssertEqual(String(cString: info.tensorflow_version), "2.21.0")
        var collections: [String: Tensorflow__CollectionDef] = [:]
        for i in 0..<proto.pointee.n_collection_def {
            let entry = try XCTUnwrap(proto.pointee.collection_def[i]?.pointee)
            collections[String(cString: entry.key)] = entry.value?.pointee
        }
        XCTAssertEqual(collections.keys.sorted(), ["train_op", "trainable_variables", "variables"])
        XCTAssertEqual(collections["variables"]?.bytes_list.pointee.n_value, model.graph.globalVariables.count)
        XCTAssertEqual(collections["trainable_variables"]?.bytes_list.pointee.n_value, 4)
        let first = try XCTUnwrap(collections["trainable_variables"]?.bytes_list.pointee.value[0])
        let def = try XCTUnwrap(tensorflow__variable_def__unpack(nil, first.len, first.data))
        defer { tensorflow__variable_def__free_unpacked(def, nil) }
        XCTAssertEqual(String(cString: def.pointee.variable_name), "hidden/kernel:0")
        XCTAssertEqual(String(cString: def.pointee.initializer_name), "hidden/kernel/Assign")
        XCTAssertEqual(String(cString: def.pointee.snapshot_name), "hidden/kernel/read:0")
        XCTAssertEqual(def.pointee.trainable, 1)
        // The saver's scope moves aside when the graph already uses `save`.
        _ = try model.graph.constant(Float(1), name: "save")
        let second = try Saver(graph: model.graph).metaGraphDef(of: model.graph)
        let reread = try XCTUnwrap(second.withUnsafeBufferPointer { tensorflow__meta_graph_def__unpack(nil, $0.count, $0.baseAddress) })
        defer { tensorflow__meta_graph_def__free_unpacked(reread, nil) }
        XCTAssertEqual(String(cString: reread.pointee.saver_def.pointee.restore_op_name), "save_1/restore_all")
    }

    /// `tf.compat.v1.saved_model.simple_save` output (Tests/Fixtures/savedmodel, made by
    /// `Tools/interop-metagraph.py fixtures`): loads, restores TF's variables, matches TF's outputs.
    func testLoadsASavedModelWrittenByTensorFlow() throws {
        let fixture = TensorBundleTests.repository + "/Tests/Fixtures/savedmodel"
        let loaded = try SavedModel.load(from: fixture + "/simple")
        XCTAssertEqual(Set(loaded.signatures.keys), ["serving_default"])
        let x = try NPY.read(fixture + "/x.npy")
        let expected = try NPY.read(fixture + "/y.npy")
        let out = try XCTUnwrap(loaded.run(["x": x])["y"])
        XCTAssertEqual(out.shape, expected.shape)
        assertClose(out.scalars(as: Float.self).map(Double.init), expected.scalars(as: Float.self).map(Double.init), absolute: 1e-5)
    }

    /// A `.meta` + checkpoint from `tf.compat.v1.train.Saver.save` after 2 Adam steps (Tests/Fixtures/savedmodel/tf1-train):
    /// importing, restoring and running the train op gives TensorFlow's next 3 losses.
    func testResumesTrainingFromAMetaGraphWrittenByTensorFlow() throws {
        let fixture = TensorBundleTests.repository + "/Tests/Fixtures/savedmodel/tf1-train"
        let expected = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(readWholeFile(fixture + "/expected.json"))) as? [String: Any])
        let imported = try Saver.importMetaGraph(from: fixture + "/model.ckpt.meta")
        let g = imported.graph
        let session = Session(graph: g)
        try imported.saver.restore(session, from: fixture + "/model.ckpt")
        let train = try XCTUnwrap(imported.trainOp)
        let loss = try XCTUnwrap(g.output(named: try XCTUnwrap(expected["loss"] as? String)))
        let feeds = [try XCTUnwrap(g.output(named: "x:0")): try NPY.read(fixture + "/x.npy"),
                     try XCTUnwrap(g.output(named: "t:0")): try NPY.read(fixture + "/t.npy")]
        let losses = try (0..<3).map { _ in Double(try session.run(loss, target: train, feeding: feeds).scalar(as: Float.self)) }
        assertClose(losses, try XCTUnwrap(expected["losses"] as? [Double]), absolute: 1e-5)
    }

    /// Our own `.meta` imports and resumes training exactly where the saving session was.
    func testResumesTrainingFromOurMetaGraph() throws {
        let dir = try temporaryDirectory("metagraph-resume")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let model = try Self.mlp()
        _ = try model.step()
        try Saver(graph: model.graph).save(model.session, to: dir + "/model.ckpt", writeMetaGraph: true, trainOp: model.train)
        let expected = try (0..<2).map { _ in Double(try model.step()) }
        let imported = try Saver.importMetaGraph(from: dir + "/model.ckpt.meta")
        let session = Session(graph: imported.graph)
        try imported.saver.restore(session, from: dir + "/model.ckpt")
        let g = imported.graph
        let feeds = [try XCTUnwrap(g.output(named: "x")): model.images, try XCTUnwrap(g.output(named: "labels")): model.classes]
        let loss = try XCTUnwrap(g.output(named: model.loss.name))
        let train = try XCTUnwrap(imported.trainOp)
        let losses = try (0..<2).map { _ in Double(try session.run(loss, target: train, feeding: feeds).scalar(as: Float.self)) }
        assertClose(losses, expected, absolute: 1e-6)
        XCTAssertEqual(imported.graph.globalVariables.count, model.graph.globalVariables.count)
        XCTAssertNil(imported.graph.node(named: "save/SaveV2"), "the saver's scope is not imported")
    }

    /// Save and restore ops outside the saver's scope (a MetaGraphDef without `saver_def`) are refused by name.
    func testRefusesFileSystemOpsOutsideTheSaverScope() throws {
        let dir = try temporaryDirectory("metagraph-untrusted")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let model = try Self.mlp()
        let bytes = try Saver(graph: model.graph).metaGraphDef(of: model.graph)
        let proto = try XCTUnwrap(bytes.withUnsafeBufferPointer { tensorflow__meta_graph_def__unpack(nil, $0.count, $0.baseAddress) })
        defer { tensorflow__meta_graph_def__free_unpacked(proto, nil) }
        let saverDef = proto.pointee.saver_def
        proto.pointee.saver_def = nil
        var stripped = [UInt8](repeating: 0, count: tensorflow__meta_graph_def__get_packed_size(proto))
        _ = stripped.withUnsafeMutableBufferPointer { tensorflow__meta_graph_def__pack(proto, $0.baseAddress) }
        proto.pointee.saver_def = saverDef   // freed with the message
        try writeFileAtomically(stripped, to: dir + "/model.meta")
        XCTAssertThrowsError(try Saver.importMetaGraph(from: dir + "/model.meta")) { error in
            XCTAssertTrue("\(error)".contains("node 'save/SaveV2' (SaveV2) reads or writes files"), "\(error)")
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir), ["model.meta"])
    }

    func testLoadErrorsNameTheProblem() throws {
        let dir = try temporaryDirectory("savedmodel-errors")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        XCTAssertThrowsError(try SavedModel.load(from: dir + "/missing")) { error in
            XCTAssertTrue("\(error)".contains("saved_model.pb"), "\(error)")
        }
        let model = try Self.mlp()
        try SavedModel.export(session: model.session, to: dir + "/m", inputs: ["x": model.x], outputs: ["probs": model.probs])
        XCTAssertThrowsError(try SavedModel.load(from: dir + "/m", tags: ["train"])) { error in
            XCTAssertTrue("\(error)".contains("present: [serve]"), "\(error)")
        }
        // Exporting over a non-empty directory is refused and leaves it as it was.
        XCTAssertThrowsError(try SavedModel.export(session: model.session, to: dir + "/m", inputs: [:], outputs: ["probs": model.probs]))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir).sorted(), ["m"])
        // A truncated saved_model.pb, and a checkpoint that lacks a variable.
        let pb = try readWholeFile(dir + "/m/saved_model.pb")
        try writeFileAtomically(Array(pb.prefix(pb.count / 2)), to: dir + "/m/saved_model.pb")
        XCTAssertThrowsError(try SavedModel.load(from: dir + "/m")) { error in
            guard case TensorGraphError.fileError(let path, _) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(path.hasSuffix("saved_model.pb"))
        }
        try writeFileAtomically(pb, to: dir + "/m/saved_model.pb")
        try TensorBundle.write([("hidden/kernel", Tensor(shape: [4, 8], scalars: [Float](repeating: 0, count: 32)))], prefix: dir + "/m/variables/variables")
        XCTAssertThrowsError(try SavedModel.load(from: dir + "/m")) { error in
            XCTAssertTrue("\(error)".contains("missing 'head/kernel'"), "\(error)")
        }
    }
}
