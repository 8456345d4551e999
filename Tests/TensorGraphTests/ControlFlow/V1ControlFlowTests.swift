import Foundation
import XCTest
@testable import TensorGraph

/// TF1's lowered control flow (`Switch`/`Merge`/`Enter`/`Exit`/`NextIteration`/`LoopCond`) imported
/// from GraphDefs TensorFlow 2.21 built (`Tools/v1_controlflow_fixtures.py` writes
/// Tests/Fixtures/v1controlflow/ and TensorFlow's outputs in `expected.json`), raised to `If`/`While`
/// and run; outputs must match TensorFlow's to 1e-4 × max(1, max|TF|). The Keras LSTM/GRU graphs also
/// run TensorList ops through the raised loop.
final class V1ControlFlowTests: XCTestCase {
    static var fixtures: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/v1controlflow").path
    }

    private static func tensor(_ json: [String: Any]) throws -> Tensor {
        let shape = json["shape"] as! [Int], values = json["values"] as! [Any]
        switch json["dtype"] as! String {
        case "float32": return Tensor(shape: shape, scalars: values.map { Float(($0 as! NSNumber).doubleValue) })
        case "int32": return Tensor(shape: shape, scalars: values.map { Int32(($0 as! NSNumber).intValue) })
        case "bool": return Tensor(shape: shape, scalars: values.map { ($0 as! NSNumber).boolValue })
        case let other: throw TensorGraphError.invalidArgument("fixture dtype \(other)")
        }
    }

    private static func runs(_ name: String) throws -> [[String: [String: [String: Any]]]] {
        let data = try Data(contentsOf: URL(fileURLWithPath: fixtures + "/expected.json"))
        let expected = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        return try XCTUnwrap(expected[name] as? [[String: [String: [String: Any]]]], name)
    }

    /// Imports fixture `name`, runs every recorded feed set and compares each fetch with TensorFlow's value.
    private func checkAgainstTensorFlow(_ name: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let g = try Graph(contentsOf: Self.fixtures + "/\(name).pb")
        // With TENSORGRAPH_V1_OUT=DIR set, the raised graph is written there for TensorFlow to run
        // (`Tools/v1_controlflow_fixtures.py check DIR`).
        if let directory = ProcessInfo.processInfo.environment["TENSORGRAPH_V1_OUT"] { try g.write(to: directory + "/\(name).pb") }
        let opNames = Set(g.nodes.map(\.opName))
        XCTAssert(opNames.isDisjoint(with: Graph.v1ControlFlowOps), "\(name): \(opNames)", file: file, line: line)
        XCTAssertFalse(g.library.functions.isEmpty, name, file: file, line: line)
        let session = Session(graph: g)
        for run in try Self.runs(name) {
            var feeds: [Output: Tensor] = [:]
            for (tensorName, value) in run["feeds"]! { feeds[try XCTUnwrap(g.output(named: tensorName), tensorName)] = try Self.tensor(value) }
            for (tensorName, value) in run["fetches"]!.sorted(by: { $0.key < $1.key }) {
                let got = try session.run(XCTUnwrap(g.output(named: tensorName), tensorName), feeding: feeds), want = try Self.tensor(value)
                XCTAssertEqual(got.dtype, want.dtype, "\(name) \(tensorName)", file: file, line: line)
                XCTAssertEqual(got.shape, want.shape, "\(name) \(tensorName)", file: file, line: line)
                let scale = max(1, want.doubleValues.map(abs).max() ?? 0)
                for (a, b) in zip(got.doubleValues, want.doubleValues) {
                    XCTAssertEqual(a, b, accuracy: 1e-4 * scale, "\(name) \(tensorName)", file: file, line: line)
                }
            }
        }
    }

    func testV1CondAroundFusedBatchNormMatchesTensorFlow() throws {
        try checkAgainstTensorFlow("v1cond")
    }

    func testV1WhileLoopWithNestedCondMatchesTensorFlow() throws {
        try checkAgainstTensorFlow("v1nested")
    }

    func testKerasLSTMAndGRUFrozenWithLoweredControlFlowMatchTensorFlow() throws {
        for name in ["lstm", "lstm_seq", "gru", "gru_seq"] { try checkAgainstTensorFlow(name) }
    }

    /// The raised loop differentiates like a functional one: d sum(acc) / dx against central differences.
    func testRaisedLoopGradientMatchesFiniteDifferences() throws {
        let g = try Graph(contentsOf: Self.fixtures + "/v1nested.pb")
        let x = try XCTUnwrap(g.output(named: "x:0")), n = try XCTUnwrap(g.output(named: "n:0"))
        // Raised bodies' arguments have unknown shapes (v1 GraphDefs record none), so the loop's outputs do too.
        let loss = try g.sum(g.reshape(XCTUnwrap(g.output(named: "acc:0")), to: [2]))
        let gradient = try XCTUnwrap(g.gradients(of: [loss], with: [x])[0])
        let session = Session(graph: g), point: [Float] = [0.3, -0.7], h: Float = 1e-2
        let analytic = try session.run(gradient, feeding: [x: Tensor(point), n: Tensor(Int32(5))]).scalars(as: Float.self)
        for i in 0..<2 {
            var plus = point, minus = point
            plus[i] += h; minus[i] -= h
            let up = try session.run(loss, feeding: [x: Tensor(plus), n: Tensor(Int32(5))]).scalar(as: Float.self)
            let down = try session.run(loss, feeding: [x: Tensor(minus), n: Tensor(Int32(5))]).scalar(as: Float.self)
            XCTAssertEqual(analytic[i], (up - down) / (2 * h), accuracy: 1e-2)
        }
    }

    /// TF1 `tf.TensorArray`s (`TensorArrayV3` family: scatter/read in the loop, write, gather, size,
    /// read, close, split/concat) through a raised loop, whose flow carries the array.
    func testV1TensorArraysMatchTensorFlow() throws {
        try checkAgainstTensorFlow("v1while")
        try checkAgainstTensorFlow("v1tensorarray")
    }

    /// Unsupported op types are listed (with node counts) before any other import error, such as an
    /// attribute of a dtype this build lacks (a string `Enter`).
    func testUnsupportedOpsAreReportedFirst() throws {
        XCTAssertThrowsError(try Graph(contentsOf: Self.fixtures + "/unsupported.pb")) { error in
            XCTAssertEqual(error as? TensorGraphError, .unsupportedOps(["StackV2 (stack)", "TensorArrayGradV3 (grad)"]))
        }
    }

    /// TF1 control flow that is no cond or loop (hand-written by the fixture script) fails with a typed error.
    func testMalformedV1ControlFlowIsRejected() {
        for (name, fragment) in [("bad_frame", "while loop 'f': no Merge of an Enter"), ("bad_cycle", "cycle in the graph outside any TF1 while loop")] {
            XCTAssertThrowsError(try Graph(contentsOf: Self.fixtures + "/\(name).pb"), name) { error in
                XCTAssert("\(error)".contains(fragment), "\(name): \(error)")
            }
        }
    }

    /// TensorList ops built directly: values, unset slots, value semantics of `TensorListSetItem`,
    /// and typed errors for bad indices and non-handles.
    func testTensorListOps() throws {
        let g = Graph()
        let rows = try g.constant(Tensor(shape: [3, 2], scalars: [Float(1), 2, 3, 4, 5, 6]))
        let shape = try g.constant(Tensor([Int32(2)]))
        func op(_ type: any Op.Type, _ inputs: [Output], _ attrs: Attributes = ["element_dtype": .type(.float)]) throws -> Output {
            Output(graph: g, node: try g.addNode(type, inputs: inputs, attrs: attrs), index: 0)
        }
        let list = try op(TensorListFromTensor.self, [rows, shape])
        let index = try g.placeholder(.int32, shape: .scalar, name: "index")
        let item = try op(TensorListGetItem.self, [list, index, shape])
        let replaced = try op(TensorListSetItem.self, [list, index, g.constant(Tensor([Float(9), 9]))])
        let stacked = try op(TensorListStack.self, [replaced, shape])
        let original = try op(TensorListStack.self, [list, shape])
        let length = try op(TensorListLength.self, [replaced], [:])
        let elementShape = try op(TensorListElementShape.self, [list], ["shape_type": .type(.int32)])
        let reserved = try op(TensorListReserve.self, [shape, g.constant(Int32(2))])
        let zeros = try op(TensorListStack.self, [try op(TensorListSetItem.self, [reserved, g.constant(Int32(1)), g.constant(Tensor([Float(7), 8]))]), shape])
        let session = Session(graph: g)
        let feeds = [index: Tensor(Int32(1))]
        XCTAssertEqual(try session.run(item, feeding: feeds).scalars(as: Float.self), [3, 4])
        XCTAssertEqual(try session.run(stacked, feeding: feeds).scalars(as: Float.self), [1, 2, 9, 9, 5, 6])
        XCTAssertEqual(try session.run(original, feeding: feeds).scalars(as: Float.self), [1, 2, 3, 4, 5, 6])
        XCTAssertEqual(try session.run(length, feeding: feeds).scalars(as: Int32.self), [3])
        XCTAssertEqual(try session.run(elementShape).scalars(as: Int32.self), [2])
        XCTAssertEqual(try session.run(zeros).shape, [2, 2])
        XCTAssertEqual(try session.run(zeros).scalars(as: Float.self), [0, 0, 7, 8])
        XCTAssertThrowsError(try session.run(item, feeding: [index: Tensor(Int32(3))])) { XCTAssert("\($0)".contains("out of range"), "\($0)") }
        let notAList = try op(TensorListLength.self, [g.constant(Int32(4))], [:])
        XCTAssertThrowsError(try session.run(notAList)) { XCTAssert("\($0)".contains("not a TensorList handle"), "\($0)") }
    }
}
