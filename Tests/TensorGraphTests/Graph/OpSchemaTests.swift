import TestSupport
import XCTest
@testable import TensorGraph

/// The typed op schema: attributes are decoded and validated once, with errors naming op, node and
/// attribute; defaults are stored (and exported) as TensorFlow writes them; type attributes follow the inputs.
final class OpSchemaTests: XCTestCase {
    private func placeholders(_ g: Graph, _ dtype: DType = .float) throws -> (Output, Output) {
        (try g.placeholder(dtype, shape: [2, 3], name: "a"), try g.placeholder(dtype, shape: [3, 4], name: "b"))
    }

    func testUnknownAttributeIsRejectedByName() throws {
        let g = Graph()
        let (a, b) = try placeholders(g)
        // A misspelt attribute no longer compiles into a silent default.
        assertThrows(["MatMul", "mm", "unknown attribute 'transpose_A'", "transpose_a"]) {
            try g.addNode(MatMul.self, name: "mm", inputs: [a, b], attrs: ["transpose_A": .bool(true)])
        }
        // TF's internal `_`-prefixed attributes are allowed and kept.
        let node = try g.addNode(MatMul.self, inputs: [a, b], attrs: ["_class": .strings(["loc:@a"])])
        XCTAssertEqual(node.attrs["_class"], .strings(["loc:@a"]))
    }

    func testWrongKindMissingRequiredAndDisallowedType() throws {
        let g = Graph()
        let (a, b) = try placeholders(g)
        assertThrows(["MatMul", "attribute 'transpose_a' must be bool", "got 1"]) {
            try g.addNode(MatMul.self, inputs: [a, b], attrs: ["transpose_a": .int(1)])
        }
        let x = try g.placeholder(.float, shape: [1, 5, 5, 1])
        let filter = try g.constant(Tensor(shape: [2, 2, 1, 1], scalars: [Float](repeating: 1, count: 4)))
        assertThrows(["Conv2D", "missing required attribute 'strides'"]) {
            try g.addNode(Conv2D.self, inputs: [x, filter], attrs: ["padding": .string("SAME")])
        }
        assertThrows(["Conv2D", "attribute 'padding' is \"FULL\"", "SAME"]) {
            try g.addNode(Conv2D.self, inputs: [x, filter], attrs: ["strides": .ints([1, 1, 1, 1]), "padding": .string("FULL")])
        }
        assertThrows(["Conv2D", "attribute 'strides'", "[1, sy, sx, 1]"]) {
            try g.addNode(Conv2D.self, inputs: [x, filter], attrs: ["strides": .ints([1, 1]), "padding": .string("SAME")])
        }
        // T is restricted to the float kernels' types: int32 inputs are an error at build time.
        let (ia, ib) = try placeholders(g, .int32)
        assertThrows(["MatMul", "attribute 'T' is int32", "float32"]) { try g.matMul(ia, ib) }
        // A T that contradicts the inputs.
        assertThrows(["MatMul", "input 0 ('a') is float32 but T is float64"]) {
            try g.addNode(MatMul.self, inputs: [a, b], attrs: ["T": .type(.double)])
        }
        // Argument counts come from the declared inputs.
        assertThrows(["MatMul", "expected 2 inputs", "a: T, b: T", "got 1"]) { try g.addNode(MatMul.self, inputs: [a]) }
    }

    func testDefaultsAreStoredAndTypeAttributesInferred() throws {
        let g = Graph()
        let (a, b) = try placeholders(g, .double)
        let product = try g.matMul(a, b, transposeB: false)
        // Every attribute TF declares, with TF's defaults, in name order; T from the inputs.
        XCTAssertEqual(product.node.attrs.keys, ["T", "grad_a", "grad_b", "transpose_a", "transpose_b"])
        XCTAssertEqual(product.node.attrs["T"], .type(.double))
        XCTAssertEqual(product.node.attributes(MatMul.self).gradA, false)
        let x = try g.placeholder(.float, shape: [1, 6, 6, 2])
        let pooled = try g.maxPool(x, ksize: (2, 2), strides: (2, 2), padding: .valid)
        XCTAssertEqual(pooled.node.attrs["explicit_paddings"], .ints([]))
        XCTAssertEqual(pooled.node.attrs["data_format"], .string("NHWC"))
        // The schema lists TF's defaults (nil for required attributes).
        let definitions = Dictionary(uniqueKeysWithValues: Conv2D.attributeDefinitions.map { ($0.name, $0.defaultValue) })
        XCTAssertEqual(definitions["dilations"] ?? nil, .ints([1, 1, 1, 1]))
        XCTAssertEqual(definitions["use_cudnn_on_gpu"] ?? nil, .bool(true))
        XCTAssertNil(definitions["strides"] ?? nil)
        // List lengths are inferred too (AddN's N).
        let sum = try g.addN([a, a, a])
        XCTAssertEqual(sum.node.attrs["N"], .int(3))
    }

    /// An imported GraphDef goes through the same decoding: a NodeDef with a misspelt attribute is a
    /// typed error naming the node, and a round trip writes every default.
    func testImportValidatesAndExportWritesDefaults() throws {
        let g = Graph()
        let (a, b) = try placeholders(g)
        _ = try g.matMul(a, b, name: "product")
        let bytes = try g.graphDef()
        let imported = try Graph(graphDef: bytes)
        XCTAssertEqual(imported.node(named: "product")?.attrs, g.node(named: "product")?.attrs)

        let bad = Graph()
        let (c, d) = try placeholders(bad)
        _ = try bad.addNode(MatMul.self, name: "product", inputs: [c, d], attrs: ["_extra": .bool(true)])
        // Rename the internal attribute in the wire bytes to an unknown public one of the same length.
        var wire = try bad.graphDef()
        let from = Array("_extra".utf8), to = Array("xextra".utf8)
        let at = try XCTUnwrap((0...(wire.count - from.count)).first { Array(wire[$0..<($0 + from.count)]) == from })
        wire.replaceSubrange(at..<(at + from.count), with: to)
        assertThrows(["MatMul", "product", "unknown attribute 'xextra'"]) { try Graph(graphDef: wire) }
    }

    /// Plan-internal ops are built through the schema too (`Node.planInternal`), and their attributes validate.
    func testInternalFusedOpsValidateTheirAttributes() throws {
        let g = Graph()
        let specs = [TensorSpec(.float, [1, 4]), TensorSpec(.float, [4, 2]), TensorSpec(.float, [2])]
        let good = try Node.planInternal(FusedMatMul.self, name: "fused", attributes: FusedMatMul.Attrs(numArgs: 1, fusedOps: ["BiasAdd", "Relu6"]),
                                         inputs: specs, in: g, location: nil)
        XCTAssertEqual(good.outputs, [TensorSpec(.float, [1, 2])])
        XCTAssertEqual(good.attributes(FusedMatMul.self).epilogue.activation, .relu6)
        assertThrows(["_FusedMatMul", "fused", "fused_ops", "Gelu"]) {
            try Node.planInternal(FusedMatMul.self, name: "fused", attributes: FusedMatMul.Attrs(numArgs: 1, fusedOps: ["BiasAdd", "Gelu"]),
                                  inputs: specs, in: g, location: nil)
        }
    }
}
