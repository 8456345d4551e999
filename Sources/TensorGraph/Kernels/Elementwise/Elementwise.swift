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

/// `out[i] = f(x[i], y[i])` over same-shape tensors.
@inline(__always)
func mapBinarySameShape<T, R>(_ x: Tensor, _ y: Tensor, _ out: Tensor, _ f: (T, T) -> R) {
    let n = out.count
    let a = x.pointer(T.self), b = y.pointer(T.self)
    let dst = out.pointer(R.self)
    for i in 0..<n { dst[i] = f(a[i], b[i]) }
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

/// `out = f(x, y)` with numpy broadcasting; `out` has the broadcast shape.
@inline(__always)
func mapBinary<T, R>(_ x: Tensor, _ y: Tensor, _ out: Tensor, _ f: (T, T) -> R) {
    if x.shape == y.shape { return mapBinarySameShape(x, y, out, f) }
    let a = x.pointer(T.self), b = y.pointer(T.self)
    let dst = out.pointer(R.self)
    let n = out.count
    if y.count == 1 && x.count == n {
        let s = b[0]
        for i in 0..<n { dst[i] = f(a[i], s) }
        return
    }
    if x.count == 1 && y.count == n {
        let s = a[0]
        for i in 0..<n { dst[i] = f(s, b[i]) }
        return
    }
    let rank = out.rank
    let outShape = out.shape
    // Strides and the odometer live on the stack: steady-state runs must not allocate.
    withUnsafeTemporaryAllocation(of: Int.self, capacity: 3 * rank) { buffer in
    let sa = UnsafeMutableBufferPointer(rebasing: buffer[0..<rank])
    let sb = UnsafeMutableBufferPointer(rebasing: buffer[rank..<2 * rank])
    let index = UnsafeMutableBufferPointer(rebasing: buffer[2 * rank..<3 * rank])  // odometer over all but the last dim
    broadcastStrides(x.shape, outShape: outShape, into: sa)
    broadcastStrides(y.shape, outShape: outShape, into: sb)
    for d in 0..<rank { index[d] = 0 }
    let inner = outShape[rank - 1]
    let ia = sa[rank - 1], ib = sb[rank - 1]
    let rows = inner == 0 ? 0 : n / inner
    var offA = 0, offB = 0
    for row in 0..<rows {
        let base = row * inner
        if ia == 1 && ib == 0 {
            let s = b[offB]
            for j in 0..<inner { dst[base + j] = f(a[offA + j], s) }
        } else if ia == 0 && ib == 1 {
            let s = a[offA]
            for j in 0..<inner { dst[base + j] = f(s, b[offB + j]) }
        } else {
            for j in 0..<inner { dst[base + j] = f(a[offA + j * ia], b[offB + j * ib]) }
        }
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
