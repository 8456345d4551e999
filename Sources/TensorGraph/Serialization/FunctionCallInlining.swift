/// Inlines TensorFlow's function calls (`PartitionedCall`, `StatefulPartitionedCall`) at GraphDef import.
///
/// `convert_variables_to_constants_v2` keeps a call whose function must not be inlined by TF's own
/// grappler: Keras 3 wraps grouped convolutions (RegNet, `Conv2D(groups:)`) in a
/// `tf.function(jit_compile=True)`, which freezes to a `StatefulPartitionedCall` carrying
/// `_XlaMustCompile`. A call computes exactly its function's body on its inputs, so it is replaced by
/// the body's nodes, renamed `CALL/NODE`; each argument becomes an `Identity` named `CALL/ARG` that
/// reads the call's input (and carries the call's control inputs), and the call's own name becomes an
/// `Identity` of the function's result (an `IdentityN` of its results when it has several), so readers
/// of `CALL:k` are unchanged.
extension Graph {
    /// The function-call op types inlined on import.
    static let functionCallOps: Set<String> = ["PartitionedCall", "StatefulPartitionedCall"]

    /// Most nodes a GraphDef may hold once its calls are inlined: far above real models (ResNet152 has
    /// ~5,000, large frozen graphs ~100,000), but a small file of many calls to one large function would
    /// otherwise multiply into billions of nodes.
    static let maximumInlinedNodes = 2_000_000

    /// `defs` with every function call replaced by its function's body (calls inside inlined bodies
    /// too, up to `maximumFunctionNesting` levels); more than `maximumNodes` nodes is a typed error.
    func inlineFunctionCalls(_ defs: [ImportedNode], _ functions: [ParsedFunction],
                             maximumNodes: Int = Graph.maximumInlinedNodes) throws -> [ImportedNode] {
        guard defs.contains(where: { Graph.functionCallOps.contains($0.op) }) else { return defs }
        let byName = Dictionary(functions.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        var current = defs
        for _ in 0..<Graph.maximumFunctionNesting {
            var next: [ImportedNode] = []
            var inlined = false
            for def in current {
                if Graph.functionCallOps.contains(def.op) {
                    next += try inline(def, byName)
                    inlined = true
                    guard next.count <= maximumNodes else {
                        throw TensorGraphError.invalidTensorData("inlining function calls ('\(def.name)' and earlier) makes more than \(maximumNodes) nodes")
                    }
                } else {
                    next.append(def)
                }
            }
            if !inlined { return next }
            current = next
        }
        throw TensorGraphError.invalidTensorData("function calls nest deeper than \(Graph.maximumFunctionNesting) levels")
    }

    private func inline(_ call: ImportedNode, _ functions: [String: ParsedFunction]) throws -> [ImportedNode] {
        let fail = { (message: String) in TensorGraphError.invalidTensorData("\(call.op) '\(call.name)': \(message)") }
        guard case .function(let reference)? = call.attrs["f"] else { throw fail("has no function attribute 'f'") }
        guard let function = functions[reference.name] else { throw fail("calls '\(reference.name)', which the library lacks") }
        guard function.arguments.count == call.inputs.count else {
            throw fail("passes \(call.inputs.count) inputs to '\(function.name)', which takes \(function.arguments.count)")
        }
        let prefix = call.name + "/"
        var result: [ImportedNode] = []
        var arguments: Set<String> = []
        for (argument, input) in zip(function.arguments, call.inputs) {
            arguments.insert(argument.name)
            result.append(ImportedNode(name: prefix + argument.name, op: Identity.wireName, inputs: [input], control: call.control,
                                       attrs: ["T": .type(argument.dtype)]))
        }
        let bodyNodes = Dictionary(function.nodes.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        // A body input is `ARG`, `NODE` (output 0), `NODE:OUTPUT_ARG:INDEX` or `^NODE`.
        func resolve(_ text: String, reader: String) throws -> (name: String, index: Int) {
            let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            if parts.count == 1 {
                guard arguments.contains(text) || bodyNodes[text] != nil else { throw fail("'\(reader)' reads unknown '\(text)'") }
                return (prefix + text, 0)
            }
            guard let producer = bodyNodes[parts[0]] else { throw fail("'\(reader)' reads '\(text)', which is no node of '\(function.name)'") }
            let position = parts.count == 3 ? Int(parts[2]) : 0
            // A nested call's one output argument `output: Tout` is inlined on the next pass.
            let flat = Graph.functionCallOps.contains(producer.op) ? position
                : OpRegistry.byName[producer.op].flatMap { Graph.flatOutputIndex(of: $0, producer.attrs, argument: parts[1], position: position ?? -1) }
            guard let flat, flat >= 0 else {
                throw fail("'\(reader)' reads '\(text)': \(producer.op) has no such output")
            }
            return (prefix + parts[0], flat)
        }
        for node in function.nodes {
            var inputs: [(name: String, index: Int)] = [], control: [String] = []
            for text in node.inputs {
                if text.hasPrefix("^") { control.append(prefix + text.dropFirst()) } else { inputs.append(try resolve(text, reader: node.name)) }
            }
            result.append(ImportedNode(name: prefix + node.name, op: node.op, inputs: inputs, control: control, attrs: node.attrs))
        }
        let results = try function.resultNames.map { name -> (name: String, index: Int) in
            guard let tensor = function.ret[name] else { throw fail("function '\(function.name)' does not return '\(name)'") }
            return try resolve(tensor, reader: "ret \(name)")
        }
        guard case .types(let types)? = call.attrs["Tout"], types.count == results.count else {
            throw fail("attribute 'Tout' does not list the \(results.count) result types of '\(function.name)'")
        }
        // One result (the usual case) becomes a plain Identity, which every consumer (ONNX export, plan
        // rewrites) knows; several become an IdentityN.
        result.append(results.count == 1
            ? ImportedNode(name: call.name, op: Identity.wireName, inputs: results, control: [], attrs: ["T": .type(types[0])])
            : ImportedNode(name: call.name, op: IdentityN.wireName, inputs: results, control: [], attrs: ["T": .types(types)]))
        return result
    }

    /// The flat output index of `argument:position` of an `opType` node with `attrs` (list outputs
    /// take their length from their `N` or `list(type)` attribute).
    static func flatOutputIndex(of opType: any Op.Type, _ attrs: Attributes, argument: String, position: Int) -> Int? {
        var offset = 0
        for arg in opType.outputs {
            var length = 1
            if let n = arg.countAttribute, case .int(let count)? = attrs[n] { length = count }
            if case .attribute(let name) = arg.element, case .types(let list)? = attrs[name] { length = list.count }
            if arg.name == argument { return (0..<length).contains(position) ? offset + position : nil }
            offset += length
        }
        return nil
    }
}
