/// `_FusedConv2D` whose output only a 2×2, stride-2, VALID `MaxPool` reads becomes `_FusedConv2DMaxPool`:
/// the convolution is pooled chunk by chunk while its output is in cache (Kernels/Convolution/ChunkedConvolutionPooling.swift).
/// Training graphs keep the pair apart: there the pool became `MaxPoolWithArgmax` (the argmax rule runs first),
/// whose gradient reads the convolution's output.
extension RewriteRules {
    static let convolutionPooling = RewriteRule(name: "_FusedConv2D+MaxPool(2×2/2) → _FusedConv2DMaxPool", root: MaxPool.wireName) { plan, m in
        let input = plan.nodes[m].inputs[0]
        guard let p = plan.producer(of: input, FusedConv2D.self), plan.feedsOnlyOne(.init(node: p, output: 0)) else { return false }
        let pool = plan.nodes[m].node.attributes(MaxPool.self)
        guard pool.ksize == [1, 2, 2, 1], pool.strides == [1, 2, 2, 1], pool.padding == "VALID", pool.dataFormat == "NHWC" else { return false }
        let inputs = plan.nodes[p].inputs
        let attributes = plan.nodes[p].node.attributes(FusedConv2D.self)
        plan.replace(m, with: try plan.makeNode(FusedConv2DMaxPool.self, replacing: m, attributes, inputs: inputs), inputs: inputs)
        plan.kill(p)
        return true
    }
}
