import Foundation
import TensorGraph

/// The three kinds of model file graphrun reads, told apart by the path: a directory is a SavedModel,
/// a `.meta` file a MetaGraphDef (TF1's `Saver.save`), anything else a GraphDef.
enum ModelFormat: String {
    case graphDef = "graphdef"
    case savedModel = "savedmodel"
    case metaGraph = "metagraph"

    init(path: String) {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            self = .savedModel
        } else if path.hasSuffix(".meta") {
            self = .metaGraph
        } else {
            self = .graphDef
        }
    }

    /// `--tag-set`'s comma-separated tags, trimmed, empty entries dropped.
    static func tags(_ tagSet: String) -> Set<String> {
        Set(tagSet.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
    }
}

/// A model's graph and signatures, for `inspect` and `dot`: nothing is run, and a `.meta` file needs no
/// checkpoint (its variables stay uninitialized). A SavedModel is loaded whole (`SavedModel.load`
/// restores `variables/` and runs the main op), as `run` would load it.
struct ModelStructure {
    let format: ModelFormat
    let graph: Graph
    /// By signature key; empty for a GraphDef and for a `.meta` file of `Saver.save`.
    let signatures: [String: SignatureDef]
    /// The MetaGraphDef's tags (empty for a GraphDef).
    let tags: [String]

    /// Reads `path`; `tagSet` picks the MetaGraphDef of a SavedModel.
    /// - Throws: what `Graph(contentsOf:)`, `SavedModel.load` and `Saver.importMetaGraph` throw.
    init(path: String, tagSet: String) throws {
        format = ModelFormat(path: path)
        switch format {
        case .graphDef:
            graph = try Graph(contentsOf: path)
            signatures = [:]
            tags = []
        case .savedModel:
            let loaded = try SavedModel.load(from: path, tags: ModelFormat.tags(tagSet))
            graph = loaded.graph
            signatures = loaded.signatures
            tags = loaded.tags
        case .metaGraph:
            let imported = try Saver.importMetaGraph(from: path)
            graph = imported.graph
            signatures = imported.signatures
            tags = imported.tags
        }
    }
}
