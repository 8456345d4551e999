import CTensorFlowProto
import Foundation

/// TensorFlow's MetaGraphDef (`tensorflow/core/protobuf/meta_graph.proto`): a GraphDef plus what a
/// program needs to resume from it — the saver's restore ops, the variable collections, the train
/// op, signatures. `tf.compat.v1.train.import_meta_graph` reads the `.meta` file `Saver` writes.
extension Saver {
    /// The TensorFlow release whose MetaGraphDef layout is written, recorded in `meta_info_def`
    /// (`tensorflow_version`) as TensorFlow records its own version.
    public static let metaGraphTensorFlowVersion = "2.21.0"

    /// The serialized MetaGraphDef of `graph` with this saver's restore ops (TF1's
    /// `Saver.export_meta_graph`).
    ///
    /// Contents: `meta_info_def` (`tags`, `tensorflow_version`, `tensorflow_git_version`), the
    /// GraphDef with the `save` name scope TF1's Saver builds (`SaveV2`, `RestoreV2`, one `Assign`
    /// per variable grouped in `save/restore_all`), `saver_def` naming `save/Const:0`,
    /// `save/control_dependency:0` and `save/restore_all`, and the collections `variables` and
    /// `trainable_variables` (VariableDef protos of all the graph's variables) and `train_op` when
    /// `trainOp` is given. Deterministic: the same graph gives the same bytes.
    /// - Throws: `foreignGraph` when a variable of the saver or `trainOp` belongs to another graph.
    public func metaGraphDef(of graph: Graph, trainOp: GraphOperation? = nil, tags: [String] = []) throws -> [UInt8] {
        if let foreign = variables.first(where: { $0.value.graph !== graph }) {
            throw TensorGraphError.foreignGraph("variable '\(foreign.name)' of the saver")
        }
        if let trainOp, trainOp.graph !== graph { throw TensorGraphError.foreignGraph("train op '\(trainOp.node.name)'") }
        return try MetaGraphWriter(graph: graph).bytes(saver: variables.isEmpty ? nil : self, trainOp: trainOp, tags: tags, signatures: [:])
    }

    /// Writes `metaGraphDef(of:trainOp:)` atomically to `path` (by convention `PREFIX.meta`).
    public func exportMetaGraph(of graph: Graph, to path: String, trainOp: GraphOperation? = nil) throws {
        try writeFileAtomically(metaGraphDef(of: graph, trainOp: trainOp), to: path)
    }

    /// Saves the checkpoint `prefix` as `save(_:to:format:)` does and, when `writeMetaGraph` is true,
    /// the graph as `prefix.meta` (TF1's `Saver.save(sess, prefix)`, which writes both).
    public func save(_ session: Session, to prefix: String, writeMetaGraph: Bool, trainOp: GraphOperation? = nil) throws {
        // The MetaGraphDef is built first so that a graph it cannot describe leaves no checkpoint behind.
        let meta = writeMetaGraph ? try metaGraphDef(of: session.graph, trainOp: trainOp) : nil
        try save(session, to: prefix)
        if let meta { try writeFileAtomically(meta, to: prefix + ".meta") }
    }
}

/// A signature of a SavedModel: named graph inputs and outputs (TF's `SignatureDef`).
public struct SignatureDef {
    /// Input tensors by signature key (`x`).
    public var inputs: [String: Output]
    /// Output tensors by signature key (`y`).
    public var outputs: [String: Output]
    /// `tensorflow/serving/predict` for a prediction signature.
    public var methodName: String

    /// A signature; `methodName` defaults to `tensorflow/serving/predict`.
    public init(inputs: [String: Output], outputs: [String: Output], methodName: String = "tensorflow/serving/predict") {
        self.inputs = inputs
        self.outputs = outputs
        self.methodName = methodName
    }
}

/// Builds MetaGraphDef protos in one arena.
struct MetaGraphWriter {
    let graph: Graph
    let arena = ProtoArena()

    /// The packed MetaGraphDef.
    func bytes(saver: Saver?, trainOp: GraphOperation?, tags: [String], signatures: [String: SignatureDef]) throws -> [UInt8] {
        let graphBytes = try graph.graphDef()
        guard let graphDef = graphBytes.withUnsafeBufferPointer({ tensorflow__graph_def__unpack(nil, $0.count, $0.baseAddress) }) else {
            throw TensorGraphError.invalidArgument("MetaGraphDef: the graph's own GraphDef does not unpack")
        }
        defer { tensorflow__graph_def__free_unpacked(graphDef, nil) }
        var meta = try metaGraphDef(graphDef, saver: saver, trainOp: trainOp, tags: tags, signatures: signatures)
        return pack(&meta)
    }

    func pack(_ meta: inout Tensorflow__MetaGraphDef) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: tensorflow__meta_graph_def__get_packed_size(&meta))
        _ = bytes.withUnsafeMutableBufferPointer { tensorflow__meta_graph_def__pack(&meta, $0.baseAddress) }
        return bytes
    }

    /// The MetaGraphDef; its GraphDef shares `graphDef`'s nodes, which must outlive packing.
    func metaGraphDef(_ graphDef: UnsafeMutablePointer<Tensorflow__GraphDef>, saver: Saver?, trainOp: GraphOperation?,
                      tags: [String], signatures: [String: SignatureDef]) throws -> Tensorflow__MetaGraphDef {
        var meta = Tensorflow__MetaGraphDef()
        tensorflow__meta_graph_def__init(&meta)
        let info = arena.allocate(Tensorflow__MetaGraphDef__MetaInfoDef.self)
        tensorflow__meta_graph_def__meta_info_def__init(info)
        info.pointee.n_tags = tags.count
        info.pointee.tags = arena.array(tags.map { Optional(arena.string($0)) })
        info.pointee.tensorflow_version = arena.string(Saver.metaGraphTensorFlowVersion)
        info.pointee.tensorflow_git_version = arena.string("TensorGraph")
        meta.meta_info_def = info

        // The graph's nodes, then the saver's.
        let combined = arena.allocate(Tensorflow__GraphDef.self)
        tensorflow__graph_def__init(combined)
        var nodes = (0..<graphDef.pointee.n_node).map { graphDef.pointee.node[$0] }
        if let saver {
            let saverNodes = SaverGraphNodes(saver: saver, graph: graph, arena: arena)
            nodes += saverNodes.nodes.map(Optional.init)
            meta.saver_def = saverNodes.saverDef
        }
        combined.pointee.n_node = nodes.count
        combined.pointee.node = arena.array(nodes)
        combined.pointee.versions = graphDef.pointee.versions
        combined.pointee.library = graphDef.pointee.library
        meta.graph_def = combined

        var collections: [(String, UnsafeMutablePointer<Tensorflow__CollectionDef>)] = []
        if let trainOp { collections.append(("train_op", nodeList([trainOp.node.name]))) }
        let trainable = graph.trainableVariables
        if !trainable.isEmpty { collections.append(("trainable_variables", bytesList(trainable.map(variableDef)))) }
        if !graph.globalVariables.isEmpty { collections.append(("variables", bytesList(graph.globalVariables.map(variableDef)))) }
        meta.n_collection_def = collections.count
        meta.collection_def = arena.array(collections.sorted { $0.0 < $1.0 }.map { key, value in
            let entry = arena.allocate(Tensorflow__MetaGraphDef__CollectionDefEntry.self)
            tensorflow__meta_graph_def__collection_def_entry__init(entry)
            entry.pointee.key = arena.string(key)
            entry.pointee.value = value
            return Optional(entry)
        })

        let signatureEntries = try signatures.sorted { $0.key < $1.key }.map { key, signature in
            let entry = arena.allocate(Tensorflow__MetaGraphDef__SignatureDefEntry.self)
            tensorflow__meta_graph_def__signature_def_entry__init(entry)
            entry.pointee.key = arena.string(key)
            entry.pointee.value = try signatureDef(signature, key: key)
            return Optional(entry)
        }
        meta.n_signature_def = signatureEntries.count
        meta.signature_def = arena.array(signatureEntries)
        return meta
    }

    private func nodeList(_ names: [String]) -> UnsafeMutablePointer<Tensorflow__CollectionDef> {
        let list = arena.allocate(Tensorflow__CollectionDef__NodeList.self)
        tensorflow__collection_def__node_list__init(list)
        list.pointee.n_value = names.count
        list.pointee.value = arena.array(names.map { Optional(arena.string($0)) })
        let collection = arena.allocate(Tensorflow__CollectionDef.self)
        tensorflow__collection_def__init(collection)
        collection.pointee.kind_case = TENSORFLOW__COLLECTION_DEF__KIND_NODE_LIST
        collection.pointee.node_list = list
        return collection
    }

    private func bytesList(_ values: [[UInt8]]) -> UnsafeMutablePointer<Tensorflow__CollectionDef> {
        let list = arena.allocate(Tensorflow__CollectionDef__BytesList.self)
        tensorflow__collection_def__bytes_list__init(list)
        list.pointee.n_value = values.count
        list.pointee.value = arena.array(values.map { bytes in
            bytes.withUnsafeBytes { arena.bytes($0.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!, count: $0.count) }
        })
        let collection = arena.allocate(Tensorflow__CollectionDef.self)
        tensorflow__collection_def__init(collection)
        collection.pointee.kind_case = TENSORFLOW__COLLECTION_DEF__KIND_BYTES_LIST
        collection.pointee.bytes_list = list
        return collection
    }

    /// A serialized `VariableDef` as TF1's `RefVariable.to_proto` writes it: `w:0`, `w/Assign`, `w/read:0`.
    private func variableDef(_ variable: Variable) -> [UInt8] {
        let local = ProtoArena()
        var def = Tensorflow__VariableDef()
        tensorflow__variable_def__init(&def)
        def.variable_name = local.string(variable.name + ":0")
        let assign = variable.initializer.node
        if assign.inputs.count == 2 {
            let value = assign.inputs[1]
            def.initial_value_name = local.string("\(graph.nodes[value.node].name):\(value.index)")
        }
        def.initializer_name = local.string(assign.name)
        def.snapshot_name = local.string(variable.value.name)
        def.trainable = variable.isTrainable ? 1 : 0
        var bytes = [UInt8](repeating: 0, count: tensorflow__variable_def__get_packed_size(&def))
        _ = bytes.withUnsafeMutableBufferPointer { tensorflow__variable_def__pack(&def, $0.baseAddress) }
        return bytes
    }

    private func signatureDef(_ signature: SignatureDef, key: String) throws -> UnsafeMutablePointer<Tensorflow__SignatureDef> {
        for output in Array(signature.inputs.values) + Array(signature.outputs.values) where output.graph !== graph {
            throw TensorGraphError.foreignGraph("tensor '\(output.name)' of signature '\(key)'")
        }
        func info(_ output: Output) -> UnsafeMutablePointer<Tensorflow__TensorInfo> {
            let proto = arena.allocate(Tensorflow__TensorInfo.self)
            tensorflow__tensor_info__init(proto)
            proto.pointee.encoding_case = TENSORFLOW__TENSOR_INFO__ENCODING_NAME
            proto.pointee.name = arena.string(output.name)
            proto.pointee.dtype = ProtoConversion.dataType(output.dtype)
            proto.pointee.tensor_shape = ProtoConversion.shapeProto(output.shape, arena)
            return proto
        }
        let def = arena.allocate(Tensorflow__SignatureDef.self)
        tensorflow__signature_def__init(def)
        def.pointee.method_name = arena.string(signature.methodName)
        let inputs = signature.inputs.sorted { $0.key < $1.key }.map { key, output in
            let entry = arena.allocate(Tensorflow__SignatureDef__InputsEntry.self)
            tensorflow__signature_def__inputs_entry__init(entry)
            entry.pointee.key = arena.string(key)
            entry.pointee.value = info(output)
            return Optional(entry)
        }
        let outputs = signature.outputs.sorted { $0.key < $1.key }.map { key, output in
            let entry = arena.allocate(Tensorflow__SignatureDef__OutputsEntry.self)
            tensorflow__signature_def__outputs_entry__init(entry)
            entry.pointee.key = arena.string(key)
            entry.pointee.value = info(output)
            return Optional(entry)
        }
        def.pointee.n_inputs = inputs.count
        def.pointee.inputs = arena.array(inputs)
        def.pointee.n_outputs = outputs.count
        def.pointee.outputs = arena.array(outputs)
        return def
    }
}
