/// Build-time constant folding: when every input of a pure node is known while building, its real
/// kernel computes its outputs right away, so shape inference downstream sees values instead of
/// unknowns — Keras's `Shape → StridedSlice → Pack → Reshape` chains give full static shapes — and
/// plans take those values as constants (the fold pass of `ExecutionPlan`).
///
/// Values are computed when a node is added, from values already known for its inputs, so looking
/// one up never recurses. Only small values are kept (shape and index arithmetic, not weights).
extension Graph {
    /// Values with more elements than this are neither folded nor kept.
    static let foldedElementLimit = 4096

    /// The value of an endpoint when it is known while building.
    func constantValue(of endpoint: Endpoint) -> Tensor? {
        foldedValues[endpoint.node].flatMap { endpoint.index < $0.count ? $0[endpoint.index] : nil }
    }

    /// Records the values of `node` when they are known: a Const, the Shape of a fully known shape,
    /// or a pure op whose inputs are all known (computed with its kernel).
    func fold(_ node: Node) {
        if node.op == Const.self {
            let value = node.attributes(Const.self).value
            if value.count <= Graph.foldedElementLimit { foldedValues[node.id] = [value] }
            return
        }
        if node.op == Shape.self, let dims = nodes[node.inputs[0].node].outputs[node.inputs[0].index].shape.concrete {
            if node.attributes(Shape.self).outType == .int64 {
                foldedValues[node.id] = [Tensor(dims.map(Int64.init))]
            } else if dims.allSatisfy({ Int32(exactly: $0) != nil }) {
                // A dimension past Int32.max (a zero-element [0, 2^33] placeholder) has no int32 value: not folded.
                foldedValues[node.id] = [Tensor(dims.map(Int32.init))]
            }
            return
        }
        // A PlaceholderWithDefault may be fed, a stateful op (random, variables) must run: neither folds.
        guard !node.inputs.isEmpty, !node.op.isStateful, node.op.refInputs.isEmpty, node.op != PlaceholderWithDefault.self,
              node.controlInputs.isEmpty else { return }
        // Only small, fully known outputs are computed: a tiny graph must not make building allocate
        // gigabytes (a Fill or BroadcastTo of huge constant dimensions runs only when the graph runs).
        guard node.outputs.allSatisfy({ ($0.shape.elementCount ?? Int.max) <= Graph.foldedElementLimit }) else { return }
        var inputs: [Tensor] = []
        for endpoint in node.inputs {
            guard let value = constantValue(of: endpoint) else { return }
            inputs.append(value)
        }
        // The context holds its state and pool unowned: they live until the end of this scope.
        let state = SessionState(graph: self), pool = BufferPool()
        let context = KernelContext(node: node, refVariables: [:], state: state, pool: pool)
        context.inputs = inputs
        // A kernel error here (say, an impossible reshape) is reported when the graph runs, where it happens.
        let computed = withExtendedLifetime((state, pool)) { (try? node.op.compute(context)) != nil }
        guard computed,
              context.outputs.allSatisfy({ $0.count <= Graph.foldedElementLimit && $0.storage !== Tensor.empty.storage }) else { return }
        foldedValues[node.id] = context.outputs.map { $0.copy() }
    }
}
