import Foundation
import TestSupport
import XCTest
@testable import TensorGraph

/// The real `graphrun` binary on SavedModel directories and `.meta` + checkpoint files, and `graphrun bench`.
final class GraphRunModelFormatsTests: XCTestCase {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path
    let fixtures = repository + "/Tests/Fixtures/savedmodel"

    func graphrun(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        try runGraphrun(arguments, in: Self.repository, anchor: Self.self)
    }

    /// TensorFlow's `simple_save` model (signature `serving_default`: `x` → `y`): the signature's outputs
    /// are fetched by default and equal TensorFlow's `y.npy`; `x:0` (a tensor name) feeds the same placeholder.
    func testRunsATensorFlowSavedModelBySignatureKeys() throws {
        let dir = try temporaryDirectory("graphrun-savedmodel")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let expected = try NPY.read(fixtures + "/y.npy")
        for feedName in ["x", "x:0"] {
            let r = try graphrun(["run", fixtures + "/simple", "--feed", "\(feedName)=\(fixtures)/x.npy", "--output", dir + "/y.npy"])
            XCTAssertEqual(r.status, 0, r.stderr)
            let actual = try NPY.read(dir + "/y.npy")
            XCTAssertEqual(actual.shape, expected.shape)
            assertClose(actual.doubleValues, expected.doubleValues, absolute: 1e-5)
        }
        let json = try graphrun(["run", fixtures + "/simple", "--tag-set", "serve", "--signature-def", "serving_default",
                                 "--feed", "x=\(fixtures)/x.npy", "--format", "json"])
        XCTAssertEqual(json.status, 0, json.stderr)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
        XCTAssertEqual(object.map { $0["name"] as? String }, ["y"], "no --fetch: every signature output, by key")
    }

    /// Bad SavedModel options are one-line errors naming what exists.
    func testSavedModelErrors() throws {
        let cases: [([String], String)] = [
            (["run", fixtures + "/simple", "--feed", "x=\(fixtures)/x.npy", "--tag-set", "train"], "no MetaGraphDef tagged [train] (present: [serve])"),
            (["run", fixtures + "/simple", "--feed", "x=\(fixtures)/x.npy", "--signature-def", "predict"], "has no signature 'predict' (it has: serving_default)"),
            (["run", fixtures + "/simple", "--feed", "q=\(fixtures)/x.npy"], "no signature input or tensor named 'q'"),
            (["run", fixtures + "/simple", "--feed", "x=\(fixtures)/x.npy", "--fetch", "z"], "(signature outputs: y)"),
            (["run", fixtures + "/simple", "--feed", "x=\(fixtures)/x.npy", "--checkpoint", "model.ckpt"], "restores its own variables"),
            (["run", fixtures, "--feed", "x=\(fixtures)/x.npy"], "saved_model.pb"),
            (["run", fixtures + "/tf1-train/missing.meta", "--fetch", "loss"], "needs its checkpoint"),
        ]
        for (arguments, fragment) in cases {
            let r = try graphrun(arguments)
            XCTAssertEqual(r.status, 1, "\(arguments)")
            XCTAssert(r.stderr.hasPrefix("graphrun: error:") && r.stderr.contains(fragment), "\(arguments): \(r.stderr)")
            XCTAssertEqual(r.stderr.filter { $0 == "\n" }.count, 1, r.stderr)
        }
    }

    /// A SavedModel exported here, whose signature key (`pixels`) differs from its placeholder's name
    /// (`input`): both names feed it, and the output equals the exporting session's.
    func testRunsASavedModelExportedHere() throws {
        let dir = try temporaryDirectory("graphrun-export")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let g = Graph()
        let x = try g.placeholder(.float, shape: [nil, 3], name: "input")
        let w = try g.variable(g.constant(Tensor(shape: [3, 2], scalars: [Float(0.5), -1, 2, 0.25, -0.75, 1.5])), name: "w")
        let scores = try g.softmax(g.matMul(x, w), name: "scores")
        let session = Session(graph: g)
        try session.run(g.globalVariablesInitializer())
        try SavedModel.export(session: session, to: dir + "/model", inputs: ["pixels": x], outputs: ["probabilities": scores])
        let input = Tensor(shape: [2, 3], scalars: [Float(1), 2, 3, -1, 0, 0.5])
        try NPY.write(input, to: dir + "/in.npy")
        let expected = try session.run(scores, feeding: [x: input])
        for feed in ["pixels", "input"] {
            let r = try graphrun(["run", dir + "/model", "--feed", "\(feed)=\(dir)/in.npy", "--fetch", "probabilities", "--output", dir + "/out.npy"])
            XCTAssertEqual(r.status, 0, r.stderr)
            assertClose(try NPY.read(dir + "/out.npy").doubleValues, expected.doubleValues, absolute: 1e-6)
        }
    }

    /// TensorFlow's `.meta` + checkpoint after 2 Adam steps: the loss graphrun computes is the loss
    /// TensorFlow computed at those weights (`expected.json`'s first loss), with `--checkpoint` or its default.
    func testRunsAMetaGraphWithItsCheckpoint() throws {
        let fixture = fixtures + "/tf1-train"
        let expected = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(readWholeFile(fixture + "/expected.json"))) as? [String: Any])
        let loss = try XCTUnwrap((expected["losses"] as? [Double])?.first)
        for checkpoint in [["--checkpoint", fixture + "/model.ckpt"], []] {
            let r = try graphrun(["run", fixture + "/model.ckpt.meta", "--feed", "x=\(fixture)/x.npy", "--feed", "t=\(fixture)/t.npy",
                                  "--fetch", "loss", "--format", "json"] + checkpoint)
            XCTAssertEqual(r.status, 0, r.stderr)
            let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String: Any]])
            let values = try XCTUnwrap(object.first?["values"] as? [Double])
            assertClose(values, [loss], absolute: 1e-5)
        }
        let missing = try graphrun(["run", fixture + "/model.ckpt.meta", "--checkpoint", fixture + "/nope", "--fetch", "loss"])
        XCTAssertEqual(missing.status, 1)
        XCTAssert(missing.stderr.contains("no checkpoint"), missing.stderr)
    }

    /// `inspect` on TensorFlow's `simple_save` model lists the `serving_default` signature as TensorFlow
    /// wrote it (`saved_model_cli show`: method `tensorflow/serving/predict`, `x` → `x:0` float [-1, 3],
    /// `y` → `y:0` float [-1, 2]) and the graph summary without the saver's nodes; `dot` draws the same graph.
    func testInspectAndDotOnATensorFlowSavedModel() throws {
        let r = try graphrun(["inspect", fixtures + "/simple", "--json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(object["format"] as? String, "savedmodel")
        XCTAssertEqual(object["tags"] as? [String], ["serve"])
        let signatures = try XCTUnwrap(object["signatures"] as? [String: [String: Any]])
        XCTAssertEqual(Array(signatures.keys), ["serving_default"])
        let signature = try XCTUnwrap(signatures["serving_default"])
        XCTAssertEqual(signature["method"] as? String, "tensorflow/serving/predict")
        let input = try XCTUnwrap((signature["inputs"] as? [String: [String: Any]])?["x"])
        XCTAssertEqual(input["name"] as? String, "x:0")
        XCTAssertEqual(input["dtype"] as? String, "float32")
        XCTAssertEqual(input["shape"] as? [Int], [-1, 3])
        let output = try XCTUnwrap((signature["outputs"] as? [String: [String: Any]])?["y"])
        XCTAssertEqual(output["name"] as? String, "y:0")
        XCTAssertEqual(output["shape"] as? [Int], [-1, 2])
        // 3x4 kernel, 4 biases, 4x2 kernel: the variables once, not again as their initial-value constants.
        XCTAssertEqual(object["parameters"] as? Int, 24)
        let ops = try XCTUnwrap(object["ops"] as? [String: Int])
        XCTAssertEqual(ops["VariableV2"], 3)
        XCTAssertNil(ops["RestoreV2"], "the saver's save/ scope is not part of the graph shown")

        let text = try graphrun(["inspect", fixtures + "/simple"])
        XCTAssertEqual(text.status, 0, text.stderr)
        for line in ["SavedModel, MetaGraphDef tagged [serve]", "  serving_default  (tensorflow/serving/predict)",
                     "    input   x  x:0  float32  (?, 3)", "    output  y  y:0  float32  (?, 2)", "Parameters: 24 (96 bytes"] {
            XCTAssert(text.stdout.contains(line), "'\(line)' missing from:\n\(text.stdout)")
        }
        let dot = try graphrun(["dot", fixtures + "/simple"])
        XCTAssertEqual(dot.status, 0, dot.stderr)
        XCTAssert(dot.stdout.hasPrefix("digraph G {") && dot.stdout.contains("\"x\" -> \"MatMul\";")
                  && dot.stdout.contains("\"MatMul_1\" -> \"y\";") && !dot.stdout.contains("save/"), dot.stdout)
        let wrongTags = try graphrun(["inspect", fixtures + "/simple", "--tag-set", "train"])
        XCTAssertEqual(wrongTags.status, 1)
        XCTAssert(wrongTags.stderr.contains("no MetaGraphDef tagged [train] (present: [serve])"), wrongTags.stderr)
    }

    /// A SavedModel exported here whose signature keys (`pixels`, `probabilities`) differ from the tensor
    /// names (`input:0`, `scores:0`): inspect shows both, with the shapes the graph infers.
    func testInspectShowsSignatureKeysAndTensorNames() throws {
        let dir = try temporaryDirectory("graphrun-inspect")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let g = Graph()
        let x = try g.placeholder(.float, shape: [nil, 3], name: "input")
        let w = try g.variable(g.constant(Tensor(shape: [3, 2], scalars: [Float(0.5), -1, 2, 0.25, -0.75, 1.5])), name: "w")
        let scores = try g.softmax(g.matMul(x, w), name: "scores")
        let session = Session(graph: g)
        try session.run(g.globalVariablesInitializer())
        try SavedModel.export(session: session, to: dir + "/model", inputs: ["pixels": x], outputs: ["probabilities": scores])
        let r = try graphrun(["inspect", dir + "/model"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssert(r.stdout.contains("    input   pixels  input:0  float32  (?, 3)\n    output  probabilities  scores:0  float32  (?, 2)"), r.stdout)
        XCTAssert(r.stdout.contains("Parameters: 6 (24 bytes"), r.stdout)
    }

    /// `inspect` and `dot` read a `.meta` file alone (no checkpoint needed to look at it): TF1's training
    /// graph, its placeholders, no signatures, and the 20 trainable parameters (Adam's slots excluded).
    func testInspectAndDotOnAMetaGraphWithoutItsCheckpoint() throws {
        let dir = try temporaryDirectory("graphrun-inspect-meta")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.copyItem(atPath: fixtures + "/tf1-train/model.ckpt.meta", toPath: dir + "/model.ckpt.meta")
        let r = try graphrun(["inspect", dir + "/model.ckpt.meta", "--json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(object["format"] as? String, "metagraph")
        XCTAssertEqual((object["signatures"] as? [String: Any])?.count, 0)
        XCTAssertEqual((object["inputs"] as? [[String: Any]])?.compactMap { $0["name"] as? String }, ["x", "t"])
        XCTAssertEqual(object["parameters"] as? Int, 3 * 4 + 4 + 4)
        XCTAssertEqual((object["ops"] as? [String: Int])?["ApplyAdam"], 3)
        let text = try graphrun(["inspect", dir + "/model.ckpt.meta"])
        XCTAssert(text.stdout.contains("MetaGraphDef, ") && text.stdout.contains("Signatures: none") && text.stdout.contains("  loss  (Mean)  float32  ()"), text.stdout)
        let dot = try graphrun(["dot", dir + "/model.ckpt.meta"])
        XCTAssertEqual(dot.status, 0, dot.stderr)
        XCTAssert(dot.stdout.contains("label=\"train\"") && dot.stdout.contains("\"x\" -> \"MatMul\";"), dot.stdout)
        let missing = try graphrun(["dot", dir + "/missing.meta"])
        XCTAssertEqual(missing.status, 1)
        XCTAssert(missing.stderr.hasPrefix("graphrun: error:") && missing.stderr.contains("missing.meta"), missing.stderr)
    }

    /// `bench` reports batch, runs, threads, median ≤ p90 latency and rows per second, on a SavedModel
    /// (`--batch` repeats the 5 fed rows) and on a .pb (fetching its likely output without --fetch).
    func testBenchReportsLatencyAndThroughput() throws {
        let saved = try graphrun(["bench", fixtures + "/simple", "--feed", "x=\(fixtures)/x.npy", "--batch", "12", "--warmup", "2", "--format", "json"])
        XCTAssertEqual(saved.status, 0, saved.stderr)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(saved.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(object["batch"] as? Int, 12)
        XCTAssertEqual(object["runs"] as? Int, 50)
        XCTAssertEqual(object["warmup"] as? Int, 2)
        XCTAssertEqual(object["fetches"] as? [String], ["y"])
        XCTAssertGreaterThanOrEqual(object["threads"] as? Int ?? 0, 1)
        let median = try XCTUnwrap(object["latency_median_ms"] as? Double), p90 = try XCTUnwrap(object["latency_p90_ms"] as? Double)
        XCTAssert(median > 0 && median <= p90, "median \(median), p90 \(p90)")
        let throughput = try XCTUnwrap(object["rows_per_second"] as? Double)
        XCTAssertEqual(throughput, 12 / (median / 1000), accuracy: throughput * 1e-9)

        let frozen = try graphrun(["bench", "Graphs/mnist-mlp.pb", "--feed", "x=Graphs/mnist-mlp.input.npy", "--runs", "50", "--warmup", "1"])
        XCTAssertEqual(frozen.status, 0, frozen.stderr)
        for field in ["fetch probs", "batch            8 rows", "runs             50 timed after 1 warm-up", "threads", "latency median", "latency p90", "rows/s"] {
            XCTAssert(frozen.stdout.contains(field), "\(field) missing from:\n\(frozen.stdout)")
        }
        let bad = try graphrun(["bench", "Graphs/mnist-mlp.pb", "--feed", "x=Graphs/mnist-mlp.input.npy", "--runs", "0"])
        XCTAssertNotEqual(bad.status, 0)
    }
}
