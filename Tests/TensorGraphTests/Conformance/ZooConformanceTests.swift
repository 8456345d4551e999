import Foundation
import XCTest
@testable import TensorGraph

/// Keras image models frozen by TensorFlow 2.21 run with TensorFlow's results.
///
/// Tests/Fixtures/Conformance holds the small models of `Tools/conformance.py generate --small`:
/// each built by Keras with weights=None, every BatchNormalization given random moving statistics,
/// frozen with `convert_variables_to_constants_v2` (default lowering), with a random batch of 2 and
/// TensorFlow's logits (`NAME.input.npy`, `NAME.output.npy`, tensor names in `manifest.json`):
/// - tiny_unet: Conv2DTranspose, UpSampling2D (nearest and bilinear), BatchNormalization, LeakyReLU,
///   ZeroPadding2D, Cropping2D and Concatenate skips;
/// - tiny_mobile: Rescaling, Normalization, depthwise convolutions, Relu6, hard-swish, squeeze-and-excite,
///   SAME average pooling at the borders, a grouped convolution, Dense;
/// - tiny_resnet: a 7x7 stem, MaxPool, bottleneck and pre-activation residual blocks, Flatten;
/// - tiny_grouped: one `Conv2D(groups=2)`, which Keras 3 wraps in an XLA-compiled function that the
///   frozen graph calls (`StatefulPartitionedCall`), inlined on import;
/// - tiny_aspp: a DeepLab-style head of atrous convolutions (dilation 2 and 3, a dilated depthwise
///   convolution), which TF lowers to SpaceToBatchND → Conv2D → BatchToSpaceND, and a Resizing layer.
/// The large models (the `tf.keras.applications` zoo) are generated on demand and run by
/// `Tools/conformance.py check`; the tolerance is the same: 1e-4 · max(1, max |TF|).
final class ZooConformanceTests: XCTestCase {
    static var fixtures: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/Conformance").path
    }

    private static func manifest() throws -> [String: [String: Any]] {
        let data = try Data(contentsOf: URL(fileURLWithPath: fixtures + "/manifest.json"))
        return try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: [String: Any]])
    }

    func testRunsKerasModelsFrozenByTensorFlowWithTensorFlowsOutputs() throws {
        let manifest = try Self.manifest()
        XCTAssertEqual(Set(manifest.keys), ["tiny_unet", "tiny_mobile", "tiny_resnet", "tiny_grouped", "tiny_aspp"])
        for (name, entry) in manifest.sorted(by: { $0.key < $1.key }) {
            let graph = try Graph(contentsOf: Self.fixtures + "/\(name).pb")
            let input = try XCTUnwrap(graph.output(named: XCTUnwrap(entry["input"] as? String)), name)
            let output = try XCTUnwrap(graph.output(named: XCTUnwrap(entry["output"] as? String)), name)
            let x = try NPY.read(Self.fixtures + "/\(name).input.npy"), expected = try NPY.read(Self.fixtures + "/\(name).output.npy")
            let got = try Session(graph: graph).run(output, feeding: [input: x])
            XCTAssertEqual(got.shape, expected.shape, name)
            let want = expected.doubleValues
            let tolerance = 1e-4 * max(1, want.map(abs).max() ?? 0)
            let difference = zip(got.doubleValues, want).map { abs($0 - $1) }.max() ?? .infinity
            XCTAssertLessThanOrEqual(difference, tolerance, "\(name): max |ours − TF| over \(want.count) values")
            XCTAssertFalse(graph.nodes.contains { Graph.functionCallOps.contains($0.opName) }, "\(name): a function call was left")
        }
    }

    /// The call's body replaces it: `CALL/ARG` identities, the body's Conv2D (filter in-depth 2 for 4
    /// input channels: 2 groups) and an `Identity` of its one result under the call's own name for its readers.
    func testGroupedConvolutionCallIsInlined() throws {
        let graph = try Graph(contentsOf: Self.fixtures + "/tiny_grouped.pb")
        let call = try XCTUnwrap(graph.nodes.first { $0.name.hasSuffix("StatefulPartitionedCall") })
        XCTAssertEqual(call.opName, "Identity")
        let conv = try XCTUnwrap(graph.nodes.first { $0.opName == "Conv2D" && $0.name.hasPrefix(call.name + "/") })
        XCTAssertEqual(graph.nodes[conv.inputs[0].node].outputs[0].shape.dims?.last, 4)
        XCTAssertEqual(graph.nodes[conv.inputs[1].node].outputs[0].shape.dims, [3, 3, 2, 6])
        XCTAssertEqual(conv.outputs[0].shape.dims?.last, 6)
    }

    func testBrokenFunctionCallsAreTypedErrors() {
        for (file, fragment) in [("call_missing_function", "calls 'no_such_function', which the library lacks"),
                                 ("call_missing_input", "passes 1 inputs to")] {
            XCTAssertThrowsError(try Graph(contentsOf: Self.fixtures + "/\(file).pb"), file) { error in
                XCTAssertTrue("\(error)".contains(fragment), "\(file): \(error)")
            }
        }
    }

    /// Many calls to one large function would multiply into billions of nodes from a small file: the
    /// inlined graph's size is bounded (a typed error), checked here with a small bound.
    func testInliningIsBoundedInNodes() throws {
        let body = (0..<100).map { k in (name: "n\(k)", op: "Identity", inputs: [k == 0 ? "x" : "n\(k - 1)"], attrs: ["T": AttrValue.type(.float)] as Attributes) }
        let function = Graph.ParsedFunction(name: "f", arguments: [(name: "x", dtype: .float, shape: TensorShape(nil))], resultNames: ["y"],
                                            nodes: body, ret: ["y": "n99:output:0"], calls: [])
        let call = { (k: Int) in
            Graph.ImportedNode(name: "call\(k)", op: "PartitionedCall", inputs: [(name: "p", index: 0)], control: [],
                               attrs: ["f": .function(FunctionReference("f")), "Tout": .types([.float]), "Tin": .types([.float])])
        }
        let placeholder = Graph.ImportedNode(name: "p", op: "Placeholder", inputs: [], control: [], attrs: ["dtype": .type(.float)])
        let g = Graph()
        XCTAssertEqual(try g.inlineFunctionCalls([placeholder] + (0..<5).map(call), [function], maximumNodes: 10_000).count, 1 + 5 * 102)
        XCTAssertThrowsError(try g.inlineFunctionCalls([placeholder] + (0..<200).map(call), [function], maximumNodes: 10_000)) { error in
            XCTAssertTrue("\(error)".contains("more than 10000 nodes"), "\(error)")
        }
    }
}
