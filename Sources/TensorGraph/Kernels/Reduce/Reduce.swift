/// Reduction kernels over a set of axes.

/// How a reduction combines elements.
public enum ReductionKind: Sendable {
    case sum, mean, max, min, prod
}

/// The output shape of reducing `shape` over `axes` (sorted, unique, non-negative).
func reducedShape(_ shape: [Int], axes: [Int], keepDims: Bool) -> [Int] {
    var result: [Int] = []
    for (i, d) in shape.enumerated() {
        if axes.contains(i) { if keepDims { result.append(1) } } else { result.append(d) }
    }
    return result
}

/// Reduces `x` over `axes` into `out` (which has the reduced element count).
///
/// Views the input as [outer, reduced, inner] when the axes are contiguous (the common
/// cases: all axes, trailing axes, leading axes); otherwise walks every element.
func reduce<T: FloatScalar>(_ kind: ReductionKind, _ x: UnsafePointer<T>, shape: [Int], axes: [Int], into out: UnsafeMutablePointer<T>) {
    var outCount = 1, reducedCount = 1
    for (d, size) in shape.enumerated() {
        if axes.contains(d) { reducedCount *= size } else { outCount *= size }
    }
    let initial: T
    switch kind {
    case .sum, .mean: initial = 0
    case .prod: initial = 1
    case .max: initial = -T.infinity
    case .min: initial = T.infinity
    }
    @inline(__always) func combine(_ a: T, _ b: T) -> T {
        switch kind {
        case .sum, .mean: return a + b
        case .prod: return a * b
        case .max: return a >= b || a.isNaN ? a : b
        case .min: return a <= b || a.isNaN ? a : b
        }
    }
    for i in 0..<outCount { out[i] = initial }
    let contiguous = axes.isEmpty || axes.last! - axes.first! + 1 == axes.count
    if contiguous && !axes.isEmpty {
        var outer = 1, inner = 1
        for d in 0..<axes.first! { outer *= shape[d] }
        for d in (axes.last! + 1)..<shape.count { inner *= shape[d] }
        if inner == 1 {
            // Trailing axes (LayerNorm's moments): each output is one row; eight partial results keep eight
            // combines in flight instead of one chain through a single value.
            for o in 0..<outer {
                let src = x + o * reducedCount
                var (a0, a1, a2, a3, a4, a5, a6, a7) = (initial, initial, initial, initial, initial, initial, initial, initial)
                var r = 0
                while r + 8 <= reducedCount {
                    (a0, a1, a2, a3) = (combine(a0, src[r]), combine(a1, src[r + 1]), combine(a2, src[r + 2]), combine(a3, src[r + 3]))
                    (a4, a5, a6, a7) = (combine(a4, src[r + 4]), combine(a5, src[r + 5]), combine(a6, src[r + 6]), combine(a7, src[r + 7]))
                    r += 8
                }
                while r < reducedCount {
                    a0 = combine(a0, src[r])
                    r += 1
                }
                out[o] = combine(combine(combine(a0, a1), combine(a2, a3)), combine(combine(a4, a5), combine(a6, a7)))
            }
        } else {
            for o in 0..<outer {
                for r in 0..<reducedCount {
                    let src = x + (o * reducedCount + r) * inner
                    let dst = out + o * inner
                    for i in 0..<inner { dst[i] = combine(dst[i], src[i]) }
                }
            }
        }
    } else if axes.isEmpty {
        for i in 0..<outCount { out[i] = x[i] }
    } else {
        let rank = shape.count
        withUnsafeTemporaryAllocation(of: Int.self, capacity: 2 * rank) { buffer in
        let outStrides = UnsafeMutableBufferPointer(rebasing: buffer[0..<rank])
        let index = UnsafeMutableBufferPointer(rebasing: buffer[rank..<2 * rank])
        for d in 0..<rank { outStrides[d] = 0; index[d] = 0 }
        var step = 1
        for d in stride(from: rank - 1, through: 0, by: -1) where !axes.contains(d) {
            outStrides[d] = step
            step *= shape[d]
        }
        var offset = 0
        for i in 0..<shape.reduce(1, *) {
            out[offset] = combine(out[offset], x[i])
            var d = rank - 1
            while d >= 0 {
                index[d] += 1
                offset += outStrides[d]
                if index[d] < shape[d] { break }
                offset -= outStrides[d] * shape[d]
                index[d] = 0
                d -= 1
            }
        }
        }
    }
    if kind == .mean {
        let n = T(reducedCount)
        for i in 0..<outCount { out[i] /= n }
    }
}

/// Integer sum/prod/max/min (for shape arithmetic such as `Prod(Shape(x))`).
func reduceInteger<T: FixedWidthInteger>(_ kind: ReductionKind, _ x: UnsafePointer<T>, shape: [Int], axes: [Int], into out: UnsafeMutablePointer<T>) {
    let outShape = reducedShape(shape, axes: axes, keepDims: true)
    let outCount = outShape.reduce(1, *)
    let rank = shape.count
    var initial: T = kind == .prod ? 1 : 0
    if kind == .max { initial = T.min }
    if kind == .min { initial = T.max }
    for i in 0..<outCount { out[i] = initial }
    var counts = [Int](repeating: 0, count: outCount)
    for i in 0..<shape.reduce(1, *) {
        var rest = i, offset = 0, step = 1
        for d in stride(from: rank - 1, through: 0, by: -1) {
            let idx = rest % shape[d]
            rest /= shape[d]
            if !axes.contains(d) { offset += idx * step }
            step *= outShape[d]
        }
        switch kind {
        case .sum, .mean: out[offset] &+= x[i]
        case .prod: out[offset] &*= x[i]
        case .max: out[offset] = Swift.max(out[offset], x[i])
        case .min: out[offset] = Swift.min(out[offset], x[i])
        }
        counts[offset] += 1
    }
    if kind == .mean { for i in 0..<outCount where counts[i] > 0 { out[i] /= T(counts[i]) } }
}
