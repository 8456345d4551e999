/// Nodes that exist only in a plan: what rewrite rules emit (`_FusedConv2D`, `MaxPoolWithArgmax`, ...).
///
/// They are built like the graph's own nodes — attributes decoded and validated against the op's
/// schema, outputs inferred — but never added to the user's graph, which always saves as TF's ops.
extension Node {
    /// A node of op `O` over inputs with these specs, for a plan (id −1, not in any graph).
    static func planInternal<O: Op>(_ op: O.Type, name: String, attributes: O.Attrs, inputs: [TensorSpec],
                                    in graph: Graph, location: SourceLocation?) throws -> Node {
        let fail = { (message: String) in TensorGraphError.invalidGraph(op: op.wireName, node: name, message: message, location: location) }
        let (decoded, complete) = try op.decodeAttributes(op.builderAttributes(attributes), inputs: inputs, fail: fail)
        let context = InferenceContext(opName: op.wireName, nodeName: name, inputs: inputs, attrs: complete, decoded: decoded,
                                       inputEndpoints: [], graph: graph, location: location)
        let outputs = try op.inferOutputs(context)
        return Node(id: -1, name: name, op: op, attrs: complete, decodedAttributes: decoded, inputs: [], controlInputs: [],
                    outputs: outputs, location: location)
    }
}
