/// Adagrad (Duchi et al.) with TF1's semantics (`tf.compat.v1.train.AdagradOptimizer`): an `ApplyAdagrad` per
/// variable, accum += g², var −= lr · g/√accum, with the accumulator slot `<var>/Adagrad` starting at
/// `initialAccumulatorValue` (TF1's default 0.1).
public final class AdagradOptimizer: Optimizer {
    /// Step size (a number or a scalar tensor such as a decay schedule).
    public let learningRate: any HyperParameter
    /// The accumulators' starting value (TF1's `initial_accumulator_value`), positive.
    public let initialAccumulatorValue: Double
    private var rate: Output?

    /// TF1's `tf.train.AdagradOptimizer(learning_rate, initial_accumulator_value=0.1)`; `name` scopes the update
    /// ops and names the slot `<var>/<name>`. A non-positive `initialAccumulatorValue` is rejected when the
    /// update is built (TF raises ValueError in the constructor).
    public init(learningRate: any HyperParameter, initialAccumulatorValue: Double = 0.1, name: String = "Adagrad") {
        self.learningRate = learningRate
        self.initialAccumulatorValue = initialAccumulatorValue
        super.init(name: name)
    }

    /// Builds the `learning_rate` scalar once per `applyGradients`, in the first variable's dtype.
    /// - Throws: `TensorGraphError.invalidArgument` when `initialAccumulatorValue` is not positive; when a tensor
    ///   learning rate is from another graph, not a scalar, or not float32/float64.
    public override func prepare(_ graph: Graph, variables: [Variable]) throws {
        guard initialAccumulatorValue > 0 else {
            throw TensorGraphError.invalidArgument("\(name): initialAccumulatorValue must be positive, got \(initialAccumulatorValue)")
        }
        rate = try hyperParameter(learningRate, "learning_rate", in: graph, for: variables)
    }

    /// An `ApplyAdagrad` node updating `variable` and its accumulator slot `<var>/<name>` (filled with
    /// `initialAccumulatorValue`, built outside any control dependencies) in place.
    /// - Throws: `TensorGraphError.invalidArgument` when the variable's shape is not fully known, or a graph
    ///   error when the gradient's shape does not match the variable's.
    public override func applyDense(_ gradient: Output, to variable: Variable) throws -> GraphOperation {
        let graph = variable.value.graph
        guard let shape = variable.shape.concrete, let rate else {
            throw TensorGraphError.invalidArgument("\(name): '\(variable.name)' needs a fully known shape for its accumulator")
        }
        let accumulator = try graph.withoutControlDependencies {
            let initial = try graph.withScope(exactly: "\(variable.name)/\(name)/Initializer") {
                try graph.initialValue(.constant(initialAccumulatorValue), shape: shape, dtype: variable.dtype)
            }
            return try graph.withScope(exactly: "") {
                try graph.requireVariable(graph.variable(initial, name: "\(variable.name)/\(name)", trainable: false))
            }
        }
        return try graph.applyAdagrad(variable.value, accumulator: accumulator.value, learningRate: rate, gradient: gradient,
                                      name: "ApplyAdagrad").op
    }
}

/// Adam with decoupled weight decay, with the semantics of `tf.keras.optimizers.AdamW` (Loshchilov & Hutter;
/// Keras ≥ 2.11): for each variable not excluded, first var ← var − lr · weightDecay · var (an `AssignSub`,
/// the decay scaled by the learning rate and applied to the variable before the step, never added to the
/// gradient), then the plain Adam step (`ApplyAdam`) with the gradient computed before the decay.
///
/// Not tfa's `AdamW`, whose `weight_decay` is not multiplied by the learning rate: to get tfa's update,
/// pass weightDecay = tfa's value / learning rate. Defaults are Keras's (lr 0.001, weight decay 0.004,
/// ε 1e-7). Slots and counters are named as TF1's Adam names them, with this optimizer's name:
/// `<var>/AdamW`, `<var>/AdamW_1`, `beta1_power`, `beta2_power`.
public final class AdamWOptimizer: Optimizer {
    /// The decoupled decay coefficient, multiplied by the learning rate at each step.
    public let weightDecay: Double
    /// Variables whose name contains one of these strings get no decay (Keras's `exclude_from_weight_decay`
    /// takes regular expressions; this takes plain substrings, e.g. `bias`, `beta`, `gamma`).
    public let excludeFromWeightDecay: [String]
    private let learningRate: any HyperParameter
    private let adam: AdamOptimizer
    private var decayFactor: Output?

    /// `tf.keras.optimizers.AdamW(learning_rate, weight_decay, beta_1, beta_2, epsilon)` with Keras's defaults; a
    /// negative `weightDecay` is rejected when the update is built.
    public init(learningRate: any HyperParameter = 0.001, weightDecay: Double = 0.004, beta1: any HyperParameter = 0.9,
                beta2: any HyperParameter = 0.999, epsilon: any HyperParameter = 1e-7, excludeFromWeightDecay: [String] = [],
                name: String = "AdamW") {
        self.weightDecay = weightDecay
        self.excludeFromWeightDecay = excludeFromWeightDecay
        self.learningRate = learningRate
        adam = AdamOptimizer(learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon, name: name)
        super.init(name: name)
    }

    /// Adam's scalars and `beta1_power`/`beta2_power`, and the decay factor lr · weightDecay (`weight_decay`).
    /// - Throws: `TensorGraphError.invalidArgument` for a negative weightDecay; when a tensor hyper-parameter is
    ///   from another graph, not a scalar, or not float32/float64.
    public override func prepare(_ graph: Graph, variables: [Variable]) throws {
        guard weightDecay >= 0 else { throw TensorGraphError.invalidArgument("\(name): weightDecay must not be negative, got \(weightDecay)") }
        try adam.prepare(graph, variables: variables)
        let rate = try hyperParameter(learningRate, "learning_rate", in: graph, for: variables)
        decayFactor = try graph.mul(rate, graph.constant(weightDecay, like: rate), name: "weight_decay")
    }

    /// The decay `AssignSub` (run after the gradient is computed) followed by Adam's `ApplyAdam`.
    /// - Throws: As `AdamOptimizer.applyDense`.
    public override func applyDense(_ gradient: Output, to variable: Variable) throws -> GraphOperation {
        let graph = variable.value.graph
        guard let decayFactor, weightDecay > 0, !excludeFromWeightDecay.contains(where: { variable.name.contains($0) }) else {
            return try adam.applyDense(gradient, to: variable)
        }
        // The decay must not run before the gradient (which reads the undecayed variable) is computed.
        let decay = try graph.withControlDependencies([gradient.op]) {
            try graph.assignSub(variable.value, graph.mul(variable.value, decayFactor), name: "decay")
        }
        return try graph.withControlDependencies([decay.op]) { try adam.applyDense(gradient, to: variable) }
    }

    /// Adam's `beta1_power`/`beta2_power` updates after every step.
    public override func finish(_ graph: Graph, updates: [GraphOperation]) throws -> [GraphOperation] {
        try adam.finish(graph, updates: updates)
    }
}
