import CKernels
import Foundation
import TestSupport
import XCTest
@testable import TensorGraph

/// The vectorised float32 loops (exp, sigmoid, tanh, erf, erfc, softmax rows; `elementwise.c`) at every
/// instruction-set level the CPU has, against plain float64 loops: within 4 ulp of the correctly rounded
/// value over ±100 (also tiny, subnormal and huge inputs), exact limits at ±inf, NaN through.
final class VectorFunctionTests: XCTestCase {
    override func tearDown() {
        tg_set_isa_level(-1)
        super.tearDown()
    }

    /// Inputs: a uniform sweep of [-12, 12] and [-100, 100], a log-uniform sweep of tiny to large
    /// magnitudes, and the edges (±0, subnormals, the overflow and underflow thresholds, ±FLT_MAX).
    private func inputs() -> [Float] {
        var random = TestRandom(seed: 77)
        var values: [Float] = (0..<3000).map { _ in Float(random.uniform(-12, 12)) }
        values += (0..<1000).map { _ in Float(random.uniform(-100, 100)) }
        values += (0..<1000).map { _ in Float((random.uniform() < 0 ? -1 : 1) * Foundation.exp(random.uniform(-100, 5))) }
        values += [0, -0.0, Float(1e-40 as Double), Float(-1e-40 as Double), Float.leastNonzeroMagnitude, 0.4, -0.4, 0.5, -0.5, 1, -1, 2, -2, 10.06, -10.06,
                   88.7, 88.73, 89, -87.4, -100, -103.9, -104.5, 3.9, -3.9, Float.greatestFiniteMagnitude, -Float.greatestFiniteMagnitude]
        return values
    }

    /// Distance in units of the last place of the float32 nearest `expected`.
    private func ulps(_ actual: Float, _ expected: Double) -> Double {
        let rounded = Float(expected)
        if rounded.isInfinite || rounded == 0 { return actual == rounded ? 0 : .infinity }
        return abs(Double(actual) - expected) / Double(rounded.ulp)
    }

    func testTranscendentalLoopsMatchDoubleReferences() {
        let functions: [(String, (UnsafePointer<Float>?, UnsafeMutablePointer<Float>?, Int) -> Void, (Double) -> Double)] = [
            ("exp", tg_exp_f32, { Foundation.exp($0) }),
            ("sigmoid", tg_sigmoid_f32, { 1 / (1 + Foundation.exp(-$0)) }),
            ("tanh", tg_tanh_f32, { Foundation.tanh($0) }),
            ("erf", tg_erf_f32, { Foundation.erf($0) }),
            ("erfc", tg_erfc_f32, { Foundation.erfc($0) }),
        ]
        let x = inputs()
        forEachInstructionSetLevel { level in
            for (name, loop, reference) in functions {
                var y = [Float](repeating: 0, count: x.count)
                loop(x, &y, x.count)
                var worst = 0.0, worstInput: Float = 0
                for (input, output) in zip(x, y) {
                    let error = ulps(output, reference(Double(input)))
                    if error > worst { (worst, worstInput) = (error, input) }
                }
                XCTAssertLessThanOrEqual(worst, 4, "\(level) \(name): \(worst) ulp at \(worstInput)")
                // The limits and NaN.
                let edges: [Float] = [.infinity, -.infinity, .nan]
                var limits = [Float](repeating: 0, count: 3)
                loop(edges, &limits, 3)
                for (input, output) in zip(edges.prefix(2), limits.prefix(2)) {
                    XCTAssertEqual(output, Float(reference(Double(input))), "\(level) \(name)(\(input))")
                }
                XCTAssertTrue(limits[2].isNaN, "\(level) \(name)(nan) = \(limits[2])")
            }
        }
    }

    /// The loops may write over their input (an elementwise step reuses a dying input's buffer); counts
    /// that leave partial vectors.
    func testLoopsRunInPlaceAndOnPartialVectors() {
        for count in [0, 1, 7, 16, 33] {
            let x = (0..<count).map { Float($0) * 0.37 - 3 }
            var inPlace = x, separate = [Float](repeating: 0, count: count)
            tg_sigmoid_f32(inPlace, &separate, count)
            inPlace.withUnsafeMutableBufferPointer { tg_sigmoid_f32($0.baseAddress, $0.baseAddress, count) }
            XCTAssertEqual(inPlace, separate, "count \(count)")
        }
    }

    /// Softmax and log-softmax rows against the float64 reference loop: widths around the 16-lane blocks,
    /// large logits (the maximum's shift), -inf entries (probability 0) and a NaN row (NaN throughout).
    func testSoftmaxRowsMatchTheReference() {
        var random = TestRandom(seed: 78)
        forEachInstructionSetLevel { level in
            for columns in [1, 5, 16, 17, 64, 100] {
                let rows = 3
                var x = (0..<rows * columns).map { _ in Float(random.uniform(-8, 8)) }
                x[0] = 80   // exp(80) would overflow a float32 sum without the shift by the maximum
                if columns > 2 { x[columns + 1] = -.infinity }
                for log in [false, true] {
                    var y = [Float](repeating: 0, count: x.count), expected = [Double](repeating: 0, count: x.count)
                    tg_softmax_rows_f32(x, &y, rows, columns, log ? 1 : 0)
                    x.map(Double.init).withUnsafeBufferPointer { xd in
                        softmaxRowsReference(xd.baseAddress!, &expected, rows: rows, columns: columns, log: log)
                    }
                    assertClose(y.map(Double.init), expected, absolute: 1e-6, relative: 1e-5, "\(level) columns \(columns) log \(log)")
                }
            }
            var row: [Float] = [1, .nan, 2], out = [Float](repeating: 0, count: 3)
            tg_softmax_rows_f32(&row, &out, 1, 3, 0)
            XCTAssertTrue(out.allSatisfy(\.isNaN), "\(level): \(out)")
        }
    }

    /// The ops' float32 kernels (large enough to split across workers) against their float64 `apply`.
    func testOpsUseTheVectorisedLoops() throws {
        var random = TestRandom(seed: 79)
        let x = Tensor(shape: [300, 256], scalars: (0..<300 * 256).map { _ in Float(random.uniform(-6, 6)) })
        let g = Graph()
        let p = try g.placeholder(.float, shape: [300, 256])
        let outputs = try [g.sigmoid(p), g.tanh(p), g.erf(p), g.erfc(p), g.softmax(p)]
        let values = try Session(graph: g).run(outputs, feeding: [p: x])
        let input = x.doubleValues
        let scalar: [(Double) -> Double] = [Sigmoid.apply, Tanh.apply, Erf.apply, Erfc.apply]
        for (k, f) in scalar.enumerated() {
            assertClose(values[k].doubleValues, input.map(f), absolute: 1e-6, relative: 1e-6, "op \(k)")
        }
        var expected = [Double](repeating: 0, count: input.count)
        input.withUnsafeBufferPointer { softmaxRowsReference($0.baseAddress!, &expected, rows: 300, columns: 256, log: false) }
        assertClose(values[4].doubleValues, expected, absolute: 1e-7, relative: 1e-5, "softmax")
    }

    /// The vectorised float32 arithmetic (`tg_binary_f32`) against the scalar expressions, exactly: both
    /// operands arrays, either one a scalar, written over an input, counts that leave partial blocks.
    func testBinaryLoopsMatchScalarArithmeticExactly() {
        var random = TestRandom(seed: 80)
        let codes: [(Int32, (Float, Float) -> Float)] = [
            (Int32(TG_BINARY_ADD), { $0 + $1 }), (Int32(TG_BINARY_SUB), { $0 - $1 }), (Int32(TG_BINARY_MUL), { $0 * $1 }),
            (Int32(TG_BINARY_DIV), { $0 / $1 }), (Int32(TG_BINARY_SQUARED_DIFFERENCE), { ($0 - $1) * ($0 - $1) }),
        ]
        forEachInstructionSetLevel { level in
            for count in [1, 15, 16, 37] {
                var a = (0..<count).map { _ in Float(random.uniform(-3, 3)) }, b = (0..<count).map { _ in Float(random.uniform(-3, 3)) }
                a[0] = .nan
                if count > 2 { (b[1], a[2], b[2]) = (0, .infinity, .infinity) }
                for (code, f) in codes {
                    for (scalarA, scalarB) in [(false, false), (true, false), (false, true)] {
                        var y = [Float](repeating: 0, count: count)
                        tg_binary_f32(code, a, scalarA ? 1 : 0, b, scalarB ? 1 : 0, &y, count)
                        let expected = (0..<count).map { f(a[scalarA ? 0 : $0], b[scalarB ? 0 : $0]) }
                        XCTAssertEqual(y.map(\.bitPattern), expected.map(\.bitPattern), "\(level) op \(code) count \(count) scalars \(scalarA) \(scalarB)")
                    }
                    var inPlace = a
                    inPlace.withUnsafeMutableBufferPointer { tg_binary_f32(code, $0.baseAddress, 0, b, 0, $0.baseAddress, count) }
                    XCTAssertEqual(inPlace.map(\.bitPattern), (0..<count).map { f(a[$0], b[$0]).bitPattern }, "\(level) op \(code) in place")
                }
            }
        }
    }

    /// The ops on float32 with LayerNorm's broadcasts ([B, T, 1] · [1, 1, C], [B, T, C] − [B, T, 1]), large
    /// enough to split across workers, against the float64 results.
    func testBroadcastArithmeticOpsMatchDouble() throws {
        var random = TestRandom(seed: 81)
        let shapes: [([Int], [Int])] = [([32, 64, 1], [1, 1, 64]), ([32, 64, 64], [32, 64, 1]), ([32, 64, 64], [32, 64, 64]), ([], [32, 64, 64])]
        for (xs, ys) in shapes {
            let xf = toFloat32(random.tensor(xs)), yf = toFloat32(random.tensor(ys, 0.5, 2))
            let g = Graph()
            let x = try g.placeholder(.float, shape: TensorShape(xs)), y = try g.placeholder(.float, shape: TensorShape(ys))
            let outputs = try [x + y, x - y, x * y, x / y, g.squaredDifference(x, y)]
            let values = try Session(graph: g).run(outputs, feeding: [x: xf, y: yf])
            let gd = Graph()
            let x64 = try gd.placeholder(.double, shape: TensorShape(xs)), y64 = try gd.placeholder(.double, shape: TensorShape(ys))
            let expected = try Session(graph: gd).run([x64 + y64, x64 - y64, x64 * y64, x64 / y64, gd.squaredDifference(x64, y64)],
                                                      feeding: [x64: Tensor(shape: xs, scalars: xf.doubleValues),
                                                                y64: Tensor(shape: ys, scalars: yf.doubleValues)])
            for k in 0..<5 { assertClose(values[k].doubleValues, expected[k].doubleValues, absolute: 1e-6, relative: 1e-6, "\(xs) \(ys) op \(k)") }
        }
    }
}
