/// Shared machinery for elementwise ops. Each op still lives in its own file and
/// supplies only its scalar function and gradient rule.

/// An op applying a scalar function to each element of one float tensor.
public protocol UnaryFloatOp: FloatKernelOp where Attrs == TypeAttributes<FloatTypes> {
    static func apply<T: FloatScalar>(_ x: T) -> T
}

extension UnaryFloatOp {
    public static var inputs: [ArgDef] { ["x: T"] }
    public static var outputs: [ArgDef] { ["y: T"] }
    /// True: output element k depends only on input element k, so the output may reuse the input's buffer.
    public static var writesElementwise: Bool { true }
    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] { [ctx.inputs[0]] }

    public static func compute<T: FloatScalar>(_ ctx: KernelContext, as _: T.Type) throws {
        let x = ctx.input(0)
        let out = try ctx.allocateOutput(0, x.dtype, x.shape)
        unaryKernel(Self.self, x.pointer(T.self), out.pointer(T.self), x.count)
    }
}

/// `dst[i] = Op.apply(src[i])`, split across workers for large tensors. Generic over the op type (not a
/// closure) so the scalar function is inlined into each worker's loop.
@inline(__always)
func unaryKernel<O: UnaryFloatOp, T: FloatScalar>(_ op: O.Type, _ src: UnsafePointer<T>, _ dst: UnsafeMutablePointer<T>, _ n: Int) {
    Parallelism.forRanges(n, work: n, minimumWork: 1 << 15, UnaryJob<O, T>(src: src, dst: dst))
}

struct UnaryJob<O: UnaryFloatOp, T: FloatScalar>: RangeJob {
    let src: UnsafePointer<T>, dst: UnsafeMutablePointer<T>
    func run(_ range: Range<Int>) { for i in range { dst[i] = O.apply(src[i]) } }
}

/// `dst[i] = Op.apply(a[i], b[i])` for same-shape activation gradients, split across workers.
@inline(__always)
func activationGradKernel<O: ActivationGradOp, T: FloatScalar>(_ op: O.Type, _ a: UnsafePointer<T>, _ b: UnsafePointer<T>,
                                                               _ dst: UnsafeMutablePointer<T>, _ n: Int) {
    Parallelism.forRanges(n, work: n, minimumWork: 1 << 15, ActivationGradJob<O, T>(a: a, b: b, dst: dst))
}

struct ActivationGradJob<O: ActivationGradOp, T: FloatScalar>: RangeJob {
    let a: UnsafePointer<T>, b: UnsafePointer<T>, dst: UnsafeMutablePointer<T>
    func run(_ range: Range<Int>) { for i in range { dst[i] = O.apply(a[i], b[i]) } }
}

/// An op combining two tensors elementwise with numpy broadcasting (float, and optionally integer).
public protocol BinaryArithmeticOp: Op where Attrs == TypeAttributes<NumericTypes> {
    static func apply<T: FloatScalar>(_ a: T, _ b: T) -> T
    /// Integer version; nil when the op is float-only.
    static func applyInteger<T: FixedWidthInteger>(_ a: T, _ b: T) -> T?
}

extension BinaryArithmeticOp {
    public static var inputs: [ArgDef] { ["x: T", "y: T"] }
    public static var outputs: [ArgDef] { ["z: T"] }
    /// True: the inputs broadcast numpy-style, so each input's gradient is summed back to that input's shape.
    public static var broadcastsInputs: Bool { true }
    /// True: element k of the output reads only element k of each same-shape input, so it may reuse an input's buffer.
    public static var writesElementwise: Bool { true }
    /// Float-only by default: nil here makes building the op with an integer dtype throw.
    public static func applyInteger<T: FixedWidthInteger>(_ a: T, _ b: T) -> T? { nil }
    static var supportsIntegers: Bool { applyInteger(Int32(1), Int32(1)) != nil }

    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] {
        let dtype = ctx.inputs[0].dtype
        guard dtype.isFloatingPoint || supportsIntegers else { throw ctx.error("\(wireName) has no \(dtype) kernel") }
        guard let shape = TensorShape.broadcast(ctx.inputs[0].shape, ctx.inputs[1].shape) else {
            throw ctx.error("shapes \(ctx.inputs[0].shape) and \(ctx.inputs[1].shape) are not broadcast-compatible")
        }
        return [TensorSpec(dtype, shape)]
    }

    public static func compute(_ ctx: KernelContext) throws { try computeBroadcast(ctx) }

    /// The broadcasting kernel: `apply` (or `applyInteger`) over every output element. Ops that check their
    /// operands first (integer division by zero) call it from their own `compute`.
    static func computeBroadcast(_ ctx: KernelContext) throws {
        let x = ctx.input(0), y = ctx.input(1)
        let shape = try ctx.derived { () throws -> [Int] in
            guard let shape = broadcastShapes(x.shape, y.shape) else {
                throw ctx.error("shapes \(x.shape) and \(y.shape) are not broadcast-compatible")
            }
            return shape
        }
        let out = try ctx.allocateOutput(0, x.dtype, shape)
        switch x.dtype {
        case .float: mapBinaryOp(Self.self, Float.self, x, y, out)
        case .double: mapBinaryOp(Self.self, Double.self, x, y, out)
        case .int32: mapBinary(x, y, out) { (a: Int32, b: Int32) in applyInteger(a, b) ?? 0 }
        case .int64: mapBinary(x, y, out) { (a: Int64, b: Int64) in applyInteger(a, b) ?? 0 }
        default: throw ctx.error("no kernel for dtype \(x.dtype)")
        }
    }
}

/// An elementwise comparison with broadcasting, producing bool.
public protocol ComparisonOp: NonDifferentiableOp {
    static func compare<T: Comparable>(_ a: T, _ b: T) -> Bool
}

extension ComparisonOp {
    public static var inputs: [ArgDef] { ["x: T", "y: T"] }
    public static var outputs: [ArgDef] { ["z: bool"] }
    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] {
        guard let shape = TensorShape.broadcast(ctx.inputs[0].shape, ctx.inputs[1].shape) else {
            throw ctx.error("shapes \(ctx.inputs[0].shape) and \(ctx.inputs[1].shape) are not broadcast-compatible")
        }
        return [TensorSpec(.bool, shape)]
    }

    public static func compute(_ ctx: KernelContext) throws {
        let x = ctx.input(0), y = ctx.input(1)
        let shape = try ctx.derived { () throws -> [Int] in
            guard let shape = broadcastShapes(x.shape, y.shape) else {
                throw ctx.error("shapes \(x.shape) and \(y.shape) are not broadcast-compatible")
            }
            return shape
        }
        let out = try ctx.allocateOutput(0, .bool, shape)
        switch x.dtype {
        case .float: mapBinary(x, y, out) { (a: Float, b: Float) in compare(a, b) }
        case .double: mapBinary(x, y, out) { (a: Double, b: Double) in compare(a, b) }
        case .int32: mapBinary(x, y, out) { (a: Int32, b: Int32) in compare(a, b) }
        case .int64: mapBinary(x, y, out) { (a: Int64, b: Int64) in compare(a, b) }
        case .uint8: mapBinary(x, y, out) { (a: UInt8, b: UInt8) in compare(a, b) }
        case .bool: mapBinary(x, y, out) { (a: Bool, b: Bool) in compare(a ? 1 : 0, b ? 1 : 0) }
        }
    }
}

/// A gradient op `f(y, dy)` of an activation, given its forward output `y` (TanhGrad, SigmoidGrad) or input (ReluGrad).
public protocol ActivationGradOp: FloatKernelOp where Attrs == TypeAttributes<FloatTypes> {
    static func apply<T: FloatScalar>(_ y: T, _ dy: T) -> T
}

extension ActivationGradOp {
    /// TF's argument names differ per op (`y, dy`; `gradients, features`); the types do not.
    public static var inputs: [ArgDef] { ["a: T", "b: T"] }
    public static var outputs: [ArgDef] { ["backprops: T"] }
    /// True: both inputs have the output's shape and element k reads only element k of each.
    public static var writesElementwise: Bool { true }
    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] {
        let dtype = ctx.inputs[0].dtype
        guard ctx.inputs[0].shape.isCompatible(with: ctx.inputs[1].shape) else {
            throw ctx.error("shapes \(ctx.inputs[0].shape) and \(ctx.inputs[1].shape) must match")
        }
        return [TensorSpec(dtype, ctx.inputs[0].shape.merged(with: ctx.inputs[1].shape))]
    }

    public static func compute<T: FloatScalar>(_ ctx: KernelContext, as _: T.Type) throws {
        let y = ctx.input(0), dy = ctx.input(1)
        guard y.shape == dy.shape else { throw ctx.error("shapes \(y.shape) and \(dy.shape) must match") }
        let out = try ctx.allocateOutput(0, y.dtype, y.shape)
        activationGradKernel(Self.self, y.pointer(T.self), dy.pointer(T.self), out.pointer(T.self), y.count)
    }
}

/// `f` evaluated in Double and rounded to `T`, for the C functions without a generic Swift form (`erf`,
/// `erfc`, `log1p`, `expm1`): for Float this is at least as accurate as the `f`-suffixed C variants.
@inline(__always)
func viaDouble<T: FloatScalar>(_ x: T, _ f: (Double) -> Double) -> T { T(f(Double(x))) }
