import TestSupport
import XCTest
@testable import TensorGraph

/// A grouped `Conv2D` (filter in-depth dividing the input depth) inside the plan's fusions: the
/// inference rewrites turn Conv2D → BiasAdd → Relu into `_FusedConv2D` and, with a 2×2 max pool after it,
/// into `_FusedConv2DMaxPool`; both run the convolution group by group and give the plain plan's numbers.
/// (The unfused grouped kernel and its gradient are checked against a reference loop and finite
/// differences in the op table, NNBreadthOpCases.swift.)
final class GroupedConvolutionTests: XCTestCase {
    func testFusedGroupedConvolutionMatchesThePlainPlan() throws {
        var random = TestRandom(seed: 83)
        // 8 channels in 4 groups of 2 → 12 filters (3 per group), as RegNet's X blocks shape them.
        let x = toFloat32(random.tensor([3, 6, 6, 8], -2, 2)), w = toFloat32(random.tensor([3, 3, 2, 12])), b = toFloat32(random.tensor([12]))
        for pooled in [false, true] {
            let g = Graph()
            let xp = try g.placeholder(.float, shape: [nil, 6, 6, 8])
            var y = try g.relu(g.biasAdd(g.conv2D(xp, filter: g.constant(w), padding: .same), g.constant(b)))
            if pooled { y = try g.maxPool(y, ksize: (2, 2), strides: (2, 2), padding: .valid) }
            let session = Session(graph: g)
            let fused = try session.run(y, feeding: [xp: x])
            let steps = try XCTUnwrap(session.lastPlan).steps.map(\.node.opName).filter { $0 != "Const" }
            XCTAssertEqual(steps, [pooled ? "_FusedConv2DMaxPool" : "_FusedConv2D"])
            session.rewriteRules = []
            let plain = try session.run(y, feeding: [xp: x])
            XCTAssertEqual(fused.shape, pooled ? [3, 3, 3, 12] : [3, 6, 6, 12])
            assertClose(fused.doubleValues, plain.doubleValues, absolute: 1e-5, relative: 1e-6, pooled ? "with pool" : "without pool")
        }
    }

    func testFiltersThatDoNotSplitIntoGroupsAreRejected() throws {
        let g = Graph()
        // 6 channels: an in-depth of 4 does not divide them; in-depth 2 gives 3 groups, which do not divide 4 filters.
        for filter in [[3, 3, 4, 6], [3, 3, 2, 4]] {
            XCTAssertThrowsError(try g.conv2D(g.placeholder(.float, shape: [1, 5, 5, 6]), filter: g.placeholder(.float, shape: TensorShape(filter)),
                                              padding: .same), "\(filter)") { error in
                XCTAssertTrue("\(error)".contains("Conv2D"), "\(error)")
            }
        }
    }
}
