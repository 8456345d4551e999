/// The number of elements of a tensor as a scalar (TF's `Size`, `tf.size`): any input → `out_type` [].
/// Reads only the input's shape. Not differentiable, as in TF.
public enum Size: NonDifferentiableOp {
    public static let wireName = "Size"
    public static let inputs: [ArgDef] = ["input: T"]
    public static let outputs: [ArgDef] = ["output: out_type"]
    /// TF declares the same attributes as `Shape` (`T`, and `out_type` int32 or int64, default int32).
    public typealias Attrs = Shape.Attrs
    /// True: the output depends only on the input's shape, never on its values.
    public static var readsOnlyInputShapes: Bool { true }

    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] {
        [TensorSpec(ctx.attributes(Size.self).outType, .scalar)]
    }

    public static func compute(_ ctx: KernelContext) throws {
        let x = ctx.input(0)
        if ctx.attributes(Size.self).outType == .int64 {
            try ctx.allocateOutput(0, .int64, []).pointer(Int64.self)[0] = Int64(x.count)
        } else {
            guard x.count <= Int(Int32.max) else { throw ctx.error("\(x.count) elements do not fit out_type int32") }
            try ctx.allocateOutput(0, .int32, []).pointer(Int32.self)[0] = Int32(x.count)
        }
    }
}

/// The rank of a tensor as an int32 scalar (TF's `Rank`, `tf.rank`). Reads only the input's shape.
/// Not differentiable, as in TF.
public enum Rank: NonDifferentiableOp {
    public static let wireName = "Rank"
    public static let inputs: [ArgDef] = ["input: T"]
    public static let outputs: [ArgDef] = ["output: int32"]
    /// TF attribute `T`: the element type of the input (any; its values are never read).
    public typealias Attrs = TypeAttributes<AnyTypes>
    /// True: the output depends only on the input's shape, never on its values.
    public static var readsOnlyInputShapes: Bool { true }

    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] { [TensorSpec(.int32, .scalar)] }

    public static func compute(_ ctx: KernelContext) throws {
        try ctx.allocateOutput(0, .int32, []).pointer(Int32.self)[0] = Int32(ctx.input(0).rank)
    }
}

extension Graph {
    /// The number of elements of `x` as a scalar of `outType` (int32 or int64; TF's `tf.size`).
    public func size(of x: Output, outType: DType = .int32, name: String? = nil,
                     file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try addOutput(Size.self, name: name, [x], Size.Attrs(outType: outType), file: file, line: line)
    }

    /// The rank of `x` as an int32 scalar (TF's `tf.rank`).
    public func rank(of x: Output, name: String? = nil, file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try addOutput(Rank.self, name: name, [x], attrs: [:], file: file, line: line)
    }
}
