/// One output of one node, by node id: how nodes refer to their inputs.
public struct Endpoint: Hashable, Sendable {
    /// Id of the producing node (its position in `Graph.nodes`).
    public let node: Int
    /// Which of that node's outputs (0 for single-output ops).
    public let index: Int
}

/// A node of a graph: an op type, its attributes, its inputs, and its inferred outputs.
///
/// Nodes are immutable once added; the graph only ever grows.
public final class Node: @unchecked Sendable {
    /// Position in the graph (insertion order; always a topological order).
    public let id: Int
    /// Unique, scope-qualified node name, e.g. `dense/MatMul` (TF's `NodeDef.name`).
    public let name: String
    /// The op type, which supplies shape inference, kernel and gradient rule.
    public let op: any Op.Type
    /// Every attribute, defaults included, as written to a GraphDef.
    public let attrs: Attributes
    /// The same attributes decoded into the op's typed struct (read with `attributes(_:)`).
    let decodedAttributes: AttributeBox
    /// Data inputs, in the order the op declares them.
    public let inputs: [Endpoint]
    /// Ids of nodes that must run before this one (TF's `^name` control inputs), including enclosing
    /// `withControlDependencies` scopes.
    public let controlInputs: [Int]
    /// Dtype and build-time shape of each output.
    public let outputs: [TensorSpec]
    /// Where the user's code built this node (nil for imported nodes).
    public let location: SourceLocation?

    init(id: Int, name: String, op: any Op.Type, attrs: Attributes, decodedAttributes: AttributeBox, inputs: [Endpoint],
         controlInputs: [Int], outputs: [TensorSpec], location: SourceLocation?) {
        self.id = id
        self.name = name
        self.op = op
        self.attrs = attrs
        self.decodedAttributes = decodedAttributes
        self.inputs = inputs
        self.controlInputs = controlInputs
        self.outputs = outputs
        self.location = location
    }

    /// The TensorFlow op name, e.g. `MatMul`.
    public var opName: String { op.wireName }
}

/// A symbolic tensor: output `index` of a node in `graph`.
public struct Output: Hashable, CustomStringConvertible, @unchecked Sendable {
    /// The graph that owns the producing node.
    public let graph: Graph
    /// The node that produces this tensor.
    public let node: Node
    /// Which of the node's outputs this is.
    public let index: Int

    /// Refers to output `index` of `node`; does not check that `node` belongs to `graph` or that `index` is in range.
    public init(graph: Graph, node: Node, index: Int) {
        self.graph = graph
        self.node = node
        self.index = index
    }

    /// The graph-independent reference (node id, output index) nodes use for their inputs.
    public var endpoint: Endpoint { Endpoint(node: node.id, index: index) }
    /// Element type, fixed at build time.
    public var dtype: DType { node.outputs[index].dtype }
    /// Static shape inferred at build time: nil for dimensions only known at run time (a fed batch size);
    /// the rank itself may be unknown.
    public var shape: TensorShape { node.outputs[index].shape }
    /// Dtype and static shape together.
    public var spec: TensorSpec { node.outputs[index] }
    /// TensorFlow's tensor name: `dense/MatMul:0`.
    public var name: String { "\(node.name):\(index)" }
    /// The node that produces this output, usable as a run target.
    public var op: GraphOperation { GraphOperation(graph: graph, node: node) }

    /// Identity, not value, equality: same graph instance, same node, same output index.
    public static func == (a: Output, b: Output) -> Bool { a.graph === b.graph && a.node.id == b.node.id && a.index == b.index }
    /// Hashes graph identity, node id and output index, so outputs can key feed dictionaries.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(ObjectIdentifier(graph))
        hasher.combine(node.id)
        hasher.combine(index)
    }
    /// Debug form, e.g. `<dense/MatMul:0 MatMul float32(?, 10)>`.
    public var description: String { "<\(name) \(node.opName) \(dtype)\(shape)>" }
}

/// A node used for its effect (a run target), such as a training step or an initializer.
public struct GraphOperation: Hashable, CustomStringConvertible, @unchecked Sendable {
    /// The graph that owns the node.
    public let graph: Graph
    /// The node to run.
    public let node: Node
    /// The node's name, as in TF's `Operation.name`.
    public var name: String { node.name }
    /// Identity equality: same graph instance and same node.
    public static func == (a: GraphOperation, b: GraphOperation) -> Bool { a.graph === b.graph && a.node.id == b.node.id }
    /// Hashes graph identity and node id.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(ObjectIdentifier(graph))
        hasher.combine(node.id)
    }
    /// Debug form, e.g. `<op train/update_w ApplyGradientDescent>`.
    public var description: String { "<op \(node.name) \(node.opName)>" }
    /// Output `index` of this node.
    public func output(_ index: Int = 0) -> Output { Output(graph: graph, node: node, index: index) }
}
