/// What a gradient rule sees: the forward node, its inputs and outputs as symbolic
/// tensors, and the incoming gradient of each output.
public struct GradientContext {
    /// The graph the gradient nodes are added to (the forward node's graph), under a `<node>_grad` name scope.
    public let graph: Graph
    /// The forward node being differentiated.
    public let node: Node
    let outputGradients: [Output?]

    /// Forward input `i`.
    public func input(_ i: Int) -> Output {
        let e = node.inputs[i]
        return Output(graph: graph, node: graph.nodes[e.node], index: e.index)
    }

    /// Forward output `i` (rules reuse it: `exp`'s gradient multiplies by its output).
    public func output(_ i: Int = 0) -> Output { Output(graph: graph, node: node, index: i) }

    /// The gradient arriving at output `i`; zeros when nothing downstream depends on it.
    public func grad(_ i: Int = 0) throws -> Output {
        if let g = outputGradients[i] { return g }
        return try graph.zerosLike(output(i))
    }

    /// The gradient at output `i`, or nil when none arrives.
    public func gradIfPresent(_ i: Int) -> Output? { outputGradients[i] }

    /// The forward node's attributes as op `O` declares them.
    public func attributes<O: Op>(_ op: O.Type) -> O.Attrs { node.attributes(op) }
}
