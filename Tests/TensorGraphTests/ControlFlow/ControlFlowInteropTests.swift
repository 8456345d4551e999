import Foundation
import TestSupport
import XCTest
@testable import TensorGraph

/// Functional control flow across the GraphDef boundary, checked against TensorFlow 2.21:
/// - Tests/Fixtures/ControlFlow/{cond,while,nested}.pb were built by TensorFlow (`tf.function` with
///   `tf.cond`/`tf.while_loop`, frozen with `lower_control_flow=False`) and `expected.json` holds
///   TensorFlow's outputs and gradients (`tf.gradients`) for fixed feeds (`Tools/controlflow_fixtures.py fixtures`);
/// - graphs built here export to GraphDefs that `Tools/controlflow_fixtures.py check DIR` imports into
///   TensorFlow and runs (set `TENSORGRAPH_CONTROLFLOW_OUT=DIR` to write them);
/// - libraries TensorFlow 2.21 itself crashes on (self- and mutually recursive functions) or that nest
///   too deeply are rejected with a typed error, and unknown ops inside functions are listed.
final class ControlFlowInteropTests: XCTestCase {
    static var fixtures: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/ControlFlow").path
    }

    private static func tensor(_ json: [String: Any]) throws -> Tensor {
        let shape = json["shape"] as! [Int], values = json["values"] as! [Any]
        switch json["dtype"] as! String {
        case "float32": return Tensor(shape: shape, scalars: values.map { Float(($0 as! NSNumber).doubleValue) })
        case "float64": return Tensor(shape: shape, scalars: values.map { ($0 as! NSNumber).doubleValue })
        case "int32": return Tensor(shape: shape, scalars: values.map { Int32(($0 as! NSNumber).intValue) })
        case "bool": return Tensor(shape: shape, scalars: values.map { ($0 as! NSNumber).boolValue })
        case let other: throw TensorGraphError.invalidArgument("fixture dtype \(other)")
        }
    }

    private static func json(_ t: Tensor) -> [String: Any] {
        let dtype: String
        switch t.dtype {
        case .float: dtype = "float32"
        case .double: dtype = "float64"
        case .int32: dtype = "int32"
        case .bool: dtype = "bool"
        default: dtype = "\(t.dtype)"
        }
        return ["dtype": dtype, "shape": t.shape, "values": t.doubleValues]
    }

    func testRunsTensorFlowBuiltFunctionalGraphsWithTensorFlowsResults() throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: Self.fixtures + "/expected.json"))
        let expected = try JSONSerialization.jsonObject(with: data) as! [String: [String: Any]]
        XCTAssertEqual(Set(expected.keys), ["cond", "while", "nested"])
        for (name, entry) in expected {
            let g = try Graph(contentsOf: Self.fixtures + "/\(name).pb")
            XCTAssertFalse(g.library.functions.isEmpty, name)
            let runs = entry["runs"] as! [[String: [String: [String: Any]]]]
            // Our gradient of the sum of the float outputs, as the fixture script asked TensorFlow for.
            let floatOutputs = try runs[0]["fetches"]!.keys.sorted().map { try XCTUnwrap(g.output(named: $0)) }.filter { $0.dtype == .float || $0.dtype == .double }
            let gradientInputs = try runs[0]["gradients"]!.keys.sorted().map { try XCTUnwrap(g.output(named: $0)) }
            let gradients = try g.gradients(of: floatOutputs.map { try g.sum($0) }, with: gradientInputs)
            let session = Session(graph: g)
            for run in runs {
                var feeds: [Output: Tensor] = [:]
                for (tensorName, value) in run["feeds"]! { feeds[try XCTUnwrap(g.output(named: tensorName), tensorName)] = try Self.tensor(value) }
                var wanted = run["fetches"]!.map { (try? XCTUnwrap(g.output(named: $0.key)), $0.value) }
                wanted += zip(gradientInputs, gradients).map { input, gradient in (gradient, run["gradients"]![input.name]!) }
                for (output, value) in wanted {
                    let tensorName = output.map(\.name) ?? "?"
                    let got = try session.run(XCTUnwrap(output), feeding: feeds), want = try Self.tensor(value)
                    XCTAssertEqual(got.dtype, want.dtype, "\(name) \(tensorName)")
                    XCTAssertEqual(got.shape, want.shape, "\(name) \(tensorName)")
                    for (a, b) in zip(got.doubleValues, want.doubleValues) {
                        XCTAssertEqual(a, b, accuracy: 1e-6 * max(1, abs(b)), "\(name) \(tensorName)")
                    }
                }
            }
        }
    }

    func testRejectsRecursiveAndTooDeeplyNestedLibraries() {
        for (file, fragment) in [("recursive", "f → f"), ("mutually_recursive", "f → g → f"), ("too_deep", "deeper than 64")] {
            XCTAssertThrowsError(try Graph(contentsOf: Self.fixtures + "/\(file).pb"), file) { error in
                XCTAssert("\(error)".contains(fragment), "\(file): \(error)")
            }
        }
    }

    func testACallToAMissingFunctionIsATypedError() {
        XCTAssertThrowsError(try Graph(contentsOf: Self.fixtures + "/missing_function.pb")) { error in
            XCTAssert("\(error)".contains("'nope', which is not in the graph's library"), "\(error)")
        }
    }

    func testListsUnknownOpsInsideFunctions() {
        XCTAssertThrowsError(try Graph(contentsOf: Self.fixtures + "/unknown_op.pb")) { error in
            XCTAssertEqual(error as? TensorGraphError, .unsupportedOps(["NotARealOp (f/n)"]))
        }
    }

    /// Graphs built with `cond` and `whileLoop` (nested, captured, counted) with feeds and our outputs.
    private func builtHere() throws -> [(name: String, graph: Graph, feeds: [[Output: Tensor]], fetches: [Output])] {
        let g1 = Graph()
        let x = try g1.placeholder(.float, shape: [3], name: "x"), p = try g1.placeholder(.bool, shape: [], name: "p")
        let y = try g1.cond(p, then: { b in try b.sum(b.mul(x, x)) }, else: { b in try b.sum(b.tanh(x)) }, name: "y")
        let dy = try g1.gradients(of: y, with: [x])[0]!
        let condFeeds = [true, false].map { [x: Tensor([Float(0.5), -1, 2]), p: Tensor($0)] }

        let g2 = Graph()
        let n = try g2.placeholder(.int32, shape: [], name: "n"), v = try g2.placeholder(.double, shape: [2], name: "v")
        let loop = try g2.whileLoop(cond: { b, w in try b.less(w[0], n) }, body: { b, w in
            let half = try b.cond(b.equal(b.floorMod(w[0], b.constant(Int32(2))), b.constant(Int32(0))),
                                  then: { c in try c.mul(w[1], c.constant(0.5, dtype: .double)) }, else: { c in try c.add(w[1], v) })
            return [try b.add(w[0], b.constant(Int32(1))), half]
        }, loopVars: [g2.constant(Int32(0)), v], maximumIterations: g2.constant(Int32(20)), name: "loop")
        let dv = try g2.gradients(of: g2.sum(g2.square(loop[1])), with: [v])[0]!
        let loopFeeds = [0, 5, 40].map { [n: Tensor(Int32($0)), v: Tensor([1.0, -3.0])] }
        return [("built_cond", g1, condFeeds, [y, dy]), ("built_while", g2, loopFeeds, loop + [dv])]
    }

    func testExportedGraphsRoundTripAndRunTheSame() throws {
        var expected: [String: Any] = [:]
        let directory = ProcessInfo.processInfo.environment["TENSORGRAPH_CONTROLFLOW_OUT"]
        for (name, g, feedSets, fetches) in try builtHere() {
            let bytes = try g.graphDef()
            XCTAssertEqual(try g.graphDef(), bytes, "\(name): byte-stable")
            let imported = try Graph(graphDef: bytes)
            XCTAssertEqual(imported.library.functions.map(\.name), g.library.functions.map(\.name))
            XCTAssertEqual(try imported.graphDef(), bytes, "\(name): re-export is identical")
            let session = Session(graph: g), importedSession = Session(graph: imported)
            var runs: [[String: Any]] = []
            for feeds in feedSets {
                let values = try session.run(fetches, feeding: feeds)
                let importedFeeds = Dictionary(uniqueKeysWithValues: feeds.map { (imported.output(named: $0.key.name)!, $0.value) })
                let again = try importedSession.run(fetches.map { imported.output(named: $0.name)! }, feeding: importedFeeds)
                XCTAssertEqual(values, again, name)
                runs.append(["feeds": Dictionary(uniqueKeysWithValues: feeds.map { ($0.key.name, Self.json($0.value)) }),
                             "fetches": Dictionary(uniqueKeysWithValues: zip(fetches, values).map { ($0.name, Self.json($1)) })])
            }
            expected[name] = ["runs": runs]
            if let directory { try Data(bytes).write(to: URL(fileURLWithPath: directory + "/\(name).pb")) }
        }
        if let directory {
            try JSONSerialization.data(withJSONObject: expected, options: [.sortedKeys]).write(to: URL(fileURLWithPath: directory + "/expected.json"))
        }
    }
}
