import Foundation

/// Runs a graph: holds variable values and compiled plans.
///
/// ```swift
/// let session = Session(graph: g)
/// try session.run(g.globalVariablesInitializer())
/// let stepLoss = try session.run(loss, target: train, feeding: [x: images, y: labels])   // one training step
/// let values = try session.run([loss, probabilities], feeding: [x: images, y: labels])  // [loss, probabilities]
/// ```
///
/// (`DocCommentExampleTests.testSessionDocExample` compiles and runs this.)
public final class Session {
    /// The graph this session runs; fetches, feeds and targets from any other graph are rejected.
    public let graph: Graph
    let state: SessionState
    private var plans: [PlanKey: ExecutionPlan] = [:]
    /// The most compiled plans kept; one more evicts an older one (not the last used).
    static let maximumCachedPlans = 64
    /// Compiled plans held (tests check the cache stays bounded).
    var cachedPlanCount: Int { plans.count }
    /// Per-op-type time and call counts, collected when profiling is on.
    private var profile: [String: (seconds: Double, calls: Int)] = [:]

    /// Whether to time every kernel. Defaults to the `TENSORGRAPH_PROFILE` environment variable;
    /// with it set, each session prints a per-op table when it is released.
    public var isProfiling = ProcessInfo.processInfo.environment["TENSORGRAPH_PROFILE"].map { $0 != "0" } ?? false
    /// Profile per node instead of per op type (`TENSORGRAPH_PROFILE=nodes`).
    public var profilesNodes = ProcessInfo.processInfo.environment["TENSORGRAPH_PROFILE"] == "nodes"

    /// Whether each run checks every float output of every step for NaN and ±Inf, and throws a
    /// `NumericsError` naming the first node (in execution order) that produced one, its op, the Swift
    /// line that built it, the kind (NaN, Inf, -Inf) and the first bad flat index. Values the graph
    /// folded while building count as computed first. Defaults to the `TENSORGRAPH_CHECK_NUMERICS`
    /// environment variable (`1` turns it on). Off, it costs one Bool test per step; on, one pass over
    /// each float output, and still no allocation in a steady-state step.
    ///
    /// For one tensor, `g.checkNumerics(x, message:)` does the same as an op in the graph.
    public var checksNumerics = ProcessInfo.processInfo.environment["TENSORGRAPH_CHECK_NUMERICS"].map { !$0.isEmpty && $0 != "0" } ?? false
    /// The most iterations one `While` node may run in one execution before the run fails with an error
    /// naming the node (a guard against loops that never end; TensorFlow has none). Default 10,000,000.
    public var maximumLoopIterations = 10_000_000

    /// Plans whose folded values passed the numerics check (they are constants: checked once per plan).
    private var numericsCheckedPlans: Set<ObjectIdentifier> = []

    /// The rewrite rules plans are compiled with (all of them; tests compare against none).
    var rewriteRules: [RewriteRule] = RewriteRules.all {
        didSet { plans = [:]; lastPlan = nil; numericsCheckedPlans = [] }
    }

    /// The largest tensor (or kernel scratch buffer) a run may allocate, in bytes; a larger one stops the
    /// run with a `kernelFailure` naming the node and the size, before anything is allocated. Default and
    /// maximum 16 GiB (a larger value is taken as 16 GiB).
    public var maximumTensorBytes: Int {
        get { state.maximumTensorBytes }
        set { state.maximumTensorBytes = Swift.min(newValue, KernelContext.maximumBytes) }
    }
    /// The most bytes of new buffers one run may allocate (buffers reused from earlier steps or runs do
    /// not count, nor do feeds and variables); exceeding it is a `kernelFailure` naming the node. Default: no limit.
    public var maximumRunBytes: Int {
        get { state.maximumRunBytes }
        set { state.maximumRunBytes = newValue }
    }
    /// Seconds a run may take (TF's `RunOptions.timeout_in_ms`); checked between steps, so a run past it
    /// stops before its next node with a `kernelFailure` naming that node. nil (the default): no limit.
    public var runTimeout: Double?

    /// A session over `graph` (TF1's `tf.Session(graph=g)`); its variables start uninitialized, and each session
    /// holds its own variable values.
    public init(graph: Graph) {
        self.graph = graph
        state = SessionState(graph: graph)
    }

    deinit { printProfileOnce() }

    /// Prints the profile (when profiling collected one) at most once: from `deinit`, or at process
    /// exit for a session that is never released (`ProfileAtExit`).
    func printProfileOnce() {
        if let report = takeProfileReport() { print(report) }
    }

    /// The profile report, the first time it is asked for (nil when not profiling or nothing ran).
    func takeProfileReport() -> String? {
        guard isProfiling, !profile.isEmpty, !profilePrinted else { return nil }
        profilePrinted = true
        return profileReport()
    }
    private var profilePrinted = false
    private var registeredForExitReport = false

    /// Time per op type since the session started (or `resetProfile()`), most expensive first.
    public func profileReport() -> String {
        let total = profile.values.map(\.seconds).reduce(0, +)
        func padded(_ s: String) -> String { s.count >= 36 ? s : s + String(repeating: " ", count: 36 - s.count) }
        var lines = [padded(profilesNodes ? "node (op type)" : "op type") + "   calls     total ms    share"]
        for (op, entry) in profile.sorted(by: { $0.value.seconds > $1.value.seconds }) {
            lines.append(padded(op) + String(format: "%8d %12.1f %7.1f%%", entry.calls, entry.seconds * 1000,
                                             total > 0 ? entry.seconds / total * 100 : 0))
        }
        lines.append(padded("total") + String(format: "%8@ %12.1f", "", total * 1000))
        return lines.joined(separator: "\n")
    }

    /// Clears the collected profile.
    public func resetProfile() { profile = [:] }

    /// Evaluates `fetches` (after running `targets`) with `feeds` substituted.
    public func run(_ fetches: [Output], targets: [GraphOperation] = [], feeding feeds: [Output: Tensor] = [:]) throws -> [Tensor] {
        let plan = try prepare(fetches: fetches, targets: targets, feeds: feeds)
        defer { finish(plan) }
        try execute(plan, feeds: plan.feedValues)
        return try plan.fetchSources.map { try fetchedValue(of: $0, in: plan) }
    }

    /// Evaluates one output.
    public func run(_ fetch: Output, feeding feeds: [Output: Tensor] = [:]) throws -> Tensor {
        let plan = try prepare(fetches: CollectionOfOne(fetch), targets: EmptyCollection(), feeds: feeds)
        defer { finish(plan) }
        try execute(plan, feeds: plan.feedValues)
        return try fetchedValue(of: plan.fetchSources[0], in: plan)
    }

    /// Evaluates one output and runs `target` in the same step (e.g. loss and training op).
    public func run(_ fetch: Output, target: GraphOperation, feeding feeds: [Output: Tensor] = [:]) throws -> Tensor {
        let plan = try prepare(fetches: CollectionOfOne(fetch), targets: CollectionOfOne(target), feeds: feeds)
        defer { finish(plan) }
        try execute(plan, feeds: plan.feedValues)
        return try fetchedValue(of: plan.fetchSources[0], in: plan)
    }

    /// The plan for this signature with the feeds validated and placed in `plan.feedValues`.
    ///
    /// The plan of the previous run is checked first without building a key, so a training loop that
    /// repeats one signature neither hashes nor allocates here.
    private func prepare(fetches: some Collection<Output>, targets: some Collection<GraphOperation>,
                         feeds: [Output: Tensor]) throws -> ExecutionPlan {
        // Once per public run (loop bodies' plans execute inside it): the memory and time limits start here.
        state.bytesAllocatedThisRun = 0
        state.deadline = runTimeout.flatMap { $0.isFinite && $0 >= 0 && $0 < 1e9 ? DispatchTime.now().uptimeNanoseconds + UInt64($0 * 1e9) : nil }
        for f in fetches where f.graph !== graph { throw TensorGraphError.foreignGraph("fetch '\(f.name)'") }
        for t in targets where t.graph !== graph { throw TensorGraphError.foreignGraph("target '\(t.name)'") }
        for f in feeds.keys where f.graph !== graph { throw TensorGraphError.foreignGraph("feed '\(f.name)'") }
        if graph.nodeCountAtFirstRun == nil { graph.nodeCountAtFirstRun = graph.nodes.count }   // for `Graph.lint`

        let plan: ExecutionPlan
        if let last = lastPlan, last.key.fetches.elementsEqual(fetches.lazy.map(\.endpoint)),
           last.key.targets.elementsEqual(targets.lazy.map(\.node.id)), last.key.feeds.count == feeds.count,
           feeds.keys.allSatisfy({ last.feedPositions[$0.endpoint] != nil }) {
            plan = last
            for (output, value) in feeds { plan.feedValues[plan.feedPositions[output.endpoint]!] = value }
        } else {
            let sortedFeeds = feeds.sorted { ($0.key.node.id, $0.key.index) < ($1.key.node.id, $1.key.index) }
            let key = PlanKey(feeds: sortedFeeds.map(\.key.endpoint), fetches: fetches.map(\.endpoint),
                              targets: targets.map(\.node.id))
            if let cached = plans[key] {
                plan = cached
            } else {
                plan = try ExecutionPlan(graph: graph, key: key, state: state, rules: rewriteRules)
                // Bounded: a program fetching ever new combinations must not keep every plan (and its buffers).
                if plans.count >= Self.maximumCachedPlans, let victim = plans.keys.first(where: { $0 != lastPlan?.key }),
                   let evicted = plans.removeValue(forKey: victim) {
                    numericsCheckedPlans.remove(ObjectIdentifier(evicted))   // the identifier may be reused
                }
                plans[key] = plan
            }
            for (k, feed) in sortedFeeds.enumerated() { plan.feedValues[k] = feed.value }
            lastPlan = plan
        }
        for k in plan.feedValues.indices {
            let value = plan.feedValues[k]
            let (name, spec) = plan.feedSpecs[k]
            guard value.dtype == spec.dtype else {
                clearFeeds(plan)
                throw TensorGraphError.feedDTypeMismatch(placeholder: name, expected: spec.dtype, got: value.dtype)
            }
            guard spec.shape.accepts(value.shape) else {
                clearFeeds(plan)
                throw TensorGraphError.feedShapeMismatch(placeholder: name, expected: spec.shape, got: value.shape)
            }
        }
        return plan
    }

    /// The plan used last, tried first by `prepare` (and read by tests).
    private(set) var lastPlan: ExecutionPlan?

    /// Drops the run's references to fed tensors and to outputs that alias other tensors.
    private func finish(_ plan: ExecutionPlan) {
        clearFeeds(plan)
        // Shape steps keep their outputs across runs (aliases included).
        for step in plan.steps where step.kind == .kernel || step.kind == .subPlan { step.context.releaseAliases() }
    }

    private func clearFeeds(_ plan: ExecutionPlan) {
        for k in plan.feedValues.indices { plan.feedValues[k] = Tensor.empty }
    }

    /// A fetched value; variables change in place on the next update, so they are handed out as a snapshot.
    private func fetchedValue(of source: ValueSource, in plan: ExecutionPlan) throws -> Tensor {
        let value = try self.value(of: source, in: plan, feeds: plan.feedValues)
        return value.storage.isVariable ? value.copy() : value
    }

    /// Runs operations for their effect (initializers, training steps).
    public func run(_ targets: GraphOperation..., feeding feeds: [Output: Tensor] = [:]) throws {
        _ = try run([], targets: targets, feeding: feeds)
    }

    /// The current value of a variable (a copy), or nil when it is not initialized.
    public func value(of variable: Variable) -> Tensor? {
        state.variables[variable.node.id]?.copy()
    }

    /// The current value (a copy) of the variable whose read output `g.variable(...)` returned — without
    /// running anything. Throws for an output that is not a variable, or a variable not yet initialized.
    public func value(of variable: Output) throws -> Tensor {
        guard let v = graph.variable(for: variable) else {
            throw TensorGraphError.invalidArgument("'\(variable.name)' is not a variable; use run(_:) to evaluate it")
        }
        guard let value = self.value(of: v) else { throw TensorGraphError.uninitializedVariable(name: v.name) }
        return value
    }

    /// Sets a variable's value directly (used by restore).
    public func setValue(_ value: Tensor, for variable: Variable) throws {
        guard variable.node.outputs[0].shape.accepts(value.shape), value.dtype == variable.dtype else {
            throw TensorGraphError.invalidArgument(
                "Variable '\(variable.name)' is \(variable.dtype)\(variable.shape); cannot set a \(value.dtype)\(TensorShape(value.shape)) value")
        }
        let owned = value.copy()
        owned.storage.isVariable = true
        state.variables[variable.node.id] = owned
    }

    private func value(of source: ValueSource, in plan: ExecutionPlan, feeds: [Tensor]) throws -> Tensor {
        switch source {
        case let .step(s, output): return plan.steps[s].context.outputs[output]
        case let .feed(k): return feeds[k]
        case let .constant(value): return value
        case let .variable(id), let .reference(id):
            guard let v = state.variables[id] else {
                throw TensorGraphError.uninitializedVariable(name: graph.nodes[id].name)
            }
            return v
        }
    }

    /// Runs the plan's steps in order (see `ExecutionPlan.StepKind`), releasing each value to the plan's
    /// buffer pool after its last reader, as the memory plan says.
    func execute(_ plan: ExecutionPlan, feeds: [Tensor]) throws {
        plan.runCounter &+= 1
        plan.pool.startRun()
        let memory = plan.memory
        if checksNumerics, !numericsCheckedPlans.contains(ObjectIdentifier(plan)) {
            try checkFoldedNumerics(of: plan)
            numericsCheckedPlans.insert(ObjectIdentifier(plan))
        }
        for (index, step) in plan.steps.enumerated() {
            let context = step.context
            // Runs after the inputs are dropped below (defers run in reverse): values this step read last
            // go back to the plan's pool for the steps after it.
            defer { for k in memory.releaseStart[index]..<memory.releaseStart[index + 1] { memory.releaseSteps[k].releaseOutput(memory.releaseOutputs[k]) } }
            switch step.kind {
            case .shapeDerived:
                if step.memoValid, !step.sources.contains(where: { source in
                    guard case let .step(s, _) = source else { return false }
                    return plan.steps[s].changedRun == plan.runCounter
                }) { continue }
            case .shapeRoot, .kernel, .subPlan:
                break
            }
            defer { context.inputs.removeAll(keepingCapacity: true) }
            for source in step.sources {
                if case .reference = source {
                    context.inputs.append(Tensor.empty)
                } else {
                    context.inputs.append(try value(of: source, in: plan, feeds: feeds))
                }
            }
            if step.kind == .shapeRoot {
                if step.memoValid, context.inputShapesMatch(step.memoInputShapes) { continue }
                step.memoInputShapes = context.inputs.map(\.shape)
            }
            if step.kind != .kernel {
                step.memoValid = false
                step.changedRun = plan.runCounter
            }
            if let (j, producer, o) = step.donorCandidate { context.takeDonor(input: j, producer: producer, output: o) }
            defer {
                // A donor the kernel did not use (another output size) is dead here: pool it.
                if let unused = context.donor { context.pool.give(unused) }
                context.donor = nil
            }
            if let deadline = state.deadline, DispatchTime.now().uptimeNanoseconds > deadline {
                throw context.error("the run took longer than its timeout of \(runTimeout ?? 0) s and was stopped before this node (Session.runTimeout)")
            }
            if let runner = step.subPlan {
                try runner.run(context, session: self)   // control flow: the bodies' own plans (their steps profile themselves)
            } else if isProfiling {
                if !registeredForExitReport {
                    registeredForExitReport = true
                    ProfileAtExit.register(self)
                }
                let start = DispatchTime.now().uptimeNanoseconds
                try step.node.op.compute(context)
                let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
                let key = profilesNodes ? "\(step.node.name) (\(step.node.opName))" : step.node.opName
                profile[key, default: (0, 0)].seconds += seconds
                profile[key, default: (0, 0)].calls += 1
            } else {
                try step.node.op.compute(context)
            }
            if checksNumerics { try checkNumerics(of: step, in: plan) }
            if step.kind != .kernel { step.memoValid = true }
        }
    }
}
