import Foundation
@testable import TensorGraph

// Plain-loop reference implementations of ops: the oracles the op table (and the parallel kernel
// tests) check kernels against. They work in Double on tensors and compute every index from scratch;
// the kernel-level loops they build on are in Kernels/KernelReferences.swift.

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
