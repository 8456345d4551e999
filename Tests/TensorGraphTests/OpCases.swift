import Foundation
import TestSupport
@testable import TensorGraph

/// One op under test: inputs, how to build it, its plain-loop oracle, which inputs to
/// differentiate, and graphs that shape inference must reject.
struct OpCase {
    let op: String
    var label = ""
    let inputs: [Tensor]
    let build: (Graph, [Output]) throws -> Output
    let reference: ([Tensor]) -> Reference
    /// Inputs to check the gradient for (empty: not differentiable or not checked here).
    var wrt: [Int] = []
    var secondOrder = false
    /// The output shape depends on input values, so inference from placeholders cannot know it.
    var valueDependentShape = false
    /// Finite-difference step (larger for ops that round to float32).
    var epsilon = 1e-6
    /// Also run the kernel in float32 (inputs converted).
    var float32 = true
    /// Graph fragments that must throw at build time, naming the op.
    var invalid: [(Graph) throws -> Output] = []
}

/// Test data source for the table (rebuilt with the same seed each time the table is made).
private final class DataSource: @unchecked Sendable {
    var random = TestRandom(seed: 7)
}
private nonisolated(unsafe) var data = DataSource()
private func r(_ shape: [Int], _ lo: Double = -1, _ hi: Double = 1) -> Tensor { data.random.tensor(shape, lo, hi) }
private func distinct(_ shape: [Int]) -> Tensor { data.random.distinctTensor(shape) }
private func ph(_ g: Graph, _ shape: TensorShape, _ dtype: DType = .float) throws -> Output { try g.placeholder(dtype, shape: shape) }

/// Cases for unary float ops.
private func unary(_ op: String, _ input: Tensor, second: Bool = true, _ f: @escaping (Double) -> Double,
                   _ build: @escaping (Graph, Output) throws -> Output) -> OpCase {
    OpCase(op: op, inputs: [input], build: { g, x in try build(g, x[0]) }, reference: { refUnary($0[0], f) },
           wrt: [0], secondOrder: second,
           invalid: [{ g in try build(g, ph(g, [2], .int32)) }])
}

/// Cases for binary broadcasting ops: same shape, row broadcast, scalar, and both-sides broadcast.
private func binary(_ op: String, lo: Double = -1, hi: Double = 1, distinctInputs: Bool = false, second: Bool = true,
                    _ f: @escaping (Double, Double) -> Double,
                    _ build: @escaping (Graph, Output, Output) throws -> Output) -> [OpCase] {
    let shapes: [([Int], [Int])] = [([2, 3], [2, 3]), ([4, 3], [3]), ([3], []), ([3, 1], [1, 4])]
    return shapes.map { sa, sb in
        let a = distinctInputs ? distinct(sa) : r(sa, lo, hi)
        let b = distinctInputs ? Tensor(shape: sb, scalars: distinct(sb).scalars(as: Double.self).map { $0 + 0.013 }) : r(sb, lo, hi)
        return OpCase(op: op, label: "\(sa)·\(sb)", inputs: [a, b], build: { g, x in try build(g, x[0], x[1]) },
                      reference: { refBroadcast($0[0], $0[1], f) }, wrt: [0, 1], secondOrder: second,
                      invalid: [{ g in try build(g, ph(g, [2, 3]), ph(g, [4])) }])
    }
}

private func comparison(_ op: String, _ f: @escaping (Double, Double) -> Bool,
                        _ build: @escaping (Graph, Output, Output) throws -> Output) -> OpCase {
    let a = Tensor(shape: [2, 3], scalars: [1.0, 2, 3, 4, 5, 6]), b = Tensor(shape: [3], scalars: [2.0, 2, 7])
    return OpCase(op: op, inputs: [a, b], build: { g, x in try build(g, x[0], x[1]) },
                  reference: { refBroadcast($0[0], $0[1]) { f($0, $1) ? 1 : 0 } },
                  invalid: [{ g in try build(g, ph(g, [2]), ph(g, [3])) }, { g in try build(g, ph(g, [2]), ph(g, [2], .int32)) }])
}

private func reduction(_ op: String, axes: [Int], keepDims: Bool, input: Tensor, second: Bool = true,
                       _ combine: @escaping ([Double]) -> Double,
                       _ build: @escaping (Graph, Output, [Int], Bool) throws -> Output) -> OpCase {
    OpCase(op: op, label: "axes \(axes) keep \(keepDims)", inputs: [input],
           build: { g, x in try build(g, x[0], axes, keepDims) },
           reference: { refReduce($0[0], axes: axes.map { $0 < 0 ? $0 + input.rank : $0 }, keepDims: keepDims, combine) },
           wrt: [0], secondOrder: second,
           invalid: [{ g in try build(g, ph(g, [2, 3]), [2], false) }])
}

func mean(_ v: [Double]) -> Double { v.reduce(0, +) / Double(v.count) }

// MARK: - The table

/// The table; built once per test (tests must not share mutable closures).
func makeOpCases() -> [OpCase] {
    data = DataSource()
    var cases: [OpCase] = []

    // Elementwise unary
    cases.append(unary("Tanh", r([2, 3]), { Foundation.tanh($0) }) { try $0.tanh($1) })
    cases.append(unary("Sigmoid", r([2, 3], -3, 3), { 1 / (1 + Foundation.exp(-$0)) }) { try $0.sigmoid($1) })
    cases.append(unary("Relu", distinct([2, 3]), second: false, { max($0, 0) }) { try $0.relu($1) })
    // Away from both kinks (0 and 6), so finite differences do not straddle one.
    let relu6Input = Tensor(shape: [2, 3], scalars: [-1.5, 0.3, 2.2, 5.1, 6.7, 8.0])
    cases.append(unary("Relu6", relu6Input, second: false, { min(max($0, 0), 6) }) { try $0.relu6($1) })
    cases.append(unary("Sqrt", r([2, 3], 0.5, 2), { $0.squareRoot() }) { try $0.sqrt($1) })
    cases.append(unary("Exp", r([2, 3]), { Foundation.exp($0) }) { try $0.exp($1) })
    cases.append(unary("Log", r([2, 3], 0.5, 2), { Foundation.log($0) }) { try $0.log($1) })
    cases.append(unary("Neg", r([2, 3]), { -$0 }) { try $0.neg($1) })
    cases.append(unary("Square", r([2, 3]), { $0 * $0 }) { try $0.square($1) })
    cases.append(unary("Abs", distinct([2, 3]), second: false, { Swift.abs($0) }) { try $0.abs($1) })
    cases.append(unary("Sign", distinct([2, 3]), second: false, { $0 > 0 ? 1 : ($0 < 0 ? -1 : 0) }) { try $0.sign($1) })

    // Activation gradient ops (first inputs away from kinks)
    func gradOp(_ op: String, _ y: Tensor, _ f: @escaping (Double, Double) -> Double, second: Bool = true,
                _ build: @escaping (Graph, Output, Output) throws -> Output) -> OpCase {
        OpCase(op: op, inputs: [y, r([2, 3])], build: { g, x in try build(g, x[0], x[1]) },
               reference: { refBroadcast($0[0], $0[1], f) }, wrt: [0, 1], secondOrder: second,
               invalid: [{ g in try build(g, ph(g, [2, 3]), ph(g, [3, 2])) }])
    }
    cases.append(gradOp("TanhGrad", r([2, 3]), { y, dy in dy * (1 - y * y) }) { try $0.tanhGrad($1, $2) })
    cases.append(gradOp("SigmoidGrad", r([2, 3], 0.1, 0.9), { y, dy in dy * y * (1 - y) }) { try $0.sigmoidGrad($1, $2) })
    cases.append(gradOp("SqrtGrad", r([2, 3], 0.5, 2), { y, dy in dy * 0.5 / y }) { try $0.sqrtGrad($1, $2) })
    var reluGrad = gradOp("ReluGrad", r([2, 3]), { g, f in f > 0 ? g : 0 }, second: false) { try $0.reluGrad($1, features: $2) }
    reluGrad = OpCase(op: "ReluGrad", inputs: [r([2, 3]), distinct([2, 3])], build: reluGrad.build, reference: reluGrad.reference,
                      wrt: [0, 1], invalid: reluGrad.invalid)
    cases.append(reluGrad)
    cases.append(OpCase(op: "Relu6Grad", inputs: [r([2, 3]), relu6Input], build: { g, x in try g.relu6Grad(x[0], features: x[1]) },
                        reference: { refBroadcast($0[0], $0[1]) { g, f in f > 0 && f < 6 ? g : 0 } }, wrt: [0, 1],
                        invalid: [{ g in try g.relu6Grad(ph(g, [2, 3]), features: ph(g, [3, 2])) }]))

    // Binary broadcasting
    cases += binary("AddV2", +) { try $1 + $2 }
    cases += binary("Sub", -) { try $1 - $2 }
    cases += binary("Mul", *) { try $1 * $2 }
    cases += binary("RealDiv", lo: 0.5, hi: 2, /) { try $1 / $2 }
    cases += binary("Maximum", distinctInputs: true, second: false, { max($0, $1) }) { try $0.maximum($1, $2) }
    cases += binary("Minimum", distinctInputs: true, second: false, { min($0, $1) }) { try $0.minimum($1, $2) }

    // Comparisons
    cases.append(comparison("Equal", ==) { try $0.equal($1, $2) })
    cases.append(comparison("NotEqual", !=) { try $0.notEqual($1, $2) })
    cases.append(comparison("Greater", >) { try $0.greater($1, $2) })
    cases.append(comparison("GreaterEqual", >=) { try $0.greaterEqual($1, $2) })
    cases.append(comparison("Less", <) { try $0.less($1, $2) })
    cases.append(comparison("LessEqual", <=) { try $0.lessEqual($1, $2) })

    // MatMul, all four transpose combinations
    for (ta, tb) in [(false, false), (false, true), (true, false), (true, true)] {
        let a = r(ta ? [4, 3] : [3, 4]), b = r(tb ? [5, 4] : [4, 5])
        cases.append(OpCase(op: "MatMul", label: "ta \(ta) tb \(tb)", inputs: [a, b],
                            build: { g, x in try g.matMul(x[0], x[1], transposeA: ta, transposeB: tb) },
                            reference: { refMatMul($0[0], $0[1], ta: ta, tb: tb) }, wrt: [0, 1], secondOrder: true,
                            invalid: [{ g in try g.matMul(ph(g, [3, 4]), ph(g, [5, 4])) },
                                      { g in try g.matMul(ph(g, [3, 4, 1]), ph(g, [4, 5])) }]))
    }
    cases.append(OpCase(op: "AddN", inputs: [r([2, 3]), r([2, 3]), r([2, 3])], build: { g, x in try g.addN(x) },
                        reference: { t in
                            let a = t[0].doubleValues, b = t[1].doubleValues, c = t[2].doubleValues
                            let sums: [Double] = a.indices.map { a[$0] + b[$0] + c[$0] }
                            return (t[0].shape, sums)
                        },
                        wrt: [0, 1, 2], secondOrder: true,
                        invalid: [{ g in try g.addN([ph(g, [2, 3]), ph(g, [3, 2])]) }]))

    // Reductions
    let x3 = r([2, 3, 4])
    for (axes, keep) in [([1], false), ([0, 2], true), ([0, 1, 2], false), ([-1], true)] {
        cases.append(reduction("Sum", axes: axes, keepDims: keep, input: x3, { $0.reduce(0, +) }) { try $0.sum($1, axes: $2, keepDims: $3) })
        cases.append(reduction("Mean", axes: axes, keepDims: keep, input: x3, mean) { try $0.mean($1, axes: $2, keepDims: $3) })
    }
    let d3 = distinct([2, 3, 4])
    for (axes, keep) in [([1], false), ([0, 2], true)] {
        cases.append(reduction("Max", axes: axes, keepDims: keep, input: d3, second: false, { $0.max()! }) { try $0.max($1, axes: $2, keepDims: $3) })
        cases.append(reduction("Min", axes: axes, keepDims: keep, input: d3, second: false, { $0.min()! }) { try $0.min($1, axes: $2, keepDims: $3) })
    }
    var prod = reduction("Prod", axes: [1], keepDims: false, input: r([2, 3], 0.5, 2), { $0.reduce(1, *) }) { try $0.prod($1, axes: $2, keepDims: $3) }
    prod.wrt = []
    prod.secondOrder = false
    cases.append(prod)
    cases.append(OpCase(op: "ArgMax", inputs: [distinct([3, 4])], build: { g, x in try g.argMax(x[0], axis: 1) },
                        reference: { t in refReduce(t[0], axes: [1]) { row in Double(row.firstIndex(of: row.max()!)!) } },
                        invalid: [{ g in try g.argMax(ph(g, [3, 4]), axis: 2) }]))

    // Neural-network ops
    cases.append(OpCase(op: "BiasAdd", inputs: [r([2, 3, 4]), r([4])], build: { g, x in try g.biasAdd(x[0], x[1]) },
                        reference: { refBroadcast($0[0], $0[1], +) }, wrt: [0, 1], secondOrder: true,
                        invalid: [{ g in try g.biasAdd(ph(g, [2, 3]), ph(g, [4])) }]))
    cases.append(OpCase(op: "BiasAddGrad", inputs: [r([2, 3, 4])], build: { g, x in try g.biasAddGrad(x[0]) },
                        reference: { refReduce($0[0], axes: [0, 1]) { $0.reduce(0, +) } }, wrt: [0], secondOrder: true,
                        invalid: [{ g in try g.biasAddGrad(ph(g, [4])) }]))
    cases.append(OpCase(op: "Softmax", inputs: [r([3, 5], -2, 2)], build: { g, x in try g.softmax(x[0]) },
                        reference: { refSoftmaxRows($0[0]) }, wrt: [0], secondOrder: true,
                        invalid: [{ g in try g.softmax(ph(g, [3], .int32)) }]))
    cases.append(OpCase(op: "LogSoftmax", inputs: [r([3, 5], -2, 2)], build: { g, x in try g.logSoftmax(x[0]) },
                        reference: { refSoftmaxRows($0[0], log: true) }, wrt: [0], secondOrder: true,
                        invalid: [{ g in try g.logSoftmax(ph(g, [3], .int32)) }]))
    let labelsDense: Tensor = {
        var rows: [Double] = []
        for _ in 0..<3 { let p = (0..<4).map { _ in data.random.uniform(0.1, 1) }; let s = p.reduce(0, +); rows += p.map { $0 / s } }
        return Tensor(shape: [3, 4], scalars: rows)
    }()
    cases.append(OpCase(op: "SoftmaxCrossEntropyWithLogits", inputs: [r([3, 4], -2, 2), labelsDense],
                        build: { g, x in try g.softmaxCrossEntropyWithLogits(labels: x[1], logits: x[0]) },
                        reference: { t in
                            let logP = refSoftmaxRows(t[0], log: true).values, y = t[1].doubleValues
                            var losses: [Double] = []
                            for row in 0..<3 {
                                var total = 0.0
                                for j in 0..<4 { total -= y[row * 4 + j] * logP[row * 4 + j] }
                                losses.append(total)
                            }
                            return ([3], losses)
                        }, wrt: [0, 1], secondOrder: true,
                        invalid: [{ g in try g.softmaxCrossEntropyWithLogits(labels: ph(g, [3, 5]), logits: ph(g, [3, 4])) }]))
    cases.append(OpCase(op: "SparseSoftmaxCrossEntropyWithLogits", inputs: [r([3, 4], -2, 2), Tensor([Int32(2), 0, 3])],
                        build: { g, x in try g.sparseSoftmaxCrossEntropyWithLogits(labels: x[1], logits: x[0]) },
                        reference: { t in
                            let logP = refSoftmaxRows(t[0], log: true).values, y = t[1].scalars(as: Int32.self)
                            let losses: [Double] = (0..<3).map { row in -logP[row * 4 + Int(y[row])] }
                            return ([3], losses)
                        }, wrt: [0], secondOrder: true,
                        invalid: [{ g in try g.sparseSoftmaxCrossEntropyWithLogits(labels: ph(g, [3]), logits: ph(g, [3, 4])) },
                                  { g in try g.sparseSoftmaxCrossEntropyWithLogits(labels: ph(g, [2], .int32), logits: ph(g, [3, 4])) }]))

    // Array ops
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
    // Convolution and pooling: VALID and SAME, stride 1 and 2 (SAME with stride 2 pads unevenly).
    for (padding, strides) in [(Padding.valid, (1, 1)), (Padding.same, (1, 1)), (Padding.same, (2, 2)), (Padding.valid, (2, 1))] {
        let label = "\(padding.rawValue) \(strides)"
        let x = r([2, 5, 6, 3]), w = r([3, 2, 3, 4])
        // A single-channel input takes the transposed-im2col path.
        let x1 = r([2, 5, 6, 1]), w1 = r([3, 2, 1, 4])
        cases.append(OpCase(op: "Conv2D", label: label + " C=1", inputs: [x1, w1],
                            build: { g, t in try g.conv2D(t[0], filter: t[1], strides: strides, padding: padding) },
                            reference: { t in
                                let gm = refGeometry(t[0].shape, kernel: (3, 2), strides: strides, padding: padding)
                                return ([2, gm.outHeight, gm.outWidth, 4], conv2dReference(t[0].doubleValues, t[1].doubleValues, gm, filters: 4))
                            }, wrt: [0, 1]))
        let gm = refGeometry(x.shape, kernel: (3, 2), strides: strides, padding: padding)
        let dy = r([2, gm.outHeight, gm.outWidth, 4])
        cases.append(OpCase(op: "Conv2D", label: label, inputs: [x, w],
                            build: { g, t in try g.conv2D(t[0], filter: t[1], strides: strides, padding: padding) },
                            reference: { t in
                                let gm = refGeometry(t[0].shape, kernel: (3, 2), strides: strides, padding: padding)
                                return ([2, gm.outHeight, gm.outWidth, 4], conv2dReference(t[0].doubleValues, t[1].doubleValues, gm, filters: 4))
                            }, wrt: [0, 1], secondOrder: true,
                            invalid: [{ g in try g.conv2D(ph(g, [2, 5, 6, 3]), filter: ph(g, [3, 2, 2, 4]), padding: padding) },
                                      { g in try g.conv2D(ph(g, [2, 5, 6]), filter: ph(g, [3, 2, 3, 4]), padding: padding) }]))
        cases.append(OpCase(op: "Conv2DBackpropInput", label: label, inputs: [w, dy],
                            build: { g, t in try g.conv2DBackpropInput(inputSizes: g.constant(Tensor([Int32(2), 5, 6, 3])), filter: t[0],
                                                                       outBackprop: t[1], strides: strides, padding: padding) },
                            reference: { t in refConvBackpropInput([2, 5, 6, 3], t[0], t[1], strides: strides, padding: padding) },
                            wrt: [0, 1], secondOrder: true,
                            invalid: [{ g in try g.conv2DBackpropInput(inputSizes: g.constant(Tensor([Int32(2), 5, 6])), filter: ph(g, [3, 2, 3, 4]),
                                                                       outBackprop: ph(g, [2, 3, 5, 4]), strides: strides, padding: padding) }]))
        cases.append(OpCase(op: "Conv2DBackpropFilter", label: label, inputs: [x, dy],
                            build: { g, t in try g.conv2DBackpropFilter(input: t[0], filterSizes: g.constant(Tensor([Int32(3), 2, 3, 4])),
                                                                        outBackprop: t[1], strides: strides, padding: padding) },
                            reference: { t in refConvBackpropFilter(t[0], [3, 2, 3, 4], t[1], strides: strides, padding: padding) },
                            wrt: [0, 1], secondOrder: true,
                            invalid: [{ g in try g.conv2DBackpropFilter(input: ph(g, [2, 5, 6, 3]), filterSizes: g.constant(Tensor([Int32(3), 2])),
                                                                        outBackprop: ph(g, [2, 3, 5, 4]), strides: strides, padding: padding) }]))
        let px = distinct([2, 5, 6, 3])
        cases.append(OpCase(op: "MaxPool", label: label, inputs: [px],
                            build: { g, t in try g.maxPool(t[0], ksize: (2, 3), strides: strides, padding: padding) },
                            reference: { t in refPool(t[0], kernel: (2, 3), strides: strides, padding: padding, max: true) }, wrt: [0],
                            invalid: [{ g in try g.maxPool(ph(g, [2, 1, 6, 3]), ksize: (2, 3), strides: strides, padding: .valid) }]))
        cases.append(OpCase(op: "AvgPool", label: label, inputs: [x],
                            build: { g, t in try g.avgPool(t[0], ksize: (2, 3), strides: strides, padding: padding) },
                            reference: { t in refPool(t[0], kernel: (2, 3), strides: strides, padding: padding, max: false) },
                            wrt: [0], secondOrder: true,
                            invalid: [{ g in try g.avgPool(ph(g, [2, 5, 6]), ksize: (2, 3), strides: strides, padding: padding) }]))
        cases.append(OpCase(op: "MaxPoolWithArgmax", label: label, inputs: [px],
                            build: { g, t in try g.maxPoolWithArgmax(t[0], ksize: (2, 3), strides: strides, padding: padding).output },
                            reference: { t in refPool(t[0], kernel: (2, 3), strides: strides, padding: padding, max: true) }, wrt: [0],
                            invalid: [{ g in try g.maxPoolWithArgmax(ph(g, [2, 1, 6, 3]), ksize: (2, 3), strides: strides, padding: .valid).output }]))
        let pg = refGeometry(px.shape, kernel: (2, 3), strides: strides, padding: padding)
        let pooledGrad = r([2, pg.outHeight, pg.outWidth, 3])
        cases.append(OpCase(op: "MaxPoolGrad", label: label, inputs: [px, pooledGrad],
                            build: { g, t in
                                let pooled = try g.maxPool(t[0], ksize: (2, 3), strides: strides, padding: padding)
                                return try g.maxPoolGrad(original: t[0], pooled: pooled, grad: t[1], ksize: (2, 3), strides: strides, padding: padding)
                            },
                            reference: { t in (t[0].shape, maxPoolGradReference(t[0].doubleValues, pg, t[1].doubleValues)) },
                            invalid: [{ g in try g.maxPoolGrad(original: ph(g, [2, 5, 6, 3]), pooled: ph(g, [2, 5, 6, 3]), grad: ph(g, [2, 5, 6, 3], .int32),
                                                               ksize: (2, 3), strides: strides, padding: padding) }]))
        cases.append(OpCase(op: "MaxPoolGradWithArgmax", label: label, inputs: [px, pooledGrad],
                            build: { g, t in
                                let argmax = try g.maxPoolWithArgmax(t[0], ksize: (2, 3), strides: strides, padding: padding).argmax
                                return try g.maxPoolGradWithArgmax(input: t[0], grad: t[1], argmax: argmax, ksize: (2, 3), strides: strides,
                                                                   padding: padding)
                            },
                            reference: { t in (t[0].shape, maxPoolGradReference(t[0].doubleValues, pg, t[1].doubleValues)) },
                            invalid: [{ g in try g.maxPoolGradWithArgmax(input: ph(g, [2, 5, 6, 3]), grad: ph(g, [2, 5, 6, 3]),
                                                                         argmax: ph(g, [2, 5, 6, 3]), ksize: (2, 3), strides: strides,
                                                                         padding: padding) }]))
        cases.append(OpCase(op: "AvgPoolGrad", label: label, inputs: [pooledGrad],
                            build: { g, t in try g.avgPoolGrad(inputShape: g.constant(Tensor([Int32(2), 5, 6, 3])), grad: t[0],
                                                               ksize: (2, 3), strides: strides, padding: padding) },
                            reference: { t in
                                // The adjoint of average pooling: spread each window's gradient over its real positions.
                                var dx = [Double](repeating: 0, count: 2 * 5 * 6 * 3)
                                let d = t[0].doubleValues
                                for n in 0..<2 { for oy in 0..<pg.outHeight { for ox in 0..<pg.outWidth { for c in 0..<3 {
                                    var cells: [Int] = []
                                    for ky in 0..<2 { for kx in 0..<3 {
                                        let iy = oy * pg.strideY + ky - pg.padTop, ix = ox * pg.strideX + kx - pg.padLeft
                                        if iy >= 0, iy < 5, ix >= 0, ix < 6 { cells.append(((n * 5 + iy) * 6 + ix) * 3 + c) }
                                    } }
                                    for cell in cells { dx[cell] += d[((n * pg.outHeight + oy) * pg.outWidth + ox) * 3 + c] / Double(cells.count) }
                                } } } }
                                return ([2, 5, 6, 3], dx)
                            }, wrt: [0], secondOrder: true,
                            invalid: [{ g in try g.avgPoolGrad(inputShape: g.constant(Tensor([Int32(2), 5, 6, 3])), grad: ph(g, [2], .int32),
                                                               ksize: (2, 3), strides: strides, padding: padding) }]))
    }

    // Gather, segment sums and reshaping ops
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
                        },
                        invalid: [{ g in try g.stridedSlice(ph(g, [2, 3]), begin: [5], end: [6], strides: [1], shrinkAxisMask: 1) }]))
    cases.append(OpCase(op: "Const", inputs: [], build: { g, _ in try g.constant(Tensor(shape: [2], scalars: [1.5, -2.0])) },
                        reference: { _ in ([2], [1.5, -2]) }))
    return cases
}

/// Ops covered by dedicated tests rather than the table, and where.
let opsWithDedicatedTests: [String: String] = [
    "Placeholder": "SessionTests",
    "NoOp": "SessionTests.testGroupRunsAllControlInputs",
    "VariableV2": "VariableTests", "Assign": "VariableTests", "AssignAdd": "VariableTests", "AssignSub": "VariableTests",
    "ApplyGradientDescent": "OptimizerTests", "ApplyMomentum": "OptimizerTests", "ApplyAdam": "OptimizerTests",
    "ApplyRMSProp": "OptimizerTests",
    "RandomUniform": "RandomOpTests", "RandomStandardNormal": "RandomOpTests", "TruncatedNormal": "RandomOpTests",
]
