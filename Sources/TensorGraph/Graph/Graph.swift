/// A dataflow graph: an append-only list of nodes with unique, TensorFlow-style names.
///
/// Build it with the op builders (`placeholder`, `matMul`, `tanh`, ...), differentiate it
/// with `gradients(of:with:)`, and run it in a `Session`.
public final class Graph: @unchecked Sendable {
    /// Every node, indexed by `Node.id`; append order is a topological order.
    public private(set) var nodes: [Node] = []
    private var nodesByName: [String: Int] = [:]
    private var nameCounts: [String: Int] = [:]
    private var scopeStack: [String] = []
    private var controlDependencyStack: [[Int]] = []

    /// Graph-level seed combined with each random op's own seed (TF's `tf.set_random_seed`).
    public var randomSeed: Int = 87654321
    private var randomOpCounter = 0

    /// All variables, in creation order (TF's `GLOBAL_VARIABLES` collection).
    public private(set) var globalVariables: [Variable] = []
    private var variablesByNode: [Int: Int] = [:]

    /// Values known while building, by node id (see `ConstantFolding.swift`).
    var foldedValues: [Int: [Tensor]] = [:]

    /// Layers added by the layer builders, in order (for `summary()`).
    public internal(set) var layerRecords: [LayerRecord] = []

    /// The functions `If`/`While` nodes call (TF's `FunctionDefLibrary`), shared with every function body.
    public internal(set) var library: FunctionLibrary {
        get { ownedLibrary ?? sharedLibrary ?? FunctionLibrary() }
        set { (ownedLibrary, sharedLibrary) = (newValue, nil) }
    }
    /// A graph owns its library; a function body, which the library itself holds (library → function →
    /// body), refers to it weakly (`shareLibrary`), or every graph with functions would leak its library.
    private var ownedLibrary: FunctionLibrary? = FunctionLibrary()
    private weak var sharedLibrary: FunctionLibrary?

    /// Makes this graph a function body of `library`: it reads and adds to the library without keeping it
    /// alive (the graph that owns the library does).
    func shareLibrary(_ library: FunctionLibrary) { (ownedLibrary, sharedLibrary) = (nil, library) }
    /// Set on a function body being built: turns a tensor of an enclosing graph into an argument of the
    /// body (TF's captured inputs of `cond`/`while_loop`), see `FunctionLibrary.swift`.
    var captureHandler: ((Output) throws -> Output)?

    /// Members of TF1's named collections by key (`update_ops`, ...); read through `collection(_:)` (Training/Collections.swift).
    var collectionMembers: [String: [Endpoint]] = [:]

    /// How many nodes the graph had when a `Session` first ran it (nil: never run); `lint()` reports later nodes.
    var nodeCountAtFirstRun: Int?

    /// An empty graph (TF's `tf.Graph()`); unlike TF1 there is no implicit default graph.
    public init() {}

    /// The variables an optimizer updates by default (TF's `TRAINABLE_VARIABLES`).
    public var trainableVariables: [Variable] { globalVariables.filter(\.isTrainable) }

    /// The node with this exact name.
    public func node(named name: String) -> Node? { nodesByName[name].map { nodes[$0] } }

    /// The output `name` or `name:i`, as TensorFlow spells tensor names.
    ///
    /// `i` is a decimal output index (digits only: `x:-1` and `x:+1` name no output); nil when the node
    /// does not exist or has no output `i`.
    public func output(named tensorName: String) -> Output? {
        var nodeName = Substring(tensorName)
        var index = 0
        if let colon = tensorName.lastIndex(of: ":") {
            let suffix = tensorName[tensorName.index(after: colon)...]
            if let sign = suffix.first, sign == "-" || sign == "+" { return nil }
            if let i = Int(suffix) {
                nodeName = tensorName[..<colon]
                index = i
            }
        }
        guard let node = node(named: String(nodeName)), (0..<node.outputs.count).contains(index) else { return nil }
        return Output(graph: self, node: node, index: index)
    }

    // MARK: Names and scopes

    /// A fresh name under the current scope: `MatMul`, then `MatMul_1`, ... (TensorFlow's `unique_name`).
    func uniqueName(_ base: String) -> String {
        let name = currentScope + base
        let key = name.lowercased()
        var i = nameCounts[key, default: 0]
        nameCounts[key] = i + 1
        guard i > 0 else { return name }
        var candidateKey = key
        while nameCounts[candidateKey] != nil {
            candidateKey = "\(key)_\(i)"
            i += 1
        }
        nameCounts[candidateKey] = 1
        return "\(name)_\(i - 1)"
    }

    /// Runs `body` with nodes named under a unique scope (`dense`, then `dense_1`).
    public func withNameScope<R>(_ name: String, _ body: () throws -> R) rethrows -> R {
        let scope = uniqueName(name)
        scopeStack.append(scope)
        defer { scopeStack.removeLast() }
        return try body()
    }

    /// Runs `body` inside the scope named exactly `fullName` (already claimed; "" is the top level).
    func withScope<R>(exactly fullName: String, _ body: () throws -> R) rethrows -> R {
        scopeStack.append(fullName)
        defer { scopeStack.removeLast() }
        return try body()
    }

    /// The current name scope, e.g. `dense/` (empty at top level).
    public var currentScope: String {
        guard let scope = scopeStack.last, !scope.isEmpty else { return "" }
        return scope + "/"
    }

    /// Runs `body` so that every node it adds runs only after `operations`.
    public func withControlDependencies<R>(_ operations: [GraphOperation], _ body: () throws -> R) throws -> R {
        for op in operations where op.graph !== self { throw TensorGraphError.foreignGraph("control dependency '\(op.name)'") }
        controlDependencyStack.append(operations.map { $0.node.id })
        defer { controlDependencyStack.removeLast() }
        return try body()
    }

    /// Runs `body` with no control dependencies in force (TF1's `tf.control_dependencies(None)`, part of
    /// `init_scope`): variables, their initializers and optimizer slots are built this way, so an
    /// initializer never waits for the ops a training step was built under (a batch norm's update ops
    /// that read a placeholder, for example).
    public func withoutControlDependencies<R>(_ body: () throws -> R) rethrows -> R {
        let saved = controlDependencyStack
        controlDependencyStack = []
        defer { controlDependencyStack = saved }
        return try body()
    }

    // MARK: Adding nodes

    /// Adds a node after inferring its outputs; throws with the op, the shapes and `location` on a mismatch.
    @discardableResult
    public func addNode(_ op: any Op.Type, name: String? = nil, inputs: [Output], attrs: Attributes = [:],
                        controlInputs: [GraphOperation] = [], location: SourceLocation? = nil) throws -> Node {
        var inputs = inputs
        for (i, input) in inputs.enumerated() where input.graph !== self {
            // Inside a `cond`/`whileLoop` body a tensor of an enclosing graph becomes a captured argument.
            guard let capture = captureHandler else {
                throw TensorGraphError.foreignGraph("input '\(input.name)' of a new \(op.wireName) node")
            }
            inputs[i] = try capture(input)
        }
        return try addNode(op, exactName: uniqueName(name ?? op.wireName), inputs: inputs.map(\.endpoint),
                           attrs: attrs, controlInputs: controlInputs.map { $0.node.id }, location: location)
    }

    /// Adds a node with a name that must not be taken (used by import and by scoped builders).
    @discardableResult
    func addNode(_ op: any Op.Type, exactName: String, inputs: [Endpoint], attrs: Attributes,
                 controlInputs: [Int], location: SourceLocation?) throws -> Node {
        guard nodesByName[exactName] == nil else {
            throw TensorGraphError.invalidArgument("Duplicate node name '\(exactName)'")
        }
        // Endpoints come from imported GraphDefs too (`x:-1`, `x:7`): checked here, before any lookup can trap.
        for (i, input) in inputs.enumerated() where !nodes.indices.contains(input.node) || !nodes[input.node].outputs.indices.contains(input.index) {
            let producer = nodes.indices.contains(input.node) ? "'\(nodes[input.node].name)' (\(nodes[input.node].outputs.count) outputs)" : "node \(input.node)"
            throw TensorGraphError.invalidArgument("\(op.wireName) node '\(exactName)': input \(i) reads output \(input.index) of \(producer), which does not exist")
        }
        for control in controlInputs where !nodes.indices.contains(control) {
            throw TensorGraphError.invalidArgument("\(op.wireName) node '\(exactName)': control input \(control) is not a node of this graph")
        }
        let specs = inputs.map { nodes[$0.node].outputs[$0.index] }
        let fail = { (message: String) in
            TensorGraphError.invalidGraph(op: op.wireName, node: exactName, message: message, location: location)
        }
        let (decoded, complete) = try op.decodeAttributes(attrs, inputs: specs, fail: fail)
        let context = InferenceContext(opName: op.wireName, nodeName: exactName, inputs: specs, attrs: complete,
                                       decoded: decoded, inputEndpoints: inputs, graph: self, location: location)
        for (i, spec) in specs.enumerated() where op.refInputs.contains(i) {
            guard nodes[inputs[i].node].op == VariableV2.self else {
                throw context.error("input \(i) must be a variable, got \(nodes[inputs[i].node].opName) (\(spec))")
            }
        }
        let outputs = try op.inferOutputs(context)
        try checkDeclaredOutputs(op, outputs, attrs: complete, fail: fail)
        var control = controlInputs
        for deps in controlDependencyStack { control += deps.filter { !control.contains($0) } }
        let node = Node(id: nodes.count, name: exactName, op: op, attrs: complete, decodedAttributes: decoded, inputs: inputs,
                        controlInputs: control, outputs: outputs, location: location)
        nodes.append(node)
        fold(node)
        nodesByName[exactName] = node.id
        if nameCounts[exactName.lowercased()] == nil { nameCounts[exactName.lowercased()] = 1 }
        return node
    }

    /// Shape inference must agree with the declared outputs: their number and the dtypes they fix
    /// (an output typed by a `list(type)` attribute, IdentityN's `output: T`, has one entry per type).
    private func checkDeclaredOutputs(_ op: any Op.Type, _ specs: [TensorSpec], attrs: Attributes,
                                      fail: (String) -> TensorGraphError) throws {
        var counts: [Int] = []
        for arg in op.outputs {
            if let n = arg.countAttribute, case .int(let count)? = attrs[n] {
                counts.append(count)
            } else if case .attribute(let name) = arg.element, case .types(let list)? = attrs[name] {
                counts.append(list.count)
            } else {
                counts.append(1)
            }
        }
        let expected = counts.reduce(0, +)
        guard specs.count == expected else { throw fail("internal: shape inference gave \(specs.count) outputs, the op declares \(expected)") }
        var position = 0
        for (arg, count) in zip(op.outputs, counts) {
            for k in 0..<count {
                let dtype = specs[position + k].dtype
                switch arg.element {
                case .fixed(let d) where d != dtype:
                    throw fail("internal: output \(position + k) must be \(d), inferred \(dtype)")
                case .attribute(let name):
                    switch attrs[name] {
                    case .type(let t)? where t != dtype:
                        throw fail("internal: output \(position + k) must be \(t) (\(name)), inferred \(dtype)")
                    case .types(let list)? where list[k] != dtype:
                        throw fail("internal: output \(position + k) must be \(list[k]) (\(name)), inferred \(dtype)")
                    default:
                        break
                    }
                default:
                    break
                }
            }
            position += count
        }
    }

    /// Adds a single-output node of op `O` with typed attributes and returns its output.
    func addOutput<O: Op>(_ op: O.Type, name: String? = nil, _ inputs: [Output], _ attributes: O.Attrs,
                          file: StaticString, line: UInt) throws -> Output {
        try addOutput(op, name: name, inputs, attrs: O.builderAttributes(attributes), file: file, line: line)
    }

    /// Adds a single-output node and returns its output.
    func addOutput(_ op: any Op.Type, name: String? = nil, _ inputs: [Output], attrs: Attributes = [:],
                   file: StaticString, line: UInt) throws -> Output {
        // Operators (`+`, `*`, ...) cannot capture the caller's line; they pass an empty file.
        let location = file.utf8CodeUnitCount == 0 ? nil : SourceLocation(file: file, line: line)
        let node = try addNode(op, name: name, inputs: inputs, attrs: attrs, location: location)
        return Output(graph: self, node: node, index: 0)
    }

    // MARK: Randomness

    /// The (seed, seed2) attributes for a new random op: deterministic for a given graph.
    func nextRandomSeeds(_ opSeed: Int?) -> (seed: Int, seed2: Int) {
        randomOpCounter += 1
        return (randomSeed, opSeed ?? randomOpCounter)
    }

    // MARK: Variables

    func register(_ variable: Variable) {
        variablesByNode[variable.node.id] = globalVariables.count
        variablesByNode[variable.value.node.id] = globalVariables.count
        globalVariables.append(variable)
    }

    /// The variable whose `VariableV2` node or read output is `output`.
    public func variable(for output: Output) -> Variable? {
        guard output.graph === self, let i = variablesByNode[output.node.id] else { return nil }
        return globalVariables[i]
    }
}
