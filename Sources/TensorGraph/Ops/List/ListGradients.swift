/// Gradients of the TensorList ops, as TF's `tensorflow/python/ops/list_ops.py`: the gradient of a
/// list is a list of the elements' gradients (unset elements read as zeros), so the rules translate
/// between lists and tensors. `TensorListReserve`, `TensorListLength` and `TensorListElementShape`
/// carry no gradient (TF's `NotDifferentiable`), nor do indices and element shapes.
///
/// Two lists' gradients arriving at one list (a list read twice) are summed by the gradient driver's
/// `AddN`, which does not add lists elementwise yet: such graphs fail at run time with a typed error
/// from the next list op ("input 0 is not a TensorList handle").

/// `TensorListStack` (list → `[n, ...]`): the list of `dtensor`'s rows (TF's `_TensorListStackGrad`).
func tensorListStackGradient(_ ctx: GradientContext) throws -> [Output?] {
    guard let dtensor = ctx.gradIfPresent(0) else { return [nil, nil] }
    let g = ctx.graph
    let rowShape = dtensor.shape.dims.map { TensorShape(Array($0.dropFirst())) } ?? .unknown
    return [try g.tensorListFromTensor(dtensor, elementShape: g.tensorListShapeConstant(rowShape)), nil]
}

/// `TensorListFromTensor` (`[n, ...]` → list): the stacked gradient list, unset elements as zeros of
/// the rows' shape (TF's `_TensorListFromTensorGrad`).
func tensorListFromTensorGradient(_ ctx: GradientContext) throws -> [Output?] {
    let g = ctx.graph, t = ctx.input(0)
    guard let dlist = ctx.gradIfPresent(0) else { return [try g.zerosLike(t), nil] }
    let rowShape = try g.slice(g.shape(of: t), begin: [1], size: [-1])
    let count = t.shape.dims?.first.flatMap { $0 } ?? -1
    return [try g.tensorListStack(dlist, elementShape: rowShape, elementDType: t.dtype, count: count), nil]
}

/// `TensorListGetItem` (list, index → item): a list as long as the input whose element `index` is
/// `ditem`, every other element unset, i.e. zero (TF's `_TensorListGetItemGrad`).
func tensorListGetItemGradient(_ ctx: GradientContext) throws -> [Output?] {
    guard let ditem = ctx.gradIfPresent(0) else { return [nil, nil, nil] }
    let g = ctx.graph, list = ctx.input(0)
    let zeros = try g.tensorListReserve(elementShape: g.tensorListElementShape(list), count: g.tensorListLength(list),
                                        elementDType: ditem.dtype)
    return [try g.tensorListSetItem(zeros, index: ctx.input(1), item: ditem), nil, nil]
}

/// `TensorListSetItem` (list, index, item → list): the incoming list with element `index` zeroed goes
/// to the input list, and that element to `item` (TF's `_TensorListSetItemGrad`).
/// - Throws: for `resize_if_index_out_of_bounds`, whose gradient needs `TensorListResize` (not implemented).
func tensorListSetItemGradient(_ ctx: GradientContext) throws -> [Output?] {
    guard let dlist = ctx.gradIfPresent(0) else { return [nil, nil, nil] }
    let g = ctx.graph, item = ctx.input(2)
    if ctx.attributes(TensorListSetItem.self).resizeIfIndexOutOfBounds {
        throw TensorGraphError.invalidArgument("[TensorListSetItem] node '\(ctx.node.name)': the gradient of "
                                               + "resize_if_index_out_of_bounds needs TensorListResize, which is not implemented")
    }
    let listGradient = try g.tensorListSetItem(dlist, index: ctx.input(1), item: g.zerosLike(item))
    let itemGradient = try g.tensorListGetItem(dlist, index: ctx.input(1), elementShape: g.shape(of: item), elementDType: item.dtype)
    return [listGradient, nil, itemGradient]
}
