/// Elements of `t` where `condition` is true and of `e` elsewhere (TF's `Select`, TF1's `tf.where(c, x, y)`).
///
/// Shapes: `t` and `e` have the same shape, which the output has; `condition` (bool) is either that shape
/// too (elementwise), a scalar (all of `t` or all of `e`), or, when `t` has rank ≥ 1, a vector over
/// `t`'s first dimension (whole rows). Any element type.
/// Gradient (TF's `_SelectGrad`): none for `condition`; `Select(c, g, 0)` for `t`, `Select(c, 0, g)` for `e`.
public enum Select: Op {
    public static let wireName = "Select"
    public static let inputs: [ArgDef] = ["condition: bool", "t: T", "e: T"]
    public static let outputs: [ArgDef] = ["output: T"]
    /// `T`: any element type.
    public typealias Attrs = TypeAttributes<AnyTypes>
    /// True: output element k reads element k of each input of the output's shape before writing it.
    public static var writesElementwise: Bool { true }

    /// TF's shape function for `Select` (as in TF 2.x, which also accepts a scalar condition).
    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] {
        let t = ctx.inputs[1], e = ctx.inputs[2], cond = ctx.inputs[0].shape
        guard t.shape.isCompatible(with: e.shape) else { throw ctx.error("t \(t.shape) and e \(e.shape) must have the same shape") }
        let data = t.shape.merged(with: e.shape)
        guard let condRank = cond.rank, let dataDims = data.dims, condRank != 0 else { return [TensorSpec(t.dtype, data)] }
        if condRank == 1 && !dataDims.isEmpty {
            guard cond.isCompatible(with: TensorShape([dataDims[0]])) else {
                throw ctx.error("a vector condition \(cond) must match the first dimension of t \(data)")
            }
            return [TensorSpec(t.dtype, data)]
        }
        guard cond.isCompatible(with: data) else {
            throw ctx.error("condition \(cond) must be a scalar, have t's shape \(data), or be a vector over its first dimension")
        }
        return [TensorSpec(t.dtype, data.merged(with: cond))]
    }

    public static func compute(_ ctx: KernelContext) throws {
        let cond = ctx.input(0), t = ctx.input(1), e = ctx.input(2)
        guard t.shape == e.shape else { throw ctx.error("'then' and 'else' must have the same size, but received: \(t.shape) vs. \(e.shape)") }
        let rowLength: Int
        if cond.rank == 0 {
            rowLength = t.count
        } else if cond.rank == 1 && t.rank > 1 {
            guard cond.count == t.shape[0] else {
                throw ctx.error("Number of batches of 'then' must match size of 'cond', but saw: \(t.shape[0]) vs. \(cond.count)")
            }
            rowLength = t.count / Swift.max(cond.count, 1)
        } else {
            guard cond.shape == t.shape else { throw ctx.error("condition \(cond.shape) and t \(t.shape) must have the same shape") }
            rowLength = 1
        }
        let out = try ctx.allocateOutput(0, t.dtype, t.shape)
        func run<E>(_: E.Type) {
            let c = cond.pointer(Bool.self), tp = t.pointer(E.self), ep = e.pointer(E.self), dst = out.pointer(E.self)
            if cond.rank == 0 {
                let src = c[0] ? tp : ep
                if src != dst { dst.update(from: src, count: t.count) }
                return
            }
            for row in 0..<cond.count {
                let offset = row * rowLength
                let src = c[row] ? tp : ep
                for i in offset..<(offset + rowLength) { dst[i] = src[i] }
            }
        }
        switch t.dtype {
        case .float: run(Float.self)
        case .double: run(Double.self)
        case .int32: run(Int32.self)
        case .int64: run(Int64.self)
        case .uint8: run(UInt8.self)
        case .bool: run(Bool.self)
        }
    }

    public static func gradient(_ ctx: GradientContext) throws -> [Output?] {
        let g = ctx.graph, cond = ctx.input(0), grad = try ctx.grad()
        let zeros = try g.zerosLike(ctx.input(1))
        return [nil, try g.select(cond, grad, zeros), try g.select(cond, zeros, grad)]
    }
}

/// Elements of `t` where `condition` is true and of `e` elsewhere, all three broadcast numpy-style
/// (TF's `SelectV2`, TF2's `tf.where(c, x, y)`).
///
/// Shapes: broadcast(condition, broadcast(t, e)). Any element type.
/// Gradient (TF's `_SelectGradV2`): none for `condition`; `SelectV2(c, g, 0)` for `t` and `SelectV2(c, 0, g)`
/// for `e`, each summed back to its input's shape.
public enum SelectV2: Op {
    public static let wireName = "SelectV2"
    public static let inputs: [ArgDef] = ["condition: bool", "t: T", "e: T"]
    public static let outputs: [ArgDef] = ["output: T"]
    /// `T`: any element type.
    public typealias Attrs = TypeAttributes<AnyTypes>
    /// True: the gradient driver sums each input's gradient back to that input's shape.
    public static var broadcastsInputs: Bool { true }
    /// True: output element k reads element k of each input of the output's shape before writing it.
    public static var writesElementwise: Bool { true }

    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] {
        let cond = ctx.inputs[0].shape, t = ctx.inputs[1], e = ctx.inputs[2]
        guard let data = TensorShape.broadcast(t.shape, e.shape), let shape = TensorShape.broadcast(cond, data) else {
            throw ctx.error("condition \(cond), t \(t.shape) and e \(e.shape) are not broadcast-compatible")
        }
        return [TensorSpec(t.dtype, shape)]
    }

    public static func compute(_ ctx: KernelContext) throws {
        let cond = ctx.input(0), t = ctx.input(1), e = ctx.input(2)
        let shape = try ctx.derived { () throws -> [Int] in
            guard let data = broadcastShapes(t.shape, e.shape), let shape = broadcastShapes(cond.shape, data) else {
                throw ctx.error("condition \(cond.shape), t \(t.shape) and e \(e.shape) are not broadcast-compatible")
            }
            return shape
        }
        let out = try ctx.allocateOutput(0, t.dtype, shape)
        switch t.dtype {
        case .float: selectBroadcast(cond, t, e, out, Float.self)
        case .double: selectBroadcast(cond, t, e, out, Double.self)
        case .int32: selectBroadcast(cond, t, e, out, Int32.self)
        case .int64: selectBroadcast(cond, t, e, out, Int64.self)
        case .uint8: selectBroadcast(cond, t, e, out, UInt8.self)
        case .bool: selectBroadcast(cond, t, e, out, Bool.self)
        }
    }

    public static func gradient(_ ctx: GradientContext) throws -> [Output?] {
        let g = ctx.graph, cond = ctx.input(0), grad = try ctx.grad()
        let zero = try g.constant(0.0, like: grad)
        return [nil, try g.selectV2(cond, grad, zero), try g.selectV2(cond, zero, grad)]
    }
}

/// `out = condition ? t : e` with all three broadcast to `out`'s shape (SelectV2's kernel).
private func selectBroadcast<E>(_ cond: Tensor, _ t: Tensor, _ e: Tensor, _ out: Tensor, _: E.Type) {
    let c = cond.pointer(Bool.self), tp = t.pointer(E.self), ep = e.pointer(E.self), dst = out.pointer(E.self)
    let n = out.count, rank = out.rank, outShape = out.shape
    if cond.shape == outShape && t.shape == outShape && e.shape == outShape {
        for i in 0..<n { dst[i] = c[i] ? tp[i] : ep[i] }
        return
    }
    if rank == 0 || n == 0 {
        if n == 1 { dst[0] = c[0] ? tp[0] : ep[0] }
        return
    }
    // Strides (0 along broadcast dimensions) and the odometer live on the stack: steady-state runs must not allocate.
    withUnsafeTemporaryAllocation(of: Int.self, capacity: 4 * rank) { buffer in
        let sc = UnsafeMutableBufferPointer(rebasing: buffer[0..<rank])
        let st = UnsafeMutableBufferPointer(rebasing: buffer[rank..<2 * rank])
        let se = UnsafeMutableBufferPointer(rebasing: buffer[2 * rank..<3 * rank])
        let index = UnsafeMutableBufferPointer(rebasing: buffer[3 * rank..<4 * rank])
        broadcastStrides(cond.shape, outShape: outShape, into: sc)
        broadcastStrides(t.shape, outShape: outShape, into: st)
        broadcastStrides(e.shape, outShape: outShape, into: se)
        for d in 0..<rank { index[d] = 0 }
        var oc = 0, ot = 0, oe = 0
        for i in 0..<n {
            dst[i] = c[oc] ? tp[ot] : ep[oe]
            var d = rank - 1
            while d >= 0 {
                index[d] += 1
                oc += sc[d]; ot += st[d]; oe += se[d]
                if index[d] < outShape[d] { break }
                oc -= sc[d] * outShape[d]; ot -= st[d] * outShape[d]; oe -= se[d] * outShape[d]
                index[d] = 0
                d -= 1
            }
        }
    }
}

extension Graph {
    /// TF1's `tf.where(condition, t, e)` (TF's `Select`): elements of `t` where `condition` holds, else of `e`.
    /// `t` and `e` must share dtype and shape; `condition` is bool with their shape, a scalar, or a vector over
    /// their first dimension (choosing whole rows), or building throws.
    public func select(_ condition: Output, _ t: Output, _ e: Output, name: String? = nil,
                       file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try addOutput(Select.self, name: name, [condition, t, e], attrs: [:], file: file, line: line)
    }
    /// TF2's `tf.where(condition, t, e)` (TF's `SelectV2`): like `select`, with `condition`, `t` and `e` broadcast
    /// numpy-style to one shape; they must broadcast and `t`, `e` share a dtype, or building throws.
    public func selectV2(_ condition: Output, _ t: Output, _ e: Output, name: String? = nil,
                         file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try addOutput(SelectV2.self, name: name, [condition, t, e], attrs: [:], file: file, line: line)
    }
}
