import Foundation
import TestSupport
import XCTest
@testable import TensorGraph

/// The NN ops of NNOpList.swift beyond the op table: their kernels' parallel paths (inputs large enough
/// to split over workers) against the plain-loop oracles, kernels whose cached geometry must follow
/// changing shapes and sizes, edge cases, the composite builders' gradients, and a GraphDef written by
/// TensorFlow 2.21 (every op of the family and its gradient) imported and run.
final class NNBreadthKernelTests: XCTestCase {
    func testParallelPathsMatchReferences() throws {
        var random = TestRandom(seed: 21)
        // Depthwise: M = 2 stride 1, and M = 1 (the contiguous fast path) with stride 2, both split over rows.
        for (x, w, strides) in [(random.tensor([4, 20, 20, 8]), random.tensor([3, 3, 8, 2]), (1, 1)),
                                (random.tensor([4, 21, 20, 16]), random.tensor([3, 3, 16, 1]), (2, 2))] {
            let gm = refDepthwiseGeometry(x.shape, kernel: (3, 3), strides: strides, dilations: (1, 1), padding: .same)
            let dy = random.tensor([4, gm.outHeight, gm.outWidth, w.shape[2] * w.shape[3]])
            let y = try evaluate([x, w]) { g, t in try g.depthwiseConv2D(t[0], filter: t[1], strides: strides, padding: .same) }.0
            assertClose(y.doubleValues, refDepthwiseConv(x, w, strides: strides, dilations: (1, 1), padding: .same).values, absolute: 1e-12, relative: 1e-12)
            let dx = try evaluate([w, dy]) { g, t in
                try g.depthwiseConv2DBackpropInput(inputSizes: g.constant(Tensor(x.shape.map(Int32.init))), filter: t[0], outBackprop: t[1],
                                                   strides: strides, padding: .same)
            }.0
            assertClose(dx.doubleValues, refDepthwiseBackpropInput(x.shape, w, dy, strides: strides, dilations: (1, 1), padding: .same).values,
                        absolute: 1e-12, relative: 1e-12)
            let dw = try evaluate([x, dy]) { g, t in
                try g.depthwiseConv2DBackpropFilter(input: t[0], filterSizes: g.constant(Tensor(w.shape.map(Int32.init))), outBackprop: t[1],
                                                    strides: strides, padding: .same)
            }.0
            assertClose(dw.doubleValues, refDepthwiseBackpropFilter(x, w.shape, dy, strides: strides, dilations: (1, 1), padding: .same).values,
                        absolute: 1e-10, relative: 1e-10)
        }
        // Batch norm over 2¹⁵ elements: statistics from per-worker partials.
        let x = random.tensor([8, 16, 16, 16]), dy = random.tensor([8, 16, 16, 16]), scale = random.tensor([16], 0.5, 1.5)
        let values = try evaluate([x, scale, dy]) { g, t in
            let outputs = try g.fusedBatchNormNode(FusedBatchNormV3.self, t[0], scale: t[1], offset: g.zerosLike(t[1]), mean: nil, variance: nil,
                                                   epsilon: 0.001, isTraining: true, exponentialAvgFactor: 1)
            let grad = try g.fusedBatchNormGrad(yBackprop: t[2], x: t[0], scale: t[1], reserveSpace1: outputs[3], reserveSpace2: outputs[4],
                                                reserveSpace3: outputs[5], epsilon: 0.001)
            return try g.concat([g.reshape(outputs[0], to: [-1]), g.reshape(grad.xBackprop, to: [-1]), grad.scaleBackprop], axis: 0)
        }.0.doubleValues
        let (mu, sigma2) = refMoments(x)
        let y = refFusedBatchNorm(x, scale: scale.doubleValues, offset: Array(repeating: 0, count: 16), mean: [], variance: [], epsilon: 0.001,
                                  training: true)[0]
        let grads = refFusedBatchNormGrad(dy, x, scale: scale.doubleValues, mean: mu, variance: sigma2, epsilon: 0.001, training: true)
        assertClose(values, y + grads[0] + grads[1], absolute: 1e-10, relative: 1e-10)
        // Resizing [2, 40, 40, 8] up to 64 × 50, and its gradients.
        let images = random.tensor([2, 40, 40, 8]), grads2 = random.tensor([2, 64, 50, 8])
        for (align, halfPixel) in [(false, true), (true, false)] {
            let resized = try evaluate([images]) { g, t in
                try g.concat([g.reshape(g.cast(g.resizeBilinear(t[0], size: (64, 50), alignCorners: align, halfPixelCenters: halfPixel), to: .double), to: [-1]),
                              g.reshape(g.resizeNearestNeighbor(t[0], size: (64, 50), alignCorners: align, halfPixelCenters: halfPixel), to: [-1])], axis: 0)
            }.0
            assertClose(resized.doubleValues, refResizeBilinear(images, to: (64, 50), alignCorners: align, halfPixelCenters: halfPixel).values
                        + refResizeNearest(images, to: (64, 50), alignCorners: align, halfPixelCenters: halfPixel).values, absolute: 1e-12, relative: 1e-12)
            let back = try evaluate([toFloat32(grads2), grads2, images]) { g, t in
                try g.concat([g.reshape(g.resizeBilinearGrad(t[0], originalImage: t[2], alignCorners: align, halfPixelCenters: halfPixel), to: [-1]),
                              g.reshape(g.resizeNearestNeighborGrad(t[1], size: g.constant(Tensor([Int32(40), 40])), alignCorners: align,
                                                                    halfPixelCenters: halfPixel), to: [-1])], axis: 0)
            }.0
            assertClose(back.doubleValues, refResizeBilinearGrad(toFloat32(grads2), original: (40, 40), alignCorners: align, halfPixelCenters: halfPixel).values
                        + refResizeNearestGrad(grads2, original: (40, 40), alignCorners: align, halfPixelCenters: halfPixel).values,
                        absolute: 1e-10, relative: 1e-10)
        }
        let big = random.tensor([300, 300])
        let loss = try evaluate([big]) { g, t in try g.l2Loss(t[0]) }.0
        XCTAssertEqual(loss.scalar(as: Double.self), big.doubleValues.reduce(0) { $0 + $1 * $1 } / 2, accuracy: 1e-9)
    }

    func testKernelsFollowChangingShapesAndSizes() throws {
        let g = Graph()
        let x = try g.placeholder(.double, shape: [nil, 4, 5, 3]), size = try g.placeholder(.int32, shape: [2])
        var random = TestRandom(seed: 6)
        let filterValue = random.tensor([3, 3, 3, 2])
        let filter = try g.constant(filterValue)
        let normalized = try g.fusedBatchNorm(g.depthwiseConv2D(x, filter: filter, padding: .same), scale: g.constant(Tensor([Double](repeating: 1, count: 6))),
                                              offset: g.constant(Tensor([Double](repeating: 0, count: 6)))).y
        XCTAssertEqual(normalized.shape, [nil, 4, 5, 6])
        let resized = try g.resizeBilinear(normalized, size: size)
        XCTAssertEqual(resized.shape, [nil, nil, nil, 6])
        let session = Session(graph: g)
        for (batch, height, width) in [(2, 6, 7), (3, 6, 7), (3, 2, 9), (2, 6, 7)] {
            let input = random.tensor([batch, 4, 5, 3])
            let value = try session.run(resized, feeding: [x: input, size: Tensor([Int32(height), Int32(width)])])
            XCTAssertEqual(value.shape, [batch, height, width, 6])
            let conv = refDepthwiseConv(input, filterValue, strides: (1, 1), dilations: (1, 1), padding: .same)
            let bn = refFusedBatchNorm(Tensor(shape: conv.shape, scalars: conv.values), scale: [Double](repeating: 1, count: 6),
                                       offset: [Double](repeating: 0, count: 6), mean: [], variance: [], epsilon: 0.001, training: true)[0]
            let expected = refResizeBilinear(Tensor(shape: conv.shape, scalars: bn), to: (height, width), alignCorners: false, halfPixelCenters: false)
            assertClose(value.doubleValues, expected.values, absolute: 1e-5, relative: 1e-5, "batch \(batch) size \(height)×\(width)")
        }
        assertThrows(["ResizeBilinear", "positive"]) { try session.run(resized, feeding: [x: random.tensor([1, 4, 5, 3]), size: Tensor([Int32(0), 3])]) }
    }

    func testFusedBatchNormEdgeCases() throws {
        // An empty batch gives NaN statistics (TF 2.21) and zero scale and offset gradients.
        let g = Graph()
        let x = try g.placeholder(.float, shape: [nil, nil, nil, 3]), scale = try g.constant(Tensor([Float](repeating: 1, count: 3)))
        let bn = try g.fusedBatchNorm(x, scale: scale, offset: g.constant(Tensor([Float](repeating: 0, count: 3))))
        let grads = try g.gradients(of: g.sum(bn.y), with: [x, scale])
        let values = try Session(graph: g).run([bn.y, bn.mean, bn.variance, grads[0]!, grads[1]!], feeding: [x: Tensor(zeros: .float, shape: [0, 2, 2, 3])])
        XCTAssertEqual(values[0].shape, [0, 2, 2, 3])
        XCTAssert(values[1].scalars(as: Float.self).allSatisfy(\.isNaN) && values[2].scalars(as: Float.self).allSatisfy(\.isNaN))
        XCTAssertEqual(values[4].scalars(as: Float.self), [0, 0, 0])
        // One element per channel: Bessel's correction divides by max(n − 1, 1), so the batch variance is 0 (TF 2.21).
        let one = try Session(graph: g).run(bn.variance, feeding: [x: Tensor(shape: [1, 1, 1, 3], scalars: [Float(1), 2, 3])])
        XCTAssertEqual(one.scalars(as: Float.self), [0, 0, 0])
        // Inference, or a moving-average factor, needs the statistics (TF's python raises the same).
        assertThrows(["FusedBatchNormV3", "mean and variance"]) { try g.fusedBatchNorm(x, scale: scale, offset: scale, isTraining: false) }
        assertThrows(["FusedBatchNormV3", "mean and variance"]) { try g.fusedBatchNorm(x, scale: scale, offset: scale, exponentialAvgFactor: 0.5) }
    }

    func testCompositeBuildersMatchDefinitionsAndDifferentiate() throws {
        var random = TestRandom(seed: 8)
        let x = random.tensor([2, 3, 4]), scale = random.tensor([4], 0.5, 1.5), offset = random.tensor([4])
        // layerNormalization over the last axis with gamma and beta, against the definition.
        let (value, _) = try evaluate([x, scale, offset]) { g, t in try g.layerNormalization(t[0], axes: [-1], epsilon: 1e-3, scale: t[1], offset: t[2]) }
        let v = x.doubleValues, s = scale.doubleValues, o = offset.doubleValues
        var expected: [Double] = []
        for row in 0..<6 {
            let items = Array(v[(row * 4)..<(row * 4 + 4)]), mean = items.reduce(0, +) / 4
            let variance = items.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 4
            expected += items.indices.map { (items[$0] - mean) / (variance + 1e-3).squareRoot() * s[$0] + o[$0] }
        }
        assertClose(value.doubleValues, expected, absolute: 1e-12, relative: 1e-12)
        // First order only: moments' StopGradient (TF's) also stops the mean inside the variance in a second
        // differentiation, so second-order gradients through it are TF's, not the true ones (TF 2.21 gives the same).
        try GradientCheck.check("layerNormalization", [x, scale, offset], wrt: [0, 1, 2]) { g, t in
            try g.layerNormalization(t[0], axes: [1, 2], epsilon: 1e-3, scale: t[1], offset: t[2])
        }
        try GradientCheck.check("moments", [x], wrt: [0]) { g, t in
            let (mean, variance) = try g.moments(t[0], axes: [0, 1])
            return try mean * variance
        }
        try GradientCheck.check("batchNormalization", [x, scale, offset, random.tensor([4]), random.tensor([4], 0.5, 2)], wrt: [0, 1, 2, 3, 4]) { g, t in
            try g.batchNormalization(t[0], mean: t[3], variance: t[4], offset: t[2], scale: t[1], epsilon: 1e-3)
        }
        let pooled = distinctValues(&random, [2, 3, 4, 5])
        try GradientCheck.check("globalAveragePool", [pooled], wrt: [0]) { g, t in try g.globalAveragePool(t[0]) }
        try GradientCheck.check("globalMaxPool", [pooled], wrt: [0]) { g, t in try g.globalMaxPool(t[0], keepDims: true) }
        let (maxPooled, spec) = try evaluate([pooled]) { g, t in try g.globalMaxPool(t[0]) }
        XCTAssertEqual(spec.shape, [2, 5])
        XCTAssertEqual(maxPooled.doubleValues, refReduce(pooled, axes: [1, 2]) { $0.max()! }.values)
    }

    /// Distinct values (no ties for the max pool's gradient).
    func distinctValues(_ random: inout TestRandom, _ shape: [Int]) -> Tensor { random.distinctTensor(shape) }

    /// A TF1 graph written by TensorFlow 2.21 (tf.compat.v1, TF_ENABLE_ONEDNN_OPTS=0): depthwise_conv2d (stride 2, SAME) →
    /// fused_batch_norm in training + the same in inference → resize_bilinear (half-pixel, 5×4) → resize_nearest_neighbor
    /// (align_corners, 7×7) → conv2d_transpose (stride 2, to [2, 14, 14, 2]) → l2_loss, and tf.gradients(loss, x); run on
    /// x = seq([2, 6, 6, 3], 0.61, 0.7, 1.0) (as in NNBreadthTensorFlowTests). Its ops: AddN AddV2 Const Conv2D
    /// Conv2DBackpropFilter Conv2DBackpropInput DepthwiseConv2dNative DepthwiseConv2dNativeBackpropFilter
    /// DepthwiseConv2dNativeBackpropInput Fill FusedBatchNormGradV3 FusedBatchNormV3 Identity L2Loss Mul Placeholder
    /// ResizeBilinear ResizeBilinearGrad ResizeNearestNeighbor ResizeNearestNeighborGrad ZerosLike.
    func testTensorFlowTrainingGraphImportsAndRuns() throws {
        guard let bytes = Data(base64Encoded: graphDefBase64.joined()) else { return XCTFail("bad base64") }
        let g = try Graph(graphDef: [UInt8](bytes))
        guard let x = g.output(named: "x:0"), let loss = g.output(named: "loss:0"), let dx = g.output(named: "dx:0") else {
            return XCTFail("missing x, loss or dx")
        }
        let input = Tensor(shape: [2, 6, 6, 3], scalars: (0..<216).map { Float(sin(0.61 * Double($0) + 0.7)) })
        let values = try Session(graph: g).run([loss, dx], feeding: [x: input])
        XCTAssertEqual(values[0].scalar(as: Float.self), expectedLoss, accuracy: expectedLoss * 1e-5)
        assertClose(values[1].doubleValues, expectedDx.map(Double.init), absolute: 1e-4, relative: 1e-4, "dx")
        // Export writes the nodes back with TF's attributes; the re-imported graph computes the same.
        let again = try Graph(graphDef: g.graphDef())
        let repeated = try Session(graph: again).run(again.output(named: "loss:0")!, feeding: [again.output(named: "x:0")!: input])
        XCTAssertEqual(repeated.scalar(as: Float.self), values[0].scalar(as: Float.self))
    }

    let graphDefBase64 = [
        "CjoKAXgSC1BsYWNlaG9sZGVyKhsKBXNoYXBlEhI6EBICCAISAggGEgIIBhICCAMqCwoFZHR5cGUSAjABCpoCCgVDb25zdBIFQ29uc3Qq/AEKBXZhbHVl",
        "EvIBQu8BCAESEBICCAMSAggDEgIIAxICCAIi2AH5b0s+UyUKPyG8Tj/mV3c/nnl+Py4qYz/ZGyk/V1SwPtPIlrzq5sG+cREwv/NaZ79eVH+/Bb90v50J",
        "Sb+UHgK/cVwmvpJFUj6AnAs/TcJPP5XJdz9uR34/6lpiP47LJz+6DK0+2JjOvHEgxb6aVDG/xBhovyZzf7+bOnS/7PNHvzGdAL/FeB++qxhZPgQSDT8B",
        "xlA/Uzh4PzgSfj/0iGE/RHkmPw7DqT40MwO9n1fIvqeVMr/S02i/5Y5/v0mzc7/a20a/jjT+vjOTGL4w6V8+24UOPznHUT8qCwoFZHR5cGUSAjABCkwK",
        "D2RlcHRod2lzZS9TaGFwZRIFQ29uc3QqJQoFdmFsdWUSHEIaCAMSBBICCAQiEAMAAAADAAAAAwAAAAIAAAAqCwoFZHR5cGUSAjADCkwKF2RlcHRod2lz",
        "ZS9kaWxhdGlvbl9yYXRlEgVDb25zdCodCgV2YWx1ZRIUQhIIAxIEEgIIAiIIAQAAAAEAAAAqCwoFZHR5cGUSAjADCqQBCglkZXB0aHdpc2USFURlcHRo",
        "d2lzZUNvbnYyZE5hdGl2ZRoBeBoFQ29uc3QqBwoBVBICMAEqFQoJZGlsYXRpb25zEggKBhoEAQEBASoRCgdwYWRkaW5nEgYSBFNBTUUqEwoHc3RyaWRl",
        "cxIICgYaBAECAgEqFQoLZGF0YV9mb3JtYXQSBhIETkhXQyoXChFleHBsaWNpdF9wYWRkaW5ncxICCgAKTAoHQ29uc3RfMRIFQ29uc3QqLQoFdmFsdWUS",
        "JEIiCAESBBICCAYiGKxjhj8aI6Q/iwm5PwT5vz/SPrc/+f2gPyoLCgVkdHlwZRICMAEKTAoHQ29uc3RfMhIFQ29uc3QqLQoFdmFsdWUSJEIiCAESBBIC",
        "CAYiGKP14j6d0lg/FmaWP5bzsj/ghL8/j/q6PyoLCgVkdHlwZRICMAEKMAoHQ29uc3RfMxIFQ29uc3QqEQoFdmFsdWUSCEIGCAESAhIAKgsKBWR0eXBl",
        "EgIwAQowCgdDb25zdF80EgVDb25zdCoRCgV2YWx1ZRIIQgYIARICEgAqCwoFZHR5cGUSAjABCsIBChBGdXNlZEJhdGNoTm9ybVYzEhBGdXNlZEJhdGNo",
        "Tm9ybVYzGglkZXB0aHdpc2UaB0NvbnN0XzEaB0NvbnN0XzIaB0NvbnN0XzMaB0NvbnN0XzQqFQoLZGF0YV9mb3JtYXQSBhIETkhXQyoRCgtpc190cmFp",
        "bmluZxICKAEqBwoBVRICMAEqEAoHZXBzaWxvbhIFJW8SgzoqHwoWZXhwb25lbnRpYWxfYXZnX2ZhY3RvchIFJQAAgD8qBwoBVBICMAEKTAoHQ29uc3Rf",
        "NRIFQ29uc3QqLQoFdmFsdWUSJEIiCAESBBICCAYiGKxjhj8aI6Q/iwm5PwT5vz/SPrc/+f2gPyoLCgVkdHlwZRICMAEKTAoHQ29uc3RfNhIFQ29uc3Qq",
        "LQoFdmFsdWUSJEIiCAESBBICCAYiGKP14j6d0lg/FmaWP5bzsj/ghL8/j/q6PyoLCgVkdHlwZRICMAEKTAoHQ29uc3RfNxIFQ29uc3QqLQoFdmFsdWUS",
        "JEIiCAESBBICCAYiGKP14j5zGTg/LWF3PxZmlj+gHKs/0AC5PyoLCgVkdHlwZRICMAEKTAoHQ29uc3RfOBIFQ29uc3QqLQoFdmFsdWUSJEIiCAESBBIC",
        "CAYiGAChhz+prpU//0+gP13XpT9QZaU/2AufPyoLCgVkdHlwZRICMAEKxAEKEkZ1c2VkQmF0Y2hOb3JtVjNfMRIQRnVzZWRCYXRjaE5vcm1WMxoJZGVw",
        "dGh3aXNlGgdDb25zdF81GgdDb25zdF82GgdDb25zdF83GgdDb25zdF84KhUKC2RhdGFfZm9ybWF0EgYSBE5IV0MqEQoLaXNfdHJhaW5pbmcSAigAKgcK",
        "AVQSAjABKhAKB2Vwc2lsb24SBSVvEoM6Kh8KFmV4cG9uZW50aWFsX2F2Z19mYWN0b3ISBSUAAIA/KgcKAVUSAjABCjsKA2FkZBIFQWRkVjIaEEZ1c2Vk",
        "QmF0Y2hOb3JtVjMaEkZ1c2VkQmF0Y2hOb3JtVjNfMSoHCgFUEgIwAQpIChNSZXNpemVCaWxpbmVhci9zaXplEgVDb25zdCodCgV2YWx1ZRIUQhIIAxIE",
        "EgIIAiIIBQAAAAQAAAAqCwoFZHR5cGUSAjADCnIKDlJlc2l6ZUJpbGluZWFyEg5SZXNpemVCaWxpbmVhchoDYWRkGhNSZXNpemVCaWxpbmVhci9zaXpl",
        "KgcKAVQSAjABKhMKDWFsaWduX2Nvcm5lcnMSAigAKhgKEmhhbGZfcGl4ZWxfY2VudGVycxICKAEKTwoaUmVzaXplTmVhcmVzdE5laWdoYm9yL3NpemUS",
        "BUNvbnN0Kh0KBXZhbHVlEhRCEggDEgQSAggCIggHAAAABwAAACoLCgVkdHlwZRICMAMKkgEKFVJlc2l6ZU5lYXJlc3ROZWlnaGJvchIVUmVzaXplTmVh",
        "cmVzdE5laWdoYm9yGg5SZXNpemVCaWxpbmVhchoaUmVzaXplTmVhcmVzdE5laWdoYm9yL3NpemUqBwoBVBICMAEqEwoNYWxpZ25fY29ybmVycxICKAEq",
        "GAoSaGFsZl9waXhlbF9jZW50ZXJzEgIoAAr0AwoHQ29uc3RfORIFQ29uc3Qq1AMKBXZhbHVlEsoDQscDCAESEBICCAMSAggDEgIIAhICCAYisANKdS0+",
        "abduPv0Ejj4E0pg+4duWPoJMiD5ftlw+FmUWPvkIhz2f/Ke8boXXvQaGOb4Ay3e+MK+Qvqdjmb7JSJW+WbaEvkUdUr7JQQm+dr9TvTY3Dz0HHPM9fSdF",
        "Pv0kgD6dApM+SpmZPidckz6X0IA+JwZHPlWY9z367Rg9NxpKvWgQB761UlC+nxeEvt79lL7Ocpm+JBeRviY7eb6rdzu+mBjcvYuBu7wAQoI9zEEUPvsA",
        "Wz4Hu4c+w5+WPknwmD4de44+pD9wPsB4Lz7aFMA9WW0JPMYon71EGiG+6CtlvggNi75S55e+CxKYvqGJi74KtGa+lxAjvuido72g9cg7F7C7PRySLT5i",
        "zW4+owuOPsXTmD6X2JY+dESIPhOeXD6hRhY+1cSGPVsTqbzWxte926E5vqPfd74MtZC+kGSZvqtElb6NrYS+ygNSvooiCb7aNVO988EPPStc8z1EQkU+",
        "nS6APqwHkz5bmZk+OVeTPhPHgD6M60Y+Z1j3PV1jGD0ApEq9xS8Hvl5sUL6HIIS+HAKVvgZymb5oEZG+uiZ5vv9bO75g19u99mq6vEKGgj0qCwoFZHR5",
        "cGUSAjABClkKHGNvbnYyZF90cmFuc3Bvc2UvaW5wdXRfc2l6ZXMSBUNvbnN0KiUKBXZhbHVlEhxCGggDEgQSAggEIhACAAAADgAAAA4AAAACAAAAKgsK",
        "BWR0eXBlEgIwAwr1AQoQY29udjJkX3RyYW5zcG9zZRITQ29udjJEQmFja3Byb3BJbnB1dBocY29udjJkX3RyYW5zcG9zZS9pbnB1dF9zaXplcxoHQ29u",
        "c3RfORoVUmVzaXplTmVhcmVzdE5laWdoYm9yKhEKB3BhZGRpbmcSBhIEU0FNRSoWChB1c2VfY3Vkbm5fb25fZ3B1EgIoASoHCgFUEgIwASoVCglkaWxh",
        "dGlvbnMSCAoGGgQBAQEBKhUKC2RhdGFfZm9ybWF0EgYSBE5IV0MqFwoRZXhwbGljaXRfcGFkZGluZ3MSAgoAKhMKB3N0cmlkZXMSCAoGGgQBAgIBCisK",
        "BkwyTG9zcxIGTDJMb3NzGhBjb252MmRfdHJhbnNwb3NlKgcKAVQSAjABCiEKBGxvc3MSCElkZW50aXR5GgZMMkxvc3MqBwoBVBICMAEKOAoPZ3JhZGll",
        "bnRzL1NoYXBlEgVDb25zdCoRCgV2YWx1ZRIIQgYIAxICEgAqCwoFZHR5cGUSAjADCkYKGWdyYWRpZW50cy9ncmFkX3lzXzAvQ29uc3QSBUNvbnN0KhUK",
        "BXZhbHVlEgxCCggBEgAqBAAAgD8qCwoFZHR5cGUSAjABCmIKE2dyYWRpZW50cy9ncmFkX3lzXzASBEZpbGwaD2dyYWRpZW50cy9TaGFwZRoZZ3JhZGll",
        "bnRzL2dyYWRfeXNfMC9Db25zdCoQCgppbmRleF90eXBlEgIwAyoHCgFUEgIwAQpQChlncmFkaWVudHMvTDJMb3NzX2dyYWQvbXVsEgNNdWwaEGNvbnYy",
        "ZF90cmFuc3Bvc2UaE2dyYWRpZW50cy9ncmFkX3lzXzAqBwoBVBICMAEKYgolZ3JhZGllbnRzL2NvbnYyZF90cmFuc3Bvc2VfZ3JhZC9TaGFwZRIFQ29u",
        "c3QqJQoFdmFsdWUSHEIaCAMSBBICCAQiEAMAAAADAAAAAgAAAAYAAAAqCwoFZHR5cGUSAjADCrUCCjRncmFkaWVudHMvY29udjJkX3RyYW5zcG9zZV9n",
        "cmFkL0NvbnYyREJhY2twcm9wRmlsdGVyEhRDb252MkRCYWNrcHJvcEZpbHRlchoZZ3JhZGllbnRzL0wyTG9zc19ncmFkL211bBolZ3JhZGllbnRzL2Nv",
        "bnYyZF90cmFuc3Bvc2VfZ3JhZC9TaGFwZRoVUmVzaXplTmVhcmVzdE5laWdoYm9yKhYKEHVzZV9jdWRubl9vbl9ncHUSAigBKhMKB3N0cmlkZXMSCAoG",
        "GgQBAgIBKgcKAVQSAjABKhUKCWRpbGF0aW9ucxIICgYaBAEBAQEqFQoLZGF0YV9mb3JtYXQSBhIETkhXQyoXChFleHBsaWNpdF9wYWRkaW5ncxICCgAq",
        "EQoHcGFkZGluZxIGEgRTQU1FCuQBCiZncmFkaWVudHMvY29udjJkX3RyYW5zcG9zZV9ncmFkL0NvbnYyRBIGQ29udjJEGhlncmFkaWVudHMvTDJMb3Nz",
        "X2dyYWQvbXVsGgdDb25zdF85KhUKCWRpbGF0aW9ucxIICgYaBAEBAQEqBwoBVBICMAEqEQoHcGFkZGluZxIGEgRTQU1FKhYKEHVzZV9jdWRubl9vbl9n",
        "cHUSAigBKhUKC2RhdGFfZm9ybWF0EgYSBE5IV0MqFwoRZXhwbGljaXRfcGFkZGluZ3MSAgoAKhMKB3N0cmlkZXMSCAoGGgQBAgIBCngKQ2dyYWRpZW50",
        "cy9SZXNpemVOZWFyZXN0TmVpZ2hib3JfZ3JhZC9SZXNpemVOZWFyZXN0TmVpZ2hib3JHcmFkL3NpemUSBUNvbnN0Kh0KBXZhbHVlEhRCEggDEgQSAggC",
        "IggFAAAABAAAACoLCgVkdHlwZRICMAMKgAIKPmdyYWRpZW50cy9SZXNpemVOZWFyZXN0TmVpZ2hib3JfZ3JhZC9SZXNpemVOZWFyZXN0TmVpZ2hib3JH",
        "cmFkEhlSZXNpemVOZWFyZXN0TmVpZ2hib3JHcmFkGiZncmFkaWVudHMvY29udjJkX3RyYW5zcG9zZV9ncmFkL0NvbnYyRBpDZ3JhZGllbnRzL1Jlc2l6",
        "ZU5lYXJlc3ROZWlnaGJvcl9ncmFkL1Jlc2l6ZU5lYXJlc3ROZWlnaGJvckdyYWQvc2l6ZSoHCgFUEgIwASoTCg1hbGlnbl9jb3JuZXJzEgIoASoYChJo",
        "YWxmX3BpeGVsX2NlbnRlcnMSAigACsMBCjBncmFkaWVudHMvUmVzaXplQmlsaW5lYXJfZ3JhZC9SZXNpemVCaWxpbmVhckdyYWQSElJlc2l6ZUJpbGlu",
        "ZWFyR3JhZBo+Z3JhZGllbnRzL1Jlc2l6ZU5lYXJlc3ROZWlnaGJvcl9ncmFkL1Jlc2l6ZU5lYXJlc3ROZWlnaGJvckdyYWQaA2FkZCoHCgFUEgIwASoT",
        "Cg1hbGlnbl9jb3JuZXJzEgIoACoYChJoYWxmX3BpeGVsX2NlbnRlcnMSAigBCj4KFGdyYWRpZW50cy96ZXJvc19saWtlEglaZXJvc0xpa2UaEkZ1c2Vk",
        "QmF0Y2hOb3JtVjM6MSoHCgFUEgIwAQpAChZncmFkaWVudHMvemVyb3NfbGlrZV8xEglaZXJvc0xpa2UaEkZ1c2VkQmF0Y2hOb3JtVjM6MioHCgFUEgIw",
        "AQpAChZncmFkaWVudHMvemVyb3NfbGlrZV8yEglaZXJvc0xpa2UaEkZ1c2VkQmF0Y2hOb3JtVjM6MyoHCgFUEgIwAQpAChZncmFkaWVudHMvemVyb3Nf",
        "bGlrZV8zEglaZXJvc0xpa2UaEkZ1c2VkQmF0Y2hOb3JtVjM6NCoHCgFUEgIwAQpAChZncmFkaWVudHMvemVyb3NfbGlrZV80EglaZXJvc0xpa2UaEkZ1",
        "c2VkQmF0Y2hOb3JtVjM6NSoHCgFUEgIwAQqcAgo0Z3JhZGllbnRzL0Z1c2VkQmF0Y2hOb3JtVjNfZ3JhZC9GdXNlZEJhdGNoTm9ybUdyYWRWMxIURnVz",
        "ZWRCYXRjaE5vcm1HcmFkVjMaMGdyYWRpZW50cy9SZXNpemVCaWxpbmVhcl9ncmFkL1Jlc2l6ZUJpbGluZWFyR3JhZBoJZGVwdGh3aXNlGgdDb25zdF8x",
        "GhJGdXNlZEJhdGNoTm9ybVYzOjMaEkZ1c2VkQmF0Y2hOb3JtVjM6NBoSRnVzZWRCYXRjaE5vcm1WMzo1KgcKAVUSAjABKhEKC2lzX3RyYWluaW5nEgIo",
        "ASoHCgFUEgIwASoVCgtkYXRhX2Zvcm1hdBIGEgROSFdDKhAKB2Vwc2lsb24SBSVvEoM6CkIKFmdyYWRpZW50cy96ZXJvc19saWtlXzUSCVplcm9zTGlr",
        "ZRoURnVzZWRCYXRjaE5vcm1WM18xOjEqBwoBVBICMAEKQgoWZ3JhZGllbnRzL3plcm9zX2xpa2VfNhIJWmVyb3NMaWtlGhRGdXNlZEJhdGNoTm9ybVYz",
        "XzE6MioHCgFUEgIwAQpCChZncmFkaWVudHMvemVyb3NfbGlrZV83EglaZXJvc0xpa2UaFEZ1c2VkQmF0Y2hOb3JtVjNfMTozKgcKAVQSAjABCkIKFmdy",
        "YWRpZW50cy96ZXJvc19saWtlXzgSCVplcm9zTGlrZRoURnVzZWRCYXRjaE5vcm1WM18xOjQqBwoBVBICMAEKQgoWZ3JhZGllbnRzL3plcm9zX2xpa2Vf",
        "ORIJWmVyb3NMaWtlGhRGdXNlZEJhdGNoTm9ybVYzXzE6NSoHCgFUEgIwAQqKAgo2Z3JhZGllbnRzL0Z1c2VkQmF0Y2hOb3JtVjNfMV9ncmFkL0Z1c2Vk",
        "QmF0Y2hOb3JtR3JhZFYzEhRGdXNlZEJhdGNoTm9ybUdyYWRWMxowZ3JhZGllbnRzL1Jlc2l6ZUJpbGluZWFyX2dyYWQvUmVzaXplQmlsaW5lYXJHcmFk",
        "GglkZXB0aHdpc2UaB0NvbnN0XzUaB0NvbnN0XzcaB0NvbnN0XzgaFEZ1c2VkQmF0Y2hOb3JtVjNfMTo1KgcKAVQSAjABKhEKC2lzX3RyYWluaW5nEgIo",
        "ACoHCgFVEgIwASoQCgdlcHNpbG9uEgUlbxKDOioVCgtkYXRhX2Zvcm1hdBIGEgROSFdDCt8BCg5ncmFkaWVudHMvQWRkThIEQWRkTho0Z3JhZGllbnRz",
        "L0Z1c2VkQmF0Y2hOb3JtVjNfZ3JhZC9GdXNlZEJhdGNoTm9ybUdyYWRWMxo2Z3JhZGllbnRzL0Z1c2VkQmF0Y2hOb3JtVjNfMV9ncmFkL0Z1c2VkQmF0",
        "Y2hOb3JtR3JhZFYzKgcKAU4SAhgCKgcKAVQSAjABKkcKBl9jbGFzcxI9CjsSOWxvYzpAZ3JhZGllbnRzL0Z1c2VkQmF0Y2hOb3JtVjNfZ3JhZC9GdXNl",
        "ZEJhdGNoTm9ybUdyYWRWMwpbCh5ncmFkaWVudHMvZGVwdGh3aXNlX2dyYWQvU2hhcGUSBUNvbnN0KiUKBXZhbHVlEhxCGggDEgQSAggEIhACAAAABgAA",
        "AAYAAAADAAAAKgsKBWR0eXBlEgIwAwqQAgo7Z3JhZGllbnRzL2RlcHRod2lzZV9ncmFkL0RlcHRod2lzZUNvbnYyZE5hdGl2ZUJhY2twcm9wSW5wdXQS",
        "IkRlcHRod2lzZUNvbnYyZE5hdGl2ZUJhY2twcm9wSW5wdXQaHmdyYWRpZW50cy9kZXB0aHdpc2VfZ3JhZC9TaGFwZRoFQ29uc3QaDmdyYWRpZW50cy9B",
        "ZGROKgcKAVQSAjABKhUKCWRpbGF0aW9ucxIICgYaBAEBAQEqEQoHcGFkZGluZxIGEgRTQU1FKhMKB3N0cmlkZXMSCAoGGgQBAgIBKhUKC2RhdGFfZm9y",
        "bWF0EgYSBE5IV0MqFwoRZXhwbGljaXRfcGFkZGluZ3MSAgoACl0KIGdyYWRpZW50cy9kZXB0aHdpc2VfZ3JhZC9TaGFwZV8xEgVDb25zdColCgV2YWx1",
        "ZRIcQhoIAxIEEgIIBCIQAwAAAAMAAAADAAAAAgAAACoLCgVkdHlwZRICMAMKkAIKPGdyYWRpZW50cy9kZXB0aHdpc2VfZ3JhZC9EZXB0aHdpc2VDb252",
        "MmROYXRpdmVCYWNrcHJvcEZpbHRlchIjRGVwdGh3aXNlQ29udjJkTmF0aXZlQmFja3Byb3BGaWx0ZXIaAXgaIGdyYWRpZW50cy9kZXB0aHdpc2VfZ3Jh",
        "ZC9TaGFwZV8xGg5ncmFkaWVudHMvQWRkTioHCgFUEgIwASoTCgdzdHJpZGVzEggKBhoEAQICASoRCgdwYWRkaW5nEgYSBFNBTUUqFQoJZGlsYXRpb25z",
        "EggKBhoEAQEBASoVCgtkYXRhX2Zvcm1hdBIGEgROSFdDKhcKEWV4cGxpY2l0X3BhZGRpbmdzEgIKAApUCgJkeBIISWRlbnRpdHkaO2dyYWRpZW50cy9k",
        "ZXB0aHdpc2VfZ3JhZC9EZXB0aHdpc2VDb252MmROYXRpdmVCYWNrcHJvcElucHV0KgcKAVQSAjABIgMIqhM=",
    ]
    let expectedLoss: Float = 2647.4092
    let expectedDx: [Float] = [
        10.490348, -2.9417157, -11.94446, 12.790987, 1.4931471, 10.285572, -5.4781804, 74.63189, 46.64479, 25.898243,
        -16.158339, -37.784912, -25.611357, 7.397272, 26.856897, 25.001238, -14.166182, -23.128727, 18.592516, -2.8671064,
        -9.690848, 3.4756923, 2.330287, 12.20912, 13.928094, 81.44926, 34.46777, 7.389445, -44.46234, -46.356064, -2.454256,
        40.001514, 40.05327, 4.171772, -37.55848, -28.123306, 35.85971, 45.058243, 29.674213, 10.932832, -6.588774, -15.910251,
        29.487328, 129.6293, 99.324524, 22.044643, -87.72849, -118.17467, 7.240879, 164.90979, 164.99785, 60.090923, -91.20327,
        -123.68402, 22.208885, 53.014442, 30.141014, 5.7903185, -28.052483, -34.945633, 23.769115, 78.52605, 80.69197, 8.04565,
        -54.830605, -83.889725, 43.50271, 147.07767, 129.93164, 23.382656, -97.537766, -115.25634, 6.7993, -2.6741982,
        20.374659, -37.142136, -32.265373, -39.22384, 108.0163, 175.28531, 99.82296, -20.623692, -92.57092, -110.341095,
        163.90045, 336.0352, 292.5276, 45.63128, -185.77081, -258.1948, -41.639244, -60.230583, -1.0962582, -9.441355,
        31.67358, -1.703259, 54.994034, 65.92339, 26.61403, -1.8864906, -26.568918, -28.881721, 121.272125, 195.86902,
        150.36899, 19.534399, -112.366974, -167.5061, 10.595335, 39.2678, 27.393976, 16.461138, -7.238396, -21.245453,
        21.244358, 87.68074, 75.4598, 61.530846, -26.665785, -63.202827, -89.92882, 26.175854, 99.619064, 49.985268,
        -24.674664, -82.195854, 20.414825, 44.135216, 23.30819, 5.814916, -22.848269, -26.476034, 63.540123, 114.0849, 72.8101,
        16.128822, -71.947174, -76.76388, -43.614044, 80.57714, 112.093544, 15.7920885, -67.84976, -99.837296, 42.181854,
        63.228638, 26.533646, 10.890316, -39.85051, -36.723244, 102.36652, 239.79205, 146.1386, 17.771315, -136.43231,
        -149.46497, -91.823, 64.01243, 149.66328, -31.688457, -112.0945, -140.31631, 25.548618, 22.56448, 8.761027, 3.9167707,
        -12.423799, -10.56872, 41.163914, 136.31213, 75.971016, 13.483759, -79.191376, -85.31025, -93.79843, -10.575224,
        65.57743, -6.8465734, -23.096497, -43.60961, 47.694584, 71.88562, 30.493448, 13.597028, -26.913813, -28.847878,
        50.517838, 172.58638, 146.74484, 1.7572384, -134.64708, -168.06198, -183.43318, -115.99956, 26.49243, -67.647766,
        -12.934644, 0.24430084, 28.68521, 56.984596, 21.68443, 7.9397316, -28.724543, -23.109545, 0.3634987, 60.213497,
        84.19823, 6.729164, -45.297806, -95.38199, -145.19627, -141.54288, -9.503144, -16.977238, 59.561836, 54.716156
    ]
}
