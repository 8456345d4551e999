/// The one list of op types, by TensorFlow wire name: used by import, `graphrun` and the conformance tests.
public enum OpRegistry {
    // Immutable lists of metatypes (never mutated), which Swift cannot prove Sendable.
    nonisolated(unsafe) public static let all: [any Op.Type] = [
        // Array and state
        Const.self, Placeholder.self, PlaceholderWithDefault.self, Identity.self, StopGradient.self, NoOp.self,
        Shape.self, Reshape.self, ExpandDims.self, Fill.self, ZerosLike.self, OnesLike.self, OneHot.self, Cast.self,
        BroadcastGradientArgs.self, BroadcastTo.self, GatherV2.self, UnsortedSegmentSum.self, Transpose.self, ConcatV2.self,
        Slice.self, Pad.self, Squeeze.self, Pack.self, StridedSlice.self,
        CheckNumerics.self,
        VariableV2.self, Assign.self, AssignAdd.self, AssignSub.self,
        // Math
        AddV2.self, Sub.self, Mul.self, RealDiv.self, Maximum.self, Minimum.self, AddN.self, MatMul.self,
        Neg.self, Square.self, Sqrt.self, SqrtGrad.self, Exp.self, Log.self, Abs.self, Sign.self,
        Tanh.self, TanhGrad.self, Sigmoid.self, SigmoidGrad.self, Relu.self, ReluGrad.self, Relu6.self, Relu6Grad.self,
        Equal.self, NotEqual.self, Greater.self, GreaterEqual.self, Less.self, LessEqual.self,
        Sum.self, Mean.self, Max.self, Min.self, Prod.self, ArgMax.self,
        // Neural network
        BiasAdd.self, BiasAddGrad.self, Softmax.self, LogSoftmax.self,
        SoftmaxCrossEntropyWithLogits.self, SparseSoftmaxCrossEntropyWithLogits.self,
        Conv2D.self, Conv2DBackpropInput.self, Conv2DBackpropFilter.self, MaxPool.self, MaxPoolGrad.self, AvgPool.self, AvgPoolGrad.self,
        MaxPoolWithArgmax.self, MaxPoolGradWithArgmax.self,
        // Random
        RandomUniform.self, RandomStandardNormal.self, TruncatedNormal.self,
        // Training
        ApplyGradientDescent.self, ApplyMomentum.self, ApplyAdam.self, ApplyRMSProp.self,
        ApplyAdagrad.self, Sin.self, Cos.self, // Adagrad; Sin/Cos (Ops/Math/Trigonometric.swift) for cosineDecay
    ] + mathFamily + arrayFamily + nnFamily + controlFlowFamily + listFamily

    /// Internal ops the plan's rewrite rules emit (TF's names; they never appear in a user's graph or a GraphDef).
    nonisolated(unsafe) public static let internalOps: [any Op.Type] = [FusedConv2D.self, FusedMatMul.self, FusedMaxPoolGrad.self, FusedConv2DMaxPool.self, FusedDepthwiseConv2dNative.self,
                                                                        FusedConv2DMaxPoolWithArgmax.self]

    /// Op types by wire name.
    nonisolated(unsafe) public static let byName: [String: any Op.Type] = Dictionary(uniqueKeysWithValues: all.map { ($0.wireName, $0) })
}
