/// One variable and its gradient (nil where the loss does not depend on it), as `computeGradients`
/// returns them and `applyGradients` takes them (TF1's `(gradient, variable)` pairs).
public struct GradientAndVariable {
    /// The gradient of the loss for `variable`; nil where the loss does not depend on it.
    public var gradient: Output?
    /// The variable: `variable.value` is its value as an operand (for weight decay on the gradient).
    public let variable: Variable
    /// Pairs a gradient (nil to skip the variable) with its variable, e.g. after clipping the gradient.
    public init(gradient: Output?, variable: Variable) {
        self.gradient = gradient
        self.variable = variable
    }
}

/// Base class of the optimizers: TF1's `compute_gradients` / `apply_gradients` / `minimize`.
///
/// Subclasses build one update op per variable (`applyDense`) and may create slot variables
/// (`slot(for:name:)`), which are ordinary variables named `<variable>/<OptimizerName>[_n]`,
/// so they are initialized, saved and restored with everything else.
open class Optimizer {
    /// The name scope of the update ops (`GradientDescent`, `Adam`, ...).
    public let name: String

    /// Subclasses pass their TF1 name (`Adam`, ...), which scopes the update ops and names their slots.
    public init(name: String) { self.name = name }

    /// Gradients of `loss` for each variable (trainable variables by default); nil where unconnected.
    /// Transform them (clip, scale, add noise) and hand them to `applyGradients`, as in TF1.
    public func computeGradients(_ loss: Output, variables: [any VariableReference]? = nil) throws -> [GradientAndVariable] {
        let graph = loss.graph
        let list = try variables?.map { try $0.resolvedVariable() } ?? graph.trainableVariables
        guard !list.isEmpty else { throw TensorGraphError.invalidArgument("\(name): no variables to optimize") }
        let grads = try graph.gradients(of: [loss], with: list.map(\.value), gateGradients: true)
        return zip(grads, list).map { GradientAndVariable(gradient: $0, variable: $1) }
    }

    /// An op applying the gradients, and incrementing `globalStep` afterwards when given.
    public func applyGradients(_ gradientsAndVariables: [GradientAndVariable],
                               globalStep: (any VariableReference)? = nil) throws -> GraphOperation {
        let globalStep = try globalStep?.resolvedVariable()
        let pairs = gradientsAndVariables.compactMap { pair in pair.gradient.map { ($0, pair.variable) } }
        guard let graph = pairs.first?.0.graph else {
            throw TensorGraphError.invalidArgument(
                "\(name): no gradients for any variable (\(gradientsAndVariables.map(\.variable.name).joined(separator: ", ")))")
        }
        return try graph.withNameScope(name) {
            try prepare(graph, variables: pairs.map(\.1))
            var updates: [GraphOperation] = []
            for (gradient, variable) in pairs {
                let update = try graph.withNameScope("update_\(variable.name)") { try applyDense(gradient, to: variable) }
                updates.append(update)
            }
            updates += try finish(graph, updates: updates)
            guard let globalStep else { return try graph.group(updates, name: "update") }
            return try graph.withControlDependencies(updates) {
                try graph.assignAdd(globalStep.value, graph.constant(1.0, like: globalStep.value), name: "global_step_increment").op
            }
        }
    }

    /// Computes and applies gradients of `loss` in one op.
    public func minimize(_ loss: Output, variables: [any VariableReference]? = nil,
                         globalStep: (any VariableReference)? = nil) throws -> GraphOperation {
        try applyGradients(computeGradients(loss, variables: variables), globalStep: globalStep)
    }

    // MARK: For subclasses

    /// Creates shared nodes (e.g. the learning-rate constant) before the per-variable updates.
    open func prepare(_ graph: Graph, variables: [Variable]) throws {}

    /// The update op for one variable.
    open func applyDense(_ gradient: Output, to variable: Variable) throws -> GraphOperation {
        throw TensorGraphError.invalidArgument("\(name) does not implement applyDense")
    }

    /// Extra ops run after all updates (Adam's beta-power updates).
    open func finish(_ graph: Graph, updates: [GraphOperation]) throws -> [GraphOperation] { [] }

    /// A scalar hyper-parameter of the variables' dtype (float32 unless they are float64): a `Const` for a
    /// number, the tensor itself (cast if needed) for an `Output`.
    public func hyperParameter(_ value: any HyperParameter, _ name: String, in graph: Graph, for variables: [Variable]) throws -> Output {
        try value.hyperParameterOutput(in: graph, dtype: variables.first?.dtype ?? .float, name: name)
    }

    /// A zero-initialized slot variable for `variable`, named `<variable>/<name>` (TF's slot naming).
    public func slot(for variable: Variable, name slotName: String) throws -> Output {
        let graph = variable.value.graph
        guard let shape = variable.shape.concrete else {
            throw TensorGraphError.invalidArgument("\(name): variable '\(variable.name)' needs a fully known shape for slot '\(slotName)'")
        }
        // Slots are built like TF's, in `init_scope`: no control dependency of the caller reaches their initializers.
        return try graph.withoutControlDependencies {
            try graph.withScope(exactly: "") {
                try graph.variable(graph.zeros(shape, dtype: variable.dtype, name: "\(variable.name)/\(slotName)/Initializer/zeros"),
                                   name: "\(variable.name)/\(slotName)", trainable: false)
            }
        }
    }
}

extension Graph {
    /// The `global_step` int64 variable (created on first use), counting training steps
    /// (TF1's `tf.train.get_or_create_global_step()`): its value, usable as an operand like any
    /// variable `g.variable(...)` returns; `optimizer.minimize(loss, globalStep:)` increments it.
    public func globalStep() throws -> Output {
        if let existing = globalVariables.first(where: { $0.name == "global_step" }) { return existing.value }
        return try withoutControlDependencies {
            try withScope(exactly: "") {
                try variable(constant(Tensor(Int64(0)), name: "global_step/Initializer/zeros"), name: "global_step", trainable: false)
            }
        }
    }
}
