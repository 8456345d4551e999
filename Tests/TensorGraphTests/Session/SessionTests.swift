import Foundation
import TestSupport
import XCTest
@testable import TensorGraph

final class SessionTests: XCTestCase {
    func testFeedsFetchesAndPruning() throws {
        let g = Graph()
        let x = try g.placeholder(.float, shape: [nil, 2], name: "x")
        let y = try g.placeholder(.float, shape: [nil, 2], name: "y")
        let sum = try x + x
        _ = try x * y
        let session = Session(graph: g)
        // `y` is not needed for `sum`, so it need not be fed.
        let value = try session.run(sum, feeding: [x: Tensor(shape: [1, 2], scalars: [Float(1), 2])])
        XCTAssertEqual(value.scalars(as: Float.self), [2, 4])
        // A batch of another size reuses the compiled plan with new buffers.
        let bigger = try session.run(sum, feeding: [x: Tensor(shape: [3, 2], scalars: [Float](repeating: 1, count: 6))])
        XCTAssertEqual(bigger.shape, [3, 2])
        XCTAssertEqual(value.scalars(as: Float.self), [2, 4], "earlier results are not overwritten")
    }

    func testMissingFeedNamesThePlaceholder() throws {
        let g = Graph()
        let x = try g.placeholder(.float, shape: [nil, 2], name: "images")
        let y = try g.relu(x)
        assertThrows(["images", "must feed"]) { try Session(graph: g).run(y) }
    }

    func testWrongFeedDTypeAndShape() throws {
        let g = Graph()
        let x = try g.placeholder(.float, shape: [nil, 3], name: "x")
        let y = try g.relu(x)
        let session = Session(graph: g)
        assertThrows(["'x'", "float64", "expected float32"]) {
            try session.run(y, feeding: [x: Tensor(shape: [1, 3], scalars: [1.0, 2, 3])])
        }
        assertThrows(["'x'", "(2, 2)", "expected (?, 3)"]) {
            try session.run(y, feeding: [x: Tensor(shape: [2, 2], scalars: [Float](repeating: 0, count: 4))])
        }
    }

    func testUninitializedVariableIsNamed() throws {
        let g = Graph()
        let w = try g.variable(g.zeros([2]), name: "weights")
        let y = try w * w
        assertThrows(["uninitialized variable 'weights'"]) { try Session(graph: g).run(y) }
    }

    func testFetchFromAnotherGraph() throws {
        let g1 = Graph(), g2 = Graph()
        let a = try g1.constant(Float(1))
        _ = try g2.constant(Float(2))
        assertThrows(["fetch", "different graph"]) { try Session(graph: g2).run(a) }
        assertThrows(["different graph"]) { try g2.relu(a) }
    }

    func testGroupRunsAllControlInputs() throws {
        let g = Graph()
        let a = try g.variable(g.zeros([1]), name: "a")
        let b = try g.variable(g.zeros([1]), name: "b")
        let one = try g.constant(Tensor([Float(1)]))
        let both = try g.group([g.assignAdd(a, one).op, g.assignAdd(b, one).op, g.assignAdd(b, one).op])
        XCTAssertEqual(both.node.opName, "NoOp")
        let session = Session(graph: g)
        try session.run(g.globalVariablesInitializer())
        try session.run(both)
        XCTAssertEqual(try session.run([a, b]).map { $0.scalars(as: Float.self) }, [[1], [2]])
    }

    func testFetchedVariableValuesAreSnapshots() throws {
        let g = Graph()
        let v = try g.variable(g.zeros([2]), name: "v")
        let step = try g.assignAdd(v, g.constant(Tensor([Float(1), 1])))
        let session = Session(graph: g)
        try session.run(g.globalVariablesInitializer())
        let before = try session.run(v)
        try session.run(step.op)
        XCTAssertEqual(before.scalars(as: Float.self), [0, 0])
        XCTAssertEqual(try session.run(v).scalars(as: Float.self), [1, 1])
    }

    func testKernelErrorAtRunTimeNamesTheNode() throws {
        let g = Graph()
        let x = try g.placeholder(.float, shape: [nil], name: "x")
        let y = try g.reshape(x, to: [2, 2], name: "square")
        assertThrows(["[Reshape]", "square", "cannot reshape"]) {
            try Session(graph: g).run(y, feeding: [x: Tensor([Float(1), 2, 3])])
        }
    }

    func testFetchingAFedTensorReturnsTheFeed() throws {
        let g = Graph()
        let x = try g.placeholder(.float, shape: [2], name: "x")
        let y = try g.exp(x)
        let z = try y + y
        // Feeding an intermediate output replaces its computation (TF semantics).
        let value = try Session(graph: g).run(z, feeding: [y: Tensor([Float(1), 2])])
        XCTAssertEqual(value.scalars(as: Float.self), [2, 4])
    }

    /// Shape-only steps (Shape, BroadcastGradientArgs, Prod of a shape, ...) are skipped while shapes stay
    /// the same; when the batch size changes they must be recomputed, in either order.
    func testShapeOnlyStepsFollowChangingBatchSizes() throws {
        func build() throws -> (Graph, Output, Output, [Output]) {
            let g = Graph()
            let x = try g.placeholder(.double, shape: [nil, 3], name: "x")
            let w = try g.constant(Tensor(shape: [3, 2], scalars: [0.5, -1, 2, 0.25, -0.75, 1]))
            // mean over a dynamic batch: its gradient goes through Shape, Prod, BroadcastGradientArgs, ...
            let loss = try g.mean(g.square(g.matMul(x, w) - g.mean(x, axes: [1], keepDims: true)))
            let grads = try g.gradients(of: loss, with: [x])
            return (g, x, loss, grads.map { $0! })
        }
        var random = TestRandom(seed: 7)
        let batches = [4, 4, 9, 1, 9, 4].map { random.tensor([$0, 3]) }
        let (g, x, loss, grads) = try build()
        let session = Session(graph: g)
        for batch in batches {
            let lossValue = try session.run(loss, feeding: [x: batch])
            let gradValue = try session.run(grads, feeding: [x: batch])[0]
            // A fresh session computes everything from scratch.
            let (g2, x2, loss2, grads2) = try build()
            let fresh = Session(graph: g2)
            XCTAssertEqual(lossValue.doubleValues, try fresh.run(loss2, feeding: [x2: batch]).doubleValues)
            XCTAssertEqual(gradValue.doubleValues, try fresh.run(grads2, feeding: [x2: batch])[0].doubleValues)
            XCTAssertEqual(gradValue.shape, batch.shape)
        }
    }

    /// The session reuses the previous run's plan without rebuilding its key; a run with other
    /// feeds, fetches or targets must still get its own plan.
    func testRepeatedSignaturesAndSwitchingPlans() throws {
        let g = Graph()
        let a = try g.placeholder(.float, shape: [2], name: "a")
        let b = try g.placeholder(.float, shape: [2], name: "b")
        let sum = try a + b, product = try a * b
        let counter = try g.variable(g.zeros([1]), name: "counter")
        let bump = try g.assignAdd(counter, g.constant(Tensor([Float(1)])))
        let session = Session(graph: g)
        try session.run(g.globalVariablesInitializer())
        let one = Tensor([Float(1), 2]), two = Tensor([Float(3), 4])
        XCTAssertEqual(try session.run(sum, feeding: [a: one, b: two]).scalars(as: Float.self), [4, 6])
        XCTAssertEqual(try session.run(sum, feeding: [a: two, b: one]).scalars(as: Float.self), [4, 6])
        XCTAssertEqual(try session.run(product, feeding: [a: one, b: two]).scalars(as: Float.self), [3, 8])
        XCTAssertEqual(try session.run(sum, feeding: [a: one, b: one]).scalars(as: Float.self), [2, 4])
        // Same fetch, now with a target: the update must run.
        _ = try session.run(sum, target: bump.op, feeding: [a: one, b: one])
        _ = try session.run(sum, target: bump.op, feeding: [a: one, b: one])
        XCTAssertEqual(try session.run(counter).scalars(as: Float.self), [2])
        // Feeding `sum` itself (a different feed set with the same count) returns the feed.
        XCTAssertEqual(try session.run(sum, feeding: [sum: two, b: one]).scalars(as: Float.self), [3, 4])
        // A missing feed after a successful run is still reported.
        assertThrows(["'b'"]) { try session.run(sum, feeding: [a: one]) }
        assertThrows(["'a'", "(3,)"]) { try session.run(sum, feeding: [a: Tensor([Float(1), 2, 3]), b: one]) }
        XCTAssertEqual(try session.run(sum, feeding: [a: one, b: two]).scalars(as: Float.self), [4, 6])
    }

    /// Intermediate values share buffers by liveness: a CNN training step holds far fewer bytes than
    /// the sum of its values, and results stay right when batch sizes change between runs.
    func testBuffersAreSharedByLiveness() throws {
        func build() throws -> (Graph, Output, Output, Output, GraphOperation) {
            let g = Graph()
            let x = try g.placeholder(.float, shape: [nil, 12, 12, 1], name: "x")
            let labels = try g.placeholder(.int32, shape: [nil], name: "labels")
            var h = try g.layers.conv2d(x, filters: 16, kernelSize: (3, 3), padding: .same, activation: .relu)
            h = try g.layers.maxPooling2d(h)
            h = try g.layers.conv2d(h, filters: 32, kernelSize: (3, 3), padding: .same, activation: .relu)
            let logits = try g.layers.dense(g.layers.flatten(h), units: 10)
            let loss = try g.mean(g.sparseSoftmaxCrossEntropyWithLogits(labels: labels, logits: logits))
            let train = try GradientDescentOptimizer(learningRate: 0.1).minimize(loss)
            return (g, x, labels, loss, train)
        }
        var random = TestRandom(seed: 9)
        let batches = [32, 32, 5, 32, 1].map { n in
            (toFloat32(random.tensor([n, 12, 12, 1])), Tensor((0..<n).map { Int32($0 % 10) }))
        }
        let (g, x, labels, loss, train) = try build()
        let (g2, x2, labels2, loss2, train2) = try build()
        let session = Session(graph: g), fresh = Session(graph: g2)
        try session.run(g.globalVariablesInitializer())
        try fresh.run(g2.globalVariablesInitializer())
        for (images, ids) in batches {
            // The loss of a forward-only plan (other liveness, other pool) equals the one fetched with training.
            let expected = try session.run(loss, feeding: [x: images, labels: ids])
            let a = try session.run(loss, target: train, feeding: [x: images, labels: ids])
            XCTAssertEqual(a.doubleValues, expected.doubleValues)
            // Another session trains with a different fetch signature and must end with the same weights.
            let b = try fresh.run([loss2, loss2], targets: [train2], feeding: [x2: images, labels2: ids])[0]
            XCTAssertEqual(a.doubleValues, b.doubleValues)
        }
        for (v, v2) in zip(g.trainableVariables, g2.trainableVariables) {
            XCTAssertEqual(session.value(of: v)?.doubleValues, fresh.value(of: v2)?.doubleValues, v.name)
        }
        _ = try session.run(loss, target: train, feeding: [x: batches[0].0, labels: batches[0].1])
        let plan = try XCTUnwrap(session.lastPlan)
        var valueBytes = 0
        for step in plan.steps {
            for (i, spec) in step.node.outputs.enumerated() where step.context.outputs.indices.contains(i) {
                let dims = spec.shape.dims?.map { $0 ?? 32 } ?? []
                valueBytes += dims.reduce(1, *) * spec.dtype.byteCount
            }
        }
        print("liveness: plan holds \(plan.heldBufferBytes) bytes for \(valueBytes) bytes of values")
        XCTAssertGreaterThan(valueBytes, 0)
        XCTAssertLessThan(plan.heldBufferBytes, valueBytes / 2, "held \(plan.heldBufferBytes) of \(valueBytes) value bytes")
    }

    /// Elementwise steps write over an input that dies there (large values); results must equal a run
    /// that keeps every intermediate (fetched values are never overwritten) and the plain math.
    func testElementwiseStepsRunInPlace() throws {
        var random = TestRandom(seed: 12)
        let x = toFloat32(random.tensor([64, 300])), w = toFloat32(random.tensor([300, 512], -0.1, 0.1))
        let fedValues = x.doubleValues
        let g = Graph()
        let xp = try g.placeholder(.float, shape: [nil, 300])
        let a = try g.matMul(xp, g.constant(w))            // 64 × 512 floats = 128 KB
        let b = try g.tanh(a)                               // a dies here: in place
        let c = try g.sigmoid(b)                            // b dies here: in place
        let d = try c * g.constant(Tensor(Float(3)))        // c dies here: in place (broadcast scalar)
        let e = try d + g.matMul(xp, g.constant(w))         // d dies here: in place
        let session = Session(graph: g)
        let fused = try session.run(e, feeding: [xp: x])
        let plan = try XCTUnwrap(session.lastPlan)
        XCTAssertEqual(plan.steps.filter { $0.context.inPlaceRuns > 0 }.map(\.node.opName).sorted(), ["AddV2", "Mul", "Sigmoid", "Tanh"])
        let again = try session.run(e, feeding: [xp: x])
        XCTAssertEqual(fused, again)
        XCTAssertEqual(fused, try session.run([a, b, c, d, e], feeding: [xp: x])[4])
        let product = refMatMul(x, w).values
        assertClose(fused.doubleValues, product.map { 3 / (1 + Foundation.exp(-Foundation.tanh($0))) + $0 }, absolute: 1e-4, relative: 1e-4)
        // The fed tensor and a value that is fetched are never overwritten.
        let values = try session.run([a, e], feeding: [xp: x])
        assertClose(values[0].doubleValues, product, absolute: 1e-4, relative: 1e-4)
        XCTAssertEqual(x.doubleValues, fedValues)
    }
}

/// `TENSORGRAPH_PROFILE`: a session that is never released (one at the top level of a program) still
/// reports its profile, at process exit.
final class ProfileAtExitTests: XCTestCase {
    func testLiveProfilingSessionsReportAtExitOnce() throws {
        let g = Graph()
        let x = try g.placeholder(.float, shape: [2])
        let y = try g.tanh(x)
        let session = Session(graph: g)
        session.isProfiling = true
        _ = try session.run(y, feeding: [x: Tensor([Float(1), 2])])
        let quiet = Session(graph: g)   // not profiling: nothing to report
        _ = try quiet.run(y, feeding: [x: Tensor([Float(1), 2])])
        let reports = ProfileAtExit.takeLiveReports()
        XCTAssertEqual(reports.filter { $0.contains("Tanh") }.count, 1, "\(reports)")
        XCTAssertEqual(ProfileAtExit.takeLiveReports().filter { $0.contains("Tanh") }.count, 0, "printed once")
        withExtendedLifetime((session, quiet)) {}
    }
}

