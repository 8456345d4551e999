/// In a training plan, `_FusedConv2D` (Conv2D + BiasAdd + Relu) whose activation only a 2×2, stride-2,
/// VALID `MaxPoolWithArgmax` and that pool's fused gradients (`_FusedMaxPoolGrad`) read becomes
/// `_FusedConv2DMaxPoolWithArgmax`: the convolution is pooled chunk by chunk while its output is in cache,
/// and the full-resolution activation — the largest tensor of a small CNN's step, written once and read
/// twice — is never stored. The gradient needs only the pooled values, the argmax and the activation's
/// height and width (static in the plan; the rule does not fire when they are unknown), which it gets
/// as `input_height_width`. Runs after the argmax and pooling-gradient rules, whose output it matches.
extension RewriteRules {
    static let trainingConvolutionPooling = RewriteRule(
        name: "_FusedConv2D+MaxPoolWithArgmax(2×2/2) → _FusedConv2DMaxPoolWithArgmax", root: MaxPoolWithArgmax.wireName
    ) { plan, m in
        let activation = plan.nodes[m].inputs[0]
        guard let p = plan.producer(of: activation, FusedConv2D.self), let value = activation.value, !plan.targets.contains(p) else { return false }
        let pool = plan.nodes[m].node.attributes(MaxPoolWithArgmax.self)
        guard pool.ksize == [1, 2, 2, 1], pool.strides == [1, 2, 2, 1], pool.padding == "VALID",
              plan.nodes[p].node.attributes(FusedConv2D.self).convolution.dataFormat == "NHWC",
              let dims = plan.spec(of: activation).shape.dims, dims.count == 4, let height = dims[1], let width = dims[2] else { return false }
        // Every reader of the activation is the pool or a fused gradient of this very pool (input 0, shape only).
        let pooled = PlanGraph.Input.value(.init(node: m, output: 0)), argmax = PlanGraph.Input.value(.init(node: m, output: 1))
        let gradients = plan.consumers(of: value).filter { $0 != m }
        var references = plan.nodes[m].inputs.filter { $0 == activation }.count
        for g in gradients {
            let inputs = plan.nodes[g].inputs
            guard plan.nodes[g].node.op == FusedMaxPoolGrad.self, inputs[0] == activation, inputs[2] == argmax, inputs[3] == pooled,
                  inputs.filter({ $0 == activation }).count == 1,
                  plan.nodes[g].node.attributes(FusedMaxPoolGrad.self).inputHeightWidth.isEmpty else { return false }
            references += 1
        }
        guard plan.readers(of: value) == references else { return false }   // fetched, or read twice by one node

        let inputs = plan.nodes[p].inputs
        let attributes = plan.nodes[p].node.attributes(FusedConv2D.self)
        plan.replace(m, with: try plan.makeNode(FusedConv2DMaxPoolWithArgmax.self, replacing: m, attributes, inputs: inputs), inputs: inputs)
        plan.kill(p)
        for g in gradients {
            var gradientAttributes = plan.nodes[g].node.attributes(FusedMaxPoolGrad.self)
            gradientAttributes.inputHeightWidth = [height, width]
            let gradientInputs = [pooled] + plan.nodes[g].inputs.dropFirst()
            plan.replace(g, with: try plan.makeNode(FusedMaxPoolGrad.self, replacing: g, gradientAttributes, inputs: gradientInputs),
                         inputs: gradientInputs)
        }
        return true
    }
}
