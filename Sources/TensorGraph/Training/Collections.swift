/// The key of one of TF1's graph collections (`tf.GraphKeys`), spelled as TensorFlow spells the key string.
public struct GraphKey: Hashable, Sendable {
    /// TF's key string, e.g. `update_ops`.
    public let name: String
    /// A collection named `name` (TF1's `tf.get_collection("name")` with any string).
    public init(_ name: String) { self.name = name }

    /// `tf.GraphKeys.UPDATE_OPS` (`update_ops`): the batch-norm layers' moving-average updates, which a
    /// training step must run (`withControlDependencies(g.collection(.updateOps).map(\.op))`).
    public static let updateOps = GraphKey("update_ops")
    /// `tf.GraphKeys.LOSSES` (`losses`): the losses the `g.losses.*` functions built.
    public static let losses = GraphKey("losses")
    /// `tf.GraphKeys.REGULARIZATION_LOSSES` (`regularization_losses`): the terms `l2Regularization` built.
    public static let regularizationLosses = GraphKey("regularization_losses")
    /// `tf.GraphKeys.MOVING_AVERAGE_VARIABLES` (`moving_average_variables`): the variables an
    /// `ExponentialMovingAverage` averages.
    public static let movingAverageVariables = GraphKey("moving_average_variables")
}

extension Graph {
    /// The members of collection `key` in the order they were added (TF1's `tf.get_collection(key)`); empty
    /// for a collection nothing was added to.
    public func collection(_ key: GraphKey) -> [Output] {
        (collectionMembers[key.name] ?? []).map { Output(graph: self, node: nodes[$0.node], index: $0.index) }
    }

    /// Appends `value` to collection `key` (TF1's `tf.add_to_collection`); adding a member twice keeps one entry.
    /// - Throws: `TensorGraphError.foreignGraph` when `value` belongs to another graph.
    public func addToCollection(_ key: GraphKey, _ value: Output) throws {
        guard value.graph === self else { throw TensorGraphError.foreignGraph("collection '\(key.name)' member '\(value.name)'") }
        // Endpoints, not outputs: an `Output` holds its graph strongly, and the graph must not hold itself.
        if collectionMembers[key.name]?.contains(value.endpoint) == true { return }
        collectionMembers[key.name, default: []].append(value.endpoint)
    }
}
