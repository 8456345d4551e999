/// What shape inference sees of a node being added: input specs, attributes,
/// and constant input values where they are known at build time.
public struct InferenceContext {
    /// The op's TensorFlow name, e.g. `MatMul`, used in error messages.
    public let opName: String
    /// The name the new node will get.
    public let nodeName: String
    /// Dtype and static shape of each data input, in declared order.
    public let inputs: [TensorSpec]
    /// Every attribute of the node, defaults included.
    public let attrs: Attributes
    let decoded: AttributeBox
    let inputEndpoints: [Endpoint]
    unowned let graph: Graph
    let location: SourceLocation?

    /// An error naming this op and node, and where the user built it.
    public func error(_ message: String) -> TensorGraphError {
        .invalidGraph(op: opName, node: nodeName, message: message, location: location)
    }

    /// The node's attributes as op `O` declares them.
    public func attributes<O: Op>(_: O.Type) -> O.Attrs {
        if let box = decoded as? TypedAttributeBox<O.Attrs> { return box.value }
        assertionFailure("\(nodeName) (\(opName)) has no \(O.Attrs.self) attributes")
        return O.Attrs.defaults
    }

    /// The value of input `i` when it is known while building (a Const, or the Shape of a fully known tensor).
    public func constantValue(_ i: Int) -> Tensor? {
        // Nodes a plan's rewrite rules create have no endpoints in the user's graph.
        guard i < inputEndpoints.count else { return nil }
        return graph.constantValue(of: inputEndpoints[i])
    }

    /// The shape described by shape-vector input `i`, as far as it is known while building:
    /// exact for a constant, the static shape of `x` for `Shape(x)`, else just the rank when the vector's length is known.
    public func shapeFromTensor(_ i: Int) -> TensorShape {
        if let dims = constantInts(i) { return TensorShape(dims.map { $0 < 0 ? nil : $0 }) }
        guard i < inputEndpoints.count else { return .unknown }
        let producer = graph.nodes[inputEndpoints[i].node]
        if producer.op == Shape.self {
            let source = producer.inputs[0]
            return graph.nodes[source.node].outputs[source.index].shape
        }
        if let length = inputs[i].shape.dims?.first ?? nil { return TensorShape(Array(repeating: nil, count: length)) }
        return .unknown
    }

    /// Input `i`'s constant value as Ints (for shape, axis and size operands).
    public func constantInts(_ i: Int) -> [Int]? {
        constantValue(i).flatMap(integerValues)
    }
}

/// The elements of an integer tensor as Ints.
extension Tensor {
    /// Element `i` of an int32 or int64 tensor (kernels read labels and indices without copying).
    @inline(__always) func integer(at i: Int) -> Int {
        dtype == .int64 ? Int(pointer(Int64.self)[i]) : Int(pointer(Int32.self)[i])
    }
}

func integerValues(_ t: Tensor) -> [Int]? {
    switch t.dtype {
    case .int32: return t.scalars(as: Int32.self).map(Int.init)
    case .int64: return t.scalars(as: Int64.self).map(Int.init)
    default: return nil
    }
}

/// Normalizes a possibly negative axis against a rank.
func normalizedAxis(_ axis: Int, rank: Int) -> Int? {
    let a = axis < 0 ? axis + rank : axis
    return (0..<rank).contains(a) ? a : nil
}
