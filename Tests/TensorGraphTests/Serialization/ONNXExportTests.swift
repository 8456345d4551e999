import Foundation
import TestSupport
import XCTest
@testable import TensorGraph

/// ONNX export: structure of the written model (ops, initializers, shapes, layout transposes, errors).
/// The numbers are checked against onnxruntime by `Tools/interop-onnx.py`.
final class ONNXExportTests: XCTestCase {
    func weights(_ shape: [Int], seed: Int = 1) -> Tensor {
        let count = shape.reduce(1, *)
        return Tensor(shape: shape, scalars: (0..<count).map { Float(($0 * 7 + seed) % 13) / 13 - 0.5 })
    }

    /// The seed MLP (784-64 tanh-10, softmax) as a frozen graph.
    func seedMLP() throws -> (Graph, Output, Output) {
        let g = Graph()
        let x = try g.placeholder(.float, shape: [nil, 784], name: "x")
        let w1 = try g.constant(weights([784, 64]), name: "W1"), b1 = try g.constant(weights([64]), name: "b1")
        let w2 = try g.constant(weights([64, 10]), name: "W2"), b2 = try g.constant(weights([10]), name: "b2")
        let probs = try g.softmax(g.matMul(g.tanh(g.matMul(x, g.identity(w1, name: "W1/read")) + b1), w2) + b2, name: "probs")
        return (g, x, probs)
    }

    func testSeedMLPModelHeaderInitializersAndDynamicBatch() throws {
        let (g, x, probs) = try seedMLP()
        let model = try ONNXExport.model(graph: g, inputs: [x], outputs: [probs])
        XCTAssertEqual(model.irVersion, 8)
        XCTAssertEqual(model.opsetVersion, 17)
        XCTAssertEqual(model.producerName, "TensorGraph")
        XCTAssertEqual(model.opTypes, ["MatMul", "Add", "Tanh", "Softmax"])
        XCTAssertEqual(model.nodes.first { $0.opType == "Softmax" }?.attribute("axis"), .int(-1))
        // The Identity of a constant is the constant: one initializer named after the Const node.
        XCTAssertEqual(model.initializers.map(\.name), ["W1", "b1", "W2", "b2"])
        XCTAssertEqual(model.initializer(named: "W1")?.dims, [784, 64])
        XCTAssertEqual(model.initializer(named: "W1")?.rawData, weights([784, 64]).bytes)
        XCTAssertEqual(model.inputs, [ONNXValueInfo(name: "x", elementType: .float, dims: [.param("N"), .value(784)])])
        XCTAssertEqual(model.outputs, [ONNXValueInfo(name: "probs", elementType: .float, dims: [.unknown, .value(10)])])
        // The bytes read back as the same model, and are the same every time.
        let bytes = try model.serialized()
        XCTAssertEqual(try ONNXModel(serialized: bytes), model)
        XCTAssertEqual(try ONNXExport.model(graph: g, inputs: [x], outputs: [probs]).serialized(), bytes)
    }

    /// Conv → BiasAdd → Relu → MaxPool → Conv → AvgPool stays NCHW: one Transpose in, one out.
    func testConvolutionsRunNCHWWithTransposesOnlyAtTheEdges() throws {
        let g = Graph()
        let x = try g.placeholder(.float, shape: [nil, 8, 8, 3], name: "x")
        let f1 = try g.constant(weights([3, 3, 3, 4]), name: "f1")
        let c1 = try g.relu(g.biasAdd(g.conv2D(x, filter: f1, padding: .same), g.constant(weights([4]), name: "b1")))
        let p1 = try g.maxPool(c1, ksize: (2, 2), strides: (2, 2), padding: .valid)
        let d = try g.depthwiseConv2D(p1, filter: g.constant(weights([3, 3, 4, 2]), name: "dw"), strides: (2, 2), padding: .same)
        let y = try g.reshape(g.avgPool(d, ksize: (2, 2), strides: (1, 1), padding: .same), to: [-1, 8], name: "y")
        let model = try ONNXExport.model(graph: g, inputs: [x], outputs: [y])
        XCTAssertEqual(model.nodes.filter { $0.opType == "Transpose" }.map { $0.attribute("perm") }, [.ints([0, 3, 1, 2]), .ints([0, 2, 3, 1])])
        let convs = model.nodes.filter { $0.opType == "Conv" }
        XCTAssertEqual(convs.count, 2)
        XCTAssertEqual(convs[0].attribute("pads"), .ints([1, 1, 1, 1]))
        XCTAssertEqual(convs[0].attribute("group"), .int(1))
        // Depthwise: group = C, weights [C·M, 1, KH, KW]; SAME at stride 2 on 4 pixels pads 0 before, 1 after.
        XCTAssertEqual(convs[1].attribute("group"), .int(4))
        XCTAssertEqual(convs[1].attribute("pads"), .ints([0, 0, 1, 1]))
        XCTAssertEqual(model.initializer(named: convs[1].inputs[1])?.dims, [8, 1, 3, 3])
        // HWIO → OIHW: weight[o, i, h, w] = filter[h, w, i, o].
        let oihw = try XCTUnwrap(model.initializer(named: convs[0].inputs[1]))
        XCTAssertEqual(oihw.dims, [4, 3, 3, 3])
        let filter = weights([3, 3, 3, 4]).scalars(as: Float.self)
        let stored = try Tensor(dtype: .float, shape: oihw.dims, bytes: oihw.rawData).scalars(as: Float.self)
        let (o, i, h, w) = (2, 1, 0, 2)
        let storedIndex = ((o * 3 + i) * 3 + h) * 3 + w, filterIndex = ((h * 3 + w) * 3 + i) * 4 + o
        XCTAssertEqual(stored[storedIndex], filter[filterIndex])
        // The bias broadcasts along NCHW's channel axis.
        let add = try XCTUnwrap(model.nodes.first { $0.opType == "Add" })
        XCTAssertEqual(model.initializer(named: add.inputs[1])?.dims, [4, 1, 1])
        let pool = try XCTUnwrap(model.nodes.first { $0.opType == "AveragePool" })
        XCTAssertEqual(pool.attribute("count_include_pad"), .int(0))
        XCTAssertEqual(pool.attribute("pads"), .ints([0, 0, 1, 1]))
    }

    /// Opset 17: ReduceSum takes its axes as an int64 input, ReduceMean/ReduceMax as an attribute.
    func testReductionAxesFollowOpset17() throws {
        let g = Graph()
        let x = try g.placeholder(.float, shape: [nil, 4, 5], name: "x")
        let s = try g.sum(x, axes: [1], keepDims: true, name: "s")
        let m = try g.mean(x, axes: [1, 2], name: "m")
        let model = try ONNXExport.model(graph: g, inputs: [x], outputs: [s, m])
        let sum = try XCTUnwrap(model.nodes.first { $0.opType == "ReduceSum" })
        XCTAssertEqual(sum.inputs.count, 2)
        XCTAssertEqual(model.initializer(named: sum.inputs[1]).map { ($0.dataType, $0.dims) }?.0, .int64)
        XCTAssertEqual(sum.attribute("keepdims"), .int(1))
        let mean = try XCTUnwrap(model.nodes.first { $0.opType == "ReduceMean" })
        XCTAssertEqual(mean.inputs.count, 1)
        XCTAssertEqual(mean.attribute("axes"), .ints([1, 2]))
        XCTAssertEqual(mean.attribute("keepdims"), .int(0))
    }

    /// Reshape's shape is an int64 initializer; Relu6 is Clip with min/max inputs; a PlaceholderWithDefault
    /// not chosen as an input folds into its consumers, computed once with the graph's kernels.
    func testShapesClipAndFoldedDefaults() throws {
        let g = Graph()
        let x = try g.placeholder(.float, shape: [nil, 6], name: "x")
        let scale = try g.placeholder(default: g.constant(2.0), name: "scale")
        let y = try g.relu6(g.reshape(x * (scale + 1.0), to: [-1, 2, 3]), name: "y")
        let model = try ONNXExport.model(graph: g, inputs: [x], outputs: [y])
        XCTAssertEqual(model.opTypes, ["Mul", "Reshape", "Clip"])
        let reshape = try XCTUnwrap(model.nodes.first { $0.opType == "Reshape" })
        let shape = try XCTUnwrap(model.initializer(named: reshape.inputs[1]))
        XCTAssertEqual(shape.dataType, .int64)
        XCTAssertEqual(try Tensor(dtype: .int64, shape: shape.dims, bytes: shape.rawData).scalars(as: Int64.self), [-1, 2, 3])
        let mul = try XCTUnwrap(model.nodes.first { $0.opType == "Mul" })
        let folded = try XCTUnwrap(model.initializer(named: mul.inputs[1]))
        XCTAssertEqual(try Tensor(dtype: .float, shape: folded.dims, bytes: folded.rawData).scalars(as: Float.self), [3])
        XCTAssertEqual(model.nodes.first { $0.opType == "Clip" }?.inputs.count, 3)
        // Chosen as an input, the default placeholder stays one.
        let fed = try ONNXExport.model(graph: g, inputs: [x, scale], outputs: [y])
        XCTAssertEqual(fed.inputs.map(\.name), ["x", "scale"])
        XCTAssertEqual(fed.opTypes, ["Add", "Mul", "Reshape", "Clip"])
    }

    func testUnmappedOpsAreListedTogether() throws {
        let g = Graph()
        let x = try g.placeholder(.float, shape: [nil, 4], name: "x")
        let a = try g.l2Loss(x, name: "decay")
        let b = try g.l2Loss(g.add(x, a), name: "decay2")
        let ids = try g.constant(Tensor([Int32(0), 1, 0, 1]))
        let segments = try g.unsortedSegmentSum(g.reshape(x, to: [4, -1]), segmentIDs: ids, numSegments: 2, name: "segments")
        let top = try g.add(g.sum(segments), b)
        XCTAssertThrowsError(try ONNXExport.model(graph: g, inputs: [x], outputs: [top])) { error in
            XCTAssertEqual(error as? ONNXExportError, .unmappedOps([.init(opType: "L2Loss", nodes: ["decay", "decay2"]),
                                                                    .init(opType: "UnsortedSegmentSum", nodes: ["segments"])]))
            XCTAssert("\(error)".contains("L2Loss (decay, decay2), UnsortedSegmentSum (segments)"), "\(error)")
        }
    }

    func testInvalidSelectionsAreTypedErrors() throws {
        let (g, x, probs) = try seedMLP()
        XCTAssertThrowsError(try ONNXExport.model(graph: g, inputs: [], outputs: [probs])) { error in
            XCTAssert("\(error)".contains("placeholder 'x'"), "\(error)")
        }
        XCTAssertThrowsError(try ONNXExport.model(graph: g, inputs: [probs], outputs: [probs])) { error in
            XCTAssert("\(error)".contains("not a placeholder"), "\(error)")
        }
        XCTAssertThrowsError(try ONNXExport.model(graph: g, inputs: [x], outputs: [])) { error in
            XCTAssertEqual(error as? ONNXExportError, .invalidSelection("no outputs chosen"))
        }
        // A Transpose whose perm is computed at run time has no ONNX form (perm is an attribute there).
        let h = Graph()
        let y = try h.placeholder(.float, shape: [2, 3], name: "y"), perm = try h.placeholder(.int32, shape: [2], name: "perm")
        let node = try h.addNode(Transpose.self, name: "flip", inputs: [y, perm], attrs: ["T": .type(.float), "Tperm": .type(.int32)])
        XCTAssertThrowsError(try ONNXExport.model(graph: h, inputs: [y, perm], outputs: [Output(graph: h, node: node, index: 0)])) { error in
            XCTAssertEqual(error as? ONNXExportError, .unsupportedNode(op: "Transpose", node: "flip", message: "perm (input 1) must be a constant integer tensor"))
        }
    }

    /// A TensorFlow-built graph of many mapped ops (`Tests/Fixtures/onnx`, from `Tools/interop-onnx.py
    /// fixtures`): the export is still `zoo.onnx` byte for byte (which passed onnx's checker), and the
    /// graph computes what onnxruntime computed from that file.
    func testZooFixtureMatchesOnnxruntime() throws {
        let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Fixtures/onnx").path
        let g = try Graph(contentsOf: fixtures + "/zoo.pb")
        let x = try XCTUnwrap(g.output(named: "x")), out = try XCTUnwrap(g.output(named: "out")), aux = try XCTUnwrap(g.output(named: "aux"))
        let bytes = try ONNXExport.model(graph: g, inputs: [x], outputs: [out, aux]).serialized()
        // (A Bool, not XCTAssertEqual: a mismatch would print both files byte by byte.)
        XCTAssert(bytes == [UInt8](try Data(contentsOf: URL(fileURLWithPath: fixtures + "/zoo.onnx"))),
                       "export changed: if on purpose, rerun Tools/interop-onnx.py fixtures (and check)")
        let results = try Session(graph: g).run([out, aux], feeding: [x: try NPY.read(fixtures + "/x.npy")])
        assertClose(results[0].doubleValues, try NPY.read(fixtures + "/out.npy").doubleValues, absolute: 1e-5, relative: 1e-5, "out")
        assertClose(results[1].doubleValues, try NPY.read(fixtures + "/aux.npy").doubleValues, absolute: 1e-5, relative: 1e-5, "aux")
    }

    /// `graphrun export` writes an ONNX file of the committed CNN and a SavedModel; bad ops fail in one line.
    func testGraphrunExport() throws {
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().path
        let dir = try temporaryDirectory("onnx-export")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let r = try runGraphrun(["export", "Graphs/mnist-cnn.pb", "--to", "onnx", "--output", "\(dir)/cnn.onnx"], in: repository, anchor: ONNXExportTests.self)
        XCTAssertEqual(r.status, 0, r.stderr)
        let model = try ONNXModel(serialized: [UInt8](try Data(contentsOf: URL(fileURLWithPath: "\(dir)/cnn.onnx"))))
        XCTAssertEqual(model.inputs.map(\.name), ["x"])   // `training` keeps its default (false)
        XCTAssertEqual(model.outputs.map(\.name), ["probabilities"])
        XCTAssertEqual(model.nodes.filter { $0.opType == "Transpose" }.count, 2)
        XCTAssertEqual(model.nodes.filter { $0.opType == "Conv" }.count, 2)
        let saved = try runGraphrun(["export", "Graphs/mnist-mlp.pb", "--to", "saved-model", "--output", "\(dir)/mlp", "--input", "x", "--output-node", "probs"],
                                    in: repository, anchor: ONNXExportTests.self)
        XCTAssertEqual(saved.status, 0, saved.stderr)
        XCTAssert(FileManager.default.fileExists(atPath: "\(dir)/mlp/saved_model.pb"))
        let bad = try runGraphrun(["export", "Graphs/mnist-mlp.pb", "--to", "onnx", "--output", "\(dir)/none.onnx", "--output-node", "nope"],
                                  in: repository, anchor: ONNXExportTests.self)
        XCTAssertEqual(bad.status, 1)
        XCTAssert(bad.stderr.contains("no tensor named 'nope'"), bad.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: "\(dir)/none.onnx"))
    }

    /// Keras graphs frozen by TensorFlow (`Tests/Fixtures/Conformance`): dilated convolutions
    /// (SpaceToBatchND → Conv → BatchToSpaceND) become one dilated `Conv`, UpSampling2D bilinear a
    /// half-pixel `Resize`, Conv2DTranspose a `ConvTranspose`, hard-swish's IdentityN nothing at all.
    /// onnxruntime's numbers for these are checked by `Tools/interop-onnx-zoo.py Tests/Fixtures/Conformance`.
    func testKerasFixturesExportDilatedTransposedAndResizedConvolutions() throws {
        let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Fixtures/Conformance").path
        func export(_ name: String) throws -> ONNXModel {
            let g = try Graph(contentsOf: "\(fixtures)/\(name).pb")
            let model = try ONNXExport.model(graph: g, inputs: [try XCTUnwrap(g.output(named: "input"))], outputs: [try XCTUnwrap(g.output(named: "Identity"))])
            XCTAssertEqual(model.inputs.first?.dims?.first, .param("N"), name)
            return model
        }
        let aspp = try export("tiny_aspp")
        let dilated = aspp.nodes.filter { $0.opType == "Conv" && $0.attribute("dilations") != .ints([1, 1]) }
        XCTAssertEqual(dilated.map { $0.attribute("dilations") }, [.ints([2, 2]), .ints([3, 3]), .ints([2, 2]), .ints([2, 2])])
        // SAME at dilation 2 on 30 pixels: TensorFlow pads 2 before, 2 + 1 (to a multiple of the block) after.
        XCTAssertEqual(dilated[0].attribute("pads"), .ints([2, 2, 3, 3]))
        XCTAssertEqual(dilated[2].attribute("group"), .int(8))   // the depthwise one
        let resize = try XCTUnwrap(aspp.nodes.first { $0.opType == "Resize" })
        XCTAssertEqual(resize.attribute("coordinate_transformation_mode"), .string("half_pixel"))
        XCTAssertEqual(resize.attribute("mode"), .string("linear"))
        XCTAssertEqual(resize.inputs.count, 4)   // X, no roi, no scales, sizes [N, C, H, W]
        let unet = try export("tiny_unet")
        let transposed = try XCTUnwrap(unet.nodes.first { $0.opType == "ConvTranspose" })
        XCTAssertEqual(transposed.attribute("strides"), .ints([2, 2]))
        XCTAssertEqual(transposed.attribute("pads"), .ints([0, 0, 1, 1]))
        XCTAssertEqual(transposed.attribute("output_padding"), .ints([0, 0]))
        XCTAssertEqual(unet.initializer(named: transposed.inputs[1])?.dims.count, 4)
        let mobile = try export("tiny_mobile")
        // Squeeze-and-excite and global pooling stay NCHW: only the input's Transpose is written.
        XCTAssertEqual(mobile.nodes.filter { $0.opType == "Transpose" }.count, 1)
    }

    /// Pack is Unsqueeze + Concat; StridedSlice is Slice (masks as open int64 bounds) + Squeeze of
    /// shrunk axes; Tile takes int64 repeats; a SpaceToBatchND not in front of a convolution is a typed error.
    func testPackStridedSliceTileAndSpaceToBatchErrors() throws {
        let g = Graph()
        let x = try g.placeholder(.float, shape: [nil, 4, 6], name: "x")
        let s = try g.stridedSlice(x, begin: [0, 1, 5], end: [0, 3, 0], strides: [1, 1, -2], beginMask: 1, endMask: 5, shrinkAxisMask: 0, name: "s")
        let first = try g.stridedSlice(x, begin: [0, 0], end: [1, 0], strides: [1, 1], endMask: 2, shrinkAxisMask: 1, name: "first")
        let packed = try g.stack([first, first], axis: 1, name: "packed")
        let tiled = try g.tile(s, multiples: [1, 2, 1], name: "tiled")
        let model = try ONNXExport.model(graph: g, inputs: [x], outputs: [tiled, packed])
        func ints(_ name: String) throws -> [Int64] {
            let t = try XCTUnwrap(model.initializer(named: name), name)
            XCTAssertEqual(t.dataType, .int64)
            return try Tensor(dtype: .int64, shape: t.dims, bytes: t.rawData).scalars(as: Int64.self)
        }
        let slices = model.nodes.filter { $0.opType == "Slice" }
        XCTAssertEqual(slices.count, 2)
        XCTAssertEqual(try ints(slices[0].inputs[1]), [0, 1, 5])                  // begin_mask bit 0: from the start
        XCTAssertEqual(try ints(slices[0].inputs[2]), [Int64.max, 3, Int64.min])  // end_mask bits 0 and 2: to the end (backwards at stride -2)
        XCTAssertEqual(try ints(slices[0].inputs[4]), [1, 1, -2])
        XCTAssertEqual(try ints(slices[1].inputs[1]), [0, 0])
        XCTAssertEqual(try ints(slices[1].inputs[2]), [1, Int64.max])
        let squeeze = try XCTUnwrap(model.nodes.first { $0.opType == "Squeeze" })
        XCTAssertEqual(try ints(squeeze.inputs[1]), [0])
        XCTAssertEqual(model.nodes.filter { $0.opType == "Unsqueeze" }.count, 2)
        XCTAssertEqual(model.nodes.first { $0.opType == "Concat" }?.attribute("axis"), .int(1))
        XCTAssertEqual(try ints(try XCTUnwrap(model.nodes.first { $0.opType == "Tile" }).inputs[1]), [1, 2, 1])

        let h = Graph()
        let image = try h.placeholder(.float, shape: [nil, 4, 4, 1], name: "image")
        let batched = try h.spaceToBatchND(image, blockShape: [2, 2], paddings: [[0, 0], [0, 0]], name: "s2b")
        let y = try h.relu(batched, name: "y")
        XCTAssertThrowsError(try ONNXExport.model(graph: h, inputs: [image], outputs: [y])) { error in
            guard case .unsupportedNode(op: "SpaceToBatchND", node: "s2b", let message)? = error as? ONNXExportError else { return XCTFail("\(error)") }
            XCTAssert(message.contains("'y' (Relu)"), message)
        }
    }

    /// Einsum keeps its equation; Erfc is 1 − Erf; NotEqual is Not(Equal); ZerosLike is ConstantOfShape
    /// (not x − x, which would be NaN at infinities).
    func testEinsumErfcNotEqualZerosLike() throws {
        let g = Graph()
        let x = try g.placeholder(.float, shape: [nil, 3, 4], name: "x")
        let w = try g.constant(weights([4, 5]), name: "w")
        let y = try g.einsum("abc,cd->abd", x, w, name: "y")
        let z = try g.erfc(y, name: "z")
        let same = try g.notEqual(z, g.zerosLike(z), name: "same")
        let model = try ONNXExport.model(graph: g, inputs: [x], outputs: [z, same])
        XCTAssertEqual(model.nodes.first { $0.opType == "Einsum" }?.attribute("equation"), .string("abc,cd->abd"))
        XCTAssertEqual(model.opTypes.filter { ["Erf", "Sub", "ConstantOfShape", "Equal", "Not"].contains($0) },
                       ["Erf", "Sub", "ConstantOfShape", "Equal", "Not"])
        let sub = try XCTUnwrap(model.nodes.first { $0.opType == "Sub" })
        XCTAssertEqual(model.initializer(named: sub.inputs[0])?.rawData, Tensor(Float(1)).bytes)
    }
}
