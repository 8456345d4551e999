/// The gradient of `If`/`StatelessIf`, as TF's `_IfGrad`: an `If` on the same predicate whose branches
/// are the gradient functions of the forward branches.
///
/// TF's gradient branches read the forward branches' intermediates, which the forward `If` exposes as
/// extra outputs. Here each gradient branch instead recomputes its forward branch from the same inputs
/// (inlined into the gradient function) and differentiates that copy: the forward graph stays as
/// built, at the cost of running the taken branch twice.
///
/// Gradient branch of `f`: `(x…, dy…) → dx…` with `dx_i = ∂(Σ_j dy_j · f_j(x))/∂x_i` for each float
/// input (zeros where `f` does not depend on it); the predicate and integer inputs get none.
func ifGradient(_ ctx: GradientContext) throws -> [Output?] {
    let g = ctx.graph, node = ctx.node
    let a = node.attributes(StatelessIf.self)
    let inputs = (1..<node.inputs.count).map { ctx.input($0) }
    let differentiable = inputs.indices.filter { inputs[$0].dtype == .float || inputs[$0].dtype == .double }
    let floatOutputs = node.outputs.indices.filter { node.outputs[$0].dtype == .float || node.outputs[$0].dtype == .double }
    guard !differentiable.isEmpty, !floatOutputs.isEmpty else { return Array(repeating: nil, count: node.inputs.count) }
    let outputGradients = try floatOutputs.map { try ctx.grad($0) }

    func gradientFunction(_ forward: FunctionReference) throws -> GraphFunction {
        guard let function = g.library.function(named: forward.name) else {
            throw TensorGraphError.invalidArgument("[\(node.opName)] node '\(node.name)': function '\(forward.name)' is not in the library")
        }
        let captures = FunctionCaptures()
        let body = g.makeFunctionBody(captures: captures)
        let xs = try function.arguments.map { try body.placeholder($0.dtype, shape: $0.shape, name: "x") }
        let dys = try outputGradients.map { try body.placeholder($0.dtype, shape: $0.shape, name: "dy") }
        let ys = try body.inline(function, arguments: xs)
        let grads = try body.gradients(of: floatOutputs.map { ys[$0] }, with: differentiable.map { xs[$0] }, gradYs: dys)
        let results = try zip(differentiable, grads).map { i, grad in try grad ?? body.zerosLike(xs[i]) }
        return try g.addFunction(forward.name + "_grad", body: body, captures: captures, leading: xs + dys, inputs: [], results: results)
    }
    let thenGradient = try gradientFunction(a.thenBranch), elseGradient = try gradientFunction(a.elseBranch)
    let stateful = thenGradient.isStateful || elseGradient.isStateful
    let attrs: Attributes = ["Tout": .types(differentiable.map { inputs[$0].dtype }),
                             "then_branch": .function(FunctionReference(thenGradient.name)),
                             "else_branch": .function(FunctionReference(elseGradient.name))]
    let gradientNode = try g.addNode(stateful ? If.self : StatelessIf.self, name: "If_grad", inputs: [ctx.input(0)] + inputs + outputGradients,
                                     attrs: attrs)
    var result: [Output?] = Array(repeating: nil, count: node.inputs.count)
    for (k, i) in differentiable.enumerated() { result[1 + i] = Output(graph: g, node: gradientNode, index: k) }
    return result
}

extension Graph {
    /// Copies `function`'s body into this graph with `arguments` in place of its argument placeholders
    /// and returns the copies of its results (names made unique under the current scope).
    func inline(_ function: GraphFunction, arguments: [Output]) throws -> [Output] {
        try inlineCopies(function, arguments: arguments).results
    }

    /// `inline`, also returning the copy of each body node by its id in `function.graph`.
    func inlineCopies(_ function: GraphFunction, arguments: [Output]) throws -> (results: [Output], copies: [Int: Node]) {
        guard arguments.count == function.arguments.count else {
            throw TensorGraphError.invalidArgument("inlining '\(function.name)': \(arguments.count) arguments for \(function.arguments.count)")
        }
        var mapped: [Endpoint: Output] = [:]
        for (placeholder, value) in zip(function.arguments, arguments) { mapped[placeholder.endpoint] = try captured(value) }
        let argumentNodes = Set(function.arguments.map(\.node.id))
        let copies = try graft(function.graph.nodes.map(\.id).filter { !argumentNodes.contains($0) }, of: function.graph, mapped: mapped)
        let results = try function.results.map { r -> Output in
            if let value = mapped[r.endpoint] { return value }
            guard let copy = copies[r.node.id] else {
                throw TensorGraphError.invalidArgument("inlining '\(function.name)': result '\(r.name)' is not in its body")
            }
            return Output(graph: self, node: copy, index: r.index)
        }
        return (results, copies)
    }

    /// Copies nodes `ids` of `source` (ascending, so inputs come first) into this graph; an input
    /// outside `ids` takes its value from `mapped`. Control inputs on nodes not copied are dropped.
    /// Returns the copies by source node id.
    func graft(_ ids: [Int], of source: Graph, mapped: [Endpoint: Output]) throws -> [Int: Node] {
        var copies: [Int: Node] = [:]
        func endpoint(_ e: Endpoint) throws -> Endpoint {
            if let value = mapped[e] { return value.endpoint }
            guard let copy = copies[e.node] else {
                throw TensorGraphError.invalidArgument("copying '\(source.nodes[e.node].name)': an input is neither copied nor given")
            }
            return Endpoint(node: copy.id, index: e.index)
        }
        for id in ids {
            let node = source.nodes[id]
            let inputs = try node.inputs.map(endpoint)
            let control = node.controlInputs.compactMap { copies[$0]?.id }
            copies[id] = try addNode(node.op, exactName: uniqueName(node.name), inputs: inputs, attrs: node.attrs,
                                     controlInputs: control, location: node.location)
        }
        return copies
    }
}
