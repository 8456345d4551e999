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
        guard arguments.count == function.arguments.count else {
            throw TensorGraphError.invalidArgument("inlining '\(function.name)': \(arguments.count) arguments for \(function.arguments.count)")
        }
        var mapped: [Int: Output] = [:]   // body node id → (for arguments) the value given
        for (placeholder, value) in zip(function.arguments, arguments) { mapped[placeholder.node.id] = try captured(value) }
        var copies: [Int: Node] = [:]
        func endpoint(_ e: Endpoint) throws -> Endpoint {
            if let value = mapped[e.node] { return value.endpoint }
            guard let copy = copies[e.node] else { throw TensorGraphError.invalidArgument("inlining '\(function.name)': node order") }
            return Endpoint(node: copy.id, index: e.index)
        }
        for node in function.graph.nodes where mapped[node.id] == nil {
            let inputs = try node.inputs.map(endpoint)
            let control = node.controlInputs.compactMap { copies[$0]?.id }
            copies[node.id] = try addNode(node.op, exactName: uniqueName(node.name), inputs: inputs, attrs: node.attrs,
                                          controlInputs: control, location: node.location)
        }
        return try function.results.map { r in
            let e = try endpoint(r.endpoint)
            return Output(graph: self, node: nodes[e.node], index: e.index)
        }
    }
}

/// The gradient of `While`/`StatelessWhile` for loops of any (run-time) trip count.
///
/// TF2 makes the forward loop push every intermediate the gradient needs onto TensorLists. Here the
/// gradient adds a second forward loop that runs the same condition and body and also stacks each
/// iteration's loop variables (all of them, integer ones included) into growing tensors `[k, …]`,
/// and counts the iterations `N`. A backward loop then runs `k = N-1 … 0`: it reads iteration `k`'s
/// loop variables from the stacks, recomputes that iteration's body from them (inlined) and replaces
/// the running gradients `g` of the float loop variables by `∂(Σ g · body(v_k))/∂v_k`. Captured
/// values are loop variables the body passes through, so their gradients accumulate the same way.
/// Costs: the forward loop runs twice, and stacking copies O(N²) elements (concat per iteration).
func whileGradient(_ ctx: GradientContext) throws -> [Output?] {
    let g = ctx.graph, node = ctx.node
    let a = node.attributes(StatelessWhile.self)
    guard let condition = g.library.function(named: a.cond.name), let body = g.library.function(named: a.body.name) else {
        throw TensorGraphError.invalidArgument("[\(node.opName)] node '\(node.name)': its functions are not in the library")
    }
    let inputs = node.inputs.indices.map { ctx.input($0) }
    let isFloat = { (t: Output) in t.dtype == .float || t.dtype == .double }
    let floats = inputs.indices.filter { isFloat(inputs[$0]) }
    guard !floats.isEmpty else { return Array(repeating: nil, count: inputs.count) }
    for value in inputs where ![.float, .double, .int32, .int64].contains(value.dtype) {
        throw TensorGraphError.invalidArgument("[\(node.opName)] node '\(node.name)': gradient of a loop with a \(value.dtype) loop variable is not supported")
    }
    let invariants = body.arguments.map(\.shape)

    // Forward again, stacking the loop variables each iteration enters with.
    let stacksStart = try inputs.map { value -> Output in
        let dims = try g.concat([g.constant(Tensor([Int32(0)])), g.shape(of: value)], axis: 0)
        return try g.fill(dims: dims, value: g.cast(g.constant(0.0, dtype: .double), to: value.dtype))
    }
    let stackShapes = invariants.map { TensorShape($0.dims.map { [nil] + $0 }) }
    let n = inputs.count
    let forward = try g.whileLoop(cond: { b, v in try b.inline(condition, arguments: Array(v[1...n]))[0] }, body: { b, v in
        let values = Array(v[1...n]), stacks = Array(v[(n + 1)...])
        let next = try b.inline(body, arguments: values)
        let grown = try zip(stacks, values).map { try b.concat([$0, b.expandDims($1, axis: 0)], axis: 0) }
        return [try b.add(v[0], b.constant(Int32(1)))] + next + grown
    }, loopVars: [g.constant(Int32(0))] + inputs + stacksStart, shapeInvariants: [.scalar] + invariants + stackShapes, name: "while_stack")
    let count = forward[0], stacks = Array(forward[(n + 1)...])

    // Backward: k = N-1 … 0, the float loop variables' gradients as loop variables.
    let seeds = try floats.map { try ctx.grad($0) }
    let backward = try g.whileLoop(cond: { b, v in try b.greaterEqual(v[0], b.constant(Int32(0))) }, body: { b, v in
        let values = try stacks.map { try b.gather($0, indices: v[0]) }
        let results = try b.inline(body, arguments: values)
        let grads = try b.gradients(of: floats.map { results[$0] }, with: floats.map { values[$0] }, gradYs: Array(v[1...]))
        let next = try zip(floats, grads).map { i, grad in try grad ?? b.zerosLike(values[i]) }
        return [try b.sub(v[0], b.constant(Int32(1)))] + next
    }, loopVars: [try g.sub(count, g.constant(Int32(1)))] + seeds, shapeInvariants: [.scalar] + floats.map { invariants[$0] }, name: "while_grad")
    var result: [Output?] = Array(repeating: nil, count: inputs.count)
    for (k, i) in floats.enumerated() { result[i] = backward[1 + k] }
    return result
}
