import Foundation
import TestSupport
@testable import TensorGraph

// The op table's cases for the ops issue 13's training utilities added or changed: ApplyAdagrad, Sin/Cos
// (for cosineDecay), and Prod's gradient. `makeOpCases()` appends these last, so earlier cases keep their inputs.

func trainingOpCases() -> [OpCase] {
    var cases: [OpCase] = []

    // ApplyAdagrad: the variable and accumulator are variables made from constants and initialized by the
    // same run (control dependencies), so the table can run one update; lr and grad are the fed inputs.
    let start = Tensor(shape: [2, 3], scalars: [1.0, -2, 0.5, 0.25, 3, -0.75])
    let accum = Tensor(shape: [2, 3], scalars: [0.1, 0.1, 0.2, 1, 0.5, 0.3])
    func adagrad(updateSlots: Bool) -> (Graph, [Output]) throws -> Output {
        { g, x in
            let typed = { (t: Tensor) in x[0].dtype == .float ? toFloat32(t) : t }
            let v = try g.variable(g.constant(typed(start)), name: "var"), a = try g.variable(g.constant(typed(accum)), name: "accum")
            let inits = [v, a].compactMap { $0.variable?.initializer }
            return try g.withControlDependencies(inits) {
                try g.applyAdagrad(v, accumulator: a, learningRate: x[0], gradient: x[1], updateSlots: updateSlots)
            }
        }
    }
    for updateSlots in [true, false] {
        cases.append(OpCase(op: "ApplyAdagrad", label: "update_slots \(updateSlots)", inputs: [Tensor(0.1), r([2, 3])],
                            build: adagrad(updateSlots: updateSlots),
                            reference: { t in
                                let lr = t[0].doubleValues[0], g = t[1].doubleValues, w = start.doubleValues, a = accum.doubleValues
                                return ([2, 3], g.indices.map { i in
                                    let acc = updateSlots ? a[i] + g[i] * g[i] : a[i]
                                    return w[i] - lr * g[i] / acc.squareRoot()
                                })
                            },
                            invalid: [{ g in
                                let v = try g.variable(g.zeros([2, 3])), a = try g.variable(g.zeros([2, 3]))
                                return try g.applyAdagrad(v, accumulator: a, learningRate: g.constant(0.1), gradient: ph(g, [3, 2]))
                            }, { g in
                                let v = try g.variable(g.zeros([2, 3])), a = try g.variable(g.zeros([2, 3]))
                                return try g.applyAdagrad(v, accumulator: a, learningRate: ph(g, [2]), gradient: ph(g, [2, 3]))
                            }]))
    }

    // Sin and Cos, with second order (their gradients use each other).
    for (op, f) in [("Sin", Foundation.sin), ("Cos", Foundation.cos)] as [(String, (Double) -> Double)] {
        let build: (Graph, Output) throws -> Output = { g, x in op == "Sin" ? try g.sin(x) : try g.cos(x) }
        cases.append(OpCase(op: op, inputs: [r([2, 3], -4, 4)], build: { g, x in try build(g, x[0]) }, reference: { refUnary($0[0], f) },
                            wrt: [0], secondOrder: true, invalid: [{ g in try build(g, ph(g, [2], .int32)) }]))
    }

    // Prod's gradient: with zeros (one and two per slice; the product is linear in each element, so central
    // differences are exact there), and second order away from zeros.
    let withZeros = Tensor(shape: [3, 4], scalars: [0.5, 0, 2, -1.5, 0, 0, 1.5, 0.7, 1.2, -0.7, 0.9, 2])
    for (axes, keep) in [([1], false), ([0], true), ([0, 1], false)] {
        cases.append(prodCase(withZeros, axes: axes, keepDims: keep, second: false, label: "zeros"))
    }
    cases.append(prodCase(r([2, 3, 2], 0.5, 1.5), axes: [0, 2], keepDims: false, second: true, label: "second order"))
    return cases
}

private func prodCase(_ input: Tensor, axes: [Int], keepDims: Bool, second: Bool, label: String) -> OpCase {
    OpCase(op: "Prod", label: "\(label) axes \(axes) keep \(keepDims)", inputs: [input],
           build: { g, x in try g.prod(x[0], axes: axes, keepDims: keepDims) },
           reference: { refReduce($0[0], axes: axes, keepDims: keepDims) { $0.reduce(1, *) } },
           wrt: [0], secondOrder: second, invalid: [{ g in try g.prod(ph(g, [2, 3]), axes: [2]) }])
}
