import Foundation
import TestSupport
import XCTest
@testable import TensorGraph

/// Batch-norm folding, both ways it runs: the rewrite rule (plans of graphs whose filters and statistics are
/// constants, e.g. imported frozen graphs) and `foldingBatchNorms` / `freeze(..., foldingBatchNorms: true)` (the
/// written GraphDef). Folded results are checked against the unfolded graph run in float64 with no rewrite.
final class BatchNormFoldingTests: XCTestCase {
    enum Linear: String, CaseIterable { case conv, depthwise, matMul, matMulTransposed }
    enum Norm: String, CaseIterable { case fusedV3, fusedV2, fusedV1, decomposed }

    /// Random parameters for one case: the channel count follows from the linear op.
    struct Fixture {
        let input: Tensor, filter: Tensor, bias: Tensor, gamma: Tensor, beta: Tensor, mean: Tensor, variance: Tensor

        init(_ linear: Linear, seed: UInt64) {
            var random = TestRandom(seed: seed)
            let channels: Int
            switch linear {
            case .conv: (input, filter, channels) = (random.tensor([2, 6, 6, 3]), random.tensor([3, 3, 3, 4]), 4)
            case .depthwise: (input, filter, channels) = (random.tensor([2, 6, 6, 3]), random.tensor([3, 3, 3, 2]), 6)
            case .matMul: (input, filter, channels) = (random.tensor([5, 7]), random.tensor([7, 4]), 4)
            case .matMulTransposed: (input, filter, channels) = (random.tensor([5, 7]), random.tensor([4, 7]), 4)
            }
            bias = random.tensor([channels])
            gamma = random.tensor([channels], 0.5, 2)
            beta = random.tensor([channels])
            mean = random.tensor([channels])
            variance = random.tensor([channels], 0.1, 2)
        }
    }

    /// linear op [→ BiasAdd] → batch norm → Relu, in `dtype`; a matMul's fused batch norm runs on [N, 1, 1, C]
    /// between two Reshapes, as `layers.batchNormalization` does for 2-D input.
    func build(_ linear: Linear, bias: Bool, _ norm: Norm, _ f: Fixture, dtype: DType) throws -> (Graph, Output, Output) {
        let g = Graph()
        func constant(_ t: Tensor) throws -> Output { try g.constant(dtype == .float ? toFloat32(t) : t) }
        let x = try g.placeholder(dtype, shape: TensorShape(f.input.shape), name: "x")
        var h: Output
        switch linear {
        case .conv: h = try g.conv2D(x, filter: constant(f.filter), padding: .same)
        case .depthwise: h = try g.depthwiseConv2D(x, filter: constant(f.filter), padding: .valid)
        case .matMul: h = try g.matMul(x, constant(f.filter))
        case .matMulTransposed: h = try g.matMul(x, constant(f.filter), transposeB: true)
        }
        if bias { h = try g.biasAdd(h, constant(f.bias)) }
        let channels = f.bias.count
        let (gamma, beta, mean, variance) = try (constant(f.gamma), constant(f.beta), constant(f.mean), constant(f.variance))
        if norm == .decomposed {
            h = try g.batchNormalization(h, mean: mean, variance: variance, offset: beta, scale: gamma, epsilon: 0.001)
        } else {
            let flat = h.shape.rank == 2
            if flat { h = try g.reshape(h, to: [-1, 1, 1, channels]) }
            let versions: [Norm: any FusedBatchNormForward.Type] = [.fusedV3: FusedBatchNormV3.self, .fusedV2: FusedBatchNormV2.self,
                                                                     .fusedV1: FusedBatchNorm.self]
            let version = versions[norm]!
            h = try fusedBatchNorm(g, version, h, [gamma, beta, mean, variance])
            if flat { h = try g.reshape(h, to: [-1, channels]) }
        }
        return (g, x, try g.relu(h, name: "y"))
    }

    /// One inference-mode FusedBatchNorm node of `version`; its output y.
    func fusedBatchNorm(_ g: Graph, _ version: any FusedBatchNormForward.Type, _ x: Output, _ parameters: [Output], training: Bool = false) throws -> Output {
        func node<O: FusedBatchNormForward>(_ op: O.Type) throws -> Output {
            try g.fusedBatchNormNode(op, x, scale: parameters[0], offset: parameters[1], mean: parameters[2], variance: parameters[3],
                                     epsilon: 0.001, isTraining: training, exponentialAvgFactor: 1)[0]
        }
        return try node(version)
    }

    /// `fetch` of `g` fed `input`, with the rewrite rules on or off: the value and the plan's op names and fired rules.
    func run(_ g: Graph, _ x: Output, _ fetch: Output, _ input: Tensor, rules: Bool) throws -> (value: Tensor, ops: [String], fired: [String]) {
        let session = Session(graph: g)
        if !rules { session.rewriteRules = [] }
        let value = try session.run(fetch, feeding: [x: x.dtype == .float ? toFloat32(input) : input])
        let plan = try XCTUnwrap(session.lastPlan)
        return (value, plan.steps.map(\.node.opName), plan.rewrites)
    }

    func testFoldsEveryLinearOpWithAndWithoutBias() throws {
        var seed: UInt64 = 60
        for linear in Linear.allCases {
            for bias in [false, true] {
                for norm in Norm.allCases {
                    seed += 1
                    let label = "\(linear) bias \(bias) \(norm)"
                    let fixture = Fixture(linear, seed: seed)
                    let (g64, x64, y64) = try build(linear, bias: bias, norm, fixture, dtype: .double)
                    let oracle = try run(g64, x64, y64, fixture.input, rules: false).value.doubleValues

                    // The rewrite rule, on the float32 graph.
                    let (g, x, y) = try build(linear, bias: bias, norm, fixture, dtype: .float)
                    let rewritten = try run(g, x, y, fixture.input, rules: true)
                    XCTAssertEqual(rewritten.fired.filter { $0.contains("folded filter") }.count, 1, label)
                    XCTAssertFalse(rewritten.ops.contains { $0.hasPrefix("FusedBatchNorm") || $0 == "Mul" }, "\(label): \(rewritten.ops)")
                    assertClose(rewritten.value.doubleValues, oracle, absolute: 1e-5, relative: 1e-5, label)
                    assertClose(try run(g, x, y, fixture.input, rules: false).value.doubleValues, oracle, absolute: 1e-5, relative: 1e-5, label)

                    // The graph pass: one fold, no batch norm left, same numbers with no rule running.
                    let (folded, count) = try g.foldingBatchNorms(preserving: ["y"])
                    XCTAssertEqual(count, 1, label)
                    XCTAssertFalse(folded.nodes.contains { $0.opName.hasPrefix("FusedBatchNorm") || $0.opName == "Mul" }, label)
                    XCTAssertEqual(folded.node(named: "y")?.opName, "Relu", label)
                    let plain = try run(folded, try XCTUnwrap(folded.output(named: "x")), try XCTUnwrap(folded.output(named: "y")),
                                        fixture.input, rules: false)
                    assertClose(plain.value.doubleValues, oracle, absolute: 1e-5, relative: 1e-5, label)
                }
            }
        }
    }

    /// Conv2D + BiasAdd + batch norm + Relu ends as one `_FusedConv2D`: folding runs before the epilogue rule.
    func testFoldedConvolutionFusesItsEpilogue() throws {
        let fixture = Fixture(.conv, seed: 7)
        let (g, x, y) = try build(.conv, bias: true, .fusedV3, fixture, dtype: .float)
        let run = try run(g, x, y, fixture.input, rules: true)
        XCTAssertEqual(run.ops.filter { $0 != "Const" }, ["_FusedConv2D"])
    }

    /// A batch norm after an op with one input (ResNetV2's pre-activation after a MaxPool, in both the fused and
    /// the decomposed form) is left alone, and the plan runs: matching input 1 of such a producer trapped.
    func testBatchNormAfterASingleInputOpDoesNotFold() throws {
        let f = Fixture(.conv, seed: 11)
        for norm in [Norm.fusedV3, .decomposed] {
            let g = Graph()
            let x = try g.placeholder(.float, shape: [2, 6, 6, 4], name: "x")
            let pooled = try g.maxPool(x, ksize: (2, 2), strides: (2, 2), padding: .valid)
            let p = try [f.gamma, f.beta, f.mean, f.variance].map { try g.constant(toFloat32($0)) }
            let y = norm == .decomposed
                ? try g.batchNormalization(pooled, mean: p[2], variance: p[3], offset: p[1], scale: p[0], epsilon: 0.001)
                : try fusedBatchNorm(g, FusedBatchNormV3.self, pooled, p)
            var random = TestRandom(seed: 12)
            let input = toFloat32(random.tensor([2, 6, 6, 4]))
            let folded = try run(g, x, y, input, rules: true), plain = try run(g, x, y, input, rules: false)
            XCTAssertFalse(folded.fired.contains { $0.contains("folded filter") }, norm.rawValue)
            XCTAssertEqual(folded.value, plain.value, norm.rawValue)
            XCTAssertEqual(try g.foldingBatchNorms(preserving: [y.node.name]).folded, 0, norm.rawValue)
        }
    }

    func testStatisticsThatAreNotConstantsDoNotFold() throws {
        let f = Fixture(.conv, seed: 9)
        for source in ["placeholder", "variable", "training", "statistics read", "filter fed", "conv fetched"] {
            let g = Graph()
            let x = try g.placeholder(.float, shape: [2, 6, 6, 3], name: "x")
            let filterFeed = try g.placeholder(.float, shape: [3, 3, 3, 4], name: "w")
            let conv = try g.conv2D(x, filter: source == "filter fed" ? filterFeed : g.constant(toFloat32(f.filter)), padding: .same)
            let meanFeed = try g.placeholder(.float, shape: [4], name: "mean")
            let mean = source == "placeholder" ? meanFeed : try g.constant(toFloat32(f.mean))
            let variance = source == "variable" ? try g.variable(g.constant(toFloat32(f.variance)), name: "moving_variance")
                                                : try g.constant(toFloat32(f.variance))
            let parameters = [try g.constant(toFloat32(f.gamma)), try g.constant(toFloat32(f.beta)), mean, variance]
            let outputs = try g.fusedBatchNormNode(FusedBatchNormV3.self, conv, scale: parameters[0], offset: parameters[1], mean: parameters[2],
                                                   variance: parameters[3], epsilon: 0.001, isTraining: source == "training", exponentialAvgFactor: 1)
            var fetches = [try g.relu(outputs[0], name: "y")]
            if source == "statistics read" { fetches.append(try g.square(outputs[1])) }
            if source == "conv fetched" { fetches.append(conv) }
            let session = Session(graph: g)
            try session.run(g.globalVariablesInitializer())
            _ = try session.run(fetches, feeding: [x: toFloat32(f.input), meanFeed: toFloat32(f.mean), filterFeed: toFloat32(f.filter)])
            let plan = try XCTUnwrap(session.lastPlan)
            XCTAssertFalse(plan.rewrites.contains { $0.contains("folded filter") }, source)
            XCTAssertTrue(plan.steps.contains { $0.node.opName == "FusedBatchNormV3" }, source)
            XCTAssertEqual(try g.foldingBatchNorms(preserving: fetches.map(\.node.name)).folded, 0, source)
        }
    }

    /// `layers` conv2d + batchNormalization(training: false) + relu and a dense layer's batch norm, frozen with
    /// folding: no batch norm left, and the GraphDef read back gives the unfrozen graph's numbers.
    func testFreezeFoldsLayerBatchNormsAndRoundTrips() throws {
        var random = TestRandom(seed: 11)
        let g = Graph()
        let x = try g.placeholder(.float, shape: [nil, 8, 8, 2], name: "x")
        var h = try g.layers.conv2d(x, filters: 5, kernelSize: (3, 3), padding: .same)
        h = try g.relu(g.layers.batchNormalization(h, training: false))
        h = try g.layers.dense(g.layers.flatten(h), units: 6)
        h = try g.layers.batchNormalization(h, training: false)
        let y = try g.softmax(h, name: "probabilities")
        let session = Session(graph: g)
        try session.run(g.globalVariablesInitializer())
        for variable in g.globalVariables {
            let range: (Double, Double) = variable.name.hasSuffix("variance") || variable.name.hasSuffix("gamma") ? (0.3, 2) : (-1, 1)
            try session.setValue(toFloat32(random.tensor(variable.shape.dims!.map { $0! }, range.0, range.1)), for: variable)
        }
        let input = toFloat32(random.tensor([3, 8, 8, 2]))
        let expected = try session.run(y, feeding: [x: input]).doubleValues

        let frozen = try g.freeze(session, outputs: [y], foldingBatchNorms: true)
        XCTAssertFalse(frozen.nodes.contains { $0.opName.hasPrefix("FusedBatchNorm") }, "\(frozen.nodes.map(\.opName))")
        XCTAssertLessThan(frozen.nodes.count, try g.freeze(session, outputs: [y]).nodes.count)
        let path = try temporaryDirectory("bn-folding") + "/folded.pb"
        try frozen.write(to: path)
        let loaded = try Graph(graphDef: Array(try Data(contentsOf: URL(fileURLWithPath: path))))
        let loadedSession = Session(graph: loaded)
        loadedSession.rewriteRules = []
        let actual = try loadedSession.run(try XCTUnwrap(loaded.output(named: "probabilities")),
                                           feeding: [try XCTUnwrap(loaded.output(named: "x")): input])
        assertClose(actual.doubleValues, expected, absolute: 1e-6, relative: 1e-5)
    }

    /// Frozen graphs TensorFlow wrote (Tests/Fixtures/BatchNormFolding/make_fixtures.py): Keras 3's decomposed
    /// batch norms after Conv2D, DepthwiseConv2D + bias and Dense + bias, and TF1's FusedBatchNormV3 after
    /// Conv2D + BiasAdd and a strided Conv2D. Each folds, at run time (the rule) and in the graph pass, and
    /// the result matches TensorFlow's outputs.
    func testTensorFlowFrozenGraphsFold() throws {
        let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/BatchNormFolding").path
        let input = try NPY.read(directory + "/keras_bn.input.npy")
        for (name, folds) in [("keras_bn", 3), ("tf1_fused", 2)] {
            let g = try Graph(graphDef: Array(try Data(contentsOf: URL(fileURLWithPath: "\(directory)/\(name).pb"))))
            let expected = try NPY.read("\(directory)/\(name).output.npy").doubleValues
            let x = try XCTUnwrap(g.output(named: "x")), y = try XCTUnwrap(g.output(named: "Identity"))
            let rewritten = try run(g, x, y, input, rules: true)
            XCTAssertEqual(rewritten.fired.filter { $0.contains("folded filter") }.count, folds, name)
            XCTAssertFalse(rewritten.ops.contains { $0.hasPrefix("FusedBatchNorm") || $0 == "Mul" }, "\(name): \(rewritten.ops)")
            assertClose(rewritten.value.doubleValues, expected, absolute: 1e-5, relative: 1e-5, name)

            let (folded, count) = try g.foldingBatchNorms(preserving: ["Identity"])
            XCTAssertEqual(count, folds, name)
            XCTAssertFalse(folded.nodes.contains { $0.opName.hasPrefix("FusedBatchNorm") || $0.opName == "Mul" || $0.opName == "Rsqrt" }, name)
            let plain = try run(folded, try XCTUnwrap(folded.output(named: "x")), try XCTUnwrap(folded.output(named: "Identity")), input, rules: false)
            assertClose(plain.value.doubleValues, expected, absolute: 1e-5, relative: 1e-5, name)
        }
    }
}
