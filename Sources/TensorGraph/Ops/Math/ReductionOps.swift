/// Shared machinery for Sum, Mean, Max, Min and Prod: `(input, reduction_indices)` with `keep_dims`.
public protocol ReductionOp: Op {
    static var kind: ReductionKind { get }
}

extension ReductionOp {
    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] {
        try ctx.checkInputCount(2)
        let dtype = ctx.inputs[0].dtype
        guard dtype.isFloatingPoint || dtype == .int32 || dtype == .int64 else { throw ctx.error("unsupported dtype \(dtype)") }
        guard ctx.inputs[1].dtype == .int32 || ctx.inputs[1].dtype == .int64 else {
            throw ctx.error("reduction_indices must be int32 or int64, got \(ctx.inputs[1].dtype)")
        }
        let keepDims = ctx.bool("keep_dims", default: false)
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

    public static func compute(_ ctx: KernelContext) throws {
        let x = ctx.input(0)
        let (axes, shape) = try ctx.derived(valuesOf: 0b10) { () throws -> ([Int], [Int]) in
            guard let raw = integerValues(ctx.input(1)) else { throw ctx.error("reduction_indices must be integers") }
            var axes: [Int] = []
            for a in raw {
                guard let axis = normalizedAxis(a, rank: x.rank) else { throw ctx.error("axis \(a) out of range for shape \(x.shape)") }
                if !axes.contains(axis) { axes.append(axis) }
            }
            axes.sort()
            return (axes, reducedShape(x.shape, axes: axes, keepDims: ctx.node.attrs["keep_dims"] == .bool(true)))
        }
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
        if boolAttr("keep_dims") { return t }
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
    func reduction(_ op: any ReductionOp.Type, _ x: Output, axes: [Int]?, keepDims: Bool, name: String?,
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
                               attrs: ["T": .type(x.dtype), "Tidx": .type(.int32), "keep_dims": .bool(keepDims)],
                               controlInputs: [], location: location)
        return Output(graph: self, node: node, index: 0)
    }
}
