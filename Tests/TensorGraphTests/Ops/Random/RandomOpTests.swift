import TestSupport
import XCTest
@testable import TensorGraph

/// Random ops: seeded per graph (same values every session), advancing per run, right distribution.
final class RandomOpTests: XCTestCase {
    func testDistributionsAndDeterminism() throws {
        func sample() throws -> [[Float]] {
            let g = Graph()
            let u = try g.randomUniform([20_000], min: -2, max: 3)
            let n = try g.randomNormal([20_000], mean: 1, stddev: 2)
            let t = try g.truncatedNormal([20_000], stddev: 0.5)
            XCTAssertEqual(Set(g.nodes.map(\.opName)).isSuperset(of: ["RandomUniform", "RandomStandardNormal", "TruncatedNormal"]), true)
            return try Session(graph: g).run([u, n, t]).map { $0.scalars(as: Float.self) }
        }
        let first = try sample()
        XCTAssertEqual(first, try sample(), "same graph, same numbers")
        let (u, n, t) = (first[0], first[1], first[2])
        func mean(_ v: [Float]) -> Double { v.reduce(0.0) { $0 + Double($1) } / Double(v.count) }
        func std(_ v: [Float]) -> Double { let m = mean(v); return (v.reduce(0.0) { $0 + (Double($1) - m) * (Double($1) - m) } / Double(v.count)).squareRoot() }
        XCTAssert(u.allSatisfy { $0 >= -2 && $0 < 3 })
        XCTAssertEqual(mean(u), 0.5, accuracy: 0.05)
        XCTAssertEqual(mean(n), 1, accuracy: 0.05)
        XCTAssertEqual(std(n), 2, accuracy: 0.05)
        XCTAssert(t.allSatisfy { Swift.abs($0) <= 1.0 })
        XCTAssertEqual(std(t), 0.5 * 0.8796, accuracy: 0.02)
    }

    func testStreamAdvancesBetweenRuns() throws {
        let g = Graph()
        let u = try g.randomUniform([4])
        let s = Session(graph: g)
        XCTAssertNotEqual(try s.run(u).scalars(as: Float.self), try s.run(u).scalars(as: Float.self))
    }
}
