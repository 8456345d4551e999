import Foundation
import TestSupport
import XCTest
@testable import TensorGraph

/// `Graph.lint`: one test per finding (the finding names the node and the line that built it), and the
/// seed MLP — built, trained and saved the way the README does — gives none.
final class LintTests: XCTestCase {
    /// The README's MLP: placeholders, two dense layers, softmax cross-entropy, gradient descent.
    struct MLP {
        let g = Graph()
        let x: Output, y: Output, logits: Output, loss: Output, train: GraphOperation, initializer: GraphOperation
        init() throws {
            x = try g.placeholder(.float, shape: [nil, 6], name: "x")
            y = try g.placeholder(.float, shape: [nil, 3], name: "y")
            let w1 = try g.variable(name: "W1", shape: [6, 4]), b1 = try g.variable(g.zeros([4]), name: "b1")
            let w2 = try g.variable(name: "W2", shape: [4, 3]), b2 = try g.variable(g.zeros([3]), name: "b2")
            logits = try g.matMul(g.tanh(g.matMul(x, w1) + b1), w2) + b2
            loss = try g.mean(g.softmaxCrossEntropyWithLogits(labels: y, logits: logits))
            train = try GradientDescentOptimizer(learningRate: 0.5).minimize(loss)
            initializer = try g.globalVariablesInitializer()
        }
    }

    var repository: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    }

    func kinds(_ findings: [LintFinding]) -> [LintFinding.Kind] { findings.map(\.kind) }

    func testCleanSeedModelHasNoFindings() throws {
        let m = try MLP()
        let session = Session(graph: m.g)
        try session.run(m.initializer)
        _ = try session.run(m.loss, target: m.train, feeding: [m.x: Tensor(shape: [2, 6], scalars: [Float](repeating: 0.1, count: 12)),
                                                               m.y: Tensor(shape: [2, 3], scalars: [Float](repeating: 1.0 / 3, count: 6))])
        XCTAssertEqual(m.g.lint(), [])
        XCTAssertEqual(m.g.lint(fetches: [m.loss], targets: [m.train], loss: m.loss), [])
    }

    func testUnusedAndUnreachablePlaceholders() throws {
        let m = try MLP()
        let line = #line + 1
        let unused = try m.g.placeholder(.float, shape: [nil], name: "keep_prob")
        let findings = m.g.lint()
        XCTAssertEqual(kinds(findings), [.unusedPlaceholder])
        XCTAssertEqual(findings.first?.node, unused.node.name)
        XCTAssertEqual(findings.first?.location, SourceLocation(file: "TensorGraphTests/LintTests.swift", line: line))
        // Fetching only the logits: the labels placeholder `y` (and `keep_prob`) cannot matter.
        let reach = m.g.lint(fetches: [m.logits])
        XCTAssertEqual(reach.map(\.node), ["y", "keep_prob"])
        XCTAssertEqual(Set(kinds(reach)), [.unreachablePlaceholder])
        XCTAssertEqual(m.g.lint(fetches: [m.loss]).map(\.node), ["keep_prob"])
    }

    func testVariableCreatedAfterInitializer() throws {
        let m = try MLP()
        let late = try m.g.variable(m.g.zeros([2]), name: "late")
        let findings = m.g.lint()
        XCTAssertEqual(kinds(findings), [.uninitializedVariable])
        XCTAssertEqual(findings.first?.node, "late")
        // It really is uninitialized after running `init`.
        let session = Session(graph: m.g)
        try session.run(m.initializer)
        XCTAssertThrowsError(try session.run(late))
    }

    func testTrainableVariableTheLossIgnores() throws {
        let m = try MLP()
        let unused = try m.g.variable(m.g.zeros([3]), name: "bias_never_used")
        // Reached only through ArgMax, which carries no gradient: still nil.
        let throughArgMax = try m.g.variable(m.g.zeros([3]), name: "through_argmax")
        let loss = try m.loss + m.g.cast(m.g.argMax(throughArgMax, axis: 0), to: .float)
        _ = unused
        let initializer = try m.g.globalVariablesInitializer()
        let findings = m.g.lint(loss: loss, initializer: initializer)
        XCTAssertEqual(findings.map(\.node), ["bias_never_used", "through_argmax"])
        XCTAssertEqual(Set(kinds(findings)), [.variableWithoutGradient])
        // The reference: gradients(of:with:) answers nil for exactly those.
        let grads = try m.g.gradients(of: loss, with: m.g.trainableVariables.map(\.value))
        XCTAssertEqual(zip(m.g.trainableVariables, grads).filter { $0.1 == nil }.map(\.0.name), ["bias_never_used", "through_argmax"])
    }

    func testOpsAddedAfterTheFirstRun() throws {
        let m = try MLP()
        let session = Session(graph: m.g)
        try session.run(m.initializer)
        XCTAssertEqual(m.g.lint(), [])
        var leaked: [String] = []
        for _ in 0..<3 {   // TF1's leak: an op built inside the loop
            let line = #line + 1
            let doubled = try m.g.mul(m.logits, m.g.constant(2.0))
            leaked.append(doubled.node.name)
            XCTAssertEqual(doubled.node.location, SourceLocation(file: "TensorGraphTests/LintTests.swift", line: line))
        }
        let findings = m.g.lint().filter { $0.kind == .nodeAddedAfterRun }
        XCTAssertEqual(findings.filter { leaked.contains($0.node) }.count, 3)
        XCTAssert(findings.allSatisfy { $0.location?.file == "TensorGraphTests/LintTests.swift" }, "\(findings)")
    }

    func testFloat64InAFloat32Model() throws {
        let m = try MLP()
        let line = #line + 1
        let wide = try m.g.cast(m.logits, to: .double)
        _ = try m.g.mean(wide * wide)
        let findings = m.g.lint().filter { $0.kind == .mixedFloat64 }
        XCTAssertEqual(findings.map(\.node), [wide.node.name], "reported where float64 enters, not downstream")
        XCTAssertEqual(findings.first?.location?.line, line)
        // An all-float64 model is not mixed.
        let g = Graph()
        let x = try g.placeholder(.double, shape: [2])
        _ = try g.tanh(x)
        XCTAssertEqual(g.lint(), [])
    }

    func testDoubleSoftmax() throws {
        let g = Graph()
        let x = try g.placeholder(.float, shape: [nil, 3]), y = try g.placeholder(.float, shape: [nil, 3])
        let probabilities = try g.softmax(x)
        let line = #line + 1
        let loss = try g.softmaxCrossEntropyWithLogits(labels: y, logits: g.identity(probabilities))
        let findings = g.lint()
        XCTAssertEqual(kinds(findings), [.doubleSoftmax])
        XCTAssertEqual(findings.first?.node, loss.node.name)
        XCTAssertEqual(findings.first?.location?.line, line)
        XCTAssert(findings.first?.message.contains(probabilities.node.name) ?? false)
        let labels = try g.placeholder(.int32, shape: [nil])
        _ = try g.sparseSoftmaxCrossEntropyWithLogits(labels: labels, logits: probabilities)
        XCTAssertEqual(kinds(g.lint()), [.doubleSoftmax, .doubleSoftmax])
    }

    /// Seed 001's notebook loss, kept as written in Examples/MNISTMLP: `log(softmax(probs))` of `probs = softmax(h)`.
    func testSeedNotebookLossIsADoubleSoftmax() throws {
        let g = Graph()
        let h = try g.placeholder(.float, shape: [nil, 10]), y = try g.placeholder(.float, shape: [nil, 10])
        let probs = try g.softmax(h, name: "probs")
        let inner = try g.softmax(probs)
        _ = try g.mean(g.neg(g.sum(y * g.log(inner), axes: [1])))
        let findings = g.lint()
        XCTAssertEqual(kinds(findings), [.doubleSoftmax])
        XCTAssertEqual(findings.first?.node, inner.node.name)
    }

    func testUnusedStatefulOutput() throws {
        let m = try MLP()
        let noise = try m.g.randomUniform(shape: m.g.constant(Tensor([Int32(3)])), seed: 1)   // RandomUniform itself
        let findings = m.g.lint()
        XCTAssertEqual(kinds(findings), [.unusedStatefulOutput])
        XCTAssertEqual(findings.first?.node, noise.node.name)
        XCTAssertEqual(m.g.lint(fetches: [noise]).filter { $0.kind == .unusedStatefulOutput }, [], "a fetched op is used")
    }

    func testGraphrunLintOnSeedModelAndOnAFlawedGraph() throws {
        let dir = try temporaryDirectory("lint")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let clean = try runGraphrun(["lint", "Graphs/mnist-mlp.pb"], in: repository, anchor: Self.self)
        XCTAssertEqual(clean.status, 0, clean.stdout + clean.stderr)
        XCTAssert(clean.stdout.contains("0 findings"), clean.stdout)

        let g = Graph()
        let x = try g.placeholder(.float, shape: [nil, 3], name: "x"), y = try g.placeholder(.float, shape: [nil, 3], name: "y")
        _ = try g.placeholder(.float, shape: [1], name: "unused")
        _ = try g.softmaxCrossEntropyWithLogits(labels: y, logits: g.softmax(x), name: "xent")
        try g.write(to: dir + "/flawed.pb")
        let flawed = try runGraphrun(["lint", dir + "/flawed.pb", "--json"], anchor: Self.self)
        XCTAssertEqual(flawed.status, 2, flawed.stderr)
        let objects = try JSONSerialization.jsonObject(with: Data(flawed.stdout.utf8)) as? [[String: String]]
        XCTAssertEqual(objects?.map { $0["kind"] ?? "" }, ["unusedPlaceholder", "doubleSoftmax"])
        XCTAssertEqual(objects?.map { $0["node"] ?? "" }, ["unused", "xent"])
        let missing = try runGraphrun(["lint", dir + "/flawed.pb", "--fetch", "nope:0"], anchor: Self.self)
        XCTAssertEqual(missing.status, 1)
        XCTAssert(missing.stderr.contains("no output 'nope:0'"), missing.stderr)
    }
}
