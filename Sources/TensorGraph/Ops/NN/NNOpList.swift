extension OpRegistry {
    /// The NN ops added for graphrun's coverage and training breadth (issues 12 and 13), in this folder.
    nonisolated(unsafe) static let nnFamily: [any Op.Type] = [
        FusedBatchNorm.self, FusedBatchNormV2.self, FusedBatchNormV3.self,
        FusedBatchNormGrad.self, FusedBatchNormGradV2.self, FusedBatchNormGradV3.self,
        DepthwiseConv2dNative.self, DepthwiseConv2dNativeBackpropInput.self, DepthwiseConv2dNativeBackpropFilter.self,
        ResizeNearestNeighbor.self, ResizeNearestNeighborGrad.self, ResizeBilinear.self, ResizeBilinearGrad.self,
        L2Loss.self,
    ]
}
