/// The value of a `func` attribute (TF's `NameAttrList`): the name of a function of the graph's library.
///
/// TF may attach attribute values to the name; the control-flow ops read only the name, so
/// TensorGraph keeps only the name (the attribute map is dropped on import and written empty).
public struct FunctionReference: Hashable, Sendable, CustomStringConvertible {
    /// The function's name in the library (`FunctionDef.signature.name`).
    public let name: String
    /// A reference to the library function `name`.
    public init(_ name: String) { self.name = name }
    /// The name.
    public var description: String { name }
}

/// One function of a graph's library (TF's `FunctionDef`): a body graph whose arguments are
/// `Placeholder` nodes named after the arguments, and a list of named results.
///
/// The body shares its parent's library, so a body may itself hold `If`/`While` nodes. Bodies hold no
/// variables (TF's functional control flow passes values in, never `VariableV2` refs).
public final class GraphFunction: @unchecked Sendable {
    /// The name in the library, also `signature.name` in a GraphDef.
    public let name: String
    /// The body.
    public let graph: Graph
    /// The argument placeholders in the body, in signature order (their node names are the argument names).
    public let arguments: [Output]
    /// The body's results, in signature order.
    public let results: [Output]
    /// The output argument names (`ret` keys), one per result.
    public let resultNames: [String]

    /// A function over `graph` with these arguments (placeholders of `graph`) and named results.
    /// - Throws: `invalidArgument` when an argument is not a placeholder of `graph`, a result is from
    ///   another graph, the names do not match the results, or the body holds a variable.
    init(name: String, graph: Graph, arguments: [Output], results: [Output], resultNames: [String]) throws {
        for a in arguments where a.graph !== graph || a.node.op != Placeholder.self {
            throw TensorGraphError.invalidArgument("function '\(name)': argument '\(a.name)' is not a placeholder of its body")
        }
        for r in results where r.graph !== graph {
            throw TensorGraphError.invalidArgument("function '\(name)': result '\(r.name)' is not a tensor of its body")
        }
        guard resultNames.count == results.count, Set(resultNames).count == resultNames.count else {
            throw TensorGraphError.invalidArgument("function '\(name)': \(resultNames.count) result names for \(results.count) results")
        }
        if let variable = graph.nodes.first(where: { $0.op == VariableV2.self }) {
            throw TensorGraphError.invalidArgument("function '\(name)': variable '\(variable.name)' inside a function body; pass its value in")
        }
        (self.name, self.graph, self.arguments, self.results, self.resultNames) = (name, graph, arguments, results, resultNames)
    }

    /// Dtype and static shape of each argument.
    public var argumentSpecs: [TensorSpec] { arguments.map(\.spec) }
    /// Dtype and static shape of each result.
    public var resultSpecs: [TensorSpec] { results.map(\.spec) }

    /// Whether the body (or a function it calls) holds a stateful op, so callers must use `If`/`While`
    /// rather than the `Stateless` forms.
    public var isStateful: Bool {
        graph.nodes.contains { node in
            node.op.isStateful || (node.op as? any FunctionCallingOp.Type)?.calledFunctions(node).contains {
                graph.library.function(named: $0.name)?.isStateful ?? false
            } == true
        }
    }

    /// The stateful nodes of the body: run targets of its plan, as TF runs a function's stateful ops.
    var statefulNodes: [Int] { graph.nodes.filter { $0.op.isStateful }.map(\.id) }
}

/// Ops whose attributes name library functions (`If`, `While`): import orders the library by these
/// edges and rejects recursion; `isStateful` follows them.
protocol FunctionCallingOp: Op {
    /// The functions `node` calls.
    static func calledFunctions(_ node: Node) -> [FunctionReference]
}

/// The named functions of a graph (TF's `FunctionDefLibrary`), in the order they were added.
public final class FunctionLibrary: @unchecked Sendable {
    /// The functions in the order they were added (export writes them in this order).
    public private(set) var functions: [GraphFunction] = []
    private var byName: [String: Int] = [:]

    /// An empty library.
    public init() {}

    /// The function named `name`, if any.
    public func function(named name: String) -> GraphFunction? { byName[name].map { functions[$0] } }

    /// Adds `function`; throws when the name is taken.
    func add(_ function: GraphFunction) throws {
        guard byName[function.name] == nil else {
            throw TensorGraphError.invalidArgument("function library already has a function named '\(function.name)'")
        }
        byName[function.name] = functions.count
        functions.append(function)
    }

    /// `base`, or `base_1`, `base_2`, ... : the first name not in the library.
    func uniqueName(_ base: String) -> String {
        guard byName[base] != nil else { return base }
        var i = 1
        while byName["\(base)_\(i)"] != nil { i += 1 }
        return "\(base)_\(i)"
    }
}

extension Graph {
    /// A new, empty function body that shares this graph's library and random seed, and captures
    /// tensors of this graph (or of graphs enclosing it) as extra arguments, recorded in `captures`.
    func makeFunctionBody(captures: FunctionCaptures) -> Graph {
        let body = Graph()
        body.shareLibrary(library)
        body.randomSeed = randomSeed
        body.captureHandler = { [unowned body, unowned self] outer in
            // A tensor of a graph further out is first captured into this graph, then into the body.
            let local = outer.graph === self ? outer : try self.captured(outer)
            if let existing = captures.inner[local] { return existing }
            let argument = try body.placeholder(local.dtype, shape: local.shape, name: "capture")
            captures.outer.append(local)
            captures.inner[local] = argument
            return argument
        }
        return body
    }

    /// `value` as a tensor of this graph: itself, or (in a function body) its captured argument.
    func captured(_ value: Output) throws -> Output {
        if value.graph === self { return value }
        guard let capture = captureHandler else { throw TensorGraphError.foreignGraph("tensor '\(value.name)'") }
        return try capture(value)
    }
}

/// The tensors of the enclosing graph a function body read, in first-use order, and their arguments.
final class FunctionCaptures {
    /// The enclosing graph's tensors (extra inputs of the `If`/`While` node).
    var outer: [Output] = []
    /// Each one's placeholder in the body.
    var inner: [Output: Output] = [:]
}
