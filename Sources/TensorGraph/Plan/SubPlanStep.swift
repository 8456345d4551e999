/// How a `.subPlan` step runs control flow: each function body an `If`/`While` node calls is compiled
/// once, with the same pipeline as any plan, into its own `ExecutionPlan` whose feeds are the body's
/// arguments and whose fetches are its results (see Plan/README.md, "Where control flow goes").
///
/// Steady state allocates nothing when shapes stay the same: the plans, their buffers and the arrays
/// values pass through live here. A loop body has two compiled copies used on alternate iterations,
/// so an iteration's results (the next one's feeds) never pin the buffers it is about to write.
final class SubPlanRunner {
    /// One compiled function body.
    final class CompiledBody {
        let function: GraphFunction
        let plan: ExecutionPlan
        /// Keeps the body's session state alive (kernel contexts hold it unowned).
        let state: SessionState
        /// Feed position of each argument.
        let positions: [Int]
        /// The last call's results (reused array).
        var results: [Tensor] = []

        init(_ function: GraphFunction, session: Session) throws {
            self.function = function
            let sortedArguments = function.arguments.map(\.endpoint).sorted { ($0.node, $0.index) < ($1.node, $1.index) }
            let key = PlanKey(feeds: sortedArguments, fetches: function.results.map(\.endpoint), targets: function.statefulNodes)
            let state = SessionState(graph: function.graph)
            let plan = try ExecutionPlan(graph: function.graph, key: key, state: state, rules: session.rewriteRules)
            (self.state, self.plan) = (state, plan)
            positions = function.arguments.map { plan.feedPositions[$0.endpoint] ?? 0 }
            results.reserveCapacity(function.results.count)
        }
    }

    let node: Node
    private let library: FunctionLibrary
    private let kind: ControlFlowKind
    /// Compiled bodies by slot (see `ControlFlowKind`), built on first use.
    private var bodies: [CompiledBody?] = [nil, nil, nil]
    /// The loop variables between iterations (reused array).
    private var loopValues: [Tensor] = []

    /// How many bodies are compiled (for tests: each is compiled once).
    var compiledBodyCount: Int { bodies.filter { $0 != nil }.count }

    /// A runner for `node` when it is a control-flow op, else nil (an ordinary step).
    init?(node: Node, library: FunctionLibrary) {
        guard let op = node.op as? any ControlFlowOp.Type else { return nil }
        (self.node, self.library) = (node, library)
        kind = op.controlFlowKind(node)
    }

    /// Runs the step: the taken branch, or the loop until its condition is false; the step's outputs
    /// are the branch's results or the final loop variables.
    func run(_ context: KernelContext, session: Session) throws {
        switch kind {
        case let .branch(thenBranch, elseBranch):
            let taken = truth(context.input(0))
            let body = try compiled(slot: taken ? 0 : 1, taken ? thenBranch : elseBranch, session: session)
            try call(body, with: context.inputs[1...], context: context, session: session)
            for (i, value) in body.results.enumerated() { context.setOutput(i, value) }
            body.results.removeAll(keepingCapacity: true)
        case let .loop(condition, loopBody):
            loopValues.removeAll(keepingCapacity: true)
            loopValues.append(contentsOf: context.inputs)
            defer { loopValues.removeAll(keepingCapacity: true) }
            let test = try compiled(slot: 0, condition, session: session)
            var iteration = 0
            while true {
                try call(test, with: loopValues[...], context: context, session: session)
                let goOn = truth(test.results[0])
                test.results.removeAll(keepingCapacity: true)
                guard goOn else { break }
                iteration += 1
                guard iteration <= session.maximumLoopIterations else {
                    throw context.error("loop ran more than \(session.maximumLoopIterations) iterations "
                                        + "(Session.maximumLoopIterations); its condition may never become false")
                }
                // Alternate bodies: this iteration's feeds are the other copy's outputs.
                let body = try compiled(slot: 1 + iteration % 2, loopBody, session: session)
                try call(body, with: loopValues[...], context: context, session: session)
                for (i, value) in body.results.enumerated() { loopValues[i] = value }
                body.results.removeAll(keepingCapacity: true)
            }
            for (i, value) in loopValues.enumerated() { context.setOutput(i, value) }
        }
    }

    private func compiled(slot: Int, _ reference: FunctionReference, session: Session) throws -> CompiledBody {
        if let body = bodies[slot] { return body }
        guard let function = library.function(named: reference.name) else {
            throw TensorGraphError.kernelFailure(op: node.opName, node: node.name, message: "function '\(reference.name)' is not in the library")
        }
        let body = try CompiledBody(function, session: session)
        bodies[slot] = body
        return body
    }

    /// Runs `body`'s plan with `inputs` as its arguments, leaving its results in `body.results`.
    private func call(_ body: CompiledBody, with inputs: ArraySlice<Tensor>, context: KernelContext, session: Session) throws {
        let plan = body.plan
        // The body's kernels allocate against the session's memory limits and this run's running total
        // (`Session.maximumTensorBytes`/`maximumRunBytes`); the run's deadline is checked by `execute` itself.
        let outer = session.state, inner = body.state
        (inner.maximumTensorBytes, inner.maximumRunBytes) = (outer.maximumTensorBytes, outer.maximumRunBytes)
        inner.bytesAllocatedThisRun = outer.bytesAllocatedThisRun
        defer {
            outer.bytesAllocatedThisRun = inner.bytesAllocatedThisRun
            for k in plan.feedValues.indices { plan.feedValues[k] = Tensor.empty }
            for step in plan.steps where step.kind == .kernel || step.kind == .subPlan { step.context.releaseAliases() }
        }
        for (argument, (position, value)) in zip(body.function.arguments, zip(body.positions, inputs)) {
            guard value.dtype == argument.dtype, argument.shape.accepts(value.shape) else {
                throw context.error("argument '\(argument.node.name)' of function '\(body.function.name)' is "
                                    + "\(argument.spec), got \(value.dtype)\(TensorShape(value.shape))")
            }
            plan.feedValues[position] = value
        }
        try session.execute(plan, feeds: plan.feedValues)
        for source in plan.fetchSources {
            switch source {
            case let .step(s, output): body.results.append(plan.steps[s].context.outputs[output])
            case let .feed(k): body.results.append(plan.feedValues[k])
            case let .constant(value): body.results.append(value)
            case .variable, .reference:
                throw context.error("function '\(body.function.name)' returns a variable")
            }
        }
    }

    /// TensorFlow's `ToBool` for `If`'s `cond` and `While`'s condition result: a scalar is true when
    /// nonzero; any other tensor is true when it has elements.
    private func truth(_ value: Tensor) -> Bool {
        guard value.shape.isEmpty else { return value.count > 0 }
        switch value.dtype {
        case .bool: return value.pointer(Bool.self)[0]
        case .float: return value.pointer(Float.self)[0] != 0
        case .double: return value.pointer(Double.self)[0] != 0
        case .int32: return value.pointer(Int32.self)[0] != 0
        case .int64: return value.pointer(Int64.self)[0] != 0
        case .uint8: return value.pointer(UInt8.self)[0] != 0
        }
    }
}

/// What a control-flow node runs: both functions named by its attributes.
enum ControlFlowKind {
    /// `If`: slot 0 compiles `then`, slot 1 `else`.
    case branch(then: FunctionReference, else: FunctionReference)
    /// `While`: slot 0 compiles the condition, slots 1 and 2 the body (alternating).
    case loop(condition: FunctionReference, body: FunctionReference)
}

/// Ops a plan runs as `.subPlan` steps.
protocol ControlFlowOp: FunctionCallingOp {
    /// The functions `node` runs and how.
    static func controlFlowKind(_ node: Node) -> ControlFlowKind
}
