import CTensorFlowProto

/// A GraphDef's function library (TF's `FunctionDefLibrary`) read into and written from `Graph.library`.
///
/// In a `FunctionDef` (tensorflow/core/framework/function.proto), a node input is an argument name
/// (`x`), `node:output_arg:index` (the `index`-th tensor of the op's output argument `output_arg`,
/// e.g. `split:output:1`, `add:z:0`) or `^node` for a control input; `ret` maps each output argument
/// to a tensor in the same syntax. Arguments become `Placeholder` nodes named after them, whose static
/// shapes come from the `_output_shapes` argument attribute when present.
extension Graph {
    /// Deeper chains of functions calling functions are rejected on import (TF's CVE-2022-23591 was a
    /// stack overflow on such input).
    static let maximumFunctionNesting = 64

    struct ParsedFunction {
        let name: String
        let arguments: [(name: String, dtype: DType, shape: TensorShape)]
        let resultNames: [String]
        let nodes: [(name: String, op: String, inputs: [String], attrs: Attributes)]
        let ret: [String: String]
        /// Functions named by `func` attributes of its nodes.
        let calls: [String]
    }

    /// Parses the library and adds op types it lacks to `unsupported` (as `op (function/node)`).
    func readFunctionLibrary(_ library: UnsafeMutablePointer<Tensorflow__FunctionDefLibrary>?,
                             unsupported: inout [String: [String]]) throws -> [ParsedFunction] {
        guard let library = library?.pointee else { return [] }
        var parsed: [ParsedFunction] = []
        for f in 0..<library.n_function {
            guard let def = library.function[f]?.pointee, let signature = def.signature?.pointee, let rawName = signature.name else {
                throw TensorGraphError.invalidTensorData("function \(f) of the library has no signature")
            }
            let name = String(cString: rawName)
            var shapes: [Int: TensorShape] = [:]
            for k in 0..<def.n_arg_attr {
                guard let entry = def.arg_attr[k]?.pointee, let attrs = entry.value?.pointee else { continue }
                for j in 0..<attrs.n_attr {
                    guard let a = attrs.attr[j]?.pointee, String(cString: a.key) == "_output_shapes", let v = a.value,
                          case .shapes(let list)? = try attrValue(v.pointee, context: "argument \(entry.key) of function '\(name)'"),
                          list.count == 1 else { continue }
                    shapes[Int(entry.key)] = list[0]
                }
            }
            func argumentType(_ arg: Tensorflow__OpDef__ArgDef, _ k: Int) throws -> (String, DType) {
                let argName = String(cString: arg.name)
                guard String(cString: arg.type_attr).isEmpty, String(cString: arg.number_attr).isEmpty, String(cString: arg.type_list_attr).isEmpty else {
                    throw TensorGraphError.invalidTensorData("function '\(name)': argument '\(argName)' has a polymorphic type (not supported)")
                }
                // A TensorList handle (DT_VARIANT) in a loop body's signature imports as the handle stand-in,
                // as DT_VARIANT attributes do (Keras RNNs frozen with lower_control_flow=False carry them).
                if arg.type.rawValue == Graph.variantDataType { return (argName, Graph.variantStandIn) }
                return (argName, try ProtoConversion.dtype(arg.type.rawValue, context: "argument '\(argName)' of function '\(name)'"))
            }
            let arguments = try (0..<signature.n_input_arg).map { k in
                let (argName, dtype) = try argumentType(signature.input_arg[k]!.pointee, k)
                return (name: argName, dtype: dtype, shape: shapes[k] ?? .unknown)
            }
            let resultNames = try (0..<signature.n_output_arg).map { try argumentType(signature.output_arg[$0]!.pointee, $0).0 }
            var nodes: [(name: String, op: String, inputs: [String], attrs: Attributes)] = []
            var calls: [String] = []
            for k in 0..<def.n_node_def {
                guard let n = def.node_def[k]?.pointee else { continue }
                let nodeName = String(cString: n.name), op = String(cString: n.op)
                if OpRegistry.byName[op] == nil { unsupported[op, default: []].append("\(name)/\(nodeName)") }
                var attrs = Attributes()
                for j in 0..<n.n_attr {
                    guard let entry = n.attr[j]?.pointee, let value = entry.value else { continue }
                    let key = String(cString: entry.key)
                    if let converted = try attrValue(value.pointee, context: "attribute '\(key)' of node '\(nodeName)' in function '\(name)'") {
                        attrs[key] = converted
                        if case .function(let callee) = converted { calls.append(callee.name) }
                    }
                }
                nodes.append((nodeName, op, (0..<n.n_input).map { String(cString: n.input[$0]!) }, attrs))
            }
            var ret: [String: String] = [:]
            for k in 0..<def.n_ret {
                guard let entry = def.ret[k]?.pointee else { continue }
                ret[String(cString: entry.key)] = String(cString: entry.value)
            }
            parsed.append(ParsedFunction(name: name, arguments: arguments, resultNames: resultNames, nodes: nodes, ret: ret, calls: calls))
        }
        return parsed
    }

    /// Adds the parsed functions to the library, callees before callers; recursion (direct or mutual)
    /// and chains deeper than `maximumFunctionNesting` are `invalidTensorData` errors.
    func importFunctions(_ functions: [ParsedFunction]) throws {
        let byName = Dictionary(functions.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        guard byName.count == functions.count else { throw TensorGraphError.invalidTensorData("function library: duplicate function names") }
        var done = Set<String>(), visiting: [String] = []
        func visit(_ name: String) throws {
            guard !done.contains(name), let function = byName[name] else { return }
            if let start = visiting.firstIndex(of: name) {
                let cycle = (visiting[start...] + [name]).joined(separator: " → ")
                throw TensorGraphError.invalidTensorData("function library: recursive functions (\(cycle)); functional control flow cannot recurse")
            }
            guard visiting.count < Graph.maximumFunctionNesting else {
                throw TensorGraphError.invalidTensorData("function library: functions nest deeper than \(Graph.maximumFunctionNesting) levels (at '\(name)')")
            }
            visiting.append(name)
            for callee in function.calls { try visit(callee) }
            visiting.removeLast()
            try library.add(buildFunction(function))
            done.insert(name)
        }
        for function in functions { try visit(function.name) }
    }

    private func buildFunction(_ f: ParsedFunction) throws -> GraphFunction {
        let body = Graph()
        body.shareLibrary(library)
        let fail = { (message: String) in TensorGraphError.invalidTensorData("function '\(f.name)': \(message)") }
        var arguments: [String: Node] = [:]
        for a in f.arguments {
            arguments[a.name] = try body.addNode(Placeholder.self, exactName: a.name, inputs: [], attrs: ["dtype": .type(a.dtype), "shape": .shape(a.shape)],
                                                 controlInputs: [], location: nil)
        }
        let index = Dictionary(f.nodes.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { first, _ in first })
        guard index.count == f.nodes.count else { throw fail("duplicate node names") }
        var added: [Int: Node] = [:]
        func resolve(_ text: String, reader: String) throws -> Endpoint {
            let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            if parts.count == 1, let argument = arguments[text] { return Endpoint(node: argument.id, index: 0) }
            guard let j = index[parts[0]], let producer = added[j] else { throw fail("'\(reader)' reads '\(text)', which is neither an argument nor a node") }
            if parts.count == 1 { return Endpoint(node: producer.id, index: 0) }
            let position = parts.count == 3 ? Int(parts[2]) : 0
            guard let position, let flat = producer.flatOutputIndex(argument: parts[1], position: position) else {
                throw fail("'\(reader)' reads '\(text)': \(producer.opName) has no output '\(parts[1])' with index \(parts.count == 3 ? parts[2] : "0")")
            }
            return Endpoint(node: producer.id, index: flat)
        }
        // Producers first, depth-first with an explicit stack (a long chain must not overflow the thread's stack).
        func producers(_ i: Int) -> [Int] {
            f.nodes[i].inputs.compactMap { text in
                if !text.hasPrefix("^"), !text.contains(":"), arguments[text] != nil { return nil }
                let name = text.hasPrefix("^") ? String(text.dropFirst()) : String(text.prefix { $0 != ":" })
                return index[name]
            }
        }
        var finished: [Int: Bool] = [:]   // false: being visited, true: done
        var order: [Int] = []
        for root in f.nodes.indices where finished[root] == nil {
            var stack = [(root, false)]
            while let (i, expanded) = stack.popLast() {
                if expanded { finished[i] = true; order.append(i); continue }
                if finished[i] == true { continue }
                guard finished[i] == nil else { throw fail("cycle through node '\(f.nodes[i].name)'") }
                finished[i] = false
                stack.append((i, true))
                for j in producers(i) where finished[j] != true {
                    guard finished[j] == nil else { throw fail("cycle through node '\(f.nodes[j].name)'") }
                    stack.append((j, false))
                }
            }
        }
        for i in order {
            let def = f.nodes[i]
            var inputs: [Endpoint] = [], control: [Int] = []
            for text in def.inputs {
                if text.hasPrefix("^") {
                    let name = String(text.dropFirst())
                    if let j = index[name], let producer = added[j] { control.append(producer.id) } else if arguments[name] == nil {
                        throw fail("'\(def.name)' depends on missing '\(name)'")
                    }
                } else {
                    inputs.append(try resolve(text, reader: def.name))
                }
            }
            guard let op = OpRegistry.byName[def.op] else { throw fail("unsupported op \(def.op)") }
            added[i] = try body.addNode(op, exactName: def.name, inputs: inputs, attrs: def.attrs, controlInputs: control, location: nil)
        }
        let results = try f.resultNames.map { name -> Output in
            guard let text = f.ret[name] else { throw fail("no 'ret' entry for output '\(name)'") }
            let e = try resolve(text, reader: "ret \(name)")
            return Output(graph: body, node: body.nodes[e.node], index: e.index)
        }
        return try GraphFunction(name: f.name, graph: body, arguments: f.arguments.map { Output(graph: body, node: arguments[$0.name]!, index: 0) },
                                 results: results, resultNames: f.resultNames)
    }

    /// The library as a `FunctionDefLibrary`, nil when empty.
    func functionLibraryDef(_ arena: ProtoArena, handles: ListHandleAnalysis? = nil) throws -> UnsafeMutablePointer<Tensorflow__FunctionDefLibrary>? {
        guard !library.functions.isEmpty else { return nil }
        let proto = arena.allocate(Tensorflow__FunctionDefLibrary.self)
        tensorflow__function_def_library__init(proto)
        let list = arena.allocate(UnsafeMutablePointer<Tensorflow__FunctionDef>?.self, count: library.functions.count)
        for (i, function) in library.functions.enumerated() { list[i] = try function.graph.functionDef(function, arena, handles: handles) }
        proto.pointee.n_function = library.functions.count
        proto.pointee.function = list
        return proto
    }

    private func functionDef(_ function: GraphFunction, _ arena: ProtoArena,
                             handles: ListHandleAnalysis?) throws -> UnsafeMutablePointer<Tensorflow__FunctionDef> {
        let def = arena.allocate(Tensorflow__FunctionDef.self)
        tensorflow__function_def__init(def)
        let signature = arena.allocate(Tensorflow__OpDef.self)
        tensorflow__op_def__init(signature)
        signature.pointee.name = arena.string(function.name)
        func argList(_ items: [(String, DType)], variant: Set<Int>) -> UnsafeMutablePointer<UnsafeMutablePointer<Tensorflow__OpDef__ArgDef>?> {
            let list = arena.allocate(UnsafeMutablePointer<Tensorflow__OpDef__ArgDef>?.self, count: items.count)
            for (i, (name, dtype)) in items.enumerated() {
                let arg = arena.allocate(Tensorflow__OpDef__ArgDef.self)
                tensorflow__op_def__arg_def__init(arg)
                arg.pointee.name = arena.string(name)
                arg.pointee.type = variant.contains(i) ? Tensorflow__DataType(rawValue: Graph.variantDataType) : ProtoConversion.dataType(dtype)
                list[i] = arg
            }
            return list
        }
        signature.pointee.n_input_arg = function.arguments.count
        signature.pointee.input_arg = argList(function.arguments.map { ($0.node.name, $0.dtype) },
                                              variant: handles?.functionArguments[function.name] ?? [])
        signature.pointee.n_output_arg = function.results.count
        signature.pointee.output_arg = argList(zip(function.resultNames, function.results).map { ($0, $1.dtype) },
                                               variant: handles?.functionResults[function.name] ?? [])
        signature.pointee.is_stateful = function.isStateful ? 1 : 0
        def.pointee.signature = signature

        let argumentIDs = Set(function.arguments.map(\.node.id))
        func reference(_ e: Endpoint) -> String {
            let node = nodes[e.node]
            if argumentIDs.contains(e.node) { return node.name }
            let (argument, position) = node.outputArgument(flat: e.index)
            return "\(node.name):\(argument):\(position)"
        }
        let bodyNodes = nodes.filter { !argumentIDs.contains($0.id) }
        let nodeList = arena.allocate(UnsafeMutablePointer<Tensorflow__NodeDef>?.self, count: bodyNodes.count)
        for (i, node) in bodyNodes.enumerated() {
            let inputs = node.inputs.map(reference) + node.controlInputs.map { "^" + nodes[$0].name }
            nodeList[i] = try nodeDef(node, arena, inputNames: inputs, handles: handles)
        }
        def.pointee.n_node_def = bodyNodes.count
        def.pointee.node_def = nodeList

        let retList = arena.allocate(UnsafeMutablePointer<Tensorflow__FunctionDef__RetEntry>?.self, count: function.results.count)
        for (i, (name, result)) in zip(function.resultNames, function.results).enumerated() {
            let entry = arena.allocate(Tensorflow__FunctionDef__RetEntry.self)
            tensorflow__function_def__ret_entry__init(entry)
            entry.pointee.key = arena.string(name)
            entry.pointee.value = arena.string(reference(result.endpoint))
            retList[i] = entry
        }
        def.pointee.n_ret = function.results.count
        def.pointee.ret = retList

        // Static argument shapes, as TF writes them (`_output_shapes`), so a reader keeps them.
        let argAttrs = arena.allocate(UnsafeMutablePointer<Tensorflow__FunctionDef__ArgAttrEntry>?.self, count: function.arguments.count)
        for (i, argument) in function.arguments.enumerated() {
            let attr = arena.allocate(Tensorflow__FunctionDef__ArgAttrs__AttrEntry.self)
            tensorflow__function_def__arg_attrs__attr_entry__init(attr)
            attr.pointee.key = arena.string("_output_shapes")
            attr.pointee.value = attrValue(.shapes([argument.shape]), arena)
            let attrs = arena.allocate(Tensorflow__FunctionDef__ArgAttrs.self)
            tensorflow__function_def__arg_attrs__init(attrs)
            attrs.pointee.n_attr = 1
            attrs.pointee.attr = arena.array([Optional(attr)])
            let entry = arena.allocate(Tensorflow__FunctionDef__ArgAttrEntry.self)
            tensorflow__function_def__arg_attr_entry__init(entry)
            entry.pointee.key = UInt32(i)
            entry.pointee.value = attrs
            argAttrs[i] = entry
        }
        def.pointee.n_arg_attr = function.arguments.count
        def.pointee.arg_attr = argAttrs
        return def
    }
}

extension Node {
    /// How many tensors output argument `arg` holds (a list's length from `N` or a `list(type)` attribute).
    private func length(of arg: ArgDef) -> Int {
        if let n = arg.countAttribute, case .int(let count)? = attrs[n] { return count }
        if case .attribute(let name) = arg.element, case .types(let list)? = attrs[name] { return list.count }
        return 1
    }

    /// The flat output index of `argument:position` (a FunctionDef's `node:output_arg:index`).
    func flatOutputIndex(argument: String, position: Int) -> Int? {
        var offset = 0
        for arg in op.outputs {
            let n = length(of: arg)
            if arg.name == argument { return (0..<n).contains(position) ? offset + position : nil }
            offset += n
        }
        return nil
    }

    /// The output argument name and position of flat output `flat` (inverse of `flatOutputIndex`).
    func outputArgument(flat: Int) -> (String, Int) {
        var offset = 0
        for arg in op.outputs {
            let n = length(of: arg)
            if flat < offset + n { return (arg.name, flat - offset) }
            offset += n
        }
        return (op.outputs.last?.name ?? "output", flat)
    }
}
