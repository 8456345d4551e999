/// Builds the ONNX nodes of one export: names values, creates initializers, and keeps each TensorFlow
/// tensor in up to two layouts.
///
/// A tensor's `native` form is the tensor as TensorFlow sees it; its `channelsFirst` form is the same
/// rank-4 NHWC tensor transposed to NCHW. A convolution produces only the NCHW form; an elementwise op
/// on it stays NCHW; the other form is made (one `Transpose`, once) only when some consumer asks for
/// it. So a Transpose back to NHWC followed by one to NCHW between two convolutions is never written.
final class ONNXEmitter {
    private struct Value {
        var native: String?
        var channelsFirst: String?
    }

    let graph: Graph
    private(set) var nodes: [ONNXNode] = []
    private(set) var initializers: [ONNXTensor] = []
    private(set) var graphInputs: [ONNXValueInfo] = []
    private(set) var graphOutputs: [ONNXValueInfo] = []
    private var values: [Endpoint: Value] = [:]
    private var constants: [Endpoint: (name: String, tensor: Tensor)] = [:]
    private var usedNames = Set<String>()
    private var usedNodeNames = Set<String>()

    /// `SpaceToBatchND` nodes read only by convolutions: node id → (block, paddings `[top, bottom, left, right]`).
    /// They write nothing; the convolution reads their input and dilates by the block (see `ONNXArrayMappings`).
    var spaceToBatch: [Int: (block: [Int], paddings: [Int])] = [:]
    /// Convolutions computed on a `spaceToBatch` input: node id → block; only `BatchToSpaceND` may read them.
    var batchedConvolutions: [Int: [Int]] = [:]

    init(graph: Graph) { self.graph = graph }

    /// The nodes reading any output of node `id` (by data input), in graph order.
    func consumers(of id: Int) -> [Node] { graph.nodes.filter { $0.inputs.contains { $0.node == id } } }

    /// TensorFlow's tensor name: the node name for output 0, `node:k` otherwise.
    func tensorName(_ e: Endpoint) -> String { e.index == 0 ? graph.nodes[e.node].name : "\(graph.nodes[e.node].name):\(e.index)" }

    /// A value name not used yet: `base`, or `base:v1`, `base:v2`, ... (TensorFlow names never hold
    /// `:v`, so these cannot meet a constant's node name defined later).
    func fresh(_ base: String) -> String {
        var name = base, k = 0
        while usedNames.contains(name) { k += 1; name = "\(base):v\(k)" }
        usedNames.insert(name)
        return name
    }

    // MARK: Definitions

    /// Registers the constant values (created as initializers when first read).
    func defineConstants(_ values: [Endpoint: Tensor]) {
        for (e, t) in values {
            var source = graph.nodes[e.node]
            while source.opName == "Identity", let p = source.inputs.first { source = graph.nodes[p.node] }
            constants[e] = (source.op == Const.self ? source.name : tensorName(e), t)
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
                name = fresh(usedNames.contains(tensorName(o.endpoint)) ? tensorName(o.endpoint) + ":output" : tensorName(o.endpoint))
                add("Identity", [source], outputs: [name], hint: o.node.name)
            }
            let dims = o.shape.dims.map { $0.map { $0.map(ONNXDimension.value) ?? .unknown } }
            graphOutputs.append(ONNXValueInfo(name: name, elementType: ONNXDataType(o.dtype), dims: dims))
        }
    }

    /// Output `index` of `node` is the ONNX value `name` in TensorFlow's layout.
    func define(_ node: Node, _ index: Int = 0, native name: String) { values[Endpoint(node: node.id, index: index)] = Value(native: name) }

    /// Output `index` of `node` is the ONNX value `name`, the NCHW transpose of the NHWC tensor.
    func define(_ node: Node, _ index: Int = 0, channelsFirst name: String) {
        values[Endpoint(node: node.id, index: index)] = Value(channelsFirst: name)
    }

    /// Output `index` of `node` is its input `index` itself (Identity, IdentityN), in whichever layouts it has.
    func alias(_ node: Node, _ index: Int = 0) throws {
        let e = node.inputs[index]
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
            if !usedNames.contains(c.name) {
                usedNames.insert(c.name)
                initializers.append(ONNXTensor(name: c.name, c.tensor))
            }
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
        var nodeName = hint, k = 0
        while usedNodeNames.contains(nodeName) { k += 1; nodeName = "\(hint)_\(k)" }
        usedNodeNames.insert(nodeName)
        nodes.append(ONNXNode(name: nodeName, opType: opType, inputs: inputs, outputs: outs, attributes: attributes.map { ($0.key, $0.value) }))
        return outs
    }

    /// Appends a built node, its name made unique like `add`'s.
    func nodesAppend(_ node: ONNXNode) {
        var node = node, k = 0
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
