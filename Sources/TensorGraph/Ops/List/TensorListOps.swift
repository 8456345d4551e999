/// TF's TensorList ops (`tensorflow/core/ops/list_ops.cc`), which TF2's `tf.TensorArray` and every
/// Keras RNN loop use: a list of tensors of one `element_dtype` passed around as one value.
///
/// Representation: TF's handle is a `DT_VARIANT` scalar. `DType` has no `variant` case yet (adding one
/// touches exhaustive dtype switches across the kernels), so a handle here is an int32 scalar holding
/// the element count, whose `Tensor.list` carries the elements (`TensorListValue`). Lists are values:
/// `TensorListSetItem` returns a new handle and never changes the list its input holds; it is O(1)
/// when it fills the next slot (see `TensorListValue`). Kernels given an int32 tensor that is not a
/// handle fail with an error naming the node. Gradients follow TF's `list_ops.py` (`ListGradients.swift`).

/// The attributes of `TensorListReserve` and `TensorListFromTensor`, with TensorFlow's names.
public struct TensorListMakeAttrs: OpAttributes {
    /// TF attribute `element_dtype`: the elements' dtype.
    public var elementDType: DType = .float
    /// TF attribute `shape_type`: the dtype of `element_shape` (int32 or int64).
    public var shapeType: DType = .int32
    public static let defaults = TensorListMakeAttrs()
    public static let fields: [AttrField<TensorListMakeAttrs>] = [
        .type("element_dtype", \.elementDType), .type("shape_type", \.shapeType, oneOf: [.int32, .int64])]
}

/// A list of `num_elements` unset elements (TF's `TensorListReserve`, `tf.TensorArray(size=n)`):
/// `element_shape` (TF's encoding, -1 unknown), `num_elements` int32 scalar → a handle.
public enum TensorListReserve: NonDifferentiableOp {
    public static let wireName = "TensorListReserve"
    public static let inputs: [ArgDef] = ["element_shape: shape_type", "num_elements: int32"]
    public static let outputs: [ArgDef] = ["handle: int32"]
    public typealias Attrs = TensorListMakeAttrs

    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] {
        guard ctx.inputs[1].shape.rank ?? 0 == 0 else { throw ctx.error("num_elements must be a scalar, got \(ctx.inputs[1].shape)") }
        return [TensorSpec(.int32, .scalar)]
    }

    public static func compute(_ ctx: KernelContext) throws {
        guard let n = integerValues(ctx.input(1))?.first, n >= 0 else { throw ctx.error("num_elements must be a non-negative scalar") }
        let a = ctx.node.attributes(TensorListReserve.self)
        ctx.setOutput(0, TensorListValue(elements: Array(repeating: nil, count: n), elementDType: a.elementDType,
                                         elementShape: TensorListValue.shape(from: ctx.input(0))).handle)
    }
}

/// The rows of `tensor` as a list (TF's `TensorListFromTensor`, `TensorArray.unstack`):
/// `tensor` `[n, ...]`, `element_shape` → a handle of `n` elements of shape `[...]`.
public enum TensorListFromTensor: Op {
    public static let wireName = "TensorListFromTensor"
    /// Gradient: TF's `list_ops.py` rule (see `ListGradients.swift`).
    public static func gradient(_ ctx: GradientContext) throws -> [Output?] { try tensorListFromTensorGradient(ctx) }
    public static let inputs: [ArgDef] = ["tensor: element_dtype", "element_shape: shape_type"]
    public static let outputs: [ArgDef] = ["output_handle: int32"]
    public typealias Attrs = TensorListMakeAttrs

    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] {
        guard ctx.inputs[0].shape.rank ?? 1 >= 1 else { throw ctx.error("tensor must have rank >= 1, got a scalar") }
        return [TensorSpec(.int32, .scalar)]
    }

    public static func compute(_ ctx: KernelContext) throws {
        let tensor = ctx.input(0)
        guard tensor.rank >= 1 else { throw ctx.error("tensor must have rank >= 1, got a scalar") }
        let rowShape = Array(tensor.shape.dropFirst())
        let elements: [Tensor?] = (0..<tensor.shape[0]).map { tensor.rows($0..<($0 + 1)).reshaped(to: rowShape) }
        ctx.setOutput(0, TensorListValue(elements: elements, elementDType: tensor.dtype, elementShape: TensorShape(rowShape)).handle)
    }
}

/// Element `index` of a list (TF's `TensorListGetItem`, `TensorArray.read`): handle, `index` int32
/// scalar, `element_shape` → the element (zeros of `element_shape` for an unset slot).
public enum TensorListGetItem: Op {
    public static let wireName = "TensorListGetItem"
    /// Gradient: TF's `list_ops.py` rule (see `ListGradients.swift`).
    public static func gradient(_ ctx: GradientContext) throws -> [Output?] { try tensorListGetItemGradient(ctx) }
    public static let inputs: [ArgDef] = ["input_handle: int32", "index: int32", "element_shape: Tshape"]
    public static let outputs: [ArgDef] = ["item: element_dtype"]
    /// The attributes of `TensorListGetItem`, with TensorFlow's names and defaults.
    public struct Attrs: OpAttributes {
        /// TF attribute `element_dtype`: the elements' dtype.
        public var elementDType: DType = .float
        /// TF attribute `Tshape` (default int32): the dtype of `element_shape`.
        public var Tshape: DType = .int32
        public static let defaults = Attrs()
        public static let fields: [AttrField<Attrs>] = [
            .type("element_dtype", \.elementDType), .type("Tshape", \.Tshape, oneOf: [.int32, .int64], required: false)]
    }

    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] {
        let shape = ctx.constantInts(2).map { dims in ctx.inputs[2].shape.rank == 0 ? TensorShape.unknown : TensorShape(dims.map { $0 < 0 ? nil : $0 }) }
        return [TensorSpec(ctx.attributes(TensorListGetItem.self).elementDType, shape ?? .unknown)]
    }

    public static func compute(_ ctx: KernelContext) throws {
        let list = try ctx.list(0)
        guard let index = integerValues(ctx.input(1))?.first else { throw ctx.error("index must be an int32 scalar") }
        let element = try list.element(index, shape: TensorListValue.shape(from: ctx.input(2)), ctx)
        guard element.dtype == ctx.node.attributes(TensorListGetItem.self).elementDType else {
            throw ctx.error("the list holds \(element.dtype) elements, element_dtype is \(ctx.node.attributes(TensorListGetItem.self).elementDType)")
        }
        ctx.setOutput(0, element)
    }
}

/// The list with element `index` replaced by `item` (TF's `TensorListSetItem`, `TensorArray.write`):
/// handle, `index` int32 scalar, `item` → a new handle; the input list is unchanged.
public enum TensorListSetItem: Op {
    public static let wireName = "TensorListSetItem"
    /// Gradient: TF's `list_ops.py` rule (see `ListGradients.swift`).
    public static func gradient(_ ctx: GradientContext) throws -> [Output?] { try tensorListSetItemGradient(ctx) }
    public static let inputs: [ArgDef] = ["input_handle: int32", "index: int32", "item: element_dtype"]
    public static let outputs: [ArgDef] = ["output_handle: int32"]
    /// The attributes of `TensorListSetItem`, with TensorFlow's names and defaults.
    public struct Attrs: OpAttributes {
        /// TF attribute `element_dtype`: the elements' dtype.
        public var elementDType: DType = .float
        /// TF attribute `resize_if_index_out_of_bounds` (default false): grow the list to fit `index`.
        public var resizeIfIndexOutOfBounds = false
        public static let defaults = Attrs()
        public static let fields: [AttrField<Attrs>] = [
            .type("element_dtype", \.elementDType), .bool("resize_if_index_out_of_bounds", \.resizeIfIndexOutOfBounds)]
    }

    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] { [TensorSpec(.int32, .scalar)] }

    public static func compute(_ ctx: KernelContext) throws {
        let list = try ctx.list(0)
        let item = ctx.input(2)
        guard let index = integerValues(ctx.input(1))?.first, index >= 0 else { throw ctx.error("index must be a non-negative int32 scalar") }
        if index >= list.count {
            guard ctx.node.attributes(TensorListSetItem.self).resizeIfIndexOutOfBounds, index < (1 << 28) else {
                throw ctx.error("index \(index) is out of range for a list of \(list.count) elements")
            }
        }
        guard item.dtype == list.elementDType, list.elementShape.accepts(item.shape) else {
            throw ctx.error("item \(item.dtype)\(item.shape) does not fit the list's elements \(list.elementDType)\(list.elementShape)")
        }
        ctx.setOutput(0, list.setting(index, to: item).handle)
    }
}

/// The elements stacked along a new first axis (TF's `TensorListStack`, `TensorArray.stack`):
/// handle, `element_shape` → `[n, ...]`; unset elements read as zeros of a fully known shape.
public enum TensorListStack: Op {
    public static let wireName = "TensorListStack"
    /// Gradient: TF's `list_ops.py` rule (see `ListGradients.swift`).
    public static func gradient(_ ctx: GradientContext) throws -> [Output?] { try tensorListStackGradient(ctx) }
    public static let inputs: [ArgDef] = ["input_handle: int32", "element_shape: int32"]
    public static let outputs: [ArgDef] = ["tensor: element_dtype"]
    /// The attributes of `TensorListStack`, with TensorFlow's names and defaults.
    public struct Attrs: OpAttributes {
        /// TF attribute `element_dtype`: the elements' dtype.
        public var elementDType: DType = .float
        /// TF attribute `num_elements` (default -1, any): the element count the list must have.
        public var numElements = -1
        public static let defaults = Attrs()
        public static let fields: [AttrField<Attrs>] = [.type("element_dtype", \.elementDType), .int("num_elements", \.numElements)]
    }

    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] {
        let a = ctx.attributes(TensorListStack.self)
        var shape = TensorShape.unknown
        if let dims = ctx.constantInts(1), ctx.inputs[1].shape.rank == 1 {
            shape = TensorShape([a.numElements >= 0 ? a.numElements : nil] + dims.map { $0 < 0 ? nil : $0 })
        }
        return [TensorSpec(a.elementDType, shape)]
    }

    public static func compute(_ ctx: KernelContext) throws {
        let list = try ctx.list(0), a = ctx.node.attributes(TensorListStack.self)
        guard a.numElements < 0 || a.numElements == list.count else {
            throw ctx.error("num_elements is \(a.numElements), the list has \(list.count)")
        }
        var shape = TensorListValue.shape(from: ctx.input(1))
        // TF merges the input element shape with the list's (a list reserved with a run-time shape stacks even when empty).
        if shape.dims == nil || shape.concrete == nil, list.elementShape.isCompatible(with: shape), list.elementShape.concrete != nil {
            shape = list.elementShape
        }
        if shape.dims == nil { shape = list.elementShape }
        if let first = list.elements.compactMap({ $0 }).first { shape = TensorShape(first.shape) }
        let elements = try (0..<list.count).map { try list.element($0, shape: shape, ctx) }
        guard let rowShape = shape.dims.map({ $0.compactMap { $0 } }), rowShape.count == shape.dims?.count else {
            throw ctx.error("cannot stack an empty list whose element shape \(shape) is not fully known")
        }
        let out = try ctx.allocateOutput(0, a.elementDType, [elements.count] + rowShape)
        let rowBytes = rowShape.reduce(1, *) * a.elementDType.byteCount
        for (i, element) in elements.enumerated() {
            guard element.dtype == a.elementDType, element.shape == rowShape else {
                throw ctx.error("element \(i) is \(element.dtype)\(element.shape), expected \(a.elementDType)\(rowShape)")
            }
            (out.storage.pointer + i * rowBytes).copyMemory(from: element.storage.pointer, byteCount: rowBytes)
        }
    }
}

/// The number of elements (TF's `TensorListLength`, `TensorArray.size`): handle → int32 scalar.
public enum TensorListLength: NonDifferentiableOp {
    public static let wireName = "TensorListLength"
    public static let inputs: [ArgDef] = ["input_handle: int32"]
    public static let outputs: [ArgDef] = ["length: int32"]
    public typealias Attrs = NoAttributes
    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] { [TensorSpec(.int32, .scalar)] }
    public static func compute(_ ctx: KernelContext) throws {
        ctx.setOutput(0, Tensor(Int32(clamping: try ctx.list(0).count)))
    }
}

/// The elements' shape in TF's encoding (TF's `TensorListElementShape`): handle → `shape_type`
/// vector (-1 for unknown dimensions), or the scalar -1 when the rank is unknown.
public enum TensorListElementShape: NonDifferentiableOp {
    public static let wireName = "TensorListElementShape"
    public static let inputs: [ArgDef] = ["input_handle: int32"]
    public static let outputs: [ArgDef] = ["element_shape: shape_type"]
    /// The attributes of `TensorListElementShape`, with TensorFlow's names.
    public struct Attrs: OpAttributes {
        /// TF attribute `shape_type`: the output's dtype (int32 or int64).
        public var shapeType: DType = .int32
        public static let defaults = Attrs()
        public static let fields: [AttrField<Attrs>] = [.type("shape_type", \.shapeType, oneOf: [.int32, .int64])]
    }
    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] {
        [TensorSpec(ctx.attributes(TensorListElementShape.self).shapeType, TensorShape([nil]).relaxed(with: .scalar))]
    }
    public static func compute(_ ctx: KernelContext) throws {
        let list = try ctx.list(0), type = ctx.node.attributes(TensorListElementShape.self).shapeType
        let dims = list.elementShape.dims.map { $0.map { $0 ?? -1 } }
        let values = dims ?? [-1]
        let shape = dims == nil ? [] : [values.count]
        ctx.setOutput(0, type == .int64 ? Tensor(shape: shape, scalars: values.map(Int64.init)) : Tensor(shape: shape, scalars: values.map { Int32(clamping: $0) }))
    }
}
