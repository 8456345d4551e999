import Foundation
import TestSupport
import XCTest
@testable import TensorGraph

/// A small training graph, built the same way each call (so a rebuilt graph matches a saved checkpoint).
func makeTrainingGraph() throws -> (g: Graph, x: Output, labels: Output, loss: Output, train: GraphOperation, logits: Output) {
    let g = Graph()
    let x = try g.placeholder(.float, shape: [nil, 784], name: "x")
    let labels = try g.placeholder(.int32, shape: [nil], name: "labels")
    let h = try g.layers.dense(x, units: 16, activation: .relu)
    let logits = try g.layers.dense(h, units: 10)
    let loss = try g.mean(g.sparseSoftmaxCrossEntropyWithLogits(labels: labels, logits: logits), name: "loss")
    let train = try AdamOptimizer(learningRate: 0.01).minimize(loss, globalStep: g.globalStep())
    return (g, x, labels, loss, train, logits)
}

final class GraphDefTests: XCTestCase {
    func testRoundTripIsByteStableAndComputesTheSame() throws {
        let (g, x, labels, loss, _, logits) = try makeTrainingGraph()
        let bytes = try g.graphDef()
        XCTAssertEqual(bytes, try g.graphDef(), "same graph, same bytes")
        XCTAssertEqual(bytes, try makeTrainingGraph().g.graphDef(), "same code, same bytes")
        let imported = try Graph(graphDef: bytes)
        XCTAssertEqual(imported.nodes.map(\.name), g.nodes.map(\.name))
        XCTAssertEqual(imported.nodes.map(\.opName), g.nodes.map(\.opName))
        XCTAssertEqual(try imported.graphDef(), bytes, "import then export reproduces the bytes")
        XCTAssertEqual(imported.globalVariables.map(\.name), g.globalVariables.map(\.name))
        // Same initial values (seeded random ops) and the same forward results.
        var random = TestRandom(seed: 1)
        let input = toFloat32(random.tensor([3, 784], 0, 1))
        let ids = Tensor([Int32(1), 2, 3])
        func evaluate(_ graph: Graph) throws -> [Tensor] {
            let s = Session(graph: graph)
            try s.run(graph.globalVariablesInitializer())
            return try s.run([graph.output(named: logits.name)!, graph.output(named: loss.name)!],
                             feeding: [graph.output(named: x.name)!: input, graph.output(named: labels.name)!: ids])
        }
        XCTAssertEqual(try evaluate(g), try evaluate(imported))
    }

    func testImportsWhatTensorFlowWrites() throws {
        // A Const with a single float_val fills its shape; int_val for int32; attrs TF adds that we ignore.
        let arenaGraph = Graph()
        _ = try arenaGraph.placeholder(.float, shape: [nil, 3], name: "x")
        var bytes = try arenaGraph.graphDef()
        // Hand-encode a NodeDef { name: "c", op: "Const", attr { dtype: DT_FLOAT, value: TensorProto{dtype 1, shape [3], float_val: 0.25} } }.
        func field(_ number: Int, _ payload: [UInt8]) -> [UInt8] { [UInt8(number << 3 | 2), UInt8(payload.count)] + payload }
        func varint(_ number: Int, _ value: Int) -> [UInt8] { [UInt8(number << 3), UInt8(value)] }
        let shape = field(2, varint(1, 3))                                  // TensorShapeProto.dim { size: 3 }
        let tensor = varint(1, 1) + field(2, shape) + [5 << 3 | 5] + [0, 0, 0x80, 0x3E]   // float_val (unpacked): 0.25
        let value = field(8, tensor)                                         // AttrValue.tensor
        let attrValue = field(1, Array("value".utf8)) + field(2, value)
        let attrType = field(1, Array("dtype".utf8)) + field(2, varint(6, 1))
        let unknownAttr = field(1, Array("_class".utf8)) + field(2, field(1, field(2, Array("loc:@x".utf8))))
        let node = field(1, Array("c".utf8)) + field(2, Array("Const".utf8)) + field(5, attrType) + field(5, attrValue) + field(5, unknownAttr)
        bytes += field(1, node) + [0x2A, 0x01, 0x00]                          // plus an unknown field 5 (debug_info)
        let g = try Graph(graphDef: bytes)
        let c = try XCTUnwrap(g.output(named: "c"))
        XCTAssertEqual(try Session(graph: g).run(c).scalars(as: Float.self), [0.25, 0.25, 0.25])
    }

    func testUnsupportedOpsAreListedTogether() throws {
        func node(_ name: String, _ op: String) -> [UInt8] {
            let body = [0x0A, UInt8(name.utf8.count)] + Array(name.utf8) + [0x12, UInt8(op.utf8.count)] + Array(op.utf8)
            return [0x0A, UInt8(body.count)] + body
        }
        let bytes = node("a", "FancyOp") + node("b", "Lgamma") + node("c", "FancyOp")
        assertThrows(["Unsupported ops", "FancyOp (a, c)", "Lgamma (b)"]) { try Graph(graphDef: bytes) }
    }

    func testCorruptTensorContentIsRejected() throws {
        let g = Graph()
        _ = try g.constant(Tensor([Float(1), 2, 3]), name: "c")
        var bytes = try g.graphDef()
        // Grow the declared dim from 3 to 4 ("size: 3" is the only 0x08 0x03 in this GraphDef).
        let i = try XCTUnwrap((0..<(bytes.count - 1)).first { bytes[$0] == 0x08 && bytes[$0 + 1] == 0x03 })
        bytes[i + 1] = 0x04
        assertThrows(["tensor_content has 12 bytes", "needs 16"]) { try Graph(graphDef: bytes) }
        assertThrows(["not a valid GraphDef"]) { try Graph(graphDef: [0xFF, 0xFF, 0xFF]) }
    }

    func testFreezeKeepsOnlyInferenceAndMatches() throws {
        let (g, x, _, _, train, logits) = try makeTrainingGraph()
        let session = Session(graph: g)
        try session.run(g.globalVariablesInitializer())
        let mnist = try MNIST(directory: XCTUnwrap(MNIST.locateBundled()))
        let batch = mnist.train.subset(0..<64)
        for _ in 0..<3 { try session.run(train, feeding: [x: batch.images, g.output(named: "labels")!: batch.labels]) }
        let probs = try g.softmax(logits, name: "probs")
        let frozen = try g.freeze(session, outputs: [probs])
        XCTAssertFalse(frozen.nodes.contains { ["VariableV2", "ApplyAdam", "Assign"].contains($0.opName) || $0.name.hasPrefix("gradients") })
        let dir = try temporaryDirectory("freeze")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try frozen.write(to: dir + "/model.pb")
        let loaded = try Graph(contentsOf: dir + "/model.pb")
        let expected = try session.run(probs, feeding: [x: batch.images])
        let actual = try Session(graph: loaded).run(loaded.output(named: "probs")!, feeding: [loaded.output(named: "x")!: batch.images])
        XCTAssertEqual(actual, expected)
    }
}

final class SaverTests: XCTestCase {
    func testSaveRestoreResumesTrainingBitForBit() throws {
        let mnist = try MNIST(directory: XCTUnwrap(MNIST.locateBundled()))
        let batches = mnist.train.subset(0..<320).batches(of: 32)
        let dir = try temporaryDirectory("saver")
        defer { try? FileManager.default.removeItem(atPath: dir) }

        let a = try makeTrainingGraph()
        let sa = Session(graph: a.g)
        try sa.run(a.g.globalVariablesInitializer())
        for batch in batches.prefix(5) { try sa.run(a.train, feeding: [a.x: batch.images, a.labels: batch.labels]) }
        try Saver(graph: a.g).save(sa, to: dir + "/model.ckpt")
        try a.g.write(to: dir + "/model.pb")
        var expected: [Float] = []
        for batch in batches.dropFirst(5) { expected.append(try sa.run(a.loss, target: a.train, feeding: [a.x: batch.images, a.labels: batch.labels]).scalar()) }

        // Rebuilt by the same code.
        let b = try makeTrainingGraph()
        let sb = Session(graph: b.g)
        try Saver(graph: b.g).restore(sb, from: dir + "/model.ckpt")
        var resumed: [Float] = []
        for batch in batches.dropFirst(5) { resumed.append(try sb.run(b.loss, target: b.train, feeding: [b.x: batch.images, b.labels: batch.labels]).scalar()) }
        XCTAssertEqual(resumed, expected)
        XCTAssertEqual(try sb.run(b.g.globalStep()).scalar(as: Int64.self), 10)

        // Loaded from the GraphDef file: variables, slots and the training op come back by name.
        let c = try Graph(contentsOf: dir + "/model.pb")
        let sc = Session(graph: c)
        try Saver(graph: c).restore(sc, from: dir + "/model.ckpt")
        let train = try XCTUnwrap(c.node(named: a.train.name)).name
        var loaded: [Float] = []
        for batch in batches.dropFirst(5) {
            loaded.append(try sc.run([c.output(named: "loss")!], targets: [c.output(named: train)?.op ?? GraphOperation(graph: c, node: c.node(named: train)!)],
                                     feeding: [c.output(named: "x")!: batch.images, c.output(named: "labels")!: batch.labels])[0].scalar())
        }
        XCTAssertEqual(loaded, expected)
    }

    func testRestorePlanReportsAllProblemsAndChangesNothing() throws {
        let dir = try temporaryDirectory("plan")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let g1 = Graph()
        _ = try g1.variable(g1.zeros([2]), name: "a")
        _ = try g1.variable(g1.zeros([3]), name: "b")
        _ = try g1.variable(g1.zeros([1]), name: "extra")
        let s1 = Session(graph: g1)
        try s1.run(g1.globalVariablesInitializer())
        try Saver(graph: g1).save(s1, to: dir + "/c.ckpt")

        let g2 = Graph()
        let a = try g2.variable(g2.constant(Tensor([Float(7), 7])), name: "a")
        _ = try g2.variable(g2.zeros([4]), name: "b")
        _ = try g2.variable(g2.zeros([1]), name: "missing")
        let s2 = Session(graph: g2)
        try s2.run(g2.globalVariablesInitializer())
        assertThrows(["'b' is float32(3,)", "missing 'missing'"]) { try Saver(graph: g2).restore(s2, from: dir + "/c.ckpt") }
        // 'extra' is in the checkpoint only: TF1's Saver ignores entries outside its variable list.
        XCTAssertThrowsError(try Saver(graph: g2).restore(s2, from: dir + "/c.ckpt")) { XCTAssertFalse("\($0)".contains("extra"), "\($0)") }
        XCTAssertEqual(try s2.run(a).scalars(as: Float.self), [7, 7], "nothing restored")
        assertThrows(["no such file"]) { try Saver(graph: g2).restore(s2, from: dir + "/none.ckpt") }
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: dir + "/bad.ckpt"))
        assertThrows(["bad.ckpt"]) { try Saver(graph: g2).restore(s2, from: dir + "/bad.ckpt") }
    }
}
