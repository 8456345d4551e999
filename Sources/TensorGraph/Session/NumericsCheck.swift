import Foundation

/// Finding NaN and ±Inf: the error a `CheckNumerics` node or `Session.checksNumerics` throws, and the scan both use.

/// A NaN or ±Inf in a value: raised by a `CheckNumerics` node, or by `Session.checksNumerics` for the
/// first node of a run that produced one.
///
/// Reads like the library's other errors, naming op, node and the Swift line that built the node:
/// `[Log] node 'Log' (built at App/main.swift:12): Session.checksNumerics: output 0 had NaN values,
/// first at flat index 0 of float32 ()`.
public struct NumericsError: Error, Equatable, CustomStringConvertible, LocalizedError {
    /// The first non-finite element.
    public enum Kind: String, Sendable {
        /// Not a number.
        case nan = "NaN"
        /// Positive infinity.
        case infinity = "Inf"
        /// Negative infinity.
        case negativeInfinity = "-Inf"
    }
    /// The op type (`Log`, `CheckNumerics`, or a fused op such as `_FusedMatMul` that computed it).
    public let op: String
    /// The node's name.
    public let node: String
    /// Where the user's code built the node (nil for imported nodes and operator forms such as `a + b`).
    public let location: SourceLocation?
    /// A `CheckNumerics` node's `message` attribute; for the session-wide check, `Session.checksNumerics`
    /// and, when it applies, which input already held a non-finite value.
    public let message: String
    /// Which output of the node held the value (always 0 for `CheckNumerics`).
    public let output: Int
    /// Whether the first non-finite element was NaN, Inf or -Inf.
    public let kind: Kind
    /// Row-major index of the first non-finite element.
    public let index: Int
    /// Dtype of the offending value (float32 or float64).
    public let dtype: DType
    /// Runtime shape of the offending value.
    public let shape: [Int]

    /// The full message, as in the example above.
    public var description: String {
        let place = location.map { " (built at \($0))" } ?? ""
        return "[\(op)] node '\(node)'\(place): \(message): output \(output) had \(kind.rawValue) values, "
            + "first at flat index \(index) of \(dtype) \(TensorShape(shape))"
    }

    /// Same as `description`, so `localizedDescription` shows the full message.
    public var errorDescription: String? { description }
}

extension NumericsError {
    /// The error for output `output` of `node`, holding `value`, whose first bad element is `found`.
    init(node: Node, message: String, output: Int, value: Tensor, found: (index: Int, kind: Kind)) {
        self.init(op: node.opName, node: node.name, location: node.location, message: message, output: output,
                  kind: found.kind, index: found.index, dtype: value.dtype, shape: value.shape)
    }
}

/// The first element of `value` that is NaN or ±Inf, with its flat index; nil when every element is
/// finite or the dtype is not floating point.
func firstNonFinite(_ value: Tensor) -> (index: Int, kind: NumericsError.Kind)? {
    switch value.dtype {
    case .float: return firstNonFinite(value.pointer(Float.self), count: value.count)
    case .double: return firstNonFinite(value.pointer(Double.self), count: value.count)
    case .int32, .int64, .uint8, .bool: return nil
    }
}

/// A plain loop, specialized for Float and Double. Measured on 64K floats in cache and 1M in memory,
/// blocks scanned without an early exit (to let the compiler vectorize) were no faster, so there is no
/// separate fast path.
private func firstNonFinite<T: BinaryFloatingPoint>(_ elements: UnsafePointer<T>, count: Int) -> (index: Int, kind: NumericsError.Kind)? {
    for i in 0..<count where !elements[i].isFinite {
        let x = elements[i]
        return (i, x.isNaN ? .nan : (x < 0 ? .negativeInfinity : .infinity))
    }
    return nil
}

// MARK: - The session-wide check

extension Session {
    /// The `message` of errors from the session-wide check.
    static let numericsCheckMessage = "Session.checksNumerics"

    /// Throws for the first float output of `step` (just computed) that holds a NaN or ±Inf. Const
    /// nodes are skipped: their values are written by the user (an attention mask of −Inf), not computed.
    /// When one of the step's inputs is a fed value or a variable that already held a non-finite value
    /// (neither is produced by a step, so neither was checked), the message says so.
    func checkNumerics(of step: ExecutionPlan.Step, in plan: ExecutionPlan) throws {
        let context = step.context
        guard step.node.op != Const.self else { return }
        for (output, value) in context.outputs.enumerated() {
            guard let found = firstNonFinite(value) else { continue }
            var message = Session.numericsCheckMessage
            if let (i, origin) = nonFiniteUncheckedInput(of: step, in: plan) { message += " (its input \(i), \(origin), already held NaN or Inf)" }
            throw NumericsError(node: step.node, message: message, output: output, value: value, found: found)
        }
    }

    /// The first input of `step` that came in non-finite from outside the run's steps: a fed value or a variable.
    private func nonFiniteUncheckedInput(of step: ExecutionPlan.Step, in plan: ExecutionPlan) -> (Int, String)? {
        let inputs = step.context.inputs
        for (i, source) in step.sources.enumerated() where i < inputs.count {
            let origin: String
            switch source {
            case .feed(let k): origin = "the value fed for '\(plan.feedSpecs[k].name)'"
            case .variable(let id): origin = "variable '\(graph.nodes[id].name)'"
            case .step, .constant, .reference: continue
            }
            if firstNonFinite(inputs[i]) != nil { return (i, origin) }
        }
        return nil
    }

    /// Throws for the first node (in graph order) among those `plan` needs whose value the graph computed
    /// while building (constant folding: `log(-1.0)` of a constant is computed once, at build time, and never
    /// runs as a step). Such values count as computed before the run's steps.
    func checkFoldedNumerics(of plan: ExecutionPlan) throws {
        let fed = Set(plan.key.feeds)
        var needed = Set<Int>()
        var stack = plan.key.fetches.filter { !fed.contains($0) }.map(\.node) + plan.key.targets
        while let id = stack.popLast() {
            guard needed.insert(id).inserted else { continue }
            let node = graph.nodes[id]
            for endpoint in node.inputs where !fed.contains(endpoint) { stack.append(endpoint.node) }
            stack.append(contentsOf: node.controlInputs)
        }
        for id in needed.sorted() where graph.nodes[id].op != Const.self {
            guard let values = graph.foldedValues[id] else { continue }
            for (output, value) in values.enumerated() {
                guard let found = firstNonFinite(value) else { continue }
                throw NumericsError(node: graph.nodes[id], message: Session.numericsCheckMessage + " (computed while building the graph)",
                                    output: output, value: value, found: found)
            }
        }
    }
}

