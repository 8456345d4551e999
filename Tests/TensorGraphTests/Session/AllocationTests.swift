import MallocCounter
import TestSupport
import XCTest
@testable import TensorGraph

/// A steady-state training step allocates nothing on the heap. The test binary links
/// Benchmarks/MallocCounter, whose `malloc` family wrappers count every allocation in the process.
///
/// The claim is about optimized code (unoptimized Swift boxes and copies where release code does not),
/// so the step count is asserted in the release test run that `Tools/test.sh` makes; a debug run
/// reports the test as skipped and says so.
#if DEBUG
private let isOptimizedBuild = false
#else
private let isOptimizedBuild = true
#endif

/// TensorGraph's own kernels allocate nothing per step; oneDNN's do. Its C API copies each primitive's
/// argument list into a `std::unordered_map` (a few 32-byte blocks per execution), and `dnnl_sgemm`
/// allocates its packing buffers. With TensorGraph's own kernels forced (`TENSORGRAPH_GEMM=openblas
/// TENSORGRAPH_CONV=direct`, a run Tools/test.sh makes) a step must allocate nothing; on the default oneDNN
/// path its allocations must stay under a bound (about twice what was measured) and not grow over time.
let runsOwnKernelsOnly = GemmLibrary.float32 == .openBLAS && ConvolutionAlgorithm.forced != nil

/// Asserts the steady-state allocation count of `steps` steps, measured twice by `count`.
func assertSteadyStateAllocations(steps: Int, oneDNNBoundPerStep: Int, _ label: String,
                                  file: StaticString = #filePath, line: UInt = #line, _ count: () throws -> Int) rethrows {
    let first = try count()
    if runsOwnKernelsOnly { return XCTAssertEqual(first, 0, label + " (TensorGraph's own kernels)", file: file, line: line) }
    let second = try count()
    XCTAssertLessThanOrEqual(first, steps * oneDNNBoundPerStep, label + " (oneDNN kernels)", file: file, line: line)
    XCTAssertLessThanOrEqual(second, first + steps, label + ": allocations grow from one window to the next", file: file, line: line)
}

final class AllocationTests: XCTestCase {
    /// Runs `warmUp` steps, then counts the allocations of `steps` more. The warm-up is long because the
    /// worker pool's helper threads allocate once when they first run, which on a busy machine can be
    /// many steps after they were started.
    private func allocations(_ session: Session, loss: Output, train: GraphOperation, feeds: [Output: Tensor],
                             warmUp: Int = 200, steps: Int = 30) throws -> Int {
        for _ in 0..<warmUp { _ = try session.run(loss, target: train, feeding: feeds) }
        let before = tg_malloc_count()
        for _ in 0..<steps { _ = try session.run(loss, target: train, feeding: feeds) }
        return tg_malloc_count() - before
    }

    func testCounterSeesAllocations() {
        // The counter itself works: a fresh array allocates.
        let before = tg_malloc_count()
        let array = [Int](repeating: 1, count: 1000 + Int(before % 2))
        XCTAssertGreaterThan(tg_malloc_count() - before, 0, "\(array.count)")
    }

    func testSteadyStateTrainingStepsAllocateNothing() throws {
        try XCTSkipUnless(isOptimizedBuild, "allocation counts are asserted on optimized code: Tools/test.sh runs this test with -c release")
        var random = TestRandom(seed: 5)
        // Seed 001: MLP, SGD.
        do {
            let g = Graph()
            let x = try g.placeholder(.float, shape: [nil, 784]), y = try g.placeholder(.float, shape: [nil, 10])
            let w1 = try g.variable(name: "W1", shape: [784, 64]), b1 = try g.variable(g.zeros([64]), name: "b1")
            let w2 = try g.variable(name: "W2", shape: [64, 10]), b2 = try g.variable(g.zeros([10]), name: "b2")
            let logits = try g.matMul(g.tanh(g.matMul(x, w1) + b1), w2) + b2
            let loss = try g.mean(g.softmaxCrossEntropyWithLogits(labels: y, logits: logits))
            let train = try GradientDescentOptimizer(learningRate: 0.5).minimize(loss)
            let session = Session(graph: g)
            try session.run(g.globalVariablesInitializer())
            let labels = Tensor(shape: [32, 10], scalars: (0..<320).map { Float($0 % 11 == 0 ? 1 : 0) })
            let feeds = [x: toFloat32(random.tensor([32, 784], 0, 1)), y: labels]
            try assertSteadyStateAllocations(steps: 30, oneDNNBoundPerStep: 16, "MLP + SGD") {
                try allocations(session, loss: loss, train: train, feeds: feeds)
            }
        }
        // Seed 003 (dense + relu, Adam) and seed 002 (CNN, pooling, dropout, Adam): every rewrite rule fires.
        for cnn in [false, true] {
            let g = Graph()
            let x = try g.placeholder(.float, shape: [nil, 784]), labels = try g.placeholder(.int32, shape: [nil])
            var h = x
            if cnn {
                h = try g.layers.conv2d(g.reshape(x, to: [-1, 28, 28, 1]), filters: 16, kernelSize: (5, 5), padding: .same, activation: .relu)
                h = try g.layers.maxPooling2d(h)
                h = try g.layers.conv2d(h, filters: 32, kernelSize: (5, 5), padding: .same, activation: .relu)
                h = try g.layers.flatten(g.layers.maxPooling2d(h))
            }
            let training = try g.placeholder(default: g.constant(true), shape: [], name: "training")
            h = try g.layers.dropout(g.layers.dense(h, units: cnn ? 128 : 256, activation: .relu), rate: 0.4, training: training)
            let loss = try g.mean(g.sparseSoftmaxCrossEntropyWithLogits(labels: labels, logits: g.layers.dense(h, units: 10)))
            let train = try AdamOptimizer().minimize(loss)
            let session = Session(graph: g)
            try session.run(g.globalVariablesInitializer())
            let feeds = [x: toFloat32(random.tensor([16, 784], 0, 1)), labels: Tensor((0..<16).map { Int32($0 % 10) })]
            try assertSteadyStateAllocations(steps: cnn ? 10 : 30, oneDNNBoundPerStep: cnn ? 200 : 16, cnn ? "CNN + Adam" : "MLP + Adam") {
                try allocations(session, loss: loss, train: train, feeds: feeds, steps: cnn ? 10 : 30)
            }
            // Convolution and dense epilogues, the argmax pool, its fused gradient, and the training convolution-pooling fusion.
            if cnn { XCTAssertEqual(Set(try XCTUnwrap(session.lastPlan).rewrites).count, 5, "every rule fired") }
        }
    }
}
