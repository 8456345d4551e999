/// Sum of N tensors of identical shape (how gradient fan-in is summed).
///
/// Gradient: g for every input.
public enum AddN: Op {
    public static let wireName = "AddN"
    public static let inputs: [ArgDef] = ["inputs: N * T"]
    public static let outputs: [ArgDef] = ["sum: T"]
    /// `T` is limited to the kernel's types (TF also allows the other number types and variant).
    public struct Attrs: OpAttributes {
        /// TF attribute `N`: the number of inputs summed (at least 1).
        public var N = 1
        /// TF attribute `T`: the element type (float, double, int32 or int64 here).
        public var T: DType = .float
        public static let defaults = Attrs()
        public static let fields: [AttrField<Attrs>] = [.int("N", \.N, required: true), .type("T", \.T, oneOf: .numeric)]
        public func validate() throws(AttributeError) {
            guard N >= 1 else { throw AttributeError("N", "must be at least 1, got \(N)") }
        }
    }

    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] {
        let dtype = ctx.attributes(AddN.self).T
        var shape = ctx.inputs[0].shape
        for (i, spec) in ctx.inputs.enumerated() {
            guard spec.shape.isCompatible(with: shape) else {
                throw ctx.error("input \(i) has shape \(spec.shape), expected \(shape)")
            }
            shape = shape.merged(with: spec.shape)
        }
        return [TensorSpec(dtype, shape)]
    }

    public static func compute(_ ctx: KernelContext) throws {
        let first = ctx.input(0)
        for i in 1..<ctx.inputCount where ctx.input(i).shape != first.shape {
            throw ctx.error("input \(i) has shape \(ctx.input(i).shape), expected \(first.shape)")
        }
        let out = try ctx.allocateOutput(0, first.dtype, first.shape)
        func sum<T: Numeric>(_: T.Type) {
            let dst = out.pointer(T.self), n = first.count
            let a = first.pointer(T.self)
            for j in 0..<n { dst[j] = a[j] }
            for i in 1..<ctx.inputCount {
                let src = ctx.input(i).pointer(T.self)
                for j in 0..<n { dst[j] += src[j] }
            }
        }
        switch first.dtype {
        case .float: sum(Float.self)
        case .double: sum(Double.self)
        case .int32: sum(Int32.self)
        case .int64: sum(Int64.self)
        default: throw ctx.error("no kernel for dtype \(first.dtype)")
        }
    }

    public static func gradient(_ ctx: GradientContext) throws -> [Output?] {
        let g = try ctx.grad()
        return Array(repeating: g, count: ctx.node.inputs.count)
    }
}

extension Graph {
    /// Sum of tensors of the same shape.
    public func addN(_ inputs: [Output], name: String? = nil, file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        guard !inputs.isEmpty else { throw TensorGraphError.invalidArgument("addN needs at least one input") }
        return try addOutput(AddN.self, name: name, inputs, AddN.Attrs(), file: file, line: line)
    }
}
