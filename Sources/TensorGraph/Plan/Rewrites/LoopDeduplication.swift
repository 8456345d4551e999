/// A loop run twice becomes one loop: when a plan runs both a forward `While`/`StatelessWhile` and
/// the accumulating copy its gradient built (`whileGradient`: same condition and body on the same
/// inputs, plus an iteration counter and TensorLists saving what the gradient reads), the copy takes
/// the forward loop's place and the forward loop's readers read the copy's outputs `1...n` (the loop
/// variables' final values, equal to the forward loop's). The body then runs once per iteration.
///
/// The pair is recognised by what the gradient builds, not by a flag: the copy is named
/// `<forward loop>_grad/while_accumulate…`, its inputs are `[counter] + the forward loop's inputs +
/// the accumulators`, and its dtypes match. The copy's extra inputs are made before the forward
/// loop's position in the plan by taking them as build-time constants (a `Const`, or an empty
/// `TensorListReserve` with constant inputs, whose handle every run copies on its first write); any
/// other extra input leaves the pair alone.
extension RewriteRules {
    /// The rule for both loop ops (`StatelessWhile` and `While`).
    static let loopDeduplication = [StatelessWhile.wireName, While.wireName].map { root in
        RewriteRule(name: "\(root) + its accumulating copy → the copy alone", root: root) { plan, copy in
            try plan.mergeAccumulatingCopy(copy)
        }
    }
}

extension PlanGraph {
    /// Replaces the forward loop that node `copy` accumulates by `copy` (see `loopDeduplication`).
    mutating func mergeAccumulatingCopy(_ copy: Int) throws -> Bool {
        let copyNode = nodes[copy].node, copyInputs = nodes[copy].inputs
        guard copyNode.name.contains("_grad/while_accumulate"), !targets.contains(copy), !anchors.contains(copy) else { return false }
        let copyTypes = copyNode.attributes(StatelessWhile.self).T
        guard let forward = nodes.indices.first(where: { isForwardLoop($0, of: copy) }) else { return false }
        let n = nodes[forward].inputs.count
        // The counter and the accumulators, as inputs the forward loop's position can read.
        var extra: [Input] = []
        for input in [copyInputs[0]] + copyInputs[(n + 1)...] {
            guard let early = try inputAvailable(input, before: forward) else { return false }
            extra.append(early)
        }
        let inputs = [extra[0]] + nodes[forward].inputs + extra[1...]
        guard inputs.map({ spec(of: $0).dtype }) == copyTypes else { return false }
        let attributes = copyNode.attributes(StatelessWhile.self)
        let merged = copyNode.op == While.self ? try makeNode(While.self, replacing: forward, attributes, inputs: inputs)
                                               : try makeNode(StatelessWhile.self, replacing: forward, attributes, inputs: inputs)
        let wasTarget = targets.contains(forward)
        // Highest first, so a value moved to `o + 1` is not moved again.
        for o in (0..<n).reversed() { redirect(Value(node: forward, output: o), to: Value(node: forward, output: o + 1)) }
        replace(forward, with: merged, inputs: inputs)
        for o in copyNode.outputs.indices { redirect(Value(node: copy, output: o), to: Value(node: forward, output: o)) }
        kill(copy)
        if wasTarget { targets.insert(forward) }
        return true
    }

    /// Whether live node `index` is the forward loop node `copy` accumulates: named as the copy's
    /// prefix, same op family, its inputs and dtypes are the copy's inputs `1...n`.
    private func isForwardLoop(_ index: Int, of copy: Int) -> Bool {
        let node = nodes[index].node, copyNode = nodes[copy].node
        guard index < copy, !nodes[index].isDead, node.op == StatelessWhile.self || node.op == While.self,
              copyNode.name.contains("\(node.name)_grad/while_accumulate") else { return false }
        let n = nodes[index].inputs.count, copyInputs = nodes[copy].inputs
        guard copyInputs.count > n, Array(copyInputs[1...n]) == nodes[index].inputs else { return false }
        let types = node.attributes(StatelessWhile.self).T, copyTypes = copyNode.attributes(StatelessWhile.self).T
        return copyTypes.count == copyInputs.count && Array(copyTypes[1...n]) == types
    }

    /// `input` as something a node at position `index` can read: itself when it is a constant or an
    /// earlier node's output; a `Const`'s value; an empty list with constant inputs as its handle. Nil otherwise.
    private func inputAvailable(_ input: Input, before index: Int) throws -> Input? {
        guard let v = input.value else { return input }
        if v.node < index { return input }
        let node = nodes[v.node].node
        if node.op == Const.self { return .constant(node.attributes(Const.self).value) }
        guard node.op == TensorListReserve.self, nodes[v.node].inputs.count == 2,
              case let .constant(shape) = nodes[v.node].inputs[0], case let .constant(count) = nodes[v.node].inputs[1],
              count.rank == 0, let n = integerValues(count)?.first, n >= 0, n <= 1 << 20 else { return nil }
        let list = TensorListValue(elements: Array(repeating: nil, count: n), elementDType: node.attributes(TensorListReserve.self).elementDType,
                                   elementShape: TensorListValue.shape(from: shape))
        return .constant(list.handle)
    }
}
