import Foundation
import TestSupport
@testable import TensorGraph

// The op table's cases for the Array ops of ArrayOpList.swift; `makeOpCases()` appends them after the
// older families, so adding cases here leaves every earlier case's inputs unchanged. Semantics marked
// "TF 2.21" were checked against TensorFlow itself.

func arrayBreadthOpCases() -> [OpCase] {
    arrayTileSplitAndReverseCases() + arraySequenceAndSelectionCases() + arrayPaddingAndShapeCases() + arrayIdentityNCases()
        + arraySpaceToBatchCases()
}

/// IdentityN: a list of tensors of any types passed through (TF's `tf.identity_n`).
private func arrayIdentityNCases() -> [OpCase] {
    var cases: [OpCase] = []
    cases.append(OpCase(op: "IdentityN", inputs: [r([2, 3]), r([2, 3])], build: { g, t in
                            let outs = try g.identityN([t[0], t[1], g.constant(Tensor([Int32(7)]))])
                            return try outs[0] * 3.0 + outs[1]
                        }, reference: { t in ([2, 3], zip(t[0].doubleValues, t[1].doubleValues).map { 3 * $0 + $1 }) }, wrt: [0, 1], secondOrder: true))
    cases.append(OpCase(op: "IdentityN", label: "mixed types, one output used", inputs: [r([2]), ints([2], [4, 5])],
                        build: { g, t in try g.identityN([t[0], t[1]])[1] }, reference: { _ in ([2], [4, 5]) }))
    return cases
}

// MARK: - Reference helpers: every index computed from scratch

/// The multi-index of flat position `flat` in a row-major `shape`.
private func coordinates(_ flat: Int, _ shape: [Int]) -> [Int] {
    var index = [Int](repeating: 0, count: shape.count), rest = flat
    for d in stride(from: shape.count - 1, through: 0, by: -1) { (index[d], rest) = (rest % shape[d], rest / shape[d]) }
    return index
}

/// The flat position of multi-index `index` in a row-major `shape`.
private func position(_ index: [Int], _ shape: [Int]) -> Int {
    zip(index, shape).reduce(0) { $0 * $1.1 + $1.0 }
}

/// A reference whose element at each output multi-index is `value(index)`.
private func refEach(_ shape: [Int], _ value: ([Int]) -> Double) -> Reference {
    (shape, (0..<shape.reduce(1, *)).map { value(coordinates($0, shape)) })
}

/// An int32 tensor of the given shape.
private func ints(_ shape: [Int], _ values: [Int32]) -> Tensor { Tensor(shape: shape, scalars: values) }

/// `p` [[before, after], ...] as an int32 constant.
private func paddings(_ g: Graph, _ p: [[Int]]) throws -> Output {
    try g.constant(Tensor(shape: [p.count, 2], scalars: p.flatMap { $0.map(Int32.init) }))
}

/// The mirrored source index of padded position `i` (before-padding `before`, size `n`), written out from the
/// definition: REFLECT skips the edge, SYMMETRIC repeats it.
private func mirrored(_ i: Int, before: Int, n: Int, symmetric: Bool) -> Int {
    var j = i - before
    while j < 0 || j >= n {
        if j < 0 { j = symmetric ? -j - 1 : -j }
        if j >= n { j = symmetric ? 2 * n - 1 - j : 2 * n - 2 - j }
    }
    return j
}

// MARK: - Tile, Split, SplitV, Unpack, ReverseV2, GatherV2 on any axis

private func arrayTileSplitAndReverseCases() -> [OpCase] {
    var cases: [OpCase] = []
    cases.append(OpCase(op: "Tile", inputs: [r([2, 3])], build: { g, t in try g.tile(t[0], multiples: [2, 3]) },
                        reference: { t in let v = t[0].doubleValues; return refEach([4, 9]) { i in v[(i[0] % 2) * 3 + i[1] % 3] } },
                        wrt: [0], secondOrder: true,
                        invalid: [{ g in try g.tile(ph(g, [2, 3]), multiples: [2]) }, { g in try g.tile(ph(g, [2, 3]), multiples: [1, -1]) }]))
    cases.append(OpCase(op: "Tile", label: "int32, rank 3, a zero multiple", inputs: [ints([1, 2, 1], [7, -3])],
                        build: { g, t in try g.tile(t[0], multiples: [2, 0, 3]) }, reference: { _ in ([2, 0, 3], []) }))
    cases.append(OpCase(op: "Tile", label: "int32", inputs: [ints([2, 1], [7, -3])], build: { g, t in try g.tile(t[0], multiples: [2, 2]) },
                        reference: { _ in ([4, 2], [7, 7, -3, -3, 7, 7, -3, -3]) }))

    // Output 1 unused: its gradient is zeros, as TF's _SplitGrad fills in.
    cases.append(OpCase(op: "Split", inputs: [r([2, 6])], build: { g, t in
                            let parts = try g.split(t[0], numSplits: 3, axis: 1)
                            return try g.concat([parts[2], parts[0]], axis: 1)
                        }, reference: { t in let v = t[0].doubleValues; return refEach([2, 4]) { i in v[i[0] * 6 + (i[1] < 2 ? 4 + i[1] : i[1] - 2)] } },
                        wrt: [0], secondOrder: true,
                        invalid: [{ g in try g.split(ph(g, [2, 5]), numSplits: 3, axis: 1)[0] }, { g in try g.split(ph(g, [2, 6]), numSplits: 2, axis: 2)[0] }]))
    cases.append(OpCase(op: "SplitV", inputs: [r([6, 2])], build: { g, t in
                            let parts = try g.split(t[0], sizes: [1, -1, 2], axis: -2)
                            return try g.concat([parts[2], parts[0], parts[1]], axis: 0)
                        }, reference: { t in let v = t[0].doubleValues; return refEach([6, 2]) { i in v[[4, 5, 0, 1, 2, 3][i[0]] * 2 + i[1]] } },
                        wrt: [0], secondOrder: true,
                        invalid: [{ g in try g.split(ph(g, [5, 2]), sizes: [1, 1], axis: 0)[0] },
                                  { g in try g.split(ph(g, [5, 2]), sizes: [-1, -1], axis: 0)[0] },
                                  { g in try g.split(ph(g, [5, 2]), sizes: [3, -1, 3], axis: 0)[0] }]))
    cases.append(OpCase(op: "Unpack", inputs: [r([2, 3, 2])], build: { g, t in
                            let parts = try g.unstack(t[0], num: 2, axis: -1)
                            return try g.stack([parts[1], parts[0]], axis: 0)
                        }, reference: { t in let v = t[0].doubleValues; return refEach([2, 2, 3]) { i in v[(i[1] * 3 + i[2]) * 2 + 1 - i[0]] } },
                        wrt: [0], secondOrder: true,
                        invalid: [{ g in try g.unstack(ph(g, [2, 3]), num: 4, axis: 0)[0] }, { g in try g.unstack(ph(g, [2, 3]), num: 2, axis: 2)[0] }]))
    cases.append(OpCase(op: "Unpack", label: "one output used", inputs: [r([3, 2])], build: { g, t in try g.unstack(t[0], num: 3)[2] },
                        reference: { t in ([2], Array(t[0].doubleValues[4..<6])) }, wrt: [0]))
    cases.append(OpCase(op: "ReverseV2", inputs: [r([2, 3, 4])], build: { g, t in try g.reverse(t[0], axes: [0, -1]) },
                        reference: { t in let v = t[0].doubleValues; return refEach([2, 3, 4]) { i in v[position([1 - i[0], i[1], 3 - i[2]], [2, 3, 4])] } },
                        wrt: [0], secondOrder: true,
                        invalid: [{ g in try g.reverse(ph(g, [2, 3]), axes: [1, -1]) }, { g in try g.reverse(ph(g, [2, 3]), axes: [2]) }]))
    cases.append(OpCase(op: "ReverseV2", label: "int32, middle axis", inputs: [ints([2, 3, 1], [1, 2, 3, 4, 5, 6])],
                        build: { g, t in try g.reverse(t[0], axes: [1]) }, reference: { _ in ([2, 3, 1], [3, 2, 1, 6, 5, 4]) }))

    let indices = ints([2, 2], [2, 0, 3, 3])
    cases.append(OpCase(op: "GatherV2", label: "axis 1", inputs: [r([3, 4, 2]), indices], build: { g, t in try g.gather(t[0], indices: t[1], axis: 1) },
                        reference: { t in
                            let v = t[0].doubleValues, ids = t[1].scalars(as: Int32.self).map(Int.init)
                            return refEach([3, 2, 2, 2]) { i in v[position([i[0], ids[i[1] * 2 + i[2]], i[3]], [3, 4, 2])] }
                        }, wrt: [0], secondOrder: true,
                        invalid: [{ g in try g.gather(ph(g, [3, 4]), indices: ph(g, [2], .int32), axis: 2) }]))
    cases.append(OpCase(op: "GatherV2", label: "last axis, int64 indices", inputs: [r([2, 3]), Tensor([Int64(2), 2, 0])],
                        build: { g, t in try g.gather(t[0], indices: t[1], axis: -1) },
                        reference: { t in let v = t[0].doubleValues; return refEach([2, 3]) { i in v[i[0] * 3 + [2, 2, 0][i[1]]] } }, wrt: [0]))
    return cases
}

// MARK: - Range, Cumsum, TopKV2, Where

private func arraySequenceAndSelectionCases() -> [OpCase] {
    var cases: [OpCase] = []
    cases.append(OpCase(op: "Range", inputs: [], build: { g, _ in try g.range(start: 2, limit: 11, delta: 3) }, reference: { _ in ([3], [2, 5, 8]) },
                        invalid: [{ g in try g.range(start: 0, limit: 10, delta: 0) }, { g in try g.range(start: 10, limit: 0, delta: 1) },
                                  { g in try g.range(start: 0, limit: 10, delta: -1) }, { g in try g.range(start: 0, limit: 1 << 40, dtype: .int64) },
                                  { g in try g.range(start: ph(g, [2], .int32), limit: g.constant(3), delta: g.constant(1)) }]))
    // TF 2.21: the float count is ceil(|(limit − start) / delta|) and values accumulate: range(1, 0, -0.3) in
    // float32 is [1, 0.7, 0.39999998, 0.09999996].
    cases.append(OpCase(op: "Range", label: "float, fed, negative delta", inputs: [Tensor(1.0), Tensor(0.0), Tensor(-0.3)],
                        build: { g, t in try g.range(start: t[0], limit: t[1], delta: t[2]) },
                        reference: { t in
                            guard t[0].dtype == .float else { return ([4], [1.0, 1.0 - 0.3, 1.0 - 0.3 - 0.3, 1.0 - 0.3 - 0.3 - 0.3]) }
                            let d = Float(-0.3)
                            return ([4], [Float(1), 1 + d, 1 + d + d, 1 + d + d + d].map(Double.init))
                        }, valueDependentShape: true))
    cases.append(OpCase(op: "Range", label: "float count rounds up", inputs: [],
                        build: { g, _ in try g.range(start: 0.0, limit: 1.0, delta: 0.25, dtype: .double) },
                        reference: { _ in ([4], [0, 0.25, 0.5, 0.75]) }))

    // TF 2.21 on [1, 2, 3, 4]: exclusive and reverse together give [9, 7, 4, 0].
    cases.append(OpCase(op: "Cumsum", label: "exclusive, reverse", inputs: [r([3, 4])],
                        build: { g, t in try g.cumsum(t[0], axis: 1, exclusive: true, reverse: true) },
                        reference: { t in let v = t[0].doubleValues; return refEach([3, 4]) { i in ((i[1] + 1)..<4).reduce(0) { $0 + v[i[0] * 4 + $1] } } },
                        wrt: [0], secondOrder: true,
                        invalid: [{ g in try g.cumsum(ph(g, [2, 3]), axis: 2) }, { g in try g.cumsum(ph(g, [2], .bool)) }]))
    cases.append(OpCase(op: "Cumsum", inputs: [r([3, 2])], build: { g, t in try g.cumsum(t[0], axis: -2) },
                        reference: { t in let v = t[0].doubleValues; return refEach([3, 2]) { i in (0...i[0]).reduce(0) { $0 + v[$1 * 2 + i[1]] } } },
                        wrt: [0], secondOrder: true))
    cases.append(OpCase(op: "Cumsum", label: "exclusive, TF 2.21 example", inputs: [ints([4], [1, 2, 3, 4])],
                        build: { g, t in try g.cumsum(t[0], exclusive: true) }, reference: { _ in ([4], [0, 1, 3, 6]) }))
    cases.append(OpCase(op: "Cumsum", label: "int32 wraps, reverse", inputs: [Tensor([Int32.max, 1, 2])],
                        build: { g, t in try g.cumsum(t[0], reverse: true) }, reference: { _ in ([3], [Double(Int32.min) + 2, 3, 2]) }))

    let rows = distinct([3, 5])
    cases.append(OpCase(op: "TopKV2", inputs: [rows], build: { g, t in try g.topK(t[0], k: 3).values },
                        reference: { t in
                            let v = t[0].doubleValues
                            return ([3, 3], (0..<3).flatMap { row in v[(row * 5)..<(row * 5 + 5)].sorted(by: >).prefix(3) })
                        }, wrt: [0],
                        invalid: [{ g in try g.topK(ph(g, [3, 2]), k: 3).values }, { g in try g.topK(ph(g, []), k: 1).values },
                                  { g in try g.topK(ph(g, [3, 2]), k: -1).values }]))
    // TF 2.21: top-3 of [1, 3, 3, 2, 3] has indices [1, 2, 4] (ties: lower index first).
    cases.append(OpCase(op: "TopKV2", label: "indices, ties", inputs: [Tensor(shape: [2, 5], scalars: [1.0, 3, 3, 2, 3, 0, -1, 5, 0, 0])],
                        build: { g, t in try g.topK(t[0], k: 3).indices }, reference: { _ in ([2, 3], [1, 2, 4, 2, 0, 3]) }))
    cases.append(OpCase(op: "TopKV2", label: "int32, k = n", inputs: [Tensor([Int32(4), -2, 9, 4])],
                        build: { g, t in try g.topK(t[0], k: 4).values }, reference: { _ in ([4], [9, 4, 4, -2]) }))

    // TF 2.21: NaN counts as true.
    let mask = Tensor(shape: [2, 3], scalars: [1.0, 0, -2, 0, 0, .nan])
    cases.append(OpCase(op: "Where", inputs: [mask], build: { g, t in try g.where(t[0]) },
                        reference: { _ in ([3, 2], [0, 0, 0, 2, 1, 2]) }, valueDependentShape: true))
    cases.append(OpCase(op: "Where", label: "constant bool input", inputs: [], build: { g, _ in
                            try g.where(g.constant(Tensor(shape: [2, 2], scalars: [true, false, false, true])))
                        }, reference: { _ in ([2, 2], [0, 0, 1, 1]) }))
    return cases
}

// MARK: - MirrorPad, MirrorPadGrad, PadV2, Size, Rank

private func arrayPaddingAndShapeCases() -> [OpCase] {
    var cases: [OpCase] = []
    for (mode, symmetric) in [(PadMode.reflect, false), (.symmetric, true)] {
        // TF 2.21 on [[1, 2, 3], [4, 5, 6]] padded by [[1, 1], [2, 2]]: REFLECT row 0 is [6, 5, 4, 5, 6, 5, 4],
        // SYMMETRIC row 0 is [2, 1, 1, 2, 3, 3, 2].
        let edge = symmetric ? 3 : 2
        cases.append(OpCase(op: "MirrorPad", label: mode.rawValue, inputs: [r([2, 3])],
                            build: { g, t in try g.pad(t[0], paddings: [[1, 1], [2, 2]], mode: mode) },
                            reference: { t in
                                let v = t[0].doubleValues
                                return refEach([4, 7]) { i in
                                    v[mirrored(i[0], before: 1, n: 2, symmetric: symmetric) * 3 + mirrored(i[1], before: 2, n: 3, symmetric: symmetric)]
                                }
                            }, wrt: [0], secondOrder: true,
                            invalid: [{ g in try g.pad(ph(g, [2, 3]), paddings: [[edge, 0], [0, 0]], mode: mode) },
                                      { g in try g.pad(ph(g, [2, 3]), paddings: [[0, 0]], mode: mode) }]))
    }
    // TF 2.21's output for both modes, verbatim.
    let tfExample = ints([2, 3], [1, 2, 3, 4, 5, 6])
    cases.append(OpCase(op: "MirrorPad", label: "REFLECT, int32, TF 2.21 example", inputs: [tfExample],
                        build: { g, t in try g.pad(t[0], paddings: [[1, 1], [2, 2]], mode: .reflect) },
                        reference: { _ in ([4, 7], [6, 5, 4, 5, 6, 5, 4, 3, 2, 1, 2, 3, 2, 1, 6, 5, 4, 5, 6, 5, 4, 3, 2, 1, 2, 3, 2, 1]) }))
    cases.append(OpCase(op: "MirrorPad", label: "SYMMETRIC, int32, TF 2.21 example", inputs: [tfExample],
                        build: { g, t in try g.pad(t[0], paddings: [[1, 1], [2, 2]], mode: .symmetric) },
                        reference: { _ in ([4, 7], [2, 1, 1, 2, 3, 3, 2, 2, 1, 1, 2, 3, 3, 2, 5, 4, 4, 5, 6, 6, 5, 5, 4, 4, 5, 6, 6, 5]) }))
    // TF 2.21: MirrorPadGrad of [1, ..., 7] by (2, 2) is [10, 12, 6] (REFLECT) and [5, 12, 11] (SYMMETRIC).
    cases.append(OpCase(op: "MirrorPadGrad", inputs: [r([4, 7])],
                        build: { g, t in try g.mirrorPadGrad(t[0], paddings: paddings(g, [[1, 1], [2, 2]]), mode: "REFLECT") },
                        reference: { t in
                            let v = t[0].doubleValues
                            var out = [Double](repeating: 0, count: 6)
                            for k in v.indices {
                                let i = coordinates(k, [4, 7])
                                out[mirrored(i[0], before: 1, n: 2, symmetric: false) * 3 + mirrored(i[1], before: 2, n: 3, symmetric: false)] += v[k]
                            }
                            return ([2, 3], out)
                        }, wrt: [0], secondOrder: true,
                        invalid: [{ g in try g.mirrorPadGrad(ph(g, [4, 5]), paddings: paddings(g, [[1, 1], [2, 2]]), mode: "REFLECT") },
                                  { g in try g.mirrorPadGrad(ph(g, [4], .bool), paddings: paddings(g, [[1, 1]]), mode: "SYMMETRIC") }]))
    cases.append(OpCase(op: "MirrorPadGrad", label: "SYMMETRIC, float values", inputs: [Tensor((1...7).map(Double.init))],
                        build: { g, t in try g.mirrorPadGrad(t[0], paddings: paddings(g, [[2, 2]]), mode: "SYMMETRIC") },
                        reference: { _ in ([3], [5, 12, 11]) }))

    cases.append(OpCase(op: "PadV2", inputs: [r([2, 2])],
                        build: { g, t in try g.pad(t[0], paddings: [[1, 0], [0, 2]], mode: .constant, constantValue: 1.5) },
                        reference: { t in
                            let v = t[0].doubleValues
                            return refEach([3, 4]) { i in i[0] >= 1 && i[1] < 2 ? v[(i[0] - 1) * 2 + i[1]] : 1.5 }
                        }, wrt: [0], secondOrder: true,
                        invalid: [{ g in try g.pad(ph(g, [2, 2]), paddings: [[1, 0]], mode: .constant, constantValue: 1) },
                                  { g in try g.padV2(ph(g, [2]), paddings: paddings(g, [[1, 1]]), constantValues: ph(g, [2])) }]))
    cases.append(OpCase(op: "PadV2", label: "int32, fed paddings", inputs: [ints([2], [4, 5]), ints([1, 2], [2, 1])],
                        build: { g, t in try g.padV2(t[0], paddings: t[1], constantValues: g.constant(Tensor(Int32(-1)))) },
                        reference: { _ in ([5], [-1, -1, 4, 5, -1]) }, valueDependentShape: true))

    cases.append(OpCase(op: "Size", inputs: [r([2, 3, 4])], build: { g, t in try g.size(of: t[0]) }, reference: { _ in ([], [24]) }))
    cases.append(OpCase(op: "Size", label: "int64, empty", inputs: [r([0, 3])], build: { g, t in try g.size(of: t[0], outType: .int64) },
                        reference: { _ in ([], [0]) }))
    cases.append(OpCase(op: "Rank", inputs: [r([2, 3, 4])], build: { g, t in try g.rank(of: t[0]) }, reference: { _ in ([], [3]) }))
    return cases
}

// MARK: - SpaceToBatchND / BatchToSpaceND (TF's lowering of dilated convolutions)

/// Output batch `ob` of a block move: (block offset b in row-major order over `block`, image n) with
/// ob = b·N + n, as TF's definition (pad, reshape to [N, S/B, B, …], move the B dimensions first,
/// flatten them into the batch) lays it out. Checked against TF 2.21's tf.space_to_batch_nd on an arange.
private func blockOffsets(_ ob: Int, images n: Int, block: [Int]) -> (image: Int, offsets: [Int]) {
    (ob % n, coordinates(ob / n, block))
}

/// SpaceToBatchND by definition: output[b·N + n, o…, r] = padded x[n, o·B + b − before, r], 0 in the padding.
private func refSpaceToBatch(_ x: Tensor, block: [Int], paddings: [[Int]]) -> Reference {
    let m = block.count, n = x.shape[0], xs = x.doubleValues
    var shape = x.shape
    shape[0] = n * block.reduce(1, *)
    for k in 0..<m { shape[k + 1] = (x.shape[k + 1] + paddings[k][0] + paddings[k][1]) / block[k] }
    return refEach(shape) { index in
        let (image, offsets) = blockOffsets(index[0], images: n, block: block)
        var source = index
        source[0] = image
        for k in 0..<m {
            source[k + 1] = index[k + 1] * block[k] + offsets[k] - paddings[k][0]
            if source[k + 1] < 0 || source[k + 1] >= x.shape[k + 1] { return 0 }
        }
        return xs[position(source, x.shape)]
    }
}

/// BatchToSpaceND by definition: output[n, y, r] = x[b·N + n, (y + crop_start) / B, r] with b = (y + crop_start) mod B.
private func refBatchToSpace(_ x: Tensor, block: [Int], crops: [[Int]]) -> Reference {
    let m = block.count, n = x.shape[0] / block.reduce(1, *), xs = x.doubleValues
    var shape = x.shape
    shape[0] = n
    for k in 0..<m { shape[k + 1] = x.shape[k + 1] * block[k] - crops[k][0] - crops[k][1] }
    return refEach(shape) { index in
        var source = index, offsets = [Int](repeating: 0, count: m)
        for k in 0..<m {
            let uncropped = index[k + 1] + crops[k][0]
            (source[k + 1], offsets[k]) = (uncropped / block[k], uncropped % block[k])
        }
        source[0] = position(offsets, block) * n + index[0]
        return xs[position(source, x.shape)]
    }
}

private func arraySpaceToBatchCases() -> [OpCase] {
    var cases: [OpCase] = []
    // 2-D blocks with uneven paddings, as a dilation-2 convolution's SAME lowering writes them, and a 1-D block
    // (Conv1D) over a rank-3 input; 64-bit block_shape and paddings.
    let configurations: [(shape: [Int], block: [Int], margins: [[Int]])] = [([2, 5, 4, 3], [2, 3], [[1, 0], [0, 2]]), ([3, 6, 2], [3], [[0, 0]])]
    for (shape, block, margins) in configurations {
        cases.append(OpCase(op: "SpaceToBatchND", label: "block \(block)", inputs: [r(shape)],
                            build: { g, t in try g.spaceToBatchND(t[0], blockShape: block, paddings: margins) },
                            reference: { t in refSpaceToBatch(t[0], block: block, paddings: margins) }, wrt: [0], secondOrder: true,
                            invalid: [{ g in try g.spaceToBatchND(ph(g, [2, 5, 4, 3]), blockShape: [2, 3], paddings: [[0, 0], [0, 2]]) },
                                      { g in try g.spaceToBatchND(ph(g, [2, 6]), blockShape: [2, 3], paddings: [[0, 0], [0, 0]]) },
                                      { g in try g.spaceToBatchND(ph(g, [2, 6, 3]), blockShape: [0], paddings: [[0, 0]]) },
                                      { g in try g.spaceToBatchND(ph(g, [2, 6, 3]), blockShape: [2], paddings: [[-1, 1]]) }]))
        let batchShape = refSpaceToBatch(Tensor(shape: shape, scalars: [Double](repeating: 0, count: shape.reduce(1, *))), block: block,
                                         paddings: margins).0
        cases.append(OpCase(op: "BatchToSpaceND", label: "block \(block)", inputs: [r(batchShape)],
                            build: { g, t in try g.batchToSpaceND(t[0], blockShape: block, crops: margins) },
                            reference: { t in refBatchToSpace(t[0], block: block, crops: margins) }, wrt: [0], secondOrder: true,
                            invalid: [{ g in try g.batchToSpaceND(ph(g, [5, 3, 2, 3]), blockShape: [2, 3], crops: [[0, 0], [0, 0]]) },
                                      { g in try g.batchToSpaceND(ph(g, [6, 1, 2]), blockShape: [3], crops: [[2, 2]]) }]))
    }
    cases.append(OpCase(op: "SpaceToBatchND", label: "int64 arguments", inputs: [r([1, 4, 2])],
                        build: { g, t in
                            try g.spaceToBatchND(t[0], blockShape: g.constant(Tensor([Int64(2)])),
                                                 paddings: g.constant(Tensor(shape: [1, 2], scalars: [Int64(0), 2])))
                        }, reference: { t in refSpaceToBatch(t[0], block: [2], paddings: [[0, 2]]) }))
    return cases
}
