import TestSupport
import XCTest
@testable import TensorGraph

/// Build-time constant folding: pure nodes whose inputs are known are computed with their real kernels
/// while building, so shape inference downstream sees values; plans take them as constants.
final class ConstantFoldingTests: XCTestCase {
    /// Keras's frozen Flatten: Shape → StridedSlice → Pack → Reshape gives a fully static shape once
    /// the input's shape is static, and a partly static one when the batch is unknown.
    func testKerasFlattenChainGetsAStaticShape() throws {
        for batch in [4, nil] as [Int?] {
            let g = Graph()
            let x = try g.placeholder(.float, shape: TensorShape([batch, 3, 5, 2]))
            let n = try g.stridedSlice(g.shape(of: x), begin: [0], end: [1], strides: [1], shrinkAxisMask: 1)
            let target = try g.stack([n, g.constant(Tensor(Int32(-1)))])
            let flat = try g.reshape(x, to: target)
            if let batch {
                XCTAssertEqual(g.constantValue(of: target.endpoint).flatMap(integerValues), [batch, -1])
                XCTAssertEqual(flat.shape, TensorShape([batch, 30]))
            } else {
                XCTAssertNil(g.constantValue(of: target.endpoint), "an unknown batch cannot fold")
                XCTAssertEqual(flat.shape.rank, 2)
            }
            // Either way the graph runs and gives [batch, 30].
            let value = try Session(graph: g).run(flat, feeding: [x: Tensor(zeros: .float, shape: [4, 3, 5, 2])])
            XCTAssertEqual(value.shape, [4, 30])
        }
    }

    /// Folded nodes leave the plan (their readers take the values as constants); fed or stateful ops never fold.
    func testPlansUseFoldedValuesAndNeverFoldFedOrStatefulOps() throws {
        let g = Graph()
        let a = try g.constant(Tensor([Float(1), 2, 3]))
        let sum = try a + g.constant(Tensor([Float(10), 20, 30]))
        XCTAssertEqual(g.constantValue(of: sum.endpoint)?.scalars(as: Float.self), [11, 22, 33])
        let fed = try g.placeholder(default: a, shape: [3])
        let doubled = try fed * g.constant(Tensor([Float(2), 2, 2]))
        XCTAssertNil(g.constantValue(of: fed.endpoint), "a PlaceholderWithDefault may be fed")
        XCTAssertNil(g.constantValue(of: doubled.endpoint))
        let noise = try g.randomUniform([3], seed: 1)
        XCTAssertNil(g.constantValue(of: noise.endpoint), "random ops are stateful")

        let session = Session(graph: g)
        XCTAssertEqual(try session.run(sum).scalars(as: Float.self), [11, 22, 33])
        XCTAssertEqual(try XCTUnwrap(session.lastPlan).steps.count, 0, "a folded fetch needs no step")
        XCTAssertEqual(try session.run(doubled, feeding: [fed: Tensor([Float(5), 6, 7])]).scalars(as: Float.self), [10, 12, 14])
        XCTAssertEqual(try XCTUnwrap(session.lastPlan).steps.map(\.node.opName), ["Mul"])
        let first = try session.run(noise), second = try session.run(noise)
        XCTAssertNotEqual(first, second, "a random op draws anew each run")
    }

    /// Folding never computes a large output: a Fill of huge constant dimensions builds instantly and
    /// allocates nothing until it runs.
    func testLargeOutputsAreNotFolded() throws {
        let g = Graph()
        let huge = try g.fill(dims: g.constant(Tensor([Int32(1 << 30)])), value: g.constant(Float(1)))
        XCTAssertEqual(huge.shape, [1 << 30])
        XCTAssertNil(g.constantValue(of: huge.endpoint))
        let small = try g.fill(dims: g.constant(Tensor([Int32(3)])), value: g.constant(Float(2)))
        XCTAssertEqual(g.constantValue(of: small.endpoint)?.scalars(as: Float.self), [2, 2, 2])
    }

    /// A kernel error during folding is not raised while building: the graph fails where it runs.
    func testKernelErrorsSurfaceAtRunTime() throws {
        let g = Graph()
        // Shape inference cannot see an index out of range; the kernel can.
        let bad = try g.gather(g.constant(Tensor([Float(1), 2, 3])), indices: g.constant(Tensor([Int32(5)])))
        XCTAssertNil(g.constantValue(of: bad.endpoint))
        assertThrows(["GatherV2", "5"]) { try Session(graph: g).run(bad) }
    }
}
