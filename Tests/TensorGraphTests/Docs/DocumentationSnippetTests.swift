import Foundation
import TensorGraph   // not @testable: the documentation uses the public API only
import XCTest

/// The code of the DocC articles (`Sources/TensorGraph/TensorGraph.docc`), compiled and run on tiny
/// data, one test per article. An article's snippet is the body between `// snippet` and
/// `// end snippet`, with the same names; what lies outside makes the data and checks the result.
/// When an API changes, these tests fail to build: update the article with them.
final class DocumentationSnippetTests: XCTestCase {
    /// A fresh folder under the temporary directory.
    private func temporaryFolder(_ name: String) throws -> String {
        let path = NSTemporaryDirectory() + "tensorgraph-docs-\(name)-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        return path
    }

    /// `rows` examples of `features` floats in [0, 1) and their one-hot labels over `classes`,
    /// where the class is the index of the largest of the first `classes` features (learnable).
    private func tinyClassification(rows: Int, features: Int, classes: Int, seed: UInt64 = 7)
        -> (images: Tensor, oneHot: Tensor, labels: Tensor) {
        var state = seed
        func next() -> Float {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Float(state >> 40) / Float(1 << 24)
        }
        var pixels: [Float] = [], oneHot: [Float] = [], labels: [Int32] = []
        for _ in 0..<rows {
            let row = (0..<features).map { _ in next() }
            let label = row.prefix(classes).indices.max { row[$0] < row[$1] }!
            pixels += row
            oneHot += (0..<classes).map { $0 == label ? 1 : 0 }
            labels.append(Int32(label))
        }
        return (Tensor(shape: [rows, features], scalars: pixels), Tensor(shape: [rows, classes], scalars: oneHot), Tensor(labels))
    }

    // MARK: GettingStarted.md

    func testGettingStarted() throws {
        let data = tinyClassification(rows: 64, features: 784, classes: 10)
        let batches = (0..<2).map { i in
            (images: try! Dataset(tensors: [data.images]).batch(32).map { $0 }[i][0],
             oneHotLabels: try! Dataset(tensors: [data.oneHot]).batch(32).map { $0 }[i][0])
        }
        // snippet
        let g = Graph()
        let x = try g.placeholder(.float, shape: [nil, 784], name: "x")
        let y = try g.placeholder(.float, shape: [nil, 10], name: "y")

        let w1 = try g.variable(name: "W1", shape: [784, 64])          // tf.get_variable: Glorot uniform
        let b1 = try g.variable(g.zeros([64]), name: "b1")             // tf.Variable(tf.zeros([64]))
        let h1 = try g.tanh(g.matMul(x, w1) + b1)
        let w2 = try g.variable(name: "W2", shape: [64, 10])
        let b2 = try g.variable(g.zeros([10]), name: "b2")
        let logits = try g.matMul(h1, w2) + b2
        let probs = try g.softmax(logits, name: "probs")

        let loss = try g.mean(g.softmaxCrossEntropyWithLogits(labels: y, logits: logits))
        let train = try GradientDescentOptimizer(learningRate: 0.5).minimize(loss)

        let correct = try g.equal(g.argMax(y, axis: 1), g.argMax(probs, axis: 1))
        let accuracy = try g.mean(g.cast(correct, to: .float))

        let session = Session(graph: g)
        try session.run(g.globalVariablesInitializer())
        for epoch in 0..<5 {
            var total: Float = 0
            for batch in batches {
                let l = try session.run(loss, target: train, feeding: [x: batch.images, y: batch.oneHotLabels])
                total += l.scalar(as: Float.self)
            }
            print("epoch \(epoch): loss \(total / Float(batches.count))")
        }
        let testAccuracy = try session.run(accuracy, feeding: [x: data.images, y: data.oneHot])
        print("accuracy:", testAccuracy.scalar(as: Float.self))

        let frozen = try g.freeze(session, outputs: [probs])
        let path = try temporaryFolder("getting-started") + "/mnist-mlp.pb"   // snippet: "Graphs/mnist-mlp.pb"
        try frozen.write(to: path)
        // end snippet

        let first = try session.run(loss, feeding: [x: data.images, y: data.oneHot]).scalar(as: Float.self)
        XCTAssert(first.isFinite)
        XCTAssertGreaterThan(testAccuracy.scalar(as: Float.self), 0.1)
        let reloaded = try Graph(contentsOf: path)
        let served = try XCTUnwrap(reloaded.output(named: "probs"))
        let input = try XCTUnwrap(reloaded.output(named: "x"))
        let expected = try session.run(probs, feeding: [x: data.images])
        XCTAssertEqual(try Session(graph: reloaded).run(served, feeding: [input: data.images]), expected)
    }

    // MARK: TF1Translation.md

    /// Every Swift form of the translation table, in table order.
    func testTF1TranslationTable() throws {
        let g = Graph()
        // Placeholders and feeds
        let x = try g.placeholder(.float, shape: [nil, 784], name: "x")
        let training = try g.placeholder(default: g.constant(false), shape: [], name: "training")
        let labels = try g.placeholder(.int32, shape: [nil], name: "labels")
        // Constants and literals
        let half = try g.constant(0.5)
        let three = try g.constant(3)
        XCTAssertEqual(half.dtype, .float)
        XCTAssertEqual(three.dtype, .int32)
        let scaled = try x * 0.5
        let p = try g.sigmoid(scaled)
        let q = try 1 - p
        XCTAssertEqual(q.dtype, .float)
        _ = try (x / 255.0) + x
        // Variables
        let counter = try g.variable(g.constant(0.0), name: "counter")
        let w = try g.variable(name: "w", shape: [784, 10])
        let noise = try g.variable(g.randomNormal([10], stddev: 0.1), name: "noise")
        let b = try g.variable(g.zeros([10]), name: "b")
        XCTAssertEqual(counter.dtype, .float)
        XCTAssertNotNil(g.variable(for: w))
        // Math and nn ops
        let logits = try g.matMul(x, w) + b + noise
        _ = try g.relu(logits)
        _ = try g.tanh(logits)
        _ = try g.softmax(logits)
        _ = try g.exp(g.log(g.square(logits) + 1))
        _ = try g.sum(logits, axes: [1])
        _ = try g.maximum(logits, g.constant(0.0))
        _ = try g.neg(logits)
        let xent = try g.mean(g.sparseSoftmaxCrossEntropyWithLogits(labels: labels, logits: logits))
        let oneHot = try g.oneHot(labels, depth: 10)
        _ = try g.mean(g.softmaxCrossEntropyWithLogits(labels: oneHot, logits: logits))
        let correct = try g.equal(g.argMax(logits, axis: 1), g.cast(labels, to: .int64))
        let accuracy = try g.mean(g.cast(correct, to: .float))
        let image = try g.reshape(x, to: [-1, 28, 28, 1])
        // Layers and ops
        let conv = try g.layers.conv2d(image, filters: 4, kernelSize: (3, 3), padding: .same, activation: .relu)
        let pooled = try g.layers.maxPooling2d(conv)
        let dense = try g.layers.dense(g.layers.flatten(pooled), units: 10)
        let dropped = try g.layers.dropout(dense, rate: 0.4, training: training)
        let filter = try g.variable(name: "filter", shape: [3, 3, 1, 2])
        let op = try g.maxPool(g.conv2D(image, filter: filter, padding: .same), ksize: (2, 2), strides: (2, 2), padding: .valid)
        XCTAssertEqual(op.shape, TensorShape([nil, 14, 14, 2]))
        let ids = try g.placeholder(.int32, shape: [nil, 4], name: "ids")
        _ = try g.layers.embedding(ids, inputDim: 100, outputDim: 3)
        _ = try g.gather(w, indices: ids)
        // Gradients, control dependencies, update ops
        let gradients = try g.gradients(of: xent, with: [w])
        XCTAssertNotNil(gradients[0])
        let bump: GraphOperation = try g.assign(counter, counter + 1).op
        let loss = try xent + g.mean(g.square(dropped))
        let step = try g.globalStep()
        let rate = try g.placeholder(default: g.constant(0.01), shape: [], name: "learning_rate")
        let train = try g.withControlDependencies([bump]) {
            try AdamOptimizer(learningRate: rate).minimize(loss, globalStep: step)
        }
        let sgd = GradientDescentOptimizer(learningRate: 0.1)
        var pairs = try sgd.computeGradients(loss)
        for i in pairs.indices {
            pairs[i].gradient = try pairs[i].gradient.map { try g.minimum(g.maximum($0, g.constant(-1.0)), g.constant(1.0)) }
        }
        let clippedTrain = try sgd.applyGradients(pairs)
        _ = MomentumOptimizer(learningRate: 0.01, momentum: 0.9)
        _ = RMSPropOptimizer(learningRate: 0.001)
        _ = AdamOptimizer()
        _ = try g.assignSub(counter, g.constant(1.0))
        XCTAssertGreaterThan(g.globalVariables.count, g.trainableVariables.count)
        let loader: (String) throws -> MNIST = MNIST.init(directory:)
        _ = loader
        let both = try g.group([train, clippedTrain])
        // Sessions
        let session = Session(graph: g)
        try session.run(g.globalVariablesInitializer())
        let data = tinyClassification(rows: 4, features: 784, classes: 10)
        let feeds: [Output: Tensor] = [x: data.images, labels: data.labels, ids: Tensor(shape: [4, 4], scalars: [Int32](repeating: 1, count: 16))]
        let fetched = try session.run([loss, accuracy], targets: [both], feeding: feeds)
        XCTAssertEqual(fetched.count, 2)
        try session.run(train, feeding: feeds)
        XCTAssertEqual(try session.value(of: step).scalar(as: Int64.self), 2)
        XCTAssertEqual(try session.run(counter).scalars(as: Float.self), [2])
        // Savers
        let folder = try temporaryFolder("translation")
        try Saver(graph: g).save(session, to: folder + "/model.ckpt")
        let wVariable = try XCTUnwrap(g.variable(for: w))
        try Saver(variables: [wVariable]).restore(session, from: folder + "/model.ckpt")
        try Saver(variables: ["w": wVariable]).restore(session, from: folder + "/model.ckpt")
        try session.restore(from: folder + "/model.ckpt", variables: [wVariable])
        // Data
        let dataset = try Dataset(tensors: [data.images, data.labels]).shuffle(seed: 1).batch(2).prefetch(2)
        XCTAssertEqual(dataset.count, 2)
    }

    // MARK: BuildingAndTraining.md

    func testBuildingAndTraining() throws {
        let data = tinyClassification(rows: 16, features: 36, classes: 3)
        let images = data.images, classes = data.labels
        // snippet: the model
        let g = Graph()
        let x = try g.placeholder(.float, shape: [nil, 6, 6, 1], name: "x")
        let labels = try g.placeholder(.int32, shape: [nil], name: "labels")
        let training = try g.placeholder(default: g.constant(false), shape: [], name: "training")

        let h = try g.layers.conv2d(x, filters: 4, kernelSize: (3, 3), padding: .same, activation: .relu)
        let pooled = try g.layers.maxPooling2d(h)                                  // [?, 3, 3, 4]
        let features = try g.layers.dropout(g.layers.flatten(pooled), rate: 0.25, training: training)
        let logits = try g.layers.dense(features, units: 3, name: "logits")
        print(g.summary())
        // snippet: update ops
        let movingMean = try g.variable(g.zeros([4]), name: "moving_mean", trainable: false)
        let batchMean = try g.mean(h, axes: [0, 1, 2])
        let update = try g.assign(movingMean, movingMean * 0.9 + batchMean * 0.1).op
        // snippet: loss, learning rate, clipping
        let crossEntropy = try g.mean(g.sparseSoftmaxCrossEntropyWithLogits(labels: labels, logits: logits))
        let kernels = g.trainableVariables.filter { $0.name.hasSuffix("kernel") }
        let l2 = try g.addN(kernels.map { try g.sum(g.square($0.value)) * 0.5 })
        let loss = try crossEntropy + 1e-3 * l2

        let step = try g.globalStep()
        // learning_rate = 0.1 · 0.5^(global_step / 100), as tf.train.exponential_decay
        let rate = try 0.1 * g.exp(g.cast(step, to: .float) * (Foundation.log(0.5) / 100))
        let optimizer = MomentumOptimizer(learningRate: rate, momentum: 0.9)

        let train = try g.withControlDependencies([update]) {
            var pairs = try optimizer.computeGradients(loss)
            for i in pairs.indices {
                pairs[i].gradient = try pairs[i].gradient.map { try g.minimum(g.maximum($0, g.constant(-1.0)), g.constant(1.0)) }
            }
            return try optimizer.applyGradients(pairs, globalStep: step)
        }
        // snippet: running
        let session = Session(graph: g)
        try session.run(g.globalVariablesInitializer())     // no feed needed: initializers carry no control dependencies
        let input = try g.reshape(x, to: [-1, 36])           // unused here; shows reshape to a flat batch
        _ = input
        for _ in 0..<5 {
            let l = try session.run(loss, target: train,
                                    feeding: [x: images.reshaped(to: [16, 6, 6, 1]), labels: classes, training: Tensor(true)])
            print("loss", l.scalar(as: Float.self), "step", try session.value(of: step).scalar(as: Int64.self))
        }
        // snippet: checkNumerics
        let safeLogits = try g.checkNumerics(logits, message: "logits")
        _ = try session.run(safeLogits, feeding: [x: images.reshaped(to: [16, 6, 6, 1])])
        session.checksNumerics = true      // or TENSORGRAPH_CHECK_NUMERICS=1
        // end snippet

        XCTAssertEqual(try session.value(of: step).scalar(as: Int64.self), 5)
        XCTAssertNotEqual(session.value(of: try XCTUnwrap(g.variable(for: movingMean)))?.scalars(as: Float.self), [0, 0, 0, 0])

        // The NaN examples of the article: the session-wide check names the first bad node...
        let v = try g.placeholder(.float, shape: [], name: "v")
        let logV = try g.log(v, name: "log_v")
        XCTAssertThrowsError(try session.run(logV, feeding: [v: Tensor(Float(-1))])) { error in
            XCTAssert("\(error)".contains("node 'log_v'") && "\(error)".contains("DocumentationSnippetTests.swift"), "\(error)")
        }
        // ...and a CheckNumerics op reports its message.
        let checked = try g.checkNumerics(logV, message: "log of a negative number")
        session.checksNumerics = false
        XCTAssertThrowsError(try session.run(checked, feeding: [v: Tensor(Float(-1))])) { error in
            XCTAssert("\(error)".contains("log of a negative number"), "\(error)")
        }
    }

    // MARK: SavingAndGraphrun.md

    func testSavingAndGraphrun() throws {
        let folder = try temporaryFolder("saving")
        let data = tinyClassification(rows: 8, features: 4, classes: 2)
        // snippet: saver
        let g = Graph()
        let x = try g.placeholder(.float, shape: [nil, 4], name: "x")
        let labels = try g.placeholder(.int32, shape: [nil], name: "labels")
        let hidden = try g.layers.dense(x, units: 8, activation: .relu, name: "encoder")
        let logits = try g.layers.dense(hidden, units: 2, name: "head")
        let probs = try g.softmax(logits, name: "probs")
        let loss = try g.mean(g.sparseSoftmaxCrossEntropyWithLogits(labels: labels, logits: logits))
        let train = try AdamOptimizer(learningRate: 0.01).minimize(loss, globalStep: g.globalStep())

        let session = Session(graph: g)
        try session.run(g.globalVariablesInitializer())
        try session.run(train, feeding: [x: data.images, labels: data.labels])
        let saver = Saver(graph: g)                                   // every variable: slots and global_step too
        try saver.save(session, to: folder + "/model.ckpt")

        // Only the encoder, e.g. to fine-tune it under a new head:
        let encoder = g.globalVariables.filter { $0.name.hasPrefix("encoder/") && !$0.name.contains("Adam") }
        try Saver(variables: encoder).save(session, to: folder + "/encoder.ckpt")
        // snippet: restore into a smaller graph
        let inference = Graph()
        let input = try inference.placeholder(.float, shape: [nil, 4], name: "x")
        let servedHidden = try inference.layers.dense(input, units: 8, activation: .relu, name: "encoder")
        let served = try inference.softmax(inference.layers.dense(servedHidden, units: 2, name: "head"), name: "probs")
        let restored = Session(graph: inference)
        try Saver(graph: inference).restore(restored, from: folder + "/model.ckpt")   // ignores slots and global_step
        // snippet: name map
        let student = Graph()
        let studentInput = try student.placeholder(.float, shape: [nil, 4], name: "x")
        _ = try student.withNameScope("student") {
            try student.layers.dense(studentInput, units: 8, activation: .relu, name: "encoder")
        }
        let studentSession = Session(graph: student)
        try studentSession.run(student.globalVariablesInitializer())
        let map = Dictionary(uniqueKeysWithValues: student.globalVariables.map { (String($0.name.dropFirst("student/".count)), $0) })
        try studentSession.restore(from: folder + "/encoder.ckpt", variables: map)
        // snippet: freeze and GraphDef
        let frozen = try g.freeze(session, outputs: [probs])          // variables become constants
        try frozen.write(to: folder + "/model.pb")
        let bytes = try frozen.graphDef()                              // the same bytes, in memory
        let loaded = try Graph(contentsOf: folder + "/model.pb")
        let loadedProbs = loaded.output(named: "probs")!
        let loadedX = loaded.output(named: "x")!
        let result = try Session(graph: loaded).run(loadedProbs, feeding: [loadedX: data.images])
        try NPY.write(data.images, to: folder + "/input.npy")         // for graphrun --feed x=input.npy
        // end snippet

        XCTAssertEqual(try Graph(graphDef: bytes).nodes.count, frozen.nodes.count)
        let expected = try session.run(probs, feeding: [x: data.images])
        XCTAssertEqual(result, expected)
        XCTAssertEqual(try restored.run(served, feeding: [input: data.images]), expected)
        let studentKernel = try XCTUnwrap(student.globalVariables.first { $0.name == "student/encoder/kernel" })
        let kernel = try XCTUnwrap(g.globalVariables.first { $0.name == "encoder/kernel" })
        XCTAssertEqual(studentSession.value(of: studentKernel), session.value(of: kernel))
        XCTAssertEqual(try NPY.read(folder + "/input.npy"), data.images)
    }

    // MARK: DataPipeline.md

    func testDataPipeline() throws {
        let folder = try temporaryFolder("data")
        let data = tinyClassification(rows: 20, features: 4, classes: 2)
        let (features, labels) = (data.images, data.labels)
        try NPY.write(features, to: folder + "/x.npy")
        try NPY.write(labels, to: folder + "/y.npy")
        try "a,b,label\n1,2,0\n3,4,1\n5,6,1\n".write(toFile: folder + "/rows.csv", atomically: true, encoding: .utf8)
        for (index, name) in ["cats", "dogs"].enumerated() {
            try FileManager.default.createDirectory(atPath: folder + "/pets/" + name, withIntermediateDirectories: true)
            for i in 0..<3 {
                try PNG.writeGrayscale([UInt8](repeating: UInt8(index * 200 + i), count: 16), height: 4, width: 4,
                                       to: folder + "/pets/\(name)/\(i).png")
            }
        }
        // snippet: sources
        let fromTensors = try Dataset(tensors: [features, labels])        // [20, 4] float32, [20] int32
        let fromNumPy = try Dataset(npyFiles: [folder + "/x.npy", folder + "/y.npy"])
        let fromCSV = try Dataset(csvFile: folder + "/rows.csv", labelColumn: "label")
        let fromImages = try Dataset(imageFolder: folder + "/pets", imageSize: (height: 4, width: 4))
        let pets = try ImageFolder(path: folder + "/pets")
        print(pets.classNames)                                          // ["cats", "dogs"]
        // snippet: transformations
        let pipeline = try fromTensors
            .map { [$0[0], $0[1]] }                                     // per element, before batching
            .shuffle(seed: 42)                                          // a new order every iteration
            .batch(8)                                                   // [8, 4], [8]; the last batch has 4 rows
            .repeat(2)
            .prefetch(2)                                                // built on a background thread
        for batch in pipeline {
            print(batch[0].shape, batch[1].shape)
        }
        // snippet: training
        let g = Graph()
        let x = try g.placeholder(.float, shape: [nil, 4], name: "x")
        let y = try g.placeholder(.int32, shape: [nil], name: "y")
        let logits = try g.layers.dense(x, units: 2)
        let loss = try g.mean(g.sparseSoftmaxCrossEntropyWithLogits(labels: y, logits: logits))
        let accuracy = try g.mean(g.cast(g.equal(g.argMax(logits, axis: 1, outputType: .int32), y), to: .float))
        let train = try AdamOptimizer(learningRate: 0.01).minimize(loss)
        let session = Session(graph: g)
        try session.run(g.globalVariablesInitializer())

        for batch in try fromNumPy.shuffle(seed: 1).batch(8) {            // a plain loop
            try session.run(train, feeding: [x: batch[0], y: batch[1]])
        }
        let trainer = Trainer(session: session, loss: loss, accuracy: accuracy, trainOp: train, inputs: [x, y])
        let history = try trainer.fit(fromTensors.shuffle(seed: 1).batch(8), epochs: 2, verbose: false)
        // end snippet

        XCTAssertEqual(history.count, 2)
        XCTAssertEqual(pipeline.count, 6)
        XCTAssertEqual(Array(pipeline).count, 6)
        XCTAssertEqual(fromCSV.count, 3)
        XCTAssertEqual(fromImages.count, 6)
        XCTAssertEqual(pets.classNames, ["cats", "dogs"])
    }

    // MARK: Performance.md

    func testPerformance() throws {
        // snippet
        let g = Graph()
        let x = try g.placeholder(.float, shape: [nil, 8], name: "x")
        let h = try g.layers.dense(x, units: 16, activation: .relu)      // MatMul + BiasAdd + Relu → _FusedMatMul
        let y = try g.layers.dense(h, units: 2)
        let session = Session(graph: g)
        session.isProfiling = true                                      // or TENSORGRAPH_PROFILE=1
        try session.run(g.globalVariablesInitializer())
        let batch = Tensor(shape: [4, 8], scalars: [Float](repeating: 0.5, count: 32))
        for _ in 0..<10 { _ = try session.run(y, feeding: [x: batch]) }  // one plan, built once, reused
        print(session.profileReport())
        // end snippet
        XCTAssertFalse(session.profileReport().isEmpty)
    }
}
