// Gradient clipping between `computeGradients` and `applyGradients`, as TF1 programs write it:
//   let pairs = try optimizer.computeGradients(loss)
//   let (clipped, norm) = try g.clipByGlobalNorm(pairs, clipNorm: 5)
//   let train = try optimizer.applyGradients(clipped)

extension Graph {
    /// The global norm √(Σᵢ ‖tᵢ‖²) of the non-nil `tensors`, as TF's `tf.linalg.global_norm`:
    /// √(2 · Σ L2Loss(tᵢ)) under the name scope `global_norm`, a scalar of their dtype.
    /// - Throws: `TensorGraphError.invalidArgument` when every tensor is nil or their dtypes differ.
    public func globalNorm(_ tensors: [Output?], name: String? = nil, file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        let present = tensors.compactMap { $0 }
        guard let first = present.first else { throw TensorGraphError.invalidArgument("global_norm: every tensor is nil") }
        guard present.allSatisfy({ $0.dtype == first.dtype && $0.dtype.isFloatingPoint }) else {
            throw TensorGraphError.invalidArgument("global_norm: tensors must share one float dtype, got \(present.map(\.dtype))")
        }
        return try withNameScope(name ?? "global_norm") {
            let halves = try present.map { try l2Loss($0, file: file, line: line) }
            let half = try sum(stack(halves, file: file, line: line), file: file, line: line)
            return try sqrt(half * 2.0, name: "global_norm", file: file, line: line)
        }
    }

    /// Scales the non-nil `tensors` by clipNorm / max(globalNorm, clipNorm), as TF's `tf.clip_by_global_norm`:
    /// returns them (nil entries stay nil, in place) and the global norm before clipping.
    ///
    /// TF's formula: scale = clipNorm · min(1/norm, 1/clipNorm), plus (norm − norm) so that an infinite or NaN
    /// norm makes every clipped value NaN rather than silently zero; a zero norm gives scale 1. Each result is
    /// an `Identity` of t · scale under the scope `clip_by_global_norm`. `clipNorm` must be positive.
    /// - Throws: `TensorGraphError.invalidArgument` for clipNorm ≤ 0, all-nil tensors or mixed dtypes.
    public func clipByGlobalNorm(_ tensors: [Output?], clipNorm: Double, useNorm: Output? = nil, name: String? = nil,
                                 file: StaticString = #fileID, line: UInt = #line) throws -> (clipped: [Output?], globalNorm: Output) {
        guard clipNorm > 0 else { throw TensorGraphError.invalidArgument("clip_by_global_norm: clipNorm must be positive, got \(clipNorm)") }
        return try withNameScope(name ?? "clip_by_global_norm") {
            let norm = try useNorm ?? globalNorm(tensors, file: file, line: line)
            let limit = try constant(clipNorm, like: norm, file: file, line: line)
            let finiteScale = try limit * minimum(1.0 / norm, 1.0 / limit, file: file, line: line)
            let scale = try finiteScale + (norm - norm)
            let clipped = try tensors.map { t in
                try t.map { try identity($0 * scale, name: "clip_by_global_norm", file: file, line: line) }
            }
            return (clipped, norm)
        }
    }

    /// `clipByGlobalNorm` on `computeGradients`' pairs: each gradient replaced by its clipped value (nil stays
    /// nil), ready for `applyGradients`, and the global norm of the gradients before clipping.
    public func clipByGlobalNorm(_ pairs: [GradientAndVariable], clipNorm: Double, name: String? = nil,
                                 file: StaticString = #fileID, line: UInt = #line) throws -> (clipped: [GradientAndVariable], globalNorm: Output) {
        let (clipped, norm) = try clipByGlobalNorm(pairs.map(\.gradient), clipNorm: clipNorm, name: name, file: file, line: line)
        return (zip(clipped, pairs).map { GradientAndVariable(gradient: $0, variable: $1.variable) }, norm)
    }

    /// Each gradient clipped to [min, max] elementwise (`tf.clip_by_value(g, min, max)` applied to every
    /// gradient of a `computeGradients` list, as TF1 programs do); nil gradients stay nil.
    /// - Throws: `TensorGraphError.invalidArgument` when min > max.
    public func clipByValue(_ pairs: [GradientAndVariable], min: Double, max: Double,
                            file: StaticString = #fileID, line: UInt = #line) throws -> [GradientAndVariable] {
        guard min <= max else { throw TensorGraphError.invalidArgument("clip_by_value: min \(min) is greater than max \(max)") }
        return try pairs.map { pair in
            GradientAndVariable(gradient: try pair.gradient.map { try clipByValue($0, min: min, max: max, file: file, line: line) },
                                variable: pair.variable)
        }
    }
}
