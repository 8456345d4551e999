/// TF1's `tf.TensorArray` ops (`TensorArrayV3` family, `tensorflow/core/ops/data_flow_ops.cc`), as
/// graphs built under `tf.compat.v1.disable_control_flow_v2()` hold them.
///
/// In TF a TensorArray is a mutable resource (`handle`) and every op that changes it returns a new
/// `flow` (a float scalar) that later ops take, only to order them. Here the flow is the value: it
/// carries the array's elements as a `TensorListValue` (`Tensor.list`), every writing op returns a
/// new flow and reading ops read the flow they are given, so the ops are pure and a TF1 loop whose
/// flow is a loop variable raises into an ordinary `While`. The handle (a resource in TF; an int32
/// scalar stand-in here, as `DT_RESOURCE` has no dtype in this build) carries the empty array.
///
/// Differences from TF: an element may be read more than once (TF's `clear_after_read` default makes
/// a second read fail), `TensorArrayCloseV3` does nothing, and gradients (`TensorArrayGradV3`) are
/// not implemented: differentiating through these ops throws.

/// The array a flow input carries, or a typed error.
func tensorArrayList(_ ctx: KernelContext, _ i: Int) throws -> TensorListValue {
    guard let list = ctx.input(i).list else { throw ctx.error("input \(i) is not a TensorArray flow") }
    return list
}

/// A flow tensor carrying `list`.
func tensorArrayFlow(_ list: TensorListValue) -> Tensor {
    var tensor = Tensor(Float(0))
    tensor.list = list
    return tensor
}

/// Element `index` of `list` as TF1 reads it: unset elements are zeros when the shape is known.
func tensorArrayRead(_ list: TensorListValue, _ index: Int, _ ctx: KernelContext) throws -> Tensor {
    guard (0..<list.count).contains(index) else {
        throw ctx.error("index \(index) is out of range for a TensorArray of size \(list.count)")
    }
    guard list[index] != nil || list.elementShape.concrete != nil else {
        throw ctx.error("could not read index \(index): it has not been written and the element shape \(list.elementShape) is not fully known")
    }
    return try list.element(index, shape: list.elementShape, ctx)
}

/// `list` with `value` written at `index` (growing when `dynamic_size`).
func tensorArrayWrite(_ list: TensorListValue, _ index: Int, _ value: Tensor, _ ctx: KernelContext) throws -> TensorListValue {
    guard index >= 0, index < list.count || (list.dynamicSize && index < (1 << 28)) else {
        throw ctx.error("index \(index) is out of range for a TensorArray of size \(list.count)")
    }
    guard value.dtype == list.elementDType, list.elementShape.accepts(value.shape) else {
        throw ctx.error("value \(value.dtype)\(value.shape) does not fit the TensorArray's elements \(list.elementDType)\(list.elementShape)")
    }
    if index < list.count, list[index] != nil {
        throw ctx.error("could not write to index \(index): it has already been written to")
    }
    return list.setting(index, to: value)
}

/// A TensorArray of `size` unwritten elements (TF's `TensorArrayV3`, TF1's `tf.TensorArray`):
/// `size` int32 scalar → `handle` (stand-in) and `flow` (float scalar carrying the array).
public enum TensorArrayV3: Op {
    public static let wireName = "TensorArrayV3"
    public static let inputs: [ArgDef] = ["size: int32"]
    public static let outputs: [ArgDef] = ["handle: int32", "flow: float"]
    /// The attributes of `TensorArrayV3`, with TensorFlow's names and defaults.
    public struct Attrs: OpAttributes {
        /// TF attribute `dtype`: the elements' dtype.
        public var dtype: DType = .float
        /// TF attribute `element_shape` (default unknown): the elements' shape.
        public var elementShape = TensorShape.unknown
        /// TF attribute `dynamic_size` (default false): writes past the end grow the array.
        public var dynamicSize = false
        /// TF attribute `clear_after_read` (default true); elements here stay readable (see above).
        public var clearAfterRead = true
        /// TF attribute `identical_element_shapes` (default false).
        public var identicalElementShapes = false
        /// TF attribute `tensor_array_name` (default ""): unused.
        public var tensorArrayName = ""
        public static let defaults = Attrs()
        public static let fields: [AttrField<Attrs>] = [
            .type("dtype", \.dtype), .shape("element_shape", \.elementShape), .bool("dynamic_size", \.dynamicSize),
            .bool("clear_after_read", \.clearAfterRead), .bool("identical_element_shapes", \.identicalElementShapes),
            .string("tensor_array_name", \.tensorArrayName)]
    }
    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] {
        guard ctx.inputs[0].shape.rank ?? 0 == 0 else { throw ctx.error("size must be a scalar, got \(ctx.inputs[0].shape)") }
        return [TensorSpec(.int32, .scalar), TensorSpec(.float, .scalar)]
    }
    public static func compute(_ ctx: KernelContext) throws {
        guard let size = integerValues(ctx.input(0))?.first, size >= 0, size < (1 << 28) else { throw ctx.error("size must be a non-negative scalar") }
        let a = ctx.node.attributes(TensorArrayV3.self)
        var list = TensorListValue(elements: Array(repeating: nil, count: size), elementDType: a.dtype, elementShape: a.elementShape)
        list.dynamicSize = a.dynamicSize
        ctx.setOutput(0, list.handle)
        ctx.setOutput(1, tensorArrayFlow(list))
    }
}

/// Writes `value` at `index` (TF's `TensorArrayWriteV3`, `TensorArray.write`): handle, `index` int32,
/// `value`, `flow_in` → `flow_out`. Writing an index twice fails, as in TF.
public enum TensorArrayWriteV3: Op {
    public static let wireName = "TensorArrayWriteV3"
    public static let inputs: [ArgDef] = ["handle: int32", "index: int32", "value: T", "flow_in: float"]
    public static let outputs: [ArgDef] = ["flow_out: float"]
    /// The attributes of `TensorArrayWriteV3`: `T`, the value's dtype.
    public struct Attrs: OpAttributes {
        /// TF attribute `T`: the value's dtype.
        public var T: DType = .float
        public static let defaults = Attrs()
        public static let fields: [AttrField<Attrs>] = [.type("T", \.T)]
    }
    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] { [TensorSpec(.float, .scalar)] }
    public static func compute(_ ctx: KernelContext) throws {
        guard let index = integerValues(ctx.input(1))?.first else { throw ctx.error("index must be an int32 scalar") }
        ctx.setOutput(0, tensorArrayFlow(try tensorArrayWrite(tensorArrayList(ctx, 3), index, ctx.input(2), ctx)))
    }
}

/// Element `index` (TF's `TensorArrayReadV3`, `TensorArray.read`): handle, `index` int32, `flow_in` →
/// the element; an unwritten element reads as zeros when the element shape is fully known.
public enum TensorArrayReadV3: Op {
    public static let wireName = "TensorArrayReadV3"
    public static let inputs: [ArgDef] = ["handle: int32", "index: int32", "flow_in: float"]
    public static let outputs: [ArgDef] = ["value: dtype"]
    /// The attributes of `TensorArrayReadV3`: `dtype`, the element dtype.
    public struct Attrs: OpAttributes {
        /// TF attribute `dtype`: the element dtype.
        public var dtype: DType = .float
        public static let defaults = Attrs()
        public static let fields: [AttrField<Attrs>] = [.type("dtype", \.dtype)]
    }
    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] {
        [TensorSpec(ctx.attributes(TensorArrayReadV3.self).dtype, .unknown)]
    }
    public static func compute(_ ctx: KernelContext) throws {
        guard let index = integerValues(ctx.input(1))?.first else { throw ctx.error("index must be an int32 scalar") }
        let value = try tensorArrayRead(tensorArrayList(ctx, 2), index, ctx)
        guard value.dtype == ctx.node.attributes(TensorArrayReadV3.self).dtype else {
            throw ctx.error("the TensorArray holds \(value.dtype), dtype is \(ctx.node.attributes(TensorArrayReadV3.self).dtype)")
        }
        ctx.setOutput(0, value)
    }
}
