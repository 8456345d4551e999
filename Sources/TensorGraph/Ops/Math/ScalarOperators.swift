// Arithmetic operators between outputs and Swift numbers, as TF1's Python operators mix tensors and
// literals: `x * 0.5`, `1 - p`, `loss + 1e-3 * l2`. The number becomes a scalar `Const` of the
// output's dtype (float32 for a float32 output, not float64), then broadcasts.
//
// Operators carry no source location (Swift gives an operator no `#line` of its caller); errors from
// nodes they build name the op and node. The builder forms (`g.mul(x, y)`, `g.add(...)`) record the
// caller's file and line.

/// `x + y`, `y` becoming a scalar `Const` of `x`'s dtype (truncated for integers): TF1's `x + 0.5`.
public func + (x: Output, y: Double) throws -> Output { try x + x.graph.constant(y, like: x, file: "", line: 0) }
/// `x + y`, `x` becoming a scalar `Const` of `y`'s dtype (truncated for integers): TF1's `0.5 + y`.
public func + (x: Double, y: Output) throws -> Output { try y.graph.constant(x, like: y, file: "", line: 0) + y }
/// `x − y`, `y` becoming a scalar `Const` of `x`'s dtype (truncated for integers): TF1's `x - 0.5`.
public func - (x: Output, y: Double) throws -> Output { try x - x.graph.constant(y, like: x, file: "", line: 0) }
/// `x − y`, `x` becoming a scalar `Const` of `y`'s dtype (truncated for integers): TF1's `1 - p`.
public func - (x: Double, y: Output) throws -> Output { try y.graph.constant(x, like: y, file: "", line: 0) - y }
/// `x · y`, `y` becoming a scalar `Const` of `x`'s dtype (truncated for integers): TF1's `x * 0.5`.
public func * (x: Output, y: Double) throws -> Output { try x * x.graph.constant(y, like: x, file: "", line: 0) }
/// `x · y`, `x` becoming a scalar `Const` of `y`'s dtype (truncated for integers): TF1's `1e-3 * l2`.
public func * (x: Double, y: Output) throws -> Output { try y.graph.constant(x, like: y, file: "", line: 0) * y }
/// `x / y`, `y` becoming a scalar `Const` of `x`'s dtype: TF1's `x / 2.0`. Float outputs only (`RealDiv`).
public func / (x: Output, y: Double) throws -> Output { try x / x.graph.constant(y, like: x, file: "", line: 0) }
/// `x / y`, `x` becoming a scalar `Const` of `y`'s dtype: TF1's `1.0 / y`. Float outputs only (`RealDiv`).
public func / (x: Double, y: Output) throws -> Output { try y.graph.constant(x, like: y, file: "", line: 0) / y }
