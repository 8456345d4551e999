// graphrun export: a frozen GraphDef as an ONNX model or a TensorFlow SavedModel.
import ArgumentParser
import Foundation
import TensorGraph

struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Export a frozen GraphDef as an ONNX model (opset 17) or a TensorFlow SavedModel.",
        discussion: """
            Inputs default to the placeholders (`Placeholder`) the outputs need; a PlaceholderWithDefault \
            not listed with --input keeps its default. Outputs default to the likely outputs `graphrun inspect` \
            lists. An unknown first input dimension stays dynamic (ONNX dim_param "N").
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case onnx
        case savedModel = "saved-model"
    }

    @Argument(help: "A frozen GraphDef (.pb) file.") var model: String
    @Option(help: "onnx or saved-model.") var to: Format
    @Option(help: "The .onnx file, or the SavedModel directory (must not exist or be empty).") var output: String
    @Option(name: .customLong("input"), help: "A placeholder to feed: NAME (repeatable).") var inputs: [String] = []
    @Option(name: .customLong("output-node"), help: "A tensor to return: NAME or NAME:INDEX (repeatable).") var outputNodes: [String] = []

    func run() throws {
        try failing {
            do {
                try export()
            } catch let error as ONNXExportError {
                throw TensorGraphError.invalidArgument(error.description)   // one line on stderr, status 1
            }
        }
    }

    private func export() throws {
        let graph = try Graph(contentsOf: model)
        let outputs: [Output]
        if outputNodes.isEmpty {
            outputs = GraphSummary(graph).outputs.compactMap { graph.output(named: $0.name) }
            guard !outputs.isEmpty else { throw TensorGraphError.invalidArgument("no likely outputs in \(model); pass --output-node NAME") }
        } else {
            outputs = try outputNodes.map { name in
                guard let o = graph.output(named: name) else { throw TensorGraphError.invalidArgument("--output-node: no tensor named '\(name)' in \(model)") }
                return o
            }
        }
        let chosenInputs = try inputs.isEmpty ? neededPlaceholders(graph, outputs) : inputs.map { name in
            guard let o = graph.output(named: name) else { throw TensorGraphError.invalidArgument("--input: no tensor named '\(name)' in \(model)") }
            return o
        }
        switch to {
        case .onnx:
            let onnx = try ONNXExport.model(graph: graph, inputs: chosenInputs, outputs: outputs)
            try writeFileAtomically(onnx.serialized(), to: output)
            print("wrote \(output): ONNX opset \(onnx.opsetVersion), \(onnx.nodes.count) nodes, \(onnx.initializers.count) initializers")
        case .savedModel:
            func keyed(_ list: [Output]) -> [String: Output] {
                Dictionary(list.map { ($0.index == 0 ? $0.node.name : $0.name, $0) }, uniquingKeysWith: { first, _ in first })
            }
            try SavedModel.export(session: Session(graph: graph), to: output, inputs: keyed(chosenInputs), outputs: keyed(outputs))
            print("wrote \(output): SavedModel, signature '\(SavedModel.defaultSignatureKey)'")
        }
    }

    /// The `Placeholder` nodes the outputs depend on, in graph order.
    private func neededPlaceholders(_ graph: Graph, _ outputs: [Output]) -> [Output] {
        var seen = Set<Int>()
        var stack = outputs.map(\.node.id)
        while let id = stack.popLast() {
            guard seen.insert(id).inserted else { continue }
            stack += graph.nodes[id].inputs.map(\.node)
        }
        return seen.sorted().map { graph.nodes[$0] }.filter { $0.opName == "Placeholder" }
            .map { Output(graph: graph, node: $0, index: 0) }
    }
}
