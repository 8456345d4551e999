/// A value an optimizer takes either as a number or as a tensor — a decaying schedule driven by the
/// global step, a fed placeholder — as TF1's optimizers take `learning_rate=0.01` or a `Tensor`.
///
/// ```swift
/// let rate = try g.placeholder(default: g.constant(Float(0.1)), shape: [], name: "learning_rate")
/// let step = try GradientDescentOptimizer(learningRate: rate).minimize(loss)
/// ```
public protocol HyperParameter {
    /// The value as a scalar of `dtype` in `graph` (a `Const` named `name` for a number).
    func hyperParameterOutput(in graph: Graph, dtype: DType, name: String) throws -> Output
}

extension Double: HyperParameter {
    /// A scalar `Const` named `name`: float64 when `dtype` is `.double`, float32 otherwise.
    public func hyperParameterOutput(in graph: Graph, dtype: DType, name: String) throws -> Output {
        try graph.constant(dtype == .double ? Tensor(self) : Tensor(Float(self)), name: name)
    }
}

extension Float: HyperParameter {
    /// As for `Double`: a float32 or float64 scalar `Const` matching `dtype`.
    public func hyperParameterOutput(in graph: Graph, dtype: DType, name: String) throws -> Output {
        try Double(self).hyperParameterOutput(in: graph, dtype: dtype, name: name)
    }
}

extension Int: HyperParameter {
    /// As for `Double`: `learningRate: 1` becomes a float `Const`, never an integer one.
    public func hyperParameterOutput(in graph: Graph, dtype: DType, name: String) throws -> Output {
        try Double(self).hyperParameterOutput(in: graph, dtype: dtype, name: name)
    }
}

extension Output: HyperParameter {
    /// The tensor itself, cast to `dtype` when it is another float type; it must be a scalar of this graph.
    public func hyperParameterOutput(in graph: Graph, dtype: DType, name: String) throws -> Output {
        guard self.graph === graph else { throw TensorGraphError.foreignGraph("hyper-parameter '\(name)' (\(self.name))") }
        guard shape.rank == nil || shape.rank == 0 else {
            throw TensorGraphError.invalidArgument("hyper-parameter '\(name)' must be a scalar, got \(self.name) of shape \(shape)")
        }
        guard self.dtype.isFloatingPoint else {
            throw TensorGraphError.invalidArgument("hyper-parameter '\(name)' must be float32 or float64, got \(self.name) of dtype \(self.dtype)")
        }
        return self.dtype == dtype ? self : try graph.cast(self, to: dtype)
    }
}
