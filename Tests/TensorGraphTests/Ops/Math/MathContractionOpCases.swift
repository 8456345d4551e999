import Foundation
@testable import TensorGraph

// The op table's cases for Einsum and MatrixBandPart (MathOpList.swift). Their inputs are fixed formulas,
// not draws from the shared random source, so adding them shifts no other case's inputs.

/// A float64 tensor of distinct, irregular values in (-1, 1).
private func wave(_ shape: [Int], _ seed: Double) -> Tensor {
    Tensor(shape: shape, scalars: (0..<shape.reduce(1, *)).map { sin(Double($0) * 1.37 + seed) * 0.9 })
}

/// Einsum by brute force: every assignment of the labels; a dimension of size 1 under `...` reads index 0
/// (broadcast); an output label repeated keeps only its diagonal (zeros elsewhere).
private func refEinsum(_ equation: String, _ inputs: [Tensor]) -> Reference {
    let sides = equation.components(separatedBy: "->"), subs = sides[0].components(separatedBy: ",")
    // "..." becomes the letters "ZYX..." counted from the right, after each operand's rank.
    func expand(_ s: String, rank: Int?) -> [Character] {
        guard let range = s.range(of: "...") else { return Array(s) }
        let named = s.count - 3, length = (rank ?? named) - named
        return Array(s[..<range.lowerBound]) + (0..<length).reversed().map { Character(UnicodeScalar(90 - $0)!) } + Array(s[range.upperBound...])
    }
    let operands = zip(subs, inputs).map { expand($0, rank: $1.rank) }
    var sizes: [Character: Int] = [:]
    for (labels, t) in zip(operands, inputs) { for (l, d) in zip(labels, t.shape) { sizes[l] = max(sizes[l] ?? 1, d) } }
    let ellipsis = zip(subs, inputs).map { s, t in s.contains("...") ? t.rank - (s.count - 3) : 0 }.max() ?? 0
    var output = expand(sides[1], rank: nil)
    if let range = sides[1].range(of: "...") {
        output = Array(sides[1][..<range.lowerBound]) + (0..<ellipsis).reversed().map { Character(UnicodeScalar(90 - $0)!) }
            + Array(sides[1][range.upperBound...])
    }
    let all = Array(Set(operands.flatMap { $0 })).sorted()
    let outShape = output.map { sizes[$0] ?? 1 }
    var out = [Double](repeating: 0, count: outShape.reduce(1, *))
    let values = inputs.map(\.doubleValues)
    var index = [Character: Int]()
    func visit(_ k: Int) {
        if k < all.count {
            for i in 0..<(sizes[all[k]] ?? 1) { index[all[k]] = i; visit(k + 1) }
            return
        }
        var product = 1.0
        for (labels, (t, v)) in zip(operands, zip(inputs, values)) {
            var flat = 0
            for (l, d) in zip(labels, t.shape) { flat = flat * d + (d == 1 ? 0 : index[l] ?? 0) }
            product *= v[flat]
        }
        var flat = 0
        for (l, d) in zip(output, outShape) { flat = flat * d + (index[l] ?? 0) }
        out[flat] += product
    }
    // Output labels absent from every input cannot occur (rejected); repeated output labels: the visit
    // writes only where the repeats share one index, leaving the rest 0.
    visit(0)
    return (outShape, out)
}

func mathContractionOpCases() -> [OpCase] {
    var cases: [OpCase] = []
    let invalid: [(Graph) throws -> Output] = [
        { g in try g.einsum("ij,jk->ik", ph(g, [2, 3]), ph(g, [4, 5])) },          // contraction sizes differ
        { g in try g.einsum("ij", ph(g, [2, 3])) },                                 // no '->'
        { g in try g.einsum("ij,jk,kl->il", ph(g, [2, 3]), ph(g, [3, 3]), ph(g, [3, 2])) },
        { g in try g.einsum("ijk->ik", ph(g, [2, 3])) },                            // rank
        { g in try g.einsum("ij->ik", ph(g, [2, 3])) },                             // output label in no input
        { g in try g.einsum("...ij->ij", ph(g, [4, 2, 3])) },                       // broadcast dims dropped
        { g in try g.einsum("i.j->ij", ph(g, [2, 3])) },
        { g in try g.einsum("ij->ji", ph(g, [2, 3], .int32)) },
        { g in try g.einsum("...i,...i->...", ph(g, [2, 3]), ph(g, [3, 3])) },    // 2 vs 3 under '...'
    ]
    let binary: [(String, [Int], [Int])] = [
        ("abc,cde->abde", [2, 3, 4], [4, 2, 3]),          // Keras MultiHeadAttention: query/key/value projections
        ("aecd,abcd->acbe", [2, 3, 2, 4], [2, 5, 2, 4]),  // attention scores
        ("acbe,aecd->abcd", [2, 2, 5, 3], [2, 3, 2, 4]),  // attention-weighted values
        ("abcd,cde->abe", [2, 3, 2, 4], [2, 4, 5]),       // output projection
        ("bij,bkj->bik", [2, 3, 4], [2, 5, 4]),
        ("...ij,...jk->...ik", [2, 1, 2, 3], [3, 3, 2]),  // batch broadcasting, one side shorter
        ("ab...,b->a...", [2, 3, 4], [3]),                // '...' after named labels
        ("abc,cd->ad", [2, 3, 4], [4, 5]),                // b summed out of x alone
        ("i,j->ij", [3], [4]),
        ("ij,ij->", [2, 3], [2, 3]),
        ("ii,i->i", [3, 3], [3]),
        // Strided products straight on the operands: rows merged over two labels, x and y transposed, the
        // output's rows strided; then a transposed output, which takes the copying path.
        ("bij,jk->bik", [3, 2, 4], [4, 5]),
        ("bhqd,bhkd->bhqk", [2, 2, 3, 4], [2, 2, 5, 4]),
        ("ji,jk->ik", [3, 2], [3, 4]),
        ("btnh,bsnh->bnts", [2, 3, 2, 4], [2, 5, 2, 4]),
        ("bnts,bsnh->btnh", [2, 2, 3, 5], [2, 5, 2, 4]),
        ("ij,jk->ki", [2, 3], [3, 4]),
    ]
    for (k, (equation, xs, ys)) in binary.enumerated() {
        cases.append(OpCase(op: "Einsum", label: equation, inputs: [wave(xs, Double(k)), wave(ys, Double(k) + 0.5)],
                            build: { g, x in try g.einsum(equation, x[0], x[1]) }, reference: { refEinsum(equation, $0) },
                            wrt: [0, 1], secondOrder: k < 2, invalid: k == 0 ? invalid : []))
    }
    let unary: [(String, [Int])] = [("ij->ji", [2, 3]), ("ii->i", [3, 3]), ("i->ii", [3]), ("ij->", [2, 3]),
                                    ("ijk->ki", [2, 3, 4]), ("aab->ba", [2, 2, 3]), ("...j->...", [2, 2, 3])]
    for (k, (equation, xs)) in unary.enumerated() {
        cases.append(OpCase(op: "Einsum", label: equation, inputs: [wave(xs, Double(k) + 0.25)],
                            build: { g, x in try g.einsum(equation, x[0]) }, reference: { refEinsum(equation, $0) }, wrt: [0]))
    }

    // BatchMatMulV2 with one y for every batch entry: one product of the stacked rows of x.
    for (k, (xs, ys, adjY)) in [([2, 3, 4], [4, 5], false), ([2, 2, 3, 4], [1, 5, 4], true)].enumerated() {
        cases.append(OpCase(op: "BatchMatMulV2", label: "stacked \(xs)·\(ys)\(adjY ? "ᴴ" : "")",
                            inputs: [wave(xs, Double(k) + 0.125), wave(ys, Double(k) + 0.625)],
                            build: { g, x in try g.batchMatMul(x[0], x[1], adjointY: adjY) },
                            reference: { x in refEinsum(adjY ? "...ij,...kj->...ik" : "...ij,...jk->...ik", x) }, wrt: [0, 1]))
    }

    // MatrixBandPart: a causal mask (-1, 0), a band, the diagonal, and a batch of non-square matrices.
    for (k, (shape, lower, upper)) in [([4, 4], -1, 0), ([3, 5], 1, 2), ([2, 3, 4], 0, 0), ([2, 4, 3], 2, -1)].enumerated() {
        cases.append(OpCase(op: "MatrixBandPart", label: "\(shape) (\(lower), \(upper))", inputs: [wave(shape, Double(k))],
                            build: { g, x in try g.bandPart(x[0], numLower: lower, numUpper: upper) },
                            reference: { x in
                                let m = x[0].shape[x[0].rank - 2], n = x[0].shape[x[0].rank - 1]
                                let values = x[0].doubleValues.enumerated().map { flat, v -> Double in
                                    let i = flat / n % m, j = flat % n
                                    return (lower < 0 || i - j <= lower) && (upper < 0 || j - i <= upper) ? v : 0
                                }
                                return (x[0].shape, values)
                            }, wrt: [0], invalid: k == 0 ? [{ g in try g.bandPart(ph(g, [4]), numLower: 1, numUpper: 1) }] : []))
    }

    // DynamicStitch: two index tensors of different ranks and a row no index names (zero); with a repeated
    // index the later input wins, and only then: TF's gradient gathers g for every copy, the overwritten one
    // included, which finite differences (0 there) cannot agree with, so that case checks the kernel only.
    for (label, indexValues, wrt) in [("gap", [Int32(0), 4, 1, 3, 5, 2], [0, 1]), ("repeat", [Int32(0), 3, 1, 3, 5, 2], [])] {
        let indices = [Tensor(shape: [2], scalars: Array(indexValues[0..<2])), Tensor(shape: [2, 2], scalars: Array(indexValues[2...]))]
        let rows = Int(indexValues.max() ?? 0) + 1
        cases.append(OpCase(op: "DynamicStitch", label: label, inputs: [wave([2, 2], 1), wave([2, 2, 2], 2)],
                            build: { g, x in
                                try g.dynamicStitch(indices: indices.map { try g.constant($0) }, data: [x[0], x[1]])
                            }, reference: { x in
                                var out = [Double](repeating: 0, count: rows * 2)
                                for (index, data) in zip(indices, x) {
                                    for (i, row) in index.scalars(as: Int32.self).enumerated() {
                                        out[Int(row) * 2] = data.doubleValues[i * 2]
                                        out[Int(row) * 2 + 1] = data.doubleValues[i * 2 + 1]
                                    }
                                }
                                return ([rows, 2], out)
                            }, wrt: wrt, invalid: wrt.isEmpty ? [] : [
                                { g in try g.dynamicStitch(indices: [g.constant(Tensor([Int32(0), 1]))], data: [ph(g, [3, 2])]) },
                                { g in try g.dynamicStitch(indices: [g.constant(Tensor([Int32(0), -1]))], data: [ph(g, [2])]) },
                                { g in try g.dynamicStitch(indices: [g.constant(Tensor([Int32(0)])), g.constant(Tensor([Int32(1)]))],
                                                           data: [ph(g, [1, 2]), ph(g, [1, 3])]) },
                            ]))
    }

    // StridedSliceGrad: dy placed into zeros at x[1:4:2, :, 1] (shrunk axis) and x[:, 1:] (masks).
    for (label, shape, begin, end, strides, beginMask, endMask, shrink, dyShape) in [
        ("[1:4:2, :, 1]", [5, 3, 4], [1, 0, 1], [4, 3, 2], [2, 1, 1], 0, 2, 4, [2, 3]),
        ("[:, 1:]", [2, 5], [0, 1], [0, 0], [1, 1], 1, 2, 0, [2, 4]),
    ] as [(String, [Int], [Int], [Int], [Int], Int, Int, Int, [Int])] {
        let slice = try? StridedSlice.plan(shape, begin: begin, end: end, strides: strides,
                                           attrs: StridedSlice.Attrs(beginMask: beginMask, endMask: endMask, shrinkAxisMask: shrink))
        cases.append(OpCase(op: "StridedSliceGrad", label: label, inputs: [wave(slice?.out ?? dyShape, 3)],
                            build: { g, x in
                                try g.stridedSliceGrad(shape: g.constant(Tensor(shape.map(Int32.init))), begin: begin, end: end,
                                                       strides: strides, dy: x[0], beginMask: beginMask, endMask: endMask,
                                                       shrinkAxisMask: shrink)
                            }, reference: { x in
                                var out = [Double](repeating: 0, count: shape.reduce(1, *))
                                let ranges = slice?.ranges ?? []
                                let strides = einsumStrides(shape)
                                for (i, v) in x[0].doubleValues.enumerated() {
                                    var rest = i, offset = 0
                                    for d in shape.indices.reversed() {
                                        let k = rest % ranges[d].1
                                        rest /= ranges[d].1
                                        offset += (ranges[d].0 + k * ranges[d].2) * strides[d]
                                    }
                                    out[offset] = v
                                }
                                return (shape, out)
                            }, wrt: [0], invalid: [
                                { g in try g.stridedSliceGrad(shape: g.constant(Tensor([Int32(4), 3])), begin: [0, 0], end: [2, 3],
                                                              strides: [1, 1], dy: ph(g, [3, 3])) },
                                { g in try g.stridedSliceGrad(shape: g.constant(Tensor([Int32(-4)])), begin: [0], end: [2],
                                                              strides: [1], dy: ph(g, [2])) },
                            ]))
    }
    return cases
}
