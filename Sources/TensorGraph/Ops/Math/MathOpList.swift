extension OpRegistry {
    /// The Math ops added for graphrun's coverage and training breadth (issues 12 and 13), in this folder.
    nonisolated(unsafe) static let mathFamily: [any Op.Type] = [
        // Unary, with their gradient ops
        Rsqrt.self, RsqrtGrad.self, Reciprocal.self, ReciprocalGrad.self, Erf.self, Erfc.self, Log1p.self, Expm1.self,
        Floor.self, Ceil.self, Round.self,
        Elu.self, EluGrad.self, Selu.self, SeluGrad.self, LeakyRelu.self, LeakyReluGrad.self,
        Softplus.self, SoftplusGrad.self, Softsign.self, SoftsignGrad.self,
        // Logic
        LogicalNot.self, LogicalAnd.self, LogicalOr.self, Select.self, SelectV2.self,
        // Binary broadcasting
        SquaredDifference.self, Pow.self, FloorDiv.self, FloorMod.self,
        // Reductions and products
        ReduceAll.self, ReduceAny.self, ArgMin.self, BatchMatMulV2.self,
        // Contractions and matrix structure (issue 16: the sequence-model and transformer conformance suite)
        Einsum.self, MatrixBandPart.self,
        // Array ops TF1 gradient graphs hold (kept here: the Array list is another family's)
        DynamicStitch.self, StridedSliceGrad.self,
    ]
}
