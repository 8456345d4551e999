/// The graph a plan is compiled from: the nodes one (feeds, fetches, targets) signature needs, in an
/// order where every node comes after its inputs, with inputs resolved to feeds, variables and
/// constants. Rewrite rules edit this copy; the user's `Graph` is never changed.
struct PlanGraph {
    /// One output of one plan node (index into `nodes`).
    struct Value: Hashable {
        let node: Int
        let output: Int
    }

    /// Where a plan node's input comes from.
    enum Input: Equatable {
        /// Output of another plan node.
        case value(Value)
        /// The fed tensor at this position of the run's sorted feeds.
        case feed(Int)
        /// The current value of a variable (its node id in the user's graph).
        case variable(Int)
        /// A variable itself, for a `Ref(T)` input.
        case reference(Int)
        /// A tensor known when the plan is built.
        case constant(Tensor)

        var value: Value? { if case .value(let v) = self { return v } else { return nil } }
    }

    struct PlanNode {
        var node: Node
        var inputs: [Input]
        /// Removed by a rewrite (or found unused): scheduled no more.
        var isDead = false
    }

    let graph: Graph
    var nodes: [PlanNode]
    var fetches: [Input]
    /// Plan nodes that are run targets: never removed or folded into another node.
    var targets: Set<Int>
    /// Plan nodes other nodes wait for through control edges (`tf.tuple`'s gates, `group`): kept by
    /// dead-node elimination, but a rule may fold a pure one into a fusion that computes it earlier.
    var anchors: Set<Int>
    /// The spec of each fed endpoint, by feed position.
    let feedSpecs: [TensorSpec]

    /// How many inputs of live nodes, and fetches, read `value`.
    func readers(of value: Value) -> Int {
        var count = fetches.filter { $0 == .value(value) }.count
        for n in nodes where !n.isDead { count += n.inputs.filter { $0 == .value(value) }.count }
        return count
    }

    /// The live nodes reading `value`, by index.
    func consumers(of value: Value) -> [Int] {
        nodes.indices.filter { !nodes[$0].isDead && nodes[$0].inputs.contains(.value(value)) }
    }

    /// The live node producing `input` when it is op `O`'s output.
    func producer<O: Op>(of input: Input, _ op: O.Type) -> Int? {
        guard let v = input.value, !nodes[v.node].isDead, nodes[v.node].node.op == op else { return nil }
        return v.node
    }

    /// Whether `value` has exactly one reader and its node is not a target (so a rule may fold the
    /// producer into that reader: no fetch, no other consumer sees the intermediate).
    func feedsOnlyOne(_ value: Value) -> Bool { readers(of: value) == 1 && !targets.contains(value.node) }

    /// The one live consumer of `value`, when it is op `O` and `value` feeds nothing else.
    func soleConsumer<O: Op>(of value: Value, _ op: O.Type) -> Int? {
        guard feedsOnlyOne(value), let c = consumers(of: value).first, nodes[c].node.op == op, !targets.contains(c) else { return nil }
        return c
    }

    /// The input spec of `input` (for building replacement nodes).
    func spec(of input: Input) -> TensorSpec {
        switch input {
        case .value(let v): return nodes[v.node].node.outputs[v.output]
        case .feed(let k): return feedSpecs[k]
        case .variable(let id), .reference(let id): return graph.nodes[id].outputs[0]
        case .constant(let t): return TensorSpec(t.dtype, TensorShape(t.shape))
        }
    }

    /// Builds the plan-only node that replaces `index` (named after it, so errors name the user's node).
    func makeNode<O: Op>(_ op: O.Type, replacing index: Int, _ attributes: O.Attrs, inputs: [Input]) throws -> Node {
        let original = nodes[index].node
        return try Node.planInternal(op, name: original.name, attributes: attributes, inputs: inputs.map(spec(of:)),
                                     in: graph, location: original.location)
    }

    /// Replaces node `index` by `node` reading `inputs`; its readers read the new node's outputs.
    mutating func replace(_ index: Int, with node: Node, inputs: [Input]) {
        nodes[index] = PlanNode(node: node, inputs: inputs)
    }

    /// Makes every reader (and fetch) of `old` read `new` instead.
    mutating func redirect(_ old: Value, to new: Value) {
        for i in nodes.indices where !nodes[i].isDead {
            for j in nodes[i].inputs.indices where nodes[i].inputs[j] == .value(old) { nodes[i].inputs[j] = .value(new) }
        }
        for j in fetches.indices where fetches[j] == .value(old) { fetches[j] = .value(new) }
    }

    /// The invariant every pass keeps and the scheduler relies on: each live node reads only live
    /// nodes listed before it (a topological order), and every output it reads exists.
    func verify(after pass: String) throws {
        func check(_ input: Input, reader: Int?) throws {
            guard let v = input.value else { return }
            let name = reader.map { nodes[$0].node.name } ?? "a fetch"
            guard v.node < (reader ?? nodes.count), !nodes[v.node].isDead, v.output < nodes[v.node].node.outputs.count else {
                throw TensorGraphError.invalidArgument("internal: after \(pass), \(name) reads \(nodes[v.node].node.name):\(v.output), "
                                                       + "which is removed, later in the plan, or missing")
            }
        }
        for i in nodes.indices where !nodes[i].isDead { for input in nodes[i].inputs { try check(input, reader: i) } }
        for f in fetches { try check(f, reader: nil) }
    }

    /// Removes node `index` from the plan (its work is done elsewhere now).
    mutating func kill(_ index: Int) { nodes[index].isDead = true }

    /// Pass 2: nodes whose values the graph folded while building become constants for their readers
    /// (and fetches); the nodes themselves then go unread and are removed.
    mutating func foldConstants() {
        // One pass to find the folded nodes, one over every input: linear in the plan's size (a 30,000-node
        // chain of folded Identities took seconds when each folded node scanned every node's inputs).
        var folded: [Int: [Tensor]] = [:]
        for i in nodes.indices where !nodes[i].isDead && !targets.contains(i) && !anchors.contains(i) {
            guard let values = graph.foldedValues[nodes[i].node.id], nodes[i].node.id >= 0 else { continue }
            folded[i] = values
        }
        guard !folded.isEmpty else { return }
        func constant(_ input: Input) -> Input? {
            guard let v = input.value, let values = folded[v.node], v.output < values.count else { return nil }
            return .constant(values[v.output])
        }
        for j in nodes.indices where !nodes[j].isDead && folded[j] == nil {
            for k in nodes[j].inputs.indices { if let c = constant(nodes[j].inputs[k]) { nodes[j].inputs[k] = c } }
        }
        for k in fetches.indices { if let c = constant(fetches[k]) { fetches[k] = c } }
        for i in folded.keys { nodes[i].isDead = true }
    }

    /// Removes nodes nothing reads any more (a rewrite's leftovers), keeping targets and stateful ops.
    mutating func eliminateDeadNodes() {
        var read = Set<Int>()
        for f in fetches { if let v = f.value { read.insert(v.node) } }
        for i in nodes.indices.reversed() where !nodes[i].isDead {
            guard read.contains(i) || targets.contains(i) || anchors.contains(i) || nodes[i].node.op.isStateful else {
                nodes[i].isDead = true
                continue
            }
            for input in nodes[i].inputs { if let v = input.value { read.insert(v.node) } }
        }
    }
}
