import CKernels

// Patch matrices for the GEMM convolution path: im2col, its adjoint col2im, and a transposed
// single-channel im2col. Float32 runs the C loops (im2col.c); the portable Swift loops run float64.

/// cols[(n, oy, ox), (ky, kx, c)] = x[n, oy·sy + ky − pt, ox·sx + kx − pl, c] (0 outside the image).
///
/// A window row (kx = 0..<kw, all channels) is one contiguous run of kw·C floats whenever it lies
/// inside the image, so it is copied as a block; only border windows go pixel by pixel.
func im2col<T: FloatScalar>(_ x: UnsafePointer<T>, _ g: WindowGeometry, _ cols: UnsafeMutablePointer<T>) {
    if T.self == Float.self {
        // float32 runs the C loop compiled for the CPU's vector width (same layout and values).
        var window = g.c
        return tg_im2col_f32(floats(x), &window, floats(cols))
    }
    im2colPortable(x, g, cols)
}

/// The Swift im2col, the production path for float64 (same layout and values as the C loop, which
/// the tests check against a plain-loop oracle).
func im2colPortable<T: FloatScalar>(_ x: UnsafePointer<T>, _ g: WindowGeometry, _ cols: UnsafeMutablePointer<T>) {
    let c = g.channels, rowLength = g.patchSize, run = g.kernelWidth * c
    var row = 0
    for n in 0..<g.batch {
        let image = x + n * g.height * g.width * c
        for oy in 0..<g.outHeight {
            for ox in 0..<g.outWidth {
                var dst = cols + row * rowLength
                let ix0 = ox * g.strideX - g.padLeft
                let inside = ix0 >= 0 && ix0 + g.kernelWidth <= g.width
                for ky in 0..<g.kernelHeight {
                    let iy = oy * g.strideY + ky - g.padTop
                    if iy < 0 || iy >= g.height {
                        for j in 0..<run { dst[j] = 0 }
                    } else if inside {
                        let src = image + (iy * g.width + ix0) * c
                        for j in 0..<run { dst[j] = src[j] }
                    } else {
                        for kx in 0..<g.kernelWidth {
                            let ix = ix0 + kx
                            let d = dst + kx * c
                            if ix >= 0 && ix < g.width {
                                let src = image + (iy * g.width + ix) * c
                                for j in 0..<c { d[j] = src[j] }
                            } else {
                                for j in 0..<c { d[j] = 0 }
                            }
                        }
                    }
                    dst += run
                }
                row += 1
            }
        }
    }
}

/// Single-channel im2col in the transposed layout colsT[(ky, kx), (n, oy, ox)]: for a fixed tap and
/// output row, the pixels read are a contiguous input row, so whole rows are copied instead of
/// 5-float fragments. First convolution layers on grayscale images have one channel.
func im2colTransposedSingleChannel<T: FloatScalar>(_ x: UnsafePointer<T>, _ g: WindowGeometry, _ colsT: UnsafeMutablePointer<T>) {
    let positions = g.outputPositions, plane = g.outHeight * g.outWidth
    for ky in 0..<g.kernelHeight {
        for kx in 0..<g.kernelWidth {
            let row = colsT + (ky * g.kernelWidth + kx) * positions
            // Output columns whose input column ox·sx + kx − pl lies inside the image.
            let first = Swift.max(0, (g.padLeft - kx + g.strideX - 1) / g.strideX)
            let last = Swift.min(g.outWidth, (g.width - 1 + g.padLeft - kx) / g.strideX + 1)
            for n in 0..<g.batch {
                let image = x + n * g.height * g.width
                for oy in 0..<g.outHeight {
                    let dst = row + n * plane + oy * g.outWidth
                    let iy = oy * g.strideY + ky - g.padTop
                    guard iy >= 0 && iy < g.height && first < last else {
                        for ox in 0..<g.outWidth { dst[ox] = 0 }
                        continue
                    }
                    for ox in 0..<first { dst[ox] = 0 }
                    let src = image + iy * g.width + kx - g.padLeft
                    if g.strideX == 1 {
                        for ox in first..<last { dst[ox] = src[ox] }
                    } else {
                        for ox in first..<last { dst[ox] = src[ox * g.strideX] }
                    }
                    for ox in last..<g.outWidth { dst[ox] = 0 }
                }
            }
        }
    }
}

/// The adjoint of im2col: dx[n, iy, ix, c] = Σ cols[...] over every window position that read it.
func col2im<T: FloatScalar>(_ cols: UnsafePointer<T>, _ g: WindowGeometry, _ dx: UnsafeMutablePointer<T>) {
    if T.self == Float.self {
        var window = g.c
        return tg_col2im_f32(floats(cols), &window, floats(dx))
    }
    col2imPortable(cols, g, dx)
}

/// The Swift col2im, the production path for float64 (same summation order as the C loop).
func col2imPortable<T: FloatScalar>(_ cols: UnsafePointer<T>, _ g: WindowGeometry, _ dx: UnsafeMutablePointer<T>) {
    let c = g.channels, rowLength = g.patchSize, run = g.kernelWidth * c
    dx.update(repeating: 0, count: g.batch * g.height * g.width * c)
    var row = 0
    for n in 0..<g.batch {
        let image = dx + n * g.height * g.width * c
        for oy in 0..<g.outHeight {
            for ox in 0..<g.outWidth {
                var src = cols + row * rowLength
                let ix0 = ox * g.strideX - g.padLeft
                let inside = ix0 >= 0 && ix0 + g.kernelWidth <= g.width
                for ky in 0..<g.kernelHeight {
                    let iy = oy * g.strideY + ky - g.padTop
                    if iy >= 0 && iy < g.height {
                        if inside {
                            let target = image + (iy * g.width + ix0) * c
                            for j in 0..<run { target[j] += src[j] }
                        } else {
                            for kx in 0..<g.kernelWidth {
                                let ix = ix0 + kx
                                guard ix >= 0 && ix < g.width else { continue }
                                let target = image + (iy * g.width + ix) * c, s = src + kx * c
                                for j in 0..<c { target[j] += s[j] }
                            }
                        }
                    }
                    src += run
                }
                row += 1
            }
        }
    }
}
