import CTensorFlowProto
import Foundation

/// A MetaGraphDef read by `Saver.importMetaGraph(from:)` (TF1's `tf.train.import_meta_graph`).
public struct ImportedMetaGraph {
    /// The graph, without the saver's name scope (`save/...`): TensorGraph restores variables itself.
    public let graph: Graph
    /// A saver for every variable of `graph` under its own name, as TF1's default `Saver` keys them.
    public let saver: Saver
    /// The first op of the `train_op` collection, when the file has one.
    public let trainOp: GraphOperation?
    /// The signatures by key (none for a `.meta` file of `Saver.save`).
    public let signatures: [String: SignatureDef]
    /// The MetaGraphDef's tags (none for a `.meta` file of `Saver.save`).
    public let tags: [String]
}

extension Saver {
    /// Reads a `.meta` file (a MetaGraphDef, written by `Saver.save(_:to:writeMetaGraph:)` or by TF1's
    /// `Saver.save`) so that training resumes: `saver.restore(Session(graph: imported.graph), from: prefix)`
    /// then run `imported.trainOp`.
    ///
    /// - Throws: `fileError` naming `path` for a missing or corrupt file, or a collection or signature
    ///   naming a node the graph lacks; `unsupportedOps` listing op types this build lacks.
    public static func importMetaGraph(from path: String) throws -> ImportedMetaGraph {
        let bytes = try readWholeFile(path)
        guard let meta = bytes.withUnsafeBufferPointer({ tensorflow__meta_graph_def__unpack(nil, $0.count, $0.baseAddress) }) else {
            throw TensorGraphError.fileError(path: path, message: "not a valid MetaGraphDef (truncated or corrupt protobuf)")
        }
        defer { tensorflow__meta_graph_def__free_unpacked(meta, nil) }
        let graph = try MetaGraphReader.graph(meta.pointee, path: path)
        var trainOp: GraphOperation?
        if let name = MetaGraphReader.collectionNodes(meta.pointee, "train_op").first {
            guard let node = graph.node(named: String(name.split(separator: ":").first ?? Substring(name))) else {
                throw TensorGraphError.fileError(path: path, message: "collection 'train_op' names '\(name)', which is not in the graph")
            }
            trainOp = GraphOperation(graph: graph, node: node)
        }
        return ImportedMetaGraph(graph: graph, saver: Saver(graph: graph), trainOp: trainOp,
                                 signatures: try MetaGraphReader.signatures(meta.pointee, graph: graph, path: path),
                                 tags: MetaGraphReader.tags(meta.pointee))
    }
}

/// Reading the parts of a MetaGraphDef that `SavedModel.load` and `Saver.importMetaGraph` share.
enum MetaGraphReader {
    /// TensorFlow's ops that open files by a name computed in the graph (`io_ops.cc`), refused outside the saver's scope.
    static let fileSystemOps: Set<String> = ["SaveV2", "RestoreV2", "Save", "SaveSlices", "Restore", "RestoreSlice",
                                             "MergeV2Checkpoints", "ShardedFilename", "ReadFile", "WriteFile", "MatchingFiles"]

    static func tags(_ meta: Tensorflow__MetaGraphDef) -> [String] {
        meta.meta_info_def.map { info in (0..<info.pointee.n_tags).map { text(info.pointee.tags[$0]) } } ?? []
    }

    /// The graph without the saver's name scope; errors other than `unsupportedOps` become `fileError(path)`.
    static func graph(_ meta: Tensorflow__MetaGraphDef, path: String) throws -> Graph {
        guard let graphDef = meta.graph_def else { throw TensorGraphError.fileError(path: path, message: "the MetaGraphDef has no graph_def") }
        let scope = saverScope(meta)
        // Save and restore ops outside the saver's scope would read or write files a hostile model names.
        for i in 0..<graphDef.pointee.n_node {
            guard let node = graphDef.pointee.node[i]?.pointee else { continue }
            let name = text(node.name), op = text(node.op)
            if fileSystemOps.contains(op), !(scope.map { name == $0 || name.hasPrefix($0 + "/") } ?? false) {
                throw TensorGraphError.fileError(path: path, message: "node '\(name)' (\(op)) reads or writes files outside the saver's scope; TensorGraph does not import file-system ops")
            }
        }
        do {
            return try Graph(graphDef: prunedGraphDef(graphDef.pointee, saverScope: scope))
        } catch let error as TensorGraphError {
            if case .unsupportedOps = error { throw error }
            throw TensorGraphError.fileError(path: path, message: error.description)
        }
    }

    /// The signatures, each tensor resolved in `graph`.
    static func signatures(_ meta: Tensorflow__MetaGraphDef, graph: Graph, path: String) throws -> [String: SignatureDef] {
        var signatures: [String: SignatureDef] = [:]
        for i in 0..<meta.n_signature_def {
            guard let entry = meta.signature_def[i]?.pointee, let def = entry.value?.pointee else { continue }
            let key = text(entry.key)
            func resolve(_ info: UnsafeMutablePointer<Tensorflow__TensorInfo>?, _ role: String, _ name: String) throws -> Output {
                guard let info = info?.pointee, info.encoding_case == TENSORFLOW__TENSOR_INFO__ENCODING_NAME else {
                    throw TensorGraphError.fileError(path: path, message: "signature '\(key)' \(role) '\(name)' is not a dense tensor name")
                }
                let tensorName = text(info.name)
                guard let output = graph.output(named: tensorName) else {
                    throw TensorGraphError.fileError(path: path, message: "signature '\(key)' \(role) '\(name)' names '\(tensorName)', which is not in the graph")
                }
                return output
            }
            var inputs: [String: Output] = [:], outputs: [String: Output] = [:]
            for k in 0..<def.n_inputs {
                guard let e = def.inputs[k]?.pointee else { continue }
                inputs[text(e.key)] = try resolve(e.value, "input", text(e.key))
            }
            for k in 0..<def.n_outputs {
                guard let e = def.outputs[k]?.pointee else { continue }
                outputs[text(e.key)] = try resolve(e.value, "output", text(e.key))
            }
            signatures[key] = SignatureDef(inputs: inputs, outputs: outputs, methodName: text(def.method_name))
        }
        return signatures
    }

    /// The saver's name scope (`save` for `save/restore_all`), or nil without a saver.
    static func saverScope(_ meta: Tensorflow__MetaGraphDef) -> String? {
        guard let restore = meta.saver_def.map({ text($0.pointee.restore_op_name) }),
              let slash = restore.lastIndex(of: "/") else { return nil }
        return String(restore[..<slash])
    }

    /// The names in node-list collection `key`, or [] when absent.
    static func collectionNodes(_ meta: Tensorflow__MetaGraphDef, _ key: String) -> [String] {
        for i in 0..<meta.n_collection_def {
            guard let entry = meta.collection_def[i]?.pointee, text(entry.key) == key,
                  let collection = entry.value?.pointee, collection.kind_case == TENSORFLOW__COLLECTION_DEF__KIND_NODE_LIST,
                  let list = collection.node_list?.pointee else { continue }
            return (0..<list.n_value).map { text(list.value[$0]) }
        }
        return []
    }

    /// The GraphDef bytes without the nodes of `saverScope`, whose string-typed save and restore ops
    /// TensorGraph does not run.
    static func prunedGraphDef(_ graphDef: Tensorflow__GraphDef, saverScope: String?) -> [UInt8] {
        let arena = ProtoArena()
        var pruned = graphDef
        let kept = (0..<graphDef.n_node).compactMap { i -> UnsafeMutablePointer<Tensorflow__NodeDef>?? in
            guard let node = graphDef.node[i] else { return nil }
            let name = text(node.pointee.name)
            if let scope = saverScope, name == scope || name.hasPrefix(scope + "/") { return nil }
            return node
        }
        pruned.n_node = kept.count
        pruned.node = arena.array(kept)
        var bytes = [UInt8](repeating: 0, count: tensorflow__graph_def__get_packed_size(&pruned))
        _ = bytes.withUnsafeMutableBufferPointer { tensorflow__graph_def__pack(&pruned, $0.baseAddress) }
        return bytes
    }
}
