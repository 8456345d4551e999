import TestSupport
import XCTest
@testable import TensorGraph

/// Where TensorGraph used to differ from TensorFlow 1.x semantics (issue 10), each case as a TF1 user writes it.
final class TF1SemanticsTests: XCTestCase {
    /// TF1's batch-norm pattern: the train op is built under the update ops' control dependencies.
    /// The optimizer's slots (and the global step) are created there too, and their initializers must
    /// not inherit those dependencies, or `globalVariablesInitializer()` asks for the placeholder's feed.
    func testTrainOpUnderControlDependenciesKeepsInitializersFree() throws {
        let g = Graph()
        let x = try g.placeholder(.float, shape: [nil, 3], name: "x")
        let w = try g.variable(name: "w", shape: [3, 1])
        let movingMean = try g.variable(g.constant(Tensor(shape: [3], scalars: [Float](repeating: 0, count: 3))),
                                        name: "moving_mean", trainable: false)
        let update = try g.assign(movingMean, g.mean(x, axes: [0]))
        let loss = try g.mean(g.square(g.matMul(x, w)))
        let step = try g.withControlDependencies([update.op]) {
            try AdamOptimizer(learningRate: 0.1).minimize(loss, globalStep: g.globalStep())
        }
        for v in g.globalVariables {
            XCTAssert(v.initializer.node.controlInputs.isEmpty, "\(v.name)'s initializer waits for \(v.initializer.node.controlInputs)")
        }
        let session = Session(graph: g)
        try session.run(g.globalVariablesInitializer())   // no feed needed
        let batch = Tensor(shape: [2, 3], scalars: [Float(1), 2, 3, 4, 5, 6])
        try session.run(step, feeding: [x: batch])
        XCTAssertEqual(session.value(of: try XCTUnwrap(g.variable(for: movingMean)))?.scalars(as: Float.self), [2.5, 3.5, 4.5])
        XCTAssertEqual(try session.value(of: g.globalStep()).scalar(as: Int64.self), 1)
    }

    /// Optimizers take a tensor learning rate: a fed placeholder, or a schedule computed from the global step.
    func testLearningRateMayBeATensor() throws {
        func finalWeight(_ makeRate: (Graph) throws -> (any HyperParameter, [Output: Tensor])) throws -> Float {
            let g = Graph()
            let w = try g.variable(g.constant(1.0), name: "w")
            let loss = try g.square(w)   // d/dw = 2w
            let (rate, feeds) = try makeRate(g)
            let step = try GradientDescentOptimizer(learningRate: rate).minimize(loss)
            let session = Session(graph: g)
            try session.run(g.globalVariablesInitializer())
            try session.run(step, feeding: feeds)
            return try XCTUnwrap(session.value(of: try XCTUnwrap(g.variable(for: w)))).scalar(as: Float.self)
        }
        XCTAssertEqual(try finalWeight { _ in (0.25, [:]) }, 0.5)                 // 1 − 0.25·2
        XCTAssertEqual(try finalWeight { g in
            let rate = try g.placeholder(.float, shape: [], name: "learning_rate")
            return (rate, [rate: Tensor(Float(0.125))])
        }, 0.75)                                                                     // 1 − 0.125·2
        XCTAssertEqual(try finalWeight { g in (try g.constant(0.5) * 0.5, [:]) }, 0.5)
        // A float64 rate for float32 variables is cast; a non-scalar one is an error naming it.
        XCTAssertEqual(try finalWeight { g in (try g.constant(0.25, dtype: .double), [:]) }, 0.5)
        assertThrows(["learning_rate", "scalar"]) { try finalWeight { g in (try g.constant(Tensor([Float(1), 2])), [:]) } }
    }

    /// A Swift float literal makes a float32 constant, as `tf.constant(0.5)` does, and mixes with
    /// outputs in the output's dtype on either side of an operator.
    func testScalarLiteralsFollowTF1Dtypes() throws {
        let g = Graph()
        XCTAssertEqual(try g.constant(0.5).dtype, .float)
        XCTAssertEqual(try g.constant(0.5, dtype: .double).dtype, .double)
        XCTAssertEqual(try g.constant(3).dtype, .int32)
        XCTAssertEqual(try g.variable(g.constant(0.0)).dtype, .float)
        let x = try g.placeholder(.float, shape: [2])
        let y = try 2 * x + 1 - x / 4
        let z = try 1 - (-x) * 0.5
        XCTAssertEqual(y.dtype, .float)
        let d = try g.placeholder(.double, shape: [2])
        XCTAssertEqual(try (d * 0.5).dtype, .double)
        let i = try g.placeholder(.int32, shape: [2])
        XCTAssertEqual(try (i + 1).dtype, .int32)
        let values = try Session(graph: g).run([y, z], feeding: [x: Tensor([Float(4), 8])])
        XCTAssertEqual(values[0].scalars(as: Float.self), [8, 15])    // 2x + 1 − x/4
        XCTAssertEqual(values[1].scalars(as: Float.self), [3, 5])     // 1 + x/2
        assertThrows(["Const", "bool"]) { try g.constant(1.0, dtype: .bool) }
    }

    /// Initializers add only the nodes of their value (no stray dtype-probe constants).
    func testInitializersAddNoStrayNodes() throws {
        let g = Graph()
        let v = try g.variable(name: "v", shape: [2, 3], dtype: .double, initializer: .ones)
        XCTAssertEqual(g.nodes.map(\.name), ["v/Initializer/Const", "v/Initializer/Const_1", "v/Initializer/Fill", "v", "v/Assign", "v/read"])
        let session = Session(graph: g)
        try session.run(g.globalVariablesInitializer())
        XCTAssertEqual(try session.run(v).scalars(as: Double.self), [1, 1, 1, 1, 1, 1])
    }

    /// A variable's value and initializer are one step from the output `g.variable` returns.
    func testVariableValueAndInitializerFromItsOutput() throws {
        let g = Graph()
        let w = try g.variable(g.constant(Tensor([Float(1), 2])), name: "w")
        let doubled = try w * 2
        XCTAssertEqual(w.variable?.name, "w")
        XCTAssertNil(doubled.variable)
        let session = Session(graph: g)
        assertThrows(["uninitialized", "w"]) { try session.value(of: w) }
        try session.run(try XCTUnwrap(w.variable).initializer)
        XCTAssertEqual(try session.value(of: w).scalars(as: Float.self), [1, 2])
        assertThrows(["not a variable", "run"]) { try session.value(of: doubled) }
    }

    /// `summary()` counts non-trainable variables of layers apart.
    func testSummaryCountsNonTrainableParameters() throws {
        let g = Graph()
        let x = try g.placeholder(.float, shape: [nil, 4])
        _ = try g.layers.dense(x, units: 3)
        XCTAssert(g.summary().contains("Trainable params: 15\nNon-trainable params: 0"), g.summary())
        let record = LayerRecord(name: "bn", kind: "BatchNormalization", outputShape: [nil, 3], parameters: 12, nonTrainableParameters: 6)
        g.layerRecords.append(record)
        XCTAssert(g.summary().contains("Total params: 27\nTrainable params: 21\nNon-trainable params: 6"), g.summary())
    }

    /// `fit(epochs: 1)` called in a loop reshuffles every epoch (`reshuffle_each_iteration`), reproducibly.
    func testTrainerReshufflesEachEpochAcrossFitCalls() throws {
        let images = Tensor(shape: [64, 2, 2], scalars: (0..<256).map { UInt8($0 % 251) })
        let data = try LabeledImages(images: images, labels: Tensor(shape: [64], scalars: (0..<64).map { UInt8($0 % 4) }), classes: 4, path: "test")
        func firstBatches() throws -> [[Int32]] {
            let g = Graph()
            let x = try g.placeholder(.float, shape: [nil, 4]), y = try g.placeholder(.int32, shape: [nil])
            let logits = try g.layers.dense(x, units: 4)
            let loss = try g.mean(g.sparseSoftmaxCrossEntropyWithLogits(labels: y, logits: logits))
            let accuracy = try g.mean(g.cast(g.equal(g.argMax(logits, axis: 1, outputType: .int32), y), to: .float))
            let session = Session(graph: g)
            try session.run(g.globalVariablesInitializer())
            // The labels of each call's first batch (the whole shuffled set: one batch of 64).
            var firstBatches: [[Int32]] = [], recordNext = false
            let step = try GradientDescentOptimizer(learningRate: 0.1).minimize(loss)
            let trainer = Trainer(session: session, loss: loss, accuracy: accuracy, trainOp: step) { batch, _ in
                if recordNext { firstBatches.append(batch.labels.scalars(as: Int32.self)) }
                recordNext = false
                return [x: batch.images, y: batch.labels]
            }
            for _ in 0..<3 {
                recordNext = true
                try trainer.fit(data, epochs: 1, batchSize: 64, shuffleSeed: 7, verbose: false)
            }
            XCTAssertEqual(trainer.epochsTrained, 3)
            return firstBatches
        }
        let orders = try firstBatches()
        XCTAssertEqual(orders.count, 3)
        XCTAssertNotEqual(orders[0], orders[1])
        XCTAssertNotEqual(orders[1], orders[2])
        XCTAssertEqual(try firstBatches(), orders, "the shuffles are seeded")
    }

    /// Errors raised inside kernels say where the failing node was built.
    func testKernelErrorsNameTheBuildLocation() throws {
        let g = Graph()
        let n = try g.placeholder(.int32, shape: [1])
        let gathered = try g.gather(g.constant(Tensor([Float(1), 2, 3])), indices: n); let line = #line
        assertThrows(["GatherV2", "built at", "TF1SemanticsTests.swift:\(line)"]) {
            try Session(graph: g).run(gathered, feeding: [n: Tensor([Int32(7)])])
        }
    }

    /// One handle: the output `g.variable(...)` returns names its variable everywhere — the optimizer's
    /// variable list and global step, a saver's list and name map, `restore(from:variables:)` — and an
    /// output that is not a variable is an error naming it.
    func testVariableOutputIsTheHandleEverywhere() throws {
        let directory = try temporaryDirectory("variable-handle")
        let g = Graph()
        let w = try g.variable(g.constant(Tensor([Float(1), 2])), name: "w")
        let b = try g.variable(g.constant(Tensor([Float(5)])), name: "b")
        let loss = try g.sum(w * w) + g.sum(b * b)
        let step = try g.globalStep()
        let train = try GradientDescentOptimizer(learningRate: 0.25).minimize(loss, variables: [w], globalStep: step)
        let session = Session(graph: g)
        try session.run(g.globalVariablesInitializer())
        try session.run(train)
        XCTAssertEqual(try session.run(w).scalars(as: Float.self), [0.5, 1])   // w ← w − 0.25·2w
        XCTAssertEqual(try session.run(b).scalars(as: Float.self), [5])        // not in the list
        XCTAssertEqual(try session.run(step).scalar(as: Int64.self), 1)
        let path = directory + "/w.ckpt"
        try Saver(variables: [w]).save(session, to: path)
        try Saver(variables: ["renamed": b]).save(session, to: directory + "/b.ckpt")
        try session.run(g.globalVariablesInitializer())
        try session.restore(from: path, variables: [w])
        XCTAssertEqual(try session.run(w).scalars(as: Float.self), [0.5, 1])
        XCTAssertThrowsError(try Saver(variables: [loss])) { error in
            XCTAssert("\(error)".contains(loss.name), "\(error)")
        }
        XCTAssertThrowsError(try GradientDescentOptimizer(learningRate: 0.1).minimize(loss, variables: [loss]))
    }
}
