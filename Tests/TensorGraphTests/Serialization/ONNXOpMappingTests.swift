import Foundation
import TestSupport
import XCTest
@testable import TensorGraph

/// ONNX export of the math, split and selection ops (`ONNXMathMappings`, `ONNXSplitMappings`): the
/// structure that carries TensorFlow's semantics (sign conventions, open bounds, index fixes). The
/// numbers are checked against onnxruntime and TensorFlow by `Tools/interop-onnx-seq.py`
/// (v1_elementwise, v1_logic_reduce, v1_array, v1_one_hot_axis).
final class ONNXOpMappingTests: XCTestCase {
    func ints(_ model: ONNXModel, _ name: String) throws -> [Int64] {
        let t = try XCTUnwrap(model.initializer(named: name), name)
        XCTAssertEqual(t.dataType, .int64, name)
        return try Tensor(dtype: .int64, shape: t.dims, bytes: t.rawData).scalars(as: Int64.self)
    }

    /// Float FloorMod is C fmod (ONNX requires `fmod = 1` for floats) corrected by `Where` to the
    /// divisor's sign; integer FloorMod is `Mod` with `fmod = 0`; integer FloorDiv divides exactly
    /// after subtracting that remainder (ONNX's integer Div truncates); float FloorDiv is Floor(Div).
    func testFloorModAndFloorDivFollowTensorFlowSigns() throws {
        let g = Graph()
        let x = try g.placeholder(.float, shape: [nil, 3], name: "x"), y = try g.placeholder(.float, shape: [nil, 3], name: "y")
        let i = try g.placeholder(.int32, shape: [nil], name: "i"), j = try g.placeholder(.int32, shape: [nil], name: "j")
        let fm = try g.floorMod(x, y, name: "fm"), im = try g.floorMod(i, j, name: "im")
        let fd = try g.floorDiv(x, y, name: "fd"), id = try g.floorDiv(i, j, name: "id")
        let model = try ONNXExport.model(graph: g, inputs: [x, y, i, j], outputs: [fm, im, fd, id])
        let mods = model.nodes.filter { $0.opType == "Mod" }
        XCTAssertEqual(mods.map { $0.attribute("fmod") }, [.int(1), .int(0), .int(0)])   // fm, im, id's remainder
        XCTAssertEqual(mods[0].inputs, ["x", "y"])
        let fix = try XCTUnwrap(model.nodes.first { $0.outputs == ["fm"] })
        XCTAssertEqual(fix.opType, "Where")
        XCTAssertEqual(fix.inputs[2], mods[0].outputs[0])   // unchanged where no correction is needed
        XCTAssertEqual(model.nodes.first { $0.outputs == ["im"] }?.opType, "Mod")
        XCTAssertEqual(model.nodes.first { $0.outputs == ["fd"] }?.opType, "Floor")
        let exact = try XCTUnwrap(model.nodes.first { $0.outputs == ["id"] })
        XCTAssertEqual(exact.opType, "Div")
        XCTAssertEqual(model.nodes.first { $0.outputs == [exact.inputs[0]] }?.opType, "Sub")
    }

    /// All/Any are ReduceMin/ReduceMax of the input cast to int32 (opset 17 reduces no booleans);
    /// Cumsum keeps exclusive/reverse; Expm1 and Log1p are Exp − 1 and Log(1 + x).
    func testBooleanReductionsCumsumExpm1Log1p() throws {
        let g = Graph()
        let x = try g.placeholder(.float, shape: [nil, 4], name: "x")
        let positive = try g.greater(x, g.constant(Float(0)), name: "positive")
        let all = try g.all(positive, axes: [1], name: "all"), any = try g.any(positive, axes: [0], keepDims: true, name: "any")
        let running = try g.cumsum(x, axis: 1, exclusive: true, reverse: true, name: "running")
        let curved = try g.log1p(g.expm1(running), name: "curved")
        let model = try ONNXExport.model(graph: g, inputs: [x], outputs: [all, any, curved])
        let min = try XCTUnwrap(model.nodes.first { $0.opType == "ReduceMin" })
        XCTAssertEqual(min.attribute("axes"), .ints([1]))
        XCTAssertEqual(min.attribute("keepdims"), .int(0))
        XCTAssertEqual(model.nodes.first { $0.opType == "ReduceMax" }?.attribute("keepdims"), .int(1))
        XCTAssertEqual(model.nodes.first { $0.outputs == ["all"] }?.attribute("to"), .int(Int(ONNXDataType.bool.rawValue)))
        let cumsum = try XCTUnwrap(model.nodes.first { $0.opType == "CumSum" })
        XCTAssertEqual(cumsum.attribute("exclusive"), .int(1))
        XCTAssertEqual(cumsum.attribute("reverse"), .int(1))
        XCTAssertEqual(model.nodes.first { $0.outputs == ["curved"] }?.opType, "Log")
        XCTAssertEqual(Array(model.opTypes.filter { ["Exp", "Sub", "Add", "Log"].contains($0) }), ["Exp", "Sub", "Add", "Log"])
    }

    /// Split/Unpack give explicit int64 sizes (onnxruntime merges sizeless Splits of one value);
    /// ReverseV2 is a Slice stepping −1 on each axis; Fill is Expand; TopKV2 casts ONNX's int64 indices.
    func testSplitUnpackReverseFillTopK() throws {
        let g = Graph()
        let x = try g.placeholder(.float, shape: [nil, 6, 4], name: "x")
        let parts = try g.split(x, numSplits: 3, axis: 1, name: "thirds")
        let rows = try g.unstack(x, axis: 1, name: "rows")
        let flipped = try g.reverse(x, axes: [1, 2], name: "flipped")
        let value = try g.placeholder(.float, shape: [], name: "value")
        let filled = try g.fill(dims: g.constant(Tensor([Int32(2), 3])), value: value, name: "filled")
        let top = try g.topK(x, k: 2, name: "top")
        let model = try ONNXExport.model(graph: g, inputs: [x, value], outputs: [parts[2], rows[5], flipped, filled, top.indices])
        let splits = model.nodes.filter { $0.opType == "Split" }
        XCTAssertEqual(splits.map(\.outputs.count), [3, 6])
        XCTAssertEqual(try ints(model, splits[0].inputs[1]), [2, 2, 2])
        XCTAssertEqual(try ints(model, splits[1].inputs[1]), [1, 1, 1, 1, 1, 1])
        XCTAssertEqual(model.nodes.filter { $0.opType == "Squeeze" }.count, 6)
        let reverse = try XCTUnwrap(model.nodes.first { $0.outputs == ["flipped"] })
        XCTAssertEqual(reverse.opType, "Slice")
        XCTAssertEqual(try ints(model, reverse.inputs[1]), [-1, -1])
        XCTAssertEqual(try ints(model, reverse.inputs[2]), [Int64.min, Int64.min])
        XCTAssertEqual(try ints(model, reverse.inputs[3]), [1, 2])
        XCTAssertEqual(try ints(model, reverse.inputs[4]), [-1, -1])
        XCTAssertEqual(model.nodes.first { $0.outputs == ["filled"] }?.opType, "Expand")
        let topK = try XCTUnwrap(model.nodes.first { $0.opType == "TopK" })
        XCTAssertEqual(topK.attribute("sorted"), .int(1))
        XCTAssertEqual(topK.attribute("largest"), .int(1))
        let cast = try XCTUnwrap(model.nodes.first { $0.outputs == ["top:1"] })
        XCTAssertEqual(cast.opType, "Cast")
        XCTAssertEqual(cast.inputs, [topK.outputs[1]])
        XCTAssertEqual(model.outputs.last?.elementType, .int32)
    }

    /// OneHot: negative indices are replaced by `depth` (TensorFlow gives them an all-off row, ONNX
    /// would count them from the end); values are `[off, on]`; the axis is kept.
    func testOneHotMovesNegativeIndicesOutOfRange() throws {
        let g = Graph()
        let ids = try g.placeholder(.int32, shape: [nil, 3], name: "ids")
        let y = try g.oneHot(ids, depth: 5, onValue: 2, offValue: -1, axis: 1, name: "y")
        let model = try ONNXExport.model(graph: g, inputs: [ids], outputs: [y])
        let oneHot = try XCTUnwrap(model.nodes.first { $0.opType == "OneHot" })
        XCTAssertEqual(oneHot.attribute("axis"), .int(1))
        let fixed = try XCTUnwrap(model.nodes.first { $0.outputs == [oneHot.inputs[0]] })
        XCTAssertEqual(fixed.opType, "Where")
        XCTAssertEqual(fixed.inputs[1], oneHot.inputs[1])   // negative → depth
        XCTAssertEqual(fixed.inputs[2], "ids")
        XCTAssertEqual(model.nodes.first { $0.outputs == [oneHot.inputs[2]] }?.opType, "Concat")
    }

    /// MirrorPad SYMMETRIC (ONNX's reflect skips the edge): per padded axis, the reversed first and last
    /// elements concatenated around the value.
    func testSymmetricMirrorPad() throws {
        let g = Graph()
        let x = try g.placeholder(.float, shape: [nil, 5, 4], name: "x")
        let y = try g.pad(x, paddings: [[0, 0], [2, 3], [1, 0]], mode: .symmetric, name: "y")
        let model = try ONNXExport.model(graph: g, inputs: [x], outputs: [y])
        XCTAssertFalse(model.opTypes.contains("Pad"))
        let concats = model.nodes.filter { $0.opType == "Concat" }
        XCTAssertEqual(concats.map { $0.attribute("axis") }, [.int(1), .int(2)])
        XCTAssertEqual(concats.map(\.inputs.count), [3, 2])   // axis 2 pads only before
        let slices = model.nodes.filter { $0.opType == "Slice" }
        XCTAssertEqual(try slices.map { try ints(model, $0.inputs[1]) }, [[1], [-1], [0]])     // starts
        XCTAssertEqual(try slices.map { try ints(model, $0.inputs[2]) }, [[Int64.min], [-4], [Int64.min]])   // ends
    }

    /// A StridedSlice whose begin is computed (x[i] in a loop) slices with run-time int64 bounds; the
    /// shrunk axis ends at begin + 1, or at the end when begin is −1.
    func testRuntimeStridedSlice() throws {
        let g = Graph()
        let x = try g.placeholder(.float, shape: [nil, 3], name: "x"), i = try g.placeholder(.int32, shape: [], name: "i")
        let begin = try g.stack([i, g.constant(Int32(0))], axis: 0), end = try g.stack([g.add(i, g.constant(Int32(1))), g.constant(Int32(0))], axis: 0)
        let node = try g.addNode(StridedSlice.self, name: "row", inputs: [x, begin, end, g.constant(Tensor([Int32(1), 1]))],
                                 attrs: ["T": .type(.float), "Index": .type(.int32), "end_mask": .int(2), "shrink_axis_mask": .int(1)])
        let row = Output(graph: g, node: node, index: 0)
        let model = try ONNXExport.model(graph: g, inputs: [x, i], outputs: [row])
        let slice = try XCTUnwrap(model.nodes.first { $0.opType == "Slice" })
        XCTAssertNil(model.initializer(named: slice.inputs[1]))   // computed, not constant
        XCTAssertEqual(model.nodes.first { $0.outputs == [slice.inputs[2]] }?.opType, "Where")   // the shrink fix
        XCTAssertEqual(model.nodes.first { $0.outputs == ["row"] }?.opType, "Squeeze")
    }

    /// Gradient-graph ops: BroadcastGradientArgs finds the size-1 axes with NonZero at run time, the
    /// Sum over them takes its axes as an input; BandPart is Trilu (lower side k = −num_lower);
    /// DynamicStitch scatters into zeros; an Einsum output letter repeated (`ai->aii`) gets an EyeLike operand.
    func testGradientOpsBandPartStitchAndRepeatedEinsumLetters() throws {
        let g = Graph()
        let x = try g.placeholder(.float, shape: [nil, 3], name: "x"), b = try g.placeholder(.float, shape: [3], name: "b")
        let args = try g.addNode(BroadcastGradientArgs.self, name: "args", inputs: [g.shape(of: x), g.constant(Tensor([Int32(3)]))], attrs: ["T": .type(.int32)])
        let sum = try g.addNode(Sum.self, name: "reduced", inputs: [g.add(x, b), Output(graph: g, node: args, index: 1)],
                                attrs: ["T": .type(.float), "Tidx": .type(.int32)])
        let reduced = Output(graph: g, node: sum, index: 0)
        let m = try g.placeholder(.float, shape: [nil, 4, 4], name: "m")
        let band = try g.bandPart(m, numLower: 1, numUpper: 0, name: "band")
        let diagonal = try g.einsum("ai->aii", x, name: "diagonal")
        let stitched = try g.dynamicStitch(indices: [g.constant(Tensor([Int32(1), 0])), g.constant(Tensor([Int32(2)]))],
                                           data: [g.stridedSlice(b, begin: [0], end: [2], strides: [1]), g.stridedSlice(b, begin: [2], end: [3], strides: [1])],
                                           name: "stitched")
        let model = try ONNXExport.model(graph: g, inputs: [x, b, m], outputs: [reduced, band, diagonal, stitched])
        XCTAssert(model.opTypes.contains("NonZero"), "\(model.opTypes)")
        let sums = model.nodes.filter { $0.opType == "ReduceSum" && $0.inputs.count == 2 }
        XCTAssert(sums.contains { model.initializer(named: $0.inputs[1]) == nil }, "a ReduceSum with run-time axes")
        let trilu = model.nodes.filter { $0.opType == "Trilu" }
        XCTAssertEqual(trilu.map { $0.attribute("upper") }, [.int(0), .int(1)])
        XCTAssertEqual(try trilu.map { try ints(model, $0.inputs[1]) }, [[0], [-1]])
        let einsum = try XCTUnwrap(model.nodes.first { $0.outputs == ["diagonal"] })
        guard case .string(let equation)? = einsum.attribute("equation") else { return XCTFail("no equation") }
        XCTAssertEqual(einsum.inputs.count, 2)
        XCTAssert(equation.hasPrefix("ai,i") && equation.count == 10 && Set(equation.suffix(3)).count == 3, equation)
        XCTAssertEqual(model.nodes.first { $0.outputs == [einsum.inputs[1]] }?.opType, "EyeLike")
        XCTAssertEqual(model.nodes.first { $0.outputs == ["stitched"] }?.opType, "ScatterND")
    }

    /// TF's Slice ends at begin + size, open where size is −1; Size/Rank are int64 counts cast to
    /// int32; TF1's Select with a vector condition on a matrix reshapes the condition to a column.
    func testSliceSizeRankAndRowSelect() throws {
        let g = Graph()
        let x = try g.placeholder(.float, shape: [nil, 4], name: "x")
        let part = try g.slice(x, begin: [0, 1], size: [-1, 2], name: "part")
        let count = try g.add(g.size(of: x), g.rank(of: x), name: "count")
        let positive = try g.placeholder(.bool, shape: [nil], name: "positive")
        let picked = try g.select(positive, x, g.neg(x), name: "picked")
        let model = try ONNXExport.model(graph: g, inputs: [x, positive], outputs: [part, count, picked])
        let slice = try XCTUnwrap(model.nodes.first { $0.outputs == ["part"] })
        XCTAssertEqual(slice.opType, "Slice")
        XCTAssertEqual(model.nodes.first { $0.outputs == [slice.inputs[2]] }?.opType, "Where")   // size −1 → open end
        XCTAssertEqual(try ints(model, slice.inputs[3]), [0, 1])
        XCTAssertEqual(model.nodes.filter { $0.opType == "Size" }.count, 2)
        let select = try XCTUnwrap(model.nodes.first { $0.outputs == ["picked"] })
        XCTAssertEqual(select.opType, "Where")
        let column = try XCTUnwrap(model.nodes.first { $0.outputs == [select.inputs[0]] })
        XCTAssertEqual(column.opType, "Reshape")
        XCTAssertEqual(try ints(model, column.inputs[1]), [-1, 1])
    }
}

