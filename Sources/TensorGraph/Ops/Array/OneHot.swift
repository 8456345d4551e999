/// One-hot encoding: indices [N] → [N, depth] with `on_value` at each index and `off_value` elsewhere.
///
/// Only `axis = -1` is supported; out-of-range indices give an all-off row, as in TF.
public enum OneHot: NonDifferentiableOp {
    public static let wireName = "OneHot"
    public static let inputs: [ArgDef] = ["indices: TI", "depth: int32", "on_value: T", "off_value: T"]
    public static let outputs: [ArgDef] = ["output: T"]
    /// The attributes of `OneHot`, with TensorFlow's names and defaults.
    public struct Attrs: OpAttributes {
        /// TF attribute `axis`: where the new `depth` dimension goes; only -1 (last) is supported.
        public var axis = -1
        /// TF attribute `T`: the element type of `on_value`, `off_value` and the output.
        public var T: DType = .float
        /// TF also allows int8, which TensorGraph does not have.
        public var TI: DType = .int64
        public static let defaults = Attrs()
        public static let fields: [AttrField<Attrs>] = [
            .int("axis", \.axis), .type("T", \.T), .type("TI", \.TI, oneOf: [.uint8, .int32, .int64], required: false),
        ]

        public func validate() throws(AttributeError) {
            guard axis == -1 else { throw AttributeError("axis", "only -1 is supported, got \(axis)") }
        }
    }

    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] {
        let depth = ctx.constantInts(1)?.first
        return [TensorSpec(ctx.inputs[2].dtype, TensorShape((ctx.inputs[0].shape.dims ?? []) + [depth]))]
    }

    public static func compute(_ ctx: KernelContext) throws {
        let indices = ctx.input(0)
        guard let depth = integerValues(ctx.input(1))?.first, depth >= 0 else { throw ctx.error("depth must be a non-negative integer") }
        let values: [Int]
        switch indices.dtype {
        case .uint8: values = indices.scalars(as: UInt8.self).map(Int.init)
        default: values = integerValues(indices) ?? []
        }
        let on = ctx.input(2), off = ctx.input(3)
        let out = try ctx.allocateOutput(0, on.dtype, indices.shape + [depth])
        let size = on.dtype.byteCount
        for i in 0..<out.count { (out.storage.pointer + i * size).copyMemory(from: off.storage.pointer, byteCount: size) }
        for (row, index) in values.enumerated() where (0..<depth).contains(index) {
            (out.storage.pointer + (row * depth + index) * size).copyMemory(from: on.storage.pointer, byteCount: size)
        }
    }
}

extension Graph {
    /// One-hot rows of length `depth` for integer `indices`.
    public func oneHot(_ indices: Output, depth: Int, onValue: Float = 1, offValue: Float = 0, dtype: DType = .float,
                       name: String? = nil, file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        let depthNode = try constant(Tensor(Int32(depth)), name: "OneHot/depth", file: file, line: line)
        let on = try constant(Double(onValue), like: dtype == .double ? constant(Tensor(0.0)) : constant(Tensor(Float(0))))
        let off = try constant(Double(offValue), like: on)
        return try addOutput(OneHot.self, name: name, [indices, depthNode, on, off], OneHot.Attrs(axis: -1), file: file, line: line)
    }
}
