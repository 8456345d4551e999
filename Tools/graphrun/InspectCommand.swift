import ArgumentParser
import Foundation
import TensorGraph

// MARK: - inspect

struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List signatures, inputs, likely outputs, op counts and parameters.",
        discussion: "A SavedModel directory or a .meta file also lists its signatures (as saved_model_cli show does): key, method, and each input and output by key with its tensor, dtype and shape. A .meta file needs no checkpoint here."
    )

    @Argument(help: "A GraphDef (.pb) file, a SavedModel directory, or a MetaGraphDef (.meta) file.") var model: String
    @Option(help: ArgumentHelp("SavedModel: the tags of the MetaGraphDef to inspect, comma-separated.", valueName: "tags"))
    var tagSet = SavedModel.serveTag
    @Flag(help: "Print machine-readable JSON.") var json = false

    func validate() throws {
        guard !ModelFormat.tags(tagSet).isEmpty else { throw ValidationError("--tag-set must name at least one tag") }
    }

    func run() throws {
        let structure = try failing { try ModelStructure(path: model, tagSet: tagSet) }
        let graph = structure.graph
        let summary = GraphSummary(graph)
        let signatures = structure.signatures.sorted { $0.key < $1.key }
        if json {
            var object: [String: Any] = [
                "format": structure.format.rawValue,
                "inputs": summary.inputs.map { ["name": $0.name, "dtype": $0.spec.dtype.description, "shape": shapeJSON($0.spec.shape)] },
                "outputs": summary.outputs.map { ["name": $0.name, "op": $0.opName, "dtype": $0.spec.dtype.description, "shape": shapeJSON($0.spec.shape)] },
                "ops": summary.histogram.reduce(into: [String: Int]()) { $0[$1.0] = $1.1 },
                "nodes": graph.nodes.count,
                "parameters": summary.parameters,
                "parameter_bytes": summary.parameterBytes,
            ]
            if structure.format != .graphDef {
                object["tags"] = structure.tags
                object["signatures"] = signatures.reduce(into: [String: Any]()) { result, entry in
                    result[entry.key] = ["method": entry.value.methodName,
                                         "inputs": tensorInfoJSON(entry.value.inputs), "outputs": tensorInfoJSON(entry.value.outputs)]
                }
            }
            let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
            print(String(decoding: data, as: UTF8.self))
            return
        }
        switch structure.format {
        case .graphDef: print("\(model): \(graph.nodes.count) nodes")
        case .savedModel: print("\(model): SavedModel, MetaGraphDef tagged [\(structure.tags.joined(separator: ", "))], \(graph.nodes.count) nodes")
        case .metaGraph: print("\(model): MetaGraphDef\(structure.tags.isEmpty ? "" : " tagged [\(structure.tags.joined(separator: ", "))]"), \(graph.nodes.count) nodes")
        }
        if structure.format != .graphDef {
            print("\nSignatures:" + (signatures.isEmpty ? " none" : ""))
            for (key, signature) in signatures {
                print("  \(key)  (\(signature.methodName))")
                for (direction, tensors) in [("input ", signature.inputs), ("output", signature.outputs)] {
                    for (name, output) in tensors.sorted(by: { $0.key < $1.key }) {
                        print("    \(direction)  \(name)  \(output.name)  \(output.dtype)  \(output.shape)")
                    }
                }
            }
        }
        print("\nInputs:")
        for input in summary.inputs { print("  \(input.name)  \(input.spec.dtype)  \(input.spec.shape)") }
        print("\nLikely outputs:")
        for output in summary.outputs { print("  \(output.name)  (\(output.opName))  \(output.spec.dtype)  \(output.spec.shape)") }
        print("\nOps:")
        for (op, count) in summary.histogram { print("  \(op.padding(toLength: 36, withPad: " ", startingAt: 0)) \(count)") }
        print("\nParameters: \(summary.parameters) (\(summary.parameterBytes) bytes in constants and variables)")
    }

    /// A signature's inputs or outputs as TensorInfo-like JSON: key → tensor name, dtype, shape.
    private func tensorInfoJSON(_ tensors: [String: Output]) -> [String: Any] {
        tensors.reduce(into: [String: Any]()) { result, entry in
            result[entry.key] = ["name": entry.value.name, "dtype": entry.value.dtype.description, "shape": shapeJSON(entry.value.shape)]
        }
    }
}

