import XCTest
@testable import TensorGraph

/// The finite-difference check the control-flow and TensorList gradient tests share.
extension XCTestCase {
    /// d(loss)/d(each element of the feed `wrt`) by central differences (step 1e-6, float64), one element at a time.
    func finiteDifferences(_ session: Session, _ loss: Output, _ feeds: [Output: Tensor], wrt: Output) throws -> [Double] {
        let base = feeds[wrt]!.scalars(as: Double.self), shape = feeds[wrt]!.shape, h = 1e-6
        return try base.indices.map { i in
            var plus = base, minus = base
            plus[i] += h
            minus[i] -= h
            var f = feeds
            f[wrt] = Tensor(shape: shape, scalars: plus)
            let up = try session.run(loss, feeding: f).scalars(as: Double.self)[0]
            f[wrt] = Tensor(shape: shape, scalars: minus)
            let down = try session.run(loss, feeding: f).scalars(as: Double.self)[0]
            return (up - down) / (2 * h)
        }
    }

    /// Element-wise equality to 1e-6 × max(1, |expected|).
    func assertGradientsClose(_ a: [Double], _ b: [Double], _ message: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.count, b.count, message, file: file, line: line)
        for (x, y) in zip(a, b) { XCTAssertEqual(x, y, accuracy: 1e-6 * max(1, abs(y)), message, file: file, line: line) }
    }
}
