/// `Pad` (zeros, spatial dimensions only) → DepthwiseConv2dNative(VALID) becomes one
/// DepthwiseConv2dNative(SAME) on the unpadded input, when SAME pads exactly as the `Pad` did: the same
/// output size and the same rows and columns before the image. Keras writes this pattern before every
/// stride-2 depthwise layer of MobileNetV2 and EfficientNet (`ZeroPadding2D(correct_pad(...))` + VALID),
/// and it always has that form; the kernel then reads zeros for taps outside the image instead of a
/// padded copy of the whole activation being written and read again.
///
/// Why equal: output o reads padded row o·s + k·d − 0 in the VALID form, i.e. input row o·s + k·d − top; SAME
/// reads input row o·s + k·d − top' and treats rows outside the image as zero. With top = top' and equal
/// output counts every tap reads the same value (a `Pad` row is zero, as is SAME's implicit row), and a
/// VALID window never reaches past the padded input, so SAME never reads a row the `Pad` did not write.
extension RewriteRules {
    static let depthwisePadding = RewriteRule(name: "Pad+DepthwiseConv2dNative(VALID) → DepthwiseConv2dNative(SAME)",
                                              root: DepthwiseConv2dNative.wireName) { plan, d in
        guard let p = plan.producer(of: plan.nodes[d].inputs[0], Pad.self), plan.feedsOnlyOne(.init(node: p, output: 0)) else { return false }
        var attributes = plan.nodes[d].node.attributes(DepthwiseConv2dNative.self)
        guard attributes.padding == "VALID", attributes.dataFormat == "NHWC", case .constant(let paddings) = plan.nodes[p].inputs[1],
              let pads = integerValues(paddings), pads.count == 8, pads[0] == 0, pads[1] == 0, pads[6] == 0, pads[7] == 0,
              let input = plan.spec(of: plan.nodes[p].inputs[0]).shape.dims, input.count == 4,
              let height = input[1], let width = input[2], let filter = plan.spec(of: plan.nodes[d].inputs[1]).shape.dims,
              filter.count == 4, let kh = filter[0], let kw = filter[1] else { return false }
        let extent = attributes.extent(kh, kw), strides = attributes.window.strides
        guard let ey = extent.0, let ex = extent.1,
              let valid = WindowGeometry(input: [1, height + pads[2] + pads[3], width + pads[4] + pads[5], 1], kernel: (ey, ex),
                                         strides: strides, padding: .valid),
              let same = WindowGeometry(input: [1, height, width, 1], kernel: (ey, ex), strides: strides, padding: .same),
              valid.outHeight == same.outHeight, valid.outWidth == same.outWidth, pads[2] == same.padTop, pads[4] == same.padLeft
        else { return false }
        attributes.padding = Padding.same.rawValue
        let inputs = [plan.nodes[p].inputs[0], plan.nodes[d].inputs[1]]
        plan.replace(d, with: try plan.makeNode(DepthwiseConv2dNative.self, replacing: d, attributes, inputs: inputs), inputs: inputs)
        plan.kill(p)
        return true
    }
}
