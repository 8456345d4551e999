/// One-hot encoding (TF's `OneHot`, `tf.one_hot`): indices of shape `[d0, …, dk-1]` → the same shape with a
/// `depth` dimension inserted at `axis` (-1: last), `on_value` where the index equals the position along
/// that dimension and `off_value` elsewhere. Out-of-range (and negative) indices give all-off values, as in TF.
public enum OneHot: NonDifferentiableOp {
    public static let wireName = "OneHot"
    public static let inputs: [ArgDef] = ["indices: TI", "depth: int32", "on_value: T", "off_value: T"]
    public static let outputs: [ArgDef] = ["output: T"]
    /// The attributes of `OneHot`, with TensorFlow's names and defaults.
    public struct Attrs: OpAttributes {
        /// TF attribute `axis`: where the new `depth` dimension goes, -1 (last) or 0…rank(indices).
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
            guard axis >= -1 else { throw AttributeError("axis", "must be -1 or a dimension index, got \(axis)") }
        }
    }

    /// Where the depth dimension goes for indices of rank `rank`, or nil when `axis` is past it (TF's shape error).
    static func position(_ axis: Int, rank: Int) -> Int? { axis == -1 ? rank : (axis <= rank ? axis : nil) }

    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] {
        let depth = ctx.constantInts(1)?.first
        if let d = depth, d < 0 { throw ctx.error("depth must be non-negative, got \(d)") }
        let axis = ctx.attributes(OneHot.self).axis
        guard var dims = ctx.inputs[0].shape.dims else { return [TensorSpec(ctx.inputs[2].dtype, TensorShape(nil))] }
        guard let at = position(axis, rank: dims.count) else {
            throw ctx.error("axis \(axis) is out of range for indices of rank \(dims.count)")
        }
        dims.insert(depth, at: at)
        return [TensorSpec(ctx.inputs[2].dtype, TensorShape(dims))]
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
        guard let at = position(ctx.attributes(OneHot.self).axis, rank: indices.rank) else { throw ctx.error("axis out of range") }
        var shape = indices.shape
        shape.insert(depth, at: at)
        let out = try ctx.allocateOutput(0, on.dtype, shape)
        let size = on.dtype.byteCount
        for i in 0..<out.count { (out.storage.pointer + i * size).copyMemory(from: off.storage.pointer, byteCount: size) }
        // Index i = (outer o, inner n) of the indices lands at out[o, index, n]: inner = the dimensions after axis.
        let inner = indices.shape[at...].reduce(1, *)
        for (i, index) in values.enumerated() where (0..<depth).contains(index) {
            let (o, n) = inner == 0 ? (0, 0) : i.quotientAndRemainder(dividingBy: inner)
            (out.storage.pointer + ((o * depth + index) * inner + n) * size).copyMemory(from: on.storage.pointer, byteCount: size)
        }
    }
}

extension Graph {
    /// One-hot encoding of integer `indices` (`tf.one_hot`): a `depth` dimension inserted at `axis` (-1: last).
    public func oneHot(_ indices: Output, depth: Int, onValue: Float = 1, offValue: Float = 0, dtype: DType = .float, axis: Int = -1,
                       name: String? = nil, file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        let depthNode = try constant(Tensor(Int32(depth)), name: "OneHot/depth", file: file, line: line)
        let on = try constant(Double(onValue), like: dtype == .double ? constant(Tensor(0.0)) : constant(Tensor(Float(0))))
        let off = try constant(Double(offValue), like: on)
        return try addOutput(OneHot.self, name: name, [indices, depthNode, on, off], OneHot.Attrs(axis: axis), file: file, line: line)
    }
}
