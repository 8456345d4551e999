import TestSupport
import XCTest
@testable import TensorGraph

/// Gradients of the recurrent cells and of `dynamicRNN` (a `StatelessWhile` over time with sequence
/// lengths) against central finite differences in float64, for inputs, states and the cells' variables.
final class RecurrentGradientTests: XCTestCase {
    /// d(loss)/d(values) by central differences; `evaluate` runs the loss with the values changed.
    private func finiteDifferences(_ values: [Double], _ evaluate: ([Double]) throws -> Double) throws -> [Double] {
        let h = 1e-6
        return try values.indices.map { i in
            var plus = values, minus = values
            plus[i] += h
            minus[i] -= h
            return (try evaluate(plus) - evaluate(minus)) / (2 * h)
        }
    }

    private func assertClose(_ a: [Double], _ b: [Double], _ message: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.count, b.count, message, file: file, line: line)
        for (x, y) in zip(a, b) { XCTAssertEqual(x, y, accuracy: 1e-6 * max(1, abs(y)), message, file: file, line: line) }
    }

    /// Deterministic values in [-0.9, 0.9).
    private func values(_ count: Int, seed: Int) -> [Double] {
        (0..<count).map { i in sin(Double(i * 7 + seed * 13) * 0.37) * 0.9 }
    }

    /// Checks every placeholder feed and every cell variable of `loss` against finite differences.
    private func checkGradients(_ g: Graph, loss: Output, feeds: [Output: Tensor], variables: [Output], _ label: String) throws {
        let session = Session(graph: g)
        try session.run(g.globalVariablesInitializer())
        var assigned: [Output: Tensor] = [:]
        for (k, v) in variables.enumerated() {
            let shape = v.shape.concrete ?? []
            let value = Tensor(shape: shape, scalars: values(shape.reduce(1, *), seed: 50 + k).map { $0 * 0.6 })
            try session.setValue(value, for: g.variable(for: v)!)
            assigned[v] = value
        }
        let wrt = Array(feeds.keys).sorted { $0.name < $1.name } + variables
        let grads = try g.gradients(of: loss, with: wrt)
        for (x, grad) in zip(wrt, grads) {
            let analytic = try session.run(XCTUnwrap(grad, "\(label): no gradient for \(x.name)"), feeding: feeds).scalars(as: Double.self)
            let base = (feeds[x] ?? assigned[x]!)
            let numeric = try finiteDifferences(base.scalars(as: Double.self)) { changed in
                let tensor = Tensor(shape: base.shape, scalars: changed)
                if feeds[x] != nil {
                    var f = feeds
                    f[x] = tensor
                    return try session.run(loss, feeding: f).scalars(as: Double.self)[0]
                }
                try session.setValue(tensor, for: g.variable(for: x)!)
                defer { try? session.setValue(base, for: g.variable(for: x)!) }
                return try session.run(loss, feeding: feeds).scalars(as: Double.self)[0]
            }
            assertClose(analytic, numeric, "\(label): d loss / d \(x.name)")
        }
    }

    func testOneLSTMStepGradientMatchesFiniteDifferences() throws {
        let g = Graph()
        let x = try g.placeholder(.double, shape: [2, 3], name: "x")
        let c = try g.placeholder(.double, shape: [2, 4], name: "c"), h = try g.placeholder(.double, shape: [2, 4], name: "h")
        let cell = try BasicLSTMCell(numUnits: 4, forgetBias: 0.5)
        try cell.build(in: g, inputSize: 3, dtype: .double)
        let (output, state) = try cell.step(g, input: x, state: [c, h])
        // Weights the two results differently so every gradient path counts.
        let loss = try g.add(g.sum(g.mul(output, g.constant(Tensor(shape: [2, 4], scalars: values(8, seed: 1))))),
                             g.sum(g.square(state[0])))
        let feeds: [Output: Tensor] = [x: Tensor(shape: [2, 3], scalars: values(6, seed: 2)),
                                       c: Tensor(shape: [2, 4], scalars: values(8, seed: 3)), h: Tensor(shape: [2, 4], scalars: values(8, seed: 4))]
        try checkGradients(g, loss: loss, feeds: feeds, variables: cell.variables, "LSTM step")
    }

    func testOneGRUStepGradientMatchesFiniteDifferences() throws {
        let g = Graph()
        let x = try g.placeholder(.double, shape: [2, 3], name: "x"), h = try g.placeholder(.double, shape: [2, 4], name: "h")
        let cell = try GRUCell(numUnits: 4)
        try cell.build(in: g, inputSize: 3, dtype: .double)
        let (output, _) = try cell.step(g, input: x, state: [h])
        let loss = try g.sum(g.mul(output, g.constant(Tensor(shape: [2, 4], scalars: values(8, seed: 5)))))
        let feeds: [Output: Tensor] = [x: Tensor(shape: [2, 3], scalars: values(6, seed: 6)), h: Tensor(shape: [2, 4], scalars: values(8, seed: 7))]
        try checkGradients(g, loss: loss, feeds: feeds, variables: cell.variables, "GRU step")
    }

    func testDynamicRNNGradientWithSequenceLengthsMatchesFiniteDifferences() throws {
        for makeCell in [{ try BasicLSTMCell(numUnits: 3) as RecurrentCell }, { try GRUCell(numUnits: 3) as RecurrentCell }] {
            let g = Graph()
            // An unknown batch: the loop's gradient then re-runs the step on values of unknown static shape.
            let x = try g.placeholder(.double, shape: [nil, 3, 2], name: "x")
            let lengths = try g.constant(Tensor([Int32(3), Int32(1)]))
            let cell = try makeCell()
            let (outputs, state) = try g.dynamicRNN(cell, inputs: x, sequenceLengths: lengths)
            XCTAssertEqual(outputs.shape, TensorShape([nil, 3, 3]))
            XCTAssertEqual(state.map { $0.shape.dims?.last }, cell.stateSizes.map { $0 }, "static state widths for the layers after it")
            let loss = try g.add(g.sum(g.mul(outputs, g.constant(Tensor(shape: [2, 3, 3], scalars: values(18, seed: 8))))),
                                 g.sum(g.square(state.last!)))
            let cellVariables = (cell as? RecurrentCellBase)?.variables ?? []
            try checkGradients(g, loss: loss, feeds: [x: Tensor(shape: [2, 3, 2], scalars: values(12, seed: 9))],
                               variables: cellVariables, "dynamicRNN \(cell.scopeName)")
        }
    }

    func testBidirectionalGradientMatchesFiniteDifferences() throws {
        let g = Graph()
        let x = try g.placeholder(.double, shape: [2, 3, 2], name: "x")
        let lengths = try g.constant(Tensor([Int32(2), Int32(3)]))
        let forward = try GRUCell(numUnits: 2), backward = try GRUCell(numUnits: 2)
        let result = try g.bidirectionalDynamicRNN(forward: forward, backward: backward, inputs: x, sequenceLengths: lengths)
        let weights = try g.constant(Tensor(shape: [2, 3, 2], scalars: values(12, seed: 10)))
        let loss = try g.add(g.sum(g.mul(result.outputs.forward, weights)), g.sum(g.mul(g.square(result.outputs.backward), weights)))
        try checkGradients(g, loss: loss, feeds: [x: Tensor(shape: [2, 3, 2], scalars: values(12, seed: 11))],
                           variables: backward.variables, "bidirectional")
    }
}
