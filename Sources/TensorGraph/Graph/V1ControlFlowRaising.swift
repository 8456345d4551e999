/// TF1's lowered control flow (`Switch`, `Merge`, `Enter`, `Exit`, `NextIteration`, `LoopCond`), as
/// `tf.compat.v1` graphs with control flow v1 and graphs frozen with `lower_control_flow=True` hold
/// it, raised at import into the functional `StatelessWhile`/`StatelessIf` (`While`/`If` when a body
/// is stateful) that plans run as sub-plans (see `Plan/README.md`, "TF1's lowered form").
///
/// - A frame (the nodes reachable from the `Enter`s of one `frame_name` up to its `Exit`s) becomes a
///   `While`: each `Merge(Enter, NextIteration)` is a loop variable, the other `Enter`s of the frame
///   are captured values; the nodes between the `Merge`s and `LoopCond` form the condition function,
///   those between `Switch:1` and the `NextIteration`s the body function. Each `Exit` becomes an
///   `Identity` of the `While` output with the `Exit`'s name, so readers keep their inputs.
/// - `Switch`es on one predicate with the `Merge`s joining their two sides become an `If` (see
///   `V1CondRaising.swift`).
///
/// Frames are raised outermost first; a body is imported like a graph, so nested frames and conds in
/// it are raised when it is built. Runtime never sees frames or dead tensors. What cannot be raised
/// (a frame without exactly one `LoopCond`, a body reading a tensor of another frame without `Enter`,
/// a loop variable of a dtype this build lacks) is a typed `invalidTensorData` error naming the node.
extension Graph {
    /// TF's `DT_VARIANT` (types.proto): the dtype of TensorList handles.
    static let variantDataType: UInt32 = 21
    /// The dtype a `DT_VARIANT` attribute imports as: TensorList handles are int32 scalars whose
    /// `Tensor.list` holds the list, until `DType` has a `variant` case (see `Ops/List`).
    static let variantStandIn = DType.int32

    /// The TF1 control-flow op types import accepts and raises (they are not ops of the registry).
    static let v1ControlFlowOps: Set<String> = ["Switch", "Merge", "Enter", "Exit", "NextIteration", "LoopCond"]

    /// `defs` with every TF1 frame raised to a `While` and every `Switch`/`Merge` cond to an `If`.
    /// `depth` counts the bodies enclosing `defs`; deeper than `maximumFunctionNesting` is rejected.
    func raiseV1ControlFlow(_ defs: [ImportedNode], depth: Int = 0) throws -> [ImportedNode] {
        var defs = defs
        guard defs.contains(where: { Graph.v1ControlFlowOps.contains($0.op) }) else { return defs }
        guard depth < Graph.maximumFunctionNesting else {
            throw TensorGraphError.invalidTensorData("TF1 control flow nests deeper than \(Graph.maximumFunctionNesting) levels")
        }
        while let frame = try outermostFrame(defs) { defs = try raiseLoop(frame, defs, depth: depth) }
        while let predicate = try innermostCondPredicate(defs) { defs = try raiseCond(predicate, defs, depth: depth) }
        if let left = defs.first(where: { Graph.v1ControlFlowOps.contains($0.op) }) {
            throw TensorGraphError.invalidTensorData("node '\(left.name)' (\(left.op)): TF1 control flow that is neither a "
                                                     + "Switch/Merge cond nor an Enter/Exit loop cannot be raised to If/While")
        }
        return defs
    }

    /// The readers (data and control) of each def, by index.
    func readers(_ defs: [ImportedNode], _ index: [String: Int]) -> [[Int]] {
        var readers = [[Int]](repeating: [], count: defs.count)
        for (i, def) in defs.enumerated() {
            for name in def.inputs.map(\.name) + def.control { if let j = index[name] { readers[j].append(i) } }
        }
        return readers
    }

    func defIndex(_ defs: [ImportedNode]) throws -> [String: Int] {
        let index = Dictionary(defs.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { first, _ in first })
        guard index.count == defs.count else { throw TensorGraphError.invalidTensorData("duplicate node names in GraphDef") }
        return index
    }

    /// A name no def has, from `base`.
    func uniqueDefName(_ base: String, _ index: [String: Int]) -> String {
        if index[base] == nil { return base }
        var k = 1
        while index["\(base)_\(k)"] != nil { k += 1 }
        return "\(base)_\(k)"
    }

    private struct Frame {
        let name: String
        /// Indices of the frame's nodes (its Enters and everything up to its Exits, nested frames included).
        let members: Set<Int>
        let exits: [Int]
    }

    /// The frame an `Exit` leaves: `Exit ← Switch ← Merge ← Enter(frame_name)`.
    private func exitFrame(_ exit: ImportedNode, _ defs: [ImportedNode], _ index: [String: Int]) -> String? {
        guard let s = exit.inputs.first.flatMap({ index[$0.name] }), defs[s].op == "Switch",
              let m = defs[s].inputs.first.flatMap({ index[$0.name] }), defs[m].op == "Merge" else { return nil }
        for input in defs[m].inputs {
            if let e = index[input.name], defs[e].op == "Enter", case .string(let frame)? = defs[e].attrs["frame_name"] { return frame }
        }
        return nil
    }

    /// A frame no other frame contains, or nil when `defs` holds no `Enter`.
    private func outermostFrame(_ defs: [ImportedNode]) throws -> Frame? {
        let index = try defIndex(defs), readers = readers(defs, index)
        var enters: [String: [Int]] = [:], order: [String] = []
        for (i, def) in defs.enumerated() where def.op == "Enter" {
            guard case .string(let frame)? = def.attrs["frame_name"] else {
                throw TensorGraphError.invalidTensorData("Enter node '\(def.name)' has no frame_name")
            }
            if enters[frame] == nil { order.append(frame) }
            enters[frame, default: []].append(i)
        }
        var frames: [Frame] = []
        for name in order {
            var members = Set<Int>(), exits: [Int] = [], stack = enters[name]!
            while let i = stack.popLast() {
                guard members.insert(i).inserted else { continue }
                if defs[i].op == "Exit", exitFrame(defs[i], defs, index) == name {
                    members.remove(i)
                    if !exits.contains(i) { exits.append(i) }
                    continue
                }
                stack.append(contentsOf: readers[i])
            }
            frames.append(Frame(name: name, members: members, exits: exits.sorted()))
        }
        return frames.first { frame in !frames.contains { $0.name != frame.name && enters[frame.name]!.allSatisfy($0.members.contains) } }
    }

    private func raiseLoop(_ frame: Frame, _ defs: [ImportedNode], depth: Int) throws -> [ImportedNode] {
        let index = try defIndex(defs)
        let fail = { (message: String) in TensorGraphError.invalidTensorData("while loop '\(frame.name)': \(message)") }
        func producer(_ input: (name: String, index: Int)) -> Int? { index[input.name].flatMap { frame.members.contains($0) ? $0 : nil } }
        let enters = frame.members.sorted().filter { defs[$0].op == "Enter" && defs[$0].attrs["frame_name"] == .string(frame.name) }
        let merges = frame.members.sorted().filter { m in
            defs[m].op == "Merge" && defs[m].inputs.contains { input in producer(input).map(enters.contains) == true }
        }
        guard !merges.isEmpty else { throw fail("no Merge of an Enter") }
        var loopCond: Int?, switches: [Int] = [], nextValues: [(name: String, index: Int)] = [], loopEnters: [Int] = []
        for m in merges {
            guard defs[m].inputs.count == 2, let e = defs[m].inputs.compactMap(producer).first(where: enters.contains),
                  let n = defs[m].inputs.compactMap(producer).first(where: { defs[$0].op == "NextIteration" }), let value = defs[n].inputs.first else {
                throw fail("Merge '\(defs[m].name)' does not join an Enter and a NextIteration")
            }
            let readers = frame.members.sorted().filter { defs[$0].op == "Switch" && defs[$0].inputs.first?.name == defs[m].name }
            guard readers.count == 1, let s = readers.first, defs[s].inputs.count == 2, let c = producer(defs[s].inputs[1]),
                  defs[c].op == "LoopCond", loopCond == nil || loopCond == c else {
                throw fail("Merge '\(defs[m].name)' is not read by one Switch on the frame's LoopCond")
            }
            loopCond = c
            switches.append(s); nextValues.append(value); loopEnters.append(e)
        }
        guard let loopCond, let predicate = defs[loopCond].inputs.first else { throw fail("no LoopCond") }
        let captures = enters.filter { !loopEnters.contains($0) }
        func dtype(_ i: Int) throws -> DType { defs[i].raisedDType }
        let loopTypes = try loopEnters.map(dtype), captureTypes = try captures.map(dtype)

        // Condition: arguments are the Merges (loop variables) and the captured Enters.
        let condArguments = zip(merges, loopTypes).map { (endpoint: (defs[$0].name, 0), name: defs[$0].name, dtype: $1) }
            + zip(captures, captureTypes).map { (endpoint: (defs[$0].name, 0), name: defs[$0].name, dtype: $1) }
        let condition = try extractFunction("\(frame.name)_cond", defs, index, members: frame.members, arguments: condArguments, results: [predicate],
                                            depth: depth)
        // Body: arguments are the Switches' true outputs and the captured Enters; captures pass through.
        let bodyArguments = zip(switches, loopTypes).map { (endpoint: (defs[$0].name, 1), name: defs[$0].name, dtype: $1) }
            + zip(captures, captureTypes).map { (endpoint: (defs[$0].name, 0), name: defs[$0].name, dtype: $1) }
        let body = try extractFunction("\(frame.name)_body", defs, index, members: frame.members, arguments: bodyArguments,
                                       results: nextValues + captures.map { (defs[$0].name, 0) }, depth: depth)

        let whileName = uniqueDefName(defs[loopCond].name + "/while", index)
        let stateful = condition.isStateful || body.isStateful
        var attrs: Attributes = ["T": .types(loopTypes + captureTypes), "cond": .function(FunctionReference(condition.name)),
                                 "body": .function(FunctionReference(body.name))]
        if case .int(let p)? = defs[loopEnters[0]].attrs["parallel_iterations"] { attrs["parallel_iterations"] = .int(p) }
        let inputs = try (loopEnters + captures).map { e in
            guard let input = defs[e].inputs.first else { throw fail("Enter '\(defs[e].name)' has no input") }
            return input
        }
        let control = Array(Set(enters.flatMap { defs[$0].control })).sorted()
        let loop = ImportedNode(name: whileName, op: stateful ? "While" : "StatelessWhile", inputs: inputs, control: control, attrs: attrs)
        // Each Exit becomes an Identity of its loop variable's output, under the Exit's name.
        var replacements: [Int: ImportedNode] = [:]
        for x in frame.exits {
            guard let read = defs[x].inputs.first, let s = index[read.name], let k = switches.firstIndex(of: s) else { throw fail("Exit '\(defs[x].name)' reads no loop Switch") }
            replacements[x] = ImportedNode(name: defs[x].name, op: "Identity", inputs: [(whileName, k)], control: [], attrs: ["T": .type(loopTypes[k])])
        }
        return try replacing(frame.members, with: loop, replacements: replacements, in: defs, index: index)
    }

    /// `defs` without `removed`, with `node` at the first removed position and `replacements` in
    /// place; control edges to removed nodes move to `node`, data reads of them are an error.
    func replacing(_ removed: Set<Int>, with node: ImportedNode, replacements: [Int: ImportedNode], in defs: [ImportedNode],
                   index: [String: Int]) throws -> [ImportedNode] {
        var result: [ImportedNode] = []
        let first = removed.min()
        for (i, def) in defs.enumerated() {
            if i == first { result.append(node) }
            if removed.contains(i) { continue }
            if let replacement = replacements[i] { result.append(replacement); continue }
            for input in def.inputs where index[input.name].map(removed.contains) == true {
                throw TensorGraphError.invalidTensorData("node '\(def.name)' reads '\(input.name)' inside TF1 control flow without Exit or Merge")
            }
            var control: [String] = []
            for name in def.control {
                let target = index[name].map(removed.contains) == true ? node.name : name
                if !control.contains(target) { control.append(target) }
            }
            result.append(ImportedNode(name: def.name, op: def.op, inputs: def.inputs, control: control, attrs: def.attrs))
        }
        return result
    }

    /// A library function whose body is the members `results` depend on, cut at `arguments` (each a
    /// producer endpoint read as a `Placeholder` named `name`); the body is imported (and raised) like
    /// a graph. Control edges to nodes outside the body are dropped: the caller runs after them.
    func extractFunction(_ base: String, _ defs: [ImportedNode], _ index: [String: Int], members: Set<Int>,
                         arguments: [(endpoint: (String, Int), name: String, dtype: DType)],
                         results: [(name: String, index: Int)], depth: Int) throws -> GraphFunction {
        var argumentOf: [String: [Int: String]] = [:]
        for a in arguments { argumentOf[a.endpoint.0, default: [:]][a.endpoint.1] = a.name }
        let argumentNames = Set(arguments.map(\.name))
        func mapped(_ input: (name: String, index: Int)) -> (name: String, index: Int) {
            argumentOf[input.name]?[input.index].map { ($0, 0) } ?? input
        }
        // Members the results depend on, not crossing an argument.
        var body = Set<Int>(), stack = results.filter { argumentOf[$0.name]?[$0.index] == nil }.compactMap { index[$0.name] }
        while let i = stack.popLast() {
            guard members.contains(i), argumentOf[defs[i].name] == nil else { continue }
            guard body.insert(i).inserted else { continue }
            for input in defs[i].inputs where argumentOf[input.name]?[input.index] == nil {
                guard let j = index[input.name], members.contains(j) else {
                    throw TensorGraphError.invalidTensorData("node '\(defs[i].name)' reads '\(input.name)' from outside its TF1 control-flow "
                                                             + "context without Enter or Switch")
                }
                stack.append(j)
            }
            for name in defs[i].control { if let j = index[name], members.contains(j), argumentOf[name] == nil { stack.append(j) } }
        }
        // An argument's static shape is what TF recorded for its source (`_output_shapes`), when it did.
        func declaredShape(_ endpoint: (String, Int)) -> TensorShape {
            guard let i = index[endpoint.0], case .shapes(let shapes)? = defs[i].attrs["_output_shapes"], endpoint.1 < shapes.count else { return .unknown }
            return shapes[endpoint.1]
        }
        var bodyDefs = arguments.map { ImportedNode(name: $0.name, op: "Placeholder", inputs: [], control: [],
                                                    attrs: ["dtype": .type($0.dtype), "shape": .shape(declaredShape($0.endpoint))]) }
        for i in body.sorted() {
            let def = defs[i]
            let control = def.control.filter { name in argumentNames.contains(name) || index[name].map(body.contains) == true }
            bodyDefs.append(ImportedNode(name: def.name, op: def.op, inputs: def.inputs.map(mapped), control: control, attrs: def.attrs))
        }
        let graph = Graph()
        graph.shareLibrary(library)
        try graph.addImportedNodes(graph.raiseV1ControlFlow(bodyDefs, depth: depth + 1))
        let outputs = try results.map(mapped).map { r -> Output in
            guard let node = graph.node(named: r.name), r.index < node.outputs.count else {
                throw TensorGraphError.invalidTensorData("function '\(base)': no result '\(r.name):\(r.index)'")
            }
            return Output(graph: graph, node: node, index: r.index)
        }
        let function = try GraphFunction(name: library.uniqueName(base.replacingOccurrences(of: "/", with: "_")), graph: graph,
                                         arguments: arguments.map { Output(graph: graph, node: graph.node(named: $0.name)!, index: 0) },
                                         results: outputs, resultNames: outputs.indices.map { "output_\($0)" })
        try library.add(function)
        return function
    }
}

extension Graph.ImportedNode {
    /// The dtype (`T`) of a TF1 control-flow node (DT_VARIANT imports as `Graph.variantStandIn`; a
    /// missing `T` is taken as that too).
    var raisedDType: DType {
        if case .type(let t)? = attrs["T"] { return t }
        return Graph.variantStandIn
    }
}
