import Foundation
import TestSupport
@testable import TensorGraph

// The op table's cases for the ops in Ops/Array. `makeOpCases()` (Ops/OpCase.swift) calls these
// functions in a fixed order: every case draws its inputs from one seeded source, so keep the order.

/// Reshaping, identity-like, fill, one-hot, cast and broadcast ops.
func arrayShapeOpCases() -> [OpCase] {
    var cases: [OpCase] = []
    let m = r([2, 6])
    cases.append(OpCase(op: "Reshape", inputs: [m], build: { g, x in try g.reshape(x[0], to: [3, -1]) },
                        reference: { ([3, 4], $0[0].doubleValues) }, wrt: [0], secondOrder: true,
                        invalid: [{ g in try g.reshape(ph(g, [2, 6]), to: [5, -1]) }, { g in try g.reshape(ph(g, [2, 6]), to: [-1, -1]) }]))
    cases.append(OpCase(op: "ExpandDims", inputs: [m], build: { g, x in try g.expandDims(x[0], axis: -1) },
                        reference: { ([2, 6, 1], $0[0].doubleValues) }, wrt: [0], secondOrder: true,
                        invalid: [{ g in try g.expandDims(ph(g, [2, 6]), axis: 4) }]))
    cases.append(OpCase(op: "Identity", inputs: [m], build: { g, x in try g.identity(x[0]) },
                        reference: { ($0[0].shape, $0[0].doubleValues) }, wrt: [0], secondOrder: true))
    cases.append(OpCase(op: "StopGradient", inputs: [m], build: { g, x in try g.stopGradient(x[0]) },
                        reference: { ($0[0].shape, $0[0].doubleValues) }))
    cases.append(OpCase(op: "PlaceholderWithDefault", inputs: [m], build: { g, x in try g.placeholder(default: x[0] * x[0]) },
                        reference: { ($0[0].shape, $0[0].doubleValues.map { $0 * $0 }) }, wrt: [0], secondOrder: true,
                        invalid: [{ g in try g.placeholder(default: ph(g, [2, 6]), shape: [3, nil]) }]))
    cases.append(OpCase(op: "Shape", inputs: [r([2, 3, 4])], build: { g, x in
                            try g.addOutput(Shape.self, [x[0]], attrs: ["T": .type(x[0].dtype), "out_type": .type(.int32)], file: #fileID, line: #line)
                        }, reference: { _ in ([3], [2, 3, 4]) }))
    cases.append(OpCase(op: "ZerosLike", inputs: [m], build: { g, x in try g.zerosLike(x[0]) },
                        reference: { ($0[0].shape, $0[0].doubleValues.map { _ in 0 }) }))
    cases.append(OpCase(op: "OnesLike", inputs: [m], build: { g, x in try g.onesLike(x[0]) },
                        reference: { ($0[0].shape, $0[0].doubleValues.map { _ in 1 }) }))
    cases.append(OpCase(op: "Fill", inputs: [Tensor(2.5)], build: { g, x in try g.fill(dims: g.constant(Tensor([Int32(2), 3])), value: x[0]) },
                        reference: { t in ([2, 3], Array(repeating: t[0].doubleValues[0], count: 6)) }, wrt: [0], secondOrder: true,
                        invalid: [{ g in try g.fill(dims: g.constant(Tensor([Int32(2)])), value: ph(g, [2])) }]))
    cases.append(OpCase(op: "OneHot", inputs: [Tensor([Int32(1), 0, 3, 7])], build: { g, x in try g.oneHot(x[0], depth: 4) },
                        reference: { t in ([4, 4], t[0].scalars(as: Int32.self).flatMap { i in (0..<4).map { $0 == Int(i) ? 1.0 : 0 } }) },
                        invalid: [{ g in try g.oneHot(ph(g, [3]), depth: 4) }]))
    // axis 0 on [2, 3] indices: out[d, i, j] = on where indices[i, j] == d (TF 2.21: tf.one_hot(..., axis=0)).
    cases.append(OpCase(op: "OneHot", label: "axis 0", inputs: [Tensor(shape: [2, 3], scalars: [Int32(1), 0, 2, -1, 2, 5])],
                        build: { g, x in try g.oneHot(x[0], depth: 3, onValue: 5, offValue: -1, axis: 0) },
                        reference: { t in
                            let v = t[0].scalars(as: Int32.self)
                            return ([3, 2, 3], (0..<3).flatMap { d in v.map { Int($0) == d ? 5.0 : -1 } })
                        },
                        invalid: [{ g in try g.oneHot(ph(g, [3], .int32), depth: 4, axis: 2) }]))
    cases.append(OpCase(op: "Cast", inputs: [r([2, 3], -3, 3)], build: { g, x in try g.cast(x[0], to: .int32) },
                        reference: { ($0[0].shape, $0[0].doubleValues.map { $0.rounded(.towardZero) }) }))
    cases.append(OpCase(op: "Cast", label: "float to float", inputs: [r([2, 3])], build: { g, x in try g.cast(g.cast(x[0], to: .float), to: .double) },
                        reference: { ($0[0].shape, $0[0].doubleValues.map { Double(Float($0)) }) }, wrt: [0], epsilon: 1e-2, float32: false))
    cases.append(OpCase(op: "BroadcastTo", inputs: [r([3, 1])], build: { g, x in try g.broadcastTo(x[0], shape: g.constant(Tensor([Int32(2), 3, 4]))) },
                        reference: { t in refBroadcast(t[0], Tensor(zeros: .double, shape: [2, 3, 4])) { a, _ in a } }, wrt: [0], secondOrder: true,
                        invalid: [{ g in try g.broadcastTo(ph(g, [3, 2]), shape: g.constant(Tensor([Int32(3), 4]))) }]))
    cases.append(OpCase(op: "BroadcastGradientArgs", inputs: [Tensor([Int32(2), 3, 4]), Tensor([Int32(3), 1])],
                        build: { g, x in try g.broadcastGradientArgs(x[0], x[1]).1 },
                        reference: { _ in ([2], [0, 2]) }, valueDependentShape: true))
    return cases
}

/// Gather, segment sums, ops that rearrange elements (transpose, concat, slices, pad, pack), and Const.
func arrayGatherAndRearrangeOpCases() -> [OpCase] {
    var cases: [OpCase] = []
    let table = r([5, 3])
    cases.append(OpCase(op: "GatherV2", inputs: [table, Tensor(shape: [2, 2], scalars: [Int32(4), 0, 4, 2])],
                        build: { g, t in try g.gather(t[0], indices: t[1]) },
                        reference: { t in
                            let v = t[0].doubleValues
                            let rows: [Double] = t[1].scalars(as: Int32.self).flatMap { i in (0..<3).map { v[Int(i) * 3 + $0] } }
                            return ([2, 2, 3], rows)
                        }, wrt: [0], secondOrder: true,
                        invalid: [{ g in try g.gather(ph(g, [5, 3]), indices: ph(g, [2])) }]))
    cases.append(OpCase(op: "UnsortedSegmentSum", inputs: [r([4, 3]), Tensor([Int32(2), 0, 2, 9])],
                        build: { g, t in try g.unsortedSegmentSum(t[0], segmentIDs: t[1], numSegments: 3) },
                        reference: { t in
                            var out = [Double](repeating: 0, count: 9)
                            let v = t[0].doubleValues
                            for (k, id) in t[1].scalars(as: Int32.self).enumerated() where id < 3 { for j in 0..<3 { out[Int(id) * 3 + j] += v[k * 3 + j] } }
                            return ([3, 3], out)
                        }, wrt: [0], secondOrder: true,
                        invalid: [{ g in try g.unsortedSegmentSum(ph(g, [4, 3]), segmentIDs: ph(g, [4], .float), numSegments: 3) }]))
    let t3 = r([2, 3, 4])
    cases.append(OpCase(op: "Transpose", inputs: [t3], build: { g, t in try g.transpose(t[0], perm: [2, 0, 1]) },
                        reference: { t in
                            let v = t[0].doubleValues
                            var out: [Double] = []
                            for k in 0..<4 { for i in 0..<2 { for j in 0..<3 { out.append(v[(i * 3 + j) * 4 + k]) } } }
                            return ([4, 2, 3], out)
                        }, wrt: [0], secondOrder: true,
                        invalid: [{ g in try g.transpose(ph(g, [2, 3]), perm: [0, 0]) }]))
    cases.append(OpCase(op: "ConcatV2", inputs: [r([2, 2]), r([2, 3])], build: { g, t in try g.concat([t[0], t[1]], axis: 1) },
                        reference: { t in
                            let a = t[0].doubleValues, b = t[1].doubleValues
                            return ([2, 5], Array(a[0..<2] + b[0..<3] + a[2..<4] + b[3..<6]))
                        }, wrt: [0, 1], secondOrder: true,
                        invalid: [{ g in try g.concat([ph(g, [2, 2]), ph(g, [3, 3])], axis: 1) }]))
    cases.append(OpCase(op: "Slice", inputs: [t3], build: { g, t in try g.slice(t[0], begin: [1, 0, 1], size: [-1, 2, 2]) },
                        reference: { t in
                            let v = t[0].doubleValues
                            var out: [Double] = []
                            for j in 0..<2 { for k in 1..<3 { out.append(v[(1 * 3 + j) * 4 + k]) } }
                            return ([1, 2, 2], out)
                        }, wrt: [0], secondOrder: true,
                        invalid: [{ g in try g.slice(ph(g, [2, 3, 4]), begin: [1, 0, 1], size: [2, 2, 2]) }]))
    cases.append(OpCase(op: "Pad", inputs: [r([2, 2])], build: { g, t in try g.pad(t[0], paddings: [[1, 0], [0, 2]]) },
                        reference: { t in
                            let v = t[0].doubleValues
                            return ([3, 4], [0, 0, 0, 0, v[0], v[1], 0, 0, v[2], v[3], 0, 0])
                        }, wrt: [0], secondOrder: true,
                        invalid: [{ g in try g.pad(ph(g, [2, 2]), paddings: [[1, 0]]) }]))
    cases.append(OpCase(op: "Squeeze", inputs: [r([2, 1, 3, 1])], build: { g, t in try g.squeeze(t[0], axes: [1]) },
                        reference: { ([2, 3, 1], $0[0].doubleValues) }, wrt: [0], secondOrder: true,
                        invalid: [{ g in try g.squeeze(ph(g, [2, 3]), axes: [1]) }]))
    cases.append(OpCase(op: "Pack", inputs: [r([2, 3]), r([2, 3])], build: { g, t in try g.stack([t[0], t[1]], axis: 1) },
                        reference: { t in
                            let a = t[0].doubleValues, b = t[1].doubleValues
                            return ([2, 2, 3], Array(a[0..<3] + b[0..<3] + a[3..<6] + b[3..<6]))
                        }, wrt: [0, 1], secondOrder: true,
                        invalid: [{ g in try g.stack([ph(g, [2, 3]), ph(g, [3, 2])]) }]))
    cases.append(OpCase(op: "StridedSlice", inputs: [t3],
                        build: { g, t in try g.stridedSlice(t[0], begin: [1, 0, 0], end: [2, 3, 4], strides: [1, 2, 1], endMask: 4, shrinkAxisMask: 1) },
                        reference: { t in
                            let v = t[0].doubleValues
                            var out: [Double] = []
                            for j in [0, 2] { for k in 0..<4 { out.append(v[(1 * 3 + j) * 4 + k]) } }
                            return ([2, 4], out)
                        }, wrt: [0], secondOrder: true,
                        invalid: [{ g in try g.stridedSlice(ph(g, [2, 3]), begin: [5], end: [6], strides: [1], shrinkAxisMask: 1) }]))
    cases.append(OpCase(op: "Const", inputs: [], build: { g, _ in try g.constant(Tensor(shape: [2], scalars: [1.5, -2.0])) },
                        reference: { _ in ([2], [1.5, -2]) }))
    cases.append(OpCase(op: "CheckNumerics", inputs: [r([2, 3])], build: { g, t in try g.checkNumerics(t[0], message: "finite") },
                        reference: { ($0[0].shape, $0[0].doubleValues) }, wrt: [0], secondOrder: true,
                        invalid: [{ g in try g.checkNumerics(ph(g, [2], .int32), message: "ints") }]))
    return cases
}
