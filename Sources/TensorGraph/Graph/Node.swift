/// One output of one node, by node id: how nodes refer to their inputs.
public struct Endpoint: Hashable, Sendable {
    public let node: Int
    public let index: Int
}

/// A node of a graph: an op type, its attributes, its inputs, and its inferred outputs.
///
/// Nodes are immutable once added; the graph only ever grows.
public final class Node: @unchecked Sendable {
    /// Position in the graph (insertion order; always a topological order).
    public let id: Int
    public let name: String
    public let op: any Op.Type
    /// Every attribute, defaults included, as written to a GraphDef.
    public let attrs: Attributes
    /// The same attributes decoded into the op's typed struct (read with `attributes(_:)`).
    let decodedAttributes: AttributeBox
    public let inputs: [Endpoint]
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
    public let graph: Graph
    public let node: Node
    public let index: Int

    public init(graph: Graph, node: Node, index: Int) {
        self.graph = graph
        self.node = node
        self.index = index
    }

    public var endpoint: Endpoint { Endpoint(node: node.id, index: index) }
    public var dtype: DType { node.outputs[index].dtype }
    public var shape: TensorShape { node.outputs[index].shape }
    public var spec: TensorSpec { node.outputs[index] }
    /// TensorFlow's tensor name: `dense/MatMul:0`.
    public var name: String { "\(node.name):\(index)" }
    /// The node that produces this output, usable as a run target.
    public var op: GraphOperation { GraphOperation(graph: graph, node: node) }

    public static func == (a: Output, b: Output) -> Bool { a.graph === b.graph && a.node.id == b.node.id && a.index == b.index }
    public func hash(into hasher: inout Hasher) {
        hasher.combine(ObjectIdentifier(graph))
        hasher.combine(node.id)
        hasher.combine(index)
    }
    public var description: String { "<\(name) \(node.opName) \(dtype)\(shape)>" }
}

/// A node used for its effect (a run target), such as a training step or an initializer.
public struct GraphOperation: Hashable, CustomStringConvertible, @unchecked Sendable {
    public let graph: Graph
    public let node: Node
    public var name: String { node.name }
    public static func == (a: GraphOperation, b: GraphOperation) -> Bool { a.graph === b.graph && a.node.id == b.node.id }
    public func hash(into hasher: inout Hasher) {
        hasher.combine(ObjectIdentifier(graph))
        hasher.combine(node.id)
    }
    public var description: String { "<op \(node.name) \(node.opName)>" }
    /// Output `index` of this node.
    public func output(_ index: Int = 0) -> Output { Output(graph: graph, node: node, index: index) }
}
