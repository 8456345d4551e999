import Foundation
import TestSupport
import XCTest
@testable import TensorGraph

/// `dynamicRNN`, `staticRNN` and `bidirectionalDynamicRNN` against TensorFlow's results
/// (Tests/Fixtures/rnn/rnn.json, written by Tools/rnn_fixtures.py), against each other, TF1's
/// variable names, and the build-time errors.
final class RecurrentNetworkTests: XCTestCase {
    private struct Fixture: Decodable {
        let batch: Int, time: Int, features: Int, units: Int
        let forget_bias: Double
        let lengths: [Int32]
        let inputs: [Double]
        let lstm: [String: [Double]]
        let gru: [String: [Double]]
    }

    private func loadFixture() throws -> Fixture {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/rnn/rnn.json")
        return try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
    }

    private func assertClose(_ actual: Tensor, _ expected: [Double]?, _ message: String, file: StaticString = #filePath, line: UInt = #line) {
        guard let expected else { return XCTFail("\(message): missing from the fixture", file: file, line: line) }
        let values = actual.scalars(as: Double.self)
        XCTAssertEqual(values.count, expected.count, message, file: file, line: line)
        XCTAssertLessThan(zip(values, expected).map { abs($0 - $1) }.max() ?? 0, 1e-5, message, file: file, line: line)
    }

    func testLSTMAndGRUMatchTensorFlow() throws {
        let f = try loadFixture()
        for kind in ["lstm", "gru"] {
            let g = Graph()
            let x = try g.constant(Tensor(shape: [f.batch, f.time, f.features], scalars: f.inputs))
            let lengths = try g.constant(Tensor(f.lengths))
            func cell() throws -> RecurrentCellBase & RecurrentCell {
                if kind == "lstm" { return try BasicLSTMCell(numUnits: f.units, forgetBias: f.forget_bias) }
                return try GRUCell(numUnits: f.units)
            }
            let one = try cell(), forward = try cell(), backward = try cell()
            let uni = try g.dynamicRNN(one, inputs: x, sequenceLengths: lengths)
            let bi = try g.bidirectionalDynamicRNN(forward: forward, backward: backward, inputs: x, sequenceLengths: lengths)
            let session = Session(graph: g)
            let data = kind == "lstm" ? f.lstm : f.gru
            let names = kind == "lstm" ? ["kernel", "bias"] : ["gates_kernel", "gates_bias", "candidate_kernel", "candidate_bias"]
            for c in [one, forward, backward] {
                for (variable, name) in zip(c.variables, names) {
                    let shape = variable.shape.concrete ?? []
                    try session.setValue(Tensor(shape: shape, scalars: try XCTUnwrap(data[name])), for: XCTUnwrap(g.variable(for: variable)))
                }
            }
            let stateKeys = kind == "lstm" ? ["c", "h"] : ["h"]
            let values = try session.run([uni.outputs] + uni.state + [bi.outputs.forward, bi.outputs.backward] + bi.states.backward)
            assertClose(values[0], data["outputs"], "\(kind) outputs")
            for (k, key) in stateKeys.enumerated() { assertClose(values[1 + k], data[key], "\(kind) state \(key)") }
            let n = stateKeys.count
            assertClose(values[1 + n], data["outputs"], "\(kind) forward outputs of the bidirectional RNN")
            assertClose(values[2 + n], data["bw_outputs"], "\(kind) backward outputs")
            for (k, key) in stateKeys.enumerated() { assertClose(values[3 + n + k], data["bw_" + key], "\(kind) backward state \(key)") }
        }
    }

    func testVariableNamesFollowTF1() throws {
        let g = Graph()
        let x = try g.placeholder(.float, shape: [nil, 5, 3], name: "x")
        let lstm = try BasicLSTMCell(numUnits: 4), gru = try GRUCell(numUnits: 2), plain = try LSTMCell(numUnits: 2)
        _ = try g.dynamicRNN(lstm, inputs: x)
        _ = try g.bidirectionalDynamicRNN(forward: gru, backward: plain, inputs: x)
        let names = g.trainableVariables.map(\.name)
        XCTAssertEqual(names, ["rnn/basic_lstm_cell/kernel", "rnn/basic_lstm_cell/bias",
                               "bidirectional_rnn/fw/gru_cell/gates/kernel", "bidirectional_rnn/fw/gru_cell/gates/bias",
                               "bidirectional_rnn/fw/gru_cell/candidate/kernel", "bidirectional_rnn/fw/gru_cell/candidate/bias",
                               "bidirectional_rnn/bw/lstm_cell/kernel", "bidirectional_rnn/bw/lstm_cell/bias"])
        XCTAssertEqual(lstm.variables.map(\.shape), [TensorShape([7, 16]), TensorShape([16])])
    }

    func testDynamicRNNEqualsStaticRNN() throws {
        for makeCell in [{ try BasicLSTMCell(numUnits: 3) as RecurrentCell }, { try GRUCell(numUnits: 3) as RecurrentCell }] {
            let g = Graph()
            g.randomSeed = 7
            let x = try g.constant(Tensor(shape: [3, 4, 2], scalars: (0..<24).map { sin(Double($0)) }))
            let lengths = try g.constant(Tensor([Int32(4), Int32(0), Int32(2)]))
            let cell = try makeCell()
            let dynamic = try g.dynamicRNN(cell, inputs: x, sequenceLengths: lengths)
            // The same cell: staticRNN reuses the variables dynamicRNN created.
            let steps = try g.unstack(x, axis: 1)
            let unrolled = try g.staticRNN(cell, inputs: steps, sequenceLengths: lengths)
            let session = Session(graph: g)
            try session.run(g.globalVariablesInitializer())
            let a = try session.run([dynamic.outputs] + dynamic.state)
            let b = try session.run([try g.stack(unrolled.outputs, axis: 1)] + unrolled.state)
            for (left, right) in zip(a, b) {
                XCTAssertEqual(left.shape, right.shape)
                for (p, q) in zip(left.scalars(as: Double.self), right.scalars(as: Double.self)) { XCTAssertEqual(p, q, accuracy: 1e-6) }
            }
            // Row 1 has length 0: zero outputs, zero (initial) state.
            XCTAssertTrue(a[0].scalars(as: Double.self)[12..<24].allSatisfy { $0 == 0 }, "\(cell.scopeName): outputs past the length are zero")
            XCTAssertTrue(a.last!.scalars(as: Double.self)[3..<6].allSatisfy { $0 == 0 }, "\(cell.scopeName): state carried from the start")
        }
    }

    func testAnInitialStateIsUsedAndZeroTimeStepsReturnIt() throws {
        let g = Graph()
        let x = try g.placeholder(.double, shape: [2, nil, 3], name: "x")
        let h0 = try g.constant(Tensor(shape: [2, 2], scalars: [0.1, -0.2, 0.3, 0.4]))
        let cell = try GRUCell(numUnits: 2)
        let (outputs, state) = try g.dynamicRNN(cell, inputs: x, initialState: [h0])
        let session = Session(graph: g)
        try session.run(g.globalVariablesInitializer())
        let empty = try session.run([outputs, state[0]], feeding: [x: Tensor(zeros: .double, shape: [2, 0, 3])])
        XCTAssertEqual(empty[0].shape, [2, 0, 2])
        XCTAssertEqual(empty[1].scalars(as: Double.self), [0.1, -0.2, 0.3, 0.4])
        let one = try session.run(state[0], feeding: [x: Tensor(zeros: .double, shape: [2, 1, 3])])
        XCTAssertNotEqual(one.scalars(as: Double.self), [0.1, -0.2, 0.3, 0.4])
    }

    func testBadArgumentsThrowClearErrors() throws {
        let g = Graph()
        let rank2 = try g.placeholder(.float, shape: [nil, 3], name: "rank2")
        let unknownFeatures = try g.placeholder(.float, shape: [nil, 4, nil], name: "unknown")
        let ints = try g.placeholder(.int32, shape: [nil, 4, 3], name: "ints")
        let x = try g.placeholder(.float, shape: [nil, 4, 3], name: "x")
        XCTAssertThrowsError(try BasicLSTMCell(numUnits: 0))
        XCTAssertThrowsError(try GRUCell(numUnits: -1))
        XCTAssertThrowsError(try g.dynamicRNN(GRUCell(numUnits: 2), inputs: rank2))
        XCTAssertThrowsError(try g.dynamicRNN(GRUCell(numUnits: 2), inputs: unknownFeatures))
        XCTAssertThrowsError(try g.dynamicRNN(GRUCell(numUnits: 2), inputs: ints))
        XCTAssertThrowsError(try g.dynamicRNN(GRUCell(numUnits: 2), inputs: x, sequenceLengths: g.constant(Tensor([Float(1)]))))
        XCTAssertThrowsError(try g.dynamicRNN(BasicLSTMCell(numUnits: 2), inputs: x, initialState: [g.zeros([1, 2])]), "LSTM needs (c, h)")
        XCTAssertThrowsError(try g.staticRNN(GRUCell(numUnits: 2), inputs: []))
        let cell = try GRUCell(numUnits: 2)
        _ = try g.dynamicRNN(cell, inputs: x)
        XCTAssertThrowsError(try g.dynamicRNN(cell, inputs: g.placeholder(.float, shape: [nil, 4, 5])), "built for width 3") { error in
            XCTAssertTrue("\(error)".contains("width 3"), "\(error)")
        }
        XCTAssertThrowsError(try GRUCell(numUnits: 2).step(g, input: rank2, state: [rank2]), "step before build")
    }
}
