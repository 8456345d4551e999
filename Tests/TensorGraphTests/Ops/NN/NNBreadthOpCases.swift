import Foundation
import TestSupport
@testable import TensorGraph

// The op table's cases for the NN ops of NNOpList.swift; `makeOpCases()` appends them after the
// older families, so adding cases here leaves every earlier case's inputs unchanged. The oracles are in
// NNBreadthReferences.swift; values checked against TensorFlow 2.21 itself are in NNBreadthTensorFlowTests.

func nnBreadthOpCases() -> [OpCase] {
    batchNormCases() + depthwiseCases() + resizeCases() + lossAndTransposeCases() + groupedConvolutionCases()
}

/// A node of `O` built from placeholders, with `attrs` as a node in an imported GraphDef would carry them (invalid cases).
private func node<O: Op>(_ op: O.Type, _ g: Graph, _ shapes: [TensorShape], _ attrs: Attributes, dtypes: [DType]? = nil) throws -> Output {
    let inputs = try shapes.enumerated().map { i, s in try ph(g, s, dtypes?[i] ?? .float) }
    return Output(graph: g, node: try g.addNode(O.self, inputs: inputs, attrs: attrs), index: 0)
}

// MARK: - FusedBatchNorm (three versions) and its gradients

private func batchNormCases() -> [OpCase] {
    var cases: [OpCase] = []
    let x = r([2, 3, 4, 3]), scale = r([3], 0.5, 1.5), offset = r([3]), mean = r([3]), variance = r([3], 0.5, 2)
    let eps: Float = 0.001
    func forward<O: FusedBatchNormForward>(_ op: O.Type, _ g: Graph, _ t: [Output], training: Bool, factor: Double = 1) throws -> [Output] {
        try g.fusedBatchNormNode(O.self, t[0], scale: t[1], offset: t[2], mean: t.count > 3 ? t[3] : nil, variance: t.count > 4 ? t[4] : nil,
                                 epsilon: Double(eps), isTraining: training, exponentialAvgFactor: factor)
    }
    func reference(_ t: [Tensor], training: Bool, factor: Float = 1, output: Int) -> Reference {
        let given = t.count > 3 ? (t[3].doubleValues, t[4].doubleValues) : ([], [])
        let outputs = refFusedBatchNorm(t[0], scale: t[1].doubleValues, offset: t[2].doubleValues, mean: given.0, variance: given.1,
                                        epsilon: eps, factor: factor, training: training)
        return (output == 0 ? t[0].shape : [t[0].shape.last!], outputs[output])
    }
    let invalid: [(Graph) throws -> Output] = [
        { g in try g.fusedBatchNorm(ph(g, [2, 3, 4, 3]), scale: ph(g, [4]), offset: ph(g, [3])).y },
        { g in try g.fusedBatchNorm(ph(g, [2, 4, 3]), scale: ph(g, [3]), offset: ph(g, [3])).y },
        { g in try g.fusedBatchNorm(ph(g, [2, 3, 4, 3]), scale: ph(g, [3]), offset: ph(g, [3]), mean: ph(g, [2]), variance: ph(g, [3]),
                                    isTraining: false).y },
        { g in try node(FusedBatchNormV3.self, g, [[2, 3, 4, 3], [3], [3], [0], [0]], ["data_format": .string("NCHW")]) },
        { g in try node(FusedBatchNormV3.self, g, [[2, 3, 4, 3], [3], [3], [0], [0]], [:], dtypes: [.float, .double, .double, .double, .double]) },
    ]
    // Training: batch statistics; the gradient (FusedBatchNormGradV3) and its gradient (TF's composite) against differences.
    cases.append(OpCase(op: "FusedBatchNormV3", label: "training y", inputs: [x, scale, offset],
                        build: { g, t in try forward(FusedBatchNormV3.self, g, t, training: true)[0] },
                        reference: { reference($0, training: true, output: 0) }, wrt: [0, 1, 2], secondOrder: true, invalid: invalid))
    for (output, name) in [(1, "batch_mean"), (2, "batch_variance (unbiased)"), (3, "reserve_space_1"), (4, "reserve_space_2 (biased)")] {
        cases.append(OpCase(op: "FusedBatchNormV3", label: "training \(name)", inputs: [x, scale, offset],
                            build: { g, t in try forward(FusedBatchNormV3.self, g, t, training: true)[output] },
                            reference: { reference($0, training: true, output: output) }))
        cases.append(OpCase(op: "FusedBatchNormV3", label: "training factor 0.25 \(name)", inputs: [x, scale, offset, mean, variance],
                            build: { g, t in try forward(FusedBatchNormV3.self, g, t, training: true, factor: 0.25)[output] },
                            reference: { reference($0, training: true, factor: 0.25, output: output) }))
    }
    cases.append(OpCase(op: "FusedBatchNormV3", label: "training reserve_space_3", inputs: [x, scale, offset],
                        build: { g, t in try forward(FusedBatchNormV3.self, g, t, training: true)[5] }, reference: { _ in ([0], []) }))
    cases.append(OpCase(op: "FusedBatchNormV3", label: "inference y", inputs: [x, scale, offset, mean, variance],
                        build: { g, t in try forward(FusedBatchNormV3.self, g, t, training: false)[0] },
                        reference: { reference($0, training: false, output: 0) }, wrt: [0, 1, 2], secondOrder: true))
    cases.append(OpCase(op: "FusedBatchNormV3", label: "inference batch_variance", inputs: [x, scale, offset, mean, variance],
                        build: { g, t in try forward(FusedBatchNormV3.self, g, t, training: false)[2] },
                        reference: { reference($0, training: false, output: 2) }))
    let x5 = r([2, 2, 3, 2, 3])
    cases.append(OpCase(op: "FusedBatchNormV3", label: "NDHWC training y", inputs: [x5, scale, offset],
                        build: { g, t in
                            let v = try g.fusedBatchNormNode(FusedBatchNormV3.self, t[0], scale: t[1], offset: t[2], mean: nil, variance: nil,
                                                             epsilon: Double(eps), dataFormat: "NDHWC", isTraining: true, exponentialAvgFactor: 1)
                            return v[0]
                        }, reference: { reference($0, training: true, output: 0) }, wrt: [0, 1, 2]))
    cases.append(OpCase(op: "FusedBatchNormV2", label: "training y", inputs: [x, scale, offset],
                        build: { g, t in try forward(FusedBatchNormV2.self, g, t, training: true)[0] },
                        reference: { reference($0, training: true, output: 0) }, wrt: [0, 1, 2], secondOrder: true))
    cases.append(OpCase(op: "FusedBatchNorm", label: "inference y", inputs: [x, scale, offset, mean, variance],
                        build: { g, t in try forward(FusedBatchNorm.self, g, t, training: false)[0] },
                        reference: { reference($0, training: false, output: 0) }, wrt: [0, 1, 2], secondOrder: true))

    // The gradient ops on their own. Training: the reserve spaces come from a FusedBatchNorm of x in the same
    // graph (as TF's gradient wires them), so differences through x also move μ and σ².
    let dy = r([2, 3, 4, 3])
    func gradient<F: FusedBatchNormForward>(_ op: F.Type, _ g: Graph, _ t: [Output], training: Bool, output: Int) throws -> Output {
        let statistics = training ? Array(try forward(F.self, g, [t[1], t[2], g.zerosLike(t[2])], training: true)[3...]) : [t[3], t[4]]
        return try g.fusedBatchNormGradNode(F.Gradient.self, yBackprop: t[0], x: t[1], scale: t[2], reserveSpace1: statistics[0],
                                            reserveSpace2: statistics[1], reserveSpace3: statistics.count > 2 ? statistics[2] : nil,
                                            epsilon: eps, isTraining: training)[output]
    }
    func gradientReference(_ t: [Tensor], training: Bool, output: Int) -> Reference {
        let (mu, sigma2) = training ? refMoments(t[1]) : (t[3].doubleValues, t[4].doubleValues)
        let grads = refFusedBatchNormGrad(t[0], t[1], scale: t[2].doubleValues, mean: mu, variance: sigma2, epsilon: eps, training: training)
        return (output == 0 ? t[1].shape : [3], grads[output])
    }
    for (output, name) in [(0, "x_backprop"), (1, "scale_backprop"), (2, "offset_backprop")] {
        cases.append(OpCase(op: "FusedBatchNormGradV3", label: "training \(name)", inputs: [dy, x, scale],
                            build: { g, t in try gradient(FusedBatchNormV3.self, g, t, training: true, output: output) },
                            reference: { gradientReference($0, training: true, output: output) }, wrt: [0, 1, 2],
                            invalid: output > 0 ? [] : [
                                { g in try g.fusedBatchNormGrad(yBackprop: ph(g, [2, 3, 4, 3]), x: ph(g, [2, 3, 4, 2]), scale: ph(g, [3]),
                                                                reserveSpace1: ph(g, [3]), reserveSpace2: ph(g, [3])).xBackprop },
                                { g in try g.fusedBatchNormGrad(yBackprop: ph(g, [2, 3, 4, 3]), x: ph(g, [2, 3, 4, 3]), scale: ph(g, [3]),
                                                                reserveSpace1: ph(g, [3]), reserveSpace2: ph(g, [4])).xBackprop },
                            ]))
        cases.append(OpCase(op: "FusedBatchNormGradV3", label: "inference \(name)", inputs: [dy, x, scale, mean, variance],
                            build: { g, t in try gradient(FusedBatchNormV3.self, g, t, training: false, output: output) },
                            reference: { gradientReference($0, training: false, output: output) }, wrt: [0, 1, 2]))
    }
    cases.append(OpCase(op: "FusedBatchNormGradV2", label: "training x_backprop", inputs: [dy, x, scale],
                        build: { g, t in try gradient(FusedBatchNormV2.self, g, t, training: true, output: 0) },
                        reference: { gradientReference($0, training: true, output: 0) }, wrt: [0, 1, 2]))
    cases.append(OpCase(op: "FusedBatchNormGrad", label: "inference scale_backprop", inputs: [dy, x, scale, mean, variance],
                        build: { g, t in try gradient(FusedBatchNorm.self, g, t, training: false, output: 1) },
                        reference: { gradientReference($0, training: false, output: 1) }, wrt: [0, 1, 2]))
    return cases
}

// MARK: - DepthwiseConv2dNative and its two backprop ops

private func depthwiseCases() -> [OpCase] {
    var cases: [OpCase] = []
    let configurations: [(Padding, (Int, Int), (Int, Int), Int)] = [
        (.valid, (1, 1), (1, 1), 1), (.same, (2, 2), (1, 1), 2), (.same, (1, 1), (2, 2), 1), (.valid, (2, 1), (1, 2), 3),
    ]
    for (k, (padding, strides, dilations, multiplier)) in configurations.enumerated() {
        let label = "\(padding.rawValue) strides \(strides) dilations \(dilations) M=\(multiplier)"
        let x = r([2, 5, 6, 3]), w = r([3, 2, 3, multiplier])
        let gm = refDepthwiseGeometry(x.shape, kernel: (3, 2), strides: strides, dilations: dilations, padding: padding)
        let dy = r([2, gm.outHeight, gm.outWidth, 3 * multiplier])
        let conv = { (g: Graph, input: Output, filter: Output) in
            try g.depthwiseConv2D(input, filter: filter, strides: strides, padding: padding, dilations: dilations)
        }
        cases.append(OpCase(op: "DepthwiseConv2dNative", label: label, inputs: [x, w], build: { g, t in try conv(g, t[0], t[1]) },
                            reference: { t in refDepthwiseConv(t[0], t[1], strides: strides, dilations: dilations, padding: padding) },
                            wrt: [0, 1], secondOrder: k < 2,
                            invalid: k > 0 ? [] : [
                                { g in try g.depthwiseConv2D(ph(g, [2, 5, 6, 3]), filter: ph(g, [3, 2, 2, 1]), padding: .valid) },
                                { g in try g.depthwiseConv2D(ph(g, [2, 5, 6]), filter: ph(g, [3, 2, 3, 1]), padding: .valid) },
                                { g in try g.depthwiseConv2D(ph(g, [2, 2, 6, 3]), filter: ph(g, [2, 2, 3, 1]), padding: .valid, dilations: (2, 1)) },
                                { g in try node(DepthwiseConv2dNative.self, g, [[2, 5, 6, 3], [3, 2, 3, 1]],
                                                ["strides": .ints([1, 1, 1, 1]), "padding": .string("EXPLICIT"),
                                                 "explicit_paddings": .ints([0, 0, 1, 1, 1, 1, 0, 0])]) },
                                { g in try node(DepthwiseConv2dNative.self, g, [[2, 3, 5, 6], [3, 2, 3, 1]],
                                                ["strides": .ints([1, 1, 1, 1]), "padding": .string("VALID"), "data_format": .string("NCHW")]) },
                                { g in try node(DepthwiseConv2dNative.self, g, [[2, 5, 6, 3], [3, 2, 3, 1]],
                                                ["strides": .ints([1, 1, 1, 1]), "padding": .string("VALID"), "dilations": .ints([2, 1, 1, 1])]) },
                            ]))
        cases.append(OpCase(op: "DepthwiseConv2dNativeBackpropInput", label: label, inputs: [w, dy],
                            build: { g, t in try g.depthwiseConv2DBackpropInput(inputSizes: g.constant(Tensor([Int32(2), 5, 6, 3])), filter: t[0],
                                                                                outBackprop: t[1], strides: strides, padding: padding, dilations: dilations) },
                            reference: { t in refDepthwiseBackpropInput([2, 5, 6, 3], t[0], t[1], strides: strides, dilations: dilations, padding: padding) },
                            wrt: [0, 1], secondOrder: k == 1,
                            invalid: [{ g in try g.depthwiseConv2DBackpropInput(inputSizes: g.constant(Tensor([Int32(2), 5, 6])), filter: ph(g, [3, 2, 3, 1]),
                                                                                outBackprop: ph(g, [2, 3, 5, 3]), strides: strides, padding: padding) }]))
        cases.append(OpCase(op: "DepthwiseConv2dNativeBackpropFilter", label: label, inputs: [x, dy],
                            build: { g, t in try g.depthwiseConv2DBackpropFilter(input: t[0], filterSizes: g.constant(Tensor([Int32(3), 2, 3, Int32(multiplier)])),
                                                                                 outBackprop: t[1], strides: strides, padding: padding, dilations: dilations) },
                            reference: { t in refDepthwiseBackpropFilter(t[0], [3, 2, 3, multiplier], t[1], strides: strides, dilations: dilations, padding: padding) },
                            wrt: [0, 1], secondOrder: k == 1,
                            invalid: [{ g in try g.depthwiseConv2DBackpropFilter(input: ph(g, [2, 5, 6]), filterSizes: g.constant(Tensor([Int32(3), 2, 3, 1])),
                                                                                 outBackprop: ph(g, [2, 3, 5, 3]), strides: strides, padding: padding) }]))
    }
    return cases
}

// MARK: - ResizeNearestNeighbor, ResizeBilinear and their gradients

private func resizeCases() -> [OpCase] {
    var cases: [OpCase] = []
    // Upscale and downscale, in each coordinate convention.
    let configurations: [((Int, Int), (Int, Int), Bool, Bool)] = [
        ((3, 4), (5, 7), false, false), ((5, 7), (3, 4), false, false), ((3, 4), (5, 7), false, true), ((5, 7), (2, 3), false, true),
        ((3, 4), (5, 7), true, false), ((5, 7), (3, 4), true, false), ((4, 4), (1, 1), true, false),
    ]
    for (k, (input, output, align, halfPixel)) in configurations.enumerated() {
        let label = "\(input)→\(output) align_corners \(align) half_pixel_centers \(halfPixel)"
        let images = r([2, input.0, input.1, 3]), grads = r([2, output.0, output.1, 3])
        let invalid: [(Graph) throws -> Output] = [
            { g in try g.resizeNearestNeighbor(ph(g, [2, 3, 4]), size: (5, 7)) },
            { g in try g.resizeNearestNeighbor(ph(g, [2, 3, 4, 3]), size: g.constant(Tensor([Int32(5), 7, 1]))) },
            { g in try g.resizeNearestNeighbor(ph(g, [2, 3, 4, 3]), size: (0, 7)) },
            { g in try g.resizeNearestNeighbor(ph(g, [2, 3, 4, 3]), size: (5, 7), alignCorners: true, halfPixelCenters: true) },
        ]
        cases.append(OpCase(op: "ResizeNearestNeighbor", label: label, inputs: [images],
                            build: { g, t in try g.resizeNearestNeighbor(t[0], size: output, alignCorners: align, halfPixelCenters: halfPixel) },
                            reference: { t in refResizeNearest(t[0], to: output, alignCorners: align, halfPixelCenters: halfPixel) },
                            wrt: [0], secondOrder: false, invalid: k == 0 ? invalid : []))
        cases.append(OpCase(op: "ResizeNearestNeighborGrad", label: label, inputs: [grads],
                            build: { g, t in try g.resizeNearestNeighborGrad(t[0], size: g.constant(Tensor([Int32(input.0), Int32(input.1)])),
                                                                             alignCorners: align, halfPixelCenters: halfPixel) },
                            reference: { t in refResizeNearestGrad(t[0], original: input, alignCorners: align, halfPixelCenters: halfPixel) },
                            invalid: k > 0 ? [] : [{ g in try g.resizeNearestNeighborGrad(ph(g, [2, 5, 7, 3], .int32), size: g.constant(Tensor([Int32(3), 4]))) }]))
        // ResizeBilinear outputs float32 (as TF); cast to float64 so the table's float64 gradient check runs. The
        // finite-difference step is large because the output is rounded to float32 (the op is linear in the images).
        cases.append(OpCase(op: "ResizeBilinear", label: label, inputs: [images],
                            build: { g, t in try g.cast(g.resizeBilinear(t[0], size: output, alignCorners: align, halfPixelCenters: halfPixel), to: .double) },
                            reference: { t in refResizeBilinear(t[0], to: output, alignCorners: align, halfPixelCenters: halfPixel) },
                            wrt: [0], epsilon: 1e-2,
                            invalid: k > 0 ? [] : [{ g in try g.resizeBilinear(ph(g, [2, 3, 4, 3], .bool), size: (5, 7)) },
                                                   { g in try g.resizeBilinear(ph(g, [3, 4, 3]), size: (5, 7)) }]))
        cases.append(OpCase(op: "ResizeBilinearGrad", label: label, inputs: [toFloat32(grads), images],
                            build: { g, t in try g.resizeBilinearGrad(t[0], originalImage: t[1], alignCorners: align, halfPixelCenters: halfPixel) },
                            reference: { t in refResizeBilinearGrad(t[0], original: input, alignCorners: align, halfPixelCenters: halfPixel) },
                            invalid: k > 0 ? [] : [{ g in try g.resizeBilinearGrad(ph(g, [2, 5, 7, 4]), originalImage: ph(g, [2, 3, 4, 3], .double)) }]))
    }
    return cases
}

// MARK: - L2Loss and conv2DTranspose (Conv2DBackpropInput used as a forward op)

private func lossAndTransposeCases() -> [OpCase] {
    var cases: [OpCase] = []
    cases.append(OpCase(op: "L2Loss", inputs: [r([3, 4])], build: { g, t in try g.l2Loss(t[0]) },
                        reference: { t in ([], [t[0].doubleValues.reduce(0) { $0 + $1 * $1 } / 2]) }, wrt: [0], secondOrder: true,
                        invalid: [{ g in try g.l2Loss(ph(g, [3], .int32)) }]))
    cases.append(OpCase(op: "L2Loss", label: "empty", inputs: [r([0, 4])], build: { g, t in try g.l2Loss(t[0]) }, reference: { _ in ([], [0]) }))
    // tf.nn.conv2d_transpose: value [2, 3, 3, 4], filter [3, 2, C_out = 2, C_in = 4] → output_shape [2, 5, 6, 2] (SAME, stride 2).
    cases.append(OpCase(op: "Conv2DBackpropInput", label: "conv2DTranspose", inputs: [r([2, 3, 3, 4]), r([3, 2, 2, 4])],
                        build: { g, t in try g.conv2DTranspose(t[0], filter: t[1], outputShape: [2, 5, 6, 2], strides: (2, 2), padding: .same) },
                        reference: { t in refConvBackpropInput([2, 5, 6, 2], t[1], t[0], strides: (2, 2), padding: .same) },
                        wrt: [0, 1], secondOrder: true))
    return cases
}

// MARK: - Grouped Conv2D (a filter in-depth that divides the input depth, as Keras' Conv2D(groups:) writes it)

/// The grouped convolution by definition: group i of the output convolves input channels
/// [i·CG, (i+1)·CG) with filters [:, :, :, i·F/G ..< (i+1)·F/G] (TF's Conv2D shape rule and XLA's kernel).
private func refGroupedConv2D(_ x: Tensor, _ w: Tensor, strides: (Int, Int), padding: Padding) -> Reference {
    let c = x.shape[3], cg = w.shape[2], f = w.shape[3], groups = c / cg, fg = f / groups
    let xs = x.doubleValues, ws = w.doubleValues
    let gm = refGeometry([x.shape[0], x.shape[1], x.shape[2], cg], kernel: (w.shape[0], w.shape[1]), strides: strides, padding: padding)
    var out = [Double](repeating: 0, count: gm.outputPositions * f)
    for group in 0..<groups {
        var groupInput: [Double] = [], groupFilter: [Double] = []
        for p in 0..<(xs.count / c) { groupInput += xs[(p * c + group * cg)..<(p * c + group * cg + cg)] }
        for row in 0..<(ws.count / f) { groupFilter += ws[(row * f + group * fg)..<(row * f + group * fg + fg)] }
        let y = conv2dReference(groupInput, groupFilter, gm, filters: fg)
        for p in 0..<gm.outputPositions { for o in 0..<fg { out[p * f + group * fg + o] = y[p * fg + o] } }
    }
    return ([x.shape[0], gm.outHeight, gm.outWidth, f], out)
}

private func groupedConvolutionCases() -> [OpCase] {
    var cases: [OpCase] = []
    // 4 input channels with filter in-depth 2: 2 groups of 3 filters; 6 channels with in-depth 2: 3 groups of 2 filters.
    for (xShape, wShape, strides, padding) in [([2, 5, 6, 4], [3, 2, 2, 6], (2, 1), Padding.same), ([1, 4, 5, 6], [2, 2, 2, 6], (1, 2), .valid)] {
        cases.append(OpCase(op: "Conv2D", label: "grouped \(xShape[3] / wShape[2]) \(padding.rawValue)", inputs: [r(xShape), r(wShape)],
                            build: { g, t in try g.conv2D(t[0], filter: t[1], strides: strides, padding: padding) },
                            reference: { t in refGroupedConv2D(t[0], t[1], strides: strides, padding: padding) }, wrt: [0, 1],
                            invalid: [{ g in try g.conv2D(ph(g, [2, 5, 6, 4]), filter: ph(g, [3, 2, 3, 6]), padding: padding) },
                                      { g in try g.conv2D(ph(g, [2, 5, 6, 4]), filter: ph(g, [3, 2, 2, 5]), padding: padding) }]))
    }
    return cases
}
