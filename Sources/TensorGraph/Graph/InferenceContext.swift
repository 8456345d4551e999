/// What shape inference sees of a node being added: input specs, attributes,
/// and constant input values where they are known at build time.
public struct InferenceContext {
    public let opName: String
    public let nodeName: String
    public let inputs: [TensorSpec]
    public let attrs: Attributes
    let inputEndpoints: [Endpoint]
    unowned let graph: Graph
    let location: SourceLocation?

    /// An error naming this op and node, and where the user built it.
    public func error(_ message: String) -> TensorGraphError {
        .invalidGraph(op: opName, node: nodeName, message: message, location: location)
    }

    public func checkInputCount(_ n: Int) throws {
        guard inputs.count == n else { throw error("expected \(n) inputs, got \(inputs.count)") }
    }

    /// The spec of an op with one input and an output of the same dtype and shape (Identity, ZerosLike, ...).
    public func sameAsSingleInput() throws -> [TensorSpec] {
        try checkInputCount(1)
        return [inputs[0]]
    }

    /// Requires all inputs to share one dtype, returned.
    public func commonDType() throws -> DType {
        guard let first = inputs.first?.dtype else { throw error("expected at least one input") }
        for (i, spec) in inputs.enumerated() where spec.dtype != first {
            throw error("input \(i) has dtype \(spec.dtype) but input 0 has \(first)")
        }
        return first
    }

    public func requireFloat(_ dtype: DType) throws {
        guard dtype.isFloatingPoint else { throw error("expected float32 or float64, got \(dtype)") }
    }

    // MARK: Attributes

    public func type(_ key: String) throws -> DType {
        guard case .type(let t)? = attrs[key] else { throw error("missing type attribute '\(key)'") }
        return t
    }
    public func int(_ key: String, default value: Int? = nil) throws -> Int {
        if case .int(let i)? = attrs[key] { return i }
        if let value { return value }
        throw error("missing int attribute '\(key)'")
    }
    public func bool(_ key: String, default value: Bool) -> Bool {
        if case .bool(let b)? = attrs[key] { return b }
        return value
    }
    public func float(_ key: String, default value: Float? = nil) throws -> Float {
        if case .float(let f)? = attrs[key] { return f }
        if let value { return value }
        throw error("missing float attribute '\(key)'")
    }
    public func shape(_ key: String) throws -> TensorShape {
        guard case .shape(let s)? = attrs[key] else { throw error("missing shape attribute '\(key)'") }
        return s
    }
    public func ints(_ key: String, default value: [Int]? = nil) throws -> [Int] {
        if case .ints(let v)? = attrs[key] { return v }
        if let value { return value }
        throw error("missing list(int) attribute '\(key)'")
    }
    public func string(_ key: String, default value: String? = nil) throws -> String {
        if case .string(let s)? = attrs[key] { return s }
        if let value { return value }
        throw error("missing string attribute '\(key)'")
    }

    /// The value of input `i` when it is known while building (a Const, or the Shape of a fully known tensor).
    public func constantValue(_ i: Int) -> Tensor? {
        graph.constantValue(of: inputEndpoints[i])
    }

    /// The shape described by shape-vector input `i`, as far as it is known while building:
    /// exact for a constant, the static shape of `x` for `Shape(x)`, else just the rank when the vector's length is known.
    public func shapeFromTensor(_ i: Int) -> TensorShape {
        if let dims = constantInts(i) { return TensorShape(dims.map { $0 < 0 ? nil : $0 }) }
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
