// tgstress: child processes for the crash-safety tests and the soak run (not a user tool).
//
//   tgstress loop DIR FLOATS [FIRST] save DIR/ckpt-N (every value = N), N = FIRST (1), FIRST + 1, ... until killed
//   tgstress once DIR FLOATS VALUE [FSIZE]
//                                    save DIR/ckpt-VALUE once; with FSIZE, under RLIMIT_FSIZE = FSIZE bytes
//                                    and SIGXFSZ ignored (a full disk): exit 3 after a typed error
//   tgstress soak STEPS [EVERY]      train the seed MNIST MLP for STEPS steps, printing RSS every EVERY (1,000)
//
// Tests/TensorGraphTests/Security/CrashSafetyTests.swift and Tools/soak.sh run it.
import Foundation
import TensorGraph

func usage() -> Never {
    FileHandle.standardError.write(Data("usage: tgstress loop DIR FLOATS [FIRST] | once DIR FLOATS VALUE [FSIZE] | soak STEPS [EVERY]\n".utf8))
    exit(64)
}

let arguments = CommandLine.arguments
guard arguments.count >= 3 else { usage() }
do {
    switch arguments[1] {
    case "loop", "once":
        guard arguments.count >= 4, let floats = Int(arguments[3]), floats > 0 else { usage() }
        let writer = try CheckpointWriter(directory: arguments[2], floats: floats)
        if arguments[1] == "loop" { try writer.loop(from: arguments.count >= 5 ? Int(arguments[4]) ?? 1 : 1) }
        guard arguments.count >= 5, let value = Int(arguments[4]) else { usage() }
        if arguments.count >= 6 {
            guard let limit = UInt64(arguments[5]) else { usage() }
            signal(SIGXFSZ, SIG_IGN)   // a write past the limit then fails with EFBIG instead of killing us
            var rl = rlimit(rlim_cur: rlim_t(limit), rlim_max: rlim_t(limit))
            guard setrlimit(Int32(RLIMIT_FSIZE.rawValue), &rl) == 0 else { exit(65) }
        }
        try writer.save(value)
    case "soak":
        guard let steps = Int(arguments[2]), steps > 0 else { usage() }
        let every = arguments.count >= 4 ? Int(arguments[3]) ?? 1000 : 1000
        try soak(steps: steps, every: max(1, every))
    default:
        usage()
    }
} catch let error as TensorGraphError {
    print("typed error: \(error)")
    exit(3)
}

/// One float32 variable of `floats` elements and a saver for it.
struct CheckpointWriter {
    let directory: String, floats: Int
    let graph = Graph(), session: Session, weights: Variable

    init(directory: String, floats: Int) throws {
        self.directory = directory
        self.floats = floats
        weights = try graph.variable(graph.zeros([floats]), name: "weights").resolvedVariable()
        session = Session(graph: graph)
    }

    /// Sets every element to `value` and saves `DIR/ckpt-value` (TF checkpoint V2 + the state file).
    func save(_ value: Int) throws {
        try session.setValue(Tensor(shape: [floats], scalars: [Float](repeating: Float(value), count: floats)), for: weights)
        try Saver(graph: graph).save(session, to: "\(directory)/ckpt-\(value)")
    }

    /// Saves steps `first`, `first + 1`, ... until killed, deleting all but the two newest checkpoints.
    func loop(from first: Int) throws -> Never {
        var step = first
        while true {
            try save(step)
            if step > 2 {
                for suffix in [".index", ".data-00000-of-00001"] { unlink("\(directory)/ckpt-\(step - 2)\(suffix)") }
            }
            step += 1
        }
    }
}

/// Resident set size in kB, from `/proc/self/status` (`VmRSS`); 0 where there is none.
func residentKilobytes() -> Int {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
          let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }) else { return 0 }
    return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
}

/// Trains the README's MLP (784-64 tanh-10, SGD 0.5, batch 32) over MNIST in a cycle for `steps` steps.
func soak(steps: Int, every: Int) throws {
    guard let directory = MNIST.locateBundled() else { throw TensorGraphError.fileError(path: "Examples/Data/mnist", message: "MNIST not found") }
    let mnist = try MNIST(directory: directory)
    let g = Graph()
    let x = try g.placeholder(.float, shape: [nil, 784], name: "x")
    let y = try g.placeholder(.float, shape: [nil, 10], name: "y")
    let w1 = try g.variable(name: "W1", shape: [784, 64]), b1 = try g.variable(g.zeros([64]), name: "b1")
    let w2 = try g.variable(name: "W2", shape: [64, 10]), b2 = try g.variable(g.zeros([10]), name: "b2")
    let logits = try g.matMul(g.tanh(g.matMul(x, w1) + b1), w2) + b2
    let loss = try g.mean(g.softmaxCrossEntropyWithLogits(labels: y, logits: logits))
    let train = try GradientDescentOptimizer(learningRate: 0.5).minimize(loss)
    let session = Session(graph: g)
    try session.run(g.globalVariablesInitializer())
    let feeds = mnist.train.batches(of: 32, dropRemainder: true).map { [x: $0.images, y: $0.oneHotLabels] }
    let start = Date()
    print("step 0 rss_kb \(residentKilobytes())")
    var lastLoss: Float = 0
    for step in 1...steps {
        lastLoss = try session.run(loss, target: train, feeding: feeds[(step - 1) % feeds.count]).scalar(as: Float.self)
        if step % every == 0 || step == steps {
            print(String(format: "step %d rss_kb %d loss %.4f elapsed_s %.1f", step, residentKilobytes(), lastLoss, Date().timeIntervalSince(start)))
            fflush(nil)   // all streams: `stdout` is a global Swift 6 will not touch
        }
    }
}
