import TestSupport
import XCTest
@testable import TensorGraph

/// Walks the op table: every op's shape inference, kernel against its reference loop
/// (in float64 and float32), and gradient against central finite differences.
final class OpConformanceTests: XCTestCase {
    let opCases = makeOpCases()

    func testEveryRegisteredOpIsCovered() {
        let tabled = Set(opCases.map(\.op))
        let differentiated = Set(opCases.filter { !$0.wrt.isEmpty }.map(\.op))
        for op in OpRegistry.all {
            let name = op.wireName
            XCTAssert(tabled.contains(name) || opsWithDedicatedTests[name] != nil, "\(name) has no test case")
            if op.differentiability == .differentiable && opsWithDedicatedTests[name] == nil {
                XCTAssert(differentiated.contains(name), "\(name) is differentiable but has no gradient check")
            }
        }
        let names = OpRegistry.all.map { $0.wireName }
        XCTAssertEqual(Set(names).count, names.count, "duplicate wire names")
    }

    func testShapeInference() throws {
        for c in opCases {
            let what = "\(c.op) \(c.label)"
            let (value, spec) = try evaluate(c.inputs, c.build)
            if c.valueDependentShape {
                XCTAssert(spec.shape.isCompatible(with: TensorShape(value.shape)), "\(what): \(spec.shape) vs \(value.shape)")
            } else {
                XCTAssertEqual(spec.shape, TensorShape(value.shape), "\(what): static shape with known inputs")
            }
            // With every input dimension unknown, inference must still be compatible with the result.
            if c.op != "Const" {
                let (_, partial) = try evaluate(c.inputs, unknownDims: true, c.build)
                XCTAssert(partial.shape.isCompatible(with: TensorShape(value.shape)),
                          "\(what): inferred \(partial.shape) for runtime \(value.shape)")
            }
            for (k, bad) in c.invalid.enumerated() {
                let g = Graph()
                do {
                    let out = try bad(g)
                    XCTFail("\(what): invalid case \(k) built \(out)")
                } catch let error as TensorGraphError {
                    guard case .invalidGraph(let op, _, let message, _) = error else {
                        XCTFail("\(what): invalid case \(k) threw \(error)")
                        continue
                    }
                    XCTAssertEqual(op, c.op, "\(what): invalid case \(k) blamed \(op): \(message)")
                    XCTAssert(error.description.hasPrefix("[\(c.op)]"), error.description)
                }
            }
        }
    }

    func testKernelsMatchReferenceLoops() throws {
        for c in opCases {
            let what = "\(c.op) \(c.label)"
            let expected = c.reference(c.inputs)
            let (value, _) = try evaluate(c.inputs, c.build)
            XCTAssertEqual(value.shape, expected.shape, "\(what): shape")
            assertClose(value.doubleValues, expected.values, absolute: 1e-12, relative: 1e-12, "\(what) float64")
            guard c.float32, c.inputs.contains(where: { $0.dtype == .double }) else { continue }
            let (value32, _) = try evaluate(c.inputs.map(toFloat32), c.build)
            let expected32 = c.reference(c.inputs.map(toFloat32))
            assertClose(value32.doubleValues, expected32.values, absolute: 1e-5, relative: 1e-5, "\(what) float32")
        }
    }

    func testGradientsMatchFiniteDifferences() throws {
        for c in opCases where !c.wrt.isEmpty {
            try GradientCheck.check("\(c.op) \(c.label)", c.inputs, wrt: c.wrt, epsilon: c.epsilon, absolute: c.epsilon, c.build)
        }
    }

    func testSecondOrderGradientsMatchFiniteDifferences() throws {
        for c in opCases where c.secondOrder {
            try GradientCheck.check("\(c.op) \(c.label)", c.inputs, wrt: c.wrt, secondOrder: true, c.build)
        }
    }

    func testBroadcastKernelAgainstItsReference() {
        var random = TestRandom(seed: 3)
        for (sa, sb) in [([2, 1, 4], [3, 1]), ([5], [2, 3, 5]), ([1, 1], [4, 1, 3]), ([2, 3, 4], [2, 3, 4])] {
            let a = random.tensor(sa), b = random.tensor(sb)
            let shape = broadcastShapes(sa, sb)!
            let fast = Tensor(zeros: .double, shape: shape), slow = Tensor(zeros: .double, shape: shape)
            mapBinary(a, b, fast) { (x: Double, y: Double) in x * 3 - y }
            mapBinaryReference(a, b, slow) { (x: Double, y: Double) in x * 3 - y }
            XCTAssertEqual(fast.doubleValues, slow.doubleValues, "\(sa) vs \(sb)")
        }
    }
}
