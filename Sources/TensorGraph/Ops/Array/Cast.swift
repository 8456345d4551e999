/// Converts elements to another dtype (`SrcT` → `DstT`); bool becomes 0/1, and to bool means ≠ 0.
///
/// Gradient: cast back when both dtypes are floating point; none otherwise.
public enum Cast: Op {
    public static let wireName = "Cast"
    public static let inputs: [ArgDef] = ["x: SrcT"]
    public static let outputs: [ArgDef] = ["y: DstT"]
    /// The attributes of `Cast`, with TensorFlow's names and defaults.
    public struct Attrs: OpAttributes {
        /// TF attribute `SrcT`: the element type of the input.
        public var SrcT: DType = .float
        /// TF attribute `DstT`: the element type to convert to.
        public var DstT: DType = .float
        /// TF's request to truncate when narrowing floats (to half/bfloat16); no TensorGraph conversion reads it.
        public var truncate = false
        public static let defaults = Attrs()
        public static let fields: [AttrField<Attrs>] = [.type("SrcT", \.SrcT), .type("DstT", \.DstT), .bool("Truncate", \.truncate)]
    }

    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] {
        [TensorSpec(ctx.attributes(Cast.self).DstT, ctx.inputs[0].shape)]
    }

    public static func compute(_ ctx: KernelContext) throws {
        let x = ctx.input(0)
        let dst = ctx.attributes(Cast.self).DstT
        if dst == x.dtype { return ctx.setOutput(0, x) }
        let out = try ctx.allocateOutput(0, dst, x.shape)
        convert(x, into: out)
    }

    public static func gradient(_ ctx: GradientContext) throws -> [Output?] {
        let source = ctx.input(0).dtype
        guard source.isFloatingPoint, ctx.output().dtype.isFloatingPoint else { return [nil] }
        return [try ctx.graph.cast(ctx.grad(), to: source)]
    }
}

/// Elementwise dtype conversion between any two supported dtypes.
func convert(_ x: Tensor, into out: Tensor) {
    func load<S: TensorScalar>(_: S.Type, _ f: @escaping (S) -> Double) -> (Int) -> Double {
        let p = x.pointer(S.self)
        return { f(p[$0]) }
    }
    // Fast paths for what datasets and metrics use.
    if x.dtype == .uint8 && out.dtype == .float {
        return mapUnary(x, out) { (v: UInt8) in Float(v) }
    }
    if x.dtype == .bool && out.dtype == .float {
        return mapUnary(x, out) { (v: Bool) in v ? Float(1) : 0 }
    }
    let read: (Int) -> Double
    switch x.dtype {
    case .float: read = load(Float.self) { Double($0) }
    case .double: read = load(Double.self) { $0 }
    case .int32: read = load(Int32.self) { Double($0) }
    case .int64: read = load(Int64.self) { Double($0) }
    case .uint8: read = load(UInt8.self) { Double($0) }
    case .bool: read = load(Bool.self) { $0 ? 1 : 0 }
    }
    let n = x.count
    switch out.dtype {
    case .float: for i in 0..<n { out.pointer(Float.self)[i] = Float(read(i)) }
    case .double: for i in 0..<n { out.pointer(Double.self)[i] = read(i) }
    case .int32: for i in 0..<n { out.pointer(Int32.self)[i] = Int32(clamping: Int64(exactly: read(i).rounded(.towardZero)) ?? 0) }
    case .int64: for i in 0..<n { out.pointer(Int64.self)[i] = Int64(exactly: read(i).rounded(.towardZero)) ?? 0 }
    case .uint8: for i in 0..<n { out.pointer(UInt8.self)[i] = UInt8(truncatingIfNeeded: Int64(exactly: read(i).rounded(.towardZero)) ?? 0) }
    case .bool: for i in 0..<n { out.pointer(Bool.self)[i] = read(i) != 0 }
    }
}

extension Graph {
    /// `x` converted to `dtype`.
    public func cast(_ x: Output, to dtype: DType, name: String? = nil, file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try addOutput(Cast.self, name: name, [x], Cast.Attrs(DstT: dtype, truncate: false), file: file, line: line)
    }
}
