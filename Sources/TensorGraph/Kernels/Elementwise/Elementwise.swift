import CKernels

/// Elementwise kernels: maps over one tensor and numpy-broadcast maps over two.
///
/// The plain-loop oracle the tests compare the broadcast map against lives in the test target.

/// `out[i] = f(x[i])`.
@inline(__always)
func mapUnary<T, R>(_ x: Tensor, _ out: Tensor, _ f: (T) -> R) {
    let n = x.count
    let src = x.pointer(T.self)
    let dst = out.pointer(R.self)
    for i in 0..<n { dst[i] = f(src[i]) }
}

/// Strides of a shape, in elements, aligned to `rank` dims, with 0 where the dimension broadcasts.
func broadcastStrides(_ shape: [Int], toRank rank: Int, outShape: [Int]) -> [Int] {
    var strides = [Int](repeating: 0, count: rank)
    strides.withUnsafeMutableBufferPointer { broadcastStrides(shape, outShape: outShape, into: $0) }
    return strides
}

/// `broadcastStrides` into a caller's buffer of `outShape.count` elements (kernels use stack buffers).
func broadcastStrides(_ shape: [Int], outShape: [Int], into strides: UnsafeMutableBufferPointer<Int>) {
    let rank = outShape.count
    for i in 0..<rank { strides[i] = 0 }
    var step = 1
    for i in stride(from: shape.count - 1, through: 0, by: -1) {
        let axis = i + rank - shape.count
        strides[axis] = shape[i] == 1 && outShape[axis] != 1 ? 0 : step
        step *= shape[i]
    }
}

/// `out = f(x, y)` with numpy broadcasting on the calling thread; `out` has the broadcast shape.
@inline(__always)
func mapBinary<T, R>(_ x: Tensor, _ y: Tensor, _ out: Tensor, _ f: (T, T) -> R) {
    mapBinary(x, y, out, f, units: 0..<binaryMapUnits(x, y, out))
}

/// `out = O.apply(x, y)` with numpy broadcasting, float types: outputs of 2¹⁵ elements or more are split
/// across workers (in elements, or in rows of the last dimension when both operands broadcast). Generic
/// over the op type, not a closure, so `apply` is inlined into each worker's loop.
@inline(__always)
func mapBinaryOp<O: BinaryArithmeticOp, T: FloatScalar>(_ op: O.Type, _: T.Type, _ x: Tensor, _ y: Tensor, _ out: Tensor) {
    let units = binaryMapUnits(x, y, out)
    Parallelism.forRanges(units, work: out.count, minimumWork: 1 << 15, BinaryOpJob<O, T>(x: x, y: y, out: out))
}

/// The units `mapBinary(_:_:_:_:units:)` counts in: elements when the operands have one shape or one is a
/// scalar, otherwise rows of the output's last dimension.
@inline(__always)
func binaryMapUnits(_ x: Tensor, _ y: Tensor, _ out: Tensor) -> Int {
    let n = out.count
    if x.shape == y.shape || (y.count == 1 && x.count == n) || (x.count == 1 && y.count == n) { return n }
    let inner = out.shape.last ?? 1
    return inner == 0 ? 0 : n / inner
}

/// One worker's units of a broadcast arithmetic op: float32 add, subtract, multiply, divide and squared
/// difference through the vectorised C loop (`tg_binary_f32`), everything else through `O.apply`.
struct BinaryOpJob<O: BinaryArithmeticOp, T: FloatScalar>: RangeJob {
    let x: Tensor, y: Tensor, out: Tensor
    func run(_ range: Range<Int>) {
        guard T.self == Float.self, let code = vectorBinaryCode(O.self) else {
            return mapBinary(x, y, out, { (a: T, b: T) in O.apply(a, b) }, units: range)
        }
        let a = x.pointer(Float.self), b = y.pointer(Float.self), dst = out.pointer(Float.self)
        forEachBinaryRun(x, y, out, units: range) { offsetA, scalarA, offsetB, scalarB, offset, count in
            tg_binary_f32(code, a + offsetA, scalarA ? 1 : 0, b + offsetB, scalarB ? 1 : 0, dst + offset, count)
        }
    }
}

/// The C loop's code for `O`, or nil when it has none.
@inline(__always)
func vectorBinaryCode<O: BinaryArithmeticOp>(_: O.Type) -> Int32? {
    switch ObjectIdentifier(O.self) {
    case ObjectIdentifier(AddV2.self): Int32(TG_BINARY_ADD)
    case ObjectIdentifier(Sub.self): Int32(TG_BINARY_SUB)
    case ObjectIdentifier(Mul.self): Int32(TG_BINARY_MUL)
    case ObjectIdentifier(RealDiv.self): Int32(TG_BINARY_DIV)
    case ObjectIdentifier(SquaredDifference.self): Int32(TG_BINARY_SQUARED_DIFFERENCE)
    default: nil
    }
}

/// The same walk as `mapBinary(_:_:_:_:units:)`, one call per contiguous run of output elements:
/// `body(offsetA, scalarA, offsetB, scalarB, outOffset, count)` where an operand marked scalar repeats
/// its element at its offset.
@inline(__always)
func forEachBinaryRun(_ x: Tensor, _ y: Tensor, _ out: Tensor, units: Range<Int>,
                      _ body: (Int, Bool, Int, Bool, Int, Int) -> Void) {
    let n = out.count
    if x.shape == y.shape { return body(units.lowerBound, false, units.lowerBound, false, units.lowerBound, units.count) }
    if y.count == 1 && x.count == n { return body(units.lowerBound, false, 0, true, units.lowerBound, units.count) }
    if x.count == 1 && y.count == n { return body(0, true, units.lowerBound, false, units.lowerBound, units.count) }
    if units.isEmpty { return }
    let rank = out.rank
    let outShape = out.shape
    withUnsafeTemporaryAllocation(of: Int.self, capacity: 3 * rank) { buffer in
        let sa = UnsafeMutableBufferPointer(rebasing: buffer[0..<rank])
        let sb = UnsafeMutableBufferPointer(rebasing: buffer[rank..<2 * rank])
        let index = UnsafeMutableBufferPointer(rebasing: buffer[2 * rank..<3 * rank])
        broadcastStrides(x.shape, outShape: outShape, into: sa)
        broadcastStrides(y.shape, outShape: outShape, into: sb)
        let inner = outShape[rank - 1]
        // The last dimension's stride is 1, or 0 where that operand broadcasts along it.
        let scalarA = sa[rank - 1] == 0, scalarB = sb[rank - 1] == 0
        var offA = 0, offB = 0, rest = units.lowerBound
        for d in stride(from: rank - 2, through: 0, by: -1) {
            index[d] = rest % outShape[d]
            rest /= outShape[d]
            offA += index[d] * sa[d]
            offB += index[d] * sb[d]
        }
        for row in units {
            body(offA, scalarA, offB, scalarB, row * inner, inner)
            var d = rank - 2
            while d >= 0 {
                index[d] += 1
                offA += sa[d]
                offB += sb[d]
                if index[d] < outShape[d] { break }
                offA -= sa[d] * outShape[d]
                offB -= sb[d] * outShape[d]
                index[d] = 0
                d -= 1
            }
        }
    }
}

/// `mapBinary` over a range of its units (`binaryMapUnits`) on the calling thread: one inner loop per
/// contiguous run of output elements (`forEachBinaryRun`), an operand marked scalar repeated.
@inline(__always)
func mapBinary<T, R>(_ x: Tensor, _ y: Tensor, _ out: Tensor, _ f: (T, T) -> R, units: Range<Int>) {
    let a = x.pointer(T.self), b = y.pointer(T.self)
    let dst = out.pointer(R.self)
    forEachBinaryRun(x, y, out, units: units) { offA, scalarA, offB, scalarB, offset, count in
        let inA = a + offA, inB = b + offB, to = dst + offset
        switch (scalarA, scalarB) {
        case (false, false): for j in 0..<count { to[j] = f(inA[j], inB[j]) }
        case (false, true): let s = inB[0]; for j in 0..<count { to[j] = f(inA[j], s) }
        case (true, false): let s = inA[0]; for j in 0..<count { to[j] = f(s, inB[j]) }
        case (true, true): let v = f(inA[0], inB[0]); for j in 0..<count { to[j] = v }
        }
    }
}
