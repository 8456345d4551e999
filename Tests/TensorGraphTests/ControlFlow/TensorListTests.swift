import TestSupport
import XCTest
@testable import TensorGraph

/// TensorLists: the shared-buffer representation keeps value semantics (older handles never see later
/// writes, a write through an older handle does not disturb newer ones), and the list gradients (TF's
/// `list_ops.py` rules) match central finite differences in float64. List handles cannot be fed as
/// plain tensors, so these cases live here rather than in the op table.
final class TensorListTests: XCTestCase {
    func testWritesFillSlotsInPlaceAndOlderHandlesKeepTheirElements() {
        let one = Tensor([Float(1)]), two = Tensor([Float(2)]), three = Tensor([Float(3)])
        let empty = TensorListValue(elements: [nil, nil], elementDType: .float, elementShape: TensorShape([1]))
        let a = empty.setting(0, to: one)              // copies: a generation-0 buffer may be a shared constant
        let b = a.setting(3, to: two)                  // in place: appends (slot 2 unset)
        XCTAssertFalse(a.sharesBuffer(with: empty))
        XCTAssert(b.sharesBuffer(with: a))
        XCTAssert(b.setting(1, to: three).sharesBuffer(with: a), "filling an unset slot of the newest handle is in place too")
        XCTAssertNil(empty[0], "the reserved handle still sees an unset slot")
        XCTAssertEqual(a.count, 2)
        XCTAssertEqual(b.count, 4)
        XCTAssertEqual(b.elements.map { $0?.scalars(as: Float.self) }, [[1], nil, nil, [2]])
        let fromOld = a.setting(1, to: three)          // a is no longer the newest: copies
        XCTAssertFalse(fromOld.sharesBuffer(with: a))
        XCTAssertEqual(fromOld.elements.map { $0?.scalars(as: Float.self) }, [[1], [3]])
        XCTAssertNil(b[1], "a write through an older handle does not reach the newer one")
        let overwritten = b.setting(0, to: three)      // overwriting a set slot copies
        XCTAssertEqual(overwritten[0]?.scalars(as: Float.self), [3])
        XCTAssertEqual(b[0]?.scalars(as: Float.self), [1])
    }

    func testAccumulatingInALoopIsLinear() throws {
        // 10,000 writes of a [256] vector at the next index: O(1) each, or this would copy 5·10⁷ references.
        let g = Graph()
        let x = try g.placeholder(.float, shape: [256], name: "x")
        let start = try g.tensorListReserve(elementShape: g.tensorListShapeConstant(TensorShape([256])), count: g.constant(Int32(0)),
                                            elementDType: .float)
        let out = try g.whileLoop(cond: { b, v in try b.less(v[0], b.constant(Int32(10_000))) }, body: { b, v in
            [try b.add(v[0], b.constant(Int32(1))), try b.tensorListSetItem(v[1], index: v[0], item: x, resize: true)]
        }, loopVars: [g.constant(Int32(0)), start])
        let last = try g.tensorListGetItem(out[1], index: g.constant(Int32(9_999)), elementShape: g.tensorListShapeConstant(TensorShape([256])),
                                           elementDType: .float)
        let session = Session(graph: g)
        let values = try session.run([g.tensorListLength(out[1]), last], feeding: [x: Tensor(shape: [256], scalars: Array(repeating: Float(2), count: 256))])
        XCTAssertEqual(values[0].scalars(as: Int32.self), [10_000])
        XCTAssertEqual(values[1].scalars(as: Float.self), Array(repeating: 2, count: 256))
    }

    func testListGradientsMatchFiniteDifferences() throws {
        let g = Graph()
        let x = try g.placeholder(.double, shape: [3, 2], name: "x"), y = try g.placeholder(.double, shape: [2], name: "y")
        let rowShape = try g.tensorListShapeConstant(TensorShape([2]))
        let list = try g.tensorListFromTensor(x, elementShape: rowShape)
        // Stack(SetItem(FromTensor(x), 1, y)) · c, plus a GetItem of another list built from x.
        let replaced = try g.tensorListSetItem(list, index: g.constant(Int32(1)), item: g.tanh(y))
        let stacked = try g.tensorListStack(replaced, elementShape: rowShape, elementDType: .double, count: 3)
        let weights = try g.constant(Tensor(shape: [3, 2], scalars: [1.0, -2, 3, 0.5, -1, 4]))
        let other = try g.tensorListFromTensor(g.mul(x, x), elementShape: rowShape)
        let item = try g.tensorListGetItem(other, index: g.constant(Int32(2)), elementShape: rowShape, elementDType: .double)
        let loss = try g.add(g.sum(g.mul(g.sin(stacked), weights)), g.sum(g.mul(item, g.constant(Tensor([0.7, -1.3])))))
        let grads = try g.gradients(of: loss, with: [x, y])
        let session = Session(graph: g)
        let feeds: [Output: Tensor] = [x: Tensor(shape: [3, 2], scalars: [0.3, -0.2, 1.1, 0.8, -0.6, 0.4]), y: Tensor([0.5, -0.9])]
        let values = try session.run([grads[0]!, grads[1]!], feeding: feeds)
        let dx = try finiteDifferences(session, loss, feeds, wrt: x)
        assertGradientsClose(values[0].scalars(as: Double.self), dx, "d/dx")
        XCTAssertEqual(dx[2], 0, accuracy: 1e-9, "row 1 was replaced: no gradient reaches x there")
        assertGradientsClose(values[1].scalars(as: Double.self), try finiteDifferences(session, loss, feeds, wrt: y), "d/dy")
    }

    func testGetItemOfAReservedListGradient() throws {
        // Reserve → SetItem(i, f(x)) → GetItem(i): the gradient flows through the reserved list's slot.
        let g = Graph()
        let x = try g.placeholder(.double, shape: [2], name: "x")
        let rowShape = try g.tensorListShapeConstant(TensorShape([2]))
        let reserved = try g.tensorListReserve(elementShape: rowShape, count: g.constant(Int32(3)), elementDType: .double)
        let set = try g.tensorListSetItem(reserved, index: g.constant(Int32(2)), item: g.exp(x))
        let read = try g.tensorListGetItem(set, index: g.constant(Int32(2)), elementShape: rowShape, elementDType: .double)
        let unset = try g.tensorListGetItem(set, index: g.constant(Int32(0)), elementShape: rowShape, elementDType: .double)
        let loss = try g.sum(g.mul(read, g.constant(Tensor([2.0, -3.0]))))
        let grad = try g.gradients(of: loss, with: [x])[0]!
        let session = Session(graph: g)
        let feeds: [Output: Tensor] = [x: Tensor([0.2, -0.4])]
        assertGradientsClose(try session.run(grad, feeding: feeds).scalars(as: Double.self), try finiteDifferences(session, loss, feeds, wrt: x), "d/dx")
        XCTAssertEqual(try session.run(unset, feeding: feeds).scalars(as: Double.self), [0, 0], "an unset slot reads as zeros")
        let resized = try g.tensorListSetItem(reserved, index: g.constant(Int32(5)), item: x, resize: true)
        let stacked = try g.tensorListStack(resized, elementShape: rowShape, elementDType: .double)
        XCTAssertThrowsError(try g.gradients(of: g.sum(stacked), with: [x])) { XCTAssert("\($0)".contains("TensorListResize"), "\($0)") }
    }

    func testHandleAnalysisFindsTheLoopGradientsListsForExport() throws {
        let g = Graph()
        let x = try g.placeholder(.double, shape: [3], name: "x")
        let out = try g.whileLoop(cond: { b, v in try b.less(v[0], b.constant(Int32(4))) }, body: { b, v in
            [try b.add(v[0], b.constant(Int32(1))), try b.tanh(v[1])]
        }, loopVars: [g.constant(Int32(0)), x])
        _ = try g.gradients(of: g.sum(out[1]), with: [x])
        let analysis = ListHandleAnalysis(g)
        let accumulate = try XCTUnwrap(g.nodes.first { $0.name.hasSuffix("while_accumulate") })
        // Inputs: counter, the counter loop variable, v, then one list (Tanh's output is saved).
        XCTAssertEqual(accumulate.outputs.indices.filter { analysis.isHandle(g, Endpoint(node: accumulate.id, index: $0)) }, [3])
        let body = accumulate.attributes(StatelessWhile.self).body.name
        XCTAssertEqual(analysis.functionArguments[body], [3])
        XCTAssertEqual(analysis.functionResults[body], [3])
        let backward = try XCTUnwrap(g.nodes.first { $0.name.hasSuffix("while_grad") })
        let handleInputs = backward.inputs.indices.filter { analysis.isHandle(g, backward.inputs[$0]) }
        XCTAssertEqual(handleInputs.count, 1, "the backward loop captures the list")
        XCTAssertEqual(analysis.functionArguments[backward.attributes(StatelessWhile.self).body.name], Set(handleInputs))
        XCTAssertFalse(analysis.isHandle(g, out[1].endpoint))
        XCTAssertEqual(analysis.variantAttributes(of: accumulate, in: g), ["T": [3]])
        XCTAssertEqual(analysis.variantAttributes(of: backward, in: g), ["T": handleInputs])
        let bodyGraph = try XCTUnwrap(g.library.function(named: body)).graph
        let identities = bodyGraph.nodes.filter { !analysis.variantAttributes(of: $0, in: bodyGraph).isEmpty }
        XCTAssertEqual(identities.map(\.opName), ["Identity"], "the body returns the list through its output Identity")
    }

    /// TF1 TensorArray edge cases, as TensorFlow 2.21 behaves: an unwritten element reads as zeros when
    /// the element shape is fully known and fails otherwise; writing an index twice fails.
    func testTensorArrayUnwrittenReadsAndDoubleWrites() throws {
        let g = Graph()
        func array(_ shape: TensorShape) throws -> (handle: Output, flow: Output) {
            let node = try g.addNode(TensorArrayV3.self, inputs: [g.constant(Int32(3))], attrs: ["dtype": .type(.float), "element_shape": .shape(shape)])
            return (Output(graph: g, node: node, index: 0), Output(graph: g, node: node, index: 1))
        }
        func read(_ a: (handle: Output, flow: Output), _ flow: Output? = nil) throws -> Output {
            Output(graph: g, node: try g.addNode(TensorArrayReadV3.self, inputs: [a.handle, g.constant(Int32(1)), flow ?? a.flow],
                                                 attrs: ["dtype": .type(.float)]), index: 0)
        }
        func write(_ a: (handle: Output, flow: Output), _ flow: Output, _ value: [Float]) throws -> Output {
            Output(graph: g, node: try g.addNode(TensorArrayWriteV3.self, inputs: [a.handle, g.constant(Int32(1)), g.constant(Tensor(value)), flow]), index: 0)
        }
        let known = try array(TensorShape([2])), unknown = try array(.unknown)
        let session = Session(graph: g)
        XCTAssertEqual(try session.run(read(known)).scalars(as: Float.self), [0, 0])
        XCTAssertThrowsError(try session.run(read(unknown))) { XCTAssert("\($0)".contains("has not been written"), "\($0)") }
        let once = try write(known, known.flow, [1, 2])
        XCTAssertEqual(try session.run(read(known, once)).scalars(as: Float.self), [1, 2])
        XCTAssertEqual(try session.run(read(known)).scalars(as: Float.self), [0, 0], "the flow before the write still reads zeros")
        XCTAssertThrowsError(try session.run(write(known, once, [3, 4]))) { XCTAssert("\($0)".contains("already been written"), "\($0)") }
    }

    /// A list read twice gets two list gradients, which the driver's `AddN` cannot add yet: a typed
    /// run-time error, never wrong values.
    func testTwoGradientListsForOneListAreATypedError() throws {
        let g = Graph()
        let x = try g.placeholder(.double, shape: [2, 2], name: "x")
        let rowShape = try g.tensorListShapeConstant(TensorShape([2]))
        let list = try g.tensorListFromTensor(x, elementShape: rowShape)
        let first = try g.tensorListGetItem(list, index: g.constant(Int32(0)), elementShape: rowShape, elementDType: .double)
        let second = try g.tensorListGetItem(list, index: g.constant(Int32(1)), elementShape: rowShape, elementDType: .double)
        let grad = try XCTUnwrap(g.gradients(of: g.sum(g.mul(first, second)), with: [x])[0])
        XCTAssertThrowsError(try Session(graph: g).run(grad, feeding: [x: Tensor(shape: [2, 2], scalars: [1.0, 2, 3, 4])])) {
            XCTAssert("\($0)".contains("not a TensorList handle"), "\($0)")
        }
    }
}
