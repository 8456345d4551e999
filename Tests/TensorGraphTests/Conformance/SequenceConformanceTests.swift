import Foundation
import XCTest
@testable import TensorGraph

/// The graphs people have: Keras recurrent models (frozen with lowered and with functional control flow),
/// a transformer block, batched attention, and TF1 graphs of everyday ops, built and run by TensorFlow 2.21
/// (`Tools/conformance_seq.py generate Tests/Fixtures/ConformanceSeq` writes each GraphDef, its inputs and
/// TensorFlow's outputs as .npy, and manifest.json). Each is imported, run, and compared with TensorFlow
/// to 1e-4 × max(1, max|TF|), the tolerance of `conformance_seq.py check`.
final class SequenceConformanceTests: XCTestCase {
    static var fixtures: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/ConformanceSeq").path
    }

    /// Models graphrun cannot run yet, with the error they must still fail with (a fix moves them out).
    /// None today (`v1_one_hot_axis` was, until OneHot took any axis); kept so a new fixture can land before its fix.
    static let pending: [String: String] = [:]

    struct Model {
        let name: String, pb: String
        let inputs: [String: String], outputs: [String: String]
    }

    static func models() throws -> [Model] {
        let data = try Data(contentsOf: URL(fileURLWithPath: fixtures + "/manifest.json"))
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
        return try XCTUnwrap(json["models"] as? [[String: Any]]).map { m in
            Model(name: m["name"] as? String ?? "", pb: m["pb"] as? String ?? "",
                  inputs: m["inputs"] as? [String: String] ?? [:], outputs: m["outputs"] as? [String: String] ?? [:])
        }
    }

    /// Imports and runs `model`, returning the largest |ours − TF| over its outputs minus the tolerance
    /// (positive: out of tolerance).
    func run(_ model: Model) throws -> (difference: Double, tolerance: Double) {
        let g = try Graph(contentsOf: Self.fixtures + "/" + model.pb)
        var feeds: [Output: Tensor] = [:]
        for (name, file) in model.inputs {
            feeds[try XCTUnwrap(g.output(named: name), "\(model.name): \(name)")] = try NPY.read(Self.fixtures + "/" + file)
        }
        let names = model.outputs.keys.sorted()
        let fetches = try names.map { try XCTUnwrap(g.output(named: $0), "\(model.name): \($0)") }
        let values = try Session(graph: g).run(fetches, feeding: feeds)
        var worst = 0.0, tolerance = 1e-4
        for (name, got) in zip(names, values) {
            let want = try NPY.read(Self.fixtures + "/" + (model.outputs[name] ?? ""))
            XCTAssertEqual(got.shape, want.shape, "\(model.name) \(name)")
            tolerance = max(tolerance, 1e-4 * max(1, want.doubleValues.map(abs).max() ?? 0))
            for (a, b) in zip(got.doubleValues, want.doubleValues) { worst = max(worst, a.isNaN ? .infinity : abs(a - b)) }
        }
        return (worst, tolerance)
    }

    func check(_ prefixes: [String]) throws {
        let selected = try Self.models().filter { m in prefixes.contains { m.name.hasPrefix($0) } && Self.pending[m.name] == nil }
        XCTAssertFalse(selected.isEmpty, "\(prefixes)")
        for model in selected {
            do {
                let (difference, tolerance) = try run(model)
                XCTAssertLessThanOrEqual(difference, tolerance, model.name)
            } catch {
                XCTFail("\(model.name): \(error)")
            }
        }
    }

    /// LSTM, GRU, SimpleRNN and Bidirectional(LSTM), return_sequences on and off, each frozen with
    /// lower_control_flow=True (TF1 frames raised to While) and False (StatelessWhile over TensorLists);
    /// embedding + LSTM text classifiers (one with mask_zero padding), stacked GRUs, a Conv1D text model.
    func testKerasRecurrentAndTextModelsMatchTensorFlow() throws {
        try check(["lstm", "gru", "simplernn", "bilstm", "text_", "stacked_gru"])
    }

    /// Embedding + positions, MultiHeadAttention (Einsum), LayerNormalization, gelu in both forms, a
    /// softmax over axis 1; causal attention written with tf.linalg.matmul (BatchMatMulV2, MatrixBandPart);
    /// EinsumDense; Keras Attention and AdditiveAttention on two inputs.
    func testTransformerAndAttentionMatchTensorFlow() throws {
        try check(["transformer", "batched_attention", "einsum_dense", "dot_attention"])
    }

    /// TF1 graphs: a cond around fused_batch_norm on a training flag, and the everyday-op groups.
    func testTF1EverydayOpGraphsMatchTensorFlow() throws {
        try check(["v1_"])
    }

    /// Our gradient rules (Einsum, MatrixBandPart, StridedSlice, Square, Sum, AddN) on TensorFlow's forward graph give
    /// TensorFlow's gradients: `v1_einsum_gradients` fetches tf.gradients of `loss` with
    /// respect to each placeholder as grad_<name>; here `Graph.gradients` builds its own and runs them.
    func testEinsumGradientsMatchTensorFlowsGradients() throws {
        let model = try XCTUnwrap(Self.models().first { $0.name == "v1_einsum_gradients" })
        let g = try Graph(contentsOf: Self.fixtures + "/" + model.pb)
        var feeds: [Output: Tensor] = [:]
        for (name, file) in model.inputs { feeds[try XCTUnwrap(g.output(named: name), name)] = try NPY.read(Self.fixtures + "/" + file) }
        // The fixture's outputs out0...out4 are TF's gradients with respect to x, w, k, b, m in this order.
        // m also enters through m[0], a StridedSlice (its gradient is StridedSliceGrad).
        let order = ["x", "w", "k", "b", "m"], wrt = order
        let inputs = try wrt.map { try XCTUnwrap(g.output(named: $0 + ":0")) }
        let loss = try XCTUnwrap(g.output(named: "loss:0"))
        let grads = try g.gradients(of: loss, with: inputs).map { try XCTUnwrap($0) }
        let values = try Session(graph: g).run(grads, feeding: feeds)
        for (name, got) in zip(wrt, values) {
            let index = try XCTUnwrap(order.firstIndex(of: name))
            let want = try NPY.read(Self.fixtures + "/" + XCTUnwrap(model.outputs["out\(index):0"], name))
            XCTAssertEqual(got.shape, want.shape, name)
            let scale = max(1, want.doubleValues.map(abs).max() ?? 0)
            for (a, b) in zip(got.doubleValues, want.doubleValues) { XCTAssertEqual(a, b, accuracy: 1e-4 * scale, name) }
        }
    }

    /// Every model of the manifest is run by one of the tests above (or listed as pending).
    func testEveryModelIsChecked() throws {
        let prefixes = ["lstm", "gru", "simplernn", "bilstm", "text_", "stacked_gru", "transformer", "batched_attention",
                        "einsum_dense", "dot_attention", "v1_"]
        for model in try Self.models() {
            XCTAssert(prefixes.contains { model.name.hasPrefix($0) } || Self.pending[model.name] != nil, model.name)
        }
    }

    func testPendingModelsStillFailWithTheirKnownError() throws {
        let models = try Self.models()
        for (name, message) in Self.pending {
            let model = try XCTUnwrap(models.first { $0.name == name }, name)
            XCTAssertThrowsError(try run(model), name) { error in
                XCTAssert("\(error)".contains(message), "\(name): \(error)")
            }
        }
    }
}
