extension Graph {
    /// A self-contained inference graph: variables become `Const` nodes holding their current values
    /// in `session`, and only what `outputs` need is kept (training ops, optimizer slots and
    /// initializers are dropped). Node names are unchanged, so the same tensor names work.
    ///
    /// With `foldingBatchNorms`, inference batch norms after convolutions and MatMuls are then folded into
    /// their weights and a `BiasAdd` (TF's `optimize_for_inference`; see `foldingBatchNorms(preserving:)`), so
    /// the written GraphDef has no `FusedBatchNorm*` left where the pattern holds. A batch norm whose mode is
    /// chosen at run time (a `SelectV2` on a fed `training` flag) is not in inference mode and stays.
    public func freeze(_ session: Session, outputs: [Output], foldingBatchNorms: Bool) throws -> Graph {
        let frozen = try freeze(session, outputs: outputs)
        guard foldingBatchNorms else { return frozen }
        return try frozen.foldingBatchNorms(preserving: outputs.map(\.node.name)).graph
    }

    /// `freeze(_:outputs:foldingBatchNorms:)` without folding: the variables' values as constants, nothing else changed.
    public func freeze(_ session: Session, outputs: [Output]) throws -> Graph {
        for o in outputs where o.graph !== self { throw TensorGraphError.foreignGraph("freeze output '\(o.name)'") }
        guard session.graph === self else { throw TensorGraphError.foreignGraph("the session passed to freeze") }
        var needed = Set<Int>()
        var stack = outputs.map(\.node.id)
        while let id = stack.popLast() {
            guard needed.insert(id).inserted else { continue }
            stack += nodes[id].inputs.map(\.node) + nodes[id].controlInputs
        }
        let frozen = Graph()
        frozen.randomSeed = randomSeed
        // Functions (cond and loop bodies) capture outer tensors as inputs, so they hold no variables of their own.
        frozen.library = library
        var newID: [Int: Int] = [:]
        for id in needed.sorted() {
            let node = nodes[id]
            var op: any Op.Type = node.op
            var attrs = node.attrs
            if node.op == VariableV2.self {
                guard let value = session.state.variables[id] else { throw TensorGraphError.uninitializedVariable(name: node.name) }
                op = Const.self
                attrs = Const.attributes(value.copy())
            } else if node.op.refInputs.contains(where: { nodes[node.inputs[$0].node].op == VariableV2.self }) {
                throw TensorGraphError.invalidArgument("cannot freeze: output depends on '\(node.name)' (\(node.opName)), which updates a variable")
            }
            let copy = try frozen.addNode(op, exactName: node.name,
                                          inputs: node.inputs.map { Endpoint(node: newID[$0.node]!, index: $0.index) },
                                          attrs: attrs, controlInputs: node.controlInputs.map { newID[$0]! }, location: node.location)
            newID[id] = copy.id
        }
        return frozen
    }
}
