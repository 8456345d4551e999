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
