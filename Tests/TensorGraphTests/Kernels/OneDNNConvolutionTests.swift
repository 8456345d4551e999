import TestSupport
import XCTest
@testable import TensorGraph

/// The oneDNN convolution passes (forward with bias and clamp, input gradient, filter gradient) against the
/// plain reference loops, over geometries that stress the layout and padding mapping: one input channel,
/// stride 2, VALID with unread rows, SAME with uneven padding, an odd batch split across workers.
/// Tools/test.sh reruns this with `ONEDNN_MAX_CPU_ISA=AVX2`.
final class OneDNNConvolutionTests: XCTestCase {
    private struct Case {
        let input: [Int], kernel: (Int, Int), strides: (Int, Int), padding: Padding, filters: Int
    }

    private let cases = [
        Case(input: [3, 12, 12, 1], kernel: (5, 5), strides: (1, 1), padding: .same, filters: 16),
        Case(input: [4, 9, 9, 16], kernel: (3, 3), strides: (2, 2), padding: .same, filters: 32),
        Case(input: [2, 10, 11, 8], kernel: (3, 2), strides: (2, 3), padding: .valid, filters: 5),
        Case(input: [5, 7, 7, 12], kernel: (1, 1), strides: (1, 1), padding: .valid, filters: 24),
    ]

    func testPassesMatchReferenceLoops() throws {
        var random = TestRandom(seed: 91)
        for c in cases {
            let g = try XCTUnwrap(WindowGeometry(input: c.input, kernel: c.kernel, strides: c.strides, padding: c.padding))
            let label = "\(c.input) k\(c.kernel) s\(c.strides) \(c.padding) f\(c.filters)"
            let filterShape = [c.kernel.0, c.kernel.1, c.input[3], c.filters]
            let outShape = [g.batch, g.outHeight, g.outWidth, c.filters]
            let x = toFloat32(random.tensor(c.input)), w = toFloat32(random.tensor(filterShape))
            let bias = toFloat32(random.tensor([c.filters], -0.5, 0.5)), dy = toFloat32(random.tensor(outShape))

            // Forward with bias and Relu6 as post-ops.
            let forward = try XCTUnwrap(OneDNNConvolution(.forward, g, filters: c.filters, hasBias: true, activation: .relu6), label)
            let y = Tensor(zeros: .float, shape: outShape)
            XCTAssert(forward.run(x.pointer(Float.self), w.pointer(Float.self), bias: bias.pointer(Float.self), y.pointer(Float.self),
                                  partials: nil), label)
            let b = bias.doubleValues
            let expected = conv2dReference(x.doubleValues, w.doubleValues, g, filters: c.filters).enumerated()
                .map { min(max($1 + b[$0 % c.filters], 0), 6) }
            assertClose(y.doubleValues, expected, absolute: 1e-4, relative: 1e-5, label + " forward (\(forward.implementation))")

            // Input gradient.
            let backward = try XCTUnwrap(OneDNNConvolution(.backwardData, g, filters: c.filters, hasBias: false, activation: .none), label)
            let dx = Tensor(zeros: .float, shape: c.input)
            XCTAssert(backward.run(dy.pointer(Float.self), w.pointer(Float.self), bias: nil, dx.pointer(Float.self), partials: nil), label)
            let dxRef = refConvBackpropInput(c.input, w, dy, strides: c.strides, padding: c.padding).1
            assertClose(dx.doubleValues, dxRef, absolute: 1e-4, relative: 1e-5, label + " input gradient (\(backward.implementation))")

            // Filter gradient: per-worker partial sums added in order.
            let filter = try XCTUnwrap(OneDNNConvolution(.backwardFilter, g, filters: c.filters, hasBias: false, activation: .none), label)
            let dw = Tensor(zeros: .float, shape: filterShape)
            let count = g.patchSize * c.filters
            var partialStorage = [Float](repeating: .nan, count: Swift.max(1, (filter.workers - 1) * count))
            try partialStorage.withUnsafeMutableBufferPointer { p in
                let partials = WorkerBuffers(base: try XCTUnwrap(p.baseAddress), stride: count)
                XCTAssert(filter.run(x.pointer(Float.self), dy.pointer(Float.self), bias: nil, dw.pointer(Float.self), partials: partials), label)
            }
            let dwRef = refConvBackpropFilter(x, filterShape, dy, strides: c.strides, padding: c.padding).1
            assertClose(dw.doubleValues, dwRef, absolute: 1e-3, relative: 1e-5, label + " filter gradient (\(filter.implementation))")
        }
    }

    /// Through a session: a CNN step's convolutions run on oneDNN (batch ≥ workers) and give the same
    /// values, to rounding, as TensorGraph's own kernels, and the same bits on a second run.
    func testSessionPathMatchesOwnKernelsAndIsReproducible() throws {
        var random = TestRandom(seed: 92)
        let x = toFloat32(random.tensor([4, 14, 14, 16])), w = toFloat32(random.tensor([5, 5, 16, 32]))
        let g = Graph()
        let xp = try g.placeholder(.float, shape: [nil, 14, 14, 16])
        let filter = try g.variable(g.constant(w), name: "w")
        let y = try g.relu(g.biasAdd(g.conv2D(xp, filter: filter, padding: .same), g.constant(Tensor(shape: [32], scalars: [Float](repeating: 0.1, count: 32)))))
        let loss = try g.sum(g.square(y))
        let grads = try g.gradients(of: [loss], with: [xp, filter]).map { try XCTUnwrap($0) }
        let session = Session(graph: g)
        try session.run(g.globalVariablesInitializer())
        let first = try session.run([y] + grads, feeding: [xp: x])
        let second = try session.run([y] + grads, feeding: [xp: x])
        for (a, b) in zip(first, second) { XCTAssertEqual(a.scalars(as: Float.self), b.scalars(as: Float.self)) }
        let geometry = try XCTUnwrap(WindowGeometry(input: x.shape, kernel: (5, 5), strides: (1, 1), padding: .same))
        if Parallelism.workers <= 4 {
            XCTAssert(OneDNNConvolution.isChosen(Float.self, .forward, geometry, filters: 32))
        }
        // The reference: the forward against the plain loop; gradients against the brute-force loops.
        let expected = conv2dReference(x.doubleValues, w.doubleValues, geometry, filters: 32).map { max($0 + 0.1, 0) }
        assertClose(first[0].doubleValues, expected, absolute: 1e-4, relative: 1e-5, "forward")
        let dy = Tensor(shape: first[0].shape, scalars: first[0].scalars(as: Float.self).map { 2 * $0 })
        assertClose(first[1].doubleValues, refConvBackpropInput(x.shape, w, dy, strides: (1, 1), padding: .same).1,
                    absolute: 1e-2, relative: 1e-5, "input gradient")
        assertClose(first[2].doubleValues, refConvBackpropFilter(x, w.shape, dy, strides: (1, 1), padding: .same).1,
                    absolute: 1e-2, relative: 1e-5, "filter gradient")
    }

    /// The forward pass keeps its reordered filter while the filter's storage is the same and no variable's:
    /// a constant filter gives the same values every run, and a filter that changes between runs — a variable
    /// updated in place by `AssignAdd`, a new fed tensor, a value computed by an earlier step — is reordered
    /// again each time, so every run matches the reference loop for the filter of that run.
    func testReorderedFilterFollowsFilterChanges() throws {
        var random = TestRandom(seed: 93)
        let x = toFloat32(random.tensor([4, 8, 8, 16])), w = toFloat32(random.tensor([3, 3, 16, 32]))
        let geometry = try XCTUnwrap(WindowGeometry(input: x.shape, kernel: (3, 3), strides: (1, 1), padding: .same))
        let reference = { (w: Tensor) in conv2dReference(x.doubleValues, w.doubleValues, geometry, filters: 32) }
        let g = Graph()
        let xp = try g.placeholder(.float, shape: [nil, 8, 8, 16])
        let wp = try g.placeholder(.float, shape: [3, 3, 16, 32]), scale = try g.placeholder(.float, shape: [])
        let variable = try g.variable(g.constant(w), name: "w")
        let step = try g.assignAdd(variable, g.constant(Tensor(shape: w.shape, scalars: [Float](repeating: 0.25, count: w.count))))
        let byConstant = try g.conv2D(xp, filter: g.constant(w), padding: .same)
        let byVariable = try g.conv2D(xp, filter: variable, padding: .same)
        let byFeed = try g.conv2D(xp, filter: wp, padding: .same)
        let byComputed = try g.conv2D(xp, filter: g.mul(g.constant(w), scale), padding: .same)
        let session = Session(graph: g)
        try session.run(g.globalVariablesInitializer())
        var current = w
        for run in 0..<3 {
            let fed = toFloat32(random.tensor(w.shape)), factor = Float(run + 1)
            let values = try session.run([byConstant, byVariable, byFeed, byComputed], feeding: [xp: x, wp: fed, scale: Tensor(factor)])
            let scaled = Tensor(shape: w.shape, scalars: w.scalars(as: Float.self).map { $0 * factor })
            for (value, (filter, name)) in zip(values, [(w, "constant"), (current, "variable"), (fed, "fed"), (scaled, "computed")]) {
                assertClose(value.doubleValues, reference(filter), absolute: 1e-4, relative: 1e-5, "run \(run): \(name) filter")
            }
            _ = try session.run(step)
            current = Tensor(shape: w.shape, scalars: current.scalars(as: Float.self).map { $0 + 0.25 })
        }
    }
}
