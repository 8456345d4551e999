/// Shadow copies of variables that follow them as exponential moving averages, as TF1's
/// `tf.train.ExponentialMovingAverage`: `apply` creates for each variable a non-trainable shadow
/// `<var>/ExponentialMovingAverage` (starting at the variable's initial value) and returns the op that moves
/// every shadow towards its variable, shadow −= (1 − decay) · (shadow − var).
///
/// With `numUpdates` (usually the global step) the decay used is min(decay, (1 + n)/(10 + n)), so averages
/// move faster early in training. The usual TF1 pattern runs the averaging after each training step:
/// ```swift
/// let step = try AdamOptimizer().minimize(loss, globalStep: g.globalStep())
/// let ema = ExponentialMovingAverage(decay: 0.999, numUpdates: try g.globalStep())
/// let train = try g.withControlDependencies([step]) { try ema.apply(g.trainableVariables) }
/// // evaluate with the averages: ema.average(for: w)
/// ```
public final class ExponentialMovingAverage {
    /// The decay rate, in [0, 1] (TF's `decay`; typically close to 1, e.g. 0.999).
    public let decay: Double
    /// The number of updates so far, when given: caps the decay at (1 + n)/(10 + n).
    public let numUpdates: Output?
    /// The scope of the update ops and the suffix of the shadow variables' names.
    public let name: String
    private var shadows: [Variable: Variable] = [:]

    /// TF1's `tf.train.ExponentialMovingAverage(decay, num_updates=None, name="ExponentialMovingAverage")`
    /// (without `zero_debias`).
    public init(decay: Double, numUpdates: Output? = nil, name: String = "ExponentialMovingAverage") {
        self.decay = decay
        self.numUpdates = numUpdates
        self.name = name
    }

    /// Creates the shadow of each of `variables` (float32 or float64) and returns one op (named after the
    /// scope, `ExponentialMovingAverage`) that updates them all, each an `AssignSub` named `<scope>/AssignMovingAvg[_n]`.
    /// Shadows are built like TF's slots, outside any control dependencies, and each variable is added to the
    /// `movingAverageVariables` collection.
    /// - Throws: `TensorGraphError.invalidArgument` for an empty list, a non-float variable, a variable already
    ///   averaged by this object, a decay outside [0, 1], or a `numUpdates` that is not a scalar of this graph.
    public func apply(_ variables: [any VariableReference]) throws -> GraphOperation {
        let list = try variables.map { try $0.resolvedVariable() }
        guard let graph = list.first?.value.graph else { throw TensorGraphError.invalidArgument("\(name): no variables to average") }
        guard (0...1).contains(decay) else { throw TensorGraphError.invalidArgument("\(name): decay must be in [0, 1], got \(decay)") }
        if let numUpdates {
            guard numUpdates.graph === graph else { throw TensorGraphError.foreignGraph("\(name) numUpdates '\(numUpdates.name)'") }
            guard numUpdates.shape.rank == nil || numUpdates.shape.rank == 0 else {
                throw TensorGraphError.invalidArgument("\(name): numUpdates must be a scalar, got \(numUpdates.name) of shape \(numUpdates.shape)")
            }
        }
        for v in list {
            guard v.dtype.isFloatingPoint else { throw TensorGraphError.invalidArgument("\(name): '\(v.name)' is \(v.dtype), not a float variable") }
            guard shadows[v] == nil else { throw TensorGraphError.invalidArgument("\(name): moving average already computed for '\(v.name)'") }
        }
        for v in list {
            shadows[v] = try makeShadow(of: v, in: graph)
            try graph.addToCollection(.movingAverageVariables, v.value)
        }
        return try graph.withNameScope(name) {
            let scope = String(graph.currentScope.dropLast())
            var rate = try graph.constant(decay, dtype: .float, name: "decay")
            if let numUpdates {
                let n = try graph.cast(numUpdates, to: .float, name: "num_updates")
                rate = try graph.minimum(rate, (1.0 + n) / (10.0 + n))
            }
            var updates: [GraphOperation] = []
            for v in list {
                let shadow = shadows[v]!
                // TF's `assign_moving_average`: the AssignSub is named after its scope (`.../AssignMovingAvg`).
                let updateScope = graph.uniqueName("AssignMovingAvg")
                let delta = try graph.withScope(exactly: updateScope) {
                    try (shadow.value - v.value) * graph.cast(1.0 - rate, to: v.dtype, name: "decay")
                }
                let update = try graph.addNode(AssignSub.self, exactName: updateScope, inputs: [shadow.ref.endpoint, delta.endpoint],
                                               attrs: AssignSub.builderAttributes(AssignSub.Attrs()), controlInputs: [], location: nil)
                updates.append(GraphOperation(graph: graph, node: update))
            }
            // TF names the group after the scope itself (`ExponentialMovingAverage`), which the scope has claimed.
            let node = try graph.addNode(NoOp.self, exactName: scope, inputs: [], attrs: NoOp.builderAttributes(NoAttributes()),
                                         controlInputs: updates.map { $0.node.id }, location: nil)
            return GraphOperation(graph: graph, node: node)
        }
    }

    /// The shadow of `variable` (its value, `<var>/ExponentialMovingAverage/read`), or nil when `apply` did not
    /// average it (TF1's `ema.average(var)`).
    public func average(for variable: any VariableReference) -> Output? {
        guard let v = try? variable.resolvedVariable() else { return nil }
        return shadows[v]?.value
    }

    /// The name of the shadow `apply` creates for `variable`: `<var>/ExponentialMovingAverage` (TF1's
    /// `ema.average_name(var)`, the checkpoint key to restore averages into the variables themselves).
    public func averageName(for variable: Variable) -> String { "\(variable.name)/\(name)" }

    /// A shadow named `<var>/<name>`, initialized from the variable's own initial value (TF's
    /// `var.initialized_value()`), so the average starts where the variable starts.
    private func makeShadow(of v: Variable, in graph: Graph) throws -> Variable {
        let assign = v.initializer.node
        let initial = Output(graph: graph, node: graph.nodes[assign.inputs[1].node], index: assign.inputs[1].index)
        return try graph.withoutControlDependencies {
            try graph.withScope(exactly: "") {
                try graph.requireVariable(graph.variable(initial, name: averageName(for: v), trainable: false))
            }
        }
    }
}
