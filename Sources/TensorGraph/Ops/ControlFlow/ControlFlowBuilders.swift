/// TF1's `tf.cond` and `tf.while_loop`, built the way TF2 builds them: each branch or body becomes a
/// function of the graph's library (its closure builds into that function's own graph), tensors of
/// the enclosing graph the closure uses become extra inputs, and one `StatelessIf`/`StatelessWhile`
/// node (`If`/`While` when a body is stateful) calls the functions.
///
/// Build a branch's ops on the graph the closure receives: an op built on the enclosing graph
/// (`x * 2` with `x` from outside) is computed outside the branch, before the branch is chosen, and
/// then captured — correct, but no longer conditional.
extension Graph {
    /// The results of `then` when `predicate` is true, else of `else` (TF1's `tf.cond`); only the taken
    /// branch runs. Both closures must return as many values, of the same dtypes; output shapes are
    /// what both branches' results fit.
    ///
    /// ```swift
    /// let y = try g.cond(g.less(x, g.constant(Float(0))), then: { b in try b.neg(x) }, else: { b in try b.square(x) })
    /// ```
    /// - Throws: when the branches disagree on count or dtypes, or a closure throws.
    public func cond(_ predicate: Output, then thenBranch: (Graph) throws -> [Output], else elseBranch: (Graph) throws -> [Output],
                     name: String? = nil, file: StaticString = #fileID, line: UInt = #line) throws -> [Output] {
        let thenCaptures = FunctionCaptures(), elseCaptures = FunctionCaptures()
        let thenBody = makeFunctionBody(captures: thenCaptures), elseBody = makeFunctionBody(captures: elseCaptures)
        let thenResults = try thenBranch(thenBody).map { try thenBody.captured($0) }
        let elseResults = try elseBranch(elseBody).map { try elseBody.captured($0) }
        guard thenResults.map(\.dtype) == elseResults.map(\.dtype) else {
            throw TensorGraphError.invalidArgument("cond: the branches return \(thenResults.map(\.dtype)) and \(elseResults.map(\.dtype)); "
                                                   + "they must return the same number of values of the same dtypes")
        }
        var inputs = thenCaptures.outer
        for value in elseCaptures.outer where !inputs.contains(value) { inputs.append(value) }
        let thenFunction = try addFunction("cond_true", body: thenBody, captures: thenCaptures, inputs: inputs, results: thenResults)
        let elseFunction = try addFunction("cond_false", body: elseBody, captures: elseCaptures, inputs: inputs, results: elseResults)
        let stateful = thenFunction.isStateful || elseFunction.isStateful
        let attrs: Attributes = ["Tout": .types(thenResults.map(\.dtype)), "then_branch": .function(FunctionReference(thenFunction.name)),
                                 "else_branch": .function(FunctionReference(elseFunction.name))]
        let node = try addNode(stateful ? If.self : StatelessIf.self, name: name ?? "cond", inputs: [predicate] + inputs, attrs: attrs,
                               location: SourceLocation(file: file, line: line))
        return node.outputs.indices.map { Output(graph: self, node: node, index: $0) }
    }

    /// `cond` for branches returning one value each.
    public func cond(_ predicate: Output, then thenBranch: (Graph) throws -> Output, else elseBranch: (Graph) throws -> Output,
                     name: String? = nil, file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try cond(predicate, then: { [try thenBranch($0)] }, else: { [try elseBranch($0)] }, name: name, file: file, line: line)[0]
    }

    /// Repeats `body` while `cond` returns true (TF1's `tf.while_loop`) and returns the final loop variables.
    ///
    /// `cond` returns one boolean scalar; `body` returns the next value of every loop variable, with the
    /// same dtype. A loop variable keeps its static shape unless `shapeInvariants` gives a less specific
    /// one (unknown dimensions, as TF1's `shape_invariants`). `maximumIterations` (an int32 scalar)
    /// stops the loop after that many iterations, as TF's `maximum_iterations`, through an extra
    /// counter loop variable.
    ///
    /// ```swift
    /// let out = try g.whileLoop(cond: { b, v in try b.less(v[0], b.constant(Int32(10))) },
    ///                           body: { b, v in [try v[0] + 1, try v[1] * 2] },
    ///                           loopVars: [g.constant(Int32(0)), g.constant(1.0)])   // out[1]: 1024.0
    /// ```
    /// - Throws: when `body` returns the wrong number or dtypes of values, a result does not fit its
    ///   shape invariant, or a closure throws.
    public func whileLoop(cond: (Graph, [Output]) throws -> Output, body: (Graph, [Output]) throws -> [Output], loopVars: [Output],
                          shapeInvariants: [TensorShape]? = nil, maximumIterations: Output? = nil, name: String? = nil,
                          file: StaticString = #fileID, line: UInt = #line) throws -> [Output] {
        guard !loopVars.isEmpty else { throw TensorGraphError.invalidArgument("whileLoop needs at least one loop variable") }
        if let shapeInvariants, shapeInvariants.count != loopVars.count {
            throw TensorGraphError.invalidArgument("whileLoop: \(shapeInvariants.count) shape invariants for \(loopVars.count) loop variables")
        }
        var vars = loopVars, shapes = shapeInvariants ?? loopVars.map(\.shape)
        let counted = maximumIterations != nil
        if let maximumIterations {
            guard maximumIterations.dtype == .int32 else { throw TensorGraphError.invalidArgument("whileLoop: maximumIterations must be int32") }
            vars = [try constant(Int32(0), name: "loop_counter"), maximumIterations] + vars
            shapes = [.scalar, maximumIterations.shape] + shapes
        }
        for (value, shape) in zip(vars, shapes) where !shape.isCompatible(with: value.shape) {
            throw TensorGraphError.invalidArgument("whileLoop: loop variable '\(value.name)' \(value.shape) does not fit its shape invariant \(shape)")
        }
        func arguments(_ g: Graph) throws -> [Output] {
            try zip(vars, shapes).map { try g.placeholder($0.dtype, shape: $1, name: "loop_var") }
        }
        let condCaptures = FunctionCaptures(), bodyCaptures = FunctionCaptures()
        let condGraph = makeFunctionBody(captures: condCaptures), bodyGraph = makeFunctionBody(captures: bodyCaptures)
        let condArguments = try arguments(condGraph), bodyArguments = try arguments(bodyGraph)
        let userCondArguments = Array(condArguments.dropFirst(counted ? 2 : 0)), userBodyArguments = Array(bodyArguments.dropFirst(counted ? 2 : 0))
        var test = try condGraph.captured(cond(condGraph, userCondArguments))
        if counted { test = try condGraph.logicalAnd(condGraph.less(condArguments[0], condArguments[1]), test) }
        var next = try body(bodyGraph, userBodyArguments).map { try bodyGraph.captured($0) }
        guard next.map(\.dtype) == userBodyArguments.map(\.dtype) else {
            throw TensorGraphError.invalidArgument("whileLoop: body returns \(next.map(\.dtype)) for loop variables \(userBodyArguments.map(\.dtype))")
        }
        if counted { next = [try bodyGraph.add(bodyArguments[0], bodyGraph.constant(Int32(1))), bodyArguments[1]] + next }

        var captured = condCaptures.outer
        for value in bodyCaptures.outer where !captured.contains(value) { captured.append(value) }
        // Captured values are loop variables the body passes through unchanged (TF's loop-invariant inputs).
        let bodyCaptureArguments = try captured.map { value in
            if let argument = bodyCaptures.inner[value] { return argument }
            let argument = try bodyGraph.placeholder(value.dtype, shape: value.shape, name: "capture")
            bodyCaptures.inner[value] = argument
            return argument
        }
        let condFunction = try addFunction("while_cond", body: condGraph, captures: condCaptures, leading: condArguments,
                                           inputs: captured, results: [test])
        let bodyFunction = try addFunction("while_body", body: bodyGraph, captures: bodyCaptures, leading: bodyArguments,
                                           inputs: captured, results: next + bodyCaptureArguments)
        let stateful = condFunction.isStateful || bodyFunction.isStateful
        let attrs: Attributes = ["cond": .function(FunctionReference(condFunction.name)), "body": .function(FunctionReference(bodyFunction.name))]
        let node = try addNode(stateful ? While.self : StatelessWhile.self, name: name ?? "while", inputs: vars + captured, attrs: attrs,
                               location: SourceLocation(file: file, line: line))
        return ((counted ? 2 : 0)..<vars.count).map { Output(graph: self, node: node, index: $0) }
    }

    /// Adds a function over `body`: arguments `leading` then one per `inputs` entry (the body's capture
    /// of it, or an unused placeholder when this body did not read it); results pass through `Identity`
    /// nodes named `output`, as TF's function bodies do.
    func addFunction(_ base: String, body: Graph, captures: FunctionCaptures, leading: [Output] = [], inputs: [Output],
                     results: [Output]) throws -> GraphFunction {
        let arguments = try leading + inputs.map { try captures.inner[$0] ?? body.placeholder($0.dtype, shape: $0.shape, name: "capture") }
        let outputs = try results.map { try body.identity($0, name: "output") }
        let function = try GraphFunction(name: library.uniqueName(base), graph: body, arguments: arguments, results: outputs,
                                         resultNames: outputs.indices.map { "output_\($0)" })
        try library.add(function)
        return function
    }
}
