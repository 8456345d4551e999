import Foundation
import TestSupport
import XCTest
@testable import TensorGraph

/// Regression tests for the crashes a fuzzing user found (issue 15): each hostile input is fed to the
/// library and must end in a typed `TensorGraphError` (or a correct result), never a trap.
final class HostileInputTests: XCTestCase {
    /// Asserts `body` throws a `TensorGraphError` whose description contains `fragment`.
    func assertRejected(_ fragment: String, file: StaticString = #filePath, line: UInt = #line, _ body: () throws -> Void) {
        do {
            try body()
            XCTFail("accepted; expected an error containing '\(fragment)'", file: file, line: line)
        } catch let error as TensorGraphError {
            XCTAssert(error.description.contains(fragment), "\(error.description) lacks '\(fragment)'", file: file, line: line)
        } catch {
            XCTFail("untyped error \(error)", file: file, line: line)
        }
    }

    /// 1. `'shape': ), (`: the closing parenthesis before the opening one made an inverted range.
    func testNPYShapeWithClosingParenthesisFirst() {
        var header = "{'descr': '<f4', 'fortran_order': False, 'shape': ), (, }"
        header += String(repeating: " ", count: (64 - (10 + header.utf8.count + 1) % 64) % 64) + "\n"
        let bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(header.utf8.count), 0] + Array(header.utf8)
        assertRejected("'shape' has no closing parenthesis") { _ = try NPY.decode(bytes) }
    }

    /// 2. A negative `DataType` (ten-byte varint) in a Const's TensorProto, its `dtype` attribute, and a `list(type)`.
    func testNegativeDataTypeIsAnError() {
        let tensorDType = HostileNode(name: "c", op: "Const", attrs: [("dtype", HostileNode.type(WireType.float)),
                                                                      ("value", HostileNode.tensor(dtype: -5, dims: [1], floats: [1]))])
        assertRejected("unsupported DataType -5") { _ = try Graph(graphDef: hostileGraphDef([tensorDType])) }
        let attrDType = HostileNode(name: "c", op: "Const", attrs: [("dtype", HostileNode.type(-5)),
                                                                    ("value", HostileNode.tensor(dtype: WireType.float, dims: [1], floats: [1]))])
        assertRejected("attribute 'dtype' of node 'c': unsupported DataType -5") { _ = try Graph(graphDef: hostileGraphDef([attrDType])) }
        var listDType = HostileNode.const("c", dims: [1], floats: [1])
        listDType.attrs.append(("extra", { m in m.message(1) { $0.packed(6, [-3]) } }))
        assertRejected("unsupported DataType -3") { _ = try Graph(graphDef: hostileGraphDef([listDType])) }
        // Reference types (TF's DT_FLOAT_REF = 101) still map to their value type.
        XCTAssertEqual(try ProtoConversion.dtype(101, context: "test"), .float)
    }

    /// 3. A dimension past Int32.max in a shape Shape folds to int32: not folded (int64 still is).
    func testShapeOfDimensionPastInt32() throws {
        let nodes = [HostileNode.placeholder("x", dims: [0, 1 << 33]),
                     HostileNode.unary("s", "Shape", "x"),
                     HostileNode(name: "s64", op: "Shape", inputs: ["x"], attrs: [("T", HostileNode.type(WireType.float)), ("out_type", HostileNode.type(WireType.int64))])]
        let g = try Graph(graphDef: hostileGraphDef(nodes))
        XCTAssertNil(g.constantValue(of: try XCTUnwrap(g.output(named: "s")).endpoint))
        XCTAssertEqual(g.constantValue(of: try XCTUnwrap(g.output(named: "s64")).endpoint)?.scalars(as: Int64.self), [0, 1 << 33])
    }

    /// 4. A NodeDef input `c:-1` (and an index past the outputs) is an import error, not an index trap.
    func testNegativeInputIndexIsAnError() {
        for input in ["c:-1", "c:1", "c:-9223372036854775808"] {
            let nodes = [HostileNode.const("c", dims: [1], floats: [1]), HostileNode.unary("i", "Identity", input)]
            assertRejected("reads output") { _ = try Graph(graphDef: hostileGraphDef(nodes)) }
        }
    }

    /// 4b. `addNode` itself checks endpoints, whatever builds them.
    func testAddNodeChecksEndpoints() throws {
        let g = Graph()
        let c = try g.constant(Tensor([Float(1)]))
        assertRejected("reads output -1") {
            _ = try g.addNode(Identity.self, exactName: "i", inputs: [Endpoint(node: c.node.id, index: -1)], attrs: [:], controlInputs: [], location: nil)
        }
        assertRejected("node 99") {
            _ = try g.addNode(Identity.self, exactName: "j", inputs: [Endpoint(node: 99, index: 0)], attrs: [:], controlInputs: [], location: nil)
        }
        assertRejected("control input 7") {
            _ = try g.addNode(NoOp.self, exactName: "k", inputs: [], attrs: [:], controlInputs: [7], location: nil)
        }
    }

    /// 5. `output(named:)` takes decimal indices in range only.
    func testOutputNamedRejectsNegativeIndices() throws {
        let g = Graph()
        _ = try g.softmax(g.placeholder(.float, shape: [nil, 3], name: "x"), name: "probs")
        XCTAssertNotNil(g.output(named: "probs:0"))
        for name in ["probs:-1", "probs:+0", "probs:1", "probs:-9223372036854775808", "x:-1"] { XCTAssertNil(g.output(named: name), name) }
    }

    /// 6. Conv2D strides near Int.max: rejected at import as TensorFlow does ("out of range for an int32");
    /// the largest int32 stride no longer overflows the output size rule, and running it is a kernel error.
    func testConv2DStrideNearIntMax() throws {
        func conv(_ stride: Int64) -> [UInt8] {
            hostileGraphDef([.placeholder("x", dims: [1, 8, 8, 1]), .const("w", dims: [3, 3, 1, 1], floats: [1]),
                             HostileNode(name: "y", op: "Conv2D", inputs: ["x", "w"],
                                         attrs: [("T", HostileNode.type(WireType.float)), ("strides", HostileNode.ints([1, stride, stride, 1])),
                                                 ("padding", HostileNode.string("SAME"))])])
        }
        assertRejected("out of range for an int32") { _ = try Graph(graphDef: conv(Int64.max)) }
        let g = try Graph(graphDef: conv(Int64(Int32.max)))
        let y = try XCTUnwrap(g.output(named: "y"))
        XCTAssertEqual(y.shape, TensorShape([1, 1, 1, 1]), "ceil(8 / (2^31 - 1)) = 1")
        XCTAssertEqual(WindowAttributes(strides: (Int.max, Int.max), padding: .same, kernel: nil).outputSize(8, kernel: 3, stride: Int.max), 1)
        let x = try XCTUnwrap(g.output(named: "x"))
        do {
            let out = try Session(graph: g).run(y, feeding: [x: Tensor(shape: [1, 8, 8, 1], scalars: [Float](repeating: 1, count: 64))])
            XCTAssertEqual(out.shape, [1, 1, 1, 1])
        } catch is TensorGraphError {}
    }

    /// 7. A 30,000-node chain listed outputs-first: the importer is iterative; pruning and planning too.
    func testDeepChainImportsAndRuns() throws {
        let depth = 30_000
        var nodes = [HostileNode.placeholder("x", dims: [1])]
        for i in 0..<depth { nodes.append(.unary("n\(i)", "Identity", i == 0 ? "x" : "n\(i - 1)")) }
        let g = try Graph(graphDef: hostileGraphDef(nodes.reversed()))
        XCTAssertEqual(g.nodes.count, depth + 1)
        let out = try Session(graph: g).run(try XCTUnwrap(g.output(named: "n\(depth - 1)")), feeding: [try XCTUnwrap(g.output(named: "x")): Tensor([Float(3)])])
        XCTAssertEqual(out.scalars(as: Float.self), [3])
        // A cycle in a long chain is still found.
        var cyclic = nodes
        cyclic[0] = .unary("x", "Identity", "n\(depth - 1)")
        assertRejected("cycle") { _ = try Graph(graphDef: hostileGraphDef(cyclic)) }
    }

    /// 7b. Gradients through a deep chain are computed without recursion over depth.
    func testGradientOfDeepChain() throws {
        let g = Graph()
        let x = try g.placeholder(.float, shape: [1], name: "x")
        var y = x
        for _ in 0..<30_000 { y = try g.identity(y) }
        let dx = try XCTUnwrap(try g.gradients(of: g.sum(y), with: [x])[0])
        XCTAssertEqual(try Session(graph: g).run(dx, feeding: [x: Tensor([Float(2)])]).scalars(as: Float.self), [1])
    }
}
