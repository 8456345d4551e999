import Foundation
import CBLAS
import CDNNL

/// C[m×n] = op(A) · op(B) (+ C when `accumulate`), row-major: float32 through oneDNN's `dnnl_sgemm`
/// (JIT-compiled for the instruction set cpuid reports, capped by `ONEDNN_MAX_CPU_ISA`), float64
/// through OpenBLAS (oneDNN has no double-precision GEMM). Both run on the calling thread only.
///
/// `op(A)` is [m, k] (A stored [k, m] when `transposeA`); `op(B)` is [k, n].
@inline(__always)
func gemm<T: FloatScalar>(_ type: T.Type, transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
                          a: UnsafePointer<T>, b: UnsafePointer<T>, c: UnsafeMutablePointer<T>, accumulate: Bool = false) {
    _ = Parallelism.configureBLAS
    if m == 0 || n == 0 { return }
    if k == 0 {
        if !accumulate { c.update(repeating: 0, count: m * n) }
        return
    }
    let ta = transposeA ? CblasTrans : CblasNoTrans
    let tb = transposeB ? CblasTrans : CblasNoTrans
    let lda = Int32(transposeA ? m : k), ldb = Int32(transposeB ? k : n)
    let beta: T = accumulate ? 1 : 0
    if T.self == Float.self {
        a.withMemoryRebound(to: Float.self, capacity: m * k) { a in
            b.withMemoryRebound(to: Float.self, capacity: k * n) { b in
                c.withMemoryRebound(to: Float.self, capacity: m * n) { c in
                    sgemm(transposeA, transposeB, m, n, k, a, Int(lda), b, Int(ldb), Float(beta), c, n)
                }
            }
        }
    } else {
        a.withMemoryRebound(to: Double.self, capacity: m * k) { a in
            b.withMemoryRebound(to: Double.self, capacity: k * n) { b in
                c.withMemoryRebound(to: Double.self, capacity: m * n) { c in
                    cblas_dgemm(CblasRowMajor, ta, tb, Int32(m), Int32(n), Int32(k), 1, a, lda, b, ldb, Double(beta), c, Int32(n))
                }
            }
        }
    }
}

/// C = op(A)·op(B) split into row blocks across workers when large enough (BLAS itself runs single-threaded).
func parallelGemm<T: FloatScalar>(_ type: T.Type, transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
                                  a: UnsafePointer<T>, b: UnsafePointer<T>, c: UnsafeMutablePointer<T>) {
    _ = Parallelism.configureBLAS
    let flops = 2 * m * n * k
    let large = flops >= 300_000 && Parallelism.workers > 1
    if large && m < 8 * Parallelism.workers && n >= 32 * Parallelism.workers {
        // Few rows (batch-1 inference): split the columns of op(B) and C instead.
        let job = GemmBlocks(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, a: a, b: b, c: c, splitsColumns: true)
        return Parallelism.forRanges(n, work: flops, minimumWork: 0, job)
    }
    let workers = flops >= 1_500_000 && m >= 8 * Parallelism.workers ? Parallelism.workers : 1
    if workers == 1 {
        return gemm(T.self, transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, a: a, b: b, c: c)
    }
    let job = GemmBlocks(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, a: a, b: b, c: c, splitsColumns: false)
    Parallelism.forRanges(m, work: flops, minimumWork: 0, job)
}

/// A block of C = op(A)·op(B): a range of C's rows, or of its columns (for products with few rows).
struct GemmBlocks<T: FloatScalar>: RangeJob {
    let transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int
    let a: UnsafePointer<T>, b: UnsafePointer<T>, c: UnsafeMutablePointer<T>
    let splitsColumns: Bool

    func run(_ range: Range<Int>) {
        if splitsColumns {
            let c0 = range.lowerBound
            gemmStrided(T.self, transposeA: transposeA, transposeB: transposeB, m: m, n: range.count, k: k,
                        a: a, lda: transposeA ? m : k, b: transposeB ? b + c0 * k : b + c0, ldb: transposeB ? k : n,
                        c: c + c0, ldc: n)
        } else {
            // Rows r0..<r1 of op(A): offset by rows of A, or by columns when A is stored transposed.
            let r0 = range.lowerBound
            let aBlock = transposeA ? a + r0 : a + r0 * k
            gemmStrided(T.self, transposeA: transposeA, transposeB: transposeB, m: range.count, n: n, k: k,
                        a: aBlock, lda: transposeA ? m : k, b: b, ldb: transposeB ? k : n, c: c + r0 * n, ldc: n)
        }
    }
}

/// GEMM with explicit leading dimensions (for blocks of larger matrices).
@inline(__always)
func gemmStrided<T: FloatScalar>(_ type: T.Type, transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
                                 a: UnsafePointer<T>, lda: Int, b: UnsafePointer<T>, ldb: Int,
                                 c: UnsafeMutablePointer<T>, ldc: Int, accumulate: Bool = false) {
    if m == 0 || n == 0 { return }
    let ta = transposeA ? CblasTrans : CblasNoTrans, tb = transposeB ? CblasTrans : CblasNoTrans
    if T.self == Float.self {
        a.withMemoryRebound(to: Float.self, capacity: 1) { a in
            b.withMemoryRebound(to: Float.self, capacity: 1) { b in
                c.withMemoryRebound(to: Float.self, capacity: 1) { c in
                    sgemm(transposeA, transposeB, m, n, k, a, lda, b, ldb, accumulate ? 1 : 0, c, ldc)
                }
            }
        }
    } else {
        a.withMemoryRebound(to: Double.self, capacity: 1) { a in
            b.withMemoryRebound(to: Double.self, capacity: 1) { b in
                c.withMemoryRebound(to: Double.self, capacity: 1) { c in
                    cblas_dgemm(CblasRowMajor, ta, tb, Int32(m), Int32(n), Int32(k), 1, a, Int32(lda), b, Int32(ldb),
                                accumulate ? 1 : 0, c, Int32(ldc))
                }
            }
        }
    }
}

/// The float32 GEMM library: oneDNN unless `TENSORGRAPH_GEMM=openblas` asks for OpenBLAS (for side-by-side
/// measurements; Benchmarks/README.md has the numbers that chose oneDNN).
enum GemmLibrary: String {
    case oneDNN = "oneDNN"
    case openBLAS = "OpenBLAS"

    static let float32: GemmLibrary =
        ProcessInfo.processInfo.environment["TENSORGRAPH_GEMM"]?.lowercased() == "openblas" ? .openBLAS : .oneDNN
}

/// Row-major single-precision C = op(A)·op(B) + beta·C on the calling thread.
@inline(__always)
private func sgemm(_ transposeA: Bool, _ transposeB: Bool, _ m: Int, _ n: Int, _ k: Int,
                   _ a: UnsafePointer<Float>, _ lda: Int, _ b: UnsafePointer<Float>, _ ldb: Int,
                   _ beta: Float, _ c: UnsafeMutablePointer<Float>, _ ldc: Int) {
    if k == 0 {
        // op(A)·op(B) is zero; dnnl_sgemm returns without touching C then, whatever beta is.
        if beta == 0 { for i in 0..<m { (c + i * ldc).update(repeating: 0, count: n) } }
        return
    }
    if GemmLibrary.float32 == .oneDNN {
        let (t, n0) = (CChar(UInt8(ascii: "T")), CChar(UInt8(ascii: "N")))
        let status = tg_dnnl_sgemm(transposeA ? t : n0, transposeB ? t : n0, Int64(m), Int64(n), Int64(k),
                                   a, Int64(lda), b, Int64(ldb), beta, c, Int64(ldc))
        // Shapes are validated before any kernel runs, so a failure is oneDNN's own (it could not allocate its
        // packing buffers): OpenBLAS, which needs none, computes the product instead.
        if status == dnnl_success { return }
    }
    cblas_sgemm(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                Int32(m), Int32(n), Int32(k), 1, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
}
