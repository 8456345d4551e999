import XCTest
@testable import TensorGraph

/// TensorFlow's Relu passes NaN through (Eigen's `max(x, 0)` keeps the NaN operand); so must ours, fused or not.
final class ReluNaNTests: XCTestCase {
    func testReluKeepsNaNWithAndWithoutFusion() throws {
        let g = Graph()
        let x = try g.placeholder(.float, shape: [1, 3], name: "x")
        let plain = try g.relu(x)
        let w = try g.constant(Tensor(shape: [3, 3], scalars: [Float(1), 0, 0, 0, 1, 0, 0, 0, 1]))
        // x·I + [NaN, 0, 0]: the NaN reaches only the first column, through the fused MatMul+BiasAdd+Relu.
        let fused = try g.relu(g.biasAdd(g.matMul(x, w), g.constant(Tensor([Float.nan, 0, 0]))))
        for (output, input) in [(plain, [Float.nan, -1, 2]), (fused, [1, -1, 2])] {
            let y = try Session(graph: g).run(output, feeding: [x: Tensor(shape: [1, 3], scalars: input)]).scalars(as: Float.self)
            XCTAssert(y[0].isNaN, "\(output.name): \(y)")
            XCTAssertEqual(Array(y[1...]), [0, 2], "\(output.name)")
        }
    }
}

/// TensorFlow's Maximum and Minimum propagate NaN from either side (so `clipByValue` keeps a NaN).
final class MinMaxNaNTests: XCTestCase {
    func testMaximumAndMinimumPropagateNaN() throws {
        let g = Graph()
        let a = try g.constant(Tensor([Float.nan, 1, 2])), b = try g.constant(Tensor([Float(6), .nan, 3]))
        let session = Session(graph: g)
        for output in [try g.maximum(a, b), try g.minimum(a, b), try g.minimum(b, a), try g.maximum(b, a)] {
            let y = try session.run(output).scalars(as: Float.self)
            XCTAssert(y[0].isNaN && y[1].isNaN, "\(output.name): \(y)")
        }
        XCTAssertEqual(try session.run(g.maximum(a, b)).scalars(as: Float.self)[2], 3)
        XCTAssertEqual(try session.run(g.minimum(a, b)).scalars(as: Float.self)[2], 2)
    }
}
