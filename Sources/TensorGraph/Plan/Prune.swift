/// Pass 1 of plan compilation: the nodes a (feeds, fetches, targets) signature needs, as a `PlanGraph`.
extension PlanGraph {
    /// Walks back from fetches and targets (through data and control edges, stopping at feeds), and
    /// lists what they need in node-id order, which is a topological order because the user's graph
    /// is append-only. Variables and fed placeholders become plan inputs; an unfed placeholder that is
    /// needed is a `missingFeed` error.
    init(pruning graph: Graph, key: PlanKey) throws {
        let fed = Dictionary(uniqueKeysWithValues: key.feeds.enumerated().map { ($1, $0) })
        var needed = Set<Int>(), anchored = Set<Int>()
        var stack = key.fetches.filter { fed[$0] == nil }.map(\.node) + key.targets
        while let id = stack.popLast() {
            guard needed.insert(id).inserted else { continue }
            let node = graph.nodes[id]
            for endpoint in node.inputs where fed[endpoint] == nil { stack.append(endpoint.node) }
            stack.append(contentsOf: node.controlInputs)
            anchored.formUnion(node.controlInputs)
        }

        var index: [Int: Int] = [:]   // node id → plan node
        var nodes: [PlanNode] = []
        func input(for endpoint: Endpoint, asReference: Bool) throws -> Input {
            if let k = fed[endpoint] { return .feed(k) }
            let producer = graph.nodes[endpoint.node]
            if producer.op == VariableV2.self { return asReference ? .reference(producer.id) : .variable(producer.id) }
            if producer.op == Placeholder.self { throw TensorGraphError.missingFeed(placeholder: producer.name) }
            guard let p = index[endpoint.node] else {
                throw TensorGraphError.invalidArgument("internal: \(producer.name) scheduled after its consumer")
            }
            return .value(Value(node: p, output: endpoint.index))
        }
        for id in needed.sorted() {
            let node = graph.nodes[id]
            if node.op == VariableV2.self { continue }
            if node.op == Placeholder.self {
                // Needed only through a control edge or a fed sibling output: still must be fed.
                if !node.outputs.indices.contains(where: { fed[Endpoint(node: id, index: $0)] != nil }) {
                    throw TensorGraphError.missingFeed(placeholder: node.name)
                }
                continue
            }
            let refs = node.op.refInputs
            let inputs = try node.inputs.enumerated().map { try input(for: $1, asReference: refs.contains($0)) }
            index[id] = nodes.count
            nodes.append(PlanNode(node: node, inputs: inputs))
        }
        self.graph = graph
        self.nodes = nodes
        fetches = try key.fetches.map { try input(for: $0, asReference: false) }
        targets = Set(key.targets.compactMap { index[$0] })
        anchors = Set(anchored.compactMap { index[$0] })
        feedSpecs = key.feeds.map { graph.nodes[$0.node].outputs[$0.index] }
    }
}
