/// The sequence `start, start + delta, ...` up to but excluding `limit` (TF's `Range`, `tf.range`): scalars of
/// `Tidx` (int32, int64, float or double) → a vector of `Tidx`. The Swift type is `RangeOp` so that it does not
/// shadow Swift's `Range`; its wire name is TF's.
///
/// Length, as TF's kernel computes it: integers `(|limit − start| + |delta| − 1) / |delta|`, floats
/// `ceil(|(limit − start) / delta|)` in the element type itself (so float32 `range(0, 1, 0.1)` has 10
/// elements). Values accumulate, `value += delta`, as TF's loop does. `delta` 0, a `delta` pointing away
/// from `limit`, or more than `maximumElements` elements are typed errors (at build time when the inputs
/// are constants), never an allocation. The length depends on the values, so it is known while building
/// only for constant inputs. Not differentiable, as in TF.
public enum RangeOp: NonDifferentiableOp {
    public static let wireName = "Range"
    public static let inputs: [ArgDef] = ["start: Tidx", "limit: Tidx", "delta: Tidx"]
    public static let outputs: [ArgDef] = ["output: Tidx"]
    /// The attributes of `Range`, with TensorFlow's names and defaults.
    public struct Attrs: OpAttributes {
        /// TF attribute `Tidx`: the type of the inputs and output (TF also allows bfloat16, half and small
        /// integers, which TensorGraph does not have; default int32).
        public var Tidx: DType = .int32
        public static let defaults = Attrs()
        public static let fields: [AttrField<Attrs>] = [.type("Tidx", \.Tidx, oneOf: .numeric, required: false)]
    }

    /// The longest sequence a Range node produces (2^28 elements); longer ones are refused, not allocated.
    public static let maximumElements = 1 << 28

    /// Why a (start, limit, delta) triple has no sequence; the message follows TF's.
    struct RangeError: Error {
        let message: String
        init(_ message: String) { self.message = message }
    }

    /// The sequence length for scalar tensors `start`, `limit`, `delta` of one dtype, or the reason there is none.
    static func length(_ start: Tensor, _ limit: Tensor, _ delta: Tensor) -> Result<Int, RangeError> {
        guard [start, limit, delta].allSatisfy({ $0.count == 1 }) else { return .failure(RangeError("start, limit and delta must be scalars")) }
        switch start.dtype {
        case .float: return floatLength(start.scalars(as: Float.self)[0], limit.scalars(as: Float.self)[0], delta.scalars(as: Float.self)[0])
        case .double: return floatLength(start.scalars(as: Double.self)[0], limit.scalars(as: Double.self)[0], delta.scalars(as: Double.self)[0])
        case .int32, .int64: return integerLength(start.integer(at: 0), limit.integer(at: 0), delta.integer(at: 0))
        default: return .failure(RangeError("no kernel for dtype \(start.dtype)"))
        }
    }

    /// TF's checks: `delta` non-zero and pointing from `start` towards `limit` (NaN fails them all).
    static func checkDirection<T: Comparable & AdditiveArithmetic>(_ start: T, _ limit: T, _ delta: T) -> RangeError? {
        if delta == .zero { return RangeError("Requires delta != 0: \(delta)") }
        if delta > .zero { return start <= limit ? nil : RangeError("Requires start <= limit when delta > 0: \(start)/\(limit)") }
        return start >= limit ? nil : RangeError("Requires start >= limit when delta < 0: \(start)/\(limit)")
    }

    static func integerLength(_ start: Int, _ limit: Int, _ delta: Int) -> Result<Int, RangeError> {
        if let error = checkDirection(start, limit, delta) { return .failure(error) }
        // In UInt: |limit − start| of two Int64s always fits there, never overflowing as Int would.
        let distance = start <= limit ? UInt(bitPattern: limit &- start) : UInt(bitPattern: start &- limit)
        let step = delta.magnitude
        let count = distance / step + (distance % step == 0 ? 0 : 1)
        guard count <= UInt(maximumElements) else { return .failure(tooLong("\(count)")) }
        return .success(Int(count))
    }

    static func floatLength<T: FloatScalar>(_ start: T, _ limit: T, _ delta: T) -> Result<Int, RangeError> {
        if let error = checkDirection(start, limit, delta) { return .failure(error) }
        let count = ((limit - start) / delta).magnitude.rounded(.up)
        // Also refuses infinite and NaN counts (an infinite limit), which TF would cast to an undefined size.
        guard count <= T(maximumElements) else { return .failure(tooLong("\(count)")) }
        return .success(Int(count))
    }

    static func tooLong(_ count: String) -> RangeError {
        RangeError("the sequence would have \(count) elements, more than the limit of \(maximumElements)")
    }

    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] {
        let dtype = ctx.attributes(RangeOp.self).Tidx
        for (i, name) in ["start", "limit", "delta"].enumerated() {
            if let r = ctx.inputs[i].shape.rank, r != 0 { throw ctx.error("\(name) must be a scalar, got shape \(ctx.inputs[i].shape)") }
        }
        guard let start = ctx.constantValue(0), let limit = ctx.constantValue(1), let delta = ctx.constantValue(2) else {
            return [TensorSpec(dtype, [nil])]
        }
        switch length(start, limit, delta) {
        case .failure(let error): throw ctx.error(error.message)
        case .success(let n): return [TensorSpec(dtype, [n])]
        }
    }

    public static func compute(_ ctx: KernelContext) throws {
        let start = ctx.input(0), delta = ctx.input(2)
        let count: Int
        switch length(start, ctx.input(1), delta) {
        case .failure(let error): throw ctx.error(error.message)
        case .success(let n): count = n
        }
        let out = try ctx.allocateOutput(0, start.dtype, [count])
        func fill<T: AccumulatingScalar>(_: T.Type) {
            let step = delta.pointer(T.self)[0], values = out.pointer(T.self)
            var value = start.pointer(T.self)[0]
            for i in 0..<count {
                values[i] = value
                value = T.accumulate(value, step)
            }
        }
        switch start.dtype {
        case .float: fill(Float.self)
        case .double: fill(Double.self)
        case .int32: fill(Int32.self)
        case .int64: fill(Int64.self)
        default: throw ctx.error("no kernel for dtype \(start.dtype)")
        }
    }
}

extension Graph {
    /// `start, start + delta, ...` below `limit` (TF's `tf.range`), from scalar tensors of one dtype.
    public func range(start: Output, limit: Output, delta: Output, name: String? = nil,
                      file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try addOutput(RangeOp.self, name: name, [start, limit, delta], attrs: [:], file: file, line: line)
    }

    /// `start, start + delta, ...` below `limit` as int32 (or `dtype`) constants: TF1's `tf.range(start, limit, delta)`.
    public func range(start: Int = 0, limit: Int, delta: Int = 1, dtype: DType = .int32, name: String? = nil,
                      file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try range(start: constant(start, dtype: dtype, name: "range/start", file: file, line: line),
                  limit: constant(limit, dtype: dtype, name: "range/limit", file: file, line: line),
                  delta: constant(delta, dtype: dtype, name: "range/delta", file: file, line: line), name: name, file: file, line: line)
    }

    /// `start, start + delta, ...` below `limit` as float32 (or `dtype`) constants: TF1's `tf.range(0.0, 1.0, 0.1)`.
    public func range(start: Double = 0, limit: Double, delta: Double = 1, dtype: DType = .float, name: String? = nil,
                      file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try range(start: constant(start, dtype: dtype, name: "range/start", file: file, line: line),
                  limit: constant(limit, dtype: dtype, name: "range/limit", file: file, line: line),
                  delta: constant(delta, dtype: dtype, name: "range/delta", file: file, line: line), name: name, file: file, line: line)
    }
}
