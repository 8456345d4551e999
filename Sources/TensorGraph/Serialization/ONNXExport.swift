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

        // The nodes the outputs need, stopping at the inputs; control inputs do not matter for inference.
        var needed = Set<Int>()
        var stack = outputs.map(\.node.id)
        while let id = stack.popLast() {
            guard needed.insert(id).inserted, !inputIDs.contains(id) else { continue }
            stack += graph.nodes[id].inputs.map(\.node)
        }
        let order = needed.sorted()   // node ids are a topological order

        // Constant values: no input, no stateful op, nothing fed on the way.
        var constant = Set<Int>()
        for id in order {
            let node = graph.nodes[id]
            if inputIDs.contains(id) { continue }
            if node.opName == "Placeholder" {
                throw ONNXExportError.invalidSelection("the outputs need placeholder '\(node.name)', which is not among the inputs")
            }
            if node.op.isStateful || node.outputs.isEmpty { continue }
            if node.inputs.allSatisfy({ constant.contains($0.node) }) { constant.insert(id) }
        }

        // Every op type without a mapping, reported together before anything is built.
        var unmapped: [String: [String]] = [:]
        for id in order where !constant.contains(id) && !inputIDs.contains(id) {
            let node = graph.nodes[id]
            if ONNXOpMappings.table[node.opName] == nil { unmapped[node.opName, default: []].append(node.name) }
        }
        if !unmapped.isEmpty {
            throw ONNXExportError.unmappedOps(unmapped.keys.sorted().map { ONNXExportError.UnmappedOp(opType: $0, nodes: unmapped[$0]!) })
        }

        let emitter = ONNXEmitter(graph: graph)
        try emitter.defineConstants(frontier(order, constant: constant, graph: graph, outputs: outputs))
        for input in inputs { emitter.defineInput(input) }
        for id in order where !constant.contains(id) && !inputIDs.contains(id) {
            let node = graph.nodes[id]
            try ONNXOpMappings.table[node.opName]!(emitter, node)
        }
        try emitter.defineOutputs(outputs)
        return ONNXModel(irVersion: irVersion, opsetVersion: opsetVersion, producerName: producerName,
                         producerVersion: "1", graphName: "tensorgraph", nodes: emitter.nodes, initializers: emitter.initializers,
                         inputs: emitter.graphInputs, outputs: emitter.graphOutputs)
    }

    /// Writes `model(graph:inputs:outputs:)` to `path` atomically (no partial file on failure).
    public static func write(graph: Graph, inputs: [Output], outputs: [Output], to path: String) throws {
        try writeFileAtomically(model(graph: graph, inputs: inputs, outputs: outputs).serialized(), to: path)
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
