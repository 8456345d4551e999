import CBLAS

/// C[m×n] = op(A) · op(B) (+ C when `accumulate`), row-major, through BLAS.
///
/// `op(A)` is [m, k] (A stored [k, m] when `transposeA`); `op(B)` is [k, n].
@inline(__always)
func gemm<T: FloatScalar>(_ type: T.Type, transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
                          a: UnsafePointer<T>, b: UnsafePointer<T>, c: UnsafeMutablePointer<T>, accumulate: Bool = false) {
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
                    cblas_sgemm(CblasRowMajor, ta, tb, Int32(m), Int32(n), Int32(k), 1, a, lda, b, ldb, Float(beta), c, Int32(n))
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

/// Reference for `gemm`: the plain triple loop.
func gemmReference<T: FloatScalar>(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
                                   a: [T], b: [T]) -> [T] {
    var c = [T](repeating: 0, count: m * n)
    for i in 0..<m {
        for j in 0..<n {
            var sum: T = 0
            for p in 0..<k {
                let av = transposeA ? a[p * m + i] : a[i * k + p]
                let bv = transposeB ? b[j * k + p] : b[p * n + j]
                sum += av * bv
            }
            c[i * n + j] = sum
        }
    }
    return c
}

/// Sets the number of threads BLAS may use.
public func setBLASThreads(_ n: Int) { openblas_set_num_threads(Int32(n)) }
