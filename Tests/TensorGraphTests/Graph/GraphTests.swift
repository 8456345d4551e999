import TestSupport
import XCTest
@testable import TensorGraph

final class GraphTests: XCTestCase {
    func testUniqueNamesAndScopes() throws {
        let g = Graph()
        let x = try g.placeholder(.float, shape: [nil, 4])
        let a = try g.relu(x), b = try g.relu(x)
        XCTAssertEqual([a.node.name, b.node.name], ["Relu", "Relu_1"])
        let scoped = try g.withNameScope("dense") { try g.relu(x) }
        let scoped2 = try g.withNameScope("dense") { try g.relu(x) }
        XCTAssertEqual([scoped.node.name, scoped2.node.name], ["dense/Relu", "dense_1/Relu"])
        XCTAssertEqual(g.output(named: "dense_1/Relu:0"), scoped2)
        XCTAssertEqual(a.name, "Relu:0")
    }

    func testShapeErrorNamesOpShapesAndSourceLine() throws {
        let g = Graph()
        let a = try g.placeholder(.float, shape: [nil, 3])
        let b = try g.placeholder(.float, shape: [4, 5])
        let line = #line + 2
        do {
            _ = try g.matMul(a, b)
            XCTFail("expected a shape error")
        } catch let error as TensorGraphError {
            XCTAssert(error.description.contains("[MatMul]"), error.description)
            XCTAssert(error.description.contains("(?, 3)") && error.description.contains("(4, 5)"), error.description)
            XCTAssert(error.description.contains("GraphTests.swift:\(line)"), error.description)
        }
    }

    func testControlDependencies() throws {
        let g = Graph()
        let v = try g.variable(g.zeros([1]), name: "v")
        let bump = try g.assignAdd(v, g.constant(Tensor([Float(1)])))
        let read = try g.withControlDependencies([bump.op]) { try g.identity(v) }
        XCTAssertEqual(read.node.controlInputs, [bump.node.id])
        let session = Session(graph: g)
        try session.run(g.globalVariablesInitializer())
        XCTAssertEqual(try session.run(read).scalars(as: Float.self), [1])
        XCTAssertEqual(try session.run(read).scalars(as: Float.self), [2])
    }

    func testVariableStructureFollowsTF1() throws {
        let g = Graph()
        let w = try g.variable(name: "W1", shape: [3, 2])
        XCTAssertEqual(w.node.name, "W1/read")
        let v = try XCTUnwrap(g.variable(for: w))
        XCTAssertEqual(v.name, "W1")
        XCTAssertEqual(v.node.opName, "VariableV2")
        XCTAssertEqual(v.initializer.node.opName, "Assign")
        XCTAssertEqual(v.initializer.name, "W1/Assign")
        XCTAssert(g.nodes.contains { $0.name.hasPrefix("W1/Initializer/random_uniform") })
        XCTAssertEqual(g.trainableVariables, [v])
        let b = try g.variable(g.zeros([2]), name: "b")
        XCTAssertEqual(b.node.name, "b/read")
        XCTAssertEqual(g.globalVariables.count, 2)
    }

    func testInitializersAreDeterministicAndBounded() throws {
        func initialWeights() throws -> [Float] {
            let g = Graph()
            let w = try g.variable(name: "W", shape: [784, 64])
            let s = Session(graph: g)
            try s.run(g.globalVariablesInitializer())
            return try s.run(w).scalars()
        }
        let first = try initialWeights(), second = try initialWeights()
        XCTAssertEqual(first, second)
        let limit = Float((6.0 / Double(784 + 64)).squareRoot())
        XCTAssert(first.allSatisfy { Swift.abs($0) <= limit })
        XCTAssertGreaterThan(first.max()!, limit * 0.95)
        let mean = first.reduce(0, +) / Float(first.count)
        XCTAssertLessThan(Swift.abs(mean), limit * 0.02)
    }

    func testDescriptionOfTensors() {
        XCTAssertEqual(Tensor(shape: [2, 2], scalars: [Float(1), 2, 3, 4.5]).description, "[[1.0, 2.0],\n [3.0, 4.5]]")
        XCTAssertEqual(Tensor(Int32(7)).description, "7")
        XCTAssertEqual(TensorShape([nil, 784]).description, "(?, 784)")
    }
}

final class GraphLifetimeTests: XCTestCase {
    /// A graph with variables, layers, an optimizer and a session is freed once the caller lets go
    /// (found with valgrind: variables used to hold their graph strongly).
    func testGraphIsReleased() throws {
        weak var released: Graph?
        try {
            let g = Graph()
            let x = try g.placeholder(.float, shape: [nil, 4])
            let loss = try g.mean(g.layers.dense(x, units: 2))
            let train = try AdamOptimizer().minimize(loss)
            let s = Session(graph: g)
            try s.run(g.globalVariablesInitializer())
            try s.run(train, feeding: [x: Tensor(shape: [1, 4], scalars: [Float](repeating: 1, count: 4))])
            released = g
        }()
        XCTAssertNil(released)
    }

    /// `Slice` with bounds known only at run time keeps the rank (TF's shape function; ONNX export needs it),
    /// and a constant `size` gives the dimensions it does not leave open.
    func testSliceWithRunTimeBeginKeepsRank() throws {
        let g = Graph()
        let x = try g.placeholder(.float, shape: [4, 5]), begin = try g.placeholder(.int32, shape: [2])
        let y = try g.addOutput(Slice.self, name: nil, [x, begin, g.constant(Tensor([Int32(2), -1]))], attrs: [:], file: #fileID, line: #line)
        XCTAssertEqual(y.shape, TensorShape([2, nil]))
        let z = try g.addOutput(Slice.self, name: nil, [x, begin, g.placeholder(.int32, shape: [2])], attrs: [:], file: #fileID, line: #line)
        XCTAssertEqual(z.shape, TensorShape([nil, nil]))
        let value = try Session(graph: g).run(y, feeding: [x: Tensor(shape: [4, 5], scalars: (0..<20).map(Float.init)),
                                                         begin: Tensor([Int32(1), Int32(2)])])
        XCTAssertEqual(value.shape, [2, 3])
        XCTAssertEqual(value.scalars(as: Float.self), [7, 8, 9, 12, 13, 14])
    }
}
