// graphrun: inspect, run, benchmark and draw saved GraphDefs (TensorGraph's or TensorFlow's frozen graphs),
// SavedModels and MetaGraphDefs with their checkpoints.
import ArgumentParser
import Foundation
import TensorGraph

@main
struct GraphRun: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "graphrun",
        abstract: "Inspect, run, benchmark and draw TensorFlow GraphDefs and SavedModels.",
        subcommands: [Inspect.self, Run.self, Bench.self, Dot.self, Lint.self, Export.self]
    )
}

/// Prints a TensorGraph error as one line on stderr and exits with status 1.
func failing<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as TensorGraphError {
        FileHandle.standardError.write(Data("graphrun: error: \(error.description.replacingOccurrences(of: "\n", with: " "))\n".utf8))
        throw ExitCode(1)
    }
}

func shapeJSON(_ shape: TensorShape) -> Any {
    guard let dims = shape.dims else { return NSNull() }
    return dims.map { $0.map { $0 as Any } ?? -1 }
}

struct GraphSummary {
    struct Entry {
        let name: String
        let opName: String
        let spec: TensorSpec
    }
    let inputs: [Entry]
    let outputs: [Entry]
    let histogram: [(String, Int)]
    let parameters: Int
    let parameterBytes: Int

    init(_ graph: Graph) {
        inputs = graph.nodes.filter { $0.opName == "Placeholder" || $0.opName == "PlaceholderWithDefault" }
            .map { Entry(name: $0.name, opName: $0.opName, spec: $0.outputs[0]) }
        var consumed = Set<Int>()
        for node in graph.nodes { for input in node.inputs { consumed.insert(input.node) }; consumed.formUnion(node.controlInputs) }
        let skipped: Set<String> = ["NoOp", "Assign", "AssignAdd", "AssignSub", "Const", "VariableV2", "Placeholder"]
        outputs = graph.nodes.filter { !consumed.contains($0.id) && !skipped.contains($0.opName) && !$0.outputs.isEmpty
            && !$0.opName.hasPrefix("Apply") }
            .map { Entry(name: $0.name, opName: $0.opName, spec: $0.outputs[0]) }
        var counts: [String: Int] = [:]
        for node in graph.nodes { counts[node.opName, default: 0] += 1 }
        histogram = counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
        // Parameters: floating-point constants (frozen variables) and variables. A variable's initial value
        // (a Const only Assign ops read) is not counted again; with a trainable-variables collection (a
        // MetaGraphDef's), optimizer slots and the global step are not parameters either.
        var consumers: [Int: Set<String>] = [:]
        for node in graph.nodes { for input in node.inputs { consumers[input.node, default: []].insert(node.opName) } }
        var params = 0, bytes = 0
        for node in graph.nodes where node.op == Const.self && consumers[node.id] != ["Assign"] {
            let t = node.attributes(Const.self).value
            if t.dtype.isFloatingPoint, t.count > 1 {
                params += t.count
                bytes += t.byteCount
            }
        }
        let trainable = graph.trainableVariables.map(\.node)
        let variables = trainable.isEmpty ? graph.nodes.filter { $0.opName == "VariableV2" } : trainable
        for node in variables {
            if let n = node.outputs[0].shape.elementCount {
                params += n
                bytes += n * node.outputs[0].dtype.byteCount
            }
        }
        parameters = params
        parameterBytes = bytes
    }
}

// MARK: - dot

struct Dot: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the graph in Graphviz DOT, name scopes as clusters.")

    @Argument(help: "A GraphDef (.pb) file, a SavedModel directory, or a MetaGraphDef (.meta) file.") var model: String
    @Option(help: ArgumentHelp("SavedModel: the tags of the MetaGraphDef to draw, comma-separated.", valueName: "tags"))
    var tagSet = SavedModel.serveTag

    func validate() throws {
        guard !ModelFormat.tags(tagSet).isEmpty else { throw ValidationError("--tag-set must name at least one tag") }
    }

    func run() throws {
        let graph = try failing { try ModelStructure(path: model, tagSet: tagSet).graph }
        print(dot(graph))
    }

    func dot(_ graph: Graph) -> String {
        func quoted(_ s: String) -> String { "\"" + s.replacingOccurrences(of: "\"", with: "\\\"") + "\"" }
        var lines = ["digraph G {", "  rankdir=TB;", "  node [shape=box, fontsize=10];"]
        // Group nodes by their first scope component.
        var scopes: [String: [Node]] = [:]
        var top: [Node] = []
        for node in graph.nodes {
            if let slash = node.name.firstIndex(of: "/") { scopes[String(node.name[..<slash]), default: []].append(node) } else { top.append(node) }
        }
        func label(_ node: Node) -> String { "  \(quoted(node.name)) [label=\(quoted("\(node.name.split(separator: "/").last ?? "")\\n\(node.opName)"))];" }
        for node in top { lines.append(label(node)) }
        for (i, scope) in scopes.keys.sorted().enumerated() {
            lines.append("  subgraph cluster_\(i) {")
            lines.append("    label=\(quoted(scope)); style=rounded; color=gray;")
            for node in scopes[scope]! { lines.append("  " + label(node)) }
            lines.append("  }")
        }
        for node in graph.nodes {
            for input in node.inputs { lines.append("  \(quoted(graph.nodes[input.node].name)) -> \(quoted(node.name));") }
            for control in node.controlInputs { lines.append("  \(quoted(graph.nodes[control].name)) -> \(quoted(node.name)) [style=dashed];") }
        }
        lines.append("}")
        return lines.joined(separator: "\n")
    }
}
