/// 2-D convolution kernels (NHWC input, HWCF filter): im2col + GEMM forward, GEMM + col2im for
/// the input gradient, im2col + GEMMᵀ for the filter gradient.

/// Padding scheme of convolutions and pools, as TensorFlow's `padding` attr.
public enum Padding: String, Sendable {
    case same = "SAME"
    case valid = "VALID"
}

/// Sizes of one convolution or pooling window application.
struct WindowGeometry: Equatable {
    var batch, height, width, channels: Int
    var kernelHeight, kernelWidth: Int
    var strideY, strideX: Int
    var outHeight, outWidth: Int
    var padTop, padLeft: Int

    /// TF's output size and padding rule: SAME gives ceil(in / stride) with the extra padding at the end.
    init?(input: [Int], kernel: (Int, Int), strides: (Int, Int), padding: Padding) {
        // Bounds keep every size product below overflow for corrupt graphs.
        let limit = 1 << 24
        guard input.count == 4, input.allSatisfy({ (0...limit).contains($0) }), (1...limit).contains(kernel.0), (1...limit).contains(kernel.1),
              (1...limit).contains(strides.0), (1...limit).contains(strides.1) else { return nil }
        (batch, height, width, channels) = (input[0], input[1], input[2], input[3])
        (kernelHeight, kernelWidth) = kernel
        (strideY, strideX) = strides
        func size(_ n: Int, _ k: Int, _ s: Int) -> (Int, Int)? {
            switch padding {
            case .valid:
                guard n >= k else { return nil }
                return ((n - k) / s + 1, 0)
            case .same:
                let out = (n + s - 1) / s
                let total = Swift.max((out - 1) * s + k - n, 0)
                return (out, total / 2)
            }
        }
        guard let (oh, pt) = size(height, kernelHeight, strideY), let (ow, pl) = size(width, kernelWidth, strideX) else { return nil }
        (outHeight, padTop, outWidth, padLeft) = (oh, pt, ow, pl)
        guard let cells = checkedProduct([batch, oh, ow, kernelHeight, kernelWidth, channels]), cells <= 1 << 40 else { return nil }
    }

    var patchSize: Int { kernelHeight * kernelWidth * channels }
    var outputPositions: Int { batch * outHeight * outWidth }
}

/// cols[(n, oy, ox), (ky, kx, c)] = x[n, oy·sy + ky − pt, ox·sx + kx − pl, c] (0 outside the image).
func im2col<T: FloatScalar>(_ x: UnsafePointer<T>, _ g: WindowGeometry, _ cols: UnsafeMutablePointer<T>) {
    let c = g.channels, rowLength = g.patchSize
    var row = 0
    for n in 0..<g.batch {
        let image = x + n * g.height * g.width * c
        for oy in 0..<g.outHeight {
            for ox in 0..<g.outWidth {
                let dst = cols + row * rowLength
                var k = 0
                for ky in 0..<g.kernelHeight {
                    let iy = oy * g.strideY + ky - g.padTop
                    for kx in 0..<g.kernelWidth {
                        let ix = ox * g.strideX + kx - g.padLeft
                        if iy >= 0 && iy < g.height && ix >= 0 && ix < g.width {
                            (dst + k).update(from: image + (iy * g.width + ix) * c, count: c)
                        } else {
                            (dst + k).update(repeating: 0, count: c)
                        }
                        k += c
                    }
                }
                row += 1
            }
        }
    }
}

/// The adjoint of im2col: dx[n, iy, ix, c] += cols[...] for every window position that read it.
func col2im<T: FloatScalar>(_ cols: UnsafePointer<T>, _ g: WindowGeometry, _ dx: UnsafeMutablePointer<T>) {
    let c = g.channels, rowLength = g.patchSize
    dx.update(repeating: 0, count: g.batch * g.height * g.width * c)
    var row = 0
    for n in 0..<g.batch {
        let image = dx + n * g.height * g.width * c
        for oy in 0..<g.outHeight {
            for ox in 0..<g.outWidth {
                let src = cols + row * rowLength
                var k = 0
                for ky in 0..<g.kernelHeight {
                    let iy = oy * g.strideY + ky - g.padTop
                    for kx in 0..<g.kernelWidth {
                        let ix = ox * g.strideX + kx - g.padLeft
                        if iy >= 0 && iy < g.height && ix >= 0 && ix < g.width {
                            let target = image + (iy * g.width + ix) * c
                            for j in 0..<c { target[j] += src[k + j] }
                        }
                        k += c
                    }
                }
                row += 1
            }
        }
    }
}

/// Reference convolution: the direct 7-deep loop, in Double.
func conv2dReference(_ x: [Double], _ filter: [Double], _ g: WindowGeometry, filters f: Int) -> [Double] {
    var out = [Double](repeating: 0, count: g.outputPositions * f)
    for n in 0..<g.batch {
        for oy in 0..<g.outHeight {
            for ox in 0..<g.outWidth {
                for o in 0..<f {
                    var sum = 0.0
                    for ky in 0..<g.kernelHeight {
                        for kx in 0..<g.kernelWidth {
                            let iy = oy * g.strideY + ky - g.padTop, ix = ox * g.strideX + kx - g.padLeft
                            guard iy >= 0, iy < g.height, ix >= 0, ix < g.width else { continue }
                            for ch in 0..<g.channels {
                                sum += x[((n * g.height + iy) * g.width + ix) * g.channels + ch]
                                    * filter[((ky * g.kernelWidth + kx) * g.channels + ch) * f + o]
                            }
                        }
                    }
                    out[((n * g.outHeight + oy) * g.outWidth + ox) * f + o] = sum
                }
            }
        }
    }
    return out
}
