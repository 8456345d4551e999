// Learning-rate schedules driven by the global step, built as ops the way TF1's `tf.compat.v1.train.*_decay`
// functions build them (each a scalar `Output` re-evaluated every step), so they pass straight to an optimizer:
//   let rate = try g.exponentialDecay(learningRate: 0.1, globalStep: g.globalStep(), decaySteps: 1000, decayRate: 0.96)
//   let train = try GradientDescentOptimizer(learningRate: rate).minimize(loss, globalStep: g.globalStep())

extension Graph {
    /// `learningRate · decayRate^(step / decaySteps)`, as TF1's `tf.compat.v1.train.exponential_decay`; with
    /// `staircase` the exponent is floored, so the rate drops in steps every `decaySteps`.
    ///
    /// `globalStep` is a scalar of any number type (the int64 `g.globalStep()`), cast to `dtype` (float32 by
    /// default, as TF's float learning rate), as are `decaySteps` and `decayRate`. Ops: Cast, RealDiv, [Floor,]
    /// Pow, Mul, under the scope `ExponentialDecay`; the scalar result has `dtype`.
    /// - Throws: `TensorGraphError.invalidArgument` when decaySteps ≤ 0 or `globalStep` is not a scalar.
    public func exponentialDecay(learningRate: Double, globalStep: Output, decaySteps: Int, decayRate: Double,
                                 staircase: Bool = false, dtype: DType = .float, name: String? = nil,
                                 file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try checkSchedule("exponential_decay", globalStep, dtype, decaySteps: decaySteps)
        return try withNameScope(name ?? "ExponentialDecay") {
            let rate = try constant(learningRate, dtype: dtype, name: "initial_learning_rate", file: file, line: line)
            let steps = try constant(Double(decaySteps), dtype: dtype, name: "decay_steps", file: file, line: line)
            let base = try constant(decayRate, dtype: dtype, name: "decay_rate", file: file, line: line)
            var exponent = try div(cast(globalStep, to: dtype, file: file, line: line), steps, file: file, line: line)
            if staircase { exponent = try floor(exponent, file: file, line: line) }
            return try mul(rate, pow(base, exponent, file: file, line: line), file: file, line: line)
        }
    }

    /// A rate constant between boundaries of the global step, as TF1's `tf.compat.v1.train.piecewise_constant`:
    /// `values[0]` while step ≤ `boundaries[0]`, `values[i]` while `boundaries[i-1]` < step ≤ `boundaries[i]`,
    /// and `values.last` after the last boundary.
    ///
    /// TF builds a `case`; with no control flow here it is a chain of `Select`s on `LessEqual(step, boundary)`
    /// (the same values), under the scope `PiecewiseConstant`. Boundaries are compared in the step's dtype;
    /// the values are constants of `dtype`.
    /// - Throws: `TensorGraphError.invalidArgument` unless values has one more entry than boundaries, the
    ///   boundaries increase, and `globalStep` is a scalar.
    public func piecewiseConstant(globalStep: Output, boundaries: [Int], values: [Double], dtype: DType = .float, name: String? = nil,
                                  file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try checkSchedule("piecewise_constant", globalStep, dtype, decaySteps: 1)
        guard values.count == boundaries.count + 1 else {
            throw TensorGraphError.invalidArgument(
                "piecewise_constant: \(values.count) values for \(boundaries.count) boundaries (needs one more value)")
        }
        guard zip(boundaries, boundaries.dropFirst()).allSatisfy({ $0 < $1 }) else {
            throw TensorGraphError.invalidArgument("piecewise_constant: boundaries \(boundaries) must increase")
        }
        return try withNameScope(name ?? "PiecewiseConstant") {
            var result = try constant(values[values.count - 1], dtype: dtype, file: file, line: line)
            for (boundary, value) in zip(boundaries, values).reversed() {
                let bound = try constant(Double(boundary), like: globalStep, file: file, line: line)
                let within = try lessEqual(globalStep, bound, file: file, line: line)
                result = try select(within, constant(value, dtype: dtype, file: file, line: line), result, file: file, line: line)
            }
            return result
        }
    }

    /// Cosine decay from `learningRate` to `alpha · learningRate` over `decaySteps`, then constant, as TF1's
    /// `tf.compat.v1.train.cosine_decay`: with p = min(step, decaySteps)/decaySteps,
    /// rate = learningRate · ((1 − alpha) · ½(1 + cos(π·p)) + alpha).
    ///
    /// Ops: Cast, Minimum, RealDiv, Mul, Cos, AddV2, under the scope `CosineDecay`; the scalar result has `dtype`.
    /// - Throws: `TensorGraphError.invalidArgument` when decaySteps ≤ 0 or `globalStep` is not a scalar.
    public func cosineDecay(learningRate: Double, globalStep: Output, decaySteps: Int, alpha: Double = 0, dtype: DType = .float,
                            name: String? = nil, file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try checkSchedule("cosine_decay", globalStep, dtype, decaySteps: decaySteps)
        return try withNameScope(name ?? "CosineDecay") {
            let rate = try constant(learningRate, dtype: dtype, name: "initial_learning_rate", file: file, line: line)
            let steps = try constant(Double(decaySteps), dtype: dtype, file: file, line: line)
            let step = try minimum(cast(globalStep, to: dtype, file: file, line: line), steps, file: file, line: line)
            let fraction = try div(step, steps, file: file, line: line)
            let cosine = try 0.5 * (1.0 + cos(constant(Double.pi, dtype: dtype) * fraction, file: file, line: line))
            let decayed = try (1 - alpha) * cosine + alpha
            return try mul(rate, decayed, file: file, line: line)
        }
    }

    private func checkSchedule(_ what: String, _ globalStep: Output, _ dtype: DType, decaySteps: Int) throws {
        guard decaySteps > 0 else { throw TensorGraphError.invalidArgument("\(what): decaySteps must be positive, got \(decaySteps)") }
        guard globalStep.graph === self else { throw TensorGraphError.foreignGraph("\(what) global step '\(globalStep.name)'") }
        guard globalStep.shape.rank == nil || globalStep.shape.rank == 0 else {
            throw TensorGraphError.invalidArgument("\(what): global step must be a scalar, got \(globalStep.name) of shape \(globalStep.shape)")
        }
        guard dtype.isFloatingPoint else { throw TensorGraphError.invalidArgument("\(what): dtype must be float32 or float64, got \(dtype)") }
    }
}
