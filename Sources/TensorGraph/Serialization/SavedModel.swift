import CTensorFlowProto
import Foundation

/// TensorFlow's SavedModel directory (TF1 layout): `DIR/saved_model.pb`, a `SavedModel` proto of
/// MetaGraphDefs each tagged (`serve`), and `DIR/variables/variables.index` +
/// `variables.data-00000-of-00001`, a checkpoint V2 of the variables.
///
/// `tf.saved_model.load(DIR)`, `saved_model_cli` and TF Serving read what `export` writes; `load`
/// reads those and the TF1-style ones `tf.compat.v1.saved_model.simple_save` or
/// `SavedModelBuilder` write (graphs of `VariableV2` variables; resource variables and TF2
/// object graphs are not supported).
public enum SavedModel {
    /// The key of the default signature: `serving_default`.
    public static let defaultSignatureKey = "serving_default"
    /// The tag of a serving graph: `serve`.
    public static let serveTag = "serve"

    /// Writes `session`'s graph and variable values as a SavedModel at `directory`, with one
    /// signature `serving_default` (method `tensorflow/serving/predict`) of `inputs` and `outputs`,
    /// each named by its signature key and described by tensor name, dtype and shape.
    ///
    /// The graph carries TF1's saver nodes so TensorFlow restores the variables; a graph without
    /// variables (a frozen one) still gets a `variables/` directory with an empty checkpoint, as
    /// TensorFlow writes. The directory is built beside `directory` and renamed into place, so a
    /// failure leaves nothing.
    /// - Throws: `invalidArgument` when `directory` exists and is not empty (TensorFlow refuses
    ///   too), `uninitializedVariable`, `foreignGraph`, `fileError`.
    public static func export(session: Session, to directory: String, inputs: [String: Output], outputs: [String: Output],
                              tags: [String] = [serveTag]) throws {
        try export(session: session, to: directory, signatures: [defaultSignatureKey: SignatureDef(inputs: inputs, outputs: outputs)], tags: tags)
    }

    /// Writes a SavedModel with the given signatures (by key); see `export(session:to:inputs:outputs:tags:)`.
    public static func export(session: Session, to directory: String, signatures: [String: SignatureDef],
                              tags: [String] = [serveTag]) throws {
        let manager = FileManager.default
        if let contents = try? manager.contentsOfDirectory(atPath: directory), !contents.isEmpty {
            throw TensorGraphError.invalidArgument("SavedModel export: '\(directory)' exists and is not empty")
        }
        var isDirectory: ObjCBool = false
        if manager.fileExists(atPath: directory, isDirectory: &isDirectory), !isDirectory.boolValue {
            throw TensorGraphError.invalidArgument("SavedModel export: '\(directory)' is a file")
        }
        let graph = session.graph
        let saver = Saver(graph: graph)
        var values: [(name: String, tensor: Tensor)] = []
        for (key, variable) in zip(saver.keys, saver.variables) {
            guard let value = session.value(of: variable) else { throw TensorGraphError.uninitializedVariable(name: variable.name) }
            values.append((key, value))
        }
        let writer = MetaGraphWriter(graph: graph)
        let metaBytes = try writer.bytes(saver: saver.variables.isEmpty ? nil : saver, trainOp: nil, tags: tags, signatures: signatures)
        let bundle = try TensorBundle.encode(values)
        let model = try savedModelBytes(metaGraph: metaBytes)

        let staging = (directory.hasSuffix("/") ? String(directory.dropLast()) : directory) + ".tmp-\(UUID().uuidString)"
        do {
            try manager.createDirectory(atPath: staging + "/variables", withIntermediateDirectories: true)
            try writeFileAtomically(model, to: staging + "/saved_model.pb")
            try writeFileAtomically(bundle.data, to: TensorBundle.dataPath(prefix: staging + "/variables/variables"))
            try writeFileAtomically(bundle.index, to: TensorBundle.indexPath(prefix: staging + "/variables/variables"))
            if manager.fileExists(atPath: directory) { try manager.removeItem(atPath: directory) }   // empty, checked above
            try manager.moveItem(atPath: staging, toPath: directory)
        } catch {
            try? manager.removeItem(atPath: staging)
            if let error = error as? TensorGraphError { throw error }
            throw TensorGraphError.fileError(path: directory, message: "cannot write the SavedModel: \(error.localizedDescription)")
        }
    }

    /// A `SavedModel` proto (schema version 1) holding the one serialized MetaGraphDef.
    private static func savedModelBytes(metaGraph: [UInt8]) throws -> [UInt8] {
        guard let meta = metaGraph.withUnsafeBufferPointer({ tensorflow__meta_graph_def__unpack(nil, $0.count, $0.baseAddress) }) else {
            throw TensorGraphError.invalidArgument("SavedModel export: the MetaGraphDef does not unpack")
        }
        defer { tensorflow__meta_graph_def__free_unpacked(meta, nil) }
        var model = Tensorflow__SavedModel()
        tensorflow__saved_model__init(&model)
        model.saved_model_schema_version = 1
        var list: [UnsafeMutablePointer<Tensorflow__MetaGraphDef>?] = [meta]
        return list.withUnsafeMutableBufferPointer { pointer in
            model.n_meta_graphs = 1
            model.meta_graphs = pointer.baseAddress
            var bytes = [UInt8](repeating: 0, count: tensorflow__saved_model__get_packed_size(&model))
            _ = bytes.withUnsafeMutableBufferPointer { tensorflow__saved_model__pack(&model, $0.baseAddress) }
            return bytes
        }
    }
}
