import TestSupport
import XCTest
@testable import TensorGraph

/// VariableV2, Assign, AssignAdd, AssignSub: state lives in the session, ops update it.
final class VariableTests: XCTestCase {
    func testAssignFamily() throws {
        let g = Graph()
        let v = try g.variable(g.constant(Tensor([Float(1), 2])), name: "v")
        let set = try g.assign(v, g.constant(Tensor([Float(10), 20])))
        let add = try g.assignAdd(v, g.constant(Tensor([Float(1), 1])))
        let sub = try g.assignSub(v, g.constant(Tensor([Float(5), 5])))
        XCTAssertEqual([set, add, sub].map(\.node.opName), ["Assign", "AssignAdd", "AssignSub"])
        let session = Session(graph: g)
        try session.run(g.globalVariablesInitializer())
        XCTAssertEqual(try session.run(v).scalars(as: Float.self), [1, 2])
        XCTAssertEqual(try session.run(set).scalars(as: Float.self), [10, 20])
        XCTAssertEqual(try session.run(add).scalars(as: Float.self), [11, 21])
        XCTAssertEqual(try session.run(sub).scalars(as: Float.self), [6, 16])
        // Each session has its own state.
        let other = Session(graph: g)
        XCTAssertNil(other.value(of: g.variable(for: v)!))
        assertThrows(["uninitialized variable 'v'"]) { try other.run(add) }
    }

    func testAssignRejectsWrongShapes() throws {
        let g = Graph()
        let v = try g.variable(g.zeros([2]), name: "v")
        assertThrows(["[Assign]", "(3,)", "(2,)"]) { try g.assign(v, g.constant(Tensor([Float(1), 2, 3]))) }
        assertThrows(["not a variable"]) { try g.assign(g.constant(Float(1)), g.constant(Float(2))) }
    }

    func testSetValueValidates() throws {
        let g = Graph()
        let v = try g.variable(g.zeros([2]), name: "v")
        let variable = g.variable(for: v)!
        let session = Session(graph: g)
        try session.setValue(Tensor([Float(3), 4]), for: variable)
        XCTAssertEqual(try session.run(v).scalars(as: Float.self), [3, 4])
        assertThrows(["'v'"]) { try session.setValue(Tensor([Float(3)]), for: variable) }
    }
}
