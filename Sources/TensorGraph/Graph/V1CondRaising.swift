/// TF1's lowered `tf.cond` raised to `StatelessIf`/`If` at import (see `V1ControlFlowRaising.swift`).
///
/// Every `Switch(data, pred)` on one predicate tensor belongs to one cond: a node is on the true
/// side when it reads a `Switch:1` output or a true-side node, on the false side likewise with
/// `Switch:0` (a `Merge` is on a side only when all its inputs are, so a nested cond's `Merge` stays
/// inside its branch). A `Merge` of one true-side and one false-side value is an output of the cond.
/// The true side becomes the then-function, the false side the else-function, both taking the
/// Switches' data inputs as arguments; each output `Merge` becomes an `Identity` of the `If` output
/// under the `Merge`'s name. Conds are raised innermost first.
extension Graph {
    private struct CondSides {
        var switches: [Int] = []
        var thenSide = Set<Int>()
        var elseSide = Set<Int>()
    }

    /// The nodes in an order where producers come first (loops are raised already, so there are no cycles).
    private func topologicalOrder(_ defs: [ImportedNode], _ index: [String: Int]) throws -> [Int] {
        let readers = readers(defs, index)
        var pending = defs.map { def in (def.inputs.map(\.name) + def.control).filter { index[$0] != nil }.count }
        var ready = defs.indices.filter { pending[$0] == 0 }.reversed() as [Int], order: [Int] = []
        while let i = ready.popLast() {
            order.append(i)
            for r in readers[i] {
                pending[r] -= 1
                if pending[r] == 0 { ready.append(r) }
            }
        }
        guard order.count == defs.count else { throw TensorGraphError.invalidTensorData("cycle in the graph outside any TF1 while loop") }
        return order
    }

    /// The sides of the cond on `predicate` (a tensor name `node:index`).
    private func condSides(_ predicate: String, _ defs: [ImportedNode], _ index: [String: Int], _ order: [Int]) -> CondSides {
        var sides = CondSides()
        sides.switches = defs.indices.filter {
            defs[$0].op == "Switch" && defs[$0].inputs.count == 2 && predicateKey(defs[$0].inputs[1], defs, index) == predicate
        }
        let switchSet = Set(sides.switches)
        func on(_ side: Set<Int>, _ branch: Int, _ input: (name: String, index: Int)) -> Bool {
            guard let j = index[input.name] else { return false }
            return switchSet.contains(j) ? input.index == branch : side.contains(j)
        }
        for i in order where !switchSet.contains(i) {
            let def = defs[i]
            for (branch, isThen) in [(1, true), (0, false)] {
                let side = isThen ? sides.thenSide : sides.elseSide
                let controls = def.control.compactMap { index[$0] }.filter { !switchSet.contains($0) }
                let member = def.op == "Merge"
                    ? !def.inputs.isEmpty && def.inputs.allSatisfy { on(side, branch, $0) }
                    : def.inputs.contains { on(side, branch, $0) } || controls.contains(where: side.contains)
                if member { if isThen { sides.thenSide.insert(i) } else { sides.elseSide.insert(i) } }
            }
        }
        return sides
    }

    private func key(_ input: (name: String, index: Int)) -> String { "\(input.name):\(input.index)" }

    /// The predicate a Switch tests, seen through `Identity` nodes: TF1's `tf.cond` switches its pivot
    /// on `pred` and its inputs on `Identity(pred)` (`cond/pred_id`); both belong to one cond.
    private func predicateKey(_ input: (name: String, index: Int), _ defs: [ImportedNode], _ index: [String: Int]) -> String {
        var current = input
        for _ in 0..<1000 {
            guard current.index == 0, let i = index[current.name], defs[i].op == "Identity", let source = defs[i].inputs.first else { break }
            current = source
        }
        return key(current)
    }

    /// A predicate whose cond holds no Switch of another predicate, or nil when no Switch is left.
    func innermostCondPredicate(_ defs: [ImportedNode]) throws -> String? {
        let index = try defIndex(defs), order = try topologicalOrder(defs, index)
        var predicates: [String] = []
        for def in defs where def.op == "Switch" && def.inputs.count == 2 && !predicates.contains(predicateKey(def.inputs[1], defs, index)) {
            predicates.append(predicateKey(def.inputs[1], defs, index))
        }
        for p in predicates {
            let sides = condSides(p, defs, index, order)
            let inside = sides.thenSide.union(sides.elseSide)
            if !inside.contains(where: { defs[$0].op == "Switch" }) { return p }
        }
        return predicates.first
    }

    func raiseCond(_ predicate: String, _ defs: [ImportedNode], depth: Int) throws -> [ImportedNode] {
        let index = try defIndex(defs), order = try topologicalOrder(defs, index)
        let sides = condSides(predicate, defs, index, order)
        let fail = { (message: String) in TensorGraphError.invalidTensorData("cond on '\(predicate)': \(message)") }
        func side(_ input: (name: String, index: Int)) -> Int? {
            guard let j = index[input.name] else { return nil }
            if sides.switches.contains(j) { return input.index }
            return sides.thenSide.contains(j) ? 1 : sides.elseSide.contains(j) ? 0 : nil
        }
        let merges = order.filter { m in
            defs[m].op == "Merge" && defs[m].inputs.count == 2 && Set(defs[m].inputs.compactMap(side)) == [0, 1]
                && !sides.thenSide.contains(m) && !sides.elseSide.contains(m)
        }.sorted()
        guard !merges.isEmpty else { throw fail("no Merge joins its two branches") }
        func dtype(_ i: Int) throws -> DType { defs[i].raisedDType }
        let inputTypes = try sides.switches.map(dtype), outputTypes = try merges.map(dtype)
        func branch(_ b: Int) throws -> GraphFunction {
            let arguments = zip(sides.switches, inputTypes).map { (endpoint: (defs[$0].name, b), name: defs[$0].name, dtype: $1) }
            let results = merges.map { m in defs[m].inputs.first { side($0) == b }! }
            let members = (b == 1 ? sides.thenSide : sides.elseSide).union(sides.switches)
            return try extractFunction("\(defs[merges[0]].name)_\(b == 1 ? "then" : "else")", defs, index, members: members,
                                       arguments: arguments, results: results, depth: depth)
        }
        let thenFunction = try branch(1), elseFunction = try branch(0)
        let ifName = uniqueDefName(defs[merges[0]].name + "/if", index)
        let predicateInput = defs[sides.switches[0]].inputs[1]
        let stateful = thenFunction.isStateful || elseFunction.isStateful
        let attrs: Attributes = ["Tcond": .type(.bool), "Tin": .types(inputTypes), "Tout": .types(outputTypes),
                                 "then_branch": .function(FunctionReference(thenFunction.name)),
                                 "else_branch": .function(FunctionReference(elseFunction.name))]
        let control = Array(Set(sides.switches.flatMap { defs[$0].control })).sorted()
        let node = ImportedNode(name: ifName, op: stateful ? "If" : "StatelessIf",
                                inputs: [predicateInput] + sides.switches.map { defs[$0].inputs[0] }, control: control, attrs: attrs)
        var replacements: [Int: ImportedNode] = [:]
        for (k, m) in merges.enumerated() {
            replacements[m] = ImportedNode(name: defs[m].name, op: "Identity", inputs: [(ifName, k)], control: [], attrs: ["T": .type(outputTypes[k])])
        }
        for def in defs {
            for input in def.inputs where input.index == 1 && index[input.name].map(merges.contains) == true {
                throw fail("node '\(def.name)' reads the value_index of Merge '\(input.name)', which raising to If does not keep")
            }
        }
        let removed = sides.thenSide.union(sides.elseSide).union(sides.switches)
        return try replacing(removed, with: node, replacements: replacements, in: defs, index: index)
    }
}
