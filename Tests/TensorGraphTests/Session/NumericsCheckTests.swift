import Foundation
import MallocCounter
import TestSupport
import XCTest
@testable import TensorGraph

/// NaN and Inf are errors when asked for: the `CheckNumerics` op (one tensor) and `Session.checksNumerics`
/// (every float output of every step), each naming the node, its op, the Swift line that built it, the
/// kind of the first bad element and its flat index.
final class NumericsCheckTests: XCTestCase {
    private let thisFile = "\(#fileID)"

    /// The error `body` throws, which must be a `NumericsError`.
    private func numericsError(_ body: () throws -> Void, file: StaticString = #filePath, line: UInt = #line) -> NumericsError? {
        do {
            try body()
            XCTFail("no error: the non-finite value passed silently", file: file, line: line)
        } catch let error as NumericsError {
            return error
        } catch {
            XCTFail("expected a NumericsError, got \(error)", file: file, line: line)
        }
        return nil
    }

    // MARK: CheckNumerics

    func testCheckNumericsNamesNodeLineMessageKindAndFirstIndex() throws {
        let g = Graph()
        let x = try g.placeholder(.float, shape: [2, 3], name: "x")
        let checked = try g.checkNumerics(x, message: "logits went bad", name: "check_logits"); let line = #line
        let session = Session(graph: g)
        let cases: [([Float], NumericsError.Kind, Int)] = [
            ([1, 2, .infinity, .nan, 5, 6], .infinity, 2),
            ([1, .nan, 3, -.infinity, 5, 6], .nan, 1),
            ([1, 2, 3, 4, 5, -.infinity], .negativeInfinity, 5),
        ]
        for (values, kind, index) in cases {
            let error = try XCTUnwrap(numericsError { _ = try session.run(checked, feeding: [x: Tensor(shape: [2, 3], scalars: values)]) })
            XCTAssertEqual(error, NumericsError(op: "CheckNumerics", node: "check_logits", location: SourceLocation(file: thisFile, line: line),
                                                message: "logits went bad", output: 0, kind: kind, index: index, dtype: .float, shape: [2, 3]))
        }
        let error = try XCTUnwrap(numericsError { _ = try session.run(checked, feeding: [x: Tensor(shape: [2, 3], scalars: cases[0].0)]) })
        XCTAssertEqual(error.description, "[CheckNumerics] node 'check_logits' (built at \(thisFile):\(line)): logits went bad: "
                       + "output 0 had Inf values, first at flat index 2 of float32 (2, 3)")
    }

    func testCheckNumericsPassesFiniteValuesThroughWithoutACopy() throws {
        let g = Graph()
        let x = try g.placeholder(.double, shape: [nil], name: "x")
        let checked = try g.checkNumerics(x, message: "unused")
        let fed = Tensor([1.0, -2, 1e300])
        let value = try Session(graph: g).run(checked, feeding: [x: fed])
        XCTAssertEqual(value, fed)
        XCTAssert(value.storage === fed.storage, "CheckNumerics aliases its input")
    }

    /// TF's `_CheckNumericsGrad`: the incoming gradient is checked again, and the check points at the
    /// line of the forward check.
    func testCheckNumericsGradientChecksTheIncomingGradient() throws {
        let g = Graph()
        let x = try g.placeholder(.float, shape: [3], name: "x"), weights = try g.placeholder(.float, shape: [3], name: "weights")
        let checked = try g.checkNumerics(x, message: "x"); let line = #line
        let loss = try g.sum(g.mul(checked, weights))
        let dx = try XCTUnwrap(try g.gradients(of: loss, with: [x]).first ?? nil)
        let session = Session(graph: g)
        let finite = try session.run(dx, feeding: [x: Tensor([Float(1), 2, 3]), weights: Tensor([Float(4), 5, 6])])
        XCTAssertEqual(finite.scalars(as: Float.self), [4, 5, 6])
        let error = try XCTUnwrap(numericsError {
            _ = try session.run(dx, feeding: [x: Tensor([Float(1), 2, 3]), weights: Tensor([Float(4), .nan, 6])])
        })
        XCTAssertEqual(error.op, "CheckNumerics")
        XCTAssertEqual(error.message, "Not a number (NaN) or infinity (Inf) values detected in gradient. x")
        XCTAssertEqual(error.location, SourceLocation(file: thisFile, line: line))
        XCTAssertEqual(error.kind, NumericsError.Kind.nan)
        XCTAssertEqual(error.index, 1)
    }

    func testCheckNumericsOnAConstantThatIsNotFiniteFailsWhenRun() throws {
        // Constant folding may not swallow the check: the kernel's error waits for the run.
        let g = Graph()
        let checked = try g.checkNumerics(g.log(g.constant(Tensor([Float(1), 0]))), message: "log of a constant"); let line = #line
        let error = try XCTUnwrap(numericsError { _ = try Session(graph: g).run(checked) })
        XCTAssertEqual(error.location, SourceLocation(file: thisFile, line: line))
        XCTAssertEqual(error.kind, .negativeInfinity)
        XCTAssertEqual(error.index, 1)
    }

    func testCheckNumericsRoundTripsThroughGraphDefWithItsMessage() throws {
        let g = Graph()
        let x = try g.placeholder(.float, shape: [nil], name: "x")
        _ = try g.checkNumerics(x, message: "imported check", name: "check")
        let imported = try Graph(graphDef: g.graphDef())
        let checked = try XCTUnwrap(imported.output(named: "check"))
        XCTAssertEqual(checked.node.attributes(CheckNumerics.self).message, "imported check")
        let error = try XCTUnwrap(numericsError {
            _ = try Session(graph: imported).run(checked, feeding: [imported.output(named: "x")!: Tensor([Float(0), .nan])])
        })
        XCTAssertEqual(error.description, "[CheckNumerics] node 'check': imported check: output 0 had NaN values, first at flat index 1 of float32 (2,)")
    }

    // MARK: Session.checksNumerics

    /// The first example: `log(-1)` gave -nan silently.
    func testLogOfMinusOneNamesTheLogNodeAndItsLine() throws {
        // Fed (the Log runs as a step) and constant (the graph computed it while building).
        let g = Graph()
        let x = try g.placeholder(.float, shape: [nil], name: "x")
        let logOfFed = try g.log(x); let fedLine = #line
        let logOfConstant = try g.log(g.constant(Tensor([Float(2), -1]))); let constantLine = #line
        let session = Session(graph: g)
        XCTAssertFalse(session.checksNumerics, "off unless asked for (TENSORGRAPH_CHECK_NUMERICS unset)")
        XCTAssert(try session.run(logOfFed, feeding: [x: Tensor([Float(-1)])]).scalars(as: Float.self)[0].isNaN)
        XCTAssert(try session.run(logOfConstant).scalars(as: Float.self)[1].isNaN)

        session.checksNumerics = true
        let fed = try XCTUnwrap(numericsError { _ = try session.run(logOfFed, feeding: [x: Tensor([Float(3), -1])]) })
        XCTAssertEqual(fed, NumericsError(op: "Log", node: logOfFed.node.name, location: SourceLocation(file: thisFile, line: fedLine),
                                          message: "Session.checksNumerics", output: 0, kind: .nan, index: 1, dtype: .float, shape: [2]))
        let constant = try XCTUnwrap(numericsError { _ = try session.run(logOfConstant) })
        XCTAssertEqual(constant.op, "Log")
        XCTAssertEqual(constant.node, logOfConstant.node.name)
        XCTAssertEqual(constant.location, SourceLocation(file: thisFile, line: constantLine))
        XCTAssertEqual(constant.message, "Session.checksNumerics (computed while building the graph)")
        XCTAssertEqual([constant.kind.rawValue, "\(constant.index)"], ["NaN", "1"])
        // A finite run goes through, and the checked plan keeps working.
        XCTAssertEqual(try session.run(logOfFed, feeding: [x: Tensor([Float(1)])]).scalars(as: Float.self), [0])
    }

    func testAValueFedNonFiniteIsNamedAsTheOrigin() throws {
        let g = Graph()
        let x = try g.placeholder(.float, shape: [nil], name: "x")
        let y = try g.square(x)
        let session = Session(graph: g)
        session.checksNumerics = true
        let error = try XCTUnwrap(numericsError { _ = try session.run(y, feeding: [x: Tensor([Float(1), .infinity])]) })
        XCTAssertEqual(error.op, "Square")
        XCTAssertEqual(error.message, "Session.checksNumerics (its input 0, the value fed for 'x', already held NaN or Inf)")
    }

    func testEnvironmentVariableTurnsTheCheckOn() {
        let g = Graph()
        setenv("TENSORGRAPH_CHECK_NUMERICS", "1", 1)
        defer { unsetenv("TENSORGRAPH_CHECK_NUMERICS") }
        XCTAssertTrue(Session(graph: g).checksNumerics)
        setenv("TENSORGRAPH_CHECK_NUMERICS", "0", 1)
        XCTAssertFalse(Session(graph: g).checksNumerics)
    }

    /// The second example: SGD at learning rate 10 reached a -nan loss with no error. The loss is
    /// TF1's tutorial cross-entropy, −Σ y·log(softmax(logits)): a saturated softmax gives an exact 0, its
    /// log −Inf, and 0·(−Inf) a NaN loss. The check must name the Log, the first node that went
    /// non-finite, not the loss.
    func testSGDAtLearningRate10NamesTheFirstNodeThatWentNonFinite() throws {
        let g = Graph()
        let x = try g.placeholder(.float, shape: [nil, 20], name: "x"), labels = try g.placeholder(.float, shape: [nil, 10], name: "y")
        let w1 = try g.variable(name: "W1", shape: [20, 32]), b1 = try g.variable(g.zeros([32]), name: "b1")
        let w2 = try g.variable(name: "W2", shape: [32, 10]), b2 = try g.variable(g.zeros([10]), name: "b2")
        let hidden = try g.relu(g.add(g.matMul(x, w1), b1))
        let probabilities = try g.softmax(g.add(g.matMul(hidden, w2), b2))
        let logProbabilities = try g.log(probabilities); let logLine = #line
        let loss = try g.mean(g.neg(g.sum(g.mul(labels, logProbabilities), axes: [1])), name: "loss")
        let train = try GradientDescentOptimizer(learningRate: 10).minimize(loss)

        var random = TestRandom(seed: 11)
        let batches = (0..<10).map { _ in
            [x: toFloat32(random.tensor([16, 20], 0, 10)),
             labels: Tensor(shape: [16, 10], scalars: (0..<160).map { Float($0 % 10 == ($0 / 10 * 3) % 10 ? 1 : 0) })]
        }

        // Switch off: the run goes on and the loss is NaN from some step on.
        let unchecked = Session(graph: g)
        try unchecked.run(g.globalVariablesInitializer())
        var losses: [Float] = []
        for batch in batches { losses.append(try unchecked.run(loss, target: train, feeding: batch).scalars(as: Float.self)[0]) }
        let firstNaN = try XCTUnwrap(losses.firstIndex { $0.isNaN }, "SGD at learning rate 10 diverges: \(losses)")
        XCTAssertGreaterThan(firstNaN, 0, "the first step is still finite: \(losses)")

        // Switch on: the same steps stop at that step, naming the Log.
        let checked = Session(graph: g)
        checked.checksNumerics = true
        try checked.run(g.globalVariablesInitializer())
        var step = 0, found: NumericsError?
        while step < batches.count, found == nil {
            do { _ = try checked.run(loss, target: train, feeding: batches[step]); step += 1 } catch let error as NumericsError { found = error }
        }
        let error = try XCTUnwrap(found, "no error in \(batches.count) steps")
        XCTAssertEqual(step, firstNaN, "stopped at the step whose loss is NaN")
        XCTAssertEqual(error.op, "Log")
        XCTAssertEqual(error.node, logProbabilities.node.name)
        XCTAssertEqual(error.location, SourceLocation(file: thisFile, line: logLine))
        XCTAssertEqual(error.kind, .negativeInfinity)
        XCTAssertNotEqual(error.node, loss.node.name)

        // Oracle: with the variables of that step, every node the forward pass computes before the Log
        // is finite, and the Log's first non-finite element is the one reported.
        let replay = Session(graph: g)
        try replay.run(g.globalVariablesInitializer())
        for batch in batches[..<step] { _ = try replay.run(loss, target: train, feeding: batch) }
        let earlier = g.nodes.filter { $0.id < logProbabilities.node.id && $0.outputs.count == 1 && $0.outputs[0].dtype == .float
            && !["Placeholder", "VariableV2", "Assign"].contains($0.opName) && !$0.name.contains("Initializer") }
        let values = try replay.run(earlier.map { Output(graph: g, node: $0, index: 0) } + [logProbabilities], feeding: batches[step])
        for (node, value) in zip(earlier, values) { XCTAssert(value.doubleValues.allSatisfy(\.isFinite), "\(node.name) is not finite") }
        XCTAssertEqual(values.last.flatMap { $0.doubleValues.firstIndex { !$0.isFinite } }, error.index)
    }
}

/// Counted like `AllocationTests` (and run with them in release by Tools/test.sh, whose filter matches
/// this class's name): the session-wide check, on, adds no allocation to a steady-state training step.
final class NumericsCheckAllocationTests: XCTestCase {
    func testCheckedTrainingStepsAllocateNothing() throws {
        #if DEBUG
        throw XCTSkip("allocation counts are asserted on optimized code: Tools/test.sh runs this test with -c release")
        #else
        var random = TestRandom(seed: 5)
        let g = Graph()
        let x = try g.placeholder(.float, shape: [nil, 784]), y = try g.placeholder(.float, shape: [nil, 10])
        let w1 = try g.variable(name: "W1", shape: [784, 64]), b1 = try g.variable(g.zeros([64]), name: "b1")
        let w2 = try g.variable(name: "W2", shape: [64, 10]), b2 = try g.variable(g.zeros([10]), name: "b2")
        let logits = try g.add(g.matMul(g.checkNumerics(g.tanh(g.add(g.matMul(x, w1), b1)), message: "hidden"), w2), b2)
        let loss = try g.mean(g.softmaxCrossEntropyWithLogits(labels: y, logits: logits))
        let train = try GradientDescentOptimizer(learningRate: 0.5).minimize(loss)
        let session = Session(graph: g)
        session.checksNumerics = true
        try session.run(g.globalVariablesInitializer())
        let labels = Tensor(shape: [32, 10], scalars: (0..<320).map { Float($0 % 11 == 0 ? 1 : 0) })
        let feeds = [x: toFloat32(random.tensor([32, 784], 0, 1)), y: labels]
        // A longer warm-up than AllocationTests': the worker pool's helper thread may start late on a busy
        // machine, and its start-up allocations would land in the counted steps when this test runs first.
        for _ in 0..<200 { _ = try session.run(loss, target: train, feeding: feeds) }
        try assertSteadyStateAllocations(steps: 30, oneDNNBoundPerStep: 16, "MLP + SGD with Session.checksNumerics and a CheckNumerics node") {
            let before = tg_malloc_count()
            for _ in 0..<30 { _ = try session.run(loss, target: train, feeding: feeds) }
            return tg_malloc_count() - before
        }
        #endif
    }
}
