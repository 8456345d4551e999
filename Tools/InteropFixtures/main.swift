// Writes fixtures for Tools/interop.py: a training graph with gradients and optimizer updates, built
// here, plus the losses and weights TensorGraph computes for it, so TensorFlow can be checked against them;
// and train-lstm-bn (an LSTM loop + batch normalization, Adam) for `Tools/interop-metagraph.py lstm DIR`.
import Foundation
import TensorGraph

let directory = CommandLine.arguments.dropFirst().first ?? "interop-fixtures"
do {
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    guard let data = MNIST.locateBundled() else { throw TensorGraphError.fileError(path: "Examples/Data/mnist", message: "MNIST not found") }
    let mnist = try MNIST(directory: data)
    let batch = mnist.train.subset(0..<16)

    // Deterministic initial values, fed to the graph as constants so TensorFlow starts from the same point.
    var state: UInt64 = 42
    func values(_ shape: [Int], scale: Float) -> Tensor {
        Tensor(shape: shape, scalars: (0..<shape.reduce(1, *)).map { _ -> Float in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return (Float(state >> 40) / Float(1 << 24) - 0.5) * 2 * scale
        })
    }

    for optimizerName in ["sgd", "adam", "momentum", "rmsprop"] {
        let g = Graph()
        let x = try g.placeholder(.float, shape: [nil, 784], name: "x")
        let labels = try g.placeholder(.int32, shape: [nil], name: "labels")
        let y = try g.placeholder(.float, shape: [nil, 10], name: "y")
        let images = try g.reshape(x, to: [-1, 28, 28, 1])
        let k1 = try g.variable(g.constant(values([3, 3, 1, 4], scale: 0.3)), name: "conv/kernel")
        let c1 = try g.relu(g.biasAdd(g.conv2D(images, filter: k1, strides: (2, 2), padding: .same), g.variable(g.constant(values([4], scale: 0.1)), name: "conv/bias")))
        let p1 = try g.maxPool(c1, ksize: (2, 2), strides: (2, 2), padding: .valid)
        let a1 = try g.avgPool(p1, ksize: (2, 2), strides: (1, 1), padding: .same)
        let flat = try g.reshape(a1, to: [-1, 7 * 7 * 4])
        let w1 = try g.variable(g.constant(values([196, 32], scale: 0.1)), name: "dense/kernel")
        let h = try g.tanh(g.matMul(flat, w1) + g.variable(g.constant(values([32], scale: 0.1)), name: "dense/bias"))
        let w2 = try g.variable(g.constant(values([32, 10], scale: 0.3)), name: "out/kernel")
        let logits = try g.biasAdd(g.matMul(h, w2), g.variable(g.constant(values([10], scale: 0.1)), name: "out/bias"))
        let sparse = try g.mean(g.sparseSoftmaxCrossEntropyWithLogits(labels: labels, logits: logits))
        let dense = try g.mean(g.softmaxCrossEntropyWithLogits(labels: y, logits: logits))
        let extra = try g.mean(g.square(g.sigmoid(logits))) * g.constant(Float(0.1))
        let loss = try g.add(sparse + dense, extra, name: "loss")
        let optimizer: Optimizer
        switch optimizerName {
        case "sgd": optimizer = GradientDescentOptimizer(learningRate: 0.1)
        // ε = 1e-5 rather than 1e-8: with near-zero gradients m/(√v + ε) divides two rounding-level
        // numbers, and float32 rounding differences (not semantics) would dominate the comparison.
        case "adam": optimizer = AdamOptimizer(learningRate: 0.01, epsilon: 1e-5)
        case "momentum": optimizer = MomentumOptimizer(learningRate: 0.05, momentum: 0.9, useNesterov: true)
        default: optimizer = RMSPropOptimizer(learningRate: 0.01, momentum: 0.5)
        }
        let train = try optimizer.minimize(loss, globalStep: g.globalStep())
        let initializer = try g.globalVariablesInitializer()
        let session = Session(graph: g)
        try session.run(initializer)
        let feeds = [x: batch.images, labels: batch.labels, y: batch.oneHotLabels]
        var losses: [Float] = []
        for _ in 0..<3 { losses.append(try session.run(loss, target: train, feeding: feeds).scalar()) }
        losses.append(try session.run(loss, feeding: feeds).scalar())
        try g.write(to: "\(directory)/train-\(optimizerName).pb")
        try NPY.write(Tensor(losses), to: "\(directory)/train-\(optimizerName).losses.npy")
        try NPY.write(session.run(w1), to: "\(directory)/train-\(optimizerName).dense_kernel.npy")
        let manifest = "{\"train\": \"\(train.name)\", \"init\": \"\(initializer.name)\", \"loss\": \"\(loss.name)\", \"weight\": \"\(w1.name)\"}"
        try writeFileAtomically(Array(manifest.utf8), to: "\(directory)/train-\(optimizerName).json")
        print("wrote train-\(optimizerName).pb: \(g.nodes.count) nodes, ops \(Set(g.nodes.map(\.opName)).sorted().joined(separator: " "))")
    }
    try writeRecurrentFixture(batch: batch, directory: directory, values: values)
    try NPY.write(batch.images, to: "\(directory)/x.npy")
    try NPY.write(batch.labels, to: "\(directory)/labels.npy")
    try NPY.write(batch.oneHotLabels, to: "\(directory)/y.npy")
} catch {
    FileHandle.standardError.write(Data("error: \(error)\n".utf8))
    exit(1)
}

/// train-lstm-bn: an LSTM over the images' 28 rows (`dynamicRNN`: a `StatelessWhile` writing its outputs
/// to a TensorList, with sequence lengths), batch normalization in training mode with its moving-average
/// updates, a dense layer and sparse softmax cross-entropy, trained with Adam for 3 steps. The cell's
/// initial weights come from its own initializers, so they are written too (`.init.json` names each
/// variable and its `.npy`) for TensorFlow to assign after running the initializer.
func writeRecurrentFixture(batch: LabeledImages, directory: String, values: (_ shape: [Int], _ scale: Float) -> Tensor) throws {
    let g = Graph()
    let x = try g.placeholder(.float, shape: [nil, 784], name: "x")
    let labels = try g.placeholder(.int32, shape: [nil], name: "labels")
    let lengths = try g.placeholder(.int32, shape: [nil], name: "lengths")
    let cell = try BasicLSTMCell(numUnits: 8)
    let (outputs, state) = try g.dynamicRNN(cell, inputs: g.reshape(x, to: [-1, 28, 28]), sequenceLengths: lengths)
    // Every step's output (the list's gradient) and the final state (the state's gradient).
    let features = try g.add(g.mean(outputs, axes: [1]), state[1])
    let normalized = try g.layers.batchNormalization(features, training: true, momentum: 0.9)
    let w = try g.variable(g.constant(values([8, 10], 0.3)), name: "out/kernel")
    let logits = try g.biasAdd(g.matMul(normalized, w), g.variable(g.constant(values([10], 0.1)), name: "out/bias"))
    let loss = try g.mean(g.sparseSoftmaxCrossEntropyWithLogits(labels: labels, logits: logits), name: "loss")
    let train = try g.withControlDependencies(g.collection(.updateOps).map(\.op)) {
        try AdamOptimizer(learningRate: 0.01, epsilon: 1e-5).minimize(loss, globalStep: g.globalStep())
    }
    let initializer = try g.globalVariablesInitializer()
    let session = Session(graph: g)
    try session.run(initializer)
    let rowLengths = Tensor((0..<batch.count).map { Int32(28 - ($0 % 4) * 5) })
    let feeds = [x: batch.images, labels: batch.labels, lengths: rowLengths]
    var initial: [String] = []
    for (k, v) in cell.variables.enumerated() {
        try NPY.write(session.run(v), to: "\(directory)/train-lstm-bn.init\(k).npy")
        initial.append("\"\(v.name)\": \"train-lstm-bn.init\(k).npy\"")
    }
    var losses: [Float] = []
    for _ in 0..<3 { losses.append(try session.run(loss, target: train, feeding: feeds).scalar()) }
    losses.append(try session.run(loss, feeding: feeds).scalar())
    try g.write(to: "\(directory)/train-lstm-bn.pb")
    try NPY.write(Tensor(losses), to: "\(directory)/train-lstm-bn.losses.npy")
    try NPY.write(rowLengths, to: "\(directory)/lengths.npy")
    let checked = cell.variables + [w]
    for (k, v) in checked.enumerated() { try NPY.write(session.run(v), to: "\(directory)/train-lstm-bn.weight\(k).npy") }
    let manifest = "{\"train\": \"\(train.name)\", \"init\": \"\(initializer.name)\", \"loss\": \"\(loss.name)\", "
        + "\"weights\": [\(checked.map { "\"\($0.name)\"" }.joined(separator: ", "))], \"initial\": {\(initial.joined(separator: ", "))}}"
    try writeFileAtomically(Array(manifest.utf8), to: "\(directory)/train-lstm-bn.json")
    print("wrote train-lstm-bn.pb: \(g.nodes.count) nodes, \(g.library.functions.count) functions, ops \(Set(g.nodes.map(\.opName)).sorted().joined(separator: " "))")
}
