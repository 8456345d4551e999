/// ONNX (opset 17) mappings of functional control flow and TensorLists: `If`/`StatelessIf` → `If`
/// with two branch subgraphs, `While`/`StatelessWhile` → `Loop`, and the TensorList ops → ONNX
/// sequence ops (TF1's lowered loops arrive here as `While` too, raised at import).
///
/// A TensorList is an ONNX `seq(tensor(element))`: `TensorListReserve` makes `n` placeholder
/// elements of shape `[0]`, `TensorListSetItem` replaces one (`SequenceErase` then `SequenceInsert`
/// at the index), `TensorListStack` stacks them along a new axis 0. Reading or stacking an element
/// never set (TensorFlow's zeros of `element_shape`) is not reproduced: onnxruntime then sees a
/// `[0]` element and fails or stacks the wrong shape.
enum ONNXControlFlowMappings {
    static let table: [String: ONNXOpMappings.Mapping] = [
        "If": branch,
        "StatelessIf": branch,
        "While": loop,
        "StatelessWhile": loop,
        "TensorListReserve": reserve,
        "TensorListFromTensor": { e, n in
            let element = n.tfType("element_dtype") ?? e.spec(n, 0).dtype
            let rows = e.add("SplitToSequence", [try e.input(n, 0)], ["axis": .int(0), "keepdims": .int(0)], outputs: [e.fresh(n.name)], hint: n.name)[0]
            e.define(n, sequence: rows, element: element)
        },
        "TensorListGetItem": { e, n in _ = try sequence(e, n, 0); e.emit(n, "SequenceAt", [try e.input(n, 0), try e.input(n, 1)]) },
        "TensorListSetItem": setItem,
        "TensorListStack": { e, n in
            _ = try sequence(e, n, 0)
            e.emit(n, "ConcatFromSequence", [try e.input(n, 0)], ["axis": .int(0), "new_axis": .int(1)])
        },
        "TensorListLength": { e, n in
            _ = try sequence(e, n, 0)
            let length = e.add("SequenceLength", [try e.input(n, 0)], hint: n.name)[0]
            e.emit(n, "Cast", [length], ["to": .int(Int(ONNXDataType.int32.rawValue))])
        },
    ]

    /// The element dtype of input `i` of `n`, which must be a TensorList held as a sequence.
    static func sequence(_ e: ONNXEmitter, _ n: Node, _ i: Int) throws -> DType {
        guard let element = e.sequenceElement(n.inputs[i]) else {
            throw ONNXOpMappings.unsupported(n, "input \(i) must be a TensorList made by an exported TensorList op")
        }
        return element
    }

    /// TensorListReserve: `n` empty elements of the element's rank (`[0, 0]` for a rank-2 element; `[0]`
    /// when the rank is unknown), split from a `[n, 0, 0]` tensor of zeros, so shape inference sees the
    /// rank the stacked list will have.
    static func reserve(_ e: ONNXEmitter, _ n: Node) throws {
        let element = n.tfType("element_dtype") ?? .float
        var rank = 1
        if let shape = e.constant(n, 0), !shape.dtype.isFloatingPoint, shape.rank == 1 { rank = shape.count }
        let count = e.add("Reshape", [try e.int64Input(n, 1), e.int64s([1], hint: n.name + ":one")], hint: n.name)[0]
        let shape = e.add("Concat", [count, e.int64s([Int](repeating: 0, count: rank), hint: n.name + ":empty")], ["axis": .int(0)], hint: n.name)[0]
        let zeros = e.add("ConstantOfShape", [shape], ["value": .tensor(ONNXTensor(name: "", Tensor(zeros: element, shape: [1])))], hint: n.name)[0]
        let list = e.add("SplitToSequence", [zeros], ["axis": .int(0), "keepdims": .int(0)], outputs: [e.fresh(n.name)], hint: n.name)[0]
        e.define(n, sequence: list, element: element)
    }

    /// TensorListSetItem: element `index` replaced (`SequenceErase`, then `SequenceInsert` at `index`).
    static func setItem(_ e: ONNXEmitter, _ n: Node) throws {
        let element = try sequence(e, n, 0)
        guard n.tfBool("resize_if_index_out_of_bounds") != true else { throw ONNXOpMappings.unsupported(n, "resize_if_index_out_of_bounds is not exported") }
        let index = try e.input(n, 1)
        let erased = e.add("SequenceErase", [try e.input(n, 0), index], hint: n.name)[0]
        let list = e.add("SequenceInsert", [erased, try e.input(n, 2), index], outputs: [e.fresh(n.name)], hint: n.name)[0]
        e.define(n, sequence: list, element: element)
    }

    /// Writes `f`'s body into a new emitter sharing `outer`'s export, its arguments the given ONNX
    /// values (sequences where `element` is set); the caller places the nodes (inline or as a subgraph).
    static func body(_ outer: ONNXEmitter, _ n: Node, _ reference: FunctionReference, role: String,
                     arguments: [(name: String, element: DType?)]) throws -> (emitter: ONNXEmitter, function: GraphFunction) {
        guard let f = outer.graph.library.function(named: reference.name) else {
            throw ONNXOpMappings.unsupported(n, "\(role) function '\(reference.name)' is not in the graph's library")
        }
        guard f.arguments.count == arguments.count else {
            throw ONNXOpMappings.unsupported(n, "\(role) function '\(f.name)' takes \(f.arguments.count) arguments, the node passes \(arguments.count)")
        }
        let sub = ONNXEmitter(graph: f.graph, state: outer.state, prefix: outer.state.uniquePrefix(outer.prefix + n.name + "|" + role))
        for (argument, value) in zip(f.arguments, arguments) {
            if let element = value.element { sub.define(argument.node, sequence: value.name, element: element) } else { sub.define(argument.node, native: value.name) }
        }
        try ONNXExport.emitBody(sub, inputs: Set(f.arguments.map(\.node.id)), outputs: f.results)
        return (sub, f)
    }

    /// The subgraph's outputs: each result through an `Identity` (so an output is always a value of
    /// the subgraph itself, never an argument or an outer name), typed as tensor or sequence.
    static func outputs(_ sub: ONNXEmitter, _ results: [Output], names: [String]? = nil) throws -> [ONNXValueInfo] {
        try results.enumerated().map { i, result in
            let name = names?[i] ?? sub.fresh("output\(i)")
            sub.add("Identity", [try sub.value(result)], outputs: [name], hint: "output\(i)")
            let element = sub.sequenceElement(result.endpoint)
            return ONNXValueInfo(name: name, elementType: ONNXDataType(element ?? result.dtype), dims: nil, isSequence: element != nil)
        }
    }

    /// A bool scalar from TensorFlow's predicate: non-bool scalars are true when nonzero (a `Cast`);
    /// one of unknown rank is reshaped to a scalar (onnxruntime fails if it has more than one element).
    static func predicate(_ e: ONNXEmitter, _ n: Node, _ value: String, dtype: DType, shape: TensorShape) throws -> String {
        guard shape.rank ?? 0 == 0 else { throw ONNXOpMappings.unsupported(n, "the predicate must be a scalar (TensorFlow's non-empty-tensor truth is not exported)") }
        var scalar = value
        if shape.rank == nil { scalar = e.add("Reshape", [value, e.int64s([], hint: n.name + ":scalar")], hint: n.name)[0] }
        return dtype == .bool ? scalar : e.add("Cast", [scalar], ["to": .int(Int(ONNXDataType.bool.rawValue))], hint: n.name)[0]
    }

    /// If/StatelessIf → ONNX `If`: the branches are subgraphs without inputs that read the node's
    /// inputs by their outer names; a result that is a TensorList stays a sequence.
    static func branch(_ e: ONNXEmitter, _ n: Node) throws {
        let a = n.attributes(StatelessIf.self)
        let condition = try predicate(e, n, try e.input(n, 0), dtype: e.spec(n, 0).dtype, shape: e.spec(n, 0).shape)
        let arguments = try (1..<n.inputs.count).map { (name: try e.input(n, $0), element: e.sequenceElement(n.inputs[$0])) }
        var graphs: [ONNXGraph] = []
        for (reference, role) in [(a.thenBranch, "then"), (a.elseBranch, "else")] {
            let (sub, f) = try body(e, n, reference, role: role, arguments: arguments)
            let outs = try outputs(sub, f.results)   // adds the Identity nodes: before reading `sub.nodes`
            graphs.append(ONNXGraph(name: String(sub.prefix.dropLast()), nodes: sub.nodes, initializers: sub.initializers, inputs: [], outputs: outs))
        }
        guard graphs[0].outputs.count == n.outputs.count, graphs[1].outputs.count == n.outputs.count else {
            throw ONNXOpMappings.unsupported(n, "the branches return \(graphs[0].outputs.count) and \(graphs[1].outputs.count) values for \(n.outputs.count) outputs")
        }
        let names = n.outputs.indices.map { e.fresh($0 == 0 ? n.name : "\(n.name):\($0)") }
        // Attributes in name order, as they are serialized, so a model read back compares equal.
        e.add("If", [condition], ["else_branch": .graph(graphs[1]), "then_branch": .graph(graphs[0])], outputs: names, hint: n.name)
        for (i, name) in names.enumerated() {
            let info = graphs[0].outputs[i]
            if info.isSequence { e.define(n, i, sequence: name, element: info.elementType.dtype) } else { e.define(n, i, native: name) }
        }
    }

    /// While/StatelessWhile → ONNX `Loop` without a trip count: the condition function runs once before
    /// the loop on the inputs (the initial `cond`) and again at the end of each body on the new loop
    /// variables (the body's `cond` output). Loop variables are the node's inputs, in order; the
    /// body's inputs are (iteration, condition, variables...), its outputs (condition, variables...).
    static func loop(_ e: ONNXEmitter, _ n: Node) throws {
        let a = n.attributes(StatelessWhile.self)
        let initial = try (0..<n.inputs.count).map { (name: try e.input(n, $0), element: e.sequenceElement(n.inputs[$0])) }

        // The first test, inline in the enclosing graph.
        let (first, condition) = try body(e, n, a.cond, role: "cond", arguments: initial)
        guard condition.results.count == 1 else { throw ONNXOpMappings.unsupported(n, "cond function '\(condition.name)' must return one value") }
        e.absorb(first)
        let start = try predicate(e, n, try first.value(condition.results[0]), dtype: condition.results[0].dtype, shape: condition.results[0].shape)

        // The body subgraph: the body function, then the condition on its results.
        let prefix = e.state.uniquePrefix(e.prefix + n.name + "|loop")
        let iteration = e.fresh(prefix + "iteration"), carried = e.fresh(prefix + "condition")
        let variables = initial.indices.map { (name: e.fresh(prefix + "v\($0)"), element: initial[$0].element) }
        let (step, function) = try body(e, n, a.body, role: "body", arguments: variables)
        guard function.results.count == initial.count else {
            throw ONNXOpMappings.unsupported(n, "body function '\(function.name)' returns \(function.results.count) values for \(initial.count) loop variables")
        }
        let next = try function.results.map { (name: try step.value($0), element: step.sequenceElement($0.endpoint)) }
        let (test, _) = try body(step, n, a.cond, role: "cond", arguments: next)
        step.absorb(test)
        let again = try predicate(step, n, try test.value(condition.results[0]), dtype: condition.results[0].dtype, shape: condition.results[0].shape)
        let conditionOut = step.fresh("condition_out")
        step.add("Identity", [again], outputs: [conditionOut], hint: "condition_out")
        var outs = [ONNXValueInfo(name: conditionOut, elementType: .bool, dims: [])]
        outs += try outputs(step, function.results)
        let inputs = [ONNXValueInfo(name: iteration, elementType: .int64, dims: []), ONNXValueInfo(name: carried, elementType: .bool, dims: [])]
            + zip(variables, n.inputs.indices).map { v, i in
                ONNXValueInfo(name: v.name, elementType: ONNXDataType(v.element ?? e.spec(n, i).dtype), dims: nil, isSequence: v.element != nil)
            }
        let graph = ONNXGraph(name: prefix + "body", nodes: step.nodes, initializers: step.initializers, inputs: inputs, outputs: outs)

        let names = n.outputs.indices.map { e.fresh($0 == 0 ? n.name : "\(n.name):\($0)") }
        e.add("Loop", ["", start] + initial.map(\.name), ["body": .graph(graph)], outputs: names, hint: n.name)
        for (i, name) in names.enumerated() {
            if let element = initial[i].element { e.define(n, i, sequence: name, element: element) } else { e.define(n, i, native: name) }
        }
    }
}

extension ONNXDataType {
    /// The TensorGraph dtype of this ONNX element type.
    var dtype: DType {
        switch self {
        case .float: return .float
        case .double: return .double
        case .int32: return .int32
        case .int64: return .int64
        case .uint8: return .uint8
        case .bool: return .bool
        }
    }
}
