/// How an op takes part in differentiation.
public enum Differentiability: Sendable {
    /// The op has a gradient rule (`gradient(_:)`).
    case differentiable
    /// The op's outputs carry no gradient (ArgMax, Shape, Equal, ...): paths through it contribute nothing.
    case notDifferentiable
    /// Differentiating through the op is an error.
    case missing
}

/// An op type: TensorFlow wire name, shape inference, CPU kernel and gradient rule in one place.
///
/// Each conforming type lives in its own file under `Ops/`, next to its `Graph` builder,
/// and is listed once in `OpRegistry`.
public protocol Op {
    /// The TensorFlow op name written to a GraphDef, e.g. `MatMul`.
    static var wireName: String { get }
    /// The attributes, as a typed struct with TF's names and defaults (see `OpSchema.swift`).
    associatedtype Attrs: OpAttributes = NoAttributes
    /// The inputs as TF declares them (`"a: T"`, `"values: N * T"`), checked and used to infer type attributes.
    static var inputs: [ArgDef] { get }
    /// The outputs as TF declares them; `inferOutputs` must return one spec per output.
    static var outputs: [ArgDef] { get }
    /// Indices of inputs that take a variable itself rather than its value (`Assign`'s `ref`).
    static var refInputs: Set<Int> { get }
    /// Stateful ops (random numbers, variable updates) must run every time they are reached.
    static var isStateful: Bool { get }
    /// True when the outputs depend only on the inputs' shapes, not their values (`Shape`). The
    /// plan then skips the op, and pure ops computed from it alone, while those shapes stay the same.
    static var readsOnlyInputShapes: Bool { get }
    /// True when output element k depends only on input elements k (same-shape inputs) and the kernel
    /// reads each before writing it, so the output may share an input's buffer.
    static var writesElementwise: Bool { get }
    /// True when the op broadcasts its inputs numpy-style; the gradient driver then
    /// reduces each input's gradient back to that input's shape.
    static var broadcastsInputs: Bool { get }
    /// How differentiation treats the op; defaults to `.differentiable` (and then to a `gradient` that throws).
    static var differentiability: Differentiability { get }

    /// Dtypes and build-time shapes of the outputs; throws `ctx.error(...)` for bad inputs.
    static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec]
    /// Computes the outputs from the inputs.
    static func compute(_ ctx: KernelContext) throws
    /// One gradient per input (nil where an input gets none), built as graph nodes.
    static func gradient(_ ctx: GradientContext) throws -> [Output?]
}

/// The element-type dispatch every float kernel shares: an op implements `compute(_:as:)` once,
/// generic over the element type, and this extension calls it with the dtype of input
/// `dispatchInput` (float32 or float64; anything else is a typed error naming the node).
public protocol FloatKernelOp: Op {
    /// The input whose dtype selects the element type (default 0).
    static var dispatchInput: Int { get }
    /// The kernel body, called once per run with `T` matching input `dispatchInput`'s dtype.
    static func compute<T: FloatScalar>(_ ctx: KernelContext, as type: T.Type) throws
}

extension FloatKernelOp {
    /// Input 0 selects the element type unless the op says otherwise.
    public static var dispatchInput: Int { 0 }
    /// Dispatches to `compute(_:as:)` on `Float` or `Double`.
    /// - Throws: A kernel error naming the node when input `dispatchInput` is neither float32 nor float64.
    public static func compute(_ ctx: KernelContext) throws {
        let dtype = ctx.input(dispatchInput).dtype
        switch dtype {
        case .float: try compute(ctx, as: Float.self)
        case .double: try compute(ctx, as: Double.self)
        default: throw ctx.error("no kernel for dtype \(dtype)")
        }
    }
}

extension Op {
    /// Derived from the `Ref(T)` arguments of `inputs`.
    public static var refInputs: Set<Int> { Set(inputs.indices.filter { inputs[$0].isReference }) }
    /// Ops are pure by default, so the plan may cache or fold them.
    public static var isStateful: Bool { false }
    /// By default an op reads its inputs' values.
    public static var readsOnlyInputShapes: Bool { false }
    /// By default an output never shares an input's buffer.
    public static var writesElementwise: Bool { false }
    /// By default inputs are not broadcast, so gradients are used at the shape the rule returns.
    public static var broadcastsInputs: Bool { false }
    /// Ops are differentiable by default; one without a `gradient` rule then fails when differentiated through.
    public static var differentiability: Differentiability { .differentiable }
    /// Default gradient rule for ops that define none.
    /// - Throws: `TensorGraphError.notDifferentiable` naming the op and node, whenever differentiation reaches it.
    public static func gradient(_ ctx: GradientContext) throws -> [Output?] {
        throw TensorGraphError.notDifferentiable(op: wireName, node: ctx.node.name)
    }
}

/// An op whose outputs never carry gradients.
public protocol NonDifferentiableOp: Op {}
extension NonDifferentiableOp {
    /// Paths through the op contribute no gradient, and reaching it is not an error.
    public static var differentiability: Differentiability { .notDifferentiable }
}
