import Foundation
import TestSupport
@testable import TensorGraph

// The op table's cases for the ops in Ops/Math. `makeOpCases()` (Ops/OpCase.swift) calls these
// functions in a fixed order: every case draws its inputs from one seeded source, so keep the order.

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

/// Elementwise unary ops, activation gradient ops, binary broadcasting ops and comparisons.
func mathElementwiseOpCases() -> [OpCase] {
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
    return cases
}

/// MatMul (all four transpose combinations), AddN, reductions and ArgMax.
func mathMatMulAndReductionOpCases() -> [OpCase] {
    var cases: [OpCase] = []

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
    return cases
}
