/// A two-input `Einsum` run as strided matrix products straight on the operands and the output, with no
/// copies: Keras' attention (`BTNH,BSNH->BNTS`, `BNTS,BSNH->BTNH`) and dense layers (`abc,cd->abd`) are all
/// of this kind.
///
/// It applies when, in each operand, the labels of each group (rows and inner for x, inner and columns for
/// y, rows and columns for the output) lie at strides that merge into one dimension, one of a matrix's two
/// dimensions has stride 1 (either layout: a transposed operand is a GEMM flag), the output's columns have
/// stride 1, no label is summed out of one operand alone and no output label repeats. The batch labels may
/// have any strides: each product starts at its own offsets. Otherwise the kernel copies (`Einsum.compute`).
struct EinsumStridedProduct {
    let m: Int, n: Int, k: Int
    let transposeA: Bool, lda: Int, transposeB: Bool, ldb: Int, ldc: Int
    /// Element offsets of each product's x, y and output matrices.
    let xOffsets: [Int], yOffsets: [Int], outOffsets: [Int]

    /// A group of labels as one dimension: its size and stride (nil when the size is 1: any stride fits),
    /// or nil when the labels' strides do not nest.
    private static func merge(_ labels: [Int], size: (Int) -> Int, stride: (Int) -> Int) -> (size: Int, stride: Int?)? {
        var total = 1, innermost: Int? = nil
        for label in labels.reversed() where size(label) != 1 {
            let s = stride(label)
            if let inner = innermost, s != inner * total { return nil }
            if innermost == nil { innermost = s }
            total *= size(label)
        }
        return (total, innermost)
    }

    /// A [rows, columns] matrix with the given strides as a BLAS operand: (transposed, leading dimension),
    /// or nil when neither dimension has stride 1 or the leading dimension is too small for BLAS.
    private static func operand(rows: (size: Int, stride: Int?), columns: (size: Int, stride: Int?)) -> (Bool, Int)? {
        if columns.stride ?? 1 == 1 {
            let ld = rows.stride ?? columns.size
            return ld >= max(1, columns.size) ? (false, ld) : nil
        }
        if rows.stride ?? 1 == 1 {
            let ld = columns.stride ?? rows.size
            return ld >= max(1, rows.size) ? (true, ld) : nil
        }
        return nil
    }

    /// The product for labels split into batch, rows (x only), inner (contracted) and columns (y only);
    /// `*Stride(label)` is the label's stride in x, y and the output (summed over repeats), `size` its size.
    init?(batch: [Int], rows: [Int], inner: [Int], columns: [Int], size: (Int) -> Int,
          xStride: (Int) -> Int, yStride: (Int) -> Int, outStride: (Int) -> Int) {
        guard let xRows = Self.merge(rows, size: size, stride: xStride), let xInner = Self.merge(inner, size: size, stride: xStride),
              let yInner = Self.merge(inner, size: size, stride: yStride), let yColumns = Self.merge(columns, size: size, stride: yStride),
              let outRows = Self.merge(rows, size: size, stride: outStride), let outColumns = Self.merge(columns, size: size, stride: outStride),
              let (transposeA, lda) = Self.operand(rows: xRows, columns: xInner),
              let (transposeB, ldb) = Self.operand(rows: yInner, columns: yColumns),
              let (outTransposed, ldc) = Self.operand(rows: outRows, columns: outColumns), !outTransposed
        else { return nil }
        (m, n, k) = (xRows.size, yColumns.size, xInner.size)
        guard m > 0, n > 0, k > 0 else { return nil }
        (self.transposeA, self.lda, self.transposeB, self.ldb, self.ldc) = (transposeA, lda, transposeB, ldb, ldc)
        // The batch index space in row-major order, each entry's offset in x, y and the output.
        let dims = batch.map(size), count = dims.reduce(1, *)
        var xOffsets = [Int](repeating: 0, count: count), yOffsets = xOffsets, outOffsets = xOffsets
        for b in 0..<count {
            var rest = b
            for (d, label) in batch.enumerated().reversed() {
                let i = rest % dims[d]
                rest /= dims[d]
                xOffsets[b] += i * xStride(label)
                yOffsets[b] += i * yStride(label)
                outOffsets[b] += i * outStride(label)
            }
        }
        (self.xOffsets, self.yOffsets, self.outOffsets) = (xOffsets, yOffsets, outOffsets)
    }

    /// Runs every product, whole products split across workers (each one a single-threaded GEMM).
    func run<T: FloatScalar>(_ x: UnsafePointer<T>, _ y: UnsafePointer<T>, _ out: UnsafeMutablePointer<T>) {
        let job = EinsumProductJob(product: self, x: x, y: y, out: out)
        Parallelism.forRanges(xOffsets.count, work: 2 * m * n * k * xOffsets.count, minimumWork: 300_000, job)
    }
}

/// A range of an `EinsumStridedProduct`'s products.
struct EinsumProductJob<T: FloatScalar>: RangeJob {
    let product: EinsumStridedProduct
    let x: UnsafePointer<T>, y: UnsafePointer<T>, out: UnsafeMutablePointer<T>

    func run(_ range: Range<Int>) {
        let p = product
        for b in range {
            gemmStrided(T.self, transposeA: p.transposeA, transposeB: p.transposeB, m: p.m, n: p.n, k: p.k,
                        a: x + p.xOffsets[b], lda: p.lda, b: y + p.yOffsets[b], ldb: p.ldb, c: out + p.outOffsets[b], ldc: p.ldc)
        }
    }
}
