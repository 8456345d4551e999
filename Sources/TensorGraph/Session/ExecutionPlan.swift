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
    /// A constant known when the plan is built (a Const node's value, used by fused kernels).
    case constant(Tensor)
}

/// The identity of a compiled plan: which endpoints are fed and fetched and which nodes are targets.
struct PlanKey: Hashable {
    let feeds: [Endpoint]
    let fetches: [Endpoint]
    let targets: [Int]
}

/// A pruned, ordered list of kernel invocations for one (feeds, fetches, targets) signature.
///
/// Built once per signature and cached by the session. Steps run in node-id order, which
/// is a topological order because the graph is append-only; this also makes runs
/// deterministic (a fetched loss is computed before the update ops that follow it).
final class ExecutionPlan {
    struct Step {
        let node: Node
        var sources: [ValueSource]
        let context: KernelContext
    }

    let key: PlanKey
    let steps: [Step]
    /// Buffers of values that are dead for the rest of a run (see `releases`).
    let pool = BufferPool()
    /// The (step, output) values released to `pool` after step `i` runs (those it reads last) are
    /// `releaseSteps[k]`, `releaseOutputs[k]` for k in `releaseStart[i]..<releaseStart[i + 1]`.
    let releaseStart: [Int]
    let releaseSteps: [KernelContext]
    let releaseOutputs: [Int]
    let fetchSources: [ValueSource]
    /// Position of each fed endpoint in `key.feeds` (the run's sorted feeds).
    let feedPositions: [Endpoint: Int]
    /// The fed tensors of the current run, by position; emptied after each run.
    var feedValues: [Tensor]
    /// Spec and placeholder name of each feed, in key order, for validation.
    let feedSpecs: [(name: String, spec: TensorSpec)]

    init(graph: Graph, key: PlanKey, state: SessionState) throws {
        var steps: [Step] = []
        let fed = Dictionary(uniqueKeysWithValues: key.feeds.enumerated().map { ($1, $0) })
        self.key = key
        feedPositions = fed
        feedValues = Array(repeating: Tensor.empty, count: key.feeds.count)
        feedSpecs = key.feeds.map { endpoint in
            let node = graph.nodes[endpoint.node]
            return (endpoint.index == 0 ? node.name : "\(node.name):\(endpoint.index)", node.outputs[endpoint.index])
        }

        // Walk back from fetches and targets to everything they need.
        var needed = Set<Int>()
        var stack = key.fetches.filter { fed[$0] == nil }.map(\.node) + key.targets
        while let id = stack.popLast() {
            guard needed.insert(id).inserted else { continue }
            let node = graph.nodes[id]
            for endpoint in node.inputs where fed[endpoint] == nil { stack.append(endpoint.node) }
            stack.append(contentsOf: node.controlInputs)
        }

        var stepIndex: [Int: Int] = [:]
        func source(for endpoint: Endpoint, asReference: Bool) throws -> ValueSource {
            if let k = fed[endpoint] { return .feed(k) }
            let producer = graph.nodes[endpoint.node]
            if producer.op == VariableV2.self { return asReference ? .reference(producer.id) : .variable(producer.id) }
            if producer.op == Placeholder.self { throw TensorGraphError.missingFeed(placeholder: producer.name) }
            guard let s = stepIndex[endpoint.node] else {
                throw TensorGraphError.invalidArgument("internal: \(producer.name) scheduled after its consumer")
            }
            return .step(s, output: endpoint.index)
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
            var refs: [Int: Int] = [:]
            var sources: [ValueSource] = []
            for (i, endpoint) in node.inputs.enumerated() {
                let isRef = node.op.refInputs.contains(i)
                let s = try source(for: endpoint, asReference: isRef)
                if case .reference(let v) = s { refs[i] = v }
                sources.append(s)
            }
            stepIndex[id] = steps.count
            steps.append(Step(node: node, sources: sources, context: KernelContext(node: node, refVariables: refs, state: state, pool: pool)))
        }
        let fetchSources = try key.fetches.map { try source(for: $0, asReference: false) }
        self.fetchSources = fetchSources
        ExecutionPlan.linkPartners(steps)
        ExecutionPlan.fuseConvolutionEpilogues(&steps, fetches: fetchSources)
        ExecutionPlan.fusePoolingGradients(&steps, fetches: fetchSources)
        ExecutionPlan.markShapeOnlySteps(steps)
        self.steps = steps
        var start = [0], contexts: [KernelContext] = [], outputs: [Int] = []
        let releases = ExecutionPlan.liveness(steps, fetches: fetchSources)
        ExecutionPlan.markInPlaceSteps(steps, releases: releases)
        for list in releases {
            for value in list { contexts.append(steps[value.step].context); outputs.append(value.output) }
            start.append(contexts.count)
        }
        (releaseStart, releaseSteps, releaseOutputs) = (start, contexts, outputs)
    }

    /// An elementwise step may write its output over an input whose value dies at that step (no later
    /// reader, not fetched, not a shape-only value) and that feeds it only once.
    private static func markInPlaceSteps(_ steps: [Step], releases: [[StepOutput]]) {
        for (i, step) in steps.enumerated() {
            let context = step.context
            guard step.node.op.writesElementwise, context.memo == .none, !context.passesThrough, !context.absorbed,
                  context.partner == nil, step.sources.count == step.node.inputs.count else { continue }
            for (j, source) in step.sources.enumerated() {
                guard case let .step(s, o) = source, releases[i].contains(StepOutput(step: s, output: o)),
                      steps[s].context.memo == .none, step.sources.filter({ $0 == source }).count == 1 else { continue }
                context.donorCandidate = (j, steps[s].context, o)
                break
            }
        }
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

    /// Where each intermediate value dies: after the last step that reads it (or right away when nothing
    /// does). Fetched values and shape-only values (kept across runs) are never released; side results
    /// that steps borrow from each other (MaxPool's argmax, a fused ReluGrad's channel sums) live in
    /// scratch buffers, which are not pooled.
    private static func liveness(_ steps: [Step], fetches: [ValueSource]) -> [[StepOutput]] {
        var lastUse: [StepOutput: Int] = [:]   // → the last step that reads it
        var pinned = Set<StepOutput>()
        for source in fetches { if case let .step(s, o) = source { pinned.insert(StepOutput(step: s, output: o)) } }
        for (i, step) in steps.enumerated() {
            for source in step.sources { if case let .step(s, o) = source { lastUse[StepOutput(step: s, output: o)] = i } }
        }
        var releases = Array(repeating: [StepOutput](), count: steps.count)
        for (s, step) in steps.enumerated() where step.context.memo == .none && !step.context.absorbed {
            for o in step.node.outputs.indices {
                let value = StepOutput(step: s, output: o)
                if !pinned.contains(value) { releases[lastUse[value] ?? s].append(value) }
            }
        }
        return releases
    }

    /// Marks the steps whose outputs depend only on tensor shapes: `Shape` and the pure ops fed only by
    /// such steps and constants (the gradient code's BroadcastGradientArgs, Prod of a shape, Const, ...).
    /// The session skips them while the shapes they read stay the same, the way TensorFlow folds them
    /// when shapes are static, so a steady-state step neither recomputes nor reallocates them.
    private static func markShapeOnlySteps(_ steps: [Step]) {
        for step in steps {
            let op = step.node.op
            guard !op.isStateful, op.refInputs.isEmpty, !step.context.passesThrough else { continue }
            if op.readsOnlyInputShapes {
                step.context.memo = .shapeRoot
                continue
            }
            let fromShapes = step.sources.allSatisfy { source in
                switch source {
                case let .step(s, _): return steps[s].context.memo != .none
                case .constant: return true
                case .feed, .variable, .reference: return false
                }
            }
            if fromShapes { step.context.memo = .derived }
        }
    }

    /// One output of one plan step.
    struct StepOutput: Hashable {
        let step: Int
        let output: Int
    }

    /// How many step inputs and fetches read each step output (computed after earlier fusions changed sources).
    private static func readCounts(_ steps: [Step], fetches: [ValueSource]) -> [StepOutput: Int] {
        var uses: [StepOutput: Int] = [:]
        for source in steps.flatMap(\.sources) + fetches {
            if case let .step(s, output) = source { uses[StepOutput(step: s, output: output), default: 0] += 1 }
        }
        return uses
    }

    /// Conv2D or MatMul → BiasAdd (→ Relu), where each intermediate output feeds only the next op, becomes
    /// one kernel: the convolution adds the bias (and applies relu) to each block of output while it is
    /// still in cache (MatMul right after its GEMM), and the BiasAdd/Relu steps pass their input through.
    /// The graph keeps TF's three ops.
    private static func fuseConvolutionEpilogues(_ steps: inout [Step], fetches: [ValueSource]) {
        let uses = readCounts(steps, fetches: fetches)
        for b in steps.indices where steps[b].node.op == BiasAdd.self {
            guard case let .step(c, 0) = steps[b].sources[0], steps[c].node.op == Conv2D.self || steps[c].node.op == MatMul.self,
                  uses[StepOutput(step: c, output: 0)] == 1, steps[c].sources.count == 2 else { continue }
            // The bias must be readable when the convolution runs: look through Identity reads to the
            // variable or constant (layers create the bias after the Conv2D node).
            var bias = steps[b].sources[1]
            while case let .step(s, 0) = bias {
                if steps[s].node.op == Identity.self { bias = steps[s].sources[0]; continue }
                if steps[s].node.op == Const.self, case .tensor(let value)? = steps[s].node.attrs["value"] { bias = .constant(value) }
                break
            }
            if case let .step(s, _) = bias, s > c { continue }
            var relu = false
            if let r = steps.indices.first(where: { steps[$0].node.op == Relu.self && steps[$0].sources[0] == .step(b, output: 0) }),
               uses[StepOutput(step: b, output: 0)] == 1 {
                relu = true
                steps[r].context.passesThrough = true
            }
            steps[c].sources.append(bias)
            steps[c].context.fusedRelu = relu
            steps[b].context.passesThrough = true
        }
    }

    /// ReluGrad(MaxPoolGrad(y, pooled, g), y), with y the relu output that was pooled, becomes one
    /// scatter: each pooled gradient g[o] goes to its window's argmax when pooled[o] > 0 (the value
    /// there is y at the argmax, so the relu mask is known without reading y). A BiasAddGrad of that
    /// result takes the per-channel sums the scatter accumulates on the way, from the pooled-size data.
    /// Requires the MaxPoolGrad to be linked to its MaxPool (argmax) and to feed only the ReluGrad.
    private static func fusePoolingGradients(_ steps: inout [Step], fetches: [ValueSource]) {
        let uses = readCounts(steps, fetches: fetches)
        for r in steps.indices where steps[r].node.op == ReluGrad.self && steps[r].sources.count == 2 {
            guard case let .step(m, 0) = steps[r].sources[0], steps[m].node.op == MaxPoolGrad.self,
                  let forward = steps[m].context.partner, uses[StepOutput(step: m, output: 0)] == 1,
                  steps[m].sources[0] == steps[r].sources[1] else { continue }
            // Inputs of the fused step: the pooled gradient, the features (for the output shape), the pooled output.
            steps[r].sources = [steps[m].sources[2], steps[r].sources[1], steps[m].sources[1]]
            steps[r].context.partner = forward
            steps[m].context.absorbed = true
            for b in steps.indices where steps[b].node.op == BiasAddGrad.self && steps[b].sources == [.step(r, output: 0)] {
                steps[b].context.partner = steps[r].context
                steps[r].context.recordsSideResults = true
            }
        }
    }

    /// Lets MaxPoolGrad reuse the argmax its MaxPool computed in the same run (the graph keeps TF's ops).
    private static func linkPartners(_ steps: [Step]) {
        for step in steps where step.node.op == MaxPoolGrad.self {
            guard case let .step(s, 0)? = step.sources.dropFirst().first else { continue }
            let forward = steps[s]
            let same = ["ksize", "strides", "padding"].allSatisfy { forward.node.attrs[$0] == step.node.attrs[$0] }
            guard forward.node.op == MaxPool.self, same, forward.sources[0] == step.sources[0] else { continue }
            step.context.partner = forward.context
            forward.context.recordsSideResults = true
        }
    }
}
