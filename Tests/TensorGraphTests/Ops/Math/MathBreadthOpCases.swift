import Foundation
import TestSupport
@testable import TensorGraph

// The op table's cases for the Math ops of MathOpList.swift; `makeOpCases()` appends them after the
// older families, so adding cases here leaves every earlier case's inputs unchanged.
//
// References are plain formulas in Double; where TensorFlow's semantics are subtle (rounding halves, the sign
// of a floor remainder, Softplus for large |x|) MathSemanticsTests also pins values TensorFlow 2.21 gives.

/// A unary float op: same-shape kernel check, gradient (and second order unless `second` is false) and
/// rejection of an int32 input.
private func unaryCase(_ op: String, _ input: Tensor, label: String = "", wrt: [Int] = [0], second: Bool = true,
                       _ f: @escaping (Double) -> Double, _ build: @escaping (Graph, Output) throws -> Output) -> OpCase {
    OpCase(op: op, label: label, inputs: [input], build: { g, x in try build(g, x[0]) }, reference: { refUnary($0[0], f) },
           wrt: wrt, secondOrder: second && !wrt.isEmpty, invalid: [{ g in try build(g, ph(g, [2], .int32)) }])
}

/// A same-shape gradient op `f(a, b)`; shape mismatches must be rejected.
private func gradientCase(_ op: String, _ a: Tensor, _ b: Tensor, wrt: [Int] = [0, 1], second: Bool = true,
                          _ f: @escaping (Double, Double) -> Double,
                          _ build: @escaping (Graph, Output, Output) throws -> Output) -> OpCase {
    OpCase(op: op, inputs: [a, b], build: { g, x in try build(g, x[0], x[1]) }, reference: { refBroadcast($0[0], $0[1], f) },
           wrt: wrt, secondOrder: second && !wrt.isEmpty, invalid: [{ g in try build(g, ph(g, [2, 3]), ph(g, [3, 2])) }])
}

/// A broadcasting binary op on the given operands (labelled by their shapes); non-broadcasting shapes must be rejected.
private func binaryCase(_ op: String, _ a: Tensor, _ b: Tensor, wrt: [Int] = [0, 1], second: Bool = true,
                        _ f: @escaping (Double, Double) -> Double,
                        _ build: @escaping (Graph, Output, Output) throws -> Output) -> OpCase {
    OpCase(op: op, label: "\(a.dtype) \(a.shape)·\(b.shape)", inputs: [a, b], build: { g, x in try build(g, x[0], x[1]) },
           reference: { refBroadcast($0[0], $0[1], f) }, wrt: wrt, secondOrder: second && !wrt.isEmpty,
           invalid: [{ g in try build(g, ph(g, [2, 3], a.dtype), ph(g, [4], a.dtype)) }])
}

private func ints(_ shape: [Int], _ values: [Int32]) -> Tensor { Tensor(shape: shape, scalars: values) }
private func bools(_ shape: [Int], _ values: [Bool]) -> Tensor { Tensor(shape: shape, scalars: values) }
private func doubles(_ shape: [Int], _ values: [Double]) -> Tensor { Tensor(shape: shape, scalars: values) }

/// Round half to even, written independently of `rounded(.toNearestOrEven)`.
private func roundHalfEven(_ x: Double) -> Double {
    let f = Foundation.floor(x), d = x - f
    if d != 0.5 { return d < 0.5 ? f : f + 1 }
    return f.truncatingRemainder(dividingBy: 2) == 0 ? f : f + 1
}

/// softplus in a form different from the kernel's (no thresholds): max(x, 0) + log1p(e^−|x|).
private func softplusReference(_ x: Double) -> Double { Swift.max(x, 0) + Foundation.log1p(Foundation.exp(-Swift.abs(x))) }

private let seluScale = 1.0507009873554804934193349852946, seluAlpha = 1.6732632423543772848170429916717

func mathBreadthOpCases() -> [OpCase] {
    mathBreadthUnaryCases() + mathBreadthBinaryCases() + mathBreadthReductionAndProductCases() + mathContractionOpCases()
}

/// Unary ops and their gradient ops.
private func mathBreadthUnaryCases() -> [OpCase] {
    var cases: [OpCase] = []
    cases.append(unaryCase("Rsqrt", r([2, 3], 0.5, 2), { 1 / $0.squareRoot() }) { try $0.rsqrt($1) })
    cases.append(unaryCase("Reciprocal", doubles([2, 3], [-2, -0.7, 0.6, 1.3, 2, -1.1]), { 1 / $0 }) { try $0.reciprocal($1) })
    cases.append(unaryCase("Erf", r([2, 3], -2, 2), { Foundation.erf($0) }) { try $0.erf($1) })
    cases.append(unaryCase("Erfc", r([2, 3], -2, 2), { Foundation.erfc($0) }) { try $0.erfc($1) })
    cases.append(unaryCase("Log1p", r([2, 3], -0.5, 2), { Foundation.log(1 + $0) }) { try $0.log1p($1) })
    cases.append(unaryCase("Expm1", r([2, 3]), { Foundation.exp($0) - 1 }) { try $0.expm1($1) })

    // Rounding: halves of both parities and signs, and −0 (no gradient).
    let halves = doubles([3, 4], [-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 3.5, -0.2, 2.7, -3.7, 0, 1e15 + 0.5])
    cases.append(unaryCase("Floor", halves, wrt: [], { Foundation.floor($0) }) { try $0.floor($1) })
    cases.append(unaryCase("Ceil", halves, wrt: [], { Foundation.ceil($0) }) { try $0.ceil($1) })
    cases.append(unaryCase("Round", halves, wrt: [], roundHalfEven) { try $0.round($1) })

    // Activations, away from the kink at 0.
    let signed = doubles([2, 3], [-1.5, -0.3, 0.2, 0.9, -0.05, 2])
    cases.append(unaryCase("Elu", signed, { $0 < 0 ? Foundation.exp($0) - 1 : $0 }) { try $0.elu($1) })
    cases.append(unaryCase("Selu", signed, { $0 < 0 ? seluScale * seluAlpha * (Foundation.exp($0) - 1) : seluScale * $0 }) {
        try $0.selu($1)
    })
    // `alpha` is a float attribute, so the double kernel multiplies by Double(Float(alpha)), as TF's.
    let alpha = Double(Float(0.2)), alpha3 = Double(Float(-0.3))
    cases.append(unaryCase("LeakyRelu", signed, { $0 > 0 ? $0 : alpha * $0 }) { try $0.leakyRelu($1) })
    cases.append(unaryCase("LeakyRelu", signed, label: "alpha -0.3", { $0 > 0 ? $0 : alpha3 * $0 }) { try $0.leakyRelu($1, alpha: -0.3) })
    cases.append(unaryCase("Softplus", r([2, 3], -3, 3), softplusReference) { try $0.softplus($1) })
    cases.append(unaryCase("Softplus", doubles([2, 4], [-800, -50, -36, -20, 20, 36, 50, 800]), label: "large |x|", second: false,
                           softplusReference) { try $0.softplus($1) })
    // SoftsignGrad has no gradient in TF, so there is no second order.
    cases.append(unaryCase("Softsign", r([2, 3], -3, 3), second: false, { $0 / (1 + Swift.abs($0)) }) { try $0.softsign($1) })

    // Gradient ops
    cases.append(gradientCase("RsqrtGrad", r([2, 3], 0.5, 2), r([2, 3]), { y, dy in -0.5 * dy * y * y * y }) { try $0.rsqrtGrad($1, $2) })
    cases.append(gradientCase("ReciprocalGrad", r([2, 3], 0.5, 2), r([2, 3]), { y, dy in -dy * y * y }) { try $0.reciprocalGrad($1, $2) })
    let outputs = doubles([2, 3], [-0.8, -0.3, 0.2, 0.9, -0.05, 2])
    cases.append(gradientCase("EluGrad", r([2, 3]), outputs, { g, y in y < 0 ? g * (y + 1) : g }) { try $0.eluGrad($1, outputs: $2) })
    cases.append(gradientCase("SeluGrad", r([2, 3]), outputs, { g, y in y < 0 ? g * (y + seluScale * seluAlpha) : g * seluScale }) {
        try $0.seluGrad($1, outputs: $2)
    })
    cases.append(gradientCase("LeakyReluGrad", r([2, 3]), outputs, { g, x in x > 0 ? g : alpha * g }) { try $0.leakyReluGrad($1, features: $2) })
    cases.append(gradientCase("SoftplusGrad", r([2, 3]), r([2, 3], -3, 3), { g, x in g / (1 + Foundation.exp(-x)) }) {
        try $0.softplusGrad($1, features: $2)
    })
    cases.append(gradientCase("SoftsignGrad", r([2, 3]), r([2, 3], -3, 3), wrt: [], { g, x in g / ((1 + Swift.abs(x)) * (1 + Swift.abs(x))) }) {
        try $0.softsignGrad($1, features: $2)
    })

    // Logic on bool
    let p = bools([2, 3], [true, false, true, false, false, true]), q = bools([3], [true, true, false])
    cases.append(OpCase(op: "LogicalNot", inputs: [p], build: { g, x in try g.logicalNot(x[0]) }, reference: { refUnary($0[0]) { 1 - $0 } },
                        invalid: [{ g in try g.logicalNot(ph(g, [2])) }]))
    cases.append(OpCase(op: "LogicalAnd", inputs: [p, q], build: { g, x in try g.logicalAnd(x[0], x[1]) },
                        reference: { refBroadcast($0[0], $0[1]) { $0 * $1 } },
                        invalid: [{ g in try g.logicalAnd(ph(g, [2], .bool), ph(g, [3], .bool)) },
                                  { g in try g.logicalAnd(ph(g, [2], .bool), ph(g, [2])) }]))
    cases.append(OpCase(op: "LogicalOr", inputs: [p, q], build: { g, x in try g.logicalOr(x[0], x[1]) },
                        reference: { refBroadcast($0[0], $0[1]) { Swift.max($0, $1) } },
                        invalid: [{ g in try g.logicalOr(ph(g, [2], .bool), ph(g, [3], .bool)) },
                                  { g in try g.logicalOr(ph(g, [2], .int32), ph(g, [2], .bool)) }]))
    return cases
}

/// Broadcasting binary ops and Select/SelectV2.
private func mathBreadthBinaryCases() -> [OpCase] {
    var cases: [OpCase] = []
    let shapes: [([Int], [Int])] = [([2, 3], [2, 3]), ([4, 3], [3]), ([3], []), ([3, 1], [1, 4])]

    for (sa, sb) in shapes {
        cases.append(binaryCase("SquaredDifference", r(sa), r(sb), { ($0 - $1) * ($0 - $1) }) { try $0.squaredDifference($1, $2) })
    }
    cases.append(binaryCase("SquaredDifference", ints([2, 2], [3, -4, 7, 0]), ints([2], [5, -9]), wrt: [], { ($0 - $1) * ($0 - $1) }) {
        try $0.squaredDifference($1, $2)
    })

    for (sa, sb) in shapes {
        cases.append(binaryCase("Pow", r(sa, 0.5, 2), r(sb, -1.5, 1.5), { Foundation.pow($0, $1) }) { try $0.pow($1, $2) })
    }
    // Negative bases: NaN for non-integer exponents, real for integer ones (C pow, as TF).
    cases.append(binaryCase("Pow", doubles([2, 3], [-2, -2, -8, 0, 0, -1.5]), doubles([2, 3], [0.5, 2, 1.0 / 3, 0, -1, 3]), wrt: [],
                            { Foundation.pow($0, $1) }) { try $0.pow($1, $2) })
    cases.append(binaryCase("Pow", ints([2, 3], [2, -3, 0, 5, -1, 7]), ints([3], [3, 0, 5]), wrt: [], { Foundation.pow($0, $1) }) {
        try $0.pow($1, $2)
    })

    // Floor division and remainder, float: mixed signs, quotients away from integers (gradients jump there).
    let dividends = doubles([2, 3], [7, -7, 5.5, -5.5, 2.3, -0.4]), divisors = doubles([2, 3], [3, 3, -2, 2, -0.7, 1.1])
    let rowDivisors = doubles([3], [2.5, -1.5, 3.3])
    func floorMod(_ a: Double, _ b: Double) -> Double { a - b * Foundation.floor(a / b) }
    cases.append(binaryCase("FloorMod", dividends, divisors, floorMod) { try $0.floorMod($1, $2) })
    cases.append(binaryCase("FloorMod", r([4, 3], -5, 5), rowDivisors, floorMod) { try $0.floorMod($1, $2) })
    cases.append(binaryCase("FloorDiv", dividends, divisors, wrt: [], { Foundation.floor($0 / $1) }) { try $0.floorDiv($1, $2) })
    cases.append(binaryCase("FloorDiv", r([4, 3], -5, 5), rowDivisors, wrt: [], { Foundation.floor($0 / $1) }) { try $0.floorDiv($1, $2) })
    // ... and integer: the same floor semantics (exact in Double for these values).
    let intDividends = ints([2, 4], [7, -7, 7, -7, 0, 6, -6, 1]), intDivisors = ints([2, 4], [3, 3, -3, -3, 3, -3, 3, -5])
    cases.append(binaryCase("FloorMod", intDividends, intDivisors, wrt: [], floorMod) { try $0.floorMod($1, $2) })
    cases.append(binaryCase("FloorDiv", intDividends, intDivisors, wrt: [], { Foundation.floor($0 / $1) }) { try $0.floorDiv($1, $2) })
    let int64Dividends = Tensor(shape: [4], scalars: [Int64(9), -9, 1 << 40, -(1 << 40) - 1])
    cases.append(binaryCase("FloorMod", int64Dividends, Tensor(shape: [], scalars: [Int64(-4)]), wrt: [], floorMod) { try $0.floorMod($1, $2) })
    cases.append(binaryCase("FloorDiv", int64Dividends, Tensor(shape: [], scalars: [Int64(-4)]), wrt: [], { Foundation.floor($0 / $1) }) {
        try $0.floorDiv($1, $2)
    })

    cases += selectCases()
    return cases
}

/// Select (same shape, row vector and scalar conditions) and SelectV2 (broadcasting), float and other types.
private func selectCases() -> [OpCase] {
    var cases: [OpCase] = []
    func choose(_ c: Double, _ t: Double, _ e: Double) -> Double { c != 0 ? t : e }
    /// Elementwise reference over tensors already of the output's shape (or a scalar condition).
    func pick(_ t: [Tensor], rowLength: Int) -> Reference {
        let c = t[0].doubleValues, a = t[1].doubleValues, b = t[2].doubleValues
        return (t[1].shape, a.indices.map { choose(c[t[0].count == 1 ? 0 : $0 / rowLength], a[$0], b[$0]) })
    }
    let selectInvalid: [(Graph) throws -> Output] = [
        { g in try g.select(ph(g, [3], .bool), ph(g, [2, 3]), ph(g, [2, 3])) },
        { g in try g.select(ph(g, [2, 3], .bool), ph(g, [2, 3]), ph(g, [3, 2])) },
        { g in try g.select(ph(g, [2, 2], .bool), ph(g, [2, 3]), ph(g, [2, 3])) },
        { g in try g.select(ph(g, [2, 3]), ph(g, [2, 3]), ph(g, [2, 3])) },
    ]
    let mask = bools([2, 3], [true, false, false, true, true, false])
    cases.append(OpCase(op: "Select", label: "elementwise", inputs: [mask, r([2, 3]), r([2, 3])], build: { g, x in try g.select(x[0], x[1], x[2]) },
                        reference: { pick($0, rowLength: 1) }, wrt: [1, 2], secondOrder: true, invalid: selectInvalid))
    cases.append(OpCase(op: "Select", label: "rows", inputs: [bools([2], [false, true]), r([2, 3]), r([2, 3])],
                        build: { g, x in try g.select(x[0], x[1], x[2]) }, reference: { pick($0, rowLength: 3) }, wrt: [1, 2]))
    cases.append(OpCase(op: "Select", label: "scalar condition", inputs: [bools([], [false]), r([2, 3]), r([2, 3])],
                        build: { g, x in try g.select(x[0], x[1], x[2]) }, reference: { pick($0, rowLength: 6) }, wrt: [1, 2]))
    cases.append(OpCase(op: "Select", label: "int32", inputs: [mask, ints([2, 3], [1, 2, 3, 4, 5, 6]), ints([2, 3], [-1, -2, -3, -4, -5, -6])],
                        build: { g, x in try g.select(x[0], x[1], x[2]) }, reference: { pick($0, rowLength: 1) }))

    /// SelectV2's reference: broadcast the condition against t, then that against e.
    func pickBroadcast(_ t: [Tensor]) -> Reference {
        let te = refBroadcast(t[1], t[2]) { a, _ in a }.shape
        let shape = refBroadcast(t[0], Tensor(zeros: .double, shape: te)) { a, _ in a }.shape
        let full = Tensor(zeros: .double, shape: shape)
        let c = refBroadcast(t[0], full) { a, _ in a }.values
        let a = refBroadcast(t[1], full) { a, _ in a }.values, b = refBroadcast(t[2], full) { a, _ in a }.values
        return (shape, c.indices.map { choose(c[$0], a[$0], b[$0]) })
    }
    let selectV2Invalid: [(Graph) throws -> Output] = [
        { g in try g.selectV2(ph(g, [2], .bool), ph(g, [3]), ph(g, [3])) },
        { g in try g.selectV2(ph(g, [3], .bool), ph(g, [2, 3]), ph(g, [2, 1, 2])) },
        { g in try g.selectV2(ph(g, [3]), ph(g, [3]), ph(g, [3])) },
    ]
    cases.append(OpCase(op: "SelectV2", label: "[2,1]·[3]·[]", inputs: [bools([2, 1], [true, false]), r([3]), r([])],
                        build: { g, x in try g.selectV2(x[0], x[1], x[2]) }, reference: pickBroadcast, wrt: [1, 2], secondOrder: true,
                        invalid: selectV2Invalid))
    cases.append(OpCase(op: "SelectV2", label: "same shape", inputs: [mask, r([2, 3]), r([2, 3])],
                        build: { g, x in try g.selectV2(x[0], x[1], x[2]) }, reference: pickBroadcast, wrt: [1, 2]))
    cases.append(OpCase(op: "SelectV2", label: "[3]·[2,1]·[1,3]", inputs: [bools([3], [false, true, true]), r([2, 1]), r([1, 3])],
                        build: { g, x in try g.selectV2(x[0], x[1], x[2]) }, reference: pickBroadcast, wrt: [1, 2]))
    cases.append(OpCase(op: "SelectV2", label: "bool", inputs: [bools([3], [false, true, true]), bools([2, 1], [true, false]), bools([], [false])],
                        build: { g, x in try g.selectV2(x[0], x[1], x[2]) }, reference: pickBroadcast))
    return cases
}

/// All, Any, ArgMin and BatchMatMulV2.
private func mathBreadthReductionAndProductCases() -> [OpCase] {
    var cases: [OpCase] = []

    // Logical reductions, including an empty axis (All of nothing is true, Any false).
    let flags = Tensor(shape: [2, 3, 4], scalars: r([2, 3, 4]).doubleValues.map { $0 > 0 })
    func allOf(_ v: [Double]) -> Double { v.allSatisfy { $0 != 0 } ? 1 : 0 }
    func anyOf(_ v: [Double]) -> Double { v.contains { $0 != 0 } ? 1 : 0 }
    for (input, axes, keep) in [(flags, [1], false), (flags, [0, 2], true), (flags, [0, 1, 2], false), (flags, [-1], true),
                                (bools([2, 0], []), [1], false)] {
        let label = "\(input.shape) axes \(axes) keep \(keep)", normalized = axes.map { $0 < 0 ? $0 + input.rank : $0 }
        cases.append(OpCase(op: "All", label: label, inputs: [input], build: { g, x in try g.all(x[0], axes: axes, keepDims: keep) },
                            reference: { refReduce($0[0], axes: normalized, keepDims: keep, allOf) },
                            invalid: [{ g in try g.all(ph(g, [2, 3], .bool), axes: [2]) }, { g in try g.all(ph(g, [2, 3]), axes: [1]) }]))
        cases.append(OpCase(op: "Any", label: label, inputs: [input], build: { g, x in try g.any(x[0], axes: axes, keepDims: keep) },
                            reference: { refReduce($0[0], axes: normalized, keepDims: keep, anyOf) },
                            invalid: [{ g in try g.any(ph(g, [2, 3], .bool), axes: [-3]) }, { g in try g.any(ph(g, [2, 3], .int32), axes: [0]) }]))
    }

    // ArgMin: first index on ties, negative axes, int32 output, integer input.
    func argMin(_ row: [Double]) -> Double { Double(row.firstIndex(of: row.min()!)!) }
    let argMinInvalid: [(Graph) throws -> Output] = [{ g in try g.argMin(ph(g, [3, 4]), axis: 2) }, { g in try g.argMin(ph(g, [3, 4], .bool), axis: 0) }]
    let table = distinct([3, 4])
    cases.append(OpCase(op: "ArgMin", label: "axis 1", inputs: [table], build: { g, x in try g.argMin(x[0], axis: 1) },
                        reference: { refReduce($0[0], axes: [1], argMin) }, invalid: argMinInvalid))
    cases.append(OpCase(op: "ArgMin", label: "axis -2 int32", inputs: [table], build: { g, x in try g.argMin(x[0], axis: -2, outputType: .int32) },
                        reference: { refReduce($0[0], axes: [0], argMin) }))
    cases.append(OpCase(op: "ArgMin", label: "ties", inputs: [doubles([2, 3], [3, 1, 1, 2, 2, 5])], build: { g, x in try g.argMin(x[0], axis: 1) },
                        reference: { refReduce($0[0], axes: [1], argMin) }))
    cases.append(OpCase(op: "ArgMin", label: "int32", inputs: [ints([2, 3], [4, -7, -7, 0, 9, -1])], build: { g, x in try g.argMin(x[0], axis: 1) },
                        reference: { refReduce($0[0], axes: [1], argMin) }))

    // BatchMatMulV2: equal batches, broadcast batches (also against a plain matrix), and the adjoint flags.
    let bmmInvalid: [(Graph) throws -> Output] = [
        { g in try g.batchMatMul(ph(g, [4]), ph(g, [2, 4, 5])) },
        { g in try g.batchMatMul(ph(g, [2, 3, 4]), ph(g, [2, 5, 4])) },
        { g in try g.batchMatMul(ph(g, [2, 3, 4]), ph(g, [3, 4, 5])) },
        { g in try g.batchMatMul(ph(g, [2, 3, 4], .int32), ph(g, [2, 4, 5], .int32)) },
    ]
    for (xs, ys, adjX, adjY) in [([2, 3, 4], [2, 4, 5], false, false), ([2, 1, 3, 4], [3, 4, 2], false, false),
                                 ([3, 4], [2, 4, 5], false, false), ([2, 4, 3], [2, 4, 5], true, false),
                                 ([1, 3, 4], [2, 5, 4], false, true), ([2, 4, 3], [5, 4], true, true)] {
        cases.append(OpCase(op: "BatchMatMulV2", label: "\(xs)\(adjX ? "ᴴ" : "")·\(ys)\(adjY ? "ᴴ" : "")", inputs: [r(xs), r(ys)],
                            build: { g, x in try g.batchMatMul(x[0], x[1], adjointX: adjX, adjointY: adjY) },
                            reference: { refBatchMatMul($0[0], $0[1], adjX: adjX, adjY: adjY) }, wrt: [0, 1], secondOrder: true,
                            invalid: bmmInvalid))
    }
    return cases
}

/// Batched matrix product by brute force: every output element sums over k, each batch index mapped to the
/// operands' own batch indices (0 where they broadcast).
private func refBatchMatMul(_ x: Tensor, _ y: Tensor, adjX: Bool, adjY: Bool) -> Reference {
    let xb = Array(x.shape.dropLast(2)), yb = Array(y.shape.dropLast(2))
    let rank = max(xb.count, yb.count)
    let px = Array(repeating: 1, count: rank - xb.count) + xb, py = Array(repeating: 1, count: rank - yb.count) + yb
    let batch = zip(px, py).map { max($0, $1) }
    let (xr, xc) = (x.shape[x.rank - 2], x.shape[x.rank - 1]), (yr, yc) = (y.shape[y.rank - 2], y.shape[y.rank - 1])
    let (m, k) = adjX ? (xc, xr) : (xr, xc), n = adjY ? yr : yc
    let xv = x.doubleValues, yv = y.doubleValues
    var out: [Double] = []
    for flat in 0..<batch.reduce(1, *) {
        var index = [Int](repeating: 0, count: rank), rest = flat
        for d in stride(from: rank - 1, through: 0, by: -1) { index[d] = rest % batch[d]; rest /= batch[d] }
        var xm = 0, ym = 0
        for d in 0..<rank {
            xm = xm * px[d] + (px[d] == 1 ? 0 : index[d])
            ym = ym * py[d] + (py[d] == 1 ? 0 : index[d])
        }
        for i in 0..<m {
            for j in 0..<n {
                var s = 0.0
                for l in 0..<k {
                    let a = xv[xm * xr * xc + (adjX ? l * xc + i : i * xc + l)]
                    let b = yv[ym * yr * yc + (adjY ? j * yc + l : l * yc + j)]
                    s += a * b
                }
                out.append(s)
            }
        }
    }
    return (batch + [m, n], out)
}
