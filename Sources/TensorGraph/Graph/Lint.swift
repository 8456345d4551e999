/// One problem `Graph.lint` found: what kind, which node, and the Swift line that built it.
public struct LintFinding: Hashable, Sendable, CustomStringConvertible {
    /// The kinds of problem `Graph.lint` reports.
    public enum Kind: String, Hashable, Sendable, CaseIterable {
        /// A placeholder none of the given fetches (or targets) depends on: feeding it changes nothing.
        case unreachablePlaceholder
        /// A placeholder no node reads (checked when no fetches are given).
        case unusedPlaceholder
        /// A variable whose initializer the graph's `init` op does not run (it was created after
        /// `globalVariablesInitializer()` was built), so a session run after `init` finds it uninitialized.
        case uninitializedVariable
        /// A trainable variable the loss does not depend on: its gradient is nil and no optimizer moves it.
        case variableWithoutGradient
        /// A node added after the graph first ran in a `Session` — TF1's classic leak of building ops
        /// inside the training loop, which grows the graph every step.
        case nodeAddedAfterRun
        /// A float64 value entering a float32 model (a float64 constant, placeholder or Cast): it runs
        /// at double cost and usually comes from a Swift `Double` literal or a NumPy default.
        case mixedFloat64
        /// A `Softmax` feeding the logits of a softmax cross-entropy (or another `Softmax`/`LogSoftmax`),
        /// which applies softmax itself: the loss trains against softmax(softmax(x)) and the gradients shrink.
        case doubleSoftmax
        /// A stateful op (random numbers, a variable update) whose outputs nothing reads and that no
        /// node depends on: it never runs unless fetched by name, which is usually a forgotten dependency.
        case unusedStatefulOutput
    }

    /// What was found.
    public let kind: Kind
    /// The node's name in the graph.
    public let node: String
    /// Where the node was built (nil for imported nodes).
    public let location: SourceLocation?
    /// A sentence saying what is wrong and why it matters.
    public let message: String

    /// `kind node (file:line): message`, as `graphrun lint` prints it.
    public var description: String {
        "\(kind.rawValue) \(node)\(location.map { " (\($0))" } ?? ""): \(message)"
    }
}

extension Graph {
    /// Checks the graph for mistakes that build and run without an error but give a wrong or wasteful model.
    ///
    /// - Parameters:
    ///   - fetches: the outputs the program runs; with any given (or `targets`), placeholders neither
    ///     depends on are reported, otherwise placeholders no node reads.
    ///   - targets: operations the program runs for their effect (a training op).
    ///   - loss: the training loss; with it, trainable variables it does not depend on are reported.
    ///   - initializer: the op that initializes variables; by default the node named `init` (the name
    ///     `globalVariablesInitializer()` gives it); with neither, initializers are not checked.
    /// - Returns: findings in node order (stable for a given graph); empty for a clean graph. Reading
    ///   the graph only: lint adds no nodes.
    public func lint(fetches: [Output] = [], targets: [GraphOperation] = [], loss: Output? = nil,
                     initializer: GraphOperation? = nil) -> [LintFinding] {
        var findings: [LintFinding] = []
        func report(_ kind: LintFinding.Kind, _ node: Node, _ message: String) {
            findings.append(LintFinding(kind: kind, node: node.name, location: node.location, message: message))
        }
        let consumers = consumerCounts()

        // Placeholders.
        let roots = fetches.map(\.node.id) + targets.map(\.node.id)
        let reachable = roots.isEmpty ? [] : ancestors(of: roots, followingControl: true)
        for node in nodes where node.opName == "Placeholder" || node.opName == "PlaceholderWithDefault" {
            if !roots.isEmpty {
                if !reachable.contains(node.id) {
                    report(.unreachablePlaceholder, node, "no fetch or target depends on this placeholder; feeding it has no effect")
                }
            } else if consumers[node.id] == 0 {
                report(.unusedPlaceholder, node, "no node reads this placeholder")
            }
        }

        // Variables the initializer does not reach.
        let initNode = initializer?.node ?? node(named: "init")
        if let initNode {
            let initialized = ancestors(of: [initNode.id], followingControl: true)
            for variable in globalVariables where !initialized.contains(variable.initializer.node.id) {
                report(.uninitializedVariable, variable.node,
                       "'\(initNode.name)' does not run this variable's initializer (the variable was created after it); build globalVariablesInitializer() after every variable")
            }
        }

        // Trainable variables without a gradient: the loss does not depend on their value through any
        // differentiable path (what `gradients(of:with:)` would answer nil for).
        if let loss {
            let dependsOn = ancestors(of: [loss.node.id], followingControl: false, differentiableOnly: true)
            for variable in trainableVariables where !dependsOn.contains(variable.node.id) {
                report(.variableWithoutGradient, variable.node,
                       "the loss '\(loss.name)' does not depend on this trainable variable: its gradient is nil and training never changes it")
            }
        }

        // Nodes added after the first run.
        if let count = nodeCountAtFirstRun, count < nodes.count {
            for node in nodes[count...] {
                report(.nodeAddedAfterRun, node,
                       "added after the graph first ran in a Session (it had \(count) nodes then); ops built inside a run loop grow the graph every step")
            }
        }

        // float64 entering a float32 model: report where it enters, not every node downstream.
        let hasFloat32 = nodes.contains { $0.outputs.contains { $0.dtype == .float } }
        if hasFloat32 {
            for node in nodes where node.outputs.contains(where: { $0.dtype == .double })
                && !node.inputs.contains(where: { nodes[$0.node].outputs[$0.index].dtype == .double }) {
                report(.mixedFloat64, node, "produces float64 in a float32 model (\(node.opName)); float64 runs at twice the cost and is usually an accidental Double")
            }
        }

        // Double softmax: softmax cross-entropy (or Softmax, LogSoftmax) applied to probabilities.
        let takesLogits: Set<String> = ["SoftmaxCrossEntropyWithLogits", "SparseSoftmaxCrossEntropyWithLogits", "Softmax", "LogSoftmax"]
        for node in nodes where takesLogits.contains(node.opName) {
            if let softmax = producerSkippingIdentity(node.inputs[0]), softmax.opName == "Softmax" {
                report(.doubleSoftmax, node,
                       "its logits come from Softmax '\(softmax.name)', but \(node.opName) applies softmax itself; pass the logits before the softmax")
            }
        }

        // Stateful ops nobody reads or depends on (variables' own nodes are read by their `read`).
        let initializers = Set(globalVariables.map(\.initializer.node.id))
        for node in nodes where node.op.isStateful && !node.outputs.isEmpty && consumers[node.id] == 0
            && !initializers.contains(node.id) && !roots.contains(node.id) {
            report(.unusedStatefulOutput, node, "stateful \(node.opName) whose outputs nothing reads and that nothing depends on: it only runs when fetched by name")
        }
        return findings
    }

    /// How many nodes read each node's outputs or depend on it by control edge.
    private func consumerCounts() -> [Int] {
        var counts = [Int](repeating: 0, count: nodes.count)
        for node in nodes {
            for input in node.inputs { counts[input.node] += 1 }
            for control in node.controlInputs { counts[control] += 1 }
        }
        return counts
    }

    /// Every node `roots` depend on, the roots included; iterative so a deep chain cannot overflow the stack.
    /// With `differentiableOnly`, no path continues through an op whose outputs carry no gradient.
    private func ancestors(of roots: [Int], followingControl: Bool, differentiableOnly: Bool = false) -> Set<Int> {
        var seen = Set(roots)
        var stack = roots
        while let id = stack.popLast() {
            let node = nodes[id]
            if differentiableOnly, node.op.differentiability == .notDifferentiable { continue }
            var next = node.inputs.map(\.node)
            if followingControl { next += node.controlInputs }
            for n in next where seen.insert(n).inserted { stack.append(n) }
        }
        return seen
    }

    /// The node producing `endpoint`, looking through `Identity` nodes.
    private func producerSkippingIdentity(_ endpoint: Endpoint) -> Node? {
        var node = nodes[endpoint.node]
        var hops = 0
        while node.opName == "Identity", let input = node.inputs.first, hops < nodes.count {
            node = nodes[input.node]
            hops += 1
        }
        return node
    }
}
