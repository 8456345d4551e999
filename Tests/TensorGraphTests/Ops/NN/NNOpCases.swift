import Foundation
import TestSupport
@testable import TensorGraph

// The op table's cases for the ops in Ops/NN. `makeOpCases()` (Ops/OpCase.swift) calls these
// functions in a fixed order: every case draws its inputs from one seeded source, so keep the order.

/// BiasAdd, softmax and the two cross-entropy losses, with their gradient ops.
func nnSoftmaxAndLossOpCases() -> [OpCase] {
    var cases: [OpCase] = []
    cases.append(OpCase(op: "BiasAdd", inputs: [r([2, 3, 4]), r([4])], build: { g, x in try g.biasAdd(x[0], x[1]) },
                        reference: { refBroadcast($0[0], $0[1], +) }, wrt: [0, 1], secondOrder: true,
                        invalid: [{ g in try g.biasAdd(ph(g, [2, 3]), ph(g, [4])) }]))
    cases.append(OpCase(op: "BiasAddGrad", inputs: [r([2, 3, 4])], build: { g, x in try g.biasAddGrad(x[0]) },
                        reference: { refReduce($0[0], axes: [0, 1]) { $0.reduce(0, +) } }, wrt: [0], secondOrder: true,
                        invalid: [{ g in try g.biasAddGrad(ph(g, [4])) }]))
    cases.append(OpCase(op: "Softmax", inputs: [r([3, 5], -2, 2)], build: { g, x in try g.softmax(x[0]) },
                        reference: { refSoftmaxRows($0[0]) }, wrt: [0], secondOrder: true,
                        invalid: [{ g in try g.softmax(ph(g, [3], .int32)) }]))
    cases.append(OpCase(op: "LogSoftmax", inputs: [r([3, 5], -2, 2)], build: { g, x in try g.logSoftmax(x[0]) },
                        reference: { refSoftmaxRows($0[0], log: true) }, wrt: [0], secondOrder: true,
                        invalid: [{ g in try g.logSoftmax(ph(g, [3], .int32)) }]))
    let labelsDense: Tensor = {
        var rows: [Double] = []
        for _ in 0..<3 { let p = (0..<4).map { _ in uniformScalar(0.1, 1) }; let s = p.reduce(0, +); rows += p.map { $0 / s } }
        return Tensor(shape: [3, 4], scalars: rows)
    }()
    cases.append(OpCase(op: "SoftmaxCrossEntropyWithLogits", inputs: [r([3, 4], -2, 2), labelsDense],
                        build: { g, x in try g.softmaxCrossEntropyWithLogits(labels: x[1], logits: x[0]) },
                        reference: { t in
                            let logP = refSoftmaxRows(t[0], log: true).values, y = t[1].doubleValues
                            var losses: [Double] = []
                            for row in 0..<3 {
                                var total = 0.0
                                for j in 0..<4 { total -= y[row * 4 + j] * logP[row * 4 + j] }
                                losses.append(total)
                            }
                            return ([3], losses)
                        }, wrt: [0, 1], secondOrder: true,
                        invalid: [{ g in try g.softmaxCrossEntropyWithLogits(labels: ph(g, [3, 5]), logits: ph(g, [3, 4])) }]))
    cases.append(OpCase(op: "SparseSoftmaxCrossEntropyWithLogits", inputs: [r([3, 4], -2, 2), Tensor([Int32(2), 0, 3])],
                        build: { g, x in try g.sparseSoftmaxCrossEntropyWithLogits(labels: x[1], logits: x[0]) },
                        reference: { t in
                            let logP = refSoftmaxRows(t[0], log: true).values, y = t[1].scalars(as: Int32.self)
                            let losses: [Double] = (0..<3).map { row in -logP[row * 4 + Int(y[row])] }
                            return ([3], losses)
                        }, wrt: [0], secondOrder: true,
                        invalid: [{ g in try g.sparseSoftmaxCrossEntropyWithLogits(labels: ph(g, [3]), logits: ph(g, [3, 4])) },
                                  { g in try g.sparseSoftmaxCrossEntropyWithLogits(labels: ph(g, [2], .int32), logits: ph(g, [3, 4])) }]))
    return cases
}

/// Conv2D, pooling and their gradient ops, each in four paddings and strides.
func nnConvolutionAndPoolingOpCases() -> [OpCase] {
    var cases: [OpCase] = []

    // Convolution and pooling: VALID and SAME, stride 1 and 2 (SAME with stride 2 pads unevenly).
    for (padding, strides) in [(Padding.valid, (1, 1)), (Padding.same, (1, 1)), (Padding.same, (2, 2)), (Padding.valid, (2, 1))] {
        let label = "\(padding.rawValue) \(strides)"
        let x = r([2, 5, 6, 3]), w = r([3, 2, 3, 4])
        // A single-channel input takes the transposed-im2col path.
        let x1 = r([2, 5, 6, 1]), w1 = r([3, 2, 1, 4])
        cases.append(OpCase(op: "Conv2D", label: label + " C=1", inputs: [x1, w1],
                            build: { g, t in try g.conv2D(t[0], filter: t[1], strides: strides, padding: padding) },
                            reference: { t in
                                let gm = refGeometry(t[0].shape, kernel: (3, 2), strides: strides, padding: padding)
                                return ([2, gm.outHeight, gm.outWidth, 4], conv2dReference(t[0].doubleValues, t[1].doubleValues, gm, filters: 4))
                            }, wrt: [0, 1]))
        let gm = refGeometry(x.shape, kernel: (3, 2), strides: strides, padding: padding)
        let dy = r([2, gm.outHeight, gm.outWidth, 4])
        cases.append(OpCase(op: "Conv2D", label: label, inputs: [x, w],
                            build: { g, t in try g.conv2D(t[0], filter: t[1], strides: strides, padding: padding) },
                            reference: { t in
                                let gm = refGeometry(t[0].shape, kernel: (3, 2), strides: strides, padding: padding)
                                return ([2, gm.outHeight, gm.outWidth, 4], conv2dReference(t[0].doubleValues, t[1].doubleValues, gm, filters: 4))
                            }, wrt: [0, 1], secondOrder: true,
                            invalid: [{ g in try g.conv2D(ph(g, [2, 5, 6, 3]), filter: ph(g, [3, 2, 2, 4]), padding: padding) },
                                      { g in try g.conv2D(ph(g, [2, 5, 6]), filter: ph(g, [3, 2, 3, 4]), padding: padding) }]))
        cases.append(OpCase(op: "Conv2DBackpropInput", label: label, inputs: [w, dy],
                            build: { g, t in try g.conv2DBackpropInput(inputSizes: g.constant(Tensor([Int32(2), 5, 6, 3])), filter: t[0],
                                                                       outBackprop: t[1], strides: strides, padding: padding) },
                            reference: { t in refConvBackpropInput([2, 5, 6, 3], t[0], t[1], strides: strides, padding: padding) },
                            wrt: [0, 1], secondOrder: true,
                            invalid: [{ g in try g.conv2DBackpropInput(inputSizes: g.constant(Tensor([Int32(2), 5, 6])), filter: ph(g, [3, 2, 3, 4]),
                                                                       outBackprop: ph(g, [2, 3, 5, 4]), strides: strides, padding: padding) }]))
        cases.append(OpCase(op: "Conv2DBackpropFilter", label: label, inputs: [x, dy],
                            build: { g, t in try g.conv2DBackpropFilter(input: t[0], filterSizes: g.constant(Tensor([Int32(3), 2, 3, 4])),
                                                                        outBackprop: t[1], strides: strides, padding: padding) },
                            reference: { t in refConvBackpropFilter(t[0], [3, 2, 3, 4], t[1], strides: strides, padding: padding) },
                            wrt: [0, 1], secondOrder: true,
                            invalid: [{ g in try g.conv2DBackpropFilter(input: ph(g, [2, 5, 6, 3]), filterSizes: g.constant(Tensor([Int32(3), 2])),
                                                                        outBackprop: ph(g, [2, 3, 5, 4]), strides: strides, padding: padding) }]))
        let px = distinct([2, 5, 6, 3])
        cases.append(OpCase(op: "MaxPool", label: label, inputs: [px],
                            build: { g, t in try g.maxPool(t[0], ksize: (2, 3), strides: strides, padding: padding) },
                            reference: { t in refPool(t[0], kernel: (2, 3), strides: strides, padding: padding, max: true) }, wrt: [0],
                            invalid: [{ g in try g.maxPool(ph(g, [2, 1, 6, 3]), ksize: (2, 3), strides: strides, padding: .valid) }]))
        cases.append(OpCase(op: "AvgPool", label: label, inputs: [x],
                            build: { g, t in try g.avgPool(t[0], ksize: (2, 3), strides: strides, padding: padding) },
                            reference: { t in refPool(t[0], kernel: (2, 3), strides: strides, padding: padding, max: false) },
                            wrt: [0], secondOrder: true,
                            invalid: [{ g in try g.avgPool(ph(g, [2, 5, 6]), ksize: (2, 3), strides: strides, padding: padding) }]))
        cases.append(OpCase(op: "MaxPoolWithArgmax", label: label, inputs: [px],
                            build: { g, t in try g.maxPoolWithArgmax(t[0], ksize: (2, 3), strides: strides, padding: padding).output },
                            reference: { t in refPool(t[0], kernel: (2, 3), strides: strides, padding: padding, max: true) }, wrt: [0],
                            invalid: [{ g in try g.maxPoolWithArgmax(ph(g, [2, 1, 6, 3]), ksize: (2, 3), strides: strides, padding: .valid).output }]))
        let pg = refGeometry(px.shape, kernel: (2, 3), strides: strides, padding: padding)
        let pooledGrad = r([2, pg.outHeight, pg.outWidth, 3])
        cases.append(OpCase(op: "MaxPoolGrad", label: label, inputs: [px, pooledGrad],
                            build: { g, t in
                                let pooled = try g.maxPool(t[0], ksize: (2, 3), strides: strides, padding: padding)
                                return try g.maxPoolGrad(original: t[0], pooled: pooled, grad: t[1], ksize: (2, 3), strides: strides, padding: padding)
                            },
                            reference: { t in (t[0].shape, maxPoolGradReference(t[0].doubleValues, pg, t[1].doubleValues)) },
                            invalid: [{ g in try g.maxPoolGrad(original: ph(g, [2, 5, 6, 3]), pooled: ph(g, [2, 5, 6, 3]), grad: ph(g, [2, 5, 6, 3], .int32),
                                                               ksize: (2, 3), strides: strides, padding: padding) }]))
        cases.append(OpCase(op: "MaxPoolGradWithArgmax", label: label, inputs: [px, pooledGrad],
                            build: { g, t in
                                let argmax = try g.maxPoolWithArgmax(t[0], ksize: (2, 3), strides: strides, padding: padding).argmax
                                return try g.maxPoolGradWithArgmax(input: t[0], grad: t[1], argmax: argmax, ksize: (2, 3), strides: strides,
                                                                   padding: padding)
                            },
                            reference: { t in (t[0].shape, maxPoolGradReference(t[0].doubleValues, pg, t[1].doubleValues)) },
                            invalid: [{ g in try g.maxPoolGradWithArgmax(input: ph(g, [2, 5, 6, 3]), grad: ph(g, [2, 5, 6, 3]),
                                                                         argmax: ph(g, [2, 5, 6, 3]), ksize: (2, 3), strides: strides,
                                                                         padding: padding) }]))
        cases.append(OpCase(op: "AvgPoolGrad", label: label, inputs: [pooledGrad],
                            build: { g, t in try g.avgPoolGrad(inputShape: g.constant(Tensor([Int32(2), 5, 6, 3])), grad: t[0],
                                                               ksize: (2, 3), strides: strides, padding: padding) },
                            reference: { t in
                                // The adjoint of average pooling: spread each window's gradient over its real positions.
                                var dx = [Double](repeating: 0, count: 2 * 5 * 6 * 3)
                                let d = t[0].doubleValues
                                for n in 0..<2 { for oy in 0..<pg.outHeight { for ox in 0..<pg.outWidth { for c in 0..<3 {
                                    var cells: [Int] = []
                                    for ky in 0..<2 { for kx in 0..<3 {
                                        let iy = oy * pg.strideY + ky - pg.padTop, ix = ox * pg.strideX + kx - pg.padLeft
                                        if iy >= 0, iy < 5, ix >= 0, ix < 6 { cells.append(((n * 5 + iy) * 6 + ix) * 3 + c) }
                                    } }
                                    for cell in cells { dx[cell] += d[((n * pg.outHeight + oy) * pg.outWidth + ox) * 3 + c] / Double(cells.count) }
                                } } } }
                                return ([2, 5, 6, 3], dx)
                            }, wrt: [0], secondOrder: true,
                            invalid: [{ g in try g.avgPoolGrad(inputShape: g.constant(Tensor([Int32(2), 5, 6, 3])), grad: ph(g, [2], .int32),
                                                               ksize: (2, 3), strides: strides, padding: padding) }]))
    }
    return cases
}
