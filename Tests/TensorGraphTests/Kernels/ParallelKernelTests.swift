import Foundation
import Synchronization
import TestSupport
import XCTest
import CKernels
@testable import TensorGraph

/// The parallel and fused paths (large inputs, several workers, MaxPool's argmax reused by MaxPoolGrad)
/// against the plain reference loops; the small conformance cases only reach the serial paths.
final class ParallelKernelTests: XCTestCase {
    func testLargeConvolutionForwardAndGradientsMatchReferences() throws {
        XCTAssertGreaterThanOrEqual(Parallelism.workers, 1)
        var random = TestRandom(seed: 21)
        // Several channels (row-block im2col) and one channel (transposed im2col), stride 1 and 2.
        for (channels, size, strides, padding) in [(8, 14, (1, 1), Padding.same), (1, 28, (1, 1), .same), (1, 31, (2, 2), .valid)] {
            let label = "C=\(channels) \(strides) \(padding)"
            let x = random.tensor([64, size, size, channels]), w = random.tensor([5, 5, channels, 6])
            let geometry = WindowGeometry(input: x.shape, kernel: (5, 5), strides: strides, padding: padding)!
            let g = Graph()
            let xp = try g.placeholder(.double, shape: TensorShape(x.shape)), wp = try g.placeholder(.double, shape: TensorShape(w.shape))
            let y = try g.conv2D(xp, filter: wp, strides: strides, padding: padding)
            XCTAssertGreaterThan(ConvChunks(geometry).count, 1, "\(label): the batch is split into several chunks")
            let dy = random.tensor([64, geometry.outHeight, geometry.outWidth, 6])
            let grads = try g.gradients(of: [y], with: [xp, wp], gradYs: [g.constant(dy)])
            let values = try Session(graph: g).run([y, grads[0]!, grads[1]!], feeding: [xp: x, wp: w])
            assertClose(values[0].doubleValues, conv2dReference(x.doubleValues, w.doubleValues, geometry, filters: 6), absolute: 1e-10, label)
            assertClose(values[1].doubleValues, refConvBackpropInput(x.shape, w, dy, strides: strides, padding: padding).values, absolute: 1e-10, label)
            assertClose(values[2].doubleValues, refConvBackpropFilter(x, w.shape, dy, strides: strides, padding: padding).values, absolute: 1e-9, label)
        }
    }

    /// The direct float32 kernels against the reference loops: forward (with fused bias and relu), input
    /// gradient (the rotated-filter convolution) and filter gradient, for single- and multi-channel
    /// layers, 16 and 32 filters, strides 1 and 2, SAME and VALID, widths that leave partial blocks.
    func testDirectConvolutionKernelsMatchReferences() throws {
        var random = TestRandom(seed: 23)
        for (channels, size, kernel, strides, padding, filters) in [(1, 28, 5, (1, 1), Padding.same, 16), (1, 13, 3, (2, 2), .valid, 32),
                                                                   (1, 11, 5, (2, 1), .same, 16), (16, 14, 5, (1, 1), .same, 32),
                                                                   (8, 9, 3, (1, 1), .valid, 32), (16, 10, 3, (2, 2), .same, 16),
                                                                   (32, 7, 5, (1, 1), .same, 16), (3, 17, 5, (1, 1), .same, 32)] {
            let label = "C=\(channels) \(size)x\(size) k\(kernel) \(strides) \(padding) F=\(filters)"
            let batch = 6
            let x = toFloat32(random.tensor([batch, size, size, channels])), w = toFloat32(random.tensor([kernel, kernel, channels, filters]))
            let bias = toFloat32(random.tensor([filters]))
            let geometry = WindowGeometry(input: x.shape, kernel: (kernel, kernel), strides: strides, padding: padding)!
            let reference = conv2dReference(x.doubleValues, w.doubleValues, geometry, filters: filters)
            let dy = toFloat32(random.tensor([batch, geometry.outHeight, geometry.outWidth, filters]))
            // The C entry point, over two halves of the batch as two workers would run it, with bias and relu6
            // (the clamp to [0, 6]), then in row bands with relu ([0, ∞)).
            var window = geometry.c
            let scratch = Tensor(zeros: .float, shape: [tg_conv2d_direct_scratch(&window, filters)])
            let out = Tensor(zeros: .float, shape: [batch, geometry.outHeight, geometry.outWidth, filters])
            for (first, end) in [(0, 2), (2, batch)] {
                tg_conv2d_direct_f32(x.pointer(Float.self), w.pointer(Float.self), filters, &window, first, end, 0, geometry.outHeight,
                                     bias.pointer(Float.self), 0, 6, out.pointer(Float.self), scratch.pointer(Float.self))
            }
            let b = bias.doubleValues
            assertClose(out.doubleValues, reference.enumerated().map { min(max($1 + b[$0 % filters], 0), 6) }, absolute: 1e-4, relative: 1e-5, label)
            // Bands of output rows, as workers split a single image.
            out.storage.pointer.initializeMemory(as: UInt8.self, repeating: 0, count: out.byteCount)
            let rows = geometry.outHeight
            for (first, end) in [(0, rows / 3), (rows / 3, rows)] {
                tg_conv2d_direct_f32(x.pointer(Float.self), w.pointer(Float.self), filters, &window, 0, batch, first, end,
                                     bias.pointer(Float.self), 0, .infinity, out.pointer(Float.self), scratch.pointer(Float.self))
            }
            assertClose(out.doubleValues, reference.enumerated().map { max($1 + b[$0 % filters], 0) }, absolute: 1e-4, relative: 1e-5,
                        label + " (row bands)")
            // Through a graph: the session picks the direct loops for these float32 layers.
            XCTAssertEqual(ConvolutionAlgorithm.forward(Float.self, geometry, filters: filters), ConvolutionAlgorithm.forced ?? .direct, label)
            let g = Graph()
            let xp = try g.placeholder(.float, shape: TensorShape(x.shape)), wp = try g.placeholder(.float, shape: TensorShape(w.shape))
            let y = try g.conv2D(xp, filter: wp, strides: strides, padding: padding)
            let grads = try g.gradients(of: [y], with: [xp, wp], gradYs: [g.constant(dy)])
            let values = try Session(graph: g).run([y, grads[0]!, grads[1]!], feeding: [xp: x, wp: w])
            assertClose(values[0].doubleValues, reference, absolute: 1e-4, relative: 1e-5, label + " (graph)")
            assertClose(values[1].doubleValues, refConvBackpropInput(x.shape, w, dy, strides: strides, padding: padding).values,
                        absolute: 1e-4, relative: 1e-4, label + " input gradient")
            assertClose(values[2].doubleValues, refConvBackpropFilter(x, w.shape, dy, strides: strides, padding: padding).values,
                        absolute: 1e-4, relative: 1e-4, label + " filter gradient")
        }
    }

    func testFusedMaxPoolGradientMatchesReference() throws {
        var random = TestRandom(seed: 22)
        let x = random.distinctTensor([16, 12, 12, 8], gap: 0.001), dy = random.tensor([16, 6, 6, 8])
        let g = Graph()
        let xp = try g.placeholder(.double, shape: [16, 12, 12, 8])
        let pooled = try g.maxPool(xp, ksize: (2, 2), strides: (2, 2), padding: .valid)
        let dx = try XCTUnwrap(g.gradients(of: [pooled], with: [xp], gradYs: [g.constant(dy)])[0])
        let session = Session(graph: g)
        // Fetching both puts MaxPool and MaxPoolGrad in one plan, so the gradient reuses the argmax.
        let values = try session.run([pooled, dx], feeding: [xp: x])
        let geometry = WindowGeometry(input: x.shape, kernel: (2, 2), strides: (2, 2), padding: .valid)!
        XCTAssertEqual(values[1].doubleValues, maxPoolGradReference(x.doubleValues, geometry, dy.doubleValues))
        XCTAssertEqual(values[0].doubleValues, refPool(x, kernel: (2, 2), strides: (2, 2), padding: .valid, max: true).values)
    }

    func testLargeElementwiseBiasAndMatMul() throws {
        var random = TestRandom(seed: 23)
        let big = toFloat32(random.tensor([300, 400], -4, 4))
        let g = Graph()
        let x = try g.placeholder(.float, shape: [300, 400])
        let t = try g.tanh(x), r = try g.relu(x), b = try g.biasAddGrad(x)
        let m = try g.matMul(x, x, transposeB: true)
        let values = try Session(graph: g).run([t, r, b, m], feeding: [x: big])
        let v = big.doubleValues
        assertClose(values[0].doubleValues, v.map { Foundation.tanh($0) }, absolute: 2e-6, relative: 1e-5, "tanh")
        XCTAssertEqual(values[1].doubleValues, v.map { max($0, 0) })
        assertClose(values[2].doubleValues, refReduce(big, axes: [0]) { $0.reduce(0, +) }.values, absolute: 1e-3, relative: 1e-5, "bias grad")
        assertClose(values[3].doubleValues, refMatMul(big, big, tb: true).values, absolute: 1e-2, relative: 1e-4, "matmul")
    }

    /// Few-row products (batch-1 inference) split the columns across workers, also with transposed operands.
    func testColumnSplitMatMul() throws {
        var random = TestRandom(seed: 24)
        for (ta, tb) in [(false, false), (false, true), (true, false), (true, true)] {
            let a = toFloat32(random.tensor(ta ? [1568, 2] : [2, 1568])), b = toFloat32(random.tensor(tb ? [256, 1568] : [1568, 256]))
            let g = Graph()
            let product = try g.matMul(g.constant(a), g.constant(b), transposeA: ta, transposeB: tb)
            let value = try Session(graph: g).run(product)
            assertClose(value.doubleValues, refMatMul(a, b, ta: ta, tb: tb).values, absolute: 1e-3, relative: 1e-4, "ta \(ta) tb \(tb)")
        }
    }

    func testFastTanhAccuracyAcrossTheRange() {
        var worst: Double = 0
        for i in -100_000...100_000 {
            let x = Float(i) / 10_000
            worst = max(worst, Swift.abs(Double(fastTanh(x)) - Foundation.tanh(Double(x))))
        }
        XCTAssertLessThan(worst, 4e-7, "max abs error of the float32 tanh approximation (a few float32 ulp)")
    }
}

/// The patch-matrix loops against the element-by-element oracles (KernelReferences.swift): float32 runs the C
/// loops, float64 the portable Swift ones; over padding, stride and channel cases.
final class Im2colTests: XCTestCase {
    func testPatchMatrixLoopsMatchReference() {
        var random = TestRandom(seed: 31)
        for (shape, kernel, strides, padding) in [([2, 7, 9, 3], (3, 2), (1, 1), Padding.same), ([3, 8, 8, 16], (5, 5), (1, 1), .same),
                                                  ([2, 9, 7, 2], (3, 3), (2, 2), .valid), ([1, 6, 6, 1], (2, 4), (2, 1), .same)] {
            let g = WindowGeometry(input: shape, kernel: kernel, strides: strides, padding: padding)!
            let x = random.tensor(shape)
            check(Float.self, toFloat32(x), g, "float32 \(shape)")
            check(Double.self, x, g, "float64 \(shape)")
        }
    }

    private func check<T: FloatScalar>(_ type: T.Type, _ x: Tensor, _ g: WindowGeometry, _ label: String) {
        let n = g.outputPositions * g.patchSize
        let fast = UnsafeMutablePointer<T>.allocate(capacity: n), slow = UnsafeMutablePointer<T>.allocate(capacity: n)
        defer { fast.deallocate(); slow.deallocate() }
        im2col(x.pointer(T.self), g, fast)
        im2colReference(x.pointer(T.self), g, slow)
        XCTAssertEqual(Array(UnsafeBufferPointer(start: fast, count: n)), Array(UnsafeBufferPointer(start: slow, count: n)), "im2col \(label)")
        let dxFast = Tensor(zeros: x.dtype, shape: x.shape), dxSlow = Tensor(zeros: x.dtype, shape: x.shape)
        col2im(fast, g, dxFast.pointer(T.self))
        col2imReference(slow, g, dxSlow.pointer(T.self))
        XCTAssertEqual(dxFast.scalars(as: T.self), dxSlow.scalars(as: T.self), "col2im \(label)")
    }
}

/// The worker pool at any width: every share of a launch runs exactly once, with more threads than the
/// machine has cores and than one claim word (32 shares) covers, and with more shares than threads.
final class WorkerPoolTests: XCTestCase {
    /// Pools live as long as the process (their helper threads point back at them), so the tests keep theirs.
    private static let wide = WorkerPool(helpers: 0)
    /// At most 8 threads, so wider launches run as successive rounds.
    private static let narrow = WorkerPool(helpers: 0, capacity: 8)

    /// Counts the runs of each share (atomically, so a share run twice at once still counts twice).
    private struct CountRuns: WorkerJob {
        let runs: UnsafeMutablePointer<Atomic<Int>>
        func run(worker share: Int) { runs[share].add(1, ordering: .relaxed) }
    }

    func testEveryShareRunsExactlyOnceAtAnyWidth() {
        let launches = 50, slots = 128
        for (pool, name) in [(Self.wide, "wide pool"), (Self.narrow, "pool of 8 threads")] {
            for shares in [64, 17, 2, 33, 64] {
                // Slots past `shares` catch a share number out of range.
                let runs = UnsafeMutablePointer<Atomic<Int>>.allocate(capacity: slots)
                for slot in 0..<slots { (runs + slot).initialize(to: Atomic(0)) }
                defer { runs.deinitialize(count: slots); runs.deallocate() }
                for _ in 0..<launches { pool.run(shares, CountRuns(runs: runs)) }
                let counts = (0..<slots).map { runs[$0].load(ordering: .relaxed) }
                XCTAssertEqual(counts, (0..<slots).map { $0 < shares ? launches : 0 }, "\(name), \(shares) shares")
            }
        }
        XCTAssertEqual(Self.wide.helpers, 63, "the wide pool grows to one thread per share")
        XCTAssertEqual(Self.narrow.helpers, 7, "the narrow pool stops at its capacity")
    }
}
