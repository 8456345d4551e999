/// Tensor contraction by Einstein summation (TF's `Einsum`, `tf.einsum`; Keras' `MultiHeadAttention` and
/// `EinsumDense` emit it).
///
/// `equation` names each input's dimensions with letters and `...` for broadcast dimensions, then the
/// output's after `->` (`"abc,cde->abde"`, `"...ij,...jk->...ik"`, `"ii->i"`). One or two inputs, as in
/// TensorFlow's kernel. A label in both inputs and the output is a batch dimension; in both inputs only, a
/// contraction (summed product); in one input only and not in the output, summed out; repeated within an
/// input, a diagonal; repeated in the output, placed on a diagonal of zeros (how the gradient of a trace
/// is written). Named dimensions must agree exactly; the dimensions under `...` broadcast numpy-style
/// and must appear in the output. float32 or float64.
///
/// The kernel reduces the equation to one strided copy per input (diagonals, transposes and sums at
/// once), a batched matrix product [B, X, K] · [B, K, Y] → [B, X, Y], and a strided copy to the output;
/// when the operands' layouts allow, the products read and write the tensors in place
/// (`EinsumStridedProduct`).
/// Gradient (TF's `_EinsumGrad`): for z = einsum("x,y->z"), dx = einsum("z,y->x'") with x' the labels
/// of x the others have, then broadcast over x's labels of nowhere else; broadcast dimensions are summed
/// back to each input's shape.
public enum Einsum: FloatKernelOp {
    public static let wireName = "Einsum"
    public static let inputs: [ArgDef] = ["inputs: N * T"]
    public static let outputs: [ArgDef] = ["output: T"]

    /// The attributes of `Einsum`, with TensorFlow's names.
    public struct Attrs: OpAttributes {
        /// TF attribute `equation`: the subscripts, e.g. `"bij,bjk->bik"`.
        public var equation = ""
        /// TF attribute `N`: the number of inputs (1 or 2 for TF's kernel).
        public var N = 1
        /// TF attribute `T`: the element type (float or double here).
        public var T: DType = .float
        public static let defaults = Attrs()
        public static let fields: [AttrField<Attrs>] = [
            .string("equation", \.equation, required: true), .int("N", \.N, required: true), .type("T", \.T, oneOf: .floats),
        ]
        public func validate() throws(AttributeError) {
            guard N >= 1 else { throw AttributeError("N", "must be at least 1, got \(N)") }
        }
    }

    static func labels(_ equation: String, _ shapes: [[Int?]], fail: (String) -> TensorGraphError) throws -> EinsumLabels {
        switch EinsumEquation.parse(equation, inputCount: shapes.count) {
        case .failure(let e): throw fail(e.message)
        case .success(let parsed):
            do { return try EinsumLabels(parsed, shapes: shapes) } catch { throw fail(error.message) }
        }
    }

    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] {
        let attrs = ctx.attributes(Einsum.self)
        let parsed: EinsumEquation
        switch EinsumEquation.parse(attrs.equation, inputCount: ctx.inputs.count) {
        case .failure(let e): throw ctx.error(e.message)
        case .success(let p): parsed = p
        }
        let dims = ctx.inputs.compactMap(\.shape.dims)
        guard dims.count == ctx.inputs.count else {
            // An input of unknown rank: only an output without '...' has a known rank.
            return [TensorSpec(attrs.T, parsed.output.hasEllipsis ? .unknown : TensorShape([Int?](repeating: nil, count: parsed.output.before.count)))]
        }
        return [TensorSpec(attrs.T, TensorShape(try labels(attrs.equation, dims, fail: ctx.error).outputShape))]
    }

    /// What a call's shapes determine: how each input is copied, the product's sizes, and the output copy.
    struct Plan {
        /// Per input: the copy's dimensions and source strides (kept labels, then the summed ones) and how
        /// many trailing elements each kept element sums.
        var copies: [(dims: [Int], strides: [Int], kept: Int, summed: Int)] = []
        /// The batched product's sizes (binary equations).
        var batch = 1, rows = 1, inner = 1, columns = 1
        /// The result's labels and sizes before the output copy.
        var resultLabels: [Int] = [], resultDims: [Int] = []
        var outputDims: [Int] = []
        /// Output strides of each result label (summed over its repeats in the output).
        var outputStrides: [Int] = []
        /// The result is already the output's layout (no repeated output labels, same order).
        var direct = false
        /// The binary product as strided GEMMs on the operands themselves, when the layouts allow it.
        var strided: EinsumStridedProduct?
    }

    static func plan(_ shapes: [[Int]], equation: String, fail: (String) -> TensorGraphError) throws -> Plan {
        let resolved = try labels(equation, shapes.map { $0.map(Optional.some) }, fail: fail)
        let size = { (label: Int) in (resolved.sizes[label] ?? nil) ?? 1 }
        let output = Set(resolved.outputLabels)
        // Each operand's distinct labels, dropping a broadcast dimension of 1 that stretches elsewhere.
        var present: [[Int]] = []
        for (labels, shape) in zip(resolved.operandLabels, shapes) {
            var unique: [Int] = []
            for (label, dim) in zip(labels, shape) where !unique.contains(label) && !(label < 0 && dim == 1 && size(label) != 1) {
                unique.append(label)
            }
            present.append(unique)
        }
        func summedOut(_ k: Int) -> [Int] {
            present[k].filter { label in !output.contains(label) && !present.indices.contains { $0 != k && present[$0].contains(label) } }
        }
        var plan = Plan()
        var layouts: [[Int]]
        if present.count == 1 {
            layouts = [present[0].filter(output.contains)]
            plan.resultLabels = layouts[0]
        } else {
            let x = present[0].filter { !summedOut(0).contains($0) }, y = present[1].filter { !summedOut(1).contains($0) }
            let batch = x.filter { y.contains($0) && output.contains($0) }, inner = x.filter { y.contains($0) && !output.contains($0) }
            let rows = x.filter { !y.contains($0) }, columns = y.filter { !x.contains($0) }
            layouts = [batch + rows + inner, batch + inner + columns]
            (plan.batch, plan.rows, plan.inner, plan.columns) = (batch.map(size).reduce(1, *), rows.map(size).reduce(1, *),
                                                                 inner.map(size).reduce(1, *), columns.map(size).reduce(1, *))
            plan.resultLabels = batch + rows + columns
            let outStrides = einsumStrides(resolved.outputLabels.map(size))
            func stride(_ labels: [Int], _ strides: [Int], _ label: Int) -> Int {
                zip(labels, strides).filter { $0.0 == label }.map(\.1).reduce(0, +)
            }
            if summedOut(0).allSatisfy({ size($0) == 1 }) && summedOut(1).allSatisfy({ size($0) == 1 })
                && Set(resolved.outputLabels).count == resolved.outputLabels.count {
                let xStrides = einsumStrides(shapes[0]), yStrides = einsumStrides(shapes[1])
                plan.strided = EinsumStridedProduct(
                    batch: batch, rows: rows, inner: inner, columns: columns, size: size,
                    xStride: { stride(resolved.operandLabels[0], xStrides, $0) }, yStride: { stride(resolved.operandLabels[1], yStrides, $0) },
                    outStride: { stride(resolved.outputLabels, outStrides, $0) })
            }
        }
        for (k, layout) in layouts.enumerated() {
            let summed = summedOut(k), strides = einsumStrides(shapes[k])
            let sourceStride = { (label: Int) in
                zip(resolved.operandLabels[k], strides).filter { $0.0 == label }.map(\.1).reduce(0, +)
            }
            let order = layout + summed
            plan.copies.append((order.map(size), order.map(sourceStride), layout.map(size).reduce(1, *), summed.map(size).reduce(1, *)))
        }
        plan.resultDims = plan.resultLabels.map(size)
        plan.outputDims = resolved.outputLabels.map(size)
        let outStrides = einsumStrides(plan.outputDims)
        plan.outputStrides = plan.resultLabels.map { label in
            zip(resolved.outputLabels, outStrides).filter { $0.0 == label }.map(\.1).reduce(0, +)
        }
        plan.direct = plan.resultLabels == resolved.outputLabels
        return plan
    }

    public static func compute<T: FloatScalar>(_ ctx: KernelContext, as _: T.Type) throws {
        let attrs = ctx.attributes(Einsum.self)
        let operands = (0..<ctx.inputCount).map { ctx.input($0) }
        for (k, t) in operands.enumerated() where t.dtype != operands[0].dtype {
            throw ctx.error("input \(k) is \(t.dtype), input 0 is \(operands[0].dtype)")
        }
        let plan = try ctx.derived { try Self.plan(operands.map(\.shape), equation: attrs.equation, fail: ctx.error) }
        let out = try ctx.allocateOutput(0, operands[0].dtype, plan.outputDims)
        if let product = plan.strided {
            return product.run(operands[0].pointer(T.self), operands[1].pointer(T.self), out.pointer(T.self))
        }
        // Each operand copied to its layout, trailing summed labels reduced.
        var buffers: [[T]] = []
        for (t, copy) in zip(operands, plan.copies) {
            let src = t.pointer(T.self)
            var buffer = [T](repeating: 0, count: copy.kept)   // an empty sum is 0
            if copy.summed == 1 {
                buffer.withUnsafeMutableBufferPointer { dst in einsumForEach(copy.dims, copy.strides) { i, o in dst[i] = src[o] } }
            } else if copy.summed > 1 {
                buffer.withUnsafeMutableBufferPointer { dst in
                    einsumForEach(copy.dims, copy.strides) { i, o in dst[i / copy.summed] += src[o] }
                }
            }
            buffers.append(buffer)
        }
        let count = plan.resultDims.reduce(1, *)
        var result = buffers[0]
        if plan.copies.count == 2 {
            result = [T](repeating: 0, count: count)
            let (m, k, n) = (plan.rows, plan.inner, plan.columns)
            buffers[0].withUnsafeBufferPointer { a in
                buffers[1].withUnsafeBufferPointer { b in
                    result.withUnsafeMutableBufferPointer { c in
                        guard let a = a.baseAddress, let b = b.baseAddress, let c = c.baseAddress, m > 0, n > 0 else { return }
                        for i in 0..<plan.batch {
                            gemm(T.self, transposeA: false, transposeB: false, m: m, n: n, k: k,
                                 a: a + i * m * k, b: b + i * k * n, c: c + i * m * n)
                        }
                    }
                }
            }
        }
        let dst = out.pointer(T.self)
        if plan.direct {
            result.withUnsafeBufferPointer { r in for i in 0..<count { dst[i] = r[i] } }
        } else {
            dst.update(repeating: 0, count: out.count)
            result.withUnsafeBufferPointer { r in
                // The output copy runs over the result's index space, scattering by the output strides.
                einsumForEach(plan.resultDims, plan.outputStrides) { i, o in dst[o] = r[i] }
            }
        }
    }
}

extension Graph {
    /// Einstein summation (TF's `Einsum`, `tf.einsum` with an explicit `->`): one or two float tensors
    /// contracted as `equation` says, e.g. `einsum("bij,bjk->bik", x, y)` for a batched product or
    /// `einsum("...ij->...ji", x)` for a transpose of the last two dimensions.
    public func einsum(_ equation: String, _ inputs: Output..., name: String? = nil,
                       file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try einsum(equation, inputs, name: name, file: file, line: line)
    }

    /// Einstein summation over an array of inputs (TF's `Einsum`); see `einsum(_:_:name:)`.
    public func einsum(_ equation: String, _ inputs: [Output], name: String? = nil,
                       file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        guard let first = inputs.first else { throw TensorGraphError.invalidArgument("einsum needs at least one input") }
        return try addOutput(Einsum.self, name: name, inputs, Einsum.Attrs(equation: equation, N: inputs.count, T: first.dtype),
                             file: file, line: line)
    }
}
