/// A fusion as data: a pattern rooted at one op and the replacement it builds.
///
/// `rewrite` is called for each live plan node whose op is `root`; it checks the rest of the
/// pattern with `PlanGraph`'s matchers (`producer(of:_:)`, `soleConsumer(of:_:)`, `feedsOnlyOne`),
/// and on a match replaces the pattern's last node by one emitted op (TF's own name for the
/// fusion, `_FusedConv2D`, or a real TF op such as `MaxPoolWithArgmax`) and returns true. The
/// replacement takes the last node's place, so it still follows all its inputs and precedes all
/// its readers; side results are ordinary extra outputs. A rule never fires when an intermediate
/// value is fetched, read by another node, or is a run target.
struct RewriteRule: Sendable {
    let name: String
    /// The wire name of the op the pattern is rooted at.
    let root: String
    let rewrite: @Sendable (inout PlanGraph, Int) throws -> Bool
}

/// The rules, in the order the rewrite pass applies them. Order matters only where a rule matches
/// another's output: the pooling-gradient fusion matches the MaxPoolGradWithArgmax that the
/// argmax rule emits, so it comes after it, and the training convolution-pooling fusion matches both rules'
/// output (the argmax pool and its fused gradient), so it follows them; the convolution-pooling fusion matches the `_FusedConv2D` the
/// epilogue rule emits and only the `MaxPool`s the argmax rule left (inference), so it comes last. Batch-norm
/// folding comes first: the Conv2D/MatMul + BiasAdd it leaves is what the epilogue rules fuse; the depthwise padding rule
/// rebuilds the DepthwiseConv2dNative that the depthwise epilogue rule then fuses, so it precedes it. Loop
/// deduplication (a loop gradient's accumulating copy replaces the forward loop it copies) matches nothing else.
enum RewriteRules {
    static let all: [RewriteRule] = batchNormFolding + [convolutionEpilogue, denseEpilogue, depthwisePadding, depthwiseEpilogue, poolingArgmax, poolingGradient,
                                             trainingConvolutionPooling, convolutionPooling]
        + loopDeduplication

    /// Applies each rule once over the plan, in order; returns the names of the rules that fired, per firing.
    @discardableResult
    static func apply(_ rules: [RewriteRule] = all, to plan: inout PlanGraph) throws -> [String] {
        var fired: [String] = []
        for rule in rules {
            for i in plan.nodes.indices where !plan.nodes[i].isDead && plan.nodes[i].node.opName == rule.root {
                if try rule.rewrite(&plan, i) { fired.append(rule.name) }
            }
        }
        return fired
    }
}

extension PlanGraph {
    /// The activation op reading node `index`'s output alone, if a fused epilogue can absorb it:
    /// (activation, the node whose output the fusion then replaces).
    func fusibleActivation(after index: Int) -> (FusedActivation, Int) {
        let value = Value(node: index, output: 0)
        for (name, activation) in FusedActivation.byOp.sorted(by: { $0.key < $1.key }) {
            guard let op = OpRegistry.byName[name], let c = consumers(of: value).first, nodes[c].node.op == op,
                  feedsOnlyOne(value), !targets.contains(c) else { continue }
            return (activation, c)
        }
        return (.none, index)
    }
}

extension PlanGraph {
    /// The epilogue rules' shared match and replacement: when the BiasAdd `b` reads op `Producer`'s output
    /// alone, that producer, the BiasAdd and a fusible activation after it become one `Fused` node (built
    /// from the producer's node and the activation by `attributes`) reading the producer's inputs and the bias.
    mutating func fuseBiasEpilogue<Producer: Op, Fused: Op>(into fused: Fused.Type, from producer: Producer.Type, biasAdd b: Int,
                                                             attributes: (Node, FusedActivation) -> Fused.Attrs) throws -> Bool {
        guard let p = self.producer(of: nodes[b].inputs[0], producer), feedsOnlyOne(.init(node: p, output: 0)) else { return false }
        let (activation, last) = fusibleActivation(after: b)
        let inputs = nodes[p].inputs + [nodes[b].inputs[1]]
        replace(last, with: try makeNode(fused, replacing: last, attributes(nodes[p].node, activation), inputs: inputs), inputs: inputs)
        kill(p)
        if last != b { kill(b) }
        return true
    }
}
