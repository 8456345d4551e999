import CTensorFlowProto
import Foundation

/// Saves and restores variable values (TF1's `tf.train.Saver`), as a protobuf of TensorProtos keyed by name.
public struct Saver {
    public let variables: [Variable]

    /// A saver for `variables` (all of the graph's variables — optimizer slots and global step included — by default).
    public init(graph: Graph, variables: [Variable]? = nil) {
        self.variables = variables ?? graph.globalVariables
    }

    /// Writes every variable's current value atomically; a failure leaves the previous file intact.
    public func save(_ session: Session, to path: String) throws {
        let arena = ProtoArena()
        var checkpoint = Tensorgraph__Checkpoint()
        tensorgraph__checkpoint__init(&checkpoint)
        let list = arena.allocate(UnsafeMutablePointer<Tensorgraph__NamedTensor>?.self, count: variables.count)
        for (i, variable) in variables.enumerated() {
            guard let value = session.state.variables[variable.node.id] else {
                throw TensorGraphError.uninitializedVariable(name: variable.name)
            }
            let entry = arena.allocate(Tensorgraph__NamedTensor.self)
            tensorgraph__named_tensor__init(entry)
            entry.pointee.name = arena.string(variable.name)
            entry.pointee.tensor = ProtoConversion.tensorProto(value, arena)
            list[i] = entry
        }
        checkpoint.n_tensors = variables.count
        checkpoint.tensors = list
        if let step = variables.first(where: { $0.name == "global_step" }), let value = session.state.variables[step.node.id] {
            checkpoint.global_step = value.dtype == .int64 ? value.scalar(as: Int64.self) : 0
        }
        var bytes = [UInt8](repeating: 0, count: tensorgraph__checkpoint__get_packed_size(&checkpoint))
        _ = bytes.withUnsafeMutableBufferPointer { tensorgraph__checkpoint__pack(&checkpoint, $0.baseAddress!) }
        try writeFileAtomically(bytes, to: path)
    }

    /// Reads a checkpoint file into name → tensor.
    public static func read(_ path: String) throws -> [String: Tensor] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TensorGraphError.fileError(path: path, message: FileManager.default.fileExists(atPath: path) ? "cannot read" : "no such file")
        }
        let bytes = [UInt8](data)
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

    /// Restores every variable from `path`. Checks everything first — missing, unexpected and
    /// mismatched entries are reported together — and changes nothing unless all match.
    public func restore(_ session: Session, from path: String) throws {
        let values = try Saver.read(path)
        var problems: [String] = []
        let wanted = Set(variables.map(\.name))
        for v in variables {
            guard let value = values[v.name] else { problems.append("missing '\(v.name)'"); continue }
            if value.dtype != v.dtype || !v.shape.accepts(value.shape) {
                problems.append("'\(v.name)' is \(value.dtype)\(TensorShape(value.shape)) in the checkpoint but \(v.dtype)\(v.shape) in the graph")
            }
        }
        for name in values.keys.sorted() where !wanted.contains(name) { problems.append("unexpected '\(name)'") }
        guard problems.isEmpty else {
            throw TensorGraphError.fileError(path: path, message: "checkpoint does not match the graph: " + problems.joined(separator: "; "))
        }
        for v in variables { try session.setValue(values[v.name]!, for: v) }
    }
}
