import Foundation
import TestSupport
import XCTest
@testable import TensorGraph

/// The float32 GEMM (oneDNN's `dnnl_sgemm` on the calling thread) against a plain float64 loop, over the
/// shapes the kernels hand it: row vectors (batch-1), empty and k = 0 products, transposes, accumulation
/// and blocks of larger matrices. Tools/test.sh reruns this with `ONEDNN_MAX_CPU_ISA=AVX2`.
final class GemmTests: XCTestCase {
    private func reference(_ a: [Float], _ b: [Float], _ c: [Float], m: Int, n: Int, k: Int, lda: Int, ldb: Int, ldc: Int,
                           transposeA: Bool, transposeB: Bool, accumulate: Bool) -> [Double] {
        var out = c.map(Double.init)
        for i in 0..<m {
            for j in 0..<n {
                var sum = 0.0
                for p in 0..<k {
                    let x = transposeA ? a[p * lda + i] : a[i * lda + p]
                    let y = transposeB ? b[j * ldb + p] : b[p * ldb + j]
                    sum += Double(x) * Double(y)
                }
                out[i * ldc + j] = sum + (accumulate ? out[i * ldc + j] : 0)
            }
        }
        return out
    }

    func testSgemmMatchesReferenceLoop() {
        var random = TestRandom(seed: 77)
        let shapes: [(Int, Int, Int)] = [(1, 1, 1), (1, 300, 784), (32, 10, 256), (7, 13, 0), (0, 5, 3), (65, 33, 129), (128, 1, 40)]
        for (m, n, k) in shapes {
            for transposeA in [false, true] {
                for transposeB in [false, true] {
                    for accumulate in [false, true] {
                        // Leading dimensions wider than the block, as for blocks of a larger matrix.
                        let lda = (transposeA ? m : k) + 3, ldb = (transposeB ? k : n) + 2, ldc = n + 1
                        let a = (0..<(transposeA ? k : m) * lda).map { _ in Float(random.uniform(-1, 1)) }
                        let b = (0..<(transposeB ? n : k) * ldb).map { _ in Float(random.uniform(-1, 1)) }
                        var c = (0..<m * ldc).map { _ in Float(random.uniform(-1, 1)) }
                        let expected = reference(a, b, c, m: m, n: n, k: k, lda: lda, ldb: ldb, ldc: ldc,
                                                 transposeA: transposeA, transposeB: transposeB, accumulate: accumulate)
                        c.withUnsafeMutableBufferPointer { cp in
                            gemmStrided(Float.self, transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                                        a: a, lda: lda, b: b, ldb: ldb, c: cp.baseAddress!, ldc: ldc, accumulate: accumulate)
                        }
                        let label = "m \(m) n \(n) k \(k) tA \(transposeA) tB \(transposeB) acc \(accumulate)"
                        assertClose(c.map(Double.init), expected, absolute: 1e-4, relative: 1e-5, label)
                    }
                }
            }
        }
    }

    /// One thread per call and a fixed split: the same product twice is bit-for-bit the same.
    func testSgemmIsReproducible() {
        var random = TestRandom(seed: 78)
        let (m, n, k) = (96, 200, 300)
        let a = (0..<m * k).map { _ in Float(random.uniform(-1, 1)) }, b = (0..<k * n).map { _ in Float(random.uniform(-1, 1)) }
        var first = [Float](repeating: 0, count: m * n), second = first
        parallelGemm(Float.self, transposeA: false, transposeB: false, m: m, n: n, k: k, a: a, b: b, c: &first)
        parallelGemm(Float.self, transposeA: false, transposeB: false, m: m, n: n, k: k, a: a, b: b, c: &second)
        XCTAssertEqual(first, second)
    }

    /// `ONEDNN_MAX_CPU_ISA` caps oneDNN as it caps TensorGraph's own loops (the AVX2 rerun in Tools/test.sh).
    func testOneDNNHonoursTheISACap() {
        let isa = Parallelism.oneDNNInstructionSet
        switch ProcessInfo.processInfo.environment["ONEDNN_MAX_CPU_ISA"]?.uppercased() {
        case "AVX2": XCTAssertEqual(isa, "avx2")
        case "SSE41": XCTAssertEqual(isa, "sse41")
        default: XCTAssertFalse(isa.hasPrefix("isa "), "unknown oneDNN ISA \(isa)")
        }
        XCTAssert(Parallelism.gemmDescription.contains(GemmLibrary.float32 == .oneDNN ? "dnnl_sgemm" : "OpenBLAS"))
    }
}
