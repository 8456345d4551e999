// Seed 000 SimpleModel: Flatten, Dense 32 relu, Dense 10 logits; Adam, batch 32, 5 epochs.
import ExampleSupport
import TensorGraph

runExample {
    let options = ExampleOptions()
    let mnist = try loadMNIST(options)
    let g = Graph()
    let seed = options.int("--seed", default: 1)
    if seed != 1 { g.randomSeed = seed }
    let x = try g.placeholder(.float, shape: [nil, 784], name: "x")
    let labels = try g.placeholder(.int32, shape: [nil], name: "labels")
    let hidden = try g.dense(x, units: 32, activation: .relu)
    let logits = try g.dense(hidden, units: 10, name: "logits")
    let (loss, accuracy) = try classificationMetrics(g, logits: logits, labels: labels)
    let train = try AdamOptimizer().minimize(loss)
    print(g.summary(title: "mnist-dense"))

    let session = Session(graph: g)
    try session.run(g.globalVariablesInitializer())
    let trainer = Trainer(session: session, loss: loss, accuracy: accuracy, trainOp: train) { batch, _ in
        [x: batch.images, labels: batch.labels]
    }
    let history = try trainer.fit(mnist.train, epochs: options.int("--epochs", default: 5), batchSize: 32, shuffleSeed: UInt64(seed), test: mnist.test)
    report("mnist-dense", history: history, target: 96.5)
}
