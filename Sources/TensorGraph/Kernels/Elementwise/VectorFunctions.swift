import CKernels

/// A float32 transcendental function with a vectorised C loop (`Sources/CKernels/elementwise.c`,
/// compiled for AVX-512, AVX2 and the baseline): a few ulp from the correctly rounded value, NaN in
/// gives NaN out, ±inf give the function's limits.
enum VectorFunction {
    case exp, sigmoid, tanh, erf, erfc

    /// `dst[i] = f(src[i])` for `count` elements on the calling thread; `dst` may be `src`.
    func apply(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, count: Int) {
        switch self {
        case .exp: tg_exp_f32(src, dst, count)
        case .sigmoid: tg_sigmoid_f32(src, dst, count)
        case .tanh: tg_tanh_f32(src, dst, count)
        case .erf: tg_erf_f32(src, dst, count)
        case .erfc: tg_erfc_f32(src, dst, count)
        }
    }
}

/// The kernel of a unary float op with a vectorised float32 loop: `y = f(x)`, same shape; float32 through
/// `function`'s C loop split across workers for large tensors, float64 through the op's scalar `apply`.
func computeVectorised<O: UnaryFloatOp, T: FloatScalar>(_ ctx: KernelContext, _ op: O.Type, _: T.Type,
                                                         _ function: VectorFunction) throws {
    let x = ctx.input(0)
    let out = try ctx.allocateOutput(0, x.dtype, x.shape)
    vectorMap(op, function, x.pointer(T.self), out.pointer(T.self), x.count)
}

/// `dst[i] = f(src[i])`: float32 through `function` (workers split ranges of at least 2¹⁵ elements),
/// other types through `O.apply`, the reference the tests compare with.
@inline(__always)
func vectorMap<O: UnaryFloatOp, T: FloatScalar>(_ op: O.Type, _ function: VectorFunction, _ src: UnsafePointer<T>,
                                                _ dst: UnsafeMutablePointer<T>, _ count: Int) {
    guard T.self == Float.self else { return unaryKernel(op, src, dst, count) }
    let job = VectorFunctionJob(function: function, src: UnsafeRawPointer(src).assumingMemoryBound(to: Float.self),
                                dst: UnsafeMutableRawPointer(dst).assumingMemoryBound(to: Float.self))
    Parallelism.forRanges(count, work: count, minimumWork: 1 << 15, job)
}

/// One worker's range of a vectorised map.
struct VectorFunctionJob: RangeJob {
    let function: VectorFunction
    let src: UnsafePointer<Float>, dst: UnsafeMutablePointer<Float>

    func run(_ range: Range<Int>) {
        function.apply(src + range.lowerBound, dst + range.lowerBound, count: range.count)
    }
}
