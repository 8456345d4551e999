import TestSupport
import XCTest
@testable import TensorGraph

/// The training convolution-pooling rule: `Conv2D → BiasAdd → Relu → MaxPool(2×2/2 VALID)` differentiated
/// runs its forward pass as one `_FusedConv2DMaxPoolWithArgmax` step (no full-resolution activation) and
/// its backward pass as `_FusedMaxPoolGrad` from the pooled values; the loss and every gradient equal the
/// unfused plan's. It does not fire when the activation is fetched.
final class TrainingConvolutionPoolingTests: XCTestCase {
    private let rule = "_FusedConv2D+MaxPoolWithArgmax(2×2/2) → _FusedConv2DMaxPoolWithArgmax"

    private struct Model {
        let graph = Graph()
        let x: Output, w: Output, b: Output, activation: Output, loss: Output, gradients: [Output]
        init(size: Int, channels: Int, filters: Int, weights: Tensor, bias: Tensor) throws {
            x = try graph.placeholder(.float, shape: [nil, size, size, channels])
            w = try graph.constant(weights)
            b = try graph.constant(bias)
            activation = try graph.relu(graph.biasAdd(graph.conv2D(x, filter: w, padding: .same), b))
            let pooled = try graph.maxPool(activation, ksize: (2, 2), strides: (2, 2), padding: .valid)
            // A loss whose gradient differs per pooled position (a plain sum would hide a misrouted gradient).
            let position = try graph.constant(Tensor(shape: [size / 2, size / 2, filters],
                                                     scalars: (0..<((size / 2) * (size / 2) * filters)).map { Float($0 % 11) / 5 - 1 }))
            loss = try graph.sum(graph.mul(graph.square(pooled), position))
            gradients = try graph.gradients(of: loss, with: [x, w, b]).map { try XCTUnwrap($0) }
        }
    }

    func testFusedTrainingStepMatchesThePlainPlan() throws {
        var random = TestRandom(seed: 83)
        // One image (TensorGraph's own loops), an odd batch with short last chunks, several chunks per worker
        // (28×28×16 outputs: about 20 images a chunk), and an odd activation size (the pool skips the last row).
        for (batch, size, channels) in [(1, 8, 3), (7, 12, 16), (45, 28, 1), (5, 9, 4)] {
            let label = "batch \(batch), \(size)×\(size)×\(channels)"
            let model = try Model(size: size, channels: channels, filters: 16,
                                  weights: toFloat32(random.tensor([5, 5, channels, 16])), bias: toFloat32(random.tensor([16], -0.5, 0.5)))
            let x = toFloat32(random.tensor([batch, size, size, channels], -2, 2))
            let session = Session(graph: model.graph)
            let fused = try session.run([model.loss] + model.gradients, feeding: [model.x: x])
            let plan = try XCTUnwrap(session.lastPlan)
            XCTAssert(plan.rewrites.contains(rule), "\(label): \(plan.rewrites)")
            let ops = plan.steps.map(\.node.opName)
            XCTAssert(ops.contains("_FusedConv2DMaxPoolWithArgmax") && !ops.contains("MaxPoolWithArgmax") && !ops.contains("_FusedConv2D"),
                      "\(label): \(ops)")
            session.rewriteRules = []
            let plain = try session.run([model.loss] + model.gradients, feeding: [model.x: x])
            // Sums over up to 45·14·14 pooled positions in another order: float32 rounding, relative 1e-4.
            for (i, name) in ["loss", "dx", "dw", "db"].enumerated() {
                assertClose(fused[i].doubleValues, plain[i].doubleValues, absolute: 1e-4, relative: 1e-4, "\(label): \(name)")
            }
            XCTAssertGreaterThan(plain[1].doubleValues.map(abs).max() ?? 0, 0, "\(label): the gradient reaches the input")
        }
    }

    func testFetchedActivationKeepsThePairApart() throws {
        var random = TestRandom(seed: 84)
        let model = try Model(size: 8, channels: 2, filters: 16, weights: toFloat32(random.tensor([5, 5, 2, 16])),
                              bias: toFloat32(random.tensor([16])))
        let session = Session(graph: model.graph)
        let x = toFloat32(random.tensor([4, 8, 8, 2]))
        _ = try session.run([model.loss, model.activation] + model.gradients, feeding: [model.x: x])
        XCTAssertFalse(try XCTUnwrap(session.lastPlan).rewrites.contains(rule), "the activation is fetched")
        _ = try session.run([model.loss] + model.gradients, feeding: [model.x: x])
        XCTAssert(try XCTUnwrap(session.lastPlan).rewrites.contains(rule), "the same step without the fetch fuses")
    }
}
