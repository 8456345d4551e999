import CKernels

/// Sizes of one convolution or pooling window application (NHWC input, TF's padding rule).
///
/// Shared by the convolution and pooling kernels and by the ops' shape inference, so it lives apart
/// from either family.
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

    /// Values in one window: a row of the im2col matrix, a column of the [K, F] filter view.
    var patchSize: Int { kernelHeight * kernelWidth * channels }

    /// The same geometry for the C kernels.
    var c: tg_window {
        tg_window(batch: batch, height: height, width: width, channels: channels, kernel_height: kernelHeight,
                  kernel_width: kernelWidth, stride_y: strideY, stride_x: strideX, out_height: outHeight,
                  out_width: outWidth, pad_top: padTop, pad_left: padLeft)
    }

    /// Output pixels over the batch: the rows of the im2col matrix.
    var outputPositions: Int { batch * outHeight * outWidth }
}
