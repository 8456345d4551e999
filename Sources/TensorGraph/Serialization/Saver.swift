import CTensorFlowProto
import Foundation

/// Saves and restores variable values (TF1's `tf.train.Saver`) in TensorFlow's checkpoint V2 format.
///
/// A saver owns a variable list, each variable under a checkpoint key: its name, or the key a
/// name map gives it (TF1's `var_list`). `save` writes exactly that list. `restore` sets exactly
/// that list and ignores every other entry of the checkpoint — optimizer slots, `global_step`,
/// the variables of a larger graph — so a training checkpoint restores into an inference graph,
/// and part of a pretrained model restores into a bigger one.
public struct Saver {
    /// The variables this saver writes and restores, in checkpoint order.
    public let variables: [Variable]
    /// The checkpoint key of each of `variables`, in the same order: the variable's name unless
    /// the saver was made from a name map.
    public let keys: [String]

    /// A saver for all of `graph`'s variables, optimizer slots and global step included (`tf.train.Saver()`).
    public init(graph: Graph) {
        self.init(variables: graph.globalVariables)
    }

    /// A saver for `variables` only, each under its own name (`tf.train.Saver(var_list=[...])`).
    ///
    /// A variable listed twice is saved once.
    public init(variables: [Variable]) {
        var seen = Set<Variable>()
        self.variables = variables.filter { seen.insert($0).inserted }
        keys = self.variables.map(\.name)
    }

    /// A saver for a name map, checkpoint key → variable (`tf.train.Saver(var_list={...})`), so that
    /// a checkpoint written under other names restores; `save` writes under the keys, in key order.
    ///
    /// For example, weights saved as `dense/kernel` restore into a model built under a `student`
    /// name scope with
    /// `Saver(variables: Dictionary(uniqueKeysWithValues: student.map { (String($0.name.dropFirst("student/".count)), $0) }))`.
    public init(variables: [String: Variable]) {
        let sorted = variables.sorted { $0.key < $1.key }
        self.variables = sorted.map(\.value)
        keys = sorted.map(\.key)
    }

    /// A saver for the variables a program holds, as `g.variable(...)` returned them
    /// (`tf.train.Saver(var_list=[w, b])`); an output that is not a variable throws `invalidArgument`.
    public init(variables: [any VariableReference]) throws {
        self.init(variables: try variables.map { try $0.resolvedVariable() })
    }

    /// A saver for a name map, checkpoint key → variable handle (`tf.train.Saver(var_list={"w": w})`).
    public init(variables: [String: any VariableReference]) throws {
        self.init(variables: try variables.mapValues { try $0.resolvedVariable() })
    }

    /// Writes each variable's current value under its key as the checkpoint `prefix`.
    ///
    /// `.tensorFlow` (the default) writes TF's checkpoint V2 — `prefix.index` and
    /// `prefix.data-00000-of-00001`, which `tf.train.load_checkpoint(prefix)` and TF1's
    /// `Saver.restore` read — and records `prefix` in the directory's `checkpoint` state file for
    /// `tf.train.latest_checkpoint`. `.tensorGraph` writes the older single-file format at `prefix`.
    /// Writes are atomic: a failure leaves the previous checkpoint intact and no temporary file; temporary
    /// files of killed processes that saved into the same directory are removed first.
    public func save(_ session: Session, to prefix: String, format: CheckpointFormat = .tensorFlow) throws {
        try checkGraph(of: session)
        removeStaleTemporaries(in: URL(fileURLWithPath: prefix).deletingLastPathComponent().path)
        var tensors: [(name: String, tensor: Tensor)] = []
        for (key, variable) in zip(keys, variables) {
            guard let value = session.state.variables[variable.node.id] else {
                throw TensorGraphError.uninitializedVariable(name: variable.name)
            }
            tensors.append((key, value))
        }
        switch format {
        case .tensorFlow:
            try TensorBundle.write(tensors, prefix: prefix)
            try CheckpointState.record(prefix: prefix)
        case .tensorGraph:
            try writeFileAtomically(Self.encodeTensorGraphCheckpoint(tensors), to: prefix)
        }
    }

    /// Reads a checkpoint into name → tensor: TF's checkpoint V2 when `path.index` exists (or `path`
    /// is an index file, detected by its magic number), otherwise TensorGraph's single-file format.
    ///
    /// - Throws: `TensorGraphError.fileError` naming the file and the problem (missing file, bad
    ///   magic, truncation, checksum mismatch, an entry outside the data file or of inconsistent
    ///   dtype and shape, a corrupt protobuf).
    public static func read(_ path: String) throws -> [String: Tensor] {
        do {
            if FileManager.default.fileExists(atPath: TensorBundle.indexPath(prefix: path)) {
                return try TensorBundle.read(prefix: path)
            }
            let bytes = try readWholeFile(path)
            if path.hasSuffix(".index") && TensorBundle.looksLikeIndex(bytes) {
                return try TensorBundle.read(prefix: String(path.dropLast(".index".count)))
            }
            return try readTensorGraphCheckpoint(bytes, path: path)
        } catch let error as FileFormatError {
            throw TensorGraphError.fileError(path: error.path, message: error.message)
        }
    }

    /// TensorGraph's original format: a `tensorgraph.Checkpoint` protobuf of named TensorProtos.
    private static func encodeTensorGraphCheckpoint(_ tensors: [(name: String, tensor: Tensor)]) -> [UInt8] {
        let arena = ProtoArena()
        var checkpoint = Tensorgraph__Checkpoint()
        tensorgraph__checkpoint__init(&checkpoint)
        let list = arena.allocate(UnsafeMutablePointer<Tensorgraph__NamedTensor>?.self, count: tensors.count)
        for (i, (key, value)) in tensors.enumerated() {
            let entry = arena.allocate(Tensorgraph__NamedTensor.self)
            tensorgraph__named_tensor__init(entry)
            entry.pointee.name = arena.string(key)
            entry.pointee.tensor = ProtoConversion.tensorProto(value, arena)
            list[i] = entry
            if key == "global_step", value.dtype == .int64, value.count == 1 { checkpoint.global_step = value.scalar(as: Int64.self) }
        }
        checkpoint.n_tensors = tensors.count
        checkpoint.tensors = list
        var bytes = [UInt8](repeating: 0, count: tensorgraph__checkpoint__get_packed_size(&checkpoint))
        _ = bytes.withUnsafeMutableBufferPointer { tensorgraph__checkpoint__pack(&checkpoint, $0.baseAddress) }
        return bytes
    }

    private static func readTensorGraphCheckpoint(_ bytes: [UInt8], path: String) throws -> [String: Tensor] {
        guard let proto = bytes.withUnsafeBufferPointer({ tensorgraph__checkpoint__unpack(nil, $0.count, $0.baseAddress) }) else {
            throw TensorGraphError.fileError(path: path, message: "not a valid checkpoint (truncated or corrupt protobuf)")
        }
        defer { tensorgraph__checkpoint__free_unpacked(proto, nil) }
        var result: [String: Tensor] = [:]
        for i in 0..<proto.pointee.n_tensors {
            guard let entry = proto.pointee.tensors[i]?.pointee, let tensor = entry.tensor else { continue }
            let name = String(cString: entry.name)
            do {
                result[name] = try ProtoConversion.tensor(tensor, context: "checkpoint entry '\(name)'")
            } catch let error as TensorGraphError {
                throw TensorGraphError.fileError(path: path, message: error.description)
            }
        }
        return result
    }

    /// Restores this saver's variables from the checkpoint at `path` (TF1's `Saver.restore`): a TF
    /// checkpoint prefix (ours or one TensorFlow wrote) or a TensorGraph-format file.
    ///
    /// Checkpoint entries the saver does not own are ignored. A variable of the saver's list that
    /// the checkpoint lacks, or holds with another dtype or shape, is an error naming it; all such
    /// problems are reported together, and nothing is changed unless every variable matches.
    /// Variables outside the list keep their values: initialize them with their own initializers,
    /// or run `globalVariablesInitializer()` before restoring (run after, it overwrites the restored values).
    public func restore(_ session: Session, from path: String) throws {
        try checkGraph(of: session)
        let entries = try Saver.read(path)
        var problems: [String] = []
        var values: [(Variable, Tensor)] = []
        for (key, variable) in zip(keys, variables) {
            let label = key == variable.name ? "'\(key)'" : "'\(key)' (variable '\(variable.name)')"
            guard let value = entries[key] else {
                problems.append("missing \(label)")
                continue
            }
            guard value.dtype == variable.dtype, variable.shape.accepts(value.shape) else {
                problems.append("\(label) is \(value.dtype)\(TensorShape(value.shape)) in the checkpoint but \(variable.dtype)\(variable.shape) in the graph")
                continue
            }
            values.append((variable, value))
        }
        guard problems.isEmpty else {
            throw TensorGraphError.fileError(path: path, message: "checkpoint does not match the saver's variables: " + problems.joined(separator: "; "))
        }
        for (variable, value) in values { try session.setValue(value, for: variable) }
    }

    /// Variables are looked up by node id in the session's state, so they must be the session graph's.
    private func checkGraph(of session: Session) throws {
        if let foreign = variables.first(where: { $0.value.graph !== session.graph }) {
            throw TensorGraphError.foreignGraph("variable '\(foreign.name)' of the saver")
        }
    }
}

/// The file format `Saver.save` writes.
public enum CheckpointFormat: Sendable {
    /// TensorFlow's checkpoint V2: `prefix.index` + `prefix.data-00000-of-00001`, and the `checkpoint` state file.
    case tensorFlow
    /// TensorGraph's earlier single file: a protobuf of TensorProtos keyed by name (still read by `restore`).
    case tensorGraph
}

extension Session {
    /// Restores `variables` from the checkpoint at `path` and leaves every other variable as it is:
    /// initialization for fine-tuning (TF1's `tf.train.init_from_checkpoint` for these variables).
    ///
    /// Run `globalVariablesInitializer()` first, since it would overwrite the restored values.
    /// Checkpoint entries other than `variables` are ignored; a variable the checkpoint lacks, or
    /// holds with another dtype or shape, is an error naming it, and then nothing is restored.
    /// Same as `Saver(variables: variables).restore(session, from: path)`.
    public func restore(from path: String, variables: [Variable]) throws {
        try Saver(variables: variables).restore(self, from: path)
    }

    /// Restores each variable of `variables` from the checkpoint entry named by its key
    /// (TF1's `tf.train.init_from_checkpoint(path, assignment_map)` with checkpoint name → variable).
    ///
    /// Run `globalVariablesInitializer()` first, since it would overwrite the restored values.
    /// Checkpoint entries that are not keys of `variables` are ignored; a key the checkpoint lacks,
    /// or holds with another dtype or shape, is an error naming it and its variable, and then
    /// nothing is restored.
    public func restore(from path: String, variables: [String: Variable]) throws {
        try Saver(variables: variables).restore(self, from: path)
    }

    /// Restores the variables a program holds (the outputs `g.variable(...)` returned) from `path`,
    /// as `restore(from:variables:)` with their `Variable` records.
    public func restore(from path: String, variables: [any VariableReference]) throws {
        try Saver(variables: variables).restore(self, from: path)
    }
}
