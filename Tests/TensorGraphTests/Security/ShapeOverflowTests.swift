import TestSupport
import XCTest
@testable import TensorGraph

/// Dimensions and strides at the edge of the integer types: typed errors or correct results, never a trap.
final class ShapeOverflowTests: XCTestCase {
    /// An int32 `Shape` of a tensor with a dimension past 2³¹ − 1 (an empty tensor, so nothing is allocated).
    func testInt32ShapeOfAHugeDimensionIsAnError() throws {
        let g = Graph()
        let x = try g.placeholder(.float, shape: [nil, nil], name: "x")
        let shape = try g.shape(of: x)
        let feed = Tensor(zeros: .float, shape: [0, 1 << 33])
        XCTAssertThrowsError(try Session(graph: g).run(shape, feeding: [x: feed])) { error in
            XCTAssert("\(error)".contains("does not fit out_type int32"), "\(error)")
        }
        // A static shape past int32 is not folded to a constant (that would trap); the op reports it at run time.
        let big = try g.placeholder(.float, shape: [0, 1 << 33], name: "big")
        XCTAssertThrowsError(try Session(graph: g).run(g.shape(of: big), feeding: [big: feed]))
    }

    /// A stride near `Int.max` takes one element instead of overflowing `(end − begin + stride − 1)`.
    func testStridedSliceWithAHugeStride() throws {
        let g = Graph()
        let x = try g.constant(Tensor((0..<10).map { Float($0) }))
        let y = try g.stridedSlice(x, begin: [2], end: [10], strides: [Int(Int32.max)])
        XCTAssertEqual(try Session(graph: g).run(y).scalars(as: Float.self), [2])
    }
}
