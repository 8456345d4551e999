/// Shared machinery for Sum, Mean, Max, Min and Prod: `(input, reduction_indices)` with `keep_dims`.
public protocol ReductionOp: Op where Attrs == ReductionAttributes {
    static var kind: ReductionKind { get }
}

/// The attributes TF declares for every reduction (`keep_dims`, `T`, `Tidx`). `T` is limited to the
/// types the kernels take (TF's Max/Min also allow quantized types, Sum/Mean/Prod complex ones).
public struct ReductionAttributes: OpAttributes {
    /// TF attribute `keep_dims`: keep each reduced axis as a dimension of size 1 instead of dropping it.
    public var keepDims = false
    /// TF attribute `T`: the element type (float, double, int32 or int64 here).
    public var T: DType = .float
    /// TF attribute `Tidx`: the dtype of `reduction_indices` (int32 or int64; default int32).
    public var Tidx: DType = .int32
    public static let defaults = ReductionAttributes()
    public static let fields: [AttrField<ReductionAttributes>] = [
        .bool("keep_dims", \.keepDims), .type("T", \.T, oneOf: .numeric), .type("Tidx", \.Tidx, oneOf: .indices, required: false),
    ]
}

extension ReductionOp {
    public static var inputs: [ArgDef] { ["input: T", "reduction_indices: Tidx"] }
    public static var outputs: [ArgDef] { ["output: T"] }

    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] {
        let attrs = ctx.attributes(Self.self)
        return try inferReduction(ctx, dtype: attrs.T, keepDims: attrs.keepDims)
    }

    public static func compute(_ ctx: KernelContext) throws {
        let x = ctx.input(0)
        let (axes, shape) = try reductionGeometry(ctx, keepDims: ctx.attributes(Self.self).keepDims)
        let out = try ctx.allocateOutput(0, x.dtype, shape)
        switch x.dtype {
        case .float: reduce(kind, x.pointer(Float.self), shape: x.shape, axes: axes, into: out.pointer(Float.self))
        case .double: reduce(kind, x.pointer(Double.self), shape: x.shape, axes: axes, into: out.pointer(Double.self))
        case .int32: reduceInteger(kind, x.pointer(Int32.self), shape: x.shape, axes: axes, into: out.pointer(Int32.self))
        case .int64: reduceInteger(kind, x.pointer(Int64.self), shape: x.shape, axes: axes, into: out.pointer(Int64.self))
        default: throw ctx.error("no kernel for dtype \(x.dtype)")
        }
    }
}

/// TF's `ReductionShape`: input 0 without (or, with `keepDims`, with 1 at) the axes input 1 holds when
/// those are known while building. Shared by the `ReductionOp`s and by `All`/`Any`.
func inferReduction(_ ctx: InferenceContext, dtype: DType, keepDims: Bool) throws -> [TensorSpec] {
    guard let dims = ctx.inputs[0].shape.dims else { return [TensorSpec(dtype, .unknown)] }
    guard let rawAxes = ctx.constantInts(1) else {
        return [TensorSpec(dtype, keepDims ? TensorShape(Array(repeating: nil, count: dims.count)) : .unknown)]
    }
    var axes: [Int] = []
    for a in rawAxes {
        guard let axis = normalizedAxis(a, rank: dims.count) else {
            throw ctx.error("axis \(a) is out of range for input of shape \(ctx.inputs[0].shape)")
        }
        axes.append(axis)
    }
    var out: [Int?] = []
    for (i, d) in dims.enumerated() {
        if axes.contains(i) { if keepDims { out.append(1) } } else { out.append(d) }
    }
    return [TensorSpec(dtype, TensorShape(out))]
}

/// The sorted, unique axes of input 1 and the output shape of a reduction kernel call (cached while the
/// input shapes and axes stay the same). Shared by the `ReductionOp`s and by `All`/`Any`.
func reductionGeometry(_ ctx: KernelContext, keepDims: Bool) throws -> (axes: [Int], shape: [Int]) {
    let x = ctx.input(0)
    return try ctx.derived(valuesOf: 0b10) { () throws -> ([Int], [Int]) in
        guard let raw = integerValues(ctx.input(1)) else { throw ctx.error("reduction_indices must be integers") }
        var axes: [Int] = []
        for a in raw {
            guard let axis = normalizedAxis(a, rank: x.rank) else { throw ctx.error("axis \(a) out of range for shape \(x.shape)") }
            if !axes.contains(axis) { axes.append(axis) }
        }
        axes.sort()
        return (axes, reducedShape(x.shape, axes: axes, keepDims: keepDims))
    }
}

extension GradientContext {
    /// The reduction axes of a Sum/Mean/Max/Min node, normalized, when known while building.
    func reductionAxes() throws -> [Int] {
        guard let raw = graph.constantValue(of: node.inputs[1]).flatMap(integerValues), let rank = input(0).shape.rank else {
            throw TensorGraphError.invalidArgument("[\(node.opName)] gradient needs constant axes and an input of known rank (node '\(node.name)')")
        }
        return raw.compactMap { normalizedAxis($0, rank: rank) }.sorted()
    }

    /// `t` (shaped like the reduction's output) reshaped to the input's rank with 1s at reduced axes.
    func keptDims(_ t: Output) throws -> Output {
        if let op = node.op as? any ReductionOp.Type, attributes(op).keepDims { return t }
        let axes = try reductionAxes()
        let dims = input(0).shape.dims!
        var kept: [Int?] = []
        for (i, d) in dims.enumerated() { kept.append(axes.contains(i) ? 1 : d) }
        if kept.filter({ $0 == nil }).count <= 1 {
            return try graph.reshape(t, to: kept.map { $0 ?? -1 })
        }
        var result = t
        for axis in axes { result = try graph.expandDims(result, axis: axis) }
        return result
    }
}

extension Graph {
    func reduction<R: ReductionOp>(_ op: R.Type, _ x: Output, axes: [Int]?, keepDims: Bool, name: String?,
                   file: StaticString, line: UInt) throws -> Output {
        try reductionNode(op, x, axes: axes, attrs: R.builderAttributes(ReductionAttributes(keepDims: keepDims)),
                          name: name, file: file, line: line)
    }

    /// A reduction node of `op` over constant `axes` (all axes when nil), its `reduction_indices` a
    /// `Const` named `<node>/reduction_indices` as TF's Python writes it.
    func reductionNode(_ op: any Op.Type, _ x: Output, axes: [Int]?, attrs: Attributes, name: String?,
                       file: StaticString, line: UInt) throws -> Output {
        let allAxes: [Int]
        if let axes {
            allAxes = axes
        } else {
            guard let rank = x.shape.rank else {
                throw TensorGraphError.invalidGraph(op: op.wireName, node: name ?? op.wireName,
                                                    message: "reducing over all axes needs an input of known rank, got \(x.shape)",
                                                    location: SourceLocation(file: file, line: line))
            }
            allAxes = Array(0..<rank)
        }
        let nodeName = uniqueName(name ?? op.wireName)
        let location = SourceLocation(file: file, line: line)
        let indices = try addNode(Const.self, exactName: nodeName + "/reduction_indices", inputs: [],
                                  attrs: Const.attributes(Tensor(allAxes.map(Int32.init))), controlInputs: [], location: location)
        let node = try addNode(op, exactName: nodeName, inputs: [x.endpoint, Endpoint(node: indices.id, index: 0)],
                               attrs: attrs, controlInputs: [], location: location)
        return Output(graph: self, node: node, index: 0)
    }
}
