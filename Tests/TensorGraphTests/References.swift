import Foundation
@testable import TensorGraph

// Plain-loop reference implementations: the oracles the kernels are tested against.
// They work in Double on flat arrays and compute every index from scratch.

typealias Reference = (shape: [Int], values: [Double])

func refUnary(_ t: Tensor, _ f: (Double) -> Double) -> Reference { (t.shape, t.doubleValues.map(f)) }

func refBroadcast(_ a: Tensor, _ b: Tensor, _ f: (Double, Double) -> Double) -> Reference {
    let rank = max(a.rank, b.rank)
    let pa = Array(repeating: 1, count: rank - a.rank) + a.shape
    let pb = Array(repeating: 1, count: rank - b.rank) + b.shape
    let shape = zip(pa, pb).map { max($0, $1) }
    let av = a.doubleValues, bv = b.doubleValues
    var out: [Double] = []
    for flat in 0..<shape.reduce(1, *) {
        var index = [Int](repeating: 0, count: rank)
        var rest = flat
        for d in stride(from: rank - 1, through: 0, by: -1) { index[d] = rest % shape[d]; rest /= shape[d] }
        func offset(_ dims: [Int]) -> Int {
            var o = 0
            for d in 0..<rank { o = o * dims[d] + (dims[d] == 1 ? 0 : index[d]) }
            return o
        }
        out.append(f(av[offset(pa)], bv[offset(pb)]))
    }
    return (shape, out)
}

func refMatMul(_ a: Tensor, _ b: Tensor, ta: Bool = false, tb: Bool = false) -> Reference {
    let (m, k) = ta ? (a.shape[1], a.shape[0]) : (a.shape[0], a.shape[1])
    let n = tb ? b.shape[0] : b.shape[1]
    let c = gemmReference(transposeA: ta, transposeB: tb, m: m, n: n, k: k, a: a.doubleValues, b: b.doubleValues)
    return ([m, n], c)
}

func refReduce(_ t: Tensor, axes: [Int], keepDims: Bool = false, _ combine: ([Double]) -> Double) -> Reference {
    let shape = t.shape, values = t.doubleValues
    let outShapeKept = shape.enumerated().map { axes.contains($0) ? 1 : $1 }
    var groups = [[Double]](repeating: [], count: outShapeKept.reduce(1, *))
    for flat in 0..<values.count {
        var rest = flat, o = 0, mult = 1
        for d in stride(from: shape.count - 1, through: 0, by: -1) {
            let i = rest % shape[d]
            rest /= shape[d]
            if !axes.contains(d) { o += i * mult }
            mult *= outShapeKept[d]
        }
        groups[o].append(values[flat])
    }
    let outShape = keepDims ? outShapeKept : shape.enumerated().filter { !axes.contains($0.offset) }.map(\.element)
    return (outShape, groups.map(combine))
}

func refSoftmaxRows(_ t: Tensor, log: Bool = false) -> Reference {
    let c = t.shape.last!, v = t.doubleValues
    var out: [Double] = []
    for r in 0..<(v.count / c) {
        let row = Array(v[(r * c)..<((r + 1) * c)])
        let p = softmaxReference(row)
        out += log ? p.map { Foundation.log($0) } : p
    }
    return (t.shape, out)
}

/// Window geometry for test references (mirrors the kernels' TF padding rule, recomputed here).
func refGeometry(_ input: [Int], kernel: (Int, Int), strides: (Int, Int), padding: Padding) -> WindowGeometry {
    WindowGeometry(input: input, kernel: kernel, strides: strides, padding: padding)!
}

/// Conv2D input gradient by brute force: every output position scatters dy · w back to the pixels it read.
func refConvBackpropInput(_ inputShape: [Int], _ filter: Tensor, _ dy: Tensor, strides: (Int, Int), padding: Padding) -> Reference {
    let g = refGeometry(inputShape, kernel: (filter.shape[0], filter.shape[1]), strides: strides, padding: padding)
    let w = filter.doubleValues, d = dy.doubleValues, f = filter.shape[3]
    var dx = [Double](repeating: 0, count: inputShape.reduce(1, *))
    for n in 0..<g.batch { for oy in 0..<g.outHeight { for ox in 0..<g.outWidth { for o in 0..<f {
        let grad = d[((n * g.outHeight + oy) * g.outWidth + ox) * f + o]
        for ky in 0..<g.kernelHeight { for kx in 0..<g.kernelWidth {
            let iy = oy * g.strideY + ky - g.padTop, ix = ox * g.strideX + kx - g.padLeft
            guard iy >= 0, iy < g.height, ix >= 0, ix < g.width else { continue }
            for c in 0..<g.channels {
                dx[((n * g.height + iy) * g.width + ix) * g.channels + c] += grad * w[((ky * g.kernelWidth + kx) * g.channels + c) * f + o]
            }
        } }
    } } } }
    return (inputShape, dx)
}

/// Conv2D filter gradient by brute force.
func refConvBackpropFilter(_ x: Tensor, _ filterShape: [Int], _ dy: Tensor, strides: (Int, Int), padding: Padding) -> Reference {
    let g = refGeometry(x.shape, kernel: (filterShape[0], filterShape[1]), strides: strides, padding: padding)
    let xv = x.doubleValues, d = dy.doubleValues, f = filterShape[3]
    var dw = [Double](repeating: 0, count: filterShape.reduce(1, *))
    for n in 0..<g.batch { for oy in 0..<g.outHeight { for ox in 0..<g.outWidth { for o in 0..<f {
        let grad = d[((n * g.outHeight + oy) * g.outWidth + ox) * f + o]
        for ky in 0..<g.kernelHeight { for kx in 0..<g.kernelWidth {
            let iy = oy * g.strideY + ky - g.padTop, ix = ox * g.strideX + kx - g.padLeft
            guard iy >= 0, iy < g.height, ix >= 0, ix < g.width else { continue }
            for c in 0..<g.channels {
                dw[((ky * g.kernelWidth + kx) * g.channels + c) * f + o] += grad * xv[((n * g.height + iy) * g.width + ix) * g.channels + c]
            }
        } }
    } } } }
    return (filterShape, dw)
}

/// Max or average pooling by brute force (average over real positions only).
func refPool(_ x: Tensor, kernel: (Int, Int), strides: (Int, Int), padding: Padding, max useMax: Bool) -> Reference {
    let g = refGeometry(x.shape, kernel: kernel, strides: strides, padding: padding)
    let v = x.doubleValues
    var out: [Double] = []
    for n in 0..<g.batch { for oy in 0..<g.outHeight { for ox in 0..<g.outWidth { for c in 0..<g.channels {
        var values: [Double] = []
        for ky in 0..<g.kernelHeight { for kx in 0..<g.kernelWidth {
            let iy = oy * g.strideY + ky - g.padTop, ix = ox * g.strideX + kx - g.padLeft
            if iy >= 0, iy < g.height, ix >= 0, ix < g.width { values.append(v[((n * g.height + iy) * g.width + ix) * g.channels + c]) }
        } }
        out.append(useMax ? values.max()! : values.reduce(0, +) / Double(values.count))
    } } } }
    return ([g.batch, g.outHeight, g.outWidth, g.channels], out)
}

// MARK: - Kernel-level oracles
// The same plain loops at the kernels' own level (flat arrays, pointers, a WindowGeometry), for tests
// that call a kernel directly. They used to live in the library; nothing there runs them.

/// Reference convolution: the direct 7-deep loop, in Double.
func conv2dReference(_ x: [Double], _ filter: [Double], _ g: WindowGeometry, filters f: Int) -> [Double] {
    var out = [Double](repeating: 0, count: g.outputPositions * f)
    for n in 0..<g.batch {
        for oy in 0..<g.outHeight {
            for ox in 0..<g.outWidth {
                for o in 0..<f {
                    var sum = 0.0
                    for ky in 0..<g.kernelHeight {
                        for kx in 0..<g.kernelWidth {
                            let iy = oy * g.strideY + ky - g.padTop, ix = ox * g.strideX + kx - g.padLeft
                            guard iy >= 0, iy < g.height, ix >= 0, ix < g.width else { continue }
                            for ch in 0..<g.channels {
                                sum += x[((n * g.height + iy) * g.width + ix) * g.channels + ch]
                                    * filter[((ky * g.kernelWidth + kx) * g.channels + ch) * f + o]
                            }
                        }
                    }
                    out[((n * g.outHeight + oy) * g.outWidth + ox) * f + o] = sum
                }
            }
        }
    }
    return out
}

/// im2col by definition: cols[(n, oy, ox), (ky, kx, c)] = x[n, oy·sy + ky − pt, ox·sx + kx − pl, c], 0 outside
/// the image. Element by element, so it shares nothing with the block copies of the C and Swift loops.
func im2colReference<T: FloatScalar>(_ x: UnsafePointer<T>, _ g: WindowGeometry, _ cols: UnsafeMutablePointer<T>) {
    for n in 0..<g.batch { for oy in 0..<g.outHeight { for ox in 0..<g.outWidth {
        let row = cols + ((n * g.outHeight + oy) * g.outWidth + ox) * g.patchSize
        for ky in 0..<g.kernelHeight { for kx in 0..<g.kernelWidth { for c in 0..<g.channels {
            let iy = oy * g.strideY + ky - g.padTop, ix = ox * g.strideX + kx - g.padLeft
            let inside = iy >= 0 && iy < g.height && ix >= 0 && ix < g.width
            row[(ky * g.kernelWidth + kx) * g.channels + c] = inside ? x[((n * g.height + iy) * g.width + ix) * g.channels + c] : 0
        } } }
    } } }
}

/// col2im by definition: every window element is added back to the pixel it was read from (dx is
/// overwritten). Windows are visited in the kernels' order, so each pixel's sum is rounded the same way.
func col2imReference<T: FloatScalar>(_ cols: UnsafePointer<T>, _ g: WindowGeometry, _ dx: UnsafeMutablePointer<T>) {
    dx.update(repeating: 0, count: g.batch * g.height * g.width * g.channels)
    for n in 0..<g.batch { for oy in 0..<g.outHeight { for ox in 0..<g.outWidth {
        let row = cols + ((n * g.outHeight + oy) * g.outWidth + ox) * g.patchSize
        for ky in 0..<g.kernelHeight { for kx in 0..<g.kernelWidth { for c in 0..<g.channels {
            let iy = oy * g.strideY + ky - g.padTop, ix = ox * g.strideX + kx - g.padLeft
            guard iy >= 0, iy < g.height, ix >= 0, ix < g.width else { continue }
            dx[((n * g.height + iy) * g.width + ix) * g.channels + c] += row[(ky * g.kernelWidth + kx) * g.channels + c]
        } } }
    } } }
}

/// Reference for MaxPoolGrad: per output element, scan its window for the first maximum.
func maxPoolGradReference(_ x: [Double], _ g: WindowGeometry, _ grad: [Double]) -> [Double] {
    var dx = [Double](repeating: 0, count: x.count)
    for n in 0..<g.batch {
        for oy in 0..<g.outHeight {
            for ox in 0..<g.outWidth {
                for j in 0..<g.channels {
                    var best = -Double.infinity, bestIndex = -1
                    for ky in 0..<g.kernelHeight {
                        for kx in 0..<g.kernelWidth {
                            let iy = oy * g.strideY + ky - g.padTop, ix = ox * g.strideX + kx - g.padLeft
                            guard iy >= 0, iy < g.height, ix >= 0, ix < g.width else { continue }
                            let index = ((n * g.height + iy) * g.width + ix) * g.channels + j
                            if bestIndex < 0 || x[index] > best { best = x[index]; bestIndex = index }
                        }
                    }
                    if bestIndex >= 0 { dx[bestIndex] += grad[((n * g.outHeight + oy) * g.outWidth + ox) * g.channels + j] }
                }
            }
        }
    }
    return dx
}

/// Reference for `mapBinary`: computes each output element's input offsets from scratch.
func mapBinaryReference<T, R>(_ x: Tensor, _ y: Tensor, _ out: Tensor, _ f: (T, T) -> R) {
    let rank = out.rank
    let sa = broadcastStrides(x.shape, toRank: rank, outShape: out.shape)
    let sb = broadcastStrides(y.shape, toRank: rank, outShape: out.shape)
    let a = x.pointer(T.self), b = y.pointer(T.self), dst = out.pointer(R.self)
    for flat in 0..<out.count {
        var rest = flat, offA = 0, offB = 0
        for d in stride(from: rank - 1, through: 0, by: -1) {
            let i = rest % out.shape[d]
            rest /= out.shape[d]
            offA += i * sa[d]
            offB += i * sb[d]
        }
        dst[flat] = f(a[offA], b[offB])
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

/// Reference softmax of one row, computed directly from the definition in Double.
func softmaxReference(_ row: [Double]) -> [Double] {
    let m = row.max() ?? 0
    let e = row.map { Double.exp($0 - m) }
    let s = e.reduce(0, +)
    return e.map { $0 / s }
}
