import Foundation
import TestSupport
import XCTest
@testable import TensorGraph

/// Values TensorFlow 2.21 (tensorflow-cpu, Python) gives for the edge cases of the breadth Math ops, and the
/// graphs the composite builders emit. The op table checks the kernels against formulas; this pins the
/// conventions the formulas encode (rounding halves, the sign of floor remainders, integer errors, constants).
final class MathSemanticsTests: XCTestCase {
    private func compute(_ build: (Graph) throws -> Output) throws -> Tensor {
        let g = Graph()
        return try Session(graph: g).run(build(g))
    }

    /// Runs `build` with its input fed through a placeholder, so the value is not folded while building.
    private func fed(_ input: Tensor, _ build: (Graph, Output) throws -> Output) throws -> Tensor {
        let g = Graph()
        let x = try g.placeholder(input.dtype, shape: TensorShape(input.shape))
        return try Session(graph: g).run(build(g, x), feeding: [x: input])
    }

    private func fed(_ a: Tensor, _ b: Tensor, _ build: (Graph, Output, Output) throws -> Output) throws -> Tensor {
        let g = Graph()
        let x = try g.placeholder(a.dtype, shape: TensorShape(a.shape)), y = try g.placeholder(b.dtype, shape: TensorShape(b.shape))
        return try Session(graph: g).run(build(g, x, y), feeding: [x: a, y: b])
    }

    func testRoundHalvesToEvenAsTensorFlow() throws {
        // tf.round([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 3.5, 2.4999, -0.0]) == [-2, -2, -0, 0, 2, 2, 4, 2, -0]
        let y = try fed(Tensor([Float(-2.5), -1.5, -0.5, 0.5, 1.5, 2.5, 3.5, 2.4999, -0.0])) { try $0.round($1) }.scalars(as: Float.self)
        XCTAssertEqual(y, [-2, -2, -0, 0, 2, 2, 4, 2, -0])
        XCTAssertEqual(y.map(\.sign), [.minus, .minus, .minus, .plus, .plus, .plus, .plus, .plus, .minus])
        let floors = try fed(Tensor([Float(-1.5), -0.0, 2.7])) { try $0.floor($1) }.scalars(as: Float.self)
        let ceils = try fed(Tensor([Float(-1.5), -0.2, 2.1])) { try $0.ceil($1) }.scalars(as: Float.self)
        XCTAssertEqual(floors, [-2, -0, 2])
        XCTAssertEqual(ceils, [-1, -0, 3])
        XCTAssertEqual(ceils[1].sign, .minus)
    }

    func testFloorDivAndFloorModFollowTheDivisorsSign() throws {
        let x = Tensor([Float(7), -7, 7, -7, 0, -0.0, 5.5, -5.5, 1, -1]), y = Tensor([Float(3), 3, -3, -3, 3, 3, 2, 2, 0, 0])
        let mod = try fed(x, y) { try $0.floorMod($1, $2) }.scalars(as: Float.self)
        let div = try fed(x, y) { try $0.floorDiv($1, $2) }.scalars(as: Float.self)
        // tf.math.floormod / floordiv in TF 2.21.
        XCTAssertEqual(Array(mod[..<8]), [1, 2, -2, -1, 0, -0, 1.5, 0.5])
        XCTAssert(mod[8].isNaN && mod[9].isNaN, "\(mod)")
        XCTAssertEqual(div, [2, -3, -3, 2, 0, -0, 2, -3, .infinity, -.infinity])
        XCTAssertEqual(div[5].sign, .minus)
        // Sign of zero remainders: fmod's, so floormod(-6, 3) is -0 and floormod(6, -3) is +0; floormod(-5, inf) is inf.
        let zeros = try fed(Tensor([Float(-6), 6, 0, -0.0, -5]), Tensor([Float(3), -3, -3, 3, .infinity])) { try $0.floorMod($1, $2) }
            .scalars(as: Float.self)
        XCTAssertEqual(zeros.map(\.sign), [.minus, .plus, .plus, .minus, .plus])
        XCTAssertEqual(zeros[4], .infinity)

        let xi = Tensor([Int32(7), -7, 7, -7, 0, 6, -6, .min]), yi = Tensor([Int32(3), 3, -3, -3, 3, -3, 3, -1])
        XCTAssertEqual(try fed(xi, yi) { try $0.floorMod($1, $2) }.scalars(as: Int32.self), [1, 2, -2, -1, 0, 0, 0, 0])
        XCTAssertEqual(try fed(xi, yi) { try $0.floorDiv($1, $2) }.scalars(as: Int32.self), [2, -3, -3, 2, 0, -2, -2, .min])
    }

    func testIntegerDivisionByZeroIsAnErrorNamingTheNode() throws {
        for dtype in [DType.int32, .int64] {
            let a = dtype == .int32 ? Tensor([Int32(1), 2]) : Tensor([Int64(1), 2])
            let b = dtype == .int32 ? Tensor([Int32(1), 0]) : Tensor([Int64(1), 0])
            assertThrows(["FloorDiv", "quotient", "Integer division by zero"]) { try fed(a, b) { try $0.floorDiv($1, $2, name: "quotient") } }
            assertThrows(["FloorMod", "remainder", "Integer division by zero"]) { try fed(a, b) { try $0.floorMod($1, $2, name: "remainder") } }
            // Folded while building (both inputs constant): the error still comes when the graph runs.
            assertThrows(["Integer division by zero"]) { try compute { g in try g.floorDiv(g.constant(a), g.constant(b)) } }
        }
    }

    func testPowEdgeCases() throws {
        // tf.pow([-2, -2, 0, 0, -8], [0.5, 2, 0, -1, 1/3]) == [nan, 4, 1, inf, nan]
        let y = try fed(Tensor([Float(-2), -2, 0, 0, -8]), Tensor([Float(0.5), 2, 0, -1, 1.0 / 3])) { try $0.pow($1, $2) }.scalars(as: Float.self)
        XCTAssert(y[0].isNaN && y[4].isNaN, "\(y)")
        XCTAssertEqual(Array(y[1...3]), [4, 1, .infinity])
        // Integer powers wrap: 3^40 in int32 is 689956897, (-2)^63 in int64 is Int64.min, 0^0 is 1.
        XCTAssertEqual(try fed(Tensor([Int32(3)]), Tensor([Int32(40)])) { try $0.pow($1, $2) }.scalars(as: Int32.self), [689_956_897])
        XCTAssertEqual(try fed(Tensor([Int64(0), -1, -2]), Tensor([Int64(0), 3, 63])) { try $0.pow($1, $2) }.scalars(as: Int64.self), [1, -1, .min])
        assertThrows(["Pow", "Integers to negative integer powers are not allowed"]) {
            try fed(Tensor([Int32(2), 1]), Tensor([Int32(-1), -2])) { try $0.pow($1, $2) }
        }
    }

    func testActivationConstantsAsTensorFlow() throws {
        // tf.nn.selu in float64.
        let selu = try fed(Tensor([1.0, -1, -100])) { try $0.selu($1) }.scalars(as: Double.self)
        assertClose(selu, [1.0507009873554805, -1.1113307378125628, -1.7580993408473768], absolute: 0, relative: 1e-15)
        // tf.nn.softplus in float64 and float32: x itself above -log(eps) - 2, e^x far below 0.
        let softplus = try fed(Tensor([-800.0, -40, -20, 0, 20, 40, 100, 1000])) { try $0.softplus($1) }.scalars(as: Double.self)
        assertClose(softplus, [0, 4.2483542552915889e-18, 2.0611536203143808e-09, 0.69314718055994529, 20.000000002061153, 40, 100, 1000],
                    absolute: 0, relative: 1e-15)
        let softplus32 = try fed(Tensor([Float(-20), -10, 0, 10, 20, 30, 100, 1000])) { try $0.softplus($1) }.scalars(as: Float.self)
        assertClose(softplus32.map(Double.init), [2.0611537e-09, 4.5398898e-05, 0.6931472, 10.000046, 20, 30, 100, 1000],
                    absolute: 0, relative: 1e-6)
        // tf.nn.leaky_relu's default alpha is 0.2, stored on the node as TF writes it.
        let g = Graph()
        let x = try g.placeholder(.float, shape: [2])
        let leaky = try g.leakyRelu(x)
        XCTAssertEqual(leaky.node.attrs["alpha"], .float(0.2))
        XCTAssertEqual(try Session(graph: g).run(leaky, feeding: [x: Tensor([Float(-1), 2])]).scalars(as: Float.self), [-0.2, 2])
    }

    func testGeluBothFormsAsTensorFlow() throws {
        let x = Tensor([-3.0, -1, -0.5, 0, 0.5, 1, 3])
        // tf.nn.gelu(x, approximate=False / True) in float64.
        // (TF rounds two of its constants to float32 even for float64 input; see `Graph.gelu`.)
        let exact = [-0.00404969477752103, -0.15865525807260966, -0.1542687708693288, 0, 0.3457312291306712, 0.8413447419273903, 2.995950305222479]
        let tanhForm = [-0.0036373923237909, -0.15880800972132364, -0.15428599020775666, 0, 0.3457140097922433, 0.8411919902786764,
                        2.9963626076762093]
        assertClose(try fed(x) { try $0.gelu($1) }.scalars(as: Double.self), exact, absolute: 1e-16, relative: 1e-14)
        assertClose(try fed(x) { try $0.gelu($1, approximate: true) }.scalars(as: Double.self), tanhForm, absolute: 1e-16, relative: 1e-13)
        // The ops TF 2.21 emits, under its scope.
        let g = Graph()
        let p = try g.placeholder(.float, shape: [3])
        _ = try g.gelu(p)
        _ = try g.gelu(p, approximate: true)
        XCTAssertEqual(g.nodes.filter { $0.name.hasPrefix("Gelu/") }.map(\.opName).filter { $0 != "Const" }, ["Mul", "Neg", "Mul", "Erfc", "Mul"])
        XCTAssertEqual(g.nodes.filter { $0.name.hasPrefix("Gelu_1/") }.map(\.opName).filter { $0 != "Const" },
                       ["Mul", "Pow", "Mul", "AddV2", "Mul", "Tanh", "AddV2", "Mul"])
        for approximate in [false, true] {
            try GradientCheck.check("gelu approximate \(approximate)", [Tensor([-2.0, -0.7, 0.3, 1.9])], wrt: [0], secondOrder: true) { g, x in
                try g.gelu(x[0], approximate: approximate)
            }
        }
    }

    func testCompositeBuildersNameTheirNodesAsTensorFlow() throws {
        let g = Graph()
        let x = try g.placeholder(.float, shape: [2, 3], name: "x")
        let clipped = try g.clipByValue(x, min: 0, max: 6)
        let normalized = try g.l2Normalize(x, axis: 1)
        let logSigmoid = try g.logSigmoid(x)
        XCTAssertEqual([clipped, normalized, logSigmoid].map(\.node.name), ["clip_by_value", "l2_normalize", "LogSigmoid"])
        XCTAssertEqual([clipped, normalized, logSigmoid].map(\.node.opName), ["Maximum", "Mul", "Neg"])
        XCTAssertEqual(g.node(named: "clip_by_value/Minimum")?.opName, "Minimum")
        XCTAssertEqual(g.node(named: "l2_normalize/Rsqrt")?.opName, "Rsqrt")
        XCTAssertEqual(g.node(named: "LogSigmoid/Softplus")?.opName, "Softplus")
        XCTAssertEqual(try g.clipByValue(x, min: 0, max: 1).node.name, "clip_by_value_1")

        let input = Tensor(shape: [2, 3], scalars: [Float(-1), 3, 7, 0, 0, 0])
        let values = try Session(graph: g).run([clipped, normalized], feeding: [x: input])
        XCTAssertEqual(values[0].scalars(as: Float.self), [0, 3, 6, 0, 0, 0])
        // A zero row divides by sqrt(epsilon) instead of 0.
        XCTAssertEqual(Array(values[1].scalars(as: Float.self)[3...]), [0, 0, 0])
        let ls = try fed(Tensor([-1000.0, -1, 0, 1000])) { try $0.logSigmoid($1) }.scalars(as: Double.self)
        assertClose(ls, [-1000, -1.3132616875182228, -0.6931471805599453, 0], absolute: 1e-300, relative: 1e-15)
        let sw = try fed(Tensor([-2.0, 0, 3])) { try $0.swish($1) }.scalars(as: Double.self)
        assertClose(sw, [-2 / (1 + Foundation.exp(2.0)), 0, 3 / (1 + Foundation.exp(-3.0))], absolute: 0, relative: 1e-15)
        let wide = try g.constant(Tensor(shape: [4, 1, 1], scalars: [Float](repeating: 0, count: 4)))
        assertThrows(["clip_by_value", "enlarge"]) { try g.clipByValue(x, min: wide, max: g.constant(Float(1))) }
        assertThrows(["clip_by_value", "enlarge"]) { try g.clipByValue(x, min: g.constant(Float(0)), max: wide) }
        let composites: [(Graph, Output) throws -> Output] = [
            { g, x in try g.swish(x, beta: 1.5) }, { g, x in try g.l2Normalize(x, axes: nil) },
            { g, x in try g.clipByValue(x, min: -0.5, max: 0.5) }, { g, x in try g.logSigmoid(x) },
        ]
        for build in composites {
            try GradientCheck.check("composite", [Tensor(shape: [2, 2], scalars: [-0.9, 0.2, 0.7, -0.3])], wrt: [0]) { g, x in try build(g, x[0]) }
        }
    }

    func testSelectRejectsMismatchedShapesAtRunTime() throws {
        let g = Graph()
        let c = try g.placeholder(.bool, shape: [nil]), t = try g.placeholder(.float, shape: [nil, 3])
        let y = try g.select(c, t, t)
        let session = Session(graph: g)
        let rows = Tensor(shape: [2, 3], scalars: [Float](repeating: 1, count: 6))
        assertThrows(["Select", "Number of batches of 'then' must match size of 'cond'"]) {
            try session.run(y, feeding: [c: Tensor([true, false, true]), t: rows])
        }
        XCTAssertEqual(try session.run(y, feeding: [c: Tensor([true, false]), t: rows]).shape, [2, 3])
    }

    func testBatchMatMulSplitsLargeBatchesAcrossWorkers() throws {
        // 2 · 40 · 30 · 50 · 8 flops: above the threshold at which batches go to the workers.
        var random = TestRandom(seed: 11)
        let x = random.tensor([8, 40, 50]), y = random.tensor([50, 30])
        let z = try fed(x, y) { try $0.batchMatMul($1, $2) }
        XCTAssertEqual(z.shape, [8, 40, 30])
        let xv = x.doubleValues, yv = y.doubleValues, zv = z.doubleValues
        for b in [0, 3, 7] {
            for (i, j) in [(0, 0), (17, 29), (39, 5)] {
                let expected = (0..<50).reduce(0.0) { $0 + xv[(b * 40 + i) * 50 + $1] * yv[$1 * 30 + j] }
                XCTAssertEqual(zv[(b * 40 + i) * 30 + j], expected, accuracy: 1e-12)
            }
        }
    }
}
