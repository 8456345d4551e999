import Foundation
@testable import TensorGraph

// Kernel-level oracles: plain loops at the kernels' own level (flat arrays, pointers, a WindowGeometry),
// for tests that call a kernel directly. They work in Double (or the kernel's scalar type) and compute
// every index from scratch. They used to live in the library; nothing there runs them.

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
