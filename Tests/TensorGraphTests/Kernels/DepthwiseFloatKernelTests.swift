import CKernels
import TestSupport
import XCTest
@testable import TensorGraph

/// The float32, multiplier-1 depthwise forward loop (CKernels/depthwise_conv.c: 16-channel vectors, 4
/// interior pixels at a time, clipped taps at the borders) at every instruction-set level the CPU has,
/// against the float64 reference loops: channel counts under 16, multiples of 16 and in between (the last
/// vector overlaps the one before), strides 1 and 2, dilation, SAME and VALID padding, windows hanging off
/// every edge, and the fused bias + activation epilogue (NaN passes through the clamp).
final class DepthwiseFloatKernelTests: XCTestCase {
    override func tearDown() {
        tg_set_isa_level(-1)
        super.tearDown()
    }

    private let cases: [(channels: Int, size: Int, kernel: Int, strides: (Int, Int), dilations: (Int, Int), padding: Padding)] = [
        (16, 9, 3, (1, 1), (1, 1), .same), (13, 10, 3, (2, 2), (1, 1), .same), (5, 7, 5, (1, 1), (1, 1), .same),
        (24, 11, 3, (1, 1), (2, 2), .valid), (9, 8, 3, (2, 1), (2, 2), .same), (8, 3, 5, (1, 1), (1, 1), .same),
        (40, 14, 3, (1, 1), (1, 1), .same), (32, 13, 3, (2, 2), (1, 1), .same), (17, 12, 5, (1, 2), (1, 1), .valid),
    ]

    func testFloatForwardMatchesReference() throws {
        try forEachInstructionSetLevel { level in
            var random = TestRandom(seed: 41)
            for (channels, size, kernel, strides, dilations, padding) in cases {
                let label = "\(level) C=\(channels) \(size)x\(size) k\(kernel) s\(strides) d\(dilations) \(padding)"
                let x = toFloat32(random.tensor([3, size, size, channels])), w = toFloat32(random.tensor([kernel, kernel, channels, 1]))
                let g = Graph()
                let xp = try g.placeholder(.float, shape: TensorShape(x.shape)), wp = try g.placeholder(.float, shape: TensorShape(w.shape))
                let y = try g.depthwiseConv2D(xp, filter: wp, strides: strides, padding: padding, dilations: dilations)
                let value = try Session(graph: g).run([y], feeding: [xp: x, wp: w])[0]
                XCTAssertEqual(value.dtype, .float, label)
                let reference = refDepthwiseConv(x, w, strides: strides, dilations: dilations, padding: padding)
                XCTAssertEqual(value.shape, reference.shape, label)
                assertClose(value.doubleValues, reference.values, absolute: 1e-5, relative: 1e-5, label)
            }
        }
    }

    /// The kernel called directly with a bias and each activation: clamp(conv + bias) per element, and a NaN
    /// input reaches exactly the outputs whose windows read it, as NaN (the clamp does not swallow it).
    func testFusedEpilogueMatchesReference() throws {
        try forEachInstructionSetLevel { level in
            var random = TestRandom(seed: 42)
            for (channels, size, kernel, strides, dilations, padding) in cases {
                for activation in FusedActivation.allCases {
                    let label = "\(level) C=\(channels) \(size)x\(size) s\(strides) \(padding) \(activation)"
                    var x = toFloat32(random.tensor([2, size, size, channels], -3, 3))
                    let w = toFloat32(random.tensor([kernel, kernel, channels, 1])), b = toFloat32(random.tensor([channels]))
                    let g = try XCTUnwrap(DepthwiseGeometry(input: x.shape, kernel: (kernel, kernel), multiplier: 1, strides: strides,
                                                            dilations: dilations, padding: padding))
                    // A NaN in the last channel of a pixel that output (1, 1) reads (its first tap inside the image).
                    let first = { (o: Int, s: Int, d: Int, pad: Int) in stride(from: o * s - pad, to: o * s - pad + kernel * d, by: d).first { $0 >= 0 }! }
                    let iy = first(1, strides.0, dilations.0, g.window.padTop), ix = first(1, strides.1, dilations.1, g.window.padLeft)
                    var values = x.scalars(as: Float.self)
                    values[(iy * size + ix) * channels + channels - 1] = .nan
                    x = Tensor(shape: x.shape, scalars: values)
                    var out = [Float](repeating: -1, count: g.outputShape.reduce(1, *))
                    values.withUnsafeBufferPointer { xb in
                        w.scalars(as: Float.self).withUnsafeBufferPointer { wb in
                            b.scalars(as: Float.self).withUnsafeBufferPointer { bb in
                                out.withUnsafeMutableBufferPointer { ob in
                                    depthwiseConv2DForward(xb.baseAddress!, wb.baseAddress!, g, ob.baseAddress!, bias: bb.baseAddress!,
                                                           activation: activation)
                                }
                            }
                        }
                    }
                    let bias = b.doubleValues
                    let reference = refDepthwiseConv(x, w, strides: strides, dilations: dilations, padding: padding)
                    let expected = reference.values.enumerated().map { i, v in
                        v.isNaN ? v : Double(activation.apply(Float(v + bias[i % channels])))
                    }
                    XCTAssertEqual(out.map(\.isNaN), expected.map(\.isNaN), label)
                    XCTAssert(expected.contains { $0.isNaN }, label)
                    assertClose(out.map { $0.isNaN ? 0 : Double($0) }, expected.map { $0.isNaN ? 0 : $0 }, absolute: 1e-5, relative: 1e-5, label)
                }
            }
        }
    }
}
