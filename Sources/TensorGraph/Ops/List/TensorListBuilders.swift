/// `Graph` builders for the TensorList ops (TF's `gen_list_ops`), used by `whileGradient`'s
/// accumulators and the list gradients. Handles are int32 scalars carrying the list (see `TensorListValue`).
extension Graph {
    /// TF's element-shape encoding of `shape` as an int32 constant: -1 for an unknown dimension, the
    /// scalar -1 for an unknown rank.
    func tensorListShapeConstant(_ shape: TensorShape) throws -> Output {
        guard let dims = shape.dims else { return try constant(Int32(-1)) }
        return try constant(Tensor(dims.map { Int32(clamping: $0 ?? -1) }))
    }

    /// A list of `count` unset elements (TF's `TensorListReserve`, `tf.TensorArray(size=count)`).
    /// `elementShape`: int32 in TF's encoding (-1 unknown); `count`: int32 scalar → a handle.
    public func tensorListReserve(elementShape: Output, count: Output, elementDType: DType, name: String? = nil) throws -> Output {
        let node = try addNode(TensorListReserve.self, name: name ?? "TensorListReserve", inputs: [elementShape, count],
                               attrs: ["element_dtype": .type(elementDType), "shape_type": .type(elementShape.dtype)])
        return Output(graph: self, node: node, index: 0)
    }

    /// The rows of `tensor` `[n, ...]` as a list (TF's `TensorListFromTensor`, `TensorArray.unstack`).
    public func tensorListFromTensor(_ tensor: Output, elementShape: Output, name: String? = nil) throws -> Output {
        let node = try addNode(TensorListFromTensor.self, name: name ?? "TensorListFromTensor", inputs: [tensor, elementShape],
                               attrs: ["element_dtype": .type(tensor.dtype), "shape_type": .type(elementShape.dtype)])
        return Output(graph: self, node: node, index: 0)
    }

    /// Element `index` of `list` (TF's `TensorListGetItem`, `TensorArray.read`); an unset element reads
    /// as zeros of `elementShape` when that is fully known.
    public func tensorListGetItem(_ list: Output, index: Output, elementShape: Output, elementDType: DType,
                                  name: String? = nil) throws -> Output {
        let node = try addNode(TensorListGetItem.self, name: name ?? "TensorListGetItem", inputs: [list, index, elementShape],
                               attrs: ["element_dtype": .type(elementDType)])
        return Output(graph: self, node: node, index: 0)
    }

    /// `list` with element `index` set to `item` (TF's `TensorListSetItem`, `TensorArray.write`);
    /// `resize` (TF's `resize_if_index_out_of_bounds`) grows the list to fit `index`.
    public func tensorListSetItem(_ list: Output, index: Output, item: Output, resize: Bool = false,
                                  name: String? = nil) throws -> Output {
        let node = try addNode(TensorListSetItem.self, name: name ?? "TensorListSetItem", inputs: [list, index, item],
                               attrs: ["element_dtype": .type(item.dtype), "resize_if_index_out_of_bounds": .bool(resize)])
        return Output(graph: self, node: node, index: 0)
    }

    /// The elements stacked along a new first axis (TF's `TensorListStack`, `TensorArray.stack`);
    /// `count` (TF's `num_elements`, -1 any) is the element count the list must have.
    public func tensorListStack(_ list: Output, elementShape: Output, elementDType: DType, count: Int = -1,
                                name: String? = nil) throws -> Output {
        let node = try addNode(TensorListStack.self, name: name ?? "TensorListStack", inputs: [list, elementShape],
                               attrs: ["element_dtype": .type(elementDType), "num_elements": .int(count)])
        return Output(graph: self, node: node, index: 0)
    }

    /// The number of elements of `list` (TF's `TensorListLength`): an int32 scalar.
    public func tensorListLength(_ list: Output, name: String? = nil) throws -> Output {
        Output(graph: self, node: try addNode(TensorListLength.self, name: name ?? "TensorListLength", inputs: [list]), index: 0)
    }

    /// The elements' declared shape in TF's encoding (TF's `TensorListElementShape`): int32.
    public func tensorListElementShape(_ list: Output, name: String? = nil) throws -> Output {
        let node = try addNode(TensorListElementShape.self, name: name ?? "TensorListElementShape", inputs: [list],
                               attrs: ["shape_type": .type(.int32)])
        return Output(graph: self, node: node, index: 0)
    }
}
