// Arithmetic operators between outputs and Swift numbers, as TF1's Python operators mix tensors and
// literals: `x * 0.5`, `1 - p`, `loss + 1e-3 * l2`. The number becomes a scalar `Const` of the
// output's dtype (float32 for a float32 output, not float64), then broadcasts.
//
// Operators carry no source location (Swift gives an operator no `#line` of its caller); errors from
// nodes they build name the op and node. The builder forms (`g.mul(x, y)`, `g.add(...)`) record the
// caller's file and line.

public func + (x: Output, y: Double) throws -> Output { try x + x.graph.constant(y, like: x, file: "", line: 0) }
public func + (x: Double, y: Output) throws -> Output { try y.graph.constant(x, like: y, file: "", line: 0) + y }
public func - (x: Output, y: Double) throws -> Output { try x - x.graph.constant(y, like: x, file: "", line: 0) }
public func - (x: Double, y: Output) throws -> Output { try y.graph.constant(x, like: y, file: "", line: 0) - y }
public func * (x: Output, y: Double) throws -> Output { try x * x.graph.constant(y, like: x, file: "", line: 0) }
public func * (x: Double, y: Output) throws -> Output { try y.graph.constant(x, like: y, file: "", line: 0) * y }
public func / (x: Output, y: Double) throws -> Output { try x / x.graph.constant(y, like: x, file: "", line: 0) }
public func / (x: Double, y: Output) throws -> Output { try y.graph.constant(x, like: y, file: "", line: 0) / y }
