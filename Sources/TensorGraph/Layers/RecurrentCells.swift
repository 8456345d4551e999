/// TF1's recurrent cells (`tf.nn.rnn_cell.BasicLSTMCell`, `LSTMCell`, `GRUCell`) with TF1's variable
/// names and layouts, so a checkpoint written by TF1 restores into them and back.
///
/// A cell creates its variables once, in the graph and name scope where it is first built (by
/// `dynamicRNN`, `staticRNN` or `build`), and reuses them on every later step: a step built inside a
/// `whileLoop` body reads them as captured tensors of the enclosing graph.

/// One step of a recurrent network: `(input [batch, inputSize], state) → (output [batch, outputSize], state')`.
///
/// The state is a list of tensors `[batch, stateSizes[k]]` (an LSTM's `(c, h)` as TF's `LSTMStateTuple`).
public protocol RecurrentCell: AnyObject {
    /// Width of each state tensor, in the order `step` takes and returns them.
    var stateSizes: [Int] { get }
    /// Width of the step's output.
    var outputSize: Int { get }
    /// The TF1 scope name of the cell's variables (`basic_lstm_cell`, `lstm_cell`, `gru_cell`).
    var scopeName: String { get }
    /// Creates the cell's variables in `graph` under its current name scope for inputs of width
    /// `inputSize`; a later call with the same width and dtype does nothing.
    /// - Throws: when the cell was built for another width or dtype.
    func build(in graph: Graph, inputSize: Int, dtype: DType) throws
    /// One step on `graph` (the enclosing graph or a loop body): `input` [batch, inputSize], `state`
    /// as `stateSizes`. The cell must have been built.
    func step(_ graph: Graph, input: Output, state: [Output]) throws -> (output: Output, state: [Output])
}

extension RecurrentCell {
    /// Zeros for every state tensor: `[batchSize, stateSizes[k]]` (TF1's `cell.zero_state`); `batchSize` is an int32 scalar.
    public func zeroState(_ graph: Graph, batchSize: Output, dtype: DType) throws -> [Output] {
        try stateSizes.map { size in
            let dims = try graph.stack([batchSize, graph.constant(size)])
            // Fill with computed dims has an unknown static shape; the reshape states [?, size] for the loop.
            return try graph.reshape(graph.fill(dims: dims, value: graph.constant(0.0, dtype: dtype)), to: [-1, size])
        }
    }
}

/// Shared bookkeeping of the cells: the variables and the width/dtype they were built for.
public class RecurrentCellBase {
    /// Number of units (width of `h`).
    public let numUnits: Int
    var builtFor: (inputSize: Int, dtype: DType)?
    var kernels: [Output] = []
    var biases: [Output] = []

    init(numUnits: Int) throws {
        guard numUnits >= 1 else { throw TensorGraphError.invalidArgument("recurrent cell: numUnits must be at least 1, got \(numUnits)") }
        self.numUnits = numUnits
    }

    /// The cell's variables' values in creation order (kernel, bias, ...), empty before it is built.
    public var variables: [Output] { zip(kernels, biases).flatMap { [$0, $1] } }

    /// Checks a rebuild matches; returns true when the variables still need creating.
    func needsBuilding(_ cell: String, inputSize: Int, dtype: DType) throws -> Bool {
        guard dtype == .float || dtype == .double else {
            throw TensorGraphError.invalidArgument("\(cell): inputs must be float or double, got \(dtype)")
        }
        guard inputSize >= 1 else { throw TensorGraphError.invalidArgument("\(cell): the input width must be known and positive, got \(inputSize)") }
        guard let built = builtFor else { return true }
        guard built.inputSize == inputSize, built.dtype == dtype else {
            throw TensorGraphError.invalidArgument("\(cell): built for inputs of width \(built.inputSize) (\(built.dtype)), "
                                                   + "now given width \(inputSize) (\(dtype))")
        }
        return false
    }

    /// Checks the cell is built and `state` has `count` tensors; returns `input` and `state` reshaped to
    /// [-1, width]. The reshapes matter for gradients: the `whileLoop` gradient re-runs the step on
    /// values of unknown static shape, and ConcatV2's gradient needs the widths along its axis.
    func prepare(_ cell: String, _ graph: Graph, input: Output, state: [Output], count: Int) throws -> (Output, [Output]) {
        guard let built = builtFor else { throw TensorGraphError.invalidArgument("\(cell): step before build (build the cell or use dynamicRNN)") }
        guard state.count == count else { throw TensorGraphError.invalidArgument("\(cell): expects \(count) state tensors, got \(state.count)") }
        return (try graph.reshape(input, to: [-1, built.inputSize]), try state.map { try graph.reshape($0, to: [-1, numUnits]) })
    }
}

/// TF1's `tf.nn.rnn_cell.BasicLSTMCell` (and `LSTMCell` without peepholes, projection or clipping:
/// the same equations under the scope `lstm_cell`).
///
/// Variables: `<scope>/kernel` [inputSize + numUnits, 4·numUnits] (Glorot uniform) and `<scope>/bias`
/// [4·numUnits] (zeros). `[x, h]·kernel + bias` splits into gates i, j, f, o (TF's order):
/// `c' = c·σ(f + forgetBias) + σ(i)·tanh(j)`, `h' = tanh(c')·σ(o)`. State `[c, h]` (TF's
/// `LSTMStateTuple(c, h)`), output `h'`.
public final class BasicLSTMCell: RecurrentCellBase, RecurrentCell {
    /// Added to the forget gate's pre-activation (TF's `forget_bias`, default 1.0).
    public let forgetBias: Double
    /// `basic_lstm_cell`, or `lstm_cell` for `LSTMCell`.
    public let scopeName: String

    /// A cell of `numUnits` units. - Throws: when `numUnits` < 1.
    public init(numUnits: Int, forgetBias: Double = 1.0) throws {
        self.forgetBias = forgetBias
        self.scopeName = "basic_lstm_cell"
        try super.init(numUnits: numUnits)
    }

    init(numUnits: Int, forgetBias: Double, scopeName: String) throws {
        self.forgetBias = forgetBias
        self.scopeName = scopeName
        try super.init(numUnits: numUnits)
    }

    /// `[numUnits, numUnits]`: c then h.
    public var stateSizes: [Int] { [numUnits, numUnits] }
    /// `numUnits`.
    public var outputSize: Int { numUnits }

    /// Creates `<scope>/<scopeName>/kernel` and `bias`.
    public func build(in graph: Graph, inputSize: Int, dtype: DType) throws {
        guard try needsBuilding(scopeName, inputSize: inputSize, dtype: dtype) else { return }
        try graph.withNameScope(scopeName) {
            kernels = [try graph.variable(name: "kernel", shape: [inputSize + numUnits, 4 * numUnits], dtype: dtype)]
            biases = [try graph.variable(name: "bias", shape: [4 * numUnits], dtype: dtype, initializer: .zeros)]
        }
        builtFor = (inputSize, dtype)
    }

    /// One LSTM step; `state` is `[c, h]`.
    public func step(_ graph: Graph, input: Output, state: [Output]) throws -> (output: Output, state: [Output]) {
        let (input, state) = try prepare(scopeName, graph, input: input, state: state, count: 2)
        let c = state[0], h = state[1]
        let gates = try graph.biasAdd(graph.matMul(graph.concat([input, h], axis: 1), kernels[0]), biases[0])
        let ijfo = try graph.split(gates, numSplits: 4, axis: 1)
        let forget = try graph.sigmoid(graph.add(ijfo[2], graph.constant(forgetBias, like: gates)))
        let newC = try graph.add(graph.mul(c, forget), graph.mul(graph.sigmoid(ijfo[0]), graph.tanh(ijfo[1])))
        let newH = try graph.mul(graph.tanh(newC), graph.sigmoid(ijfo[3]))
        return (newH, [newC, newH])
    }
}

/// TF1's `tf.nn.rnn_cell.LSTMCell` without peepholes, projection or clipping: `BasicLSTMCell`'s
/// equations and layout under the scope `lstm_cell`. - Throws: when `numUnits` < 1.
public func LSTMCell(numUnits: Int, forgetBias: Double = 1.0) throws -> BasicLSTMCell {
    try BasicLSTMCell(numUnits: numUnits, forgetBias: forgetBias, scopeName: "lstm_cell")
}

/// TF1's `tf.nn.rnn_cell.GRUCell`.
///
/// Variables: `gru_cell/gates/kernel` [inputSize + numUnits, 2·numUnits], `gru_cell/gates/bias`
/// [2·numUnits] (ones, as TF1), `gru_cell/candidate/kernel` [inputSize + numUnits, numUnits],
/// `gru_cell/candidate/bias` (zeros). `σ([x, h]·W_g + b_g)` splits into r, u;
/// `c = tanh([x, r·h]·W_c + b_c)`; `h' = u·h + (1 − u)·c`. State `[h]`, output `h'`.
public final class GRUCell: RecurrentCellBase, RecurrentCell {
    /// `gru_cell`.
    public let scopeName = "gru_cell"

    /// A cell of `numUnits` units. - Throws: when `numUnits` < 1.
    public override init(numUnits: Int) throws { try super.init(numUnits: numUnits) }

    /// `[numUnits]`: h.
    public var stateSizes: [Int] { [numUnits] }
    /// `numUnits`.
    public var outputSize: Int { numUnits }

    /// Creates `<scope>/gru_cell/gates/{kernel,bias}` and `<scope>/gru_cell/candidate/{kernel,bias}`.
    public func build(in graph: Graph, inputSize: Int, dtype: DType) throws {
        guard try needsBuilding(scopeName, inputSize: inputSize, dtype: dtype) else { return }
        try graph.withNameScope(scopeName) {
            for (scope, width, initializer) in [("gates", 2 * numUnits, Initializer.ones), ("candidate", numUnits, .zeros)] {
                try graph.withNameScope(scope) {
                    kernels.append(try graph.variable(name: "kernel", shape: [inputSize + numUnits, width], dtype: dtype))
                    biases.append(try graph.variable(name: "bias", shape: [width], dtype: dtype, initializer: initializer))
                }
            }
        }
        builtFor = (inputSize, dtype)
    }

    /// One GRU step; `state` is `[h]`.
    public func step(_ graph: Graph, input: Output, state: [Output]) throws -> (output: Output, state: [Output]) {
        let (input, state) = try prepare(scopeName, graph, input: input, state: state, count: 1)
        let h = state[0]
        let gates = try graph.sigmoid(graph.biasAdd(graph.matMul(graph.concat([input, h], axis: 1), kernels[0]), biases[0]))
        let ru = try graph.split(gates, numSplits: 2, axis: 1)
        let candidate = try graph.tanh(graph.biasAdd(graph.matMul(graph.concat([input, graph.mul(ru[0], h)], axis: 1), kernels[1]), biases[1]))
        let keep = try graph.mul(ru[1], h)
        let newH = try graph.add(keep, graph.mul(graph.sub(graph.constant(1.0, like: ru[1]), ru[1]), candidate))
        return (newH, [newH])
    }
}
