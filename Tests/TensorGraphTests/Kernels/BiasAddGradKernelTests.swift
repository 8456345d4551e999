import XCTest
@testable import TensorGraph

/// `BiasAddGrad`'s multi-worker paths (the op table's small cases run on one thread): split by
/// columns for wide inputs, by rows into partials for narrow ones, against a plain loop in double.
final class BiasAddGradKernelTests: XCTestCase {
    func testLargeInputsMatchAPlainColumnSum() throws {
        for (rows, columns) in [(600, 300), (20_000, 10), (1_000, 131)] {
            let count = rows * columns
            let values = (0..<count).map { Double(($0 * 7919) % 1000) / 250 - 2 }
            var expected = [Double](repeating: 0, count: columns)
            for r in 0..<rows { for c in 0..<columns { expected[c] += values[r * columns + c] } }
            for dtype in [DType.float, .double] {
                let g = Graph()
                let x = try g.placeholder(dtype, shape: [nil, columns], name: "x")
                let sums = try g.biasAddGrad(x)
                let input = dtype == .double ? Tensor(shape: [rows, columns], scalars: values)
                                             : Tensor(shape: [rows, columns], scalars: values.map(Float.init))
                let out = try Session(graph: g).run(sums, feeding: [x: input])
                let got = dtype == .double ? out.scalars(as: Double.self) : out.scalars(as: Float.self).map(Double.init)
                XCTAssertEqual(got.count, columns)
                for (a, b) in zip(got, expected) { XCTAssertEqual(a, b, accuracy: (dtype == .double ? 1e-9 : 1e-3) * max(1, abs(b)), "\(rows)x\(columns) \(dtype)") }
            }
        }
    }
}
