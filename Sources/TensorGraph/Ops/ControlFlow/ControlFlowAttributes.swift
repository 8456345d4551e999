/// Attribute fields and shape rules the control-flow ops (`If`, `While`) share.
extension AttrField {
    /// A `func` attribute (a library function's name); always required.
    static func function(_ name: String, _ path: WritableKeyPath<Root, FunctionReference> & Sendable) -> Self {
        Self(name, .function, required: true, allowed: nil,
             read: { .function($0[keyPath: path]) }, write: { if case .function(let v) = $1 { $0[keyPath: path] = v } })
    }
    /// A `list(shape)` attribute, never required; an empty `list {}` decodes to `[]`.
    static func shapes(_ name: String, _ path: WritableKeyPath<Root, [TensorShape]> & Sendable) -> Self {
        Self(name, .shapes, required: false, allowed: nil, read: { .shapes($0[keyPath: path]) }, write: {
            if case .shapes(let v) = $1 { $0[keyPath: path] = v } else if case .ints([]) = $1 { $0[keyPath: path] = [] }
        })
    }
}

extension TensorShape {
    /// The most specific shape both `self` and `other` fit (dimensions that differ become unknown;
    /// different ranks give an unknown shape): the shape of a value that may come from either.
    func relaxed(with other: TensorShape) -> TensorShape {
        guard let a = dims, let b = other.dims, a.count == b.count else { return .unknown }
        return TensorShape(zip(a, b).map { $0 == $1 ? $0 : nil })
    }
}

extension InferenceContext {
    /// The library function `reference` names, checked against the argument and result dtypes the
    /// node declares; the error names the attribute.
    func function(_ reference: FunctionReference, attribute: String, arguments: [DType], results: [DType]?) throws -> GraphFunction {
        guard let function = graph.library.function(named: reference.name) else {
            throw error("attribute '\(attribute)' names function '\(reference.name)', which is not in the graph's library")
        }
        let argumentTypes = function.argumentSpecs.map(\.dtype), resultTypes = function.resultSpecs.map(\.dtype)
        guard argumentTypes == arguments else {
            throw error("function '\(reference.name)' (\(attribute)) takes \(argumentTypes), the node passes \(arguments)")
        }
        if let results, resultTypes != results {
            throw error("function '\(reference.name)' (\(attribute)) returns \(resultTypes), the node expects \(results)")
        }
        return function
    }

    /// The node's `output_shapes` when given (one per output), else `inferred`.
    func outputSpecs(_ dtypes: [DType], declared: [TensorShape], inferred: [TensorShape]) throws -> [TensorSpec] {
        if declared.isEmpty { return zip(dtypes, inferred).map { TensorSpec($0, $1) } }
        guard declared.count == dtypes.count else {
            throw error("attribute 'output_shapes' lists \(declared.count) shapes for \(dtypes.count) outputs")
        }
        return zip(dtypes, declared).map { TensorSpec($0, $1) }
    }
}
