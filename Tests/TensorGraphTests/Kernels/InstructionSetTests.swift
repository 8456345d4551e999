import CKernels
import TestSupport
import XCTest
@testable import TensorGraph

/// TensorGraph's own C loops at every instruction-set level the CPU has (AVX-512, AVX2+FMA, baseline),
/// as `ONEDNN_MAX_CPU_ISA` caps them: each level against the plain reference loops.
final class InstructionSetTests: XCTestCase {
    override func tearDown() {
        tg_set_isa_level(-1)   // back to the CPU's best, capped by the environment
        super.tearDown()
    }

    func testCapFollowsOneDNNSpelling() {
        XCTAssertEqual(tg_isa_cap_from(nil), 2)
        XCTAssertEqual(tg_isa_cap_from("ALL"), 2)
        XCTAssertEqual(tg_isa_cap_from("avx512_core_vnni"), 2)
        XCTAssertEqual(tg_isa_cap_from("AVX512_CORE_AMX"), 2)
        XCTAssertEqual(tg_isa_cap_from("AVX2"), 1)
        XCTAssertEqual(tg_isa_cap_from("avx2_vnni"), 1)
        XCTAssertEqual(tg_isa_cap_from("AVX"), 0)
        XCTAssertEqual(tg_isa_cap_from("SSE41"), 0)
    }

    /// A small CNN step (direct convolutions with bias and relu, 2×2 pooling and its fused gradient,
    /// im2col, the dense epilogue, Adam) at each level, against float64 reference loops.
    func testKernelsAgreeWithTheReferenceAtEveryLevel() throws {
        var random = TestRandom(seed: 51)
        let x = toFloat32(random.tensor([4, 12, 12, 16])), w = toFloat32(random.tensor([3, 3, 16, 32]))
        let b = toFloat32(random.tensor([32], -0.1, 0.1))
        let geometry = WindowGeometry(input: x.shape, kernel: (3, 3), strides: (1, 1), padding: .same)!
        let reference = conv2dReference(x.doubleValues, w.doubleValues, geometry, filters: 32)
        let bias = b.doubleValues
        var levels: [Int32] = [], gradients: [[Double]] = []
        for requested in [2, 1, 0] as [Int32] {
            let level = tg_set_isa_level(requested)
            guard !levels.contains(level) else { continue }   // the CPU lacks the requested level
            levels.append(level)
            let label = "level \(level) (\(String(cString: tg_kernels_isa())))"
            let g = Graph()
            let xp = try g.placeholder(.float, shape: TensorShape(x.shape))
            let y = try g.relu(g.biasAdd(g.conv2D(xp, filter: g.constant(w), padding: .same), g.constant(b)))
            let pooled = try g.maxPool(y, ksize: (2, 2), strides: (2, 2), padding: .valid)
            let gradient = try XCTUnwrap(g.gradients(of: [pooled], with: [xp])[0])
            let values = try Session(graph: g).run([y, pooled, gradient], feeding: [xp: x])
            let expected = reference.enumerated().map { max($1 + bias[$0 % 32], 0) }
            assertClose(values[0].doubleValues, expected, absolute: 1e-4, relative: 1e-5, label + ": conv + bias + relu")
            // Pooling against the reference on the same features (exact: max picks a value); the gradient
            // (fused pooling gradient, input-gradient convolution) against the other levels' to rounding.
            let expectedPool = refPool(values[0], kernel: (2, 2), strides: (2, 2), padding: .valid, max: true).1
            assertClose(values[1].doubleValues, expectedPool, absolute: 0, relative: 0, label + ": max pool")
            if let first = gradients.first { assertClose(values[2].doubleValues, first, absolute: 1e-4, relative: 1e-4, label + ": gradient") }
            gradients.append(values[2].doubleValues)

            // Adam's C loop against its formula.
            let n = 1000
            var weights = (0..<n).map { Float($0) / 1000 }, m = [Float](repeating: 0.1, count: n), v = [Float](repeating: 0.2, count: n)
            let grads = (0..<n).map { Float(($0 % 7) - 3) / 10 }
            let (rate, beta1, beta2, epsilon): (Float, Float, Float, Float) = (0.01, 0.9, 0.999, 1e-7)
            tg_adam_f32(&weights, &m, &v, grads, 0, n, rate, beta1, beta2, epsilon)
            for i in stride(from: 0, to: n, by: 97) {
                let mi = 0.1 + (Double(grads[i]) - 0.1) * (1 - 0.9), vi = 0.2 + (Double(grads[i]) * Double(grads[i]) - 0.2) * (1 - 0.999)
                let wi = Double(i) / 1000 - 0.01 * mi / (vi.squareRoot() + 1e-7)
                XCTAssertEqual(Double(weights[i]), wi, accuracy: 1e-6, label + ": Adam")
            }
        }
        XCTAssertTrue(levels.contains(0), "the baseline always runs")
    }
}
