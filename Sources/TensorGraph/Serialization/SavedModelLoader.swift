import CTensorFlowProto
import Foundation

/// A SavedModel read by `SavedModel.load`: the graph, a session with the variables restored, and
/// the signatures with their tensors resolved in the graph.
public struct LoadedSavedModel {
    /// The MetaGraphDef's graph, without the saver's nodes (TensorGraph restores the variables itself).
    public let graph: Graph
    /// A session on `graph` holding the values of `variables/variables`, with the main op (if any) run.
    public let session: Session
    /// The signatures by key (`serving_default`).
    public let signatures: [String: SignatureDef]
    /// The tags of the MetaGraphDef loaded.
    public let tags: [String]

    /// Runs signature `key` (`serving_default` by default): feeds `inputs` by signature input key
    /// and returns every output by signature output key.
    /// - Throws: `invalidArgument` for an unknown signature or input key; what `Session.run` throws.
    public func run(signature key: String = SavedModel.defaultSignatureKey, _ inputs: [String: Tensor]) throws -> [String: Tensor] {
        guard let signature = signatures[key] else {
            throw TensorGraphError.invalidArgument("SavedModel has no signature '\(key)' (it has: \(signatures.keys.sorted().joined(separator: ", ")))")
        }
        var feeds: [Output: Tensor] = [:]
        for (name, value) in inputs {
            guard let input = signature.inputs[name] else {
                throw TensorGraphError.invalidArgument("signature '\(key)' has no input '\(name)' (inputs: \(signature.inputs.keys.sorted().joined(separator: ", ")))")
            }
            feeds[input] = value
        }
        let outputs = signature.outputs.sorted { $0.key < $1.key }
        let values = try session.run(outputs.map(\.value), feeding: feeds)
        return Dictionary(uniqueKeysWithValues: zip(outputs.map(\.key), values))
    }
}

extension SavedModel {
    /// Reads the SavedModel at `directory`: the MetaGraphDef whose tag set equals `tags`, its
    /// graph minus the saver's name scope (`save/...`, which holds string ops TensorGraph does not
    /// run), the variables restored from `variables/variables`, and the main op
    /// (`saved_model_main_op` or `legacy_init_op` collection) run, as TensorFlow's loader does.
    ///
    /// - Throws: `fileError` naming the file for a missing or corrupt `saved_model.pb`, no MetaGraphDef
    ///   with these tags (listing the tag sets present), a signature naming a tensor the graph lacks,
    ///   or a checkpoint that does not match the variables; `unsupportedOps` listing op types this build lacks.
    public static func load(from directory: String, tags: Set<String> = [serveTag]) throws -> LoadedSavedModel {
        let path = directory + "/saved_model.pb"
        if !FileManager.default.fileExists(atPath: path), FileManager.default.fileExists(atPath: directory + "/saved_model.pbtxt") {
            throw TensorGraphError.fileError(path: directory + "/saved_model.pbtxt", message: "text-format SavedModels are not supported")
        }
        let bytes = try readWholeFile(path)
        guard let model = bytes.withUnsafeBufferPointer({ tensorflow__saved_model__unpack(nil, $0.count, $0.baseAddress) }) else {
            throw TensorGraphError.fileError(path: path, message: "not a valid SavedModel (truncated or corrupt protobuf)")
        }
        defer { tensorflow__saved_model__free_unpacked(model, nil) }
        var available: [[String]] = []
        var chosen: Tensorflow__MetaGraphDef?
        for i in 0..<model.pointee.n_meta_graphs {
            guard let meta = model.pointee.meta_graphs[i]?.pointee else { continue }
            let metaTags = MetaGraphReader.tags(meta)
            available.append(metaTags)
            if Set(metaTags) == tags, chosen == nil { chosen = meta }
        }
        guard let meta = chosen else {
            let present = available.map { "[" + $0.joined(separator: ", ") + "]" }.joined(separator: ", ")
            throw TensorGraphError.fileError(path: path, message: "no MetaGraphDef tagged [\(tags.sorted().joined(separator: ", "))] (present: \(present.isEmpty ? "none" : present))")
        }

        let graph = try MetaGraphReader.graph(meta, path: path)
        let session = Session(graph: graph)
        if !graph.globalVariables.isEmpty {
            try Saver(graph: graph).restore(session, from: directory + "/variables/variables")
        }
        for key in ["saved_model_main_op", "legacy_init_op"] {
            guard let name = MetaGraphReader.collectionNodes(meta, key).first else { continue }
            guard let node = graph.node(named: name.split(separator: ":").first.map(String.init) ?? name) else {
                throw TensorGraphError.fileError(path: path, message: "collection '\(key)' names '\(name)', which is not in the graph")
            }
            try session.run(GraphOperation(graph: graph, node: node))
            break
        }
        let signatures = try MetaGraphReader.signatures(meta, graph: graph, path: path)
        return LoadedSavedModel(graph: graph, session: session, signatures: signatures, tags: tags.sorted())
    }
}

/// A C string that protobuf-c may leave null (a malformed message), as Swift text.
func text(_ pointer: UnsafeMutablePointer<CChar>?) -> String {
    pointer.map { String(cString: $0) } ?? ""
}
