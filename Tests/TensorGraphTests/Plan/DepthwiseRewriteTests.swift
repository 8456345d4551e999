import TestSupport
import XCTest
@testable import TensorGraph

/// The depthwise rules: `DepthwiseConv2dNative + BiasAdd (+ Relu | Relu6)` → `_FusedDepthwiseConv2dNative`,
/// and `Pad + DepthwiseConv2dNative(VALID)` → `DepthwiseConv2dNative(SAME)` when SAME pads the same way.
/// Each fires on its pattern only, leaves fetched or shared intermediates alone, and gives the numbers of
/// the plan compiled without rules and of the plain reference loop.
final class DepthwiseRewriteTests: XCTestCase {
    private let epilogueRule = "DepthwiseConv2dNative+BiasAdd[+activation] → _FusedDepthwiseConv2dNative"
    private let paddingRule = "Pad+DepthwiseConv2dNative(VALID) → DepthwiseConv2dNative(SAME)"

    /// Runs `fetches` with every rule and with none: both results, the rewritten plan's step ops (without
    /// constants) and the rules that fired.
    private func runBothWays(_ g: Graph, _ fetches: [Output], _ feeds: [Output: Tensor])
        throws -> (rewritten: [Tensor], plain: [Tensor], ops: [String], fired: [String]) {
        let session = Session(graph: g)
        let rewritten = try session.run(fetches, feeding: feeds)
        let plan = try XCTUnwrap(session.lastPlan)
        let ops = plan.steps.map(\.node.opName).filter { $0 != "Const" }, fired = plan.rewrites
        session.rewriteRules = []
        let plain = try session.run(fetches, feeding: feeds)
        return (rewritten, plain, ops, fired)
    }

    private func clamp(_ activation: String) -> (Double) -> Double {
        activation == "Relu" ? { max($0, 0) } : activation == "Relu6" ? { min(max($0, 0), 6) } : { $0 }
    }

    func testEpilogueFusesBiasAndActivation() throws {
        var random = TestRandom(seed: 51)
        let configurations: [(DType, Int, Int, (Int, Int), String)] = [
            (.float, 24, 1, (1, 1), "Relu6"), (.float, 16, 1, (2, 2), "Relu"), (.float, 5, 1, (1, 1), ""),
            (.float, 8, 2, (2, 2), "Relu6"), (.double, 6, 1, (1, 1), "Relu"),
        ]
        for (dtype, channels, multiplier, strides, activation) in configurations {
            let label = "\(dtype) C=\(channels) M=\(multiplier) s\(strides) \(activation)"
            let cast: (Tensor) -> Tensor = { dtype == .float ? toFloat32($0) : $0 }
            let x = cast(random.tensor([3, 11, 11, channels], -3, 3)), w = cast(random.tensor([3, 3, channels, multiplier]))
            let b = cast(random.tensor([channels * multiplier]))
            let g = Graph()
            let xp = try g.placeholder(dtype, shape: [nil, 11, 11, channels])
            let biased = try g.biasAdd(g.depthwiseConv2D(xp, filter: g.constant(w), strides: strides, padding: .same), g.constant(b))
            let y = activation == "Relu" ? try g.relu(biased) : activation == "Relu6" ? try g.relu6(biased) : biased
            let run = try runBothWays(g, [y], [xp: x])
            XCTAssertEqual(run.fired, [epilogueRule], label)
            XCTAssertEqual(run.ops, ["_FusedDepthwiseConv2dNative"], label)
            // The same additions in the same order as the separate BiasAdd and activation.
            XCTAssertEqual(run.rewritten, run.plain, label)
            let bias = b.doubleValues, f = clamp(activation)
            let reference = refDepthwiseConv(x, w, strides: strides, dilations: (1, 1), padding: .same)
            XCTAssertEqual(run.rewritten[0].shape, reference.shape, label)
            assertClose(run.rewritten[0].doubleValues, reference.values.enumerated().map { f($1 + bias[$0 % bias.count]) },
                        absolute: 1e-5, relative: 1e-5, label)
        }
    }

    func testEpilogueKeepsFetchedOrSharedIntermediates() throws {
        var random = TestRandom(seed: 52)
        let x = toFloat32(random.tensor([2, 6, 6, 16])), w = toFloat32(random.tensor([3, 3, 16, 1])), b = toFloat32(random.tensor([16]))
        let g = Graph()
        let xp = try g.placeholder(.float, shape: [nil, 6, 6, 16])
        let conv = try g.depthwiseConv2D(xp, filter: g.constant(w), padding: .valid)
        let biased = try g.biasAdd(conv, g.constant(b))
        let activated = try g.relu6(biased)
        let fetched = try runBothWays(g, [conv, activated], [xp: x])
        XCTAssertEqual(fetched.fired, [])
        XCTAssertEqual(fetched.rewritten, fetched.plain)
        // The biased value fetched: the bias still fuses, the activation stays a step of its own.
        let biasFetched = try runBothWays(g, [biased, activated], [xp: x])
        XCTAssertEqual(biasFetched.ops, ["_FusedDepthwiseConv2dNative", "Relu6"])
        XCTAssertEqual(biasFetched.rewritten, biasFetched.plain)
        let shared = try runBothWays(g, [activated, g.square(conv)], [xp: x])
        XCTAssertEqual(shared.fired, [])
        XCTAssertEqual(shared.rewritten, shared.plain)
    }

    /// Keras's `ZeroPadding2D(correct_pad)` + VALID stride-2 depthwise (even and odd sizes), and a stride-1
    /// symmetric pad: all SAME in disguise, so the `Pad` step disappears and the bias then fuses. Pads SAME
    /// would not produce (too much, on the wrong side, or on the channels) keep the `Pad`.
    func testPaddingFoldsWhenItIsSame() throws {
        var random = TestRandom(seed: 53)
        let folding: [(size: Int, pads: [[Int]], strides: (Int, Int), kernel: Int)] = [
            (12, [[0, 0], [0, 1], [0, 1], [0, 0]], (2, 2), 3), (11, [[0, 0], [1, 1], [1, 1], [0, 0]], (2, 2), 3),
            (10, [[0, 0], [1, 2], [1, 2], [0, 0]], (2, 2), 5), (9, [[0, 0], [1, 1], [1, 1], [0, 0]], (1, 1), 3),
        ]
        let keeping: [(size: Int, pads: [[Int]], strides: (Int, Int), kernel: Int)] = [
            (12, [[0, 0], [1, 1], [1, 1], [0, 0]], (2, 2), 3), (9, [[0, 0], [2, 2], [2, 2], [0, 0]], (1, 1), 3),
            (9, [[0, 0], [1, 1], [1, 1], [0, 1]], (1, 1), 3), (12, [[0, 0], [1, 0], [1, 0], [0, 0]], (2, 2), 3),
        ]
        for (size, pads, strides, kernel) in folding + keeping {
            let folds = folding.contains { $0.size == size && $0.pads == pads && $0.strides == strides && $0.kernel == kernel }
            let label = "\(size)x\(size) pads \(pads) s\(strides) k\(kernel)"
            let x = toFloat32(random.tensor([2, size, size, 16], -3, 3))
            let padded = (0..<4).map { x.shape[$0] + pads[$0][0] + pads[$0][1] }
            let w = toFloat32(random.tensor([kernel, kernel, padded[3], 1])), b = toFloat32(random.tensor([padded[3]]))
            let g = Graph()
            let xp = try g.placeholder(.float, shape: [nil, size, size, 16])
            let conv = try g.depthwiseConv2D(g.pad(xp, paddings: pads), filter: g.constant(w), strides: strides, padding: .valid)
            let y = try g.relu6(g.biasAdd(conv, g.constant(b)))
            let run = try runBothWays(g, [y], [xp: x])
            XCTAssertEqual(run.fired, folds ? [paddingRule, epilogueRule] : [epilogueRule], label)
            XCTAssertEqual(run.ops, folds ? ["_FusedDepthwiseConv2dNative"] : ["Pad", "_FusedDepthwiseConv2dNative"], label)
            XCTAssertEqual(run.rewritten[0].shape, run.plain[0].shape, label)
            assertClose(run.rewritten[0].doubleValues, run.plain[0].doubleValues, absolute: 1e-6, relative: 1e-6, label)
            // The oracle: the reference loop over an explicitly zero-padded copy.
            var paddedValues = [Double](repeating: 0, count: padded.reduce(1, *))
            let xv = x.doubleValues
            for n in 0..<2 { for iy in 0..<size { for ix in 0..<size { for c in 0..<16 {
                let target = ((n * padded[1] + iy + pads[1][0]) * padded[2] + ix + pads[2][0]) * padded[3] + c + pads[3][0]
                paddedValues[target] = xv[((n * size + iy) * size + ix) * 16 + c]
            } } } }
            let reference = refDepthwiseConv(Tensor(shape: padded, scalars: paddedValues), w, strides: strides, dilations: (1, 1), padding: .valid)
            let bias = b.doubleValues
            assertClose(run.rewritten[0].doubleValues, reference.values.enumerated().map { min(max($1 + bias[$0 % bias.count], 0), 6) },
                        absolute: 1e-5, relative: 1e-5, label)
        }
    }

    /// The padded value fetched or read elsewhere: the `Pad` stays and the depthwise keeps VALID.
    func testPaddingKeepsFetchedPad() throws {
        var random = TestRandom(seed: 54)
        let x = toFloat32(random.tensor([1, 8, 8, 16])), w = toFloat32(random.tensor([3, 3, 16, 1]))
        let g = Graph()
        let xp = try g.placeholder(.float, shape: [nil, 8, 8, 16])
        let padded = try g.pad(xp, paddings: [[0, 0], [0, 1], [0, 1], [0, 0]])
        let conv = try g.depthwiseConv2D(padded, filter: g.constant(w), strides: (2, 2), padding: .valid)
        let run = try runBothWays(g, [conv, padded], [xp: x])
        XCTAssertEqual(run.fired, [])
        XCTAssertEqual(run.rewritten, run.plain)
    }
}
