/// A variable: its `VariableV2` node, the `Assign` that initializes it, and the `read` Identity
/// that the rest of the graph uses (the structure TF1's `tf.Variable` builds).
public struct Variable: Hashable, @unchecked Sendable {
    /// The `VariableV2` node; its name is the variable's name (`dense/kernel`).
    public let node: Node
    private let readNode: Node
    private let initializerNode: Node
    /// Whether the variable is in the trainable list optimizers default to (`trainable=` of `tf.Variable`).
    public let isTrainable: Bool
    // The graph owns its variables; an unowned reference avoids a graph → variable → graph cycle.
    private unowned let graph: Graph

    init(node: Node, value: Output, initializer: GraphOperation, isTrainable: Bool) {
        self.node = node
        readNode = value.node
        initializerNode = initializer.node
        self.isTrainable = isTrainable
        graph = value.graph
    }

    /// The variable's value as a tensor (`<name>/read`); what `Graph.variable` returns.
    public var value: Output { Output(graph: graph, node: readNode, index: 0) }
    /// Runs the initial-value ops and assigns the result (`<name>/Assign`).
    public var initializer: GraphOperation { GraphOperation(graph: graph, node: initializerNode) }

    /// The variable's name (`dense/kernel`), its checkpoint key by default.
    public var name: String { node.name }
    /// The element type, fixed by the initial value.
    public var dtype: DType { node.outputs[0].dtype }
    /// The shape, fully known (fixed by the initial value).
    public var shape: TensorShape { node.outputs[0].shape }
    /// The variable itself, for ops that update it.
    public var ref: Output { Output(graph: graph, node: node, index: 0) }

    /// The same variable: the same `VariableV2` node.
    public static func == (a: Variable, b: Variable) -> Bool { a.node === b.node }
    /// Hashes the node's identity, consistent with `==`.
    public func hash(into hasher: inout Hasher) { hasher.combine(ObjectIdentifier(node)) }
}

extension Output {
    /// The variable behind this output when it is a variable's read (what `g.variable(...)` returns) or the
    /// variable itself: its initializer, `ref` and name one step away (`w.variable?.initializer`).
    public var variable: Variable? { graph.variable(for: self) }
}

/// How a variable's initial value is generated (Keras/TF defaults, seeded per graph).
public enum Initializer: Sendable {
    case zeros
    case ones
    case constant(Double)
    case randomNormal(mean: Double = 0, stddev: Double = 0.05)
    case truncatedNormal(mean: Double = 0, stddev: Double = 0.05)
    case randomUniform(min: Double = -0.05, max: Double = 0.05)
    /// Glorot/Xavier uniform: U(−√(6/(fanIn+fanOut)), +√(...)); TF's and Keras's default for kernels.
    case glorotUniform
    /// Glorot/Xavier normal, truncated: stddev √(2/(fanIn+fanOut)) / 0.8796.
    case glorotNormal
}

extension Graph {
    /// A variable initialized from `initialValue` (TF1's `tf.Variable(initial_value, name=...)`).
    ///
    /// Returns the variable's value (`<name>/read`); `variable(for:)` finds the `Variable` behind it.
    @discardableResult
    public func variable(_ initialValue: Output, name: String = "Variable", trainable: Bool = true,
                         file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try makeVariable(exactName: uniqueName(name), initial: initialValue, trainable: trainable,
                         location: SourceLocation(file: file, line: line))
    }

    /// A variable of `shape` whose initial value is built under `<name>/Initializer` (TF1's `tf.get_variable`).
    @discardableResult
    public func variable(name: String, shape: [Int], dtype: DType = .float, initializer: Initializer = .glorotUniform,
                         trainable: Bool = true, file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        let varName = uniqueName(name)
        return try withoutControlDependencies {
            let initial = try withScope(exactly: varName + "/Initializer") {
                try initialValue(initializer, shape: shape, dtype: dtype, file: file, line: line)
            }
            return try makeVariable(exactName: varName, initial: initial, trainable: trainable, location: SourceLocation(file: file, line: line))
        }
    }

    /// Adds `VariableV2`, `Assign` and `read` nodes for a variable named exactly `varName`.
    /// The variable's own nodes carry no control dependencies (`withoutControlDependencies`).
    private func makeVariable(exactName varName: String, initial: Output, trainable: Bool, location: SourceLocation) throws -> Output {
        try withoutControlDependencies { try makeVariableNodes(exactName: varName, initial: initial, trainable: trainable, location: location) }
    }

    private func makeVariableNodes(exactName varName: String, initial: Output, trainable: Bool, location: SourceLocation) throws -> Output {
        guard let shape = initial.shape.concrete else {
            throw TensorGraphError.invalidGraph(op: "VariableV2", node: varName,
                                                message: "initial value needs a fully known shape, got \(initial.shape)",
                                                location: location)
        }
        let dtype = initial.dtype
        let node = try addNode(VariableV2.self, exactName: varName, inputs: [],
                               attrs: VariableV2.builderAttributes(VariableV2.Attrs(shape: TensorShape(shape), dtype: dtype)),
                               controlInputs: [], location: location)
        let (assignName, readName) = withScope(exactly: varName) { (uniqueName("Assign"), uniqueName("read")) }
        let assign = try addNode(Assign.self, exactName: assignName,
                                 inputs: [Endpoint(node: node.id, index: 0), initial.endpoint],
                                 attrs: Assign.builderAttributes(Assign.Attrs()), controlInputs: [], location: location)
        let read = try addNode(Identity.self, exactName: readName, inputs: [Endpoint(node: node.id, index: 0)],
                               attrs: [:], controlInputs: [], location: location)
        let value = Output(graph: self, node: read, index: 0)
        register(Variable(node: node, value: value, initializer: GraphOperation(graph: self, node: assign), isTrainable: trainable))
        return value
    }

    /// The ops producing an initial value of `shape` from `initializer`.
    public func initialValue(_ initializer: Initializer, shape: [Int], dtype: DType = .float,
                             file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        switch initializer {
        case .zeros: return try zeros(shape, dtype: dtype, file: file, line: line)
        case .ones: return try fill(dims: constant(Tensor(shape.map(Int32.init))), value: constant(1.0, dtype: dtype))
        case .constant(let v): return try fill(dims: constant(Tensor(shape.map(Int32.init))), value: constant(v, dtype: dtype))
        case let .randomNormal(mean, stddev): return try randomNormal(shape, mean: mean, stddev: stddev, dtype: dtype, file: file, line: line)
        case let .truncatedNormal(mean, stddev): return try truncatedNormal(shape, mean: mean, stddev: stddev, dtype: dtype, file: file, line: line)
        case let .randomUniform(min, max): return try randomUniform(shape, min: min, max: max, dtype: dtype, file: file, line: line)
        case .glorotUniform: return try glorotUniform(shape, dtype: dtype, file: file, line: line)
        case .glorotNormal:
            let (fanIn, fanOut) = fans(of: shape)
            let stddev = (2.0 / Double(fanIn + fanOut)).squareRoot() / 0.87962566103423978
            return try truncatedNormal(shape, mean: 0, stddev: stddev, dtype: dtype, file: file, line: line)
        }
    }

    /// Zeros of a fixed shape (TF's `tf.zeros`).
    public func zeros(_ shape: [Int], dtype: DType = .float, name: String? = nil,
                      file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try constant(Tensor(zeros: dtype, shape: shape), name: name ?? "zeros", file: file, line: line)
    }

    /// Glorot/Xavier uniform values for a weight of `shape`: U(−√(6/(fanIn+fanOut)), +√(...)).
    public func glorotUniform(_ shape: [Int], dtype: DType = .float, file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        let (fanIn, fanOut) = fans(of: shape)
        let limit = (6.0 / Double(fanIn + fanOut)).squareRoot()
        return try randomUniform(shape, min: -limit, max: limit, dtype: dtype, file: file, line: line)
    }

    /// Keras's fan-in and fan-out: [..., in, out] with the leading dims as the receptive field.
    private func fans(of shape: [Int]) -> (Int, Int) {
        guard shape.count >= 2 else { return (shape.first ?? 1, shape.first ?? 1) }
        let receptive = shape.dropLast(2).reduce(1, *)
        return (shape[shape.count - 2] * receptive, shape[shape.count - 1] * receptive)
    }

    /// The variable behind `output` (a variable's read value), or an error naming it.
    func requireVariable(_ output: Output) throws -> Variable {
        guard let v = variable(for: output) else {
            throw TensorGraphError.invalidArgument("'\(output.name)' is not a variable")
        }
        return v
    }

    /// An op that sets `variable` to `value` (TF's `tf.assign`).
    public func assign(_ variable: Output, _ value: Output, name: String? = nil,
                       file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        let v = try requireVariable(variable)
        return try addOutput(Assign.self, name: name ?? "Assign", [v.ref, value], Assign.Attrs(), file: file, line: line)
    }

    /// An op that adds `value` to `variable` in place.
    public func assignAdd(_ variable: Output, _ value: Output, name: String? = nil,
                          file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        let v = try requireVariable(variable)
        return try addOutput(AssignAdd.self, name: name, [v.ref, value], AssignAdd.Attrs(), file: file, line: line)
    }

    /// An op that subtracts `value` from `variable` in place.
    public func assignSub(_ variable: Output, _ value: Output, name: String? = nil,
                          file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        let v = try requireVariable(variable)
        return try addOutput(AssignSub.self, name: name, [v.ref, value], AssignSub.Attrs(), file: file, line: line)
    }

    /// One op that initializes every variable created so far (`init`).
    public func globalVariablesInitializer(file: StaticString = #fileID, line: UInt = #line) throws -> GraphOperation {
        try group(globalVariables.map(\.initializer), name: "init", file: file, line: line)
    }
}

/// What names a variable wherever the API takes one (`minimize(variables:globalStep:)`, `Saver`, ...):
/// the `Output` that `g.variable(...)` and `g.globalStep()` return — the handle a program holds and
/// uses as an operand — or the `Variable` record that `g.trainableVariables` lists.
public protocol VariableReference {
    /// The variable named; an `Output` that is not a variable's value throws `invalidArgument` naming it.
    func resolvedVariable() throws -> Variable
}

extension Variable: VariableReference {
    /// The variable itself.
    public func resolvedVariable() throws -> Variable { self }
}

extension Output: VariableReference {
    /// The variable whose value (or reference) this output is.
    public func resolvedVariable() throws -> Variable { try graph.requireVariable(self) }
}
