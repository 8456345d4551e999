/// TF1's `tf.nn.dynamic_rnn`, `tf.nn.static_rnn` and `tf.nn.bidirectional_dynamic_rnn`, built from
/// existing ops: `dynamicRNN` is one `StatelessWhile` over time (its gradient is the loop's gradient),
/// `staticRNN` unrolls the steps into the graph.
///
/// Sequence lengths follow TF1: at time `t ≥ length[b]` row `b`'s output is zero and its state is
/// carried through unchanged, so the final state is the state after each row's last valid step.
extension Graph {
    /// TF1's `tf.nn.dynamic_rnn(cell, inputs, sequence_length, initial_state)` with `time_major=False`.
    ///
    /// `inputs` [batch, time, features] (features known) → outputs [batch, time, cell.outputSize] and
    /// the final state (`cell.stateSizes`). Variables are created under `scope` (`rnn/basic_lstm_cell/kernel`).
    /// `sequenceLengths` is an int32/int64 vector [batch]; without it every row runs all steps.
    /// `initialState` defaults to zeros. Zero time steps give empty outputs and the initial state.
    ///
    /// As TF's `dynamic_rnn` writes a `TensorArray`, each step's output is written to a TensorList
    /// reserved for `time` elements (`TensorListSetItem` at index t), stacked after the loop
    /// (`TensorListStack`): O(time · batch · units), and the loop's gradient carries the list's gradient.
    /// - Throws: when `inputs` is not rank 3 with known features, the dtypes are not float/double, or
    ///   `initialState` does not match the cell.
    public func dynamicRNN(_ cell: RecurrentCell, inputs: Output, sequenceLengths: Output? = nil, initialState: [Output]? = nil,
                           scope: String = "rnn") throws -> (outputs: Output, state: [Output]) {
        let features = try rnnFeatures(inputs, rank: 3, op: "dynamicRNN")
        let lengths = try sequenceLengths.map { try rnnLengths($0, op: "dynamicRNN") }
        return try withNameScope(scope) {
            try cell.build(in: self, inputSize: features, dtype: inputs.dtype)
            let timeMajor = try transpose(inputs, perm: [1, 0, 2])
            let dims = try shape(of: timeMajor)
            let steps = try gather(dims, indices: constant(0)), batch = try gather(dims, indices: constant(1))
            let start = try initialState ?? cell.zeroState(self, batchSize: batch, dtype: inputs.dtype)
            try checkState(start, cell: cell, dtype: inputs.dtype, op: "dynamicRNN")
            // The element shape is known at run time, so an empty list (zero steps) still stacks to [0, batch, units].
            let accumulator = try tensorListReserve(elementShape: stack([batch, constant(Int32(cell.outputSize))]),
                                                    count: steps, elementDType: inputs.dtype, name: "output_list")
            let n = start.count
            let invariants = [TensorShape.scalar] + cell.stateSizes.map { TensorShape([nil, $0]) } + [TensorShape.scalar]
            let final = try whileLoop(cond: { b, v in try b.less(v[0], steps) }, body: { b, v in
                let t = v[0], state = Array(v[1...n]), outputs = v[n + 1]
                let input = try b.gather(timeMajor, indices: t)
                var (output, next) = try cell.step(b, input: input, state: state)
                if let lengths {
                    let valid = try b.less(t, lengths)
                    output = try b.select(valid, output, b.zerosLike(output))
                    next = try zip(next, state).map { try b.select(valid, $0, $1) }
                }
                return [try b.add(t, b.constant(1))] + next + [try b.tensorListSetItem(outputs, index: t, item: output)]
            }, loopVars: [constant(0)] + start + [accumulator], shapeInvariants: invariants)
            let stacked = try tensorListStack(final[n + 1], elementShape: tensorListShapeConstant(TensorShape([nil, cell.outputSize])),
                                              elementDType: inputs.dtype)
            var outputs = try transpose(stacked, perm: [1, 0, 2])
            // The loop's invariant [?, ?, units] loses batch and time; restore what the inputs know (Reshape allows one -1).
            let known = [inputs.shape.dims?[0] ?? nil, inputs.shape.dims?[1] ?? nil]
            if known.filter({ $0 == nil }).count <= 1, !known.contains(0) { outputs = try reshape(outputs, to: known.map { $0 ?? -1 } + [cell.outputSize]) }
            let states = try zip(final[1...n], cell.stateSizes).map { state, size in
                state.shape.dims?.last == size ? state : try reshape(state, to: [-1, size])
            }
            return (outputs, states)
        }
    }

    /// TF1's `tf.nn.static_rnn(cell, inputs, initial_state, sequence_length)`: the steps unrolled into the graph.
    ///
    /// `inputs` is one [batch, features] tensor per time step (features known) → one output
    /// [batch, cell.outputSize] per step and the final state; variables under `scope` as `dynamicRNN`.
    /// - Throws: when `inputs` is empty or its tensors disagree, or as `dynamicRNN`.
    public func staticRNN(_ cell: RecurrentCell, inputs: [Output], sequenceLengths: Output? = nil, initialState: [Output]? = nil,
                          scope: String = "rnn") throws -> (outputs: [Output], state: [Output]) {
        guard let first = inputs.first else { throw TensorGraphError.invalidArgument("staticRNN: needs at least one time step") }
        let features = try rnnFeatures(first, rank: 2, op: "staticRNN")
        for x in inputs where x.dtype != first.dtype || x.shape.dims?.last != first.shape.dims?.last {
            throw TensorGraphError.invalidArgument("staticRNN: every step must be \(first.dtype) [batch, \(features)], got '\(x.name)' \(x.dtype) \(x.shape)")
        }
        let lengths = try sequenceLengths.map { try rnnLengths($0, op: "staticRNN") }
        return try withNameScope(scope) {
            try cell.build(in: self, inputSize: features, dtype: first.dtype)
            var state = try initialState ?? cell.zeroState(self, batchSize: gather(shape(of: first), indices: constant(0)), dtype: first.dtype)
            try checkState(state, cell: cell, dtype: first.dtype, op: "staticRNN")
            var outputs: [Output] = []
            for (t, input) in inputs.enumerated() {
                var (output, next) = try cell.step(self, input: input, state: state)
                if let lengths {
                    let valid = try less(constant(t), lengths)
                    output = try select(valid, output, zerosLike(output))
                    next = try zip(next, state).map { try select(valid, $0, $1) }
                }
                outputs.append(output)
                state = next
            }
            return (outputs, state)
        }
    }

    /// TF1's `tf.nn.bidirectional_dynamic_rnn(cell_fw, cell_bw, inputs, sequence_length)` (time_major False).
    ///
    /// The forward cell runs as `dynamicRNN` under `<scope>/fw`; the backward cell runs on each row
    /// reversed within its length (TF's `reverse_sequence`; the whole time axis without lengths) under
    /// `<scope>/bw`, and its outputs are reversed back. Returns ((fw outputs, bw outputs), (fw state, bw state)),
    /// outputs [batch, time, units] each.
    /// - Throws: as `dynamicRNN`.
    public func bidirectionalDynamicRNN(forward: RecurrentCell, backward: RecurrentCell, inputs: Output, sequenceLengths: Output? = nil,
                                        initialStateForward: [Output]? = nil, initialStateBackward: [Output]? = nil,
                                        scope: String = "bidirectional_rnn")
        throws -> (outputs: (forward: Output, backward: Output), states: (forward: [Output], backward: [Output])) {
        _ = try rnnFeatures(inputs, rank: 3, op: "bidirectionalDynamicRNN")
        let lengths = try sequenceLengths.map { try rnnLengths($0, op: "bidirectionalDynamicRNN") }
        return try withNameScope(scope) {
            let fw = try dynamicRNN(forward, inputs: inputs, sequenceLengths: lengths, initialState: initialStateForward, scope: "fw")
            let reversed = try reverseSequences(inputs, lengths: lengths)
            let bw = try dynamicRNN(backward, inputs: reversed, sequenceLengths: lengths, initialState: initialStateBackward, scope: "bw")
            return ((fw.outputs, try reverseSequences(bw.outputs, lengths: lengths)), (fw.state, bw.state))
        }
    }

    /// Reverses each row of `x` [batch, time, features] over its first `lengths[b]` steps, leaving later
    /// steps in place (TF's `ReverseSequence` with seq_dim 1, batch_dim 0); the whole time axis without lengths.
    ///
    /// A length above the time dimension gives zero rows where TF's `ReverseSequence` fails.
    /// Built as a batch of one-hot permutation matrices P [batch, time, time] times `x` (`BatchMatMulV2`):
    /// exact for finite values, keeps the static shape, and its gradient is the matmul's (Pᵀ·dy).
    func reverseSequences(_ x: Output, lengths: Output?) throws -> Output {
        guard let lengths else { return try reverse(x, axes: [1]) }
        let steps = try gather(shape(of: x), indices: constant(1))
        let time = try reshape(range(start: constant(0), limit: steps, delta: constant(1)), to: [1, -1])   // [1, T]
        let rowLengths = try reshape(lengths, to: [-1, 1])                                                // [B, 1]
        // Source step of (b, t): length_b − 1 − t inside the sequence, t past its end.
        let source = try selectV2(less(time, rowLengths), sub(sub(rowLengths, constant(1)), time), time)   // [B, T]
        let permutation = try cast(equal(expandDims(source, axis: 2), reshape(time, to: [1, 1, -1])), to: x.dtype)
        return try batchMatMul(permutation, x)
    }

    private func rnnFeatures(_ x: Output, rank: Int, op: String) throws -> Int {
        guard x.shape.rank == rank, let features = x.shape.dims?.last ?? nil else {
            throw TensorGraphError.invalidArgument("\(op): inputs must be rank \(rank) with known features, got '\(x.name)' \(x.shape)")
        }
        guard x.dtype == .float || x.dtype == .double else {
            throw TensorGraphError.invalidArgument("\(op): inputs must be float or double, got \(x.dtype)")
        }
        return features
    }

    private func rnnLengths(_ lengths: Output, op: String) throws -> Output {
        guard lengths.dtype == .int32 || lengths.dtype == .int64, lengths.shape.rank == nil || lengths.shape.rank == 1 else {
            throw TensorGraphError.invalidArgument("\(op): sequenceLengths must be an int32/int64 vector [batch], got \(lengths.dtype) \(lengths.shape)")
        }
        return lengths.dtype == .int32 ? lengths : try cast(lengths, to: .int32)
    }

    private func checkState(_ state: [Output], cell: RecurrentCell, dtype: DType, op: String) throws {
        guard state.count == cell.stateSizes.count,
              zip(state, cell.stateSizes).allSatisfy({ $0.dtype == dtype && $0.shape.isCompatible(with: TensorShape([nil, $1])) }) else {
            throw TensorGraphError.invalidArgument("\(op): initialState must be \(cell.stateSizes.count) \(dtype) tensors [batch, \(cell.stateSizes)], "
                                                   + "got \(state.map { "\($0.dtype) \($0.shape)" })")
        }
    }
}
