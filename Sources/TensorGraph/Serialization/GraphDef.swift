import CTensorFlowProto
import Foundation

/// TensorFlow's GraphDef wire format, through libprotobuf-c.
extension Graph {
    /// The `versions.producer` written into GraphDefs (TensorFlow accepts it; see PLATFORM-NOTES).
    public static let graphDefProducer: Int32 = 1000

    /// The graph as serialized GraphDef bytes. Deterministic: the same graph gives the same bytes
    /// (nodes in insertion order, attributes sorted by name).
    public func graphDef() throws -> [UInt8] {
        let arena = ProtoArena()
        var graph = Tensorflow__GraphDef()
        tensorflow__graph_def__init(&graph)
        // TensorList handles are int32 stand-ins here; TF wants DT_VARIANT where they cross calls.
        let handles = ListHandleAnalysis(self)
        let nodeList = arena.allocate(UnsafeMutablePointer<Tensorflow__NodeDef>?.self, count: nodes.count)
        for (i, node) in nodes.enumerated() { nodeList[i] = try nodeDef(node, arena, handles: handles) }
        graph.n_node = nodes.count
        graph.node = nodeList
        let versions = arena.allocate(Tensorflow__VersionDef.self)
        tensorflow__version_def__init(versions)
        versions.pointee.producer = Graph.graphDefProducer
        graph.versions = versions
        graph.library = try functionLibraryDef(arena, handles: handles)   // nil when the graph calls no functions
        let size = tensorflow__graph_def__get_packed_size(&graph)
        var bytes = [UInt8](repeating: 0, count: size)
        let written = bytes.withUnsafeMutableBufferPointer { tensorflow__graph_def__pack(&graph, $0.baseAddress!) }
        guard written == size else { throw TensorGraphError.invalidArgument("GraphDef packing wrote \(written) of \(size) bytes") }
        return bytes
    }

    /// Writes the GraphDef atomically (temporary file, fsync, rename).
    public func write(to path: String) throws {
        try writeFileAtomically(graphDef(), to: path)
    }

    private func tensorName(_ e: Endpoint) -> String {
        e.index == 0 ? nodes[e.node].name : "\(nodes[e.node].name):\(e.index)"
    }

    /// A NodeDef; `inputNames` overrides the input strings (a function body spells them `node:arg:index`).
    func nodeDef(_ node: Node, _ arena: ProtoArena, inputNames: [String]? = nil,
                 handles: ListHandleAnalysis? = nil) throws -> UnsafeMutablePointer<Tensorflow__NodeDef> {
        let def = arena.allocate(Tensorflow__NodeDef.self)
        tensorflow__node_def__init(def)
        def.pointee.name = arena.string(node.name)
        def.pointee.op = arena.string(node.opName)
        def.pointee.device = arena.string("")
        let inputs = inputNames ?? (node.inputs.map(tensorName) + node.controlInputs.map { "^" + nodes[$0].name })
        let inputList = arena.allocate(UnsafeMutablePointer<CChar>?.self, count: inputs.count)
        for (i, name) in inputs.enumerated() { inputList[i] = arena.string(name) }
        def.pointee.n_input = inputs.count
        def.pointee.input = inputList
        let entries = node.attrs.entries
        let variant = handles?.variantAttributes(of: node, in: self) ?? [:]
        let attrList = arena.allocate(UnsafeMutablePointer<Tensorflow__NodeDef__AttrEntry>?.self, count: entries.count)
        for (i, (key, value)) in entries.enumerated() {
            let entry = arena.allocate(Tensorflow__NodeDef__AttrEntry.self)
            tensorflow__node_def__attr_entry__init(entry)
            entry.pointee.key = arena.string(key)
            entry.pointee.value = attrValue(value, arena)
            for position in variant[key] ?? [] {
                let proto = entry.pointee.value!
                if proto.pointee.value_case == TENSORFLOW__ATTR_VALUE__VALUE_TYPE {
                    proto.pointee.type = Tensorflow__DataType(rawValue: Graph.variantDataType)
                } else if let list = proto.pointee.list, position < list.pointee.n_type {
                    list.pointee.type[position] = Tensorflow__DataType(rawValue: Graph.variantDataType)
                }
            }
            attrList[i] = entry
        }
        def.pointee.n_attr = entries.count
        def.pointee.attr = attrList
        return def
    }

    func attrValue(_ value: AttrValue, _ arena: ProtoArena) -> UnsafeMutablePointer<Tensorflow__AttrValue> {
        let proto = arena.allocate(Tensorflow__AttrValue.self)
        tensorflow__attr_value__init(proto)
        func list() -> UnsafeMutablePointer<Tensorflow__AttrValue__ListValue> {
            let l = arena.allocate(Tensorflow__AttrValue__ListValue.self)
            tensorflow__attr_value__list_value__init(l)
            proto.pointee.value_case = TENSORFLOW__ATTR_VALUE__VALUE_LIST
            proto.pointee.list = l
            return l
        }
        switch value {
        case .type(let t):
            proto.pointee.value_case = TENSORFLOW__ATTR_VALUE__VALUE_TYPE
            proto.pointee.type = ProtoConversion.dataType(t)
        case .shape(let s):
            proto.pointee.value_case = TENSORFLOW__ATTR_VALUE__VALUE_SHAPE
            proto.pointee.shape = ProtoConversion.shapeProto(s, arena)
        case .int(let i):
            proto.pointee.value_case = TENSORFLOW__ATTR_VALUE__VALUE_I
            proto.pointee.i = Int64(i)
        case .float(let f):
            proto.pointee.value_case = TENSORFLOW__ATTR_VALUE__VALUE_F
            proto.pointee.f = f
        case .bool(let b):
            proto.pointee.value_case = TENSORFLOW__ATTR_VALUE__VALUE_B
            proto.pointee.b = b ? 1 : 0
        case .string(let s):
            proto.pointee.value_case = TENSORFLOW__ATTR_VALUE__VALUE_S
            let utf8 = Array(s.utf8)
            proto.pointee.s = utf8.withUnsafeBytes { arena.bytes($0.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!, count: utf8.count) }
        case .tensor(let t):
            proto.pointee.value_case = TENSORFLOW__ATTR_VALUE__VALUE_TENSOR
            proto.pointee.tensor = ProtoConversion.tensorProto(t, arena)
        case .ints(let v):
            let l = list()
            l.pointee.n_i = v.count
            l.pointee.i = arena.array(v.map(Int64.init))
        case .floats(let v):
            let l = list()
            l.pointee.n_f = v.count
            l.pointee.f = arena.array(v)
        case .types(let v):
            let l = list()
            l.pointee.n_type = v.count
            l.pointee.type = arena.array(v.map(ProtoConversion.dataType))
        case .strings(let v):
            let l = list()
            l.pointee.n_s = v.count
            l.pointee.s = arena.array(v.map { s in Array(s.utf8).withUnsafeBytes { arena.bytes($0.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!, count: $0.count) } })
        case .shapes(let v):
            let l = list()
            l.pointee.n_shape = v.count
            l.pointee.shape = arena.array(v.map { Optional(ProtoConversion.shapeProto($0, arena)) })
        case .function(let f):
            // TF's `NameAttrList`: the library function's name (bodies take no attributes here).
            let function = arena.allocate(Tensorflow__NameAttrList.self)
            tensorflow__name_attr_list__init(function)
            function.pointee.name = arena.string(f.name)
            proto.pointee.value_case = TENSORFLOW__ATTR_VALUE__VALUE_FUNC
            proto.pointee.func = function
        }
        return proto
    }
}

extension Graph {
    /// Reads a GraphDef file written by TensorGraph or TensorFlow.
    public convenience init(contentsOf path: String) throws {
        let data = try readWholeFile(path)
        do {
            try self.init(graphDef: data)
        } catch let error as TensorGraphError {
            if case .unsupportedOps = error { throw error }
            throw TensorGraphError.fileError(path: path, message: error.description)
        }
    }

    /// Builds a graph from GraphDef bytes.
    ///
    /// Accepts what TensorFlow writes: nodes in any order, default attributes TF adds, unknown fields,
    /// Const values in `tensor_content` or typed value lists. Op types this build lacks are reported
    /// together in one `unsupportedOps` error.
    public convenience init(graphDef bytes: [UInt8]) throws {
        self.init()
        guard let proto = bytes.withUnsafeBufferPointer({ tensorflow__graph_def__unpack(nil, $0.count, $0.baseAddress) }) else {
            throw TensorGraphError.invalidTensorData("not a valid GraphDef (truncated or corrupt protobuf, \(bytes.count) bytes)")
        }
        defer { tensorflow__graph_def__free_unpacked(proto, nil) }
        try importNodes(proto.pointee)
    }

    /// One NodeDef as read, before it becomes a node (`V1ControlFlowRaising.swift` rewrites these).
    struct ImportedNode {
        let name: String
        let op: String
        let inputs: [(name: String, index: Int)]
        let control: [String]
        let attrs: Attributes
    }

    private func importNodes(_ graphDef: Tensorflow__GraphDef) throws {
        var defs: [ImportedNode] = []
        var unsupported: [String: [String]] = [:]
        // Unsupported op types are reported before any other error (an attribute of a dtype this build
        // lacks, such as DT_VARIANT, says less than the list of ops the graph needs).
        var firstAttributeError: Error?
        for i in 0..<graphDef.n_node {
            guard let n = graphDef.node[i]?.pointee else { continue }
            let name = String(cString: n.name), op = String(cString: n.op)
            guard !name.isEmpty else { throw TensorGraphError.invalidTensorData("node \(i) has an empty name") }
            if OpRegistry.byName[op] == nil && !Graph.v1ControlFlowOps.contains(op) && !Graph.functionCallOps.contains(op) {
                unsupported[op, default: []].append(name)
            }
            var inputs: [(String, Int)] = [], control: [String] = []
            for k in 0..<n.n_input {
                let text = String(cString: n.input[k]!)
                if text.hasPrefix("^") { control.append(String(text.dropFirst())); continue }
                if let colon = text.lastIndex(of: ":"), let index = Int(text[text.index(after: colon)...]) {
                    inputs.append((String(text[..<colon]), index))
                } else {
                    inputs.append((text, 0))
                }
            }
            var attrs = Attributes()
            for k in 0..<n.n_attr {
                guard let entry = n.attr[k]?.pointee, let value = entry.value else { continue }
                let key = String(cString: entry.key)
                do {
                    if let converted = try attrValue(value.pointee, context: "attribute '\(key)' of node '\(name)'") { attrs[key] = converted }
                } catch {
                    firstAttributeError = firstAttributeError ?? error
                }
            }
            defs.append(ImportedNode(name: name, op: op, inputs: inputs, control: control, attrs: attrs))
        }
        // The library's functions (If/While bodies): their unknown ops are listed with the graph's.
        let functions = try readFunctionLibrary(graphDef.library, unsupported: &unsupported)
        if !unsupported.isEmpty {
            throw TensorGraphError.unsupportedOps(unsupported.keys.sorted().map { op in
                let names = unsupported[op]!
                return names.count == 1 ? "\(op) (\(names[0]))" : "\(op) (\(names.joined(separator: ", "))): \(names.count) nodes"
            })
        }
        if let firstAttributeError { throw firstAttributeError }
        try importFunctions(functions)
        try addImportedNodes(raiseV1ControlFlow(inlineFunctionCalls(defs, functions)))
        registerImportedVariables()
    }

    /// Adds `defs` (any order; no cycles) as nodes, each after its producers.
    func addImportedNodes(_ defs: [ImportedNode]) throws {
        // Add nodes after their inputs; TensorFlow does not require GraphDefs to be ordered.
        let index = Dictionary(defs.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { first, _ in first })
        guard index.count == defs.count else { throw TensorGraphError.invalidTensorData("duplicate node names in GraphDef") }
        // Depth-first with an explicit stack: a chain of 30,000 nodes listed outputs-first must not
        // overflow the thread's stack, as one native call per level of graph depth would.
        var added: [Int: Node] = [:]
        var onStack = Set<Int>()
        func producer(_ name: String, of def: ImportedNode, _ role: String) throws -> Int {
            guard let j = index[name] else { throw TensorGraphError.invalidTensorData("node '\(def.name)' \(role) missing node '\(name)'") }
            return j
        }
        for root in defs.indices where added[root] == nil {
            var stack = [root]
            onStack.insert(root)
            while let i = stack.last {
                let def = defs[i]
                // The first producer not yet added is visited before this node.
                var pending: Int?
                for j in try def.inputs.map({ try producer($0.name, of: def, "reads") }) + def.control.map({ try producer($0, of: def, "depends on") })
                where added[j] == nil {
                    pending = j
                    break
                }
                if let j = pending {
                    guard onStack.insert(j).inserted else {
                        throw TensorGraphError.invalidTensorData("cycle through node '\(defs[j].name)' (control flow is not supported)")
                    }
                    stack.append(j)
                    continue
                }
                var inputs: [Endpoint] = []
                for (name, output) in def.inputs {
                    let node = added[index[name]!]!
                    guard (0..<node.outputs.count).contains(output) else {
                        throw TensorGraphError.invalidTensorData("node '\(def.name)' reads output \(output) of '\(name)', which has \(node.outputs.count)")
                    }
                    inputs.append(Endpoint(node: node.id, index: output))
                }
                let control = def.control.map { added[index[$0]!]!.id }
                added[i] = try addNode(OpRegistry.byName[def.op]!, exactName: def.name, inputs: inputs, attrs: def.attrs,
                                       controlInputs: control, location: nil)
                stack.removeLast()
                onStack.remove(i)
            }
        }
    }

    /// Rebuilds the variable records of an imported training graph (`v`, `v/Assign`, `v/read`).
    private func registerImportedVariables() {
        for node in nodes where node.op == VariableV2.self {
            guard let read = self.node(named: node.name + "/read"), read.op == Identity.self,
                  let assign = self.node(named: node.name + "/Assign"), assign.op == Assign.self else { continue }
            let trainable = !(node.name.hasSuffix("/Adam") || node.name.hasSuffix("/Adam_1") || node.name.contains("/Momentum")
                              || node.name.contains("/RMSProp") || node.name.hasSuffix("_power") || node.name == "global_step")
            register(Variable(node: node, value: Output(graph: self, node: read, index: 0),
                              initializer: GraphOperation(graph: self, node: assign), isTrainable: trainable))
        }
    }

    func attrValue(_ p: Tensorflow__AttrValue, context: String) throws -> AttrValue? {
        switch p.value_case {
        case TENSORFLOW__ATTR_VALUE__VALUE_S:
            return .string(String(decoding: UnsafeRawBufferPointer(start: p.s.data, count: p.s.len), as: UTF8.self))
        case TENSORFLOW__ATTR_VALUE__VALUE_I: return .int(Int(p.i))
        case TENSORFLOW__ATTR_VALUE__VALUE_F: return .float(p.f)
        case TENSORFLOW__ATTR_VALUE__VALUE_B: return .bool(p.b != 0)
        case TENSORFLOW__ATTR_VALUE__VALUE_TYPE:
            // A dtype we lack in an attribute an op never reads is harmless; ops validate the ones they use.
            // A negative one is no DataType at all: a corrupt file, reported as such.
            if Int32(bitPattern: p.type.rawValue) < 0 { _ = try ProtoConversion.dtype(p.type.rawValue, context: context) }
            if p.type.rawValue == Graph.variantDataType { return .type(Graph.variantStandIn) }
            return (try? ProtoConversion.dtype(p.type.rawValue, context: context)).map { .type($0) }
        case TENSORFLOW__ATTR_VALUE__VALUE_SHAPE: return .shape(ProtoConversion.shape(p.shape))
        case TENSORFLOW__ATTR_VALUE__VALUE_TENSOR:
            guard let t = p.tensor else { return nil }
            return .tensor(try ProtoConversion.tensor(t, context: context))
        case TENSORFLOW__ATTR_VALUE__VALUE_LIST:
            guard let l = p.list?.pointee else { return .ints([]) }
            if l.n_i > 0 { return .ints((0..<l.n_i).map { Int(l.i[$0]) }) }
            if l.n_f > 0 { return .floats((0..<l.n_f).map { l.f[$0] }) }
            if l.n_type > 0 {
                // As for a single `type`: DT_VARIANT (TensorList handles in loops) imports as the handle
                // stand-in; a list naming another dtype we lack is dropped, and the op that needs it reports
                // the missing attribute; a negative one is corrupt.
                let raw = (0..<l.n_type).map { l.type[$0].rawValue }
                for r in raw where Int32(bitPattern: r) < 0 { _ = try ProtoConversion.dtype(r, context: context) }
                let types = raw.compactMap { $0 == Graph.variantDataType ? Graph.variantStandIn : try? ProtoConversion.dtype($0, context: context) }
                return types.count == raw.count ? .types(types) : nil
            }
            if l.n_shape > 0 { return .shapes((0..<l.n_shape).map { ProtoConversion.shape(l.shape[$0]) }) }
            if l.n_s > 0 { return .strings((0..<l.n_s).map { String(decoding: UnsafeRawBufferPointer(start: l.s[$0].data, count: l.s[$0].len), as: UTF8.self) }) }
            return .ints([])
        case TENSORFLOW__ATTR_VALUE__VALUE_FUNC:
            guard let f = p.func, let name = f.pointee.name else { return nil }
            return .function(FunctionReference(String(cString: name)))
        default:
            return nil
        }
    }
}
