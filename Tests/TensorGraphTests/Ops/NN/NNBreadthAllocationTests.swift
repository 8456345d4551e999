import MallocCounter
import TestSupport
import XCTest
@testable import TensorGraph

#if DEBUG
private let isOptimizedBuild = false
#else
private let isOptimizedBuild = true
#endif

/// A steady-state training step through the NN ops of NNOpList.swift (depthwise convolution, fused batch
/// norm and its gradient, both resizes and their gradients, L2Loss) allocates nothing on the heap with
/// TensorGraph's own kernels (a bounded few with oneDNN's MatMul), as AllocationTests asserts, and trains. Allocations are counted on optimized code only (`Tools/test.sh` runs
/// the classes matching "AllocationTests" in its release build); a debug run checks only that the loss falls.
final class NNBreadthAllocationTests: XCTestCase {
    func testSteadyStateStepsThroughTheNNOpsAllocateNothing() throws {
        var random = TestRandom(seed: 9)
        let g = Graph()
        let x = try g.placeholder(.float, shape: [nil, 12, 12, 3]), labels = try g.placeholder(.int32, shape: [nil])
        let filter = try g.variable(g.constant(toFloat32(random.tensor([3, 3, 3, 2], -0.5, 0.5))), name: "depthwise")
        let scale = try g.variable(g.constant(Tensor([Float](repeating: 1, count: 6))), name: "gamma")
        let offset = try g.variable(g.constant(Tensor([Float](repeating: 0, count: 6))), name: "beta")
        let weights = try g.variable(g.constant(toFloat32(random.tensor([6, 4], -0.5, 0.5))), name: "dense")
        var h = try g.depthwiseConv2D(x, filter: filter, strides: (2, 2), padding: .same)
        h = try g.relu(g.fusedBatchNorm(h, scale: scale, offset: offset).y)
        h = try g.resizeNearestNeighbor(g.resizeBilinear(h, size: (9, 9), halfPixelCenters: true), size: (4, 5))
        let logits = try g.matMul(g.globalAveragePool(h), weights)
        let loss = try g.mean(g.sparseSoftmaxCrossEntropyWithLogits(labels: labels, logits: logits)) + 0.01 * g.l2Loss(weights)
        let train = try GradientDescentOptimizer(learningRate: 0.1).minimize(loss)
        let session = Session(graph: g)
        try session.run(g.globalVariablesInitializer())
        let feeds = [x: toFloat32(random.tensor([8, 12, 12, 3])), labels: Tensor((0..<8).map { Int32($0 % 4) })]
        let first = try session.run(loss, target: train, feeding: feeds).scalar(as: Float.self)
        for _ in 0..<(isOptimizedBuild ? 300 : 30) { _ = try session.run(loss, target: train, feeding: feeds) }
        if isOptimizedBuild {
            // Zero with TensorGraph's own kernels; the one MatMul's oneDNN sgemm allocates about 2 blocks a step.
            try assertSteadyStateAllocations(steps: 20, oneDNNBoundPerStep: 5, "steps through the NN ops") {
                let before = tg_malloc_count()
                for _ in 0..<20 { _ = try session.run(loss, target: train, feeding: feeds) }
                return tg_malloc_count() - before
            }
        }
        XCTAssertLessThan(try session.run(loss, target: train, feeding: feeds).scalar(as: Float.self), first)
    }
}
