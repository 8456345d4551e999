import TestSupport
import XCTest
@testable import TensorGraph

/// The convolution-pooling rule: an inference `Conv2D → BiasAdd → Relu → MaxPool(2×2/2 VALID)` runs as one
/// `_FusedConv2DMaxPool` step, chunk by chunk, and gives the plain plan's numbers and the reference loop's;
/// it does not fire when the activation is fetched, or in training (the pool's gradient needs the activation).
final class ConvolutionPoolingRewriteTests: XCTestCase {
    private let rule = "_FusedConv2D+MaxPool(2×2/2) → _FusedConv2DMaxPool"

    func testInferenceConvolutionAndPoolFuse() throws {
        var random = TestRandom(seed: 61)
        // Batches: one image (TensorGraph's own loops), an odd batch whose worker shares end in short chunks, and
        // enough images for several chunks per worker (about 20 images of 28×28×16 outputs make a chunk).
        for (batch, size, channels) in [(1, 12, 3), (7, 12, 16), (45, 28, 1)] {
            let label = "batch \(batch), \(size)×\(size)×\(channels)"
            let x = toFloat32(random.tensor([batch, size, size, channels], -2, 2)), w = toFloat32(random.tensor([5, 5, channels, 16]))
            let b = toFloat32(random.tensor([16]))
            let g = Graph()
            let xp = try g.placeholder(.float, shape: [nil, size, size, channels])
            let activation = try g.relu(g.biasAdd(g.conv2D(xp, filter: g.constant(w), padding: .same), g.constant(b)))
            let pooled = try g.maxPool(activation, ksize: (2, 2), strides: (2, 2), padding: .valid)
            let session = Session(graph: g)
            let fused = try session.run(pooled, feeding: [xp: x])
            let plan = try XCTUnwrap(session.lastPlan)
            XCTAssert(plan.rewrites.contains(rule), "\(label): \(plan.rewrites)")
            XCTAssertEqual(plan.steps.map(\.node.opName).filter { $0 != "Const" }, ["_FusedConv2DMaxPool"], label)
            session.rewriteRules = []
            let plain = try session.run(pooled, feeding: [xp: x])
            assertClose(fused.doubleValues, plain.doubleValues, absolute: 1e-5, relative: 1e-6, label + ": fused vs plain plan")
            // The oracle: the reference convolution, bias, relu and a 2×2 max.
            let g1 = try XCTUnwrap(WindowGeometry(input: x.shape, kernel: (5, 5), strides: (1, 1), padding: .same))
            let bias = b.doubleValues
            let conv = conv2dReference(x.doubleValues, w.doubleValues, g1, filters: 16).enumerated().map { max($1 + bias[$0 % 16], 0) }
            let half = size / 2
            var expected: [Double] = []
            for n in 0..<batch { for oy in 0..<half { for ox in 0..<half { for c in 0..<16 {
                func at(_ y: Int, _ x: Int) -> Double { conv[((n * size + y) * size + x) * 16 + c] }
                expected.append(max(at(2 * oy, 2 * ox), at(2 * oy, 2 * ox + 1), at(2 * oy + 1, 2 * ox), at(2 * oy + 1, 2 * ox + 1)))
            } } } }
            assertClose(fused.doubleValues, expected, absolute: 1e-4, relative: 1e-5, label + ": reference")
        }
    }

    func testFetchedActivationOrTrainingKeepsThePairApart() throws {
        let g = Graph()
        let xp = try g.placeholder(.float, shape: [nil, 8, 8, 2])
        let w = try g.variable(name: "w", shape: [3, 3, 2, 16])
        let activation = try g.relu(g.biasAdd(g.conv2D(xp, filter: w, padding: .same), g.constant(Tensor(shape: [16], scalars: [Float](repeating: 0.1, count: 16)))))
        let pooled = try g.maxPool(activation, ksize: (2, 2), strides: (2, 2), padding: .valid)
        let loss = try g.sum(pooled)
        let train = try GradientDescentOptimizer(learningRate: 0.1).minimize(loss)
        let session = Session(graph: g)
        try session.run(g.globalVariablesInitializer())
        let x = Tensor(shape: [4, 8, 8, 2], scalars: (0..<512).map { Float($0 % 7) - 3 })
        _ = try session.run([pooled, activation], feeding: [xp: x])
        XCTAssertFalse(try XCTUnwrap(session.lastPlan).rewrites.contains(rule), "the activation is fetched")
        _ = try session.run(loss, target: train, feeding: [xp: x])
        XCTAssertFalse(try XCTUnwrap(session.lastPlan).rewrites.contains(rule), "training: the pool's gradient reads the activation")
    }

    /// The chunked step reorders the filter into oneDNN's layout once per run and worker, and not at all when
    /// the same constant comes back: a filter fed anew each run must still be the one used.
    func testFedFilterChangesBetweenRuns() throws {
        var random = TestRandom(seed: 62)
        let g = Graph()
        let xp = try g.placeholder(.float, shape: [nil, 12, 12, 4]), wp = try g.placeholder(.float, shape: [3, 3, 4, 8])
        let pooled = try g.maxPool(g.relu(g.biasAdd(g.conv2D(xp, filter: wp, padding: .same), g.constant(Tensor(shape: [8], scalars: [Float](repeating: 0.1, count: 8))))),
                                   ksize: (2, 2), strides: (2, 2), padding: .valid)
        let session = Session(graph: g), plain = Session(graph: g)
        plain.rewriteRules = []
        let x = toFloat32(random.tensor([9, 12, 12, 4], -2, 2))
        for run in 0..<3 {
            let w = toFloat32(random.tensor([3, 3, 4, 8]))
            let fused = try session.run(pooled, feeding: [xp: x, wp: w])
            XCTAssert(try XCTUnwrap(session.lastPlan).steps.contains { $0.node.opName == "_FusedConv2DMaxPool" })
            assertClose(fused.doubleValues, try plain.run(pooled, feeding: [xp: x, wp: w]).doubleValues, absolute: 1e-5, relative: 1e-5, "run \(run)")
        }
    }
}
