extension OpRegistry {
    /// The TensorList family (TF's `list_ops.cc`): lists of tensors that TF2's `tf.TensorArray` and
    /// Keras RNN loops pass between iterations.
    nonisolated(unsafe) static let listFamily: [any Op.Type] = [
        TensorListReserve.self, TensorListFromTensor.self, TensorListGetItem.self, TensorListSetItem.self,
        TensorListStack.self, TensorListLength.self, TensorListElementShape.self,
    ]
}
