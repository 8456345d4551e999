extension Einsum {
    /// TF's `_EinsumGrad` (tensorflow/python/ops/linalg_grad.py). For z = einsum("x->z"), dx =
    /// einsum("z->x") (a transpose's inverse, a trace's un-trace); for z = einsum("x,y->z"), dx =
    /// einsum("z,y->x"). Labels of x found in neither z nor y (summed out) cannot come back from an einsum:
    /// the gradient is taken to x without them, then broadcast along them (`gradientOfReduction`). With
    /// `...` in z, each input's gradient is summed over the broadcast dimensions it was stretched along.
    public static func gradient(_ ctx: GradientContext) throws -> [Output?] {
        let g = ctx.graph, grad = try ctx.grad()
        let equation = ctx.attributes(Einsum.self).equation
        let sides = equation.components(separatedBy: "->")
        guard sides.count == 2 else { throw TensorGraphError.invalidArgument("[Einsum] \(ctx.node.name): malformed equation '\(equation)'") }
        let inputSubs = sides[0].components(separatedBy: ","), outputSubs = sides[1]
        if inputSubs.count == 1 {
            let reduced = Set(inputSubs[0]).subtracting(outputSubs + ".")
            if reduced.isEmpty { return [try g.einsum("\(outputSubs)->\(inputSubs[0])", grad)] }
            return [try gradientOfReduction(ctx, grad, outputSubs: outputSubs, inputSubs: inputSubs[0], input: ctx.input(0), reduced: reduced)]
        }
        // "...ij,jk->...ik": the VJP "...ik,jk->ij" would leave the batch dimensions nowhere to go, so an
        // input without '...' gets one (of length 0) when the output has one.
        var xSubs = inputSubs[0], ySubs = inputSubs[1]
        let broadcasts = outputSubs.contains("...")
        if broadcasts && !xSubs.contains("...") { xSubs += "..." }
        if broadcasts && !ySubs.contains("...") { ySubs += "..." }
        let x = ctx.input(0), y = ctx.input(1)
        var gradX = try gradientWithRespect(ctx, grad, other: y, input: x, inputSubs: xSubs, otherSubs: ySubs, outputSubs: outputSubs)
        var gradY = try gradientWithRespect(ctx, grad, other: x, input: y, inputSubs: ySubs, otherSubs: xSubs, outputSubs: outputSubs)
        guard broadcasts else { return [gradX, gradY] }
        let (xStart, xEnd) = ellipsisRange(xSubs), (yStart, yEnd) = ellipsisRange(ySubs)
        if let xs = x.shape.concrete, let ys = y.shape.concrete,
           xs[xStart..<(xs.count + (xEnd ?? 0))] == ys[yStart..<(ys.count + (yEnd ?? 0))] {
            return [gradX, gradY]
        }
        // Sum over the broadcast dimensions, found at run time from the two batch shapes.
        let xShape = try g.shape(of: x), yShape = try g.shape(of: y)
        func batchShape(_ shape: Output, _ start: Int, _ end: Int?) throws -> Output {
            try g.stridedSlice(shape, begin: [start], end: [end ?? 0], strides: [1], endMask: end == nil ? 1 : 0)
        }
        let (rx, ry) = try g.broadcastGradientArgs(batchShape(xShape, xStart, xEnd), batchShape(yShape, yStart, yEnd))
        gradX = try g.reshape(g.sum(gradX, axes: g.add(rx, g.constant(xStart))), to: xShape)
        gradY = try g.reshape(g.sum(gradY, axes: g.add(ry, g.constant(yStart))), to: yShape)
        return [gradX, gradY]
    }

    /// The axes `...` covers in an operand with subscripts `subs`: from its position to `end` counted from
    /// the right (nil: to the last axis); (0, 0) without one.
    static func ellipsisRange(_ subs: String) -> (Int, Int?) {
        guard let range = subs.range(of: "...") else { return (0, 0) }
        let remaining = subs.distance(from: range.upperBound, to: subs.endIndex)
        return (subs.distance(from: subs.startIndex, to: range.lowerBound), remaining > 0 ? -remaining : nil)
    }

    /// The gradient with respect to `input` of a binary einsum, before undoing broadcasting.
    static func gradientWithRespect(_ ctx: GradientContext, _ outputGrad: Output, other: Output, input: Output,
                                    inputSubs: String, otherSubs: String, outputSubs: String) throws -> Output {
        let reduced = Set(inputSubs).subtracting(outputSubs + otherSubs + ".")
        let leftSubs = String(inputSubs.filter { !reduced.contains($0) })
        let partial = try ctx.graph.einsum("\(outputSubs),\(otherSubs)->\(leftSubs)", outputGrad, other)
        if reduced.isEmpty { return partial }
        return try gradientOfReduction(ctx, partial, outputSubs: leftSubs, inputSubs: inputSubs, input: input, reduced: reduced)
    }

    /// The gradient of the unary einsum "inputSubs->outputSubs" that sums out the labels `reduced`:
    /// the gradient broadcast along the reduced labels (prepended), then the reverse einsum
    /// "reduced+outputSubs->inputSubs" puts every axis back in place (and un-traces repeated labels).
    static func gradientOfReduction(_ ctx: GradientContext, _ outputGrad: Output, outputSubs: String, inputSubs: String,
                                    input: Output, reduced: Set<Character>) throws -> Output {
        let g = ctx.graph
        let reducedSubs = String(reduced.sorted())
        // The leftmost axis of each reduced label; after '...' counted from the right, so the rank must be known.
        let (start, _) = ellipsisRange(inputSubs)
        let hasEllipsis = inputSubs.contains("...")
        var axes: [Int] = []
        for label in reducedSubs {
            guard let index = inputSubs.firstIndex(of: label) else { continue }   // reduced labels come from inputSubs
            let position = inputSubs.distance(from: inputSubs.startIndex, to: index)
            if !hasEllipsis || position < start { axes.append(position); continue }
            guard let rank = input.shape.rank else {
                throw TensorGraphError.invalidArgument("[Einsum] \(ctx.node.name): the gradient of '\(inputSubs)' needs the input's rank")
            }
            axes.append(rank - (inputSubs.count - position))
        }
        let inputShape = try g.shape(of: input), gradShape = try g.shape(of: outputGrad)
        let reducedDims = try g.gather(inputShape, indices: g.constant(Tensor(axes.map(Int32.init))))
        let ones = try g.constant(Tensor([Int32](repeating: 1, count: axes.count)))
        let expanded = try g.reshape(outputGrad, to: g.concat([ones, gradShape], axis: 0))
        let broadcast = try g.broadcastTo(expanded, shape: g.concat([reducedDims, gradShape], axis: 0))
        return try g.einsum("\(reducedSubs)\(outputSubs)->\(inputSubs)", broadcast)
    }
}
