// Builders for functions TF's Python writes with a few existing ops (no op of their own), emitting the ops
// TensorFlow 2.21 emits, under the same name scope; where TF names the last node after the scope
// (`clip_by_value`, `l2_normalize`, `LogSigmoid`), so does the builder.

extension Graph {
    /// The Gaussian error linear unit, as `tf.nn.gelu` (TF 2.21) writes it.
    ///
    /// Exact (default): 0.5 · x · erfc(−x · 0.7071067811865476), i.e. x · Φ(x) (TF 2.21 uses `Erfc`, which stays
    /// accurate for very negative x). With `approximate`: 0.5 · x · (1 + tanh(0.7978845608028654 · (x + 0.044715 · x³))),
    /// x³ as `Pow(x, 3)`. Under the name scope `name` (default `Gelu`); float32 or float64, same shape.
    /// TF writes 0.7071067811865476 and 0.044715 as `cast(python_float, dtype)`, which rounds them to float32 first
    /// even for float64 x; so does this builder: gelu(−3) in float64 is −0.004049694777521031 exact and
    /// −0.0036373923237907335 approximate, as TensorFlow 2.21 gives.
    public func gelu(_ x: Output, approximate: Bool = false, name: String? = nil,
                     file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try withNameScope(name ?? "Gelu") {
            let half = try mul(constant(0.5, like: x, file: file, line: line), x, file: file, line: line)
            if approximate {
                let cube = try pow(x, constant(3.0, like: x, file: file, line: line), file: file, line: line)
                let inner = try add(x, mul(constant(Double(Float(0.044715)), like: x, file: file, line: line), cube, file: file, line: line),
                                    file: file, line: line)
                let scaled = try mul(constant(0.7978845608028654, like: x, file: file, line: line), inner, file: file, line: line)
                let onePlus = try add(constant(1.0, like: x, file: file, line: line), tanh(scaled, file: file, line: line),
                                      file: file, line: line)
                return try mul(half, onePlus, file: file, line: line)
            }
            let scaled = try mul(neg(x, file: file, line: line), constant(Double(Float(0.7071067811865476)), like: x, file: file, line: line),
                                 file: file, line: line)
            return try mul(half, erfc(scaled, file: file, line: line), file: file, line: line)
        }
    }

    /// Swish / SiLU, x · sigmoid(β · x) (`tf.nn.silu`, `tf.nn.swish`); with the default β = 1 just x · sigmoid(x).
    ///
    /// TF wraps it in a custom gradient that recomputes the sigmoid to save memory; the gradient built here
    /// from `Mul` and `Sigmoid` has the same value. Float32 or float64, same shape; the last `Mul` is named `name`.
    public func swish(_ x: Output, beta: Double = 1, name: String? = nil,
                      file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        let argument = beta == 1 ? x : try mul(constant(beta, like: x, file: file, line: line), x, file: file, line: line)
        return try mul(x, sigmoid(argument, file: file, line: line), name: name, file: file, line: line)
    }

    /// `x` clipped to [min, max], as TF's `tf.clip_by_value`: `Minimum(x, max)` then `Maximum(·, min)`, under the
    /// name scope `clip_by_value`, its `Maximum` named after the scope.
    ///
    /// `min` and `max` are scalar constants of x's dtype.
    public func clipByValue(_ x: Output, min: Double, max: Double, name: String? = nil,
                            file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try withNameScope(name ?? "clip_by_value") {
            let low = try constant(min, like: x, file: file, line: line), high = try constant(max, like: x, file: file, line: line)
            return try clipInScope(x, low, high, file: file, line: line)
        }
    }

    /// `x` clipped to [min, max] elementwise, as `tf.clip_by_value` with tensor bounds; `min` and `max` must have
    /// x's dtype and broadcast to x's shape without enlarging it (TF's check), or building throws.
    public func clipByValue(_ x: Output, min: Output, max: Output, name: String? = nil,
                            file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try withNameScope(name ?? "clip_by_value") { try clipInScope(x, min, max, file: file, line: line) }
    }

    private func clipInScope(_ x: Output, _ low: Output, _ high: Output, file: StaticString, line: UInt) throws -> Output {
        let scope = String(currentScope.dropLast())
        // TF asserts that neither bound broadcasts x to a larger shape.
        for bound in [high, low] {
            guard let shape = TensorShape.broadcast(x.shape, bound.shape), x.shape.isCompatible(with: shape) else {
                throw TensorGraphError.invalidGraph(op: "clip_by_value", node: scope,
                                                    message: "clipping bound \(bound.shape) would enlarge x \(x.shape)",
                                                    location: SourceLocation(file: file, line: line))
            }
        }
        let upper = try minimum(x, high, name: "Minimum", file: file, line: line)
        return try addScopeOutput(Maximum.self, [upper, low], exactName: scope, file: file, line: line)
    }

    /// `x` divided by its L2 norm along `axis`, as `tf.math.l2_normalize`: x · rsqrt(max(Σ x², epsilon)), so a norm
    /// below √epsilon divides by √epsilon instead. Under the name scope `l2_normalize`, its `Mul` named after the scope.
    public func l2Normalize(_ x: Output, axis: Int, epsilon: Double = 1e-12, name: String? = nil,
                            file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try l2Normalize(x, axes: [axis], epsilon: epsilon, name: name, file: file, line: line)
    }

    /// `x` divided by its L2 norm over `axes` (all axes when nil), as `tf.math.l2_normalize` with a list of axes.
    public func l2Normalize(_ x: Output, axes: [Int]? = nil, epsilon: Double = 1e-12, name: String? = nil,
                            file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try withNameScope(name ?? "l2_normalize") {
            let scope = String(currentScope.dropLast())
            let squareSum = try sum(square(x, file: file, line: line), axes: axes, keepDims: true, file: file, line: line)
            let clamped = try maximum(squareSum, constant(epsilon, like: x, file: file, line: line), file: file, line: line)
            return try addScopeOutput(Mul.self, [x, rsqrt(clamped, file: file, line: line)], exactName: scope, file: file, line: line)
        }
    }

    /// log(sigmoid(x)) without overflow, as `tf.math.log_sigmoid`: −softplus(−x), under the name scope `LogSigmoid`,
    /// its last `Neg` named after the scope. Float32 or float64, same shape.
    public func logSigmoid(_ x: Output, name: String? = nil, file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try withNameScope(name ?? "LogSigmoid") {
            let scope = String(currentScope.dropLast())
            let softplusOfNegative = try softplus(neg(x, file: file, line: line), file: file, line: line)
            return try addScopeOutput(Neg.self, [softplusOfNegative], exactName: scope, file: file, line: line)
        }
    }

    /// Adds a node named exactly `exactName`: the name of the scope being built, which TF's Python gives a
    /// composite's last node.
    private func addScopeOutput(_ op: any Op.Type, _ inputs: [Output], exactName: String,
                                file: StaticString, line: UInt) throws -> Output {
        for input in inputs where input.graph !== self {
            throw TensorGraphError.foreignGraph("input '\(input.name)' of a new \(op.wireName) node")
        }
        let node = try addNode(op, exactName: exactName, inputs: inputs.map(\.endpoint), attrs: [:], controlInputs: [],
                               location: SourceLocation(file: file, line: line))
        return Output(graph: self, node: node, index: 0)
    }
}
