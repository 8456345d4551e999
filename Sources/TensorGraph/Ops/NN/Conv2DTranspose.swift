// The transposed convolution TF1 programs write as `tf.nn.conv2d_transpose`: no op of its own, a
// Conv2DBackpropInput node with `input_sizes` = the output shape, as TF's python function builds it.
// Its output shape comes from a constant `input_sizes` at build time, and its gradient is
// Conv2DBackpropInput's (Conv2DBackpropFilter for the filter, Conv2D for the input).

extension Graph {
    /// Transposed convolution ("deconvolution") of NHWC `input` [N, H, W, C_in] with `filter`
    /// [KH, KW, C_out, C_in] to `outputShape` [N, OH, OW, C_out] (TF1's `tf.nn.conv2d_transpose`): the
    /// input gradient of the Conv2D that maps `outputShape` to `input`'s shape with these strides and padding.
    /// - Throws: `TensorGraphError.invalidArgument` when the channel counts of `input`, `filter` and `outputShape`
    ///   disagree, as TF's python checks; a shape error naming Conv2DBackpropInput for other mismatches.
    public func conv2DTranspose(_ input: Output, filter: Output, outputShape: [Int], strides: (Int, Int) = (1, 1), padding: Padding,
                                name: String? = nil, file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        guard outputShape.count == 4 else {
            throw TensorGraphError.invalidArgument("[Conv2DBackpropInput] outputShape must have 4 elements [N, OH, OW, C], got \(outputShape)")
        }
        if let outChannels = filter.shape.dims?[2] ?? nil, outChannels != outputShape[3] {
            throw TensorGraphError.invalidArgument(
                "[Conv2DBackpropInput] outputShape \(outputShape) has \(outputShape[3]) channels but filter \(filter.shape) makes \(outChannels)")
        }
        let sizes = try constant(Tensor(outputShape.map { Int32(clamping: $0) }), file: file, line: line)
        return try conv2DTranspose(input, filter: filter, outputShape: sizes, strides: strides, padding: padding, name: name, file: file, line: line)
    }

    /// Transposed convolution to the int32 [4] tensor `outputShape` (for a batch size known only at run time).
    public func conv2DTranspose(_ input: Output, filter: Output, outputShape: Output, strides: (Int, Int) = (1, 1), padding: Padding,
                                name: String? = nil, file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        if let inChannels = input.shape.dims?.last ?? nil, let filterChannels = filter.shape.dims?.last ?? nil, inChannels != filterChannels {
            throw TensorGraphError.invalidArgument(
                "[Conv2DBackpropInput] input \(input.shape) has \(inChannels) channels but filter \(filter.shape) expects \(filterChannels)")
        }
        return try addOutput(Conv2DBackpropInput.self, name: name, [outputShape, filter, input],
                             ConvolutionAttributes(strides: strides, padding: padding), file: file, line: line)
    }
}
