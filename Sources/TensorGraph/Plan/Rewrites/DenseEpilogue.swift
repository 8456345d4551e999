/// MatMul → BiasAdd (→ Relu | Relu6) becomes `_FusedMatMul(fused_ops: [BiasAdd, activation])`: the bias
/// and activation are applied to row blocks right after the GEMM, while the output is in cache.
extension RewriteRules {
    static let denseEpilogue = RewriteRule(name: "MatMul+BiasAdd[+activation] → _FusedMatMul", root: BiasAdd.wireName) { plan, b in
        guard let m = plan.producer(of: plan.nodes[b].inputs[0], MatMul.self), plan.feedsOnlyOne(.init(node: m, output: 0)) else { return false }
        let (activation, last) = plan.fusibleActivation(after: b)
        let attributes = FusedMatMul.Attrs(matMul: plan.nodes[m].node.attributes(MatMul.self), numArgs: 1,
                                           fusedOps: FusedEpilogue(activation: activation).fusedOps)
        let inputs = plan.nodes[m].inputs + [plan.nodes[b].inputs[1]]
        plan.replace(last, with: try plan.makeNode(FusedMatMul.self, replacing: last, attributes, inputs: inputs), inputs: inputs)
        plan.kill(m)
        if last != b { plan.kill(b) }
        return true
    }
}
