/// An inference batch norm after a constant-filter Conv2D, DepthwiseConv2dNative or MatMul folds into the filter
/// and a BiasAdd (see `BatchNormFold`), so frozen graphs — TensorFlow's included — run one op fewer per layer,
/// and the epilogue rules after it fuse the convolution, the new BiasAdd and a Relu into `_FusedConv2D`.
/// Training graphs never match: their filters are variables and their batch norms train.
extension RewriteRules {
    static let batchNormFolding: [RewriteRule] = ["FusedBatchNorm", "FusedBatchNormV2", "FusedBatchNormV3", "AddV2", "Add"].map { root in
        RewriteRule(name: "\(root) after a constant-filter Conv2D|DepthwiseConv2dNative|MatMul → folded filter + BiasAdd", root: root) { plan, r in
            guard let fold = BatchNormFolding.match(PlanFoldingView(plan: plan), root: r) else { return false }
            let p = fold.producer
            plan.nodes[p].inputs[1] = .constant(fold.filter)
            if let reshape = fold.reshape, fold.biasAdd != nil { plan.nodes[reshape].inputs[0] = .value(.init(node: p, output: 0)) }
            for k in [fold.biasAdd].compactMap({ $0 }) + fold.removed { plan.kill(k) }
            var attributes = BiasAttributes()
            attributes.T = fold.bias.dtype
            let inputs: [PlanGraph.Input] = [.value(.init(node: fold.reshape ?? p, output: 0)), .constant(fold.bias)]
            plan.replace(r, with: try plan.makeNode(BiasAdd.self, replacing: r, attributes, inputs: inputs), inputs: inputs)
            return true
        }
    }
}

/// A plan graph seen by the matcher: constants are folded inputs or live `Const` nodes (through Identity);
/// fetches, run targets and control-edge anchors count as readers.
private struct PlanFoldingView: BatchNormFoldingView {
    let plan: PlanGraph

    func node(_ index: Int) -> Node { plan.nodes[index].node }
    func inputs(of index: Int) -> [PlanGraph.Input] { plan.nodes[index].inputs }
    func spec(of reference: PlanGraph.Input) -> TensorSpec { plan.spec(of: reference) }

    func producer(ofFirstOutput reference: PlanGraph.Input) -> Int? {
        guard let v = reference.value, v.output == 0, !plan.nodes[v.node].isDead else { return nil }
        return v.node
    }

    func constant(_ reference: PlanGraph.Input) -> Tensor? {
        if case .constant(let value) = reference { return value }
        guard let v = reference.value, !plan.nodes[v.node].isDead else { return nil }
        let node = plan.nodes[v.node]
        if node.node.op == Const.self { return node.node.attributes(Const.self).value }
        if node.node.op == Identity.self { return constant(node.inputs[0]) }
        return nil
    }

    func hasSoleReader(_ index: Int) -> Bool {
        plan.feedsOnlyOne(.init(node: index, output: 0)) && !plan.anchors.contains(index) && onlyFirstOutputUsed(index)
    }

    func onlyFirstOutputUsed(_ index: Int) -> Bool {
        !plan.targets.contains(index) && plan.nodes[index].node.outputs.indices.dropFirst().allSatisfy { plan.readers(of: .init(node: index, output: $0)) == 0 }
    }
}
