/// Builds the ONNX nodes of one export: names values, creates initializers, and keeps each TensorFlow
/// tensor in up to two layouts.
///
/// A tensor's `native` form is the tensor as TensorFlow sees it; its `channelsFirst` form is the same
/// rank-4 NHWC tensor transposed to NCHW. A convolution produces only the NCHW form; an elementwise op
/// on it stays NCHW; the other form is made (one `Transpose`, once) only when some consumer asks for
/// it. So a Transpose back to NHWC followed by one to NCHW between two convolutions is never written.
///
/// A function body (an `If` branch, a `Loop` body, a loop condition) gets its own emitter over the
/// body graph, sharing the export's `ONNXExportState`: value names stay unique across the main graph
/// and every subgraph, as ONNX requires, and each body's names start with its own `prefix`.
final class ONNXEmitter {
    private struct Value {
        var native: String?
        var channelsFirst: String?
        /// The element dtype when the value is a TensorList, held as an ONNX sequence of tensors.
        var sequenceElement: DType?
    }

    let graph: Graph
    /// What every emitter of one export shares: used names, which values are TensorList handles.
    let state: ONNXExportState
    /// Prepended to every name this emitter creates (empty for the main graph).
    let prefix: String
    private(set) var nodes: [ONNXNode] = []
    private(set) var initializers: [ONNXTensor] = []
    private(set) var graphInputs: [ONNXValueInfo] = []
    private(set) var graphOutputs: [ONNXValueInfo] = []
    private var values: [Endpoint: Value] = [:]
    private var constants: [Endpoint: (name: String, tensor: Tensor)] = [:]
    private var writtenConstants = Set<String>()
    private var usedNodeNames = Set<String>()

    /// `SpaceToBatchND` nodes read only by convolutions: node id → (block, paddings `[top, bottom, left, right]`).
    /// They write nothing; the convolution reads their input and dilates by the block (see `ONNXArrayMappings`).
    var spaceToBatch: [Int: (block: [Int], paddings: [Int])] = [:]
    /// Convolutions computed on a `spaceToBatch` input: node id → block; only `BatchToSpaceND` may read them.
    var batchedConvolutions: [Int: [Int]] = [:]

    init(graph: Graph, state: ONNXExportState, prefix: String = "") {
        (self.graph, self.state, self.prefix) = (graph, state, prefix)
    }

    /// The nodes reading any output of node `id` (by data input), in graph order.
    func consumers(of id: Int) -> [Node] { graph.nodes.filter { $0.inputs.contains { $0.node == id } } }

    /// TensorFlow's tensor name: the node name for output 0, `node:k` otherwise.
    func tensorName(_ e: Endpoint) -> String { e.index == 0 ? graph.nodes[e.node].name : "\(graph.nodes[e.node].name):\(e.index)" }

    /// A value name not used yet: `base`, or `base:v1`, `base:v2`, ... (TensorFlow names never hold
    /// `:v`, so these cannot meet a constant's node name defined later).
    func fresh(_ base: String) -> String {
        let base = base.hasPrefix(prefix) ? base : prefix + base
        var name = base, k = 0
        while state.usedNames.contains(name) { k += 1; name = "\(base):v\(k)" }
        state.usedNames.insert(name)
        return name
    }

    // MARK: Definitions

    /// Registers the constant values (created as initializers when first read).
    /// Names are reserved now, in endpoint order (so they are the same every time); the Identity of a
    /// Const shares the Const's name and initializer.
    func defineConstants(_ values: [Endpoint: Tensor]) {
        var reserved: [String: String] = [:]
        for (e, t) in values.sorted(by: { ($0.key.node, $0.key.index) < ($1.key.node, $1.key.index) }) {
            var source = graph.nodes[e.node]
            while source.opName == "Identity", let p = source.inputs.first { source = graph.nodes[p.node] }
            let base = source.op == Const.self ? source.name : tensorName(e)
            if reserved[base] == nil { reserved[base] = fresh(base) }
            constants[e] = (reserved[base]!, t)
        }
    }

    /// A graph input named like the placeholder; an unknown first dimension is the symbolic batch `N`.
    func defineInput(_ input: Output) {
        let name = fresh(tensorName(input.endpoint))
        values[input.endpoint] = Value(native: name)
        let dims = input.shape.dims.map { dims in dims.enumerated().map { i, d -> ONNXDimension in
            d.map(ONNXDimension.value) ?? (i == 0 ? .param("N") : .unknown)
        } }
        graphInputs.append(ONNXValueInfo(name: name, elementType: ONNXDataType(input.dtype), dims: dims))
    }

    /// The graph outputs, named by their TensorFlow tensor names (an `Identity` renames where needed).
    func defineOutputs(_ outputs: [Output]) throws {
        for o in outputs {
            let source = try native(o.endpoint, consumer: o.node)
            var name = source
            if source != tensorName(o.endpoint) || initializers.contains(where: { $0.name == source }) || graphOutputs.contains(where: { $0.name == source }) || graphInputs.contains(where: { $0.name == source }) {
                name = fresh(state.usedNames.contains(tensorName(o.endpoint)) ? tensorName(o.endpoint) + ":output" : tensorName(o.endpoint))
                add("Identity", [source], outputs: [name], hint: o.node.name)
            }
            let dims = o.shape.dims.map { $0.map { $0.map(ONNXDimension.value) ?? .unknown } }
            graphOutputs.append(ONNXValueInfo(name: name, elementType: ONNXDataType(o.dtype), dims: dims))
        }
    }

    /// Output `index` of `node` is the ONNX value `name` in TensorFlow's layout.
    func define(_ node: Node, _ index: Int = 0, native name: String) { values[Endpoint(node: node.id, index: index)] = Value(native: name) }

    /// Output `index` of `node` is the ONNX sequence `name` (a TensorList of `element` tensors).
    func define(_ node: Node, _ index: Int = 0, sequence name: String, element: DType) {
        values[Endpoint(node: node.id, index: index)] = Value(native: name, sequenceElement: element)
    }

    /// The element dtype when `e` is held as an ONNX sequence (a TensorList), else nil.
    func sequenceElement(_ e: Endpoint) -> DType? { values[e]?.sequenceElement }

    /// The ONNX value holding `output` (of this emitter's graph) in TensorFlow's layout.
    func value(_ output: Output) throws -> String { try native(output.endpoint, consumer: output.node) }

    /// Appends the nodes and initializers `other` wrote (a function body inlined into this graph).
    func absorb(_ other: ONNXEmitter) {
        for node in other.nodes { nodesAppend(node) }
        initializers += other.initializers
    }

    /// Output `index` of `node` is the ONNX value `name`, the NCHW transpose of the NHWC tensor.
    func define(_ node: Node, _ index: Int = 0, channelsFirst name: String) {
        values[Endpoint(node: node.id, index: index)] = Value(channelsFirst: name)
    }

    /// Output `index` of `node` is its input `index` (or input `input`) itself (Identity, IdentityN), in
    /// whichever layouts it has; a constant stays unwritten until something reads it.
    func alias(_ node: Node, _ index: Int = 0, input: Int? = nil) throws {
        let e = node.inputs[input ?? index]
        if let c = constants[e] { constants[Endpoint(node: node.id, index: index)] = c; return }
        guard let v = values[e] else { throw missing(node, index) }
        values[Endpoint(node: node.id, index: index)] = v
    }

    // MARK: Reading inputs

    /// Input `i` of `node` in TensorFlow's layout.
    func input(_ node: Node, _ i: Int) throws -> String { try native(node.inputs[i], consumer: node) }

    /// Input `i` of `node` as NCHW (a rank-4 NHWC tensor transposed).
    func channelsFirst(_ node: Node, _ i: Int) throws -> String {
        let e = node.inputs[i]
        if let name = values[e]?.channelsFirst { return name }
        let source = try native(e, consumer: node)
        let name = fresh(tensorName(e) + ":nchw")
        add("Transpose", [source], ["perm": .ints([0, 3, 1, 2])], outputs: [name], hint: graph.nodes[e.node].name)
        values[e, default: Value()].channelsFirst = name
        return name
    }

    /// Dtype and build-time shape of input `i` of `node`.
    func spec(_ node: Node, _ i: Int) -> TensorSpec { graph.nodes[node.inputs[i].node].outputs[node.inputs[i].index] }

    /// True when input `i` of `node` is held as NCHW already (so computing in NCHW costs no transpose).
    func isChannelsFirst(_ node: Node, _ i: Int) -> Bool { values[node.inputs[i]]?.channelsFirst != nil }

    /// The constant value of input `i` of `node`, or nil when it is computed at run time.
    func constant(_ node: Node, _ i: Int) -> Tensor? { constants[node.inputs[i]]?.tensor }

    /// The constant value of input `i` as integers (axes, shapes, paddings), or a typed error.
    func constantInts(_ node: Node, _ i: Int, what: String) throws -> [Int] {
        guard let t = constant(node, i), !t.dtype.isFloatingPoint else {
            throw ONNXExportError.unsupportedNode(op: node.opName, node: node.name, message: "\(what) (input \(i)) must be a constant integer tensor")
        }
        return t.doubleValues.map { Int($0) }
    }

    private func native(_ e: Endpoint, consumer: Node) throws -> String {
        if let c = constants[e] {
            if writtenConstants.insert(c.name).inserted { initializers.append(ONNXTensor(name: c.name, c.tensor)) }
            return c.name
        }
        guard let v = values[e] else { throw missing(consumer, nil, e) }
        if let name = v.native { return name }
        let name = fresh(tensorName(e) + ":nhwc")
        add("Transpose", [v.channelsFirst!], ["perm": .ints([0, 2, 3, 1])], outputs: [name], hint: graph.nodes[e.node].name)
        values[e]!.native = name
        return name
    }

    private func missing(_ node: Node, _ i: Int?, _ e: Endpoint? = nil) -> ONNXExportError {
        let source = e ?? node.inputs[i ?? 0]
        return .unsupportedNode(op: node.opName, node: node.name, message: "reads '\(tensorName(source))', which the ONNX mapping of '\(graph.nodes[source.node].name)' does not produce")
    }

    // MARK: Writing nodes and initializers

    /// Adds an ONNX node and returns its output names (fresh names from `hint` unless given).
    @discardableResult
    func add(_ opType: String, _ inputs: [String], _ attributes: KeyValuePairs<String, ONNXAttributeValue> = [:],
             outputs: [String]? = nil, outputCount: Int = 1, hint: String) -> [String] {
        let outs = outputs ?? (0..<outputCount).map { _ in fresh("\(hint):\(opType)") }
        let hint = hint.hasPrefix(prefix) ? hint : prefix + hint
        var nodeName = hint, k = 0
        while usedNodeNames.contains(nodeName) { k += 1; nodeName = "\(hint)_\(k)" }
        usedNodeNames.insert(nodeName)
        nodes.append(ONNXNode(name: nodeName, opType: opType, inputs: inputs, outputs: outs, attributes: attributes.map { ($0.key, $0.value) }))
        return outs
    }

    /// Appends a built node, its name made unique like `add`'s.
    func nodesAppend(_ node: ONNXNode) {
        var node = node, k = 0
        if !node.name.hasPrefix(prefix) { node.name = prefix + node.name }
        let hint = node.name
        while usedNodeNames.contains(node.name) { k += 1; node.name = "\(hint)_\(k)" }
        usedNodeNames.insert(node.name)
        nodes.append(node)
    }

    /// Adds one ONNX node computing output 0 of `node`, named by TensorFlow's tensor name, in TF's layout.
    func emit(_ node: Node, _ opType: String, _ inputs: [String], _ attributes: KeyValuePairs<String, ONNXAttributeValue> = [:]) {
        let out = add(opType, inputs, attributes, outputs: [fresh(node.name)], hint: node.name)[0]
        define(node, native: out)
    }

    /// Adds an initializer holding `tensor` and returns its (fresh) name.
    func initializer(_ tensor: Tensor, hint: String) -> String {
        let name = fresh(hint)
        initializers.append(ONNXTensor(name: name, tensor))
        return name
    }

    /// An int64 initializer (shapes, axes, pads), as ONNX wants them.
    func int64s(_ values: [Int], hint: String, scalar: Bool = false) -> String {
        initializer(scalar ? Tensor(Int64(values[0])) : Tensor(values.map(Int64.init)), hint: hint)
    }

    /// Input `i` of `node` as int64 (a `Cast` unless it is int64 already or constant).
    func int64Input(_ node: Node, _ i: Int) throws -> String {
        if let c = constants[node.inputs[i]], !c.tensor.dtype.isFloatingPoint {
            if c.tensor.dtype == .int64 { return try native(node.inputs[i], consumer: node) }
            return int64s(c.tensor.doubleValues.map { Int($0) }, hint: c.name + ":int64", scalar: c.tensor.rank == 0)
        }
        let x = try input(node, i)
        guard graph.nodes[node.inputs[i].node].outputs[node.inputs[i].index].dtype != .int64 else { return x }
        return add("Cast", [x], ["to": .int(Int(ONNXDataType.int64.rawValue))], hint: "\(node.name):cast")[0]
    }
}
