/// TF1's whole-array TensorArray ops: scatter/gather (`unstack`/`stack`), split/concat, size and
/// close (see `TensorArrayOps.swift` for how the flow carries the array).

/// The attributes of the TensorArray ops that take a value: `T`, its dtype.
public struct TensorArrayValueAttrs: OpAttributes {
    /// TF attribute `T`: the value's dtype.
    public var T: DType = .float
    public static let defaults = TensorArrayValueAttrs()
    public static let fields: [AttrField<TensorArrayValueAttrs>] = [.type("T", \.T)]
}

/// Rows of `value` `[k, ...]` written at `indices` `[k]` (TF's `TensorArrayScatterV3`,
/// `TensorArray.scatter`/`unstack`): handle, `indices`, `value`, `flow_in` → `flow_out`.
public enum TensorArrayScatterV3: Op {
    public static let wireName = "TensorArrayScatterV3"
    public static let inputs: [ArgDef] = ["handle: int32", "indices: int32", "value: T", "flow_in: float"]
    public static let outputs: [ArgDef] = ["flow_out: float"]
    public typealias Attrs = TensorArrayValueAttrs
    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] { [TensorSpec(.float, .scalar)] }
    public static func compute(_ ctx: KernelContext) throws {
        var list = try tensorArrayList(ctx, 3)
        let value = ctx.input(2)
        guard let indices = integerValues(ctx.input(1)), ctx.input(1).rank == 1, value.rank >= 1, value.shape[0] == indices.count else {
            throw ctx.error("indices must be a vector as long as value's first dimension, got \(ctx.input(1).shape) and \(value.shape)")
        }
        let rowShape = Array(value.shape.dropFirst())
        for (row, index) in indices.enumerated() {
            list = try tensorArrayWrite(list, index, value.rows(row..<(row + 1)).reshaped(to: rowShape), ctx)
        }
        ctx.setOutput(0, tensorArrayFlow(list))
    }
}

/// Elements `indices` stacked (TF's `TensorArrayGatherV3`, `TensorArray.gather`/`stack`): handle,
/// `indices` `[k]`, `flow_in` → `[k, ...]`. Unwritten elements are zeros of a fully known shape
/// (the written elements' or `element_shape`).
public enum TensorArrayGatherV3: Op {
    public static let wireName = "TensorArrayGatherV3"
    public static let inputs: [ArgDef] = ["handle: int32", "indices: int32", "flow_in: float"]
    public static let outputs: [ArgDef] = ["value: dtype"]
    /// The attributes of `TensorArrayGatherV3`, with TensorFlow's names and defaults.
    public struct Attrs: OpAttributes {
        /// TF attribute `dtype`: the element dtype.
        public var dtype: DType = .float
        /// TF attribute `element_shape` (default unknown): the elements' shape, for an empty gather.
        public var elementShape = TensorShape.unknown
        public static let defaults = Attrs()
        public static let fields: [AttrField<Attrs>] = [.type("dtype", \.dtype), .shape("element_shape", \.elementShape)]
    }
    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] {
        let a = ctx.attributes(TensorArrayGatherV3.self)
        let count = ctx.inputs[1].shape.dims?.first ?? nil
        return [TensorSpec(a.dtype, a.elementShape.dims.map { TensorShape([count] + $0) } ?? .unknown)]
    }
    public static func compute(_ ctx: KernelContext) throws {
        let list = try tensorArrayList(ctx, 2), a = ctx.node.attributes(TensorArrayGatherV3.self)
        guard let indices = integerValues(ctx.input(1)), ctx.input(1).rank == 1 else { throw ctx.error("indices must be an int32 vector") }
        var shape = list.elementShape.concrete != nil ? list.elementShape : a.elementShape
        if let first = (0..<list.count).lazy.compactMap({ list[$0] }).first { shape = TensorShape(first.shape) }
        guard let rowShape = shape.concrete else {
            throw ctx.error("cannot gather: no element is written and the element shape \(shape) is not fully known")
        }
        let out = try ctx.allocateOutput(0, a.dtype, [indices.count] + rowShape)
        let rowBytes = rowShape.reduce(1, *) * a.dtype.byteCount
        for (i, index) in indices.enumerated() {
            guard (0..<list.count).contains(index) else { throw ctx.error("index \(index) is out of range for a TensorArray of size \(list.count)") }
            let element = try list.element(index, shape: shape, ctx)
            guard element.dtype == a.dtype, element.shape == rowShape else {
                throw ctx.error("element \(index) is \(element.dtype)\(element.shape), expected \(a.dtype)\(rowShape)")
            }
            (out.storage.pointer + i * rowBytes).copyMemory(from: element.storage.pointer, byteCount: rowBytes)
        }
    }
}

/// `value` split along its first axis into pieces of `lengths` rows, element i the i-th piece (TF's
/// `TensorArraySplitV3`, `TensorArray.split`): handle, `value`, `lengths` int64, `flow_in` → `flow_out`.
public enum TensorArraySplitV3: Op {
    public static let wireName = "TensorArraySplitV3"
    public static let inputs: [ArgDef] = ["handle: int32", "value: T", "lengths: int64", "flow_in: float"]
    public static let outputs: [ArgDef] = ["flow_out: float"]
    public typealias Attrs = TensorArrayValueAttrs
    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] { [TensorSpec(.float, .scalar)] }
    public static func compute(_ ctx: KernelContext) throws {
        var list = try tensorArrayList(ctx, 3)
        let value = ctx.input(1)
        guard value.rank >= 1, let lengths = integerValues(ctx.input(2)), ctx.input(2).rank == 1,
              lengths.allSatisfy({ $0 >= 0 }), lengths.reduce(0, +) == value.shape[0] else {
            throw ctx.error("lengths \(ctx.input(2).shape) must be non-negative and sum to value's first dimension (value \(value.shape))")
        }
        guard lengths.count == list.count || list.dynamicSize else {
            throw ctx.error("\(lengths.count) pieces for a TensorArray of size \(list.count)")
        }
        guard value.dtype == list.elementDType else { throw ctx.error("value is \(value.dtype), the TensorArray holds \(list.elementDType)") }
        var start = 0
        for (i, length) in lengths.enumerated() {
            if i < list.count, list[i] != nil { throw ctx.error("could not write to index \(i): it has already been written to") }
            list = list.setting(i, to: value.rows(start..<(start + length)))
            start += length
        }
        ctx.setOutput(0, tensorArrayFlow(list))
    }
}

/// The elements concatenated along their first axis (TF's `TensorArrayConcatV3`, `TensorArray.concat`):
/// handle, `flow_in` → `value` `[Σ lengths, ...]` and `lengths` (int64, each element's first dimension).
public enum TensorArrayConcatV3: Op {
    public static let wireName = "TensorArrayConcatV3"
    public static let inputs: [ArgDef] = ["handle: int32", "flow_in: float"]
    public static let outputs: [ArgDef] = ["value: dtype", "lengths: int64"]
    /// The attributes of `TensorArrayConcatV3`, with TensorFlow's names and defaults.
    public struct Attrs: OpAttributes {
        /// TF attribute `dtype`: the element dtype.
        public var dtype: DType = .float
        /// TF attribute `element_shape_except0` (default unknown): the elements' shape after the first axis.
        public var elementShapeExcept0 = TensorShape.unknown
        public static let defaults = Attrs()
        public static let fields: [AttrField<Attrs>] = [.type("dtype", \.dtype), .shape("element_shape_except0", \.elementShapeExcept0)]
    }
    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] {
        let a = ctx.attributes(TensorArrayConcatV3.self)
        return [TensorSpec(a.dtype, a.elementShapeExcept0.dims.map { TensorShape([nil] + $0) } ?? .unknown), TensorSpec(.int64, TensorShape([nil]))]
    }
    public static func compute(_ ctx: KernelContext) throws {
        let list = try tensorArrayList(ctx, 1), a = ctx.node.attributes(TensorArrayConcatV3.self)
        var elements: [Tensor] = []
        for i in 0..<list.count {
            guard let element = list[i] else { throw ctx.error("could not concat: element \(i) has not been written") }
            guard element.dtype == a.dtype, element.rank >= 1, element.shape.dropFirst() == elements.first?.shape.dropFirst() ?? element.shape.dropFirst() else {
                throw ctx.error("element \(i) is \(element.dtype)\(element.shape): elements must be \(a.dtype), rank >= 1, with equal shapes after the first axis")
            }
            elements.append(element)
        }
        guard let tail = elements.first.map({ Array($0.shape.dropFirst()) }) ?? a.elementShapeExcept0.concrete else {
            throw ctx.error("cannot concat an empty TensorArray whose element_shape_except0 \(a.elementShapeExcept0) is not fully known")
        }
        let rows = elements.reduce(0) { $0 + $1.shape[0] }
        let out = try ctx.allocateOutput(0, a.dtype, [rows] + tail)
        var offset = 0
        for element in elements {
            (out.storage.pointer + offset).copyMemory(from: element.storage.pointer, byteCount: element.byteCount)
            offset += element.byteCount
        }
        ctx.setOutput(1, Tensor(elements.map { Int64($0.shape[0]) }))
    }
}

/// The number of elements (TF's `TensorArraySizeV3`, `TensorArray.size`): handle, `flow_in` → int32.
public enum TensorArraySizeV3: NonDifferentiableOp {
    public static let wireName = "TensorArraySizeV3"
    public static let inputs: [ArgDef] = ["handle: int32", "flow_in: float"]
    public static let outputs: [ArgDef] = ["size: int32"]
    public typealias Attrs = NoAttributes
    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] { [TensorSpec(.int32, .scalar)] }
    public static func compute(_ ctx: KernelContext) throws { ctx.setOutput(0, Tensor(Int32(clamping: try tensorArrayList(ctx, 1).count))) }
}

/// Releases the array in TF (TF's `TensorArrayCloseV3`, `TensorArray.close`); nothing to release here.
public enum TensorArrayCloseV3: NonDifferentiableOp {
    public static let wireName = "TensorArrayCloseV3"
    public static let inputs: [ArgDef] = ["handle: int32"]
    public static let outputs: [ArgDef] = []
    public typealias Attrs = NoAttributes
    public static var isStateful: Bool { true }
    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] { [] }
    public static func compute(_ ctx: KernelContext) throws {}
}
