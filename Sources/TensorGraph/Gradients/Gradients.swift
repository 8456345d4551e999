/// What `gradients(of:with:)` returns for an input the outputs do not depend on.
public enum UnconnectedGradients: Sendable {
    /// nil for an unconnected input (TF's `UnconnectedGradients.NONE`, the default).
    case none
    /// Zeros shaped like the input (TF's `UnconnectedGradients.ZERO`).
    case zero
}

extension Graph {
    /// Adds nodes computing d(sum of `ys`)/d`xs` and returns them (TensorFlow's `tf.gradients`).
    ///
    /// Walks back from `ys` in reverse node order, calling each op's gradient rule; fan-in is summed with
    /// `AddN`, broadcasting is undone here once for every broadcasting op, and `StopGradient` or
    /// non-differentiable ops end a path. A node without a gradient rule on a path from `xs` to `ys`
    /// throws, naming it.
    ///
    /// - Parameters:
    ///   - ys: the outputs to differentiate (their gradients are summed, as in TF).
    ///   - xs: the tensors to differentiate with respect to; one result each.
    ///   - gradYs: initial gradients for `ys` (default: ones of each y's shape).
    ///   - unconnected: `.none` returns nil for an x that `ys` do not depend on; `.zero` returns zeros.
    ///   - gateGradients: TF's `GATE_OP`: when an op yields several input gradients, pass them through
    ///     `tuple` Identities that wait for all of them, so no update can run before every gradient of
    ///     that op has read the old values (TensorFlow runs ops concurrently; optimizers turn this on).
    public func gradients(of ys: [Output], with xs: [Output], gradYs: [Output]? = nil,
                          unconnected: UnconnectedGradients = .none, gateGradients: Bool = false) throws -> [Output?] {
        for t in ys + xs + (gradYs ?? []) where t.graph !== self {
            throw TensorGraphError.foreignGraph("tensor '\(t.name)' passed to gradients")
        }
        if let gradYs, gradYs.count != ys.count {
            throw TensorGraphError.invalidArgument("gradients: \(gradYs.count) gradYs for \(ys.count) ys")
        }
        let xNodes = Set(xs.map(\.node.id))
        let yNodes = Set(ys.map(\.node.id))

        // Nodes reachable forward from xs (ids only grow along edges, so one ordered pass suffices).
        let firstX = xNodes.min() ?? nodes.count
        var fromX = Set<Int>()
        for node in nodes[firstX...] where xNodes.contains(node.id) || node.inputs.contains(where: { fromX.contains($0.node) }) {
            fromX.insert(node.id)
        }
        // ... and among them those that reach ys.
        var onPath = Set<Int>()
        var stack = Array(yNodes.filter { fromX.contains($0) })
        while let id = stack.popLast() {
            guard onPath.insert(id).inserted else { continue }
            for input in nodes[id].inputs where fromX.contains(input.node) { stack.append(input.node) }
        }

        var pending: [Endpoint: [Output]] = [:]
        return try withNameScope("gradients") {
            for (k, y) in ys.enumerated() {
                let seed = try gradYs?[k] ?? onesLike(y, name: "grad_ys_\(k)")
                pending[y.endpoint, default: []].append(seed)
            }
            var result: [Endpoint: Output] = [:]
            func total(_ endpoint: Endpoint) throws -> Output? {
                if let done = result[endpoint] { return done }
                guard let parts = pending[endpoint], !parts.isEmpty else { return nil }
                let sum = parts.count == 1 ? parts[0] : try addN(parts)
                result[endpoint] = sum
                return sum
            }

            for id in onPath.sorted(by: >) {
                let node = nodes[id]
                let outGrads = try node.outputs.indices.map { try total(Endpoint(node: id, index: $0)) }
                guard outGrads.contains(where: { $0 != nil }) else { continue }
                // Nothing to propagate into when no input lies on a path from xs.
                guard node.inputs.contains(where: { onPath.contains($0.node) }) else { continue }
                switch node.op.differentiability {
                case .notDifferentiable: continue
                case .missing: throw TensorGraphError.notDifferentiable(op: node.opName, node: node.name)
                case .differentiable: break
                }
                let inputGrads = try withNameScope("\(node.name)_grad") {
                    try node.op.gradient(GradientContext(graph: self, node: node, outputGradients: outGrads))
                }
                guard inputGrads.count == node.inputs.count else {
                    throw TensorGraphError.invalidArgument(
                        "[\(node.opName)] gradient rule returned \(inputGrads.count) gradients for \(node.inputs.count) inputs")
                }
                var kept: [(Endpoint, Output)] = []
                for (i, grad) in inputGrads.enumerated() {
                    let endpoint = node.inputs[i]
                    guard var grad, onPath.contains(endpoint.node) else { continue }
                    let input = Output(graph: self, node: nodes[endpoint.node], index: endpoint.index)
                    if node.op.broadcastsInputs {
                        grad = try withNameScope("\(node.name)_grad") { try reduceGradient(grad, toShapeOf: input) }
                    }
                    kept.append((endpoint, grad))
                }
                if gateGradients && kept.count > 1 {
                    let gated = try withNameScope("\(node.name)_grad") { try tuple(kept.map(\.1)) }
                    kept = zip(kept, gated).map { ($0.0, $1) }
                }
                for (endpoint, grad) in kept { pending[endpoint, default: []].append(grad) }
            }
            return try xs.map { x in
                if let g = try total(x.endpoint) { return g }
                return unconnected == .zero ? try zerosLike(x) : nil
            }
        }
    }

    /// TF's `tf.tuple`: Identities of `tensors` that each wait for all of them (`tuple/control_dependency[_n]`).
    public func tuple(_ tensors: [Output]) throws -> [Output] {
        try withNameScope("tuple") {
            let gate = try group(tensors.map(\.op), name: "group_deps")
            return try tensors.map { t in
                try withControlDependencies([gate]) { try identity(t, name: "control_dependency") }
            }
        }
    }

    /// Gradient of one output with respect to several inputs.
    public func gradients(of y: Output, with xs: [Output]) throws -> [Output?] {
        try gradients(of: [y], with: xs)
    }

    /// Sums a gradient computed at a broadcast shape back to `input`'s shape.
    ///
    /// Static when `input`'s shape is fully known (reduction axes become constants);
    /// otherwise uses `BroadcastGradientArgs` on the runtime shapes, as TensorFlow does.
    func reduceGradient(_ grad: Output, toShapeOf input: Output) throws -> Output {
        if let inDims = input.shape.concrete, let gradDims = grad.shape.dims {
            let lead = gradDims.count - inDims.count
            guard lead >= 0 else { return try reshape(grad, to: inDims) }
            var axes = Array(0..<lead)
            for (i, d) in inDims.enumerated() where d == 1 && gradDims[lead + i] != 1 { axes.append(lead + i) }
            if axes.isEmpty { return grad }
            let summed = try sum(grad, axes: axes)
            return try reshape(summed, to: inDims)
        }
        let inputShape = try shape(of: input)
        let args = try broadcastGradientArgs(inputShape, shape(of: grad))
        return try reshape(sum(grad, axes: args.0), to: inputShape)
    }
}
