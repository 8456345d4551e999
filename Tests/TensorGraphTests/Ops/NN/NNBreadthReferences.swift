import Foundation
@testable import TensorGraph

// Plain-loop oracles for the NN ops of NNOpList.swift (batch norm, depthwise convolution, resizing),
// written from TF's definitions in float64 with every index computed from scratch. Where TF computes
// in float32 (resize coordinates and weights), the oracle does the same, as the definition says.

/// The per-channel sums of a channels-last tensor: Σ over every position of `f(value index, channel)`.
func channelwise(_ count: Int, channels c: Int, _ f: (Int, Int) -> Double) -> [Double] {
    var sums = [Double](repeating: 0, count: c)
    for i in 0..<count { sums[i % c] += f(i, i % c) }
    return sums
}

/// FusedBatchNorm's outputs by the definition: y, batch_mean, batch_variance, reserve_space_1, reserve_space_2.
func refFusedBatchNorm(_ x: Tensor, scale: [Double], offset: [Double], mean: [Double], variance: [Double],
                       epsilon: Float, factor: Float = 1, training: Bool) -> [[Double]] {
    let v = x.doubleValues, c = x.shape.last!, n = v.count / c
    let (eps, f) = (Double(epsilon), Double(factor))
    var (mu, sigma2) = (mean, variance)
    if training {
        mu = channelwise(v.count, channels: c) { i, _ in v[i] }.map { $0 / Double(n) }
        sigma2 = channelwise(v.count, channels: c) { i, j in (v[i] - mu[j]) * (v[i] - mu[j]) }.map { $0 / Double(n) }
    }
    let y = v.indices.map { i in (v[i] - mu[i % c]) / (sigma2[i % c] + eps).squareRoot() * scale[i % c] + offset[i % c] }
    guard training else { return [y, mean, variance, mean, variance] }
    let unbiased = sigma2.map { $0 * Double(n) / Double(max(n - 1, 1)) }
    let movingMean = f == 1 ? mu : (0..<c).map { (1 - f) * mean[$0] + f * mu[$0] }
    let movingVariance = f == 1 ? unbiased : (0..<c).map { (1 - f) * variance[$0] + f * unbiased[$0] }
    return [y, movingMean, movingVariance, mu, sigma2]
}

/// FusedBatchNormGrad's x_backprop, scale_backprop and offset_backprop by the definition, with μ and σ² given.
func refFusedBatchNormGrad(_ dy: Tensor, _ x: Tensor, scale: [Double], mean: [Double], variance: [Double],
                           epsilon: Float, training: Bool) -> [[Double]] {
    let d = dy.doubleValues, v = x.doubleValues, c = x.shape.last!, n = Double(v.count / c)
    let r = variance.map { 1 / ($0 + Double(epsilon)).squareRoot() }
    let sumDy = channelwise(v.count, channels: c) { i, _ in d[i] }
    let sumDyCentered = channelwise(v.count, channels: c) { i, j in d[i] * (v[i] - mean[j]) }
    let dx = v.indices.map { i -> Double in
        let j = i % c
        guard training else { return d[i] * scale[j] * r[j] }
        return scale[j] * r[j] * (d[i] - sumDy[j] / n - (v[i] - mean[j]) * r[j] * r[j] * sumDyCentered[j] / n)
    }
    return [dx, (0..<c).map { sumDyCentered[$0] * r[$0] }, sumDy]
}

/// The per-channel batch mean and biased variance of a channels-last tensor.
func refMoments(_ x: Tensor) -> (mean: [Double], variance: [Double]) {
    let v = x.doubleValues, c = x.shape.last!, n = Double(v.count / c)
    let mean = channelwise(v.count, channels: c) { i, _ in v[i] }.map { $0 / n }
    return (mean, channelwise(v.count, channels: c) { i, j in (v[i] - mean[j]) * (v[i] - mean[j]) }.map { $0 / n })
}

/// The geometry of a depthwise convolution: TF's padding rule on the dilated filter extent.
func refDepthwiseGeometry(_ input: [Int], kernel: (Int, Int), strides: (Int, Int), dilations: (Int, Int), padding: Padding) -> WindowGeometry {
    refGeometry(input, kernel: ((kernel.0 - 1) * dilations.0 + 1, (kernel.1 - 1) * dilations.1 + 1), strides: strides, padding: padding)
}

/// Calls `body(n, oy, ox, c, m, inputIndex, filterIndex, outputIndex)` for every in-bounds term of a depthwise convolution.
func forEachDepthwiseTerm(input: [Int], filter: [Int], strides: (Int, Int), dilations: (Int, Int), padding: Padding,
                          _ body: (_ inputIndex: Int, _ filterIndex: Int, _ outputIndex: Int) -> Void) -> [Int] {
    let g = refDepthwiseGeometry(input, kernel: (filter[0], filter[1]), strides: strides, dilations: dilations, padding: padding)
    let (c, m) = (input[3], filter[3])
    for n in 0..<g.batch { for oy in 0..<g.outHeight { for ox in 0..<g.outWidth { for ch in 0..<c { for k in 0..<m {
        for ky in 0..<filter[0] { for kx in 0..<filter[1] {
            let iy = oy * strides.0 + ky * dilations.0 - g.padTop, ix = ox * strides.1 + kx * dilations.1 - g.padLeft
            guard iy >= 0, iy < input[1], ix >= 0, ix < input[2] else { continue }
            body(((n * input[1] + iy) * input[2] + ix) * c + ch, ((ky * filter[1] + kx) * c + ch) * m + k,
                 ((n * g.outHeight + oy) * g.outWidth + ox) * c * m + ch * m + k)
        } }
    } } } } }
    return [g.batch, g.outHeight, g.outWidth, c * m]
}

/// DepthwiseConv2dNative by brute force.
func refDepthwiseConv(_ x: Tensor, _ w: Tensor, strides: (Int, Int), dilations: (Int, Int), padding: Padding) -> Reference {
    let xv = x.doubleValues, wv = w.doubleValues
    var out: [Int: Double] = [:]
    let shape = forEachDepthwiseTerm(input: x.shape, filter: w.shape, strides: strides, dilations: dilations, padding: padding) { i, f, o in
        out[o, default: 0] += xv[i] * wv[f]
    }
    return (shape, (0..<shape.reduce(1, *)).map { out[$0] ?? 0 })
}

/// DepthwiseConv2dNativeBackpropInput by brute force: every term scatters dy · w back to its input pixel.
func refDepthwiseBackpropInput(_ inputShape: [Int], _ w: Tensor, _ dy: Tensor, strides: (Int, Int), dilations: (Int, Int),
                               padding: Padding) -> Reference {
    let wv = w.doubleValues, d = dy.doubleValues
    var dx = [Double](repeating: 0, count: inputShape.reduce(1, *))
    _ = forEachDepthwiseTerm(input: inputShape, filter: w.shape, strides: strides, dilations: dilations, padding: padding) { i, f, o in
        dx[i] += d[o] * wv[f]
    }
    return (inputShape, dx)
}

/// DepthwiseConv2dNativeBackpropFilter by brute force.
func refDepthwiseBackpropFilter(_ x: Tensor, _ filterShape: [Int], _ dy: Tensor, strides: (Int, Int), dilations: (Int, Int),
                                padding: Padding) -> Reference {
    let xv = x.doubleValues, d = dy.doubleValues
    var dw = [Double](repeating: 0, count: filterShape.reduce(1, *))
    _ = forEachDepthwiseTerm(input: x.shape, filter: filterShape, strides: strides, dilations: dilations, padding: padding) { i, f, o in
        dw[f] += d[o] * xv[i]
    }
    return (filterShape, dw)
}

/// TF's resize scale (`CalculateResizeScale`), in float32 as TF computes it.
func refResizeScale(_ input: Int, _ output: Int, alignCorners: Bool) -> Float {
    (alignCorners && output > 1) ? Float(input - 1) / Float(output - 1) : Float(input) / Float(output)
}

/// TF's nearest-neighbor source index (`HalfPixelScalerForNN` / `LegacyScaler`, roundf or floorf, clamped).
func refNearestIndex(_ i: Int, scale: Float, input: Int, alignCorners: Bool, halfPixelCenters: Bool) -> Int {
    let position = halfPixelCenters ? (Float(i) + 0.5) * scale : Float(i) * scale
    var index = min(alignCorners ? Int(roundf(position)) : Int(floorf(position)), input - 1)
    if halfPixelCenters { index = max(0, index) }
    return index
}

/// TF's bilinear source pair and weight (`HalfPixelScaler` / `LegacyScaler`, `compute_interpolation_weights`).
func refBilinearSource(_ i: Int, scale: Float, input: Int, halfPixelCenters: Bool) -> (Int, Int, Float) {
    let position = halfPixelCenters ? (Float(i) + 0.5) * scale - 0.5 : Float(i) * scale
    return (max(Int(floorf(position)), 0), min(Int(ceilf(position)), input - 1), position - floorf(position))
}

/// ResizeNearestNeighbor (forward) or its gradient (scatter) by the definition.
func refResizeNearest(_ x: Tensor, to size: (Int, Int), alignCorners: Bool, halfPixelCenters: Bool) -> Reference {
    let (n, h, w, c) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3]), v = x.doubleValues
    let sy = refResizeScale(h, size.0, alignCorners: alignCorners), sx = refResizeScale(w, size.1, alignCorners: alignCorners)
    var out: [Double] = []
    for b in 0..<n { for y in 0..<size.0 { for xo in 0..<size.1 { for ch in 0..<c {
        let iy = refNearestIndex(y, scale: sy, input: h, alignCorners: alignCorners, halfPixelCenters: halfPixelCenters)
        let ix = refNearestIndex(xo, scale: sx, input: w, alignCorners: alignCorners, halfPixelCenters: halfPixelCenters)
        out.append(v[((b * h + iy) * w + ix) * c + ch])
    } } } }
    return ([n, size.0, size.1, c], out)
}

/// ResizeNearestNeighborGrad by the definition: each gradient element added at its forward source pixel.
func refResizeNearestGrad(_ grads: Tensor, original: (Int, Int), alignCorners: Bool, halfPixelCenters: Bool) -> Reference {
    let (n, oh, ow, c) = (grads.shape[0], grads.shape[1], grads.shape[2], grads.shape[3]), g = grads.doubleValues
    let (h, w) = original
    let sy = refResizeScale(h, oh, alignCorners: alignCorners), sx = refResizeScale(w, ow, alignCorners: alignCorners)
    var dx = [Double](repeating: 0, count: n * h * w * c)
    for b in 0..<n { for y in 0..<oh { for xo in 0..<ow { for ch in 0..<c {
        let iy = refNearestIndex(y, scale: sy, input: h, alignCorners: alignCorners, halfPixelCenters: halfPixelCenters)
        let ix = refNearestIndex(xo, scale: sx, input: w, alignCorners: alignCorners, halfPixelCenters: halfPixelCenters)
        dx[((b * h + iy) * w + ix) * c + ch] += g[((b * oh + y) * ow + xo) * c + ch]
    } } } }
    return ([n, h, w, c], dx)
}

/// ResizeBilinear by TF's `compute_lerp`, blended in float64 and rounded to float32 (the op's output type).
func refResizeBilinear(_ x: Tensor, to size: (Int, Int), alignCorners: Bool, halfPixelCenters: Bool) -> Reference {
    let (n, h, w, c) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3]), v = x.doubleValues
    let sy = refResizeScale(h, size.0, alignCorners: alignCorners), sx = refResizeScale(w, size.1, alignCorners: alignCorners)
    func at(_ b: Int, _ y: Int, _ xi: Int, _ ch: Int) -> Double { v[((b * h + y) * w + xi) * c + ch] }
    var out: [Double] = []
    for b in 0..<n { for y in 0..<size.0 { for xo in 0..<size.1 { for ch in 0..<c {
        let (top, bottom, yl) = refBilinearSource(y, scale: sy, input: h, halfPixelCenters: halfPixelCenters)
        let (left, right, xl) = refBilinearSource(xo, scale: sx, input: w, halfPixelCenters: halfPixelCenters)
        let upper = at(b, top, left, ch) + (at(b, top, right, ch) - at(b, top, left, ch)) * Double(xl)
        let lower = at(b, bottom, left, ch) + (at(b, bottom, right, ch) - at(b, bottom, left, ch)) * Double(xl)
        out.append(Double(Float(upper + (lower - upper) * Double(yl))))
    } } } }
    return ([n, size.0, size.1, c], out)
}

/// ResizeBilinearGrad by the definition: each gradient element spread over its four source pixels (TF's weights).
func refResizeBilinearGrad(_ grads: Tensor, original: (Int, Int), alignCorners: Bool, halfPixelCenters: Bool) -> Reference {
    let (n, oh, ow, c) = (grads.shape[0], grads.shape[1], grads.shape[2], grads.shape[3]), g = grads.doubleValues
    let (h, w) = original
    let sy = refResizeScale(h, oh, alignCorners: alignCorners), sx = refResizeScale(w, ow, alignCorners: alignCorners)
    var dx = [Double](repeating: 0, count: n * h * w * c)
    for b in 0..<n { for y in 0..<oh { for xo in 0..<ow { for ch in 0..<c {
        let (top, bottom, yl) = refBilinearSource(y, scale: sy, input: h, halfPixelCenters: halfPixelCenters)
        let (left, right, xl) = refBilinearSource(xo, scale: sx, input: w, halfPixelCenters: halfPixelCenters)
        let value = g[((b * oh + y) * ow + xo) * c + ch]
        for (row, rowWeight) in [(top, 1 - yl), (bottom, yl)] { for (column, columnWeight) in [(left, 1 - xl), (right, xl)] {
            dx[((b * h + row) * w + column) * c + ch] += value * Double(rowWeight) * Double(columnWeight)
        } }
    } } } }
    return ([n, h, w, c], dx)
}
