import Foundation

/// Why a graph cannot be exported to ONNX.
public enum ONNXExportError: Error, Equatable, CustomStringConvertible, LocalizedError {
    /// One op type without an ONNX mapping and the nodes of that type.
    public struct UnmappedOp: Equatable, Sendable {
        /// The TensorFlow op type, e.g. `Cumsum`.
        public let opType: String
        /// The nodes of that type the outputs need, in graph order.
        public let nodes: [String]
    }
    /// Op types the outputs need that have no ONNX mapping, all listed at once (sorted by op type).
    case unmappedOps([UnmappedOp])
    /// A node has a mapping but uses it in a way ONNX cannot express (non-constant axes, training
    /// batch norm, `SYMMETRIC` padding, an unknown rank where one is needed).
    case unsupportedNode(op: String, node: String, message: String)
    /// The chosen inputs or outputs are not usable (foreign graph, not a placeholder, missing feed).
    case invalidSelection(String)

    /// One line naming the ops, node or tensors involved.
    public var description: String {
        switch self {
        case let .unmappedOps(list):
            return "ONNX export: no ONNX mapping for " + list.map { "\($0.opType) (\($0.nodes.joined(separator: ", ")))" }.joined(separator: ", ")
        case let .unsupportedNode(op, node, message):
            return "ONNX export: [\(op)] node '\(node)': \(message)"
        case let .invalidSelection(message):
            return "ONNX export: \(message)"
        }
    }

    /// Same as `description`.
    public var errorDescription: String? { description }
}

/// Exports a frozen inference `Graph` as an ONNX model (IR version 8, opset 17, producer `TensorGraph`).
///
/// Constants become initializers; a value computed only from constants (and from
/// `PlaceholderWithDefault` defaults not chosen as inputs) is computed once with the graph's own
/// kernels and stored as an initializer. Inputs keep their placeholder names and dtypes, with an
/// unknown first dimension written as the symbolic dimension `N` (a dynamic batch); outputs are
/// named by their TensorFlow node name (`probs`, or `node:1` for a second output). NHWC
/// convolutions and pools run in ONNX's NCHW with a `Transpose` before and after, and values stay
/// NCHW through elementwise ops, so the transposes between two convolutions cancel and are never written.
///
/// Functional control flow is exported with subgraphs: `If`/`StatelessIf` as ONNX `If` (branches
/// without inputs that read the outer values by name), `While`/`StatelessWhile` (also TF1 loops,
/// raised at import) as `Loop` (the condition function run before the loop and at the end of each
/// body). TensorLists and TF1 TensorArrays become ONNX sequences. Value names are unique across the
/// main graph and every subgraph. An output whose rank TensorFlow's graph leaves unknown is written
/// without a shape, which onnxruntime accepts but `onnx.checker` rejects for main-graph outputs.
public enum ONNXExport {
    /// `ModelProto.ir_version` written: 8 (ONNX 1.10+, the IR of opset 17).
    public static let irVersion = 8
    /// The default-domain opset written: 17.
    public static let opsetVersion = 17
    /// `ModelProto.producer_name` written.
    public static let producerName = "TensorGraph"

    /// The ONNX model computing `outputs` from `inputs`.
    ///
    /// - Parameters:
    ///   - graph: a frozen inference graph (variables already constants); it is read, not changed.
    ///   - inputs: placeholders (`Placeholder` or `PlaceholderWithDefault`) fed at run time; every
    ///     `Placeholder` the outputs need must be among them. A `PlaceholderWithDefault` not listed
    ///     takes its default.
    ///   - outputs: the tensors the model returns, in this order.
    /// - Throws: `ONNXExportError.unmappedOps` listing every op type without a mapping (with node
    ///   names), `unsupportedNode`, `invalidSelection`; kernel errors from computing constant values.
    public static func model(graph: Graph, inputs: [Output], outputs: [Output]) throws -> ONNXModel {
        guard !outputs.isEmpty else { throw ONNXExportError.invalidSelection("no outputs chosen") }
        for o in inputs + outputs where o.graph !== graph {
            throw ONNXExportError.invalidSelection("'\(o.name)' belongs to a different graph")
        }
        for i in inputs where !["Placeholder", "PlaceholderWithDefault"].contains(i.node.opName) {
            throw ONNXExportError.invalidSelection("input '\(i.name)' is a \(i.node.opName), not a placeholder")
        }
        let inputIDs = Set(inputs.map(\.node.id))
        guard inputIDs.count == inputs.count else { throw ONNXExportError.invalidSelection("an input is listed twice") }
        let state = ONNXExportState(graph: graph)

        // Every op type without a mapping, in the graph and the functions its control flow calls,
        // reported together before anything is built.
        var unmapped: [String: [String]] = [:]
        try collectUnmapped(graph, inputs: inputIDs, outputs: outputs, path: "", state: state, into: &unmapped, depth: 0)
        if !unmapped.isEmpty {
            throw ONNXExportError.unmappedOps(unmapped.keys.sorted().map { ONNXExportError.UnmappedOp(opType: $0, nodes: unmapped[$0]!) })
        }

        let emitter = ONNXEmitter(graph: graph, state: state)
        for input in inputs { emitter.defineInput(input) }
        try emitBody(emitter, inputs: inputIDs, outputs: outputs)
        try emitter.defineOutputs(outputs)
        return ONNXModel(irVersion: irVersion, opsetVersion: opsetVersion, producerName: producerName,
                         producerVersion: "1", graphName: "tensorgraph", nodes: emitter.nodes, initializers: emitter.initializers,
                         inputs: emitter.graphInputs, outputs: emitter.graphOutputs)
    }

    /// Writes `model(graph:inputs:outputs:)` to `path` atomically (no partial file on failure).
    public static func write(graph: Graph, inputs: [Output], outputs: [Output], to path: String) throws {
        try writeFileAtomically(model(graph: graph, inputs: inputs, outputs: outputs).serialized(), to: path)
    }

    /// The nodes `outputs` need (stopping at `inputs`) in graph order, and those of them whose value
    /// is a constant: no input, no stateful op, nothing fed on the way, no TensorList handle.
    /// - Throws: `invalidSelection` when a needed `Placeholder` is not among the inputs.
    static func plan(_ graph: Graph, inputs: Set<Int>, outputs: [Output], state: ONNXExportState) throws -> (order: [Int], constant: Set<Int>) {
        var needed = Set<Int>()
        var stack = outputs.map(\.node.id)
        while let id = stack.popLast() {
            guard needed.insert(id).inserted, !inputs.contains(id) else { continue }
            stack += graph.nodes[id].inputs.map(\.node)
        }
        let order = needed.sorted()   // node ids are a topological order
        var constant = Set<Int>()
        for id in order where !inputs.contains(id) {
            let node = graph.nodes[id]
            if node.opName == "Placeholder" {
                throw ONNXExportError.invalidSelection("the outputs need placeholder '\(node.name)', which is not among the inputs")
            }
            if node.op.isStateful || node.outputs.isEmpty { continue }
            // A handle's or flow's value is a list, which only the sequence ops build (ONNXControlFlowMappings).
            if node.opName.hasPrefix("TensorArray") || node.opName.hasPrefix("TensorList") { continue }
            if node.outputs.indices.contains(where: { state.lists.isHandle(graph, Endpoint(node: id, index: $0)) }) { continue }
            if node.inputs.allSatisfy({ constant.contains($0.node) }) { constant.insert(id) }
        }
        return (order, constant)
    }

    /// Records the nodes without a mapping (named `path` + node name) of `graph` and, through `If` and
    /// `While` nodes, of the functions they call.
    static func collectUnmapped(_ graph: Graph, inputs: Set<Int>, outputs: [Output], path: String, state: ONNXExportState,
                                into unmapped: inout [String: [String]], depth: Int) throws {
        guard depth < 64 else { throw ONNXExportError.invalidSelection("functions nested more than 64 deep") }
        let (order, constant) = try plan(graph, inputs: inputs, outputs: outputs, state: state)
        for id in order where !constant.contains(id) && !inputs.contains(id) {
            let node = graph.nodes[id]
            if ONNXOpMappings.table[node.opName] == nil, unmapped[node.opName]?.contains(path + node.name) != true {
                unmapped[node.opName, default: []].append(path + node.name)
            }
            for reference in (node.op as? any FunctionCallingOp.Type)?.calledFunctions(node) ?? [] {
                guard let f = graph.library.function(named: reference.name) else { continue }   // the mapping reports it
                try collectUnmapped(f.graph, inputs: Set(f.arguments.map(\.node.id)), outputs: f.results, path: path + f.name + "/",
                                    state: state, into: &unmapped, depth: depth + 1)
            }
        }
    }

    /// Writes into `e` the nodes computing `outputs` of `e.graph` from the already defined `inputs`.
    static func emitBody(_ e: ONNXEmitter, inputs: Set<Int>, outputs: [Output]) throws {
        let (order, constant) = try plan(e.graph, inputs: inputs, outputs: outputs, state: e.state)
        e.defineConstants(try frontier(order, constant: constant, graph: e.graph, outputs: outputs))
        for id in order where !constant.contains(id) && !inputs.contains(id) {
            let node = e.graph.nodes[id]
            guard let mapping = ONNXOpMappings.table[node.opName] else {
                throw ONNXExportError.unmappedOps([ONNXExportError.UnmappedOp(opType: node.opName, nodes: [node.name])])
            }
            try mapping(e, node)
        }
    }

    /// The constant values the exported nodes read (or that are outputs), computed with the graph's
    /// kernels: a `Const` directly, anything else by running it (Identity chains of a Const stay the Const).
    private static func frontier(_ order: [Int], constant: Set<Int>, graph: Graph, outputs: [Output]) throws -> [Endpoint: Tensor] {
        var used = Set<Endpoint>()
        for id in order where !constant.contains(id) { for e in graph.nodes[id].inputs where constant.contains(e.node) { used.insert(e) } }
        for o in outputs where constant.contains(o.node.id) { used.insert(o.endpoint) }
        var values: [Endpoint: Tensor] = [:]
        var toRun: [Endpoint] = []
        for e in used.sorted(by: { ($0.node, $0.index) < ($1.node, $1.index) }) {
            var source = graph.nodes[e.node]
            while source.opName == "Identity", let producer = source.inputs.first { source = graph.nodes[producer.node] }
            if source.op == Const.self {
                values[e] = source.attributes(Const.self).value
            } else {
                toRun.append(e)
            }
        }
        if !toRun.isEmpty {
            let results = try Session(graph: graph).run(toRun.map { Output(graph: graph, node: graph.nodes[$0.node], index: $0.index) })
            for (e, t) in zip(toRun, results) { values[e] = t }
        }
        return values
    }
}

/// What the emitters of one export share: the value names used so far (unique across the main graph
/// and all subgraphs), the subgraph name prefixes, and which values are TensorList handles.
final class ONNXExportState {
    var usedNames = Set<String>()
    private var usedPrefixes = Set<String>()
    let lists: ListHandleAnalysis

    init(graph: Graph) { lists = ListHandleAnalysis(graph) }

    /// `base|`, or `base|2|`, ... : a prefix no other subgraph has. TensorFlow names never hold `|`,
    /// so prefixed names cannot meet a TensorFlow node name.
    func uniquePrefix(_ base: String) -> String {
        var prefix = base + "|", k = 1
        while !usedPrefixes.insert(prefix).inserted { k += 1; prefix = "\(base)|\(k)|" }
        return prefix
    }
}
