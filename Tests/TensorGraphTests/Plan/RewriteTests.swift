import TestSupport
import XCTest
@testable import TensorGraph

/// Each rewrite rule: it fires on its pattern (the plan runs the emitted op), it does not fire when an
/// intermediate is fetched or has another reader, and the rewritten plan gives the numbers of the plan
/// compiled without any rule.
final class RewriteTests: XCTestCase {
    /// Fused and plain convolutions agree to rounding, not to the bit: oneDNN adds a fused bias inside its
    /// accumulation (a post-op) where the plain plan adds it afterwards, and its AVX2 kernels round differently.
    private func assertAgree(_ a: Tensor, _ b: Tensor, _ label: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.shape, b.shape, label, file: file, line: line)
        assertClose(a.doubleValues, b.doubleValues, absolute: 1e-5, relative: 1e-5, label, file: file, line: line)
    }
    private func assertAgree(_ a: [Tensor], _ b: [Tensor], _ label: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.count, b.count, label, file: file, line: line)
        for (x, y) in zip(a, b) { assertAgree(x, y, label, file: file, line: line) }
    }

    /// Runs `fetches` twice — with every rule and with none — and returns both results and the op names
    /// of the rewritten plan's steps.
    private func runBothWays(_ g: Graph, _ fetches: [Output], _ feeds: [Output: Tensor], initialize: Bool = false)
        throws -> (rewritten: [Tensor], plain: [Tensor], ops: [String], fired: [String]) {
        let session = Session(graph: g)
        if initialize { try session.run(g.globalVariablesInitializer()) }
        let rewritten = try session.run(fetches, feeding: feeds)
        let plan = try XCTUnwrap(session.lastPlan)
        let ops = plan.steps.map(\.node.opName), fired = plan.rewrites
        session.rewriteRules = []
        let plain = try session.run(fetches, feeding: feeds)
        XCTAssertEqual(try XCTUnwrap(session.lastPlan).rewrites, [])
        return (rewritten, plain, ops, fired)
    }

    func testConvolutionEpilogueFusesBiasAndActivation() throws {
        var random = TestRandom(seed: 41)
        for (batch, channels, activation) in [(40, 3, "Relu"), (1, 16, "Relu6"), (40, 1, "Relu"), (3, 16, "")] {
            let label = "batch \(batch), C=\(channels), \(activation)"
            let x = toFloat32(random.tensor([batch, 12, 12, channels], -4, 4)), w = toFloat32(random.tensor([3, 3, channels, 32]))
            let b = toFloat32(random.tensor([32]))
            let g = Graph()
            let xp = try g.placeholder(.float, shape: [nil, 12, 12, channels])
            let conv = try g.conv2D(xp, filter: g.constant(w), padding: .same)
            let biased = try g.biasAdd(conv, g.constant(b))
            let y = activation == "Relu" ? try g.relu(biased) : activation == "Relu6" ? try g.relu6(biased) : biased
            let run = try runBothWays(g, [y], [xp: x])
            XCTAssertEqual(run.fired, ["Conv2D+BiasAdd[+activation] → _FusedConv2D"], label)
            // The bias (and a small filter) are constants the graph folded while building; a filter larger
            // than the folding limit stays a Const step.
            XCTAssertEqual(run.ops.filter { $0 != "Const" }, ["_FusedConv2D"], label)
            XCTAssertEqual(run.ops.count, w.count <= Graph.foldedElementLimit ? 1 : 2, label)
            assertAgree(run.rewritten, run.plain, label)
            // A plain loop as the oracle, so both paths are checked, not only against each other.
            let reference = conv2dReference(x.doubleValues, w.doubleValues,
                                            WindowGeometry(input: x.shape, kernel: (3, 3), strides: (1, 1), padding: .same)!, filters: 32)
            let bias = b.doubleValues, clamp: (Double) -> Double = activation == "Relu" ? { max($0, 0) }
                : activation == "Relu6" ? { min(max($0, 0), 6) } : { $0 }
            assertClose(run.rewritten[0].doubleValues, reference.enumerated().map { clamp($1 + bias[$0 % 32]) },
                        absolute: 1e-4, relative: 1e-5, label)
        }
    }

    func testConvolutionEpilogueKeepsFetchedOrSharedIntermediates() throws {
        var random = TestRandom(seed: 42)
        let x = toFloat32(random.tensor([2, 8, 8, 3])), w = toFloat32(random.tensor([3, 3, 3, 16])), b = toFloat32(random.tensor([16]))
        let g = Graph()
        let xp = try g.placeholder(.float, shape: [nil, 8, 8, 3])
        let conv = try g.conv2D(xp, filter: g.constant(w), padding: .valid)
        let biased = try g.biasAdd(conv, g.constant(b))
        let activated = try g.relu(biased)
        // The convolution output fetched: nothing fuses.
        let fetched = try runBothWays(g, [conv, activated], [xp: x])
        XCTAssertEqual(fetched.fired, [])
        assertAgree(fetched.rewritten, fetched.plain, "")
        // The biased value fetched too: the bias fuses into the convolution only when its output is unshared.
        let biasFetched = try runBothWays(g, [biased, activated], [xp: x])
        XCTAssertEqual(biasFetched.ops.filter { $0 == "_FusedConv2D" || $0 == "Relu" }, ["_FusedConv2D", "Relu"])
        assertAgree(biasFetched.rewritten, biasFetched.plain, "")
        // The convolution read by another op as well: nothing fuses.
        let other = try g.square(conv)
        let shared = try runBothWays(g, [activated, other], [xp: x])
        XCTAssertEqual(shared.fired, [])
        assertAgree(shared.rewritten, shared.plain, "")
    }

    func testDenseEpilogueFusesBiasAndActivation() throws {
        var random = TestRandom(seed: 44)
        for (rows, inner, columns, activation) in [(128, 300, 64, "Relu"), (3, 20, 10, "Relu6"), (1, 784, 128, "")] {
            let label = "\(rows)×\(inner)×\(columns) \(activation)"
            let x = toFloat32(random.tensor([rows, inner], -3, 3)), w = toFloat32(random.tensor([inner, columns]))
            let b = toFloat32(random.tensor([columns]))
            let g = Graph()
            let xp = try g.placeholder(.float, shape: [nil, inner])
            let product = try g.matMul(xp, g.constant(w))
            let biased = try g.biasAdd(product, g.variable(g.constant(b), name: "bias"))
            let y = activation == "Relu" ? try g.relu(biased) : activation == "Relu6" ? try g.relu6(biased) : biased
            let run = try runBothWays(g, [y], [xp: x], initialize: true)
            XCTAssertEqual(run.fired, ["MatMul+BiasAdd[+activation] → _FusedMatMul"], label)
            XCTAssert(run.ops.contains("_FusedMatMul") && !run.ops.contains("MatMul") && !run.ops.contains("BiasAdd"), "\(label): \(run.ops)")
            XCTAssertEqual(run.rewritten, run.plain, label)
            let bias = b.doubleValues, clamp: (Double) -> Double = activation == "Relu" ? { max($0, 0) }
                : activation == "Relu6" ? { min(max($0, 0), 6) } : { $0 }
            let reference = refMatMul(x, w).values.enumerated().map { clamp($1 + bias[$0 % columns]) }
            assertClose(run.rewritten[0].doubleValues, reference, absolute: 1e-3, relative: 1e-5, label)
            // The product fetched as well: no fusion.
            let kept = try runBothWays(g, [product, y], [xp: x], initialize: true)
            XCTAssertEqual(kept.fired, [], label)
            XCTAssertEqual(kept.rewritten, kept.plain, label)
        }
    }

    /// Conv → BiasAdd → Relu → MaxPool, differentiated: MaxPool/MaxPoolGrad become MaxPoolWithArgmax/
    /// MaxPoolGradWithArgmax, ReluGrad of that becomes `_FusedMaxPoolGrad`, and the BiasAddGrad joins it.
    func testPoolingGradientRewrites() throws {
        var random = TestRandom(seed: 43)
        for (dtype, size, padding) in [(DType.float, 12, Padding.valid), (.float, 7, .same), (.float, 9, .valid), (.double, 12, .valid)] {
            let label = "\(dtype) \(size)x\(size) \(padding)"
            let cast: (Tensor) -> Tensor = { dtype == .float ? toFloat32($0) : $0 }
            let x = cast(random.tensor([40, size, size, 3])), w = cast(random.tensor([3, 3, 3, 8]))
            let b = cast(random.tensor([8], -0.2, 0.2))
            let g = Graph()
            let xp = try g.placeholder(dtype, shape: TensorShape(x.shape))
            let wp = try g.placeholder(dtype, shape: TensorShape(w.shape)), bp = try g.placeholder(dtype, shape: TensorShape(b.shape))
            let y = try g.relu(g.biasAdd(g.conv2D(xp, filter: wp, padding: .same), bp))
            let z = try g.maxPool(y, ksize: (2, 2), strides: (2, 2), padding: padding)
            let dz = cast(random.tensor(try XCTUnwrap(z.shape.concrete)))
            let dzp = try g.placeholder(dtype, shape: z.shape)
            let grads = try g.gradients(of: [z], with: [xp, wp, bp], gradYs: [dzp]).map { $0! }
            let feeds: [Output: Tensor] = [xp: x, wp: w, bp: b, dzp: dz]
            let run = try runBothWays(g, grads + [z], feeds)
            // A VALID 2×2 pool then takes the convolution in (TrainingConvolutionPoolingTests covers that rule).
            let fusesForward = padding == .valid
            XCTAssertEqual(run.fired, ["Conv2D+BiasAdd[+activation] → _FusedConv2D",
                                       "MaxPool…MaxPoolGrad → MaxPoolWithArgmax…MaxPoolGradWithArgmax",
                                       "ReluGrad(MaxPoolGradWithArgmax)[+BiasAddGrad] → _FusedMaxPoolGrad"]
                           + (fusesForward ? ["_FusedConv2D+MaxPoolWithArgmax(2×2/2) → _FusedConv2DMaxPoolWithArgmax"] : []), label)
            for op in ["MaxPool", "MaxPoolGrad", "MaxPoolGradWithArgmax", "ReluGrad", "BiasAddGrad"] {
                XCTAssertFalse(run.ops.contains(op), "\(label): \(op) still runs")
            }
            XCTAssert(run.ops.contains(fusesForward ? "_FusedConv2DMaxPoolWithArgmax" : "MaxPoolWithArgmax") && run.ops.contains("_FusedMaxPoolGrad"), label)
            assertAgree(run.rewritten[0], run.plain[0], "\(label): input gradient")
            assertAgree(run.rewritten[1], run.plain[1], "\(label): filter gradient")
            assertAgree(run.rewritten[3], run.plain[3], "\(label): pooled output")
            // The bias gradient is summed in another order (from the pooled gradient).
            assertClose(run.rewritten[2].doubleValues, run.plain[2].doubleValues, absolute: 1e-5, relative: 1e-5, label + ": bias gradient")

            // The MaxPoolGrad output fetched: only the argmax rule fires; the ReluGrad stays.
            let poolGrad = try XCTUnwrap(g.nodes.first { $0.opName == "MaxPoolGrad" })
            let kept = try runBothWays(g, grads + [Output(graph: g, node: poolGrad, index: 0)], feeds)
            XCTAssertEqual(kept.fired.filter { $0.contains("_FusedMaxPoolGrad") }, [], label)
            XCTAssert(kept.ops.contains("ReluGrad") && kept.ops.contains("MaxPoolGradWithArgmax"), label)
            assertAgree(kept.rewritten[0], kept.plain[0], label)
            assertAgree(kept.rewritten[3], kept.plain[3], label)
        }
    }

    /// In a training graph the optimizer's gradients pass through `tf.tuple` gates, whose control edges
    /// anchor the BiasAddGrad nodes; the pooling rule still folds them into `_FusedMaxPoolGrad`, and
    /// training gives the losses of the plan compiled without rules.
    func testPoolingGradientFusesThroughTupleGates() throws {
        func train(rules: Bool) throws -> (losses: [Float], ops: [String]) {
            let g = Graph()
            let x = try g.placeholder(.float, shape: [nil, 8, 8, 1]), labels = try g.placeholder(.int32, shape: [nil])
            var h = try g.layers.maxPooling2d(g.layers.conv2d(x, filters: 4, kernelSize: (3, 3), padding: .same, activation: .relu))
            h = try g.layers.maxPooling2d(g.layers.conv2d(h, filters: 8, kernelSize: (3, 3), padding: .same, activation: .relu))
            let loss = try g.mean(g.sparseSoftmaxCrossEntropyWithLogits(labels: labels, logits: g.layers.dense(g.layers.flatten(h), units: 3)))
            let step = try AdamOptimizer().minimize(loss)
            let session = Session(graph: g)
            if !rules { session.rewriteRules = [] }
            try session.run(g.globalVariablesInitializer())
            var data = TestRandom(seed: 9)
            let feeds = [x: toFloat32(data.tensor([6, 8, 8, 1])), labels: Tensor((0..<6).map { Int32($0 % 3) })]
            let losses = try (0..<3).map { _ in try session.run(loss, target: step, feeding: feeds).scalar(as: Float.self) }
            return (losses, try XCTUnwrap(session.lastPlan).steps.map(\.node.opName))
        }
        let fused = try train(rules: true), plain = try train(rules: false)
        XCTAssertEqual(fused.ops.filter { $0 == "_FusedMaxPoolGrad" }.count, 2)
        XCTAssertEqual(fused.ops.filter { $0 == "BiasAddGrad" }.count, 1, "only the dense layer's bias gradient stays: \(fused.ops)")
        XCTAssertEqual(plain.ops.filter { $0 == "BiasAddGrad" }.count, 3)
        // The fused bias gradients are summed in another order: equal to rounding.
        for (a, b) in zip(fused.losses, plain.losses) { XCTAssertEqual(a, b, accuracy: 1e-5 * max(1, abs(b))) }
    }

    /// Rewritten nodes never reach the user's graph: it saves as TensorFlow's ops only.
    func testRewritesLeaveTheGraphAlone() throws {
        let g = Graph()
        let xp = try g.placeholder(.float, shape: [nil, 4])
        let y = try g.relu6(g.biasAdd(g.matMul(xp, g.constant(Tensor(shape: [4, 2], scalars: [Float](repeating: 0.5, count: 8)))),
                                      g.constant(Tensor([Float(1), -1]))))
        let before = g.nodes.map(\.opName)
        _ = try Session(graph: g).run(y, feeding: [xp: Tensor(shape: [1, 4], scalars: [Float](repeating: 1, count: 4))])
        XCTAssertEqual(g.nodes.map(\.opName), before)
        let internalNames = Set(OpRegistry.internalOps.map { $0.wireName })
        XCTAssert(try Graph(graphDef: g.graphDef()).nodes.allSatisfy { !internalNames.contains($0.opName) })
    }
}
