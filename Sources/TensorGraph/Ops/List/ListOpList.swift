extension OpRegistry {
    /// The TensorList family (TF's `list_ops.cc`): lists of tensors that TF2's `tf.TensorArray` and
    /// Keras RNN loops pass between iterations; and TF1's `TensorArrayV3` family on the same lists.
    nonisolated(unsafe) static let listFamily: [any Op.Type] = [
        TensorListReserve.self, TensorListFromTensor.self, TensorListGetItem.self, TensorListSetItem.self,
        TensorListStack.self, TensorListLength.self, TensorListElementShape.self,
        TensorArrayV3.self, TensorArrayWriteV3.self, TensorArrayReadV3.self, TensorArrayScatterV3.self, TensorArrayGatherV3.self,
        TensorArraySplitV3.self, TensorArrayConcatV3.self, TensorArraySizeV3.self, TensorArrayCloseV3.self,
    ]
}
