/// The gradient of `While`/`StatelessWhile` for loops of any (run-time) trip count, O(N) in copies.
///
/// TF2's `while_v2` rewrites the forward loop to push the intermediates its gradient needs onto
/// TensorLists, and its backward loop pops them. Here the graph is append-only and the forward node
/// already has readers, so the gradient works in three steps:
///
/// 1. One iteration's gradient is built in a scratch body: the loop body inlined on placeholder
///    values, then `gradients` of its results with incoming-gradient placeholders. The forward
///    endpoints the gradient nodes read (a `Tanh`'s output, a `MatMul`'s inputs, loop variables)
///    are what must be saved per iteration.
/// 2. An accumulating copy of the forward loop (same condition and body, plus an iteration counter
///    `N`) writes each of those values to its own TensorList at index `k` (`TensorListSetItem` with
///    `resize_if_index_out_of_bounds`; amortised O(1) and a reference, not a copy: see
///    `TensorListValue`). Loop variables the body passes through unchanged (captures, weights) are
///    read from the forward input instead, and constants are copied.
/// 3. A backward loop runs `k = N-1 … 0` with the float loop variables' gradients as loop variables:
///    it reads iteration `k`'s saved values with `TensorListGetItem` and runs a copy of the scratch
///    gradient nodes on them, so the body is not recomputed.
///
/// Loop variables that are TensorList handles (an RNN's outputs, TF's `TensorArray`) are differentiated
/// when a gradient (a list) arrives at them, as TF's variant loop variables.
///
/// Costs: the body runs twice per iteration (the forward loop and its accumulating copy) unless the
/// plan merges them (`RewriteRules.loopDeduplication`), plus its gradient once; memory holds the saved
/// values of every iteration, as TF's does. Everything is ordinary TF ops, so dynamic trip counts and
/// nesting need nothing special: an inner loop's gradient is built inside the scratch body and copied
/// into the outer backward body with the rest.
func whileGradient(_ ctx: GradientContext) throws -> [Output?] {
    let g = ctx.graph, node = ctx.node
    let a = node.attributes(StatelessWhile.self)
    guard let condition = g.library.function(named: a.cond.name), let body = g.library.function(named: a.body.name) else {
        throw TensorGraphError.invalidArgument("[\(node.opName)] node '\(node.name)': its functions are not in the library")
    }
    let inputs = node.inputs.indices.map { ctx.input($0) }
    // Differentiable loop variables: floats, and TensorList handles a gradient (a list, as TF's variant)
    // arrives at; a list nothing differentiates (an RNN's unread outputs) costs the backward loop nothing.
    let handles = Dictionary(uniqueKeysWithValues: inputs.indices.compactMap { i in
        ctx.gradIfPresent(i) == nil ? nil : listElementDType(inputs[i]).map { (i, $0) }
    })
    let floats = inputs.indices.filter { inputs[$0].dtype == .float || inputs[$0].dtype == .double || handles[$0] != nil }
    guard !floats.isEmpty else { return Array(repeating: nil, count: inputs.count) }
    let invariants = body.arguments.map(\.shape)
    let n = inputs.count

    // 1. One iteration's gradient, in a scratch body that is never called.
    let scratchCaptures = FunctionCaptures()
    let scratch = g.makeFunctionBody(captures: scratchCaptures)
    let values = try inputs.indices.map { try scratch.placeholder(inputs[$0].dtype, shape: invariants[$0], name: "value") }
    let dys = try floats.map { try scratch.placeholder(inputs[$0].dtype, shape: invariants[$0], name: "dy") }
    let (results, forwardCopies) = try scratch.inlineCopies(body, arguments: values)
    let firstGradientNode = scratch.nodes.count
    let grads = try scratch.gradients(of: floats.map { results[$0] }, with: floats.map { values[$0] }, gradYs: dys)
    let gradients = try zip(floats, grads).map { i, grad in try grad ?? scratch.zeroGradient(of: values[i], listElementDType: handles[i]) }
    // Tensors of enclosing graphs a gradient rule read (captured into the scratch body, by placeholder).
    let outer = Dictionary(uniqueKeysWithValues: scratchCaptures.inner.map { ($0.value.node.id, $0.key) })

    // The gradient nodes the results need, and the forward endpoints they read.
    var live = Set<Int>(), stack = gradients.map(\.node.id).filter { $0 >= firstGradientNode }
    while let id = stack.popLast() {
        guard live.insert(id).inserted else { continue }
        let n = scratch.nodes[id]
        stack += (n.inputs.map(\.node) + n.controlInputs).filter { $0 >= firstGradientNode && outer[$0] == nil }
    }
    let gradientNodes = live.sorted()
    var needed: [Endpoint] = []
    for e in gradientNodes.flatMap({ scratch.nodes[$0].inputs }) + gradients.map(\.endpoint)
    where (e.node < firstGradientNode || outer[e.node] != nil) && !needed.contains(e) { needed.append(e) }

    // How the backward body gets each needed endpoint.
    // loopInput: a pass-through loop variable's forward input; incoming: a backward loop variable;
    // enclosing: a tensor of an enclosing graph; saved: a value of the body graph, accumulated.
    enum Source { case loopInput(Int), incoming(Int), enclosing(Output), constant, saved(Output) }
    let forwardIds = Dictionary(uniqueKeysWithValues: forwardCopies.map { ($0.value.id, $0.key) })
    let sources = try needed.map { e -> Source in
        if let i = values.firstIndex(where: { $0.endpoint == e }) {
            return body.passesThrough(argument: i) ? .loopInput(i) : .saved(body.arguments[i])
        }
        if let j = dys.firstIndex(where: { $0.endpoint == e }) { return .incoming(j) }
        if let value = outer[e.node] { return .enclosing(value) }
        guard let id = forwardIds[e.node] else {
            throw TensorGraphError.invalidArgument("[\(node.opName)] node '\(node.name)': the gradient reads '\(scratch.nodes[e.node].name)', "
                                                   + "which is not part of the loop body")
        }
        if scratch.nodes[e.node].op == Const.self { return .constant }
        return .saved(Output(graph: body.graph, node: body.graph.nodes[id], index: e.index))
    }
    let saved = sources.compactMap { if case let .saved(value) = $0 { return value } else { return nil } }

    // 2. The accumulating forward loop: counter, the loop variables, one list per saved value.
    let empty = try saved.map { value in
        try g.tensorListReserve(elementShape: g.tensorListShapeConstant(value.shape), count: g.constant(Int32(0)),
                                elementDType: value.dtype, name: "accumulator")
    }
    let forward = try g.whileLoop(cond: { b, v in try b.inline(condition, arguments: Array(v[1...n]))[0] }, body: { b, v in
        let (next, copies) = try b.inlineCopies(body, arguments: Array(v[1...n]))
        let pushed = try zip(saved, v[(n + 1)...]).map { value, list -> Output in
            if let i = body.arguments.firstIndex(of: value) { return try b.tensorListSetItem(list, index: v[0], item: v[1 + i], resize: true) }
            guard let copy = copies[value.node.id] else { throw TensorGraphError.invalidArgument("[\(node.opName)] '\(value.name)' was not inlined") }
            return try b.tensorListSetItem(list, index: v[0], item: Output(graph: b, node: copy, index: value.index), resize: true)
        }
        return [try b.add(v[0], b.constant(Int32(1)))] + next + pushed
    }, loopVars: [g.constant(Int32(0))] + inputs + empty, shapeInvariants: [.scalar] + invariants + saved.map { _ in .scalar },
       name: "while_accumulate")
    let count = forward[0], lists = Array(forward[(n + 1)...])

    // 3. Backward: k = N-1 … 0, the float loop variables' gradients as loop variables.
    let seeds = try floats.map { i in try ctx.gradIfPresent(i) ?? g.zeroGradient(of: ctx.output(i), listElementDType: handles[i]) }
    let backward = try g.whileLoop(cond: { b, v in try b.greaterEqual(v[0], b.constant(Int32(0))) }, body: { b, v in
        var mapped: [Endpoint: Output] = [:], list = 0
        for (e, source) in zip(needed, sources) {
            switch source {
            case let .loopInput(i): mapped[e] = try b.captured(inputs[i])
            case let .incoming(j): mapped[e] = v[1 + j]
            case let .enclosing(value): mapped[e] = try b.captured(value)
            case .constant:
                guard let copy = try b.graft([e.node], of: scratch, mapped: [:])[e.node] else { continue }
                mapped[e] = Output(graph: b, node: copy, index: e.index)
            case let .saved(value):
                mapped[e] = try b.tensorListGetItem(lists[list], index: v[0], elementShape: b.tensorListShapeConstant(value.shape),
                                                    elementDType: value.dtype)
                list += 1
            }
        }
        let copies = try b.graft(gradientNodes, of: scratch, mapped: mapped)
        let next = try gradients.map { grad -> Output in
            if let value = mapped[grad.endpoint] { return value }
            guard let copy = copies[grad.node.id] else { throw TensorGraphError.invalidArgument("[\(node.opName)] '\(grad.name)' was not copied") }
            return Output(graph: b, node: copy, index: grad.index)
        }
        return [try b.sub(v[0], b.constant(Int32(1)))] + next
    }, loopVars: [try g.sub(count, g.constant(Int32(1)))] + seeds, shapeInvariants: [.scalar] + floats.map { invariants[$0] }, name: "while_grad")
    var result: [Output?] = Array(repeating: nil, count: inputs.count)
    for (k, i) in floats.enumerated() { result[i] = backward[1 + k] }
    return result
}

extension Graph {
    /// The zero gradient of `value`: zeros, or for a TensorList handle an unset list as long as it
    /// (TF's zeros for a variant list: unset elements read as zeros).
    func zeroGradient(of value: Output, listElementDType: DType?) throws -> Output {
        guard let listElementDType else { return try zerosLike(value) }
        return try tensorListReserve(elementShape: tensorListElementShape(value), count: tensorListLength(value), elementDType: listElementDType)
    }
}

/// The element dtype of `value` when it is a TensorList handle made directly by a list op, else nil.
func listElementDType(_ value: Output) -> DType? {
    guard value.dtype == .int32, value.index == 0 else { return nil }
    let node = value.node, graph = value.graph
    switch node.opName {
    case "TensorListReserve": return node.attributes(TensorListReserve.self).elementDType
    case "TensorListSetItem": return node.attributes(TensorListSetItem.self).elementDType
    case "TensorListFromTensor": return node.inputs.first.map { graph.nodes[$0.node].outputs[$0.index].dtype }
    default: return nil
    }
}

extension GraphFunction {
    /// Whether result `i` is argument `i` unchanged (through `Identity` nodes): a loop body's
    /// pass-through variable, such as a captured tensor.
    func passesThrough(argument i: Int) -> Bool {
        guard i < results.count, i < arguments.count else { return false }
        var endpoint = results[i].endpoint
        while graph.nodes[endpoint.node].op == Identity.self, let input = graph.nodes[endpoint.node].inputs.first { endpoint = input }
        return endpoint == arguments[i].endpoint
    }
}
