/// Where a plan step (or a fetch) gets a value from.
enum ValueSource: Equatable {
    /// Output `output` of plan step `step`.
    case step(Int, output: Int)
    /// The fed tensor at position `feed` of the run's sorted feeds.
    case feed(Int)
    /// The current value of a variable (node id); reading an uninitialized one throws.
    case variable(Int)
    /// A variable reference for a ref input: the kernel receives the variable's id instead of a value.
    case reference(Int)
    /// A constant known when the plan is built.
    case constant(Tensor)
}

/// The identity of a compiled plan: which endpoints are fed and fetched and which nodes are targets.
struct PlanKey: Hashable {
    let feeds: [Endpoint]
    let fetches: [Endpoint]
    let targets: [Int]
}

/// One signature's compiled program: a list of steps and the memory plan that goes with them.
///
/// Compiled once per (feeds, fetches, targets) and cached by the session, as a pipeline of passes
/// (see Plan/README.md): prune → fold constants → rewrite rules → dead-node elimination → schedule → memory plan.
/// Steps run in list order, a topological order; runs are deterministic.
final class ExecutionPlan {
    /// What the executor does at a step.
    enum StepKind: Equatable {
        /// Runs the node's kernel every time.
        case kernel
        /// Reads only its inputs' shapes (`Shape`): recomputed when they change, skipped otherwise.
        case shapeRoot
        /// Pure and fed only by shape steps and constants: recomputed when one of those recomputed.
        case shapeDerived
        /// Control flow (`If`, `While`): runs function bodies as their own plans through `Step.subPlan`,
        /// with this step's inputs as their feeds; see Plan/README.md.
        case subPlan
    }

    /// A scheduled node: its kernel context (inputs, outputs, attributes, scratch) and where its inputs come from.
    final class Step {
        let node: Node
        let kind: StepKind
        let sources: [ValueSource]
        let context: KernelContext
        /// The input this step may overwrite with its output (it dies here), from the memory plan.
        var donorCandidate: (input: Int, producer: KernelContext, output: Int)?
        /// Shape steps: whether the outputs are current, the input shapes they saw, the run that last changed them.
        var memoValid = false
        var memoInputShapes: [[Int]] = []
        var changedRun = -1
        /// `.subPlan` steps: the compiled bodies and how to run them.
        var subPlan: SubPlanRunner?

        init(node: Node, kind: StepKind, sources: [ValueSource], context: KernelContext) {
            (self.node, self.kind, self.sources, self.context) = (node, kind, sources, context)
        }
    }

    let key: PlanKey
    let steps: [Step]
    /// The rewrite rules that fired while compiling, in order (for tests and `TENSORGRAPH_PROFILE`).
    let rewrites: [String]
    /// Buffers of values that are dead for the rest of a run (see `MemoryPlan`).
    let pool = BufferPool()
    let memory: MemoryPlan
    let fetchSources: [ValueSource]
    /// Position of each fed endpoint in `key.feeds` (the run's sorted feeds).
    let feedPositions: [Endpoint: Int]
    /// The fed tensors of the current run, by position; emptied after each run.
    var feedValues: [Tensor]
    /// Spec and placeholder name of each feed, in key order, for validation.
    let feedSpecs: [(name: String, spec: TensorSpec)]
    /// Incremented before each run (shape steps compare against it).
    var runCounter = 0

    init(graph: Graph, key: PlanKey, state: SessionState, rules: [RewriteRule] = RewriteRules.all) throws {
        self.key = key
        feedPositions = Dictionary(uniqueKeysWithValues: key.feeds.enumerated().map { ($1, $0) })
        feedValues = Array(repeating: Tensor.empty, count: key.feeds.count)
        feedSpecs = key.feeds.map { endpoint in
            let node = graph.nodes[endpoint.node]
            return (endpoint.index == 0 ? node.name : "\(node.name):\(endpoint.index)", node.outputs[endpoint.index])
        }
        // The pipeline. Each pass needs only what the one before it produced, and keeps the plan graph
        // in topological order with no reads of removed nodes (checked after every pass that edits it).
        var plan = try PlanGraph(pruning: graph, key: key)           // 1. what the signature needs, in order
        plan.foldConstants()                                         // 2. values known while building
        try plan.verify(after: "constant folding")
        rewrites = try RewriteRules.apply(rules, to: &plan)          // 3. fusions (explicit internal ops)
        try plan.verify(after: "rewrite rules \(rewrites)")
        plan.eliminateDeadNodes()                                    // 4. drop what the rewrites made unused
        try plan.verify(after: "dead-node elimination")
        (steps, fetchSources) = ExecutionPlan.schedule(plan, state: state, pool: pool)   // 5. steps
        memory = MemoryPlan(steps, fetches: fetchSources)            // 6. liveness, pool, in-place
    }

    /// Turns the live plan nodes into steps, resolving plan values to step outputs, and marks shape steps.
    private static func schedule(_ plan: PlanGraph, state: SessionState, pool: BufferPool) -> ([Step], [ValueSource]) {
        var stepIndex: [Int: Int] = [:]
        var steps: [Step] = []
        // `Identity` and `StopGradient` of a step output, feed or constant get no step: their readers read
        // that source (a loop body's Keras graph is more than half identities). An identity of a variable
        // stays a step: it reads the variable's value at its place in the order.
        var forwarded: [Int: ValueSource] = [:]
        func source(_ input: PlanGraph.Input) -> ValueSource {
            switch input {
            case .value(let v):
                if let same = forwarded[v.node] { return same }
                return .step(stepIndex[v.node] ?? -1, output: v.output)
            case .feed(let k): return .feed(k)
            case .variable(let id): return .variable(id)
            case .reference(let id): return .reference(id)
            case .constant(let t): return .constant(t)
            }
        }
        for (i, planNode) in plan.nodes.enumerated() where !planNode.isDead {
            let node = planNode.node, sources = planNode.inputs.map(source)
            if forwardsInput(node), sources.count == 1 {
                switch sources[0] {
                case .step, .feed, .constant:
                    forwarded[i] = sources[0]
                    continue
                case .variable, .reference: break
                }
            }
            var refs: [Int: Int] = [:]
            for (j, s) in sources.enumerated() { if case .reference(let id) = s { refs[j] = id } }
            stepIndex[i] = steps.count
            let runner = SubPlanRunner(node: node, library: plan.graph.library)
            let kind = runner == nil ? shapeKind(node, sources, steps) : .subPlan
            steps.append(Step(node: node, kind: kind, sources: sources,
                              context: KernelContext(node: node, refVariables: refs, state: state, pool: pool)))
            steps[steps.count - 1].subPlan = runner
        }
        return (steps, plan.fetches.map(source))
    }

    /// Ops whose output is their one input, unchanged.
    private static func forwardsInput(_ node: Node) -> Bool {
        let op = ObjectIdentifier(node.op)
        return op == ObjectIdentifier(Identity.self) || op == ObjectIdentifier(StopGradient.self)
    }

    /// Shape steps: `Shape` and the pure ops fed only by such steps and constants (the gradient code's
    /// BroadcastGradientArgs, Prod of a shape, Const, ...). The executor skips them while the shapes they
    /// read stay the same, the way TensorFlow folds them when shapes are static, so a steady-state step
    /// neither recomputes nor reallocates them.
    private static func shapeKind(_ node: Node, _ sources: [ValueSource], _ earlier: [Step]) -> StepKind {
        let op = node.op
        guard !op.isStateful, op.refInputs.isEmpty else { return .kernel }
        if op.readsOnlyInputShapes { return .shapeRoot }
        let fromShapes = sources.allSatisfy { source in
            switch source {
            case let .step(s, _): return earlier[s].kind == .shapeRoot || earlier[s].kind == .shapeDerived
            case .constant: return true
            case .feed, .variable, .reference: return false
            }
        }
        return fromShapes ? .shapeDerived : .kernel
    }

    /// Bytes of distinct buffers the plan holds between runs: step outputs still in their slots plus the pool.
    var heldBufferBytes: Int {
        var seen = Set<ObjectIdentifier>()
        var bytes = pool.heldBytes
        for step in steps {
            for value in step.context.outputs where !value.storage.isVariable && value.storage !== Tensor.empty.storage {
                if seen.insert(ObjectIdentifier(value.storage)).inserted { bytes += value.storage.byteCount }
            }
        }
        return bytes
    }
}
