/// The coordinates of the true (non-zero) elements of a tensor (TF's `Where`, one-argument `tf.where`):
/// `input` of rank r → int64 [number of true elements, r], in row-major order. Any dtype: numbers count as
/// true when non-zero (NaN too, as in TF).
///
/// The number of rows depends on the values, so it is known while building only for a constant input.
/// Not differentiable, as in TF.
public enum Where: NonDifferentiableOp {
    public static let wireName = "Where"
    public static let inputs: [ArgDef] = ["input: T"]
    public static let outputs: [ArgDef] = ["index: int64"]
    /// The attributes of `Where`, with TensorFlow's names and defaults.
    public struct Attrs: OpAttributes {
        /// TF attribute `T`: the element type of the input (default bool; TF also allows complex and small integers).
        public var T: DType = .bool
        public static let defaults = Attrs()
        public static let fields: [AttrField<Attrs>] = [.type("T", \.T, required: false)]
    }

    /// Which elements of `x` are true, in order.
    static func truthValues(_ x: Tensor) -> [Bool] {
        switch x.dtype {
        case .float: return x.scalars(as: Float.self).map { $0 != 0 }
        case .double: return x.scalars(as: Double.self).map { $0 != 0 }
        case .int32: return x.scalars(as: Int32.self).map { $0 != 0 }
        case .int64: return x.scalars(as: Int64.self).map { $0 != 0 }
        case .uint8: return x.scalars(as: UInt8.self).map { $0 != 0 }
        case .bool: return x.scalars(as: Bool.self)
        }
    }

    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] {
        let rank = ctx.inputs[0].shape.rank
        let count = ctx.constantValue(0).map { truthValues($0).filter { $0 }.count }
        return [TensorSpec(.int64, TensorShape([count, rank]))]
    }

    public static func compute(_ ctx: KernelContext) throws {
        let x = ctx.input(0), rank = x.rank
        let truth = truthValues(x)
        let out = try ctx.allocateOutput(0, .int64, [truth.filter { $0 }.count, rank])
        let coordinates = out.pointer(Int64.self)
        var index = [Int64](repeating: 0, count: rank)
        var row = 0
        for isTrue in truth {
            if isTrue {
                for d in 0..<rank { coordinates[row * rank + d] = index[d] }
                row += 1
            }
            var d = rank - 1
            while d >= 0 {
                index[d] += 1
                if index[d] < Int64(x.shape[d]) { break }
                index[d] = 0
                d -= 1
            }
        }
    }
}

extension Graph {
    /// The int64 coordinates [n, rank] of the true (non-zero) elements of `condition` (TF's one-argument `tf.where`).
    public func `where`(_ condition: Output, name: String? = nil, file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try addOutput(Where.self, name: name, [condition], attrs: [:], file: file, line: line)
    }
}
