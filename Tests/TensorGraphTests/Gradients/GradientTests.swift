import TestSupport
import XCTest
@testable import TensorGraph

final class GradientTests: XCTestCase {
    func testFanInIsSummedWithAddN() throws {
        let g = Graph()
        let x = try g.placeholder(.double, shape: [3])
        let y = try g.sum(x * x + g.exp(x))
        let dx = try XCTUnwrap(g.gradients(of: y, with: [x])[0])
        XCTAssert(g.nodes.contains { $0.opName == "AddN" && $0.name.hasPrefix("gradients/") })
        let input = Tensor([0.5, -1.0, 2.0])
        let value = try Session(graph: g).run(dx, feeding: [x: input])
        assertClose(value.doubleValues, [0.5, -1.0, 2.0].map { 2 * $0 + Foundation.exp($0) })
    }

    func testUnconnectedAndStopGradient() throws {
        let g = Graph()
        let x = try g.placeholder(.double, shape: [2]), z = try g.placeholder(.double, shape: [2])
        let y = try g.sum(x * g.stopGradient(x))
        let grads = try g.gradients(of: [y], with: [x, z])
        XCTAssertNil(grads[1])
        let zeros = try g.gradients(of: [y], with: [z], unconnected: .zero)
        let value = try Session(graph: g).run([grads[0]!, zeros[0]!], feeding: [x: Tensor([3.0, 4.0]), z: Tensor([1.0, 1.0])])
        XCTAssertEqual(value[0].scalars(as: Double.self), [3, 4], "only the unstopped factor contributes")
        XCTAssertEqual(value[1].scalars(as: Double.self), [0, 0])
    }

    func testMissingGradientIsAClearError() throws {
        let g = Graph()
        let x = try g.placeholder(.double, shape: [2, 3])
        // TensorFlow registers no gradient for SoftsignGrad.
        let y = try g.sum(g.softsignGrad(x, features: x))
        assertThrows(["[SoftsignGrad]", "no gradient"]) { try g.gradients(of: y, with: [x]) }
    }

    func testNonDifferentiablePathContributesNothing() throws {
        let g = Graph()
        let x = try g.placeholder(.double, shape: [2, 3])
        let y = try g.sum(g.cast(g.argMax(x, axis: 1), to: .double)) + g.sum(x)
        let dx = try XCTUnwrap(g.gradients(of: y, with: [x])[0])
        let value = try Session(graph: g).run(dx, feeding: [x: Tensor(shape: [2, 3], scalars: [1.0, 2, 3, 4, 5, 6])])
        XCTAssertEqual(value.scalars(as: Double.self), Array(repeating: 1, count: 6))
    }

    /// Broadcasting against an unknown batch dimension needs the runtime BroadcastGradientArgs path.
    func testUnbroadcastWithUnknownDimensions() throws {
        let g = Graph()
        let x = try g.placeholder(.double, shape: [nil, 3])
        let b = try g.placeholder(.double, shape: [nil, 1])
        let y = try g.sum(x * b)
        let grads = try g.gradients(of: y, with: [x, b])
        XCTAssert(g.nodes.contains { $0.opName == "BroadcastGradientArgs" })
        let xs = Tensor(shape: [2, 3], scalars: [1.0, 2, 3, 4, 5, 6]), bs = Tensor(shape: [2, 1], scalars: [10.0, 20])
        let value = try Session(graph: g).run(grads.map { $0! }, feeding: [x: xs, b: bs])
        XCTAssertEqual(value[0].scalars(as: Double.self), [10, 10, 10, 20, 20, 20])
        XCTAssertEqual(value[1].shape, [2, 1])
        XCTAssertEqual(value[1].scalars(as: Double.self), [6, 15])
    }

    func testMeanOverUnknownBatchScalesByRuntimeCount() throws {
        let g = Graph()
        let x = try g.placeholder(.double, shape: [nil, 2])
        let y = try g.mean(x)
        let dx = try XCTUnwrap(g.gradients(of: y, with: [x])[0])
        let value = try Session(graph: g).run(dx, feeding: [x: Tensor(shape: [4, 2], scalars: [Double](repeating: 1, count: 8))])
        XCTAssertEqual(value.scalars(as: Double.self), Array(repeating: 0.125, count: 8))
    }

    func testGradientOfAnMLPMatchesFiniteDifferences() throws {
        var random = TestRandom(seed: 11)
        let inputs = [random.tensor([4, 5]), random.tensor([5, 3]), random.tensor([3]), random.tensor([3, 2])]
        try GradientCheck.check("MLP", inputs, wrt: [0, 1, 2, 3]) { g, t in
            let hidden = try g.tanh(g.matMul(t[0], t[1]) + t[2])
            return try g.softmax(g.matMul(hidden, t[3]))
        }
        try GradientCheck.check("MLP second order", inputs, wrt: [1, 2], secondOrder: true) { g, t in
            try g.sigmoid(g.matMul(t[0], t[1]) + t[2])
        }
    }
}
