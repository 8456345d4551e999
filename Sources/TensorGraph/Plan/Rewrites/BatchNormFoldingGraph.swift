extension Graph {
    /// A copy of this inference graph with every foldable batch norm folded into the convolution or MatMul
    /// before it (TF's `optimize_for_inference` `fold_batch_norms`; see `BatchNormFold` for the pattern).
    ///
    /// Each `FusedBatchNorm`/`V2`/`V3` with `is_training` false — or `x * s + t` with per-channel constants, the
    /// form `tf.nn.batch_normalization` writes — after a `Conv2D`, `DepthwiseConv2dNative` or `MatMul` (optionally
    /// through a `BiasAdd`, and a `Reshape` that keeps the last dimension) whose filter and parameters are
    /// constants becomes that op with a rescaled filter `Const` (`<op>_bn_weights`) and a `BiasAdd` named after
    /// the batch norm reading a `Const` bias (`<op>_bn_offset`), so the same tensor names still work. Nodes only
    /// the fold read (the old weights, the statistics) are dropped; everything else is copied unchanged. Outputs
    /// agree with the unfolded graph to rounding (about 1e-6 relative in float32).
    ///
    /// - Parameter outputs: node names whose outputs are fetched: a fold never removes one of them (an
    ///   intermediate the caller fetches stays).
    /// - Returns: the folded graph and how many batch norms were folded. A batch norm whose statistics are not
    ///   constants (variables, placeholders, training mode) is left as it is.
    public func foldingBatchNorms(preserving outputs: [String] = []) throws -> (graph: Graph, folded: Int) {
        let view = GraphFoldingView(graph: self, preserved: Set(outputs))
        var folds: [Int: BatchNormFold] = [:]   // by root
        var claimed = Set<Int>()
        for node in nodes {
            guard let fold = BatchNormFolding.match(view, root: node.id) else { continue }
            let members = [fold.root, fold.producer] + [fold.biasAdd, fold.reshape].compactMap { $0 } + fold.removed
            guard claimed.isDisjoint(with: members) else { continue }
            claimed.formUnion(members)
            folds[node.id] = fold
        }
        let byProducer = Dictionary(uniqueKeysWithValues: folds.values.map { ($0.producer, $0) })
        let byReshape = Dictionary(uniqueKeysWithValues: folds.values.compactMap { f in f.reshape.map { ($0, f) } })
        let dropped = Set(folds.values.flatMap { f in [f.biasAdd].compactMap { $0 } + f.removed })

        // The data inputs each kept node reads after folding (the new constants are not nodes yet).
        func rewiredInputs(_ id: Int) -> [Endpoint] {
            if let fold = folds[id] { return [Endpoint(node: fold.reshape ?? fold.producer, index: 0)] }
            if byProducer[id] != nil { return [nodes[id].inputs[0]] }
            if let fold = byReshape[id], fold.biasAdd != nil { return [Endpoint(node: fold.producer, index: 0)] + nodes[id].inputs.dropFirst() }
            return nodes[id].inputs
        }
        // Kept: what the original graph's sinks, the preserved outputs and stateful ops still reach.
        var read = Set<Int>()
        for node in nodes { read.formUnion(node.inputs.map(\.node)); read.formUnion(node.controlInputs) }
        var live = Set<Int>()
        var stack = nodes.filter { !read.contains($0.id) || view.preserved.contains($0.name) || $0.op.isStateful }.map(\.id)
        while let id = stack.popLast() {
            guard !dropped.contains(id), live.insert(id).inserted else { continue }
            stack += rewiredInputs(id).map(\.node) + nodes[id].controlInputs
        }

        let folded = Graph()
        folded.randomSeed = randomSeed
        folded.library = library
        var newID: [Int: Int] = [:]
        func endpoint(_ e: Endpoint) -> Endpoint { Endpoint(node: newID[e.node] ?? -1, index: e.index) }
        func freshName(_ base: String) -> String {
            var name = base, k = 1
            while node(named: name) != nil || folded.node(named: name) != nil { name = "\(base)_\(k)"; k += 1 }
            return name
        }
        func constant(_ value: Tensor, named base: String, location: SourceLocation?) throws -> Endpoint {
            let node = try folded.addNode(Const.self, exactName: freshName(base), inputs: [], attrs: Const.attributes(value),
                                          controlInputs: [], location: location)
            return Endpoint(node: node.id, index: 0)
        }
        for id in live.sorted() {
            let node = nodes[id]
            var inputs = rewiredInputs(id).map(endpoint)
            var op = node.op, attrs = node.attrs
            if let fold = byProducer[id] {
                inputs.append(try constant(fold.filter, named: node.name + "_bn_weights", location: node.location))
            }
            if let fold = folds[id] {
                inputs.append(try constant(fold.bias, named: nodes[fold.producer].name + "_bn_offset", location: node.location))
                op = BiasAdd.self
                var bias = BiasAttributes()
                bias.T = fold.bias.dtype
                attrs = BiasAdd.builderAttributes(bias)
            }
            let copy = try folded.addNode(op, exactName: node.name, inputs: inputs, attrs: attrs,
                                          controlInputs: node.controlInputs.compactMap { newID[$0] }, location: node.location)
            newID[id] = copy.id
        }
        return (folded, folds.count)
    }
}

/// The user's graph seen by the matcher: readers counted over data and control edges, preserved names never folded away.
private struct GraphFoldingView: BatchNormFoldingView {
    let graph: Graph
    let preserved: Set<String>
    private let readers: [Endpoint: Int]
    private let controlled: Set<Int>

    init(graph: Graph, preserved: Set<String>) {
        self.graph = graph
        self.preserved = preserved
        var readers: [Endpoint: Int] = [:], controlled = Set<Int>()
        for node in graph.nodes {
            for input in node.inputs { readers[input, default: 0] += 1 }
            controlled.formUnion(node.controlInputs)
        }
        self.readers = readers
        self.controlled = controlled
    }

    func node(_ index: Int) -> Node { graph.nodes[index] }
    func inputs(of index: Int) -> [Endpoint] { graph.nodes[index].inputs }
    func producer(ofFirstOutput reference: Endpoint) -> Int? { reference.index == 0 ? reference.node : nil }
    func spec(of reference: Endpoint) -> TensorSpec { graph.nodes[reference.node].outputs[reference.index] }

    func constant(_ reference: Endpoint) -> Tensor? {
        let node = graph.nodes[reference.node]
        if node.op == Const.self { return node.attributes(Const.self).value }
        if node.op == Identity.self, node.controlInputs.isEmpty { return constant(node.inputs[0]) }
        return graph.constantValue(of: reference)
    }

    func hasSoleReader(_ index: Int) -> Bool {
        readers[Endpoint(node: index, index: 0)] == 1 && !preserved.contains(graph.nodes[index].name) && !controlled.contains(index)
            && onlyFirstOutputUsed(index)
    }

    /// The root keeps its name (the BiasAdd takes it), so a preserved or control-edge root may still fold.
    func onlyFirstOutputUsed(_ index: Int) -> Bool {
        graph.nodes[index].outputs.indices.dropFirst().allSatisfy { readers[Endpoint(node: index, index: $0)] == nil }
    }
}
