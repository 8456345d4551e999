/// MatMul → BiasAdd (→ Relu | Relu6) becomes `_FusedMatMul(fused_ops: [BiasAdd, activation])`: the bias
/// and activation are applied to row blocks right after the GEMM, while the output is in cache.
extension RewriteRules {
    static let denseEpilogue = RewriteRule(name: "MatMul+BiasAdd[+activation] → _FusedMatMul", root: BiasAdd.wireName) { plan, b in
        try plan.fuseBiasEpilogue(into: FusedMatMul.self, from: MatMul.self, biasAdd: b) { product, activation in
            FusedMatMul.Attrs(matMul: product.attributes(MatMul.self), numArgs: 1, fusedOps: FusedEpilogue(activation: activation).fusedOps)
        }
    }
}
