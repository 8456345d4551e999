import TestSupport
import XCTest
@testable import TensorGraph

/// The float32, multiplier-1 depthwise forward loop (8-channel register blocks, taps clipped once per
/// pixel) against the float64 reference loops: channel counts with and without a remainder past the
/// 8-channel blocks, strides 1 and 2, dilation, SAME and VALID padding, and windows hanging off every edge.
final class DepthwiseFloatKernelTests: XCTestCase {
    func testFloatForwardMatchesReference() throws {
        var random = TestRandom(seed: 41)
        for (channels, size, kernel, strides, dilations, padding) in [(16, 9, 3, (1, 1), (1, 1), Padding.same), (13, 10, 3, (2, 2), (1, 1), .same),
                                                                      (5, 7, 5, (1, 1), (1, 1), .same), (24, 11, 3, (1, 1), (2, 2), .valid),
                                                                      (9, 8, 3, (2, 1), (2, 2), .same), (8, 3, 5, (1, 1), (1, 1), .same)] {
            let label = "C=\(channels) \(size)x\(size) k\(kernel) s\(strides) d\(dilations) \(padding)"
            let x = toFloat32(random.tensor([3, size, size, channels])), w = toFloat32(random.tensor([kernel, kernel, channels, 1]))
            let g = Graph()
            let xp = try g.placeholder(.float, shape: TensorShape(x.shape)), wp = try g.placeholder(.float, shape: TensorShape(w.shape))
            let y = try g.depthwiseConv2D(xp, filter: wp, strides: strides, padding: padding, dilations: dilations)
            let value = try Session(graph: g).run([y], feeding: [xp: x, wp: w])[0]
            XCTAssertEqual(value.dtype, .float, label)
            let reference = refDepthwiseConv(x, w, strides: strides, dilations: dilations, padding: padding)
            XCTAssertEqual(value.shape, reference.shape, label)
            assertClose(value.doubleValues, reference.values, absolute: 1e-5, relative: 1e-5, label)
        }
    }
}
