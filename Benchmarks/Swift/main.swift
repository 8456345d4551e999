// TensorGraph side of the benchmarks (release build). Prints one JSON object per workload.
//   tgbench [--workloads machine,sgemm,adam,overhead,allocations,mlp,fashion,cnn,inference] [--epochs N] [--fashion DIR] [--seed N]
//           [--inference-batches 1000,1]
import Foundation
import TensorGraph

let arguments = Array(CommandLine.arguments.dropFirst())
func option(_ name: String) -> String? {
    guard let i = arguments.firstIndex(of: name), i + 1 < arguments.count else { return nil }
    return arguments[i + 1]
}
let workloads = Set((option("--workloads") ?? "machine,sgemm,adam,mlp,fashion,cnn,inference").split(separator: ",").map(String.init))
let timedEpochs = Int(option("--epochs") ?? "3") ?? 3

/// The kernels the seed CNN's two convolutions run on, per pass (oneDNN implementation names or our own loops).
let convolutionKernels = ["conv1 (1 → 16)": Parallelism.convolutionKernels(input: [128, 28, 28, 1], kernel: (5, 5), filters: 16),
                          "conv2 (16 → 32)": Parallelism.convolutionKernels(input: [128, 14, 14, 16], kernel: (5, 5), filters: 32)]

func emit(_ object: [String: Any]) {
    var o = object
    o["framework"] = "tensorgraph"
    o["threads"] = Parallelism.workers
    Parallelism.prepareBLAS()
    o["blas_core"] = Parallelism.blasCoreName
    o["gemm_library"] = Parallelism.gemmDescription
    o["conv_kernels"] = convolutionKernels
    o["kernel_isa"] = Parallelism.kernelInstructionSet
    let data = try! JSONSerialization.data(withJSONObject: o, options: [.sortedKeys])
    print(String(decoding: data, as: UTF8.self))
    fflush(nil)
}

func median(_ v: [Double]) -> Double { let s = v.sorted(); return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2 }

/// A training workload: its session, the fetched loss, the training op and one epoch of feeds in file order.
struct Workload {
    let session: Session
    let loss: Output
    let train: GraphOperation
    let feeds: [[Output: Tensor]]
    /// Test accuracy of the current weights.
    let accuracy: () throws -> Double

    /// Seconds of each timed epoch, after one warm-up epoch.
    func timedEpochs(_ count: Int) throws -> [Double] {
        var seconds: [Double] = []
        for epoch in 0...count {
            let start = DispatchTime.now().uptimeNanoseconds
            for f in feeds { _ = try session.run(loss, target: train, feeding: f) }
            if epoch > 0 { seconds.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9) }
        }
        return seconds
    }
}

/// Seed 001: 784-64 tanh-10, softmax cross-entropy, SGD 0.5, batch 32, 1875 steps, file order.
func mlpWorkload(_ mnist: MNIST) throws -> Workload {
    let g = Graph()
    let x = try g.placeholder(.float, shape: [nil, 784], name: "x"), y = try g.placeholder(.float, shape: [nil, 10], name: "y")
    let w1 = try g.variable(name: "W1", shape: [784, 64]), b1 = try g.variable(g.zeros([64]), name: "b1")
    let w2 = try g.variable(name: "W2", shape: [64, 10]), b2 = try g.variable(g.zeros([10]), name: "b2")
    let logits = try g.matMul(g.tanh(g.matMul(x, w1) + b1), w2) + b2
    let loss = try g.mean(g.softmaxCrossEntropyWithLogits(labels: y, logits: logits))
    let train = try GradientDescentOptimizer(learningRate: 0.5).minimize(loss)
    let accuracy = try g.mean(g.cast(g.equal(g.argMax(logits, axis: 1), g.argMax(y, axis: 1)), to: .float))
    let s = Session(graph: g)
    try s.run(g.globalVariablesInitializer())
    return Workload(session: s, loss: loss, train: train,
                    feeds: mnist.train.batches(of: 32, dropRemainder: true).map { [x: $0.images, y: $0.oneHotLabels] },
                    accuracy: { Double(try s.run(accuracy, feeding: [x: mnist.test.images, y: mnist.test.oneHotLabels]).scalar(as: Float.self)) })
}

/// Seed 003: Flatten, Dense 256 relu, Dense 10; sparse softmax cross-entropy, Adam, batch 64, file order.
func fashionWorkload(_ fashion: MNIST) throws -> Workload {
    let g = Graph()
    // `--seed N` changes the initial weights (to see how much accuracy varies with them alone).
    if let seed = option("--seed").flatMap(Int.init) { g.randomSeed = seed }
    let x = try g.placeholder(.float, shape: [nil, 784], name: "x"), labels = try g.placeholder(.int32, shape: [nil], name: "labels")
    let logits = try g.layers.dense(g.layers.dense(x, units: 256, activation: .relu), units: 10)
    let loss = try g.mean(g.sparseSoftmaxCrossEntropyWithLogits(labels: labels, logits: logits))
    let train = try AdamOptimizer().minimize(loss)
    let accuracy = try g.mean(g.cast(g.equal(g.argMax(logits, axis: 1, outputType: .int32), labels), to: .float))
    let s = Session(graph: g)
    try s.run(g.globalVariablesInitializer())
    return Workload(session: s, loss: loss, train: train, feeds: fashion.train.batches(of: 64).map { [x: $0.images, labels: $0.labels] },
                    accuracy: { Double(try s.run(accuracy, feeding: [x: fashion.test.images, labels: fashion.test.labels]).scalar(as: Float.self)) })
}

/// Seed 002: Conv 16 5x5 same, pool, Conv 32 5x5 same, pool, Dense 128, Dropout 0.4, Dense 10; Adam, batch 128.
/// Also returns the input placeholder and the softmax output for the inference workloads.
func cnnWorkload(_ mnist: MNIST) throws -> (Workload, x: Output, probabilities: Output) {
    let g = Graph()
    let x = try g.placeholder(.float, shape: [nil, 784], name: "x"), labels = try g.placeholder(.int32, shape: [nil], name: "labels")
    let training = try g.placeholder(default: g.constant(false), shape: [], name: "training")
    var h = try g.layers.conv2d(g.reshape(x, to: [-1, 28, 28, 1]), filters: 16, kernelSize: (5, 5), padding: .same, activation: .relu)
    h = try g.layers.maxPooling2d(h)
    h = try g.layers.conv2d(h, filters: 32, kernelSize: (5, 5), padding: .same, activation: .relu)
    h = try g.layers.maxPooling2d(h)
    h = try g.layers.dropout(g.layers.dense(g.layers.flatten(h), units: 128, activation: .relu), rate: 0.4, training: training)
    let logits = try g.layers.dense(h, units: 10)
    let probabilities = try g.softmax(logits)
    let loss = try g.mean(g.sparseSoftmaxCrossEntropyWithLogits(labels: labels, logits: logits))
    let train = try AdamOptimizer().minimize(loss)
    let accuracy = try g.mean(g.cast(g.equal(g.argMax(logits, axis: 1, outputType: .int32), labels), to: .float))
    let s = Session(graph: g)
    try s.run(g.globalVariablesInitializer())
    let on = Tensor(true)
    let workload = Workload(session: s, loss: loss, train: train,
                            feeds: mnist.train.batches(of: 128).map { [x: $0.images, labels: $0.labels, training: on] },
                            accuracy: {
                                var correct = 0.0
                                for batch in mnist.test.batches(of: 1000) {
                                    correct += Double(try s.run(accuracy, feeding: [x: batch.images, labels: batch.labels]).scalar(as: Float.self)) * Double(batch.count)
                                }
                                return correct / 10_000
                            })
    return (workload, x, probabilities)
}

do {
    let mnist = try MNIST(directory: MNIST.locateBundled() ?? "Examples/Data/mnist")

    if workloads.contains("sgemm") {
        // The machine's sgemm peak as TensorGraph drives it (its float32 GEMM library single-threaded, rows split
        // across workers): the fastest GEMM TensorGraph has, so CNN GFLOP/s is never above 100% of it.
        let g = Graph()
        let a = try g.placeholder(.float, shape: [1024, 1024]), b = try g.placeholder(.float, shape: [1024, 1024])
        let c = try g.matMul(a, b)
        let s = Session(graph: g)
        let ones = Tensor(shape: [1024, 1024], scalars: [Float](repeating: 1, count: 1 << 20))
        for _ in 0..<3 { _ = try s.run(c, feeding: [a: ones, b: ones]) }
        var times: [Double] = []
        for _ in 0..<10 {
            let t = DispatchTime.now().uptimeNanoseconds
            _ = try s.run(c, feeding: [a: ones, b: ones])
            times.append(Double(DispatchTime.now().uptimeNanoseconds - t) / 1e9)
        }
        emit(["workload": "sgemm", "gflops": 2.0 * 1024 * 1024 * 1024 / median(times) / 1e9])

        // The fastest convolution kernel on the CNN's heaviest layer (batch 128, 14×14×16 → 32 filters 5×5):
        // oneDNN's direct convolutions outrun its sgemm, so the peak the CNN is compared with is the faster.
        let cg = Graph()
        let cx = try cg.placeholder(.float, shape: [128, 14, 14, 16])
        let cy = try cg.conv2D(cx, filter: cg.constant(Tensor(shape: [5, 5, 16, 32], scalars: [Float](repeating: 0.01, count: 12800))),
                               padding: .same)
        let cs = Session(graph: cg)
        let images = Tensor(shape: [128, 14, 14, 16], scalars: [Float](repeating: 1, count: 128 * 14 * 14 * 16))
        for _ in 0..<5 { _ = try cs.run(cy, feeding: [cx: images]) }
        var convTimes: [Double] = []
        for _ in 0..<20 {
            let t = DispatchTime.now().uptimeNanoseconds
            _ = try cs.run(cy, feeding: [cx: images])
            convTimes.append(Double(DispatchTime.now().uptimeNanoseconds - t) / 1e9)
        }
        let convFlops: Double = 2 * 128 * 14 * 14 * 25 * 16 * 32
        emit(["workload": "conv_peak", "gflops": convFlops / median(convTimes) / 1e9])
    }

    if workloads.contains("overhead") {
        // Session.run overhead: one feed, one fetch, a one-node plan.
        let g = Graph()
        let x = try g.placeholder(.float, shape: [1], name: "x")
        let y = try g.identity(x)
        let s = Session(graph: g)
        let one = Tensor([Float(1)])
        for _ in 0..<1000 { _ = try s.run(y, feeding: [x: one]) }
        let start = DispatchTime.now().uptimeNanoseconds
        for _ in 0..<100_000 { _ = try s.run(y, feeding: [x: one]) }
        emit(["workload": "run_overhead", "microseconds": Double(DispatchTime.now().uptimeNanoseconds - start) / 1e3 / 100_000])
    }

    if workloads.contains("machine") {
        let cpu = Parallelism.cpuDescription
        emit(["workload": "machine", "cpu_model": cpu.model, "cpu_extensions": cpu.extensions])
    }

    if workloads.contains("adam") {
        // ApplyAdam over a 4M-element variable (one pass reads var, m, v, grad and writes var, m, v: 28 bytes
        // an element, a 64 MB footprint) against the copy bandwidth over the same footprint.
        let n = 1 << 22
        let g = Graph()
        let w = try g.variable(name: "w", shape: [n], initializer: .zeros)
        let grad = try g.placeholder(.float, shape: [n], name: "grad")
        guard let variable = g.variable(for: w) else { throw TensorGraphError.invalidArgument("w is not a variable") }
        let step = try AdamOptimizer().applyGradients([GradientAndVariable(gradient: grad, variable: variable)])
        let s = Session(graph: g)
        try s.run(g.globalVariablesInitializer())
        let feed = [grad: Tensor(shape: [n], scalars: [Float](repeating: 0.001, count: n))]
        for _ in 0..<5 { try s.run(step, feeding: feed) }
        var times: [Double] = []
        for _ in 0..<20 {
            let t = DispatchTime.now().uptimeNanoseconds
            try s.run(step, feeding: feed)
            times.append(Double(DispatchTime.now().uptimeNanoseconds - t) / 1e9)
        }
        // The reference: a copy over the same footprint (half of the 64 MB read, half written), split across
        // the same number of threads as the Adam kernel.
        let half = 2 * n * 4, threads = Parallelism.workers
        let source = UnsafeMutableRawPointer.allocate(byteCount: half, alignment: 64)
        let target = UnsafeMutableRawPointer.allocate(byteCount: half, alignment: 64)
        defer { source.deallocate(); target.deallocate() }
        source.initializeMemory(as: UInt8.self, repeating: 1, count: half)
        target.initializeMemory(as: UInt8.self, repeating: 0, count: half)
        nonisolated(unsafe) let (from, to) = (source, target)
        var copies: [Double] = []
        for _ in 0..<20 {
            let t = DispatchTime.now().uptimeNanoseconds
            DispatchQueue.concurrentPerform(iterations: threads) { k in
                let lo = half * k / threads, hi = half * (k + 1) / threads
                (to + lo).copyMemory(from: from + lo, byteCount: hi - lo)
            }
            copies.append(Double(DispatchTime.now().uptimeNanoseconds - t) / 1e9)
        }
        emit(["workload": "adam_bandwidth", "adam_gbps": 28.0 * Double(n) / median(times) / 1e9, "adam_microseconds": median(times) * 1e6,
              "copy_gbps": 2.0 * Double(half) / median(copies) / 1e9, "elements": n])
    }

    if workloads.contains("allocations") {
        // Heap allocations per steady-state training step of each workload, counted by Benchmarks/MallocCounter
        // when it is preloaded (without it the steps still run, e.g. under heaptrack, and nothing is counted).
        typealias Counter = @convention(c) () -> Int
        let count = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "tg_malloc_count").map { unsafeBitCast($0, to: Counter.self) }
        let fashion = try? MNIST(directory: option("--fashion") ?? MNIST.fashionDebianDirectory)
        var measured: [(String, Workload)] = [("mlp_sgd", try mlpWorkload(mnist))]
        if let fashion { measured.append(("fashion_mlp_adam", try fashionWorkload(fashion))) }
        measured.append(("cnn_adam", try cnnWorkload(mnist).0))
        for (name, w) in measured {
            let feeds = w.feeds.prefix(320)
            for f in feeds.prefix(20) { _ = try w.session.run(w.loss, target: w.train, feeding: f) }
            let before = count?() ?? 0
            for f in feeds.dropFirst(20) { _ = try w.session.run(w.loss, target: w.train, feeding: f) }
            if let count {
                let total = count() - before
                emit(["workload": "allocations_\(name)", "allocations_per_step": Double(total) / Double(feeds.count - 20),
                      "allocations": total, "steps": feeds.count - 20])
            } else {
                emit(["workload": "allocations_\(name)", "error": "preload .build/release/libtgmalloccount.so to count allocations"])
            }
        }
    }

    if workloads.contains("mlp") {
        let w = try mlpWorkload(mnist)
        let seconds = try w.timedEpochs(timedEpochs)
        emit(["workload": "mlp", "epoch_seconds": seconds, "median_seconds": median(seconds), "accuracy": try w.accuracy(), "epochs": timedEpochs + 1])
    }

    if workloads.contains("fashion") {
        let w = try fashionWorkload(MNIST(directory: option("--fashion") ?? MNIST.fashionDebianDirectory))
        let seconds = try w.timedEpochs(timedEpochs)
        emit(["workload": "fashion_mlp", "epoch_seconds": seconds, "median_seconds": median(seconds), "accuracy": try w.accuracy(), "epochs": timedEpochs + 1])
    }

    if workloads.contains("cnn") || workloads.contains("inference") {
        let (w, x, probabilities) = try cnnWorkload(mnist)
        let s = w.session
        if workloads.contains("cnn") {
            let seconds = try w.timedEpochs(timedEpochs)
            // FLOPs per training step: forward + input and filter gradients of both convolutions and both dense layers.
            let conv1: Double = 784 * 25 * 16 * 2, conv2: Double = 196 * 400 * 32 * 3
            let dense: Double = (1568 * 128 + 128 * 10) * 3
            let epochFlops: Double = 2 * 128 * (conv1 + conv2 + dense) * 469
            emit(["workload": "cnn", "epoch_seconds": seconds, "median_seconds": median(seconds), "accuracy": try w.accuracy(),
                  "epochs": timedEpochs + 1, "gflops": epochFlops / median(seconds) / 1e9])
        }
        if workloads.contains("inference") {
            for batchSize in (option("--inference-batches") ?? "1000,1").split(separator: ",").compactMap({ Int($0) }) {
                let feeds = mnist.test.batches(of: batchSize).map { [x: $0.images] }
                for f in feeds.prefix(batchSize == 1 ? 200 : 2) { _ = try s.run(probabilities, feeding: f) }
                var rates: [Double] = []
                for _ in 0..<3 {
                    let start = DispatchTime.now().uptimeNanoseconds
                    for f in feeds { _ = try s.run(probabilities, feeding: f) }
                    rates.append(10_000 / (Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9))
                }
                emit(["workload": "cnn_inference_b\(batchSize)", "images_per_second": median(rates)])
            }
        }
    }
} catch {
    FileHandle.standardError.write(Data("tgbench: error: \(error)\n".utf8))
    exit(1)
}
