/// Which int32 values of a graph are TensorList handles, i.e. TF's `DT_VARIANT`.
///
/// A handle is an int32 scalar here (`DType` has no variant case; see `TensorListValue`), so a
/// GraphDef written as the graph stands declares `int32` where TensorFlow expects `variant`: in the
/// `T` of a `While` or `Identity` carrying a list, the `Tin`/`Tout` of an `If`, and the signature of
/// a function taking or returning one (every loop gradient's accumulators do). This analysis finds
/// those places so an exporter can write `DT_VARIANT` (21) there, as TF's importer requires.
///
/// Handles start at the outputs of the ops that make lists and flow through `Identity` and through
/// control-flow calls (input `i` of a `While` to its output `i` and to argument `i` of its
/// functions; an `If`'s inputs to its branches' arguments and their results to its outputs).
struct ListHandleAnalysis {
    /// Per graph (the main graph and every function body, by `ObjectIdentifier`), its handle endpoints.
    private(set) var handles: [ObjectIdentifier: Set<Endpoint>] = [:]
    /// Per library function, the positions of its arguments and results that are handles.
    private(set) var functionArguments: [String: Set<Int>] = [:]
    private(set) var functionResults: [String: Set<Int>] = [:]

    /// Ops whose output 0 is a list handle.
    static let makers: Set<String> = ["TensorListReserve", "TensorListFromTensor", "TensorListSetItem"]

    /// Analyses `graph` and, through its calls, the functions of its library (to a fixed point:
    /// a function called from several places takes the union of their handle positions).
    init(_ graph: Graph) {
        var changed = true
        var rounds = 0
        while changed && rounds < 64 {
            changed = false
            rounds += 1
            changed = analyse(graph, arguments: []) || changed
            for function in graph.library.functions {
                let positions = functionArguments[function.name] ?? []
                changed = analyse(function.graph, arguments: Set(positions.map { function.arguments[$0].endpoint })) || changed
                let found = Set(function.results.indices.filter { handles[ObjectIdentifier(function.graph)]?.contains(function.results[$0].endpoint) == true })
                if found != functionResults[function.name] ?? [] { functionResults[function.name] = found; changed = true }
            }
        }
    }

    /// Whether `endpoint` of `graph` is a handle.
    func isHandle(_ graph: Graph, _ endpoint: Endpoint) -> Bool { handles[ObjectIdentifier(graph)]?.contains(endpoint) == true }

    /// The type attributes of `node` (a node of `graph`) an exporter must write as `DT_VARIANT`, with
    /// the positions inside a `list(type)` attribute (`[0]` for a single `type`): `Identity`'s `T`,
    /// `While`'s `T`, `If`'s `Tin` and `Tout`, where they carry a handle. Empty for other nodes.
    func variantAttributes(of node: Node, in graph: Graph) -> [String: [Int]] {
        let inputs = node.inputs.indices.filter { isHandle(graph, node.inputs[$0]) }
        var result: [String: [Int]] = [:]
        switch node.opName {
        case "Identity" where !inputs.isEmpty: result["T"] = [0]
        case "While" where !inputs.isEmpty, "StatelessWhile" where !inputs.isEmpty: result["T"] = inputs
        case "If", "StatelessIf":
            let tin = inputs.filter { $0 > 0 }.map { $0 - 1 }
            let tout = node.outputs.indices.filter { isHandle(graph, Endpoint(node: node.id, index: $0)) }
            if !tin.isEmpty { result["Tin"] = tin }
            if !tout.isEmpty { result["Tout"] = tout }
        default: break
        }
        return result
    }

    /// One pass over `graph`; returns whether anything new was found.
    private mutating func analyse(_ graph: Graph, arguments: Set<Endpoint>) -> Bool {
        let key = ObjectIdentifier(graph)
        var found = handles[key, default: []].union(arguments)
        var changed = false
        func mark(_ function: FunctionReference, arguments positions: [Int]) {
            let old = functionArguments[function.name] ?? []
            let new = old.union(positions)
            if new != old { functionArguments[function.name] = new; changed = true }
        }
        for node in graph.nodes {
            let handleInputs = node.inputs.indices.filter { found.contains(node.inputs[$0]) }
            switch node.opName {
            case _ where ListHandleAnalysis.makers.contains(node.opName): found.insert(Endpoint(node: node.id, index: 0))
            case "Identity" where !handleInputs.isEmpty: found.insert(Endpoint(node: node.id, index: 0))
            case "While", "StatelessWhile":
                let a = node.attributes(StatelessWhile.self)
                var positions = Set(handleInputs)
                positions.formUnion(functionResults[a.body.name] ?? [])
                mark(a.cond, arguments: Array(positions))
                mark(a.body, arguments: Array(positions))
                for i in positions where i < node.outputs.count { found.insert(Endpoint(node: node.id, index: i)) }
            case "If", "StatelessIf":
                let a = node.attributes(StatelessIf.self)
                let positions = handleInputs.filter { $0 > 0 }.map { $0 - 1 }
                mark(a.thenBranch, arguments: positions)
                mark(a.elseBranch, arguments: positions)
                let results = (functionResults[a.thenBranch.name] ?? []).union(functionResults[a.elseBranch.name] ?? [])
                for i in results where i < node.outputs.count { found.insert(Endpoint(node: node.id, index: i)) }
            default: break
            }
        }
        if found != handles[key] ?? [] { handles[key] = found; changed = true }
        return changed
    }
}
