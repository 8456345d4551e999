import Foundation
import TestSupport
import XCTest
@testable import TensorGraph

/// ONNX export of functional control flow and lists (`ONNXControlFlowMappings`,
/// `ONNXTensorArrayMappings`): If → `If` with branch subgraphs, While → `Loop`, TensorLists and
/// TensorArrays → sequences. onnxruntime's numbers for every fixture used here (and the Keras RNNs)
/// are checked by `Tools/interop-onnx-seq.py`.
final class ONNXControlFlowExportTests: XCTestCase {
    let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures").path

    func export(_ path: String, inputs: [String], outputs: [String]) throws -> ONNXModel {
        let g = try Graph(contentsOf: "\(fixtures)/\(path)")
        return try ONNXExport.model(graph: g, inputs: try inputs.map { try XCTUnwrap(g.output(named: $0), $0) },
                                    outputs: try outputs.map { try XCTUnwrap(g.output(named: $0), $0) })
    }

    /// The subgraph of attribute `name` of `node`.
    func subgraph(_ node: ONNXNode, _ name: String) throws -> ONNXGraph {
        guard case .graph(let g)? = node.attribute(name) else { throw XCTSkip("no graph attribute \(name) on \(node.opType)") }
        return g
    }

    /// Every value name a node defines, in the graph and all subgraphs (subgraph inputs included).
    func definedNames(_ nodes: [ONNXNode]) -> [String] {
        nodes.flatMap { node in
            node.outputs + node.attributes.flatMap { attribute -> [String] in
                guard case .graph(let g) = attribute.1 else { return [] }
                return g.inputs.map(\.name) + g.initializers.map(\.name) + definedNames(g.nodes)
            }
        }
    }

    /// StatelessIf → ONNX `If` on the bool predicate; each branch is a subgraph without inputs that
    /// reads the outer values by name and ends in an Identity per result. The bytes read back equal.
    func testIfBecomesONNXIfWithBranchSubgraphs() throws {
        let model = try export("ControlFlow/cond.pb", inputs: ["p", "x"], outputs: ["Identity"])
        let node = try XCTUnwrap(model.nodes.first { $0.opType == "If" })
        XCTAssertEqual(node.inputs, ["p"])
        let branches = [try subgraph(node, "then_branch"), try subgraph(node, "else_branch")]
        for branch in branches {
            XCTAssertEqual(branch.inputs, [])
            XCTAssertEqual(branch.outputs.count, 1)
            XCTAssertEqual(branch.nodes.last?.opType, "Identity")
            XCTAssertEqual(branch.nodes.last?.outputs, branch.outputs.map(\.name))
            XCTAssert(branch.nodes.flatMap(\.inputs).contains("x"), "a branch reads the outer 'x' by name")
        }
        XCTAssertNotEqual(branches[0].nodes.map(\.opType), branches[1].nodes.map(\.opType))
        let names = definedNames(model.nodes) + model.initializers.map(\.name) + model.inputs.map(\.name)
        XCTAssertEqual(names.count, Set(names).count, "ONNX names are single-assignment across subgraphs")
        XCTAssertEqual(try ONNXModel(serialized: model.serialized()), model)
    }

    /// StatelessWhile → `Loop` without a trip count: the condition runs once before the loop (inline)
    /// and at the end of the body; the body's inputs are (iteration int64, condition bool, variables),
    /// its outputs (condition, variables).
    func testWhileBecomesLoop() throws {
        let model = try export("ControlFlow/while.pb", inputs: ["n", "x"], outputs: ["Identity", "Identity_1"])
        let loop = try XCTUnwrap(model.nodes.first { $0.opType == "Loop" })
        XCTAssertEqual(loop.inputs.first, "")   // no trip count: the condition decides
        let body = try subgraph(loop, "body")
        let variables = loop.inputs.count - 2
        XCTAssertEqual(loop.outputs.count, variables)
        XCTAssertEqual(body.inputs.count, variables + 2)
        XCTAssertEqual(body.inputs[0].elementType, .int64)
        XCTAssertEqual(body.inputs[1].elementType, .bool)
        XCTAssertEqual(body.outputs.count, variables + 1)
        XCTAssertEqual(body.outputs[0].elementType, .bool)
        XCTAssertEqual(body.outputs[0].dims, [])
        // The condition computed before the loop feeds input 1.
        XCTAssert(model.nodes.firstIndex { $0.outputs.contains(loop.inputs[1]) }! < model.nodes.firstIndex { $0.opType == "Loop" }!)
        XCTAssertEqual(try ONNXModel(serialized: model.serialized()), model)
    }

    /// A Keras LSTM (lowered control flow raised to While at import): the TensorLists are ONNX
    /// sequences — split from the input, carried through the Loop as `seq(tensor(float))`, read with
    /// SequenceAt, written with SequenceErase + SequenceInsert, stacked with ConcatFromSequence.
    func testKerasLSTMCarriesTensorListsAsSequences() throws {
        let model = try export("ConformanceSeq/lstm_lowered.pb", inputs: ["input0"], outputs: ["Identity"])
        let loop = try XCTUnwrap(model.nodes.first { $0.opType == "Loop" })
        let body = try subgraph(loop, "body")
        let sequences = body.inputs.filter(\.isSequence)
        XCTAssertEqual(sequences.count, 2)   // the input rows and the outputs written
        XCTAssert(sequences.allSatisfy { $0.elementType == .float })
        XCTAssertEqual(body.outputs.filter(\.isSequence).count, 2)
        let bodyOps = Set(body.nodes.map(\.opType))
        XCTAssert(bodyOps.isSuperset(of: ["SequenceAt", "SequenceErase", "SequenceInsert", "MatMul"]), "\(bodyOps)")
        XCTAssert(model.opTypes.contains("SplitToSequence"))
        XCTAssert(model.opTypes.contains("ConcatFromSequence"))
        let names = definedNames(model.nodes) + model.initializers.map(\.name) + model.inputs.map(\.name)
        XCTAssertEqual(names.count, Set(names).count)
        let read = try ONNXModel(serialized: model.serialized())
        XCTAssertEqual(read, model)
        XCTAssert(try subgraph(try XCTUnwrap(read.nodes.first { $0.opType == "Loop" }), "body").inputs.contains(where: \.isSequence))
    }

    /// A TF1 TensorArray loop: the flow is a sequence; unstack (Scatter) is a small Loop of
    /// SequenceErase + SequenceInsert; stack (Gather) is ConcatFromSequence then Gather.
    func testTensorArraysAreSequences() throws {
        let model = try export("v1controlflow/v1tensorarray.pb", inputs: ["x"], outputs: ["states", "last"])
        XCTAssertEqual(model.nodes.filter { $0.opType == "Loop" }.count, 2)   // the scatter and the while loop
        let gather = try XCTUnwrap(model.nodes.last { $0.opType == "Gather" })
        XCTAssertEqual(model.nodes.first { $0.outputs == [gather.inputs[0]] }?.opType, "ConcatFromSequence")
        let last = try XCTUnwrap(model.nodes.first { $0.outputs == ["last"] })   // TensorFlow's Identity named `last`
        XCTAssertEqual(model.nodes.first { $0.outputs == last.inputs }?.opType, "SequenceAt")
    }

    /// Unmapped ops inside a while body are listed with those of the main graph, in one error, with
    /// the function's name in front of the body's node names.
    func testUnmappedOpsInsideFunctionsAreListedTogether() throws {
        let g = Graph()
        let x = try g.placeholder(.float, shape: [4], name: "x")
        let ids = try g.constant(Tensor([Int32(0), 1, 0, 1]))
        let summed = try g.unsortedSegmentSum(x, segmentIDs: ids, numSegments: 2, name: "segments")
        let out = try g.whileLoop(cond: { b, v in try b.less(v[0], b.constant(Int32(3))) }, body: { b, v in
            [try b.add(v[0], b.constant(Int32(1))), try b.add(v[1], b.l2Loss(v[1], name: "decay"))]
        }, loopVars: [g.constant(Int32(0)), g.sum(summed)], name: "loop")
        XCTAssertThrowsError(try ONNXExport.model(graph: g, inputs: [x], outputs: [out[1]])) { error in
            guard case .unmappedOps(let list)? = error as? ONNXExportError else { return XCTFail("\(error)") }
            XCTAssertEqual(list.map(\.opType), ["L2Loss", "UnsortedSegmentSum"])
            XCTAssertEqual(list[1].nodes, ["segments"])
            XCTAssertEqual(list[0].nodes.count, 1)
            XCTAssert(list[0].nodes[0].hasSuffix("/decay"), "\(list[0].nodes)")
        }
    }

    /// Training-mode FusedBatchNorm (a cond's training branch) normalizes by the batch's own
    /// statistics: ReduceMean over N, H, W; batch_variance is the unbiased one (n / (n − 1)).
    func testTrainingBatchNormUsesBatchStatistics() throws {
        let g = Graph()
        let y = try g.placeholder(.float, shape: [nil, 2, 2, 3], name: "y")
        let bn = try g.fusedBatchNorm(y, scale: g.constant(Tensor([Float(1), 2, 3])), offset: g.constant(Tensor([Float(0), 1, 0])), isTraining: true)
        let model = try ONNXExport.model(graph: g, inputs: [y], outputs: [bn.y, bn.variance])
        let means = model.nodes.filter { $0.opType == "ReduceMean" }
        XCTAssertEqual(means.map { $0.attribute("axes") }, [.ints([0, 1, 2]), .ints([0, 1, 2])])
        XCTAssertFalse(model.opTypes.contains("BatchNormalization"))
        XCTAssert(model.opTypes.contains("Size"))   // n = Size(x) / C for Bessel's correction
    }
}
