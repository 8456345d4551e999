/// Splits a tensor into `num_split` equal pieces along `split_dim` (TF's `Split`, `tf.split(x, n, axis)`):
/// `value` [..., d, ...] → `num_split` outputs [..., d / num_split, ...]. Any dtype; d must divide evenly.
///
/// Gradient (as TF's `_SplitGrad`): the output gradients joined along `split_dim`, zeros standing in
/// for outputs that receive none; none for `split_dim`.
public enum Split: Op {
    public static let wireName = "Split"
    public static let inputs: [ArgDef] = ["split_dim: int32", "value: T"]
    public static let outputs: [ArgDef] = ["output: num_split * T"]
    /// The attributes of `Split`, with TensorFlow's names and defaults.
    public struct Attrs: OpAttributes {
        /// TF attribute `num_split`: the number of outputs (at least 1; required).
        public var numSplit = 1
        /// TF attribute `T`: the element type of the value and the outputs (any).
        public var T: DType = .float
        public static let defaults = Attrs()
        public static let fields: [AttrField<Attrs>] = [.int("num_split", \.numSplit, required: true), .type("T", \.T)]

        public func validate() throws(AttributeError) {
            guard numSplit >= 1 else { throw AttributeError("num_split", "must be at least 1, got \(numSplit)") }
        }
    }

    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] {
        let n = ctx.attributes(Split.self).numSplit, value = ctx.inputs[1]
        if let r = ctx.inputs[0].shape.rank, r != 0 { throw ctx.error("split_dim must be a scalar, got shape \(ctx.inputs[0].shape)") }
        guard var dims = value.shape.dims else { return Array(repeating: TensorSpec(value.dtype, .unknown), count: n) }
        guard let raw = ctx.constantInts(0)?.first else {
            return Array(repeating: TensorSpec(value.dtype, TensorShape(Array(repeating: nil, count: dims.count))), count: n)
        }
        guard let axis = normalizedAxis(raw, rank: dims.count) else { throw ctx.error("split_dim \(raw) is out of range for \(value.shape)") }
        if let d = dims[axis] {
            guard d % n == 0 else { throw ctx.error("\(n) pieces do not evenly divide dimension \(axis) (size \(d)) of \(value.shape)") }
            dims[axis] = d / n
        }
        return Array(repeating: TensorSpec(value.dtype, TensorShape(dims)), count: n)
    }

    public static func compute(_ ctx: KernelContext) throws {
        let x = ctx.input(1), n = ctx.attributes(Split.self).numSplit
        guard let raw = integerValues(ctx.input(0))?.first, let axis = normalizedAxis(raw, rank: x.rank) else {
            throw ctx.error("split_dim is out of range for a value of shape \(x.shape)")
        }
        guard x.shape[axis] % n == 0 else { throw ctx.error("\(n) pieces do not evenly divide dimension \(axis) of \(x.shape)") }
        try splitKernel(ctx, x, axis: axis, sizes: Array(repeating: x.shape[axis] / n, count: n))
    }

    public static func gradient(_ ctx: GradientContext) throws -> [Output?] {
        [nil, try concatGradients(ctx, axis: ctx.input(0))]
    }
}

/// Splits a tensor into pieces of the given sizes along `split_dim` (TF's `SplitV`, `tf.split(x, sizes, axis)`):
/// at most one size may be −1 (whatever remains); the sizes must add up to the dimension.
///
/// Gradient (as TF's `_SplitVGrad`): the output gradients joined along `split_dim`, zeros for missing
/// ones; none for `size_splits` and `split_dim`.
public enum SplitV: Op {
    public static let wireName = "SplitV"
    public static let inputs: [ArgDef] = ["value: T", "size_splits: Tlen", "split_dim: int32"]
    public static let outputs: [ArgDef] = ["output: num_split * T"]
    /// The attributes of `SplitV`, with TensorFlow's names and defaults.
    public struct Attrs: OpAttributes {
        /// TF attribute `num_split`: the number of outputs, the length of `size_splits` (at least 1; required).
        public var numSplit = 1
        /// TF attribute `T`: the element type of the value and the outputs (any).
        public var T: DType = .float
        /// TF attribute `Tlen`: the dtype of `size_splits` (TF's default is int64; TF also allows int8).
        public var Tlen: DType = .int64
        public static let defaults = Attrs()
        public static let fields: [AttrField<Attrs>] = [
            .int("num_split", \.numSplit, required: true), .type("T", \.T), .type("Tlen", \.Tlen, oneOf: .indices, required: false),
        ]

        public func validate() throws(AttributeError) {
            guard numSplit >= 1 else { throw AttributeError("num_split", "must be at least 1, got \(numSplit)") }
        }
    }

    /// `sizes` with the −1 entry resolved against a dimension of `total` (unresolved when `total` is unknown);
    /// a failure saying why when they cannot fit.
    static func resolve(_ sizes: [Int], total: Int?) -> Result<[Int?], SizeError> {
        let unknown = sizes.indices.filter { sizes[$0] == -1 }
        guard unknown.count <= 1 else { return .failure(SizeError("at most one size may be -1, got \(sizes)")) }
        guard sizes.allSatisfy({ $0 >= -1 }) else { return .failure(SizeError("sizes must be non-negative or -1, got \(sizes)")) }
        guard let known = checkedSum(sizes.filter { $0 != -1 }) else { return .failure(SizeError("sizes \(sizes) overflow")) }
        guard let total else { return .success(sizes.map { $0 == -1 ? nil : $0 }) }
        if let i = unknown.first {
            guard known <= total else { return .failure(SizeError("sizes \(sizes) add up to more than the dimension (\(total))")) }
            var result = sizes
            result[i] = total - known
            return .success(result)
        }
        guard known == total else { return .failure(SizeError("sizes \(sizes) must add up to the dimension (\(total))")) }
        return .success(sizes)
    }

    /// Why a list of split sizes does not fit a dimension.
    struct SizeError: Error {
        let message: String
        init(_ message: String) { self.message = message }
    }

    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] {
        let n = ctx.attributes(SplitV.self).numSplit, value = ctx.inputs[0]
        if let r = ctx.inputs[2].shape.rank, r != 0 { throw ctx.error("split_dim must be a scalar, got shape \(ctx.inputs[2].shape)") }
        if let length = ctx.inputs[1].shape.dims?.first ?? nil, length != n {
            throw ctx.error("size_splits has \(length) entries for num_split \(n)")
        }
        guard let dims = value.shape.dims else { return Array(repeating: TensorSpec(value.dtype, .unknown), count: n) }
        guard let raw = ctx.constantInts(2)?.first, let sizes = ctx.constantInts(1) else {
            return Array(repeating: TensorSpec(value.dtype, TensorShape(Array(repeating: nil, count: dims.count))), count: n)
        }
        guard let axis = normalizedAxis(raw, rank: dims.count) else { throw ctx.error("split_dim \(raw) is out of range for \(value.shape)") }
        switch resolve(sizes, total: dims[axis]) {
        case .failure(let error): throw ctx.error(error.message)
        case .success(let resolved):
            return resolved.map { size in
                var piece = dims
                piece[axis] = size
                return TensorSpec(value.dtype, TensorShape(piece))
            }
        }
    }

    public static func compute(_ ctx: KernelContext) throws {
        let x = ctx.input(0), n = ctx.attributes(SplitV.self).numSplit
        guard let raw = integerValues(ctx.input(2))?.first, let axis = normalizedAxis(raw, rank: x.rank) else {
            throw ctx.error("split_dim is out of range for a value of shape \(x.shape)")
        }
        guard let requested = integerValues(ctx.input(1)), requested.count == n else { throw ctx.error("size_splits must have \(n) integers") }
        switch resolve(requested, total: x.shape[axis]) {
        case .failure(let error): throw ctx.error(error.message)
        case .success(let sizes): try splitKernel(ctx, x, axis: axis, sizes: sizes.map { $0 ?? 0 })
        }
    }

    public static func gradient(_ ctx: GradientContext) throws -> [Output?] {
        [try concatGradients(ctx, axis: ctx.input(2)), nil, nil]
    }
}

/// The sum of `values`, or nil on overflow (sizes read from a graph can be anything).
func checkedSum(_ values: [Int]) -> Int? {
    var total = 0
    for v in values {
        let (sum, overflow) = total.addingReportingOverflow(v)
        if overflow { return nil }
        total = sum
    }
    return total
}

/// Copies consecutive blocks of `sizes[i]` along `axis` of `x` into output i (Split, SplitV, Unpack).
/// `squeeze` drops the axis from the outputs (Unpack's pieces have size 1 along it).
func splitKernel(_ ctx: KernelContext, _ x: Tensor, axis: Int, sizes: [Int], squeeze: Bool = false) throws {
    let outer = x.shape[..<axis].reduce(1, *), inner = x.shape[(axis + 1)...].reduce(1, *) * x.dtype.byteCount
    let inputRow = x.shape[axis] * inner
    var offset = 0
    for (i, size) in sizes.enumerated() {
        var shape = x.shape
        if squeeze { shape.remove(at: axis) } else { shape[axis] = size }
        let out = try ctx.allocateOutput(i, x.dtype, shape)
        let block = size * inner
        if block > 0 {
            for o in 0..<outer {
                (out.storage.pointer + o * block).copyMemory(from: x.storage.pointer + o * inputRow + offset, byteCount: block)
            }
        }
        offset += block
    }
}

/// The gradient of a split: each output's gradient (zeros where none arrives), joined along `axis`.
private func concatGradients(_ ctx: GradientContext, axis: Output) throws -> Output {
    let grads = try ctx.node.outputs.indices.map { try ctx.grad($0) }
    if grads.count == 1 { return try ctx.graph.identity(grads[0]) }
    return try ctx.graph.addOutput(ConcatV2.self, grads + [axis], attrs: [:], file: #fileID, line: #line)
}

extension Graph {
    /// `x` cut into `numSplits` equal pieces along `axis` (TF's `tf.split(x, numSplits, axis)`).
    public func split(_ x: Output, numSplits: Int, axis: Int = 0, name: String? = nil,
                      file: StaticString = #fileID, line: UInt = #line) throws -> [Output] {
        let dim = try constant(Tensor(Int32(axis)), name: "split/split_dim", file: file, line: line)
        let node = try addNode(Split.self, name: name, inputs: [dim, x], attrs: Split.builderAttributes(Split.Attrs(numSplit: numSplits)),
                               location: SourceLocation(file: file, line: line))
        return node.outputs.indices.map { Output(graph: self, node: node, index: $0) }
    }

    /// `x` cut along `axis` into pieces of the given sizes, one of which may be −1 (TF's `tf.split(x, sizes, axis)`).
    public func split(_ x: Output, sizes: [Int], axis: Int = 0, name: String? = nil,
                      file: StaticString = #fileID, line: UInt = #line) throws -> [Output] {
        let s = try constant(Tensor(sizes.map(Int32.init)), name: "split/size_splits", file: file, line: line)
        let dim = try constant(Tensor(Int32(axis)), name: "split/split_dim", file: file, line: line)
        let node = try addNode(SplitV.self, name: name, inputs: [x, s, dim],
                               attrs: SplitV.builderAttributes(SplitV.Attrs(numSplit: sizes.count)), location: SourceLocation(file: file, line: line))
        return node.outputs.indices.map { Output(graph: self, node: node, index: $0) }
    }
}
