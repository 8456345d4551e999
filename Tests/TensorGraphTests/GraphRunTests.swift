import Foundation
import TestSupport
import XCTest
@testable import TensorGraph

/// End-to-end: the real `graphrun` binary against the committed models and golden outputs.
final class GraphRunTests: XCTestCase {
    var repository: String { URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path }

    func graphrun(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        try runGraphrun(arguments, in: repository, anchor: GraphRunTests.self)
    }

    func testRunReproducesGoldenOutputs() throws {
        let dir = try temporaryDirectory("graphrun")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for (model, fetch) in [("mnist-mlp", "probs"), ("mnist-cnn", "probabilities")] {
            let r = try graphrun(["run", "Graphs/\(model).pb", "--feed", "x=Graphs/\(model).input.npy", "--fetch", fetch, "--output", "\(dir)/\(model).npy"])
            XCTAssertEqual(r.status, 0, r.stderr)
            let actual = try NPY.read("\(dir)/\(model).npy"), expected = try NPY.read("\(repository)/Graphs/\(model).output.npy")
            assertClose(actual.doubleValues, expected.doubleValues, absolute: 1e-6, relative: 1e-5, model)
        }
        let table = try graphrun(["run", "Graphs/mnist-mlp.pb", "--feed", "x=Graphs/mnist-mlp.input.npy", "--fetch", "probs"])
        XCTAssert(table.stdout.contains("argmax") && table.stdout.contains("  0       7  7: "), table.stdout)
    }

    /// Bool placeholders take `true`/`false` literals (the CNN's dropout switch): false gives the golden
    /// inference output, true turns dropout on.
    func testBoolFeedLiterals() throws {
        let dir = try temporaryDirectory("graphrun-bool")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let expected = try NPY.read("\(repository)/Graphs/mnist-cnn.output.npy")
        for flag in ["false", "true"] {
            let r = try graphrun(["run", "Graphs/mnist-cnn.pb", "--feed", "x=Graphs/mnist-cnn.input.npy", "--feed", "training=\(flag)",
                                  "--fetch", "probabilities", "--output", "\(dir)/\(flag).npy"])
            XCTAssertEqual(r.status, 0, r.stderr)
            let actual = try NPY.read("\(dir)/\(flag).npy").doubleValues
            let difference = zip(actual, expected.doubleValues).map { abs($0 - $1) }.max() ?? 0
            if flag == "false" { XCTAssertLessThan(difference, 1e-5) } else { XCTAssertGreaterThan(difference, 1e-3, "dropout is on") }
        }
        let bad = try graphrun(["run", "Graphs/mnist-cnn.pb", "--feed", "x=Graphs/mnist-cnn.input.npy", "--feed", "x=true", "--fetch", "probabilities"])
        XCTAssertNotEqual(bad.status, 0)
    }

    func testDigitPNGsArePredicted() throws {
        let r = try graphrun(["run", "Graphs/mnist-cnn.pb", "--feed", "x=Examples/Data/digits", "--fetch", "probabilities", "--format", "json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String: Any]])
        let values = try XCTUnwrap(json.first?["values"] as? [Double])
        let predictions = (0..<10).map { row in (0..<10).max { values[row * 10 + $0] < values[row * 10 + $1] }! }
        XCTAssertEqual(predictions, Array(0..<10), "the shipped digit PNGs are MNIST test digits 0-9, in order")
    }

    func testInspectAndDot() throws {
        let inspect = try graphrun(["inspect", "Graphs/mnist-cnn.pb", "--json"])
        XCTAssertEqual(inspect.status, 0, inspect.stderr)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(inspect.stdout.utf8)) as? [String: Any])
        let inputs = try XCTUnwrap(object["inputs"] as? [[String: Any]])
        XCTAssert(inputs.contains { $0["name"] as? String == "x" })
        XCTAssertEqual((object["ops"] as? [String: Int])?["Conv2D"], 2)
        let dot = try graphrun(["dot", "Graphs/mnist-mlp.pb"])
        XCTAssert(dot.stdout.hasPrefix("digraph G {") && dot.stdout.contains("\"x\" -> \"MatMul\""), dot.stdout)
    }

    func testErrorsAreOneLineAndNonZero() throws {
        let dir = try temporaryDirectory("graphrun-errors")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Data([0x0A, 0xFF, 0x01]).write(to: URL(fileURLWithPath: dir + "/corrupt.pb"))
        let cases: [([String], String)] = [
            (["inspect", "missing.pb"], "no such file"),
            (["inspect", dir + "/corrupt.pb"], "not a valid GraphDef"),
            (["run", "Graphs/mnist-mlp.pb", "--feed", "probs=Graphs/mnist-mlp.input.npy", "--fetch", "probs"], "cannot be fed"),
            (["run", "Graphs/mnist-mlp.pb", "--feed", "x=Graphs/mnist-cnn.output.npy", "--fetch", "probs"], "expected (?, 784)"),
            (["run", "Graphs/mnist-mlp.pb", "--feed", "x=Graphs/mnist-mlp.input.npy", "--fetch", "nope"], "no tensor named 'nope'"),
            (["run", "Graphs/mnist-mlp.pb", "--feed", "x=[[1,2]]", "--fetch", "probs"], "has shape (1, 2), expected (?, 784)"),
            (["run", "Graphs/mnist-mlp.pb", "--fetch", "probs"], "must feed a value for placeholder 'x'"),
        ]
        for (arguments, fragment) in cases {
            let r = try graphrun(arguments)
            XCTAssertNotEqual(r.status, 0, "\(arguments)")
            XCTAssert(r.stderr.contains(fragment), "\(arguments): \(r.stderr)")
            XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, r.stderr)
        }
    }
}
