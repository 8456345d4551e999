/// The `k` largest entries of each row along the last dimension, and their positions (TF's `TopKV2`,
/// `tf.math.top_k`): `input` [..., n] and scalar `k` ≤ n → `values` [..., k] and `indices` [..., k].
///
/// Order: descending values; equal values keep their original order, the lower index first (checked
/// against TensorFlow 2.21: top-3 of [1, 3, 3, 2, 3] has indices [1, 2, 4]). NaN ranks above every number
/// here (TF's order for NaN depends on its comparator and is not specified). With `sorted` false TF leaves
/// the order unspecified; this kernel returns the sorted order then too.
///
/// Gradient (as TF's `_TopKGrad`): the values' gradient scattered into zeros of the input's shape at the
/// selected positions; none for `k` (and the indices carry none).
public enum TopKV2: Op {
    public static let wireName = "TopKV2"
    public static let inputs: [ArgDef] = ["input: T", "k: Tk"]
    public static let outputs: [ArgDef] = ["values: T", "indices: index_type"]
    /// The attributes of `TopKV2`, with TensorFlow's names and defaults.
    public struct Attrs: OpAttributes {
        /// TF attribute `sorted`: whether the k values come in descending order (TF's default true).
        public var sorted = true
        /// TF attribute `T`: the element type (real number types; TF also has half and small integers).
        public var T: DType = .float
        /// TF attribute `Tk`: the dtype of `k` (int32 or int64 here, TF also int16; default int32).
        public var Tk: DType = .int32
        /// TF attribute `index_type`: the dtype of `indices` (int32 or int64 here, TF also int16; default int32).
        public var indexType: DType = .int32
        public static let defaults = Attrs()
        public static let fields: [AttrField<Attrs>] = [
            .bool("sorted", \.sorted), .type("T", \.T, oneOf: .numeric + [.uint8]), .type("Tk", \.Tk, oneOf: .indices, required: false),
            .type("index_type", \.indexType, oneOf: .indices, required: false),
        ]
    }

    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] {
        let input = ctx.inputs[0], indexType = ctx.attributes(TopKV2.self).indexType
        if let r = ctx.inputs[1].shape.rank, r != 0 { throw ctx.error("k must be a scalar, got shape \(ctx.inputs[1].shape)") }
        let k = ctx.constantInts(1)?.first
        if let k, k < 0 { throw ctx.error("k must be non-negative, got \(k)") }
        guard var dims = input.shape.dims else { return [TensorSpec(input.dtype, .unknown), TensorSpec(indexType, .unknown)] }
        guard let last = dims.indices.last else { throw ctx.error("input must have rank >= 1, got shape \(input.shape)") }
        if let k, let n = dims[last], n < k { throw ctx.error("input \(input.shape) must have at least k = \(k) columns") }
        dims[last] = k
        return [TensorSpec(input.dtype, TensorShape(dims)), TensorSpec(indexType, TensorShape(dims))]
    }

    public static func compute(_ ctx: KernelContext) throws {
        let x = ctx.input(0)
        guard ctx.input(1).count == 1, let k = integerValues(ctx.input(1))?.first, k >= 0 else { throw ctx.error("k must be a non-negative scalar") }
        guard let n = x.shape.last else { throw ctx.error("input must have rank >= 1, got shape \(x.shape)") }
        guard n >= k else { throw ctx.error("input \(x.shape) must have at least k = \(k) columns") }
        guard n <= Int(Int32.max) else { throw ctx.error("rows of \(n) elements cannot be indexed by int32") }
        let shape = Array(x.shape.dropLast()) + [k]
        let values = try ctx.allocateOutput(0, x.dtype, shape)
        let indexType = ctx.attributes(TopKV2.self).indexType
        let indices = try ctx.allocateOutput(1, indexType, shape)
        guard k > 0 else { return }
        var order = UnsafeMutableBufferPointer(start: try ctx.scratch(Int32.self, count: n), count: n)
        func select<T: TensorScalar>(_: T.Type, above: (T, T) -> Bool) {
            let src = x.pointer(T.self), dst = values.pointer(T.self)
            for row in 0..<(x.count / n) {
                let v = src + row * n
                for i in 0..<n { order[i] = Int32(i) }
                // A strict total order: larger value first, then lower index; so the result is TF's whatever the sort.
                order.sort { (i: Int32, j: Int32) -> Bool in
                    let a = v[Int(i)], b = v[Int(j)]
                    if above(a, b) { return true }
                    return !above(b, a) && i < j
                }
                for j in 0..<k {
                    dst[row * k + j] = v[Int(order[j])]
                    if indexType == .int64 {
                        indices.pointer(Int64.self)[row * k + j] = Int64(order[j])
                    } else {
                        indices.pointer(Int32.self)[row * k + j] = order[j]
                    }
                }
            }
        }
        func floatAbove<T: BinaryFloatingPoint>(_ a: T, _ b: T) -> Bool { a.isNaN ? !b.isNaN : (!b.isNaN && a > b) }
        switch x.dtype {
        case .float: select(Float.self, above: floatAbove)
        case .double: select(Double.self, above: floatAbove)
        case .int32: select(Int32.self, above: >)
        case .int64: select(Int64.self, above: >)
        case .uint8: select(UInt8.self, above: >)
        case .bool: throw ctx.error("no kernel for dtype \(x.dtype)")
        }
    }

    public static func gradient(_ ctx: GradientContext) throws -> [Output?] {
        let graph = ctx.graph, x = ctx.input(0), g = try ctx.grad(0)
        guard let rank = x.shape.rank, rank >= 1 else {
            throw TensorGraphError.invalidArgument("[TopKV2] gradient needs an input of known rank (node '\(ctx.node.name)')")
        }
        if x.shape.dims?[rank - 1] == 0 { return [try graph.zerosLike(x), nil] }
        var indices = ctx.output(1)
        if indices.dtype != .int32 { indices = try graph.cast(indices, to: .int32) }
        // Row r's selected column c is element r·n + c of the flattened input.
        let n = try dimension(rank - 1, of: x, graph), k = try dimension(rank - 1, of: indices, graph)
        let total = try x.shape.elementCount.map { try graph.constant($0) } ?? graph.size(of: x)
        let rowStarts = try graph.reshape(graph.range(start: graph.constant(0), limit: total, delta: n), to: [-1, 1])
        let rows = try graph.reshape(indices, to: graph.stack([graph.constant(-1), k]))
        let flat = try graph.reshape(rows + rowStarts, to: [-1])
        let values = try graph.reshape(g, to: [-1])
        let scattered = try graph.addOutput(UnsortedSegmentSum.self, [values, flat, total], attrs: [:], file: #fileID, line: #line)
        return [try graph.reshape(scattered, to: graph.shape(of: x)), nil]
    }

    /// Dimension `d` of `x` as an int32 scalar: a constant when known while building.
    private static func dimension(_ d: Int, of x: Output, _ graph: Graph) throws -> Output {
        if let n = x.shape.dims?[d] ?? nil { return try graph.constant(n) }
        return try graph.reshape(graph.slice(graph.shape(of: x), begin: [d], size: [1]), to: [])
    }
}

extension Graph {
    /// The `k` largest entries along the last dimension of `x` and their int32 positions (TF's `tf.math.top_k`);
    /// ties keep the lower index first.
    public func topK(_ x: Output, k: Int, sorted: Bool = true, name: String? = nil,
                     file: StaticString = #fileID, line: UInt = #line) throws -> (values: Output, indices: Output) {
        try topK(x, k: constant(Tensor(Int32(k)), name: "TopKV2/k", file: file, line: line), sorted: sorted, name: name, file: file, line: line)
    }

    /// `topK` with `k` an int32 or int64 scalar computed in the graph.
    public func topK(_ x: Output, k: Output, sorted: Bool = true, name: String? = nil,
                     file: StaticString = #fileID, line: UInt = #line) throws -> (values: Output, indices: Output) {
        let node = try addNode(TopKV2.self, name: name, inputs: [x, k], attrs: TopKV2.builderAttributes(TopKV2.Attrs(sorted: sorted)),
                               location: SourceLocation(file: file, line: line))
        return (Output(graph: self, node: node, index: 0), Output(graph: self, node: node, index: 1))
    }
}
