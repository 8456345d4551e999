/// ONNX mappings of TensorFlow's array and image ops: Pack, StridedSlice, Tile, IdentityN, the
/// resizes, transposed convolution and the SpaceToBatchND / BatchToSpaceND pair of dilated convolutions.
enum ONNXArrayMappings {
    static let table: [String: ONNXOpMappings.Mapping] = [
        "IdentityN": { e, n in for i in n.inputs.indices { try e.alias(n, i) } },
        "Pack": pack,
        "StridedSlice": stridedSlice,
        "Tile": { e, n in e.emit(n, "Tile", [try e.input(n, 0), try e.int64Input(n, 1)]) },
        "ResizeBilinear": { e, n in try resize(e, n, linear: true) },
        "ResizeNearestNeighbor": { e, n in try resize(e, n, linear: false) },
        "Conv2DBackpropInput": transposedConvolution,
        "SpaceToBatchND": spaceToBatch,
        "BatchToSpaceND": batchToSpace,
        "Einsum": { e, n in
            guard let equation = n.tfString("equation") else { throw ONNXOpMappings.unsupported(n, "no equation") }
            e.emit(n, "Einsum", try n.inputs.indices.map { try e.input(n, $0) }, ["equation": .string(equation)])
        },
        "NotEqual": { e, n in e.emit(n, "Not", [e.add("Equal", [try e.input(n, 0), try e.input(n, 1)], hint: n.name)[0]]) },
        // ConstantOfShape, not x - x (which is NaN where x is infinite or NaN).
        "ZerosLike": { e, n in
            let zero = ONNXTensor(name: "", Tensor(zeros: e.spec(n, 0).dtype, shape: [1]))
            e.emit(n, "ConstantOfShape", [e.add("Shape", [try e.input(n, 0)], hint: n.name)[0]], ["value": .tensor(zero)])
        },
    ]

    /// ONNX's "to the end" for a `Slice` bound (INT64_MAX / INT64_MIN clamp to the dimension).
    static let end = Int(Int64.max), start = Int(Int64.min)

    /// `Pack` along `axis`: each input unsqueezed at `axis` (the same axis of the output rank), then concatenated.
    static func pack(_ e: ONNXEmitter, _ n: Node) throws {
        let axis = n.tfInt("axis") ?? 0
        let axes = e.int64s([axis], hint: n.name + ":axes")
        let parts = try n.inputs.indices.map { e.add("Unsqueeze", [try e.input(n, $0), axes], hint: n.name)[0] }
        e.emit(n, "Concat", parts, ["axis": .int(axis)])
    }

    /// `StridedSlice` with constant begin/end/strides → `Slice` (begin/end masks become open bounds),
    /// then `Squeeze` of the shrunk axes. Ellipsis and new axes are not exported.
    static func stridedSlice(_ e: ONNXEmitter, _ n: Node) throws {
        guard (n.tfInt("ellipsis_mask") ?? 0) == 0, (n.tfInt("new_axis_mask") ?? 0) == 0 else {
            throw ONNXOpMappings.unsupported(n, "ellipsis_mask and new_axis_mask must be 0")
        }
        let begin = try e.constantInts(n, 1, what: "begin"), stop = try e.constantInts(n, 2, what: "end")
        let strides = try e.constantInts(n, 3, what: "strides")
        guard begin.count == stop.count, begin.count == strides.count, !strides.contains(0) else {
            throw ONNXOpMappings.unsupported(n, "begin, end and strides must have one nonzero entry per sliced axis")
        }
        let beginMask = n.tfInt("begin_mask") ?? 0, endMask = n.tfInt("end_mask") ?? 0, shrink = n.tfInt("shrink_axis_mask") ?? 0
        var starts: [Int] = [], ends: [Int] = [], steps: [Int] = [], squeezed: [Int] = []
        for i in begin.indices {
            if shrink >> i & 1 == 1 {
                // One element at `begin` (TensorFlow ignores the masks and stride of a shrunk axis).
                starts.append(begin[i]); ends.append(begin[i] == -1 ? end : begin[i] + 1); steps.append(1); squeezed.append(i)
                continue
            }
            let forward = strides[i] > 0
            starts.append(beginMask >> i & 1 == 1 ? (forward ? 0 : end) : begin[i])
            ends.append(endMask >> i & 1 == 1 ? (forward ? end : start) : stop[i])
            steps.append(strides[i])
        }
        let inputs = [try e.input(n, 0), e.int64s(starts, hint: n.name + ":starts"), e.int64s(ends, hint: n.name + ":ends"),
                      e.int64s(Array(begin.indices), hint: n.name + ":axes"), e.int64s(steps, hint: n.name + ":steps")]
        if squeezed.isEmpty {
            e.emit(n, "Slice", inputs)
        } else {
            let sliced = e.add("Slice", inputs, hint: n.name)[0]
            e.emit(n, "Squeeze", [sliced, e.int64s(squeezed, hint: n.name + ":squeeze")])
        }
    }

    /// ResizeBilinear / ResizeNearestNeighbor (NHWC) → `Resize` in NCHW to sizes `[N, C] + size`, with
    /// TensorFlow's coordinate mapping: align_corners, half_pixel_centers (bilinear: `half_pixel`;
    /// nearest: `half_pixel` rounding halves up), or neither (`asymmetric`, floor).
    static func resize(_ e: ONNXEmitter, _ n: Node, linear: Bool) throws {
        let align = n.tfBool("align_corners") == true, half = n.tfBool("half_pixel_centers") == true
        guard !(align && half) else { throw ONNXOpMappings.unsupported(n, "align_corners and half_pixel_centers are both set") }
        let x = try e.channelsFirst(n, 0)
        let batchAndChannels = e.add("Slice", [e.add("Shape", [x], hint: n.name)[0], e.int64s([0], hint: n.name + ":zero"),
                                               e.int64s([2], hint: n.name + ":two")], hint: n.name)[0]
        let sizes = e.add("Concat", [batchAndChannels, try e.int64Input(n, 1)], ["axis": .int(0)], hint: n.name)[0]
        var attributes: [(String, ONNXAttributeValue)] = [("mode", .string(linear ? "linear" : "nearest"))]
        // TensorFlow's half-pixel nearest is floor((x + 0.5) / scale) = round_prefer_ceil of ONNX's
        // half_pixel (x + 0.5) / scale - 0.5 (ONNX's tf_half_pixel_for_nn says the same but is deprecated).
        let transform = align ? "align_corners" : half ? "half_pixel" : "asymmetric"
        attributes.append(("coordinate_transformation_mode", .string(transform)))
        if !linear { attributes.append(("nearest_mode", .string(align || half ? "round_prefer_ceil" : "floor"))) }
        ONNXNNMappings.finish(e, n, "Resize", [x, "", "", sizes], attributes, channelsLast: true)
    }

    /// Conv2DBackpropInput (transposed convolution) with a constant HWIO filter → `ConvTranspose`:
    /// the filter `[KH, KW, out, in]` permutes to ONNX's `[in, out, KH, KW]`; the result's spatial size
    /// (from the node's inferred shape) fixes the pads of the forward convolution and `output_padding`.
    static func transposedConvolution(_ e: ONNXEmitter, _ n: Node) throws {
        guard (n.tfString("data_format") ?? "NHWC") == "NHWC" else { throw ONNXOpMappings.unsupported(n, "data_format must be NHWC") }
        guard let filter = e.constant(n, 1), filter.rank == 4 else { throw ONNXOpMappings.unsupported(n, "the filter must be a constant of rank 4") }
        guard let size = resultSize(e, n) else { throw ONNXOpMappings.unsupported(n, "input_sizes must give a constant height and width") }
        let (h, w) = size, f = filter.shape
        let strides = try ONNXNNMappings.spatial(n, "strides", channelsLast: true)
        let dilations = try ONNXNNMappings.spatial(n, "dilations", channelsLast: true)
        guard let padding = try ONNXNNMappings.pads(n, input: [h, w], kernel: [f[0], f[1]], strides: strides, dilations: dilations, channelsLast: true) else {
            throw ONNXOpMappings.unsupported(n, "SAME padding needs the result's spatial size")
        }
        // out_backprop's size is the forward convolution's output size of the result (TensorFlow checks it).
        let sizes = [h, w], known = e.spec(n, 2).shape.dims ?? []
        let sources = (0..<2).map { (k: Int) -> Int in
            if known.count == 4, let d = known[k + 1] { return d }
            let span = (f[k] - 1) * dilations[k] + 1
            return (sizes[k] + padding[k] + padding[k + 2] - span) / strides[k] + 1
        }
        let outputPadding = (0..<2).map { (k: Int) -> Int in
            let span: Int = (f[k] - 1) * dilations[k] + 1
            let natural: Int = strides[k] * (sources[k] - 1) + span - padding[k] - padding[k + 2]
            return sizes[k] - natural
        }
        guard outputPadding.allSatisfy({ $0 >= 0 && $0 < 64 }) else { throw ONNXOpMappings.unsupported(n, "input_sizes do not fit the filter and strides") }
        let weights = e.initializer(ONNXNNMappings.permuted(filter, [3, 2, 0, 1]), hint: n.name + ":weights")
        let attributes: [(String, ONNXAttributeValue)] = [("kernel_shape", .ints([f[0], f[1]])), ("strides", .ints(strides)),
                                                          ("dilations", .ints(dilations)), ("pads", .ints(padding)),
                                                          ("output_padding", .ints(outputPadding))]
        ONNXNNMappings.finish(e, n, "ConvTranspose", [try e.channelsFirst(n, 2), weights], attributes, channelsLast: true)
    }

    /// The height and width Conv2DBackpropInput's `input_sizes` asks for: constant, or a `Pack` (Keras
    /// packs the run-time batch with constant height, width and depth), or the inferred result shape.
    static func resultSize(_ e: ONNXEmitter, _ n: Node) -> (Int, Int)? {
        if let sizes = e.constant(n, 0), sizes.count == 4 { return (Int(sizes.doubleValues[1]), Int(sizes.doubleValues[2])) }
        let producer = e.graph.nodes[n.inputs[0].node]
        if producer.opName == "Pack", producer.inputs.count == 4, (producer.tfInt("axis") ?? 0) == 0,
           let h = e.constant(producer, 1), let w = e.constant(producer, 2), h.count == 1, w.count == 1 {
            return (Int(h.doubleValues[0]), Int(w.doubleValues[0]))
        }
        guard let dims = n.outputs[0].shape.dims, dims.count == 4, let h = dims[1], let w = dims[2] else { return nil }
        return (h, w)
    }

    /// SpaceToBatchND of a 4-D NHWC value read only by convolutions: recorded, not written (the
    /// convolutions dilate instead); anything else reading it is a typed error.
    static func spaceToBatch(_ e: ONNXEmitter, _ n: Node) throws {
        let block = try e.constantInts(n, 1, what: "block_shape"), paddings = try e.constantInts(n, 2, what: "paddings")
        guard block.count == 2, paddings.count == 4, e.spec(n, 0).shape.rank == 4 else {
            throw ONNXOpMappings.unsupported(n, "only a 2-D block of a rank-4 NHWC input (a dilated convolution) is exported")
        }
        for c in e.consumers(of: n.id) where !["Conv2D", "DepthwiseConv2dNative"].contains(c.opName) {
            throw ONNXOpMappings.unsupported(n, "exported only as part of a dilated convolution, but '\(c.name)' (\(c.opName)) reads it")
        }
        e.spaceToBatch[n.id] = (block, paddings)
    }

    /// Checks that convolution `n` on a SpaceToBatchND value is TensorFlow's dilated-convolution form
    /// (NHWC, VALID, stride 1, no own dilation, read only by BatchToSpaceND) and records it.
    static func checkBatchedConvolution(_ e: ONNXEmitter, _ n: Node, block: [Int], channelsLast: Bool) throws {
        let plain = channelsLast && (n.tfString("padding") ?? "VALID") == "VALID"
            && (n.tfInts("strides") ?? [1, 1, 1, 1]) == [1, 1, 1, 1] && (n.tfInts("dilations") ?? [1, 1, 1, 1]) == [1, 1, 1, 1]
        guard plain else { throw ONNXOpMappings.unsupported(n, "a convolution of a SpaceToBatchND value must be NHWC, VALID, stride 1, dilation 1") }
        for c in e.consumers(of: n.id) where c.opName != "BatchToSpaceND" {
            throw ONNXOpMappings.unsupported(n, "a convolution of a SpaceToBatchND value is read by '\(c.name)' (\(c.opName)), not BatchToSpaceND")
        }
        e.batchedConvolutions[n.id] = block
    }

    /// BatchToSpaceND after a dilated convolution: the convolution's result cropped by `crops` (a
    /// `Slice` of the spatial axes in NCHW, nothing when the crops are 0).
    static func batchToSpace(_ e: ONNXEmitter, _ n: Node) throws {
        let block = try e.constantInts(n, 1, what: "block_shape"), crops = try e.constantInts(n, 2, what: "crops")
        guard let convolved = e.batchedConvolutions[n.inputs[0].node], convolved == block, crops.count == 4 else {
            throw ONNXOpMappings.unsupported(n, "exported only after a convolution of a SpaceToBatchND value with the same block shape")
        }
        let x = try e.channelsFirst(n, 0)
        guard crops.contains(where: { $0 != 0 }) else { e.define(n, channelsFirst: x); return }
        let inputs = [x, e.int64s([crops[0], crops[2]], hint: n.name + ":starts"),
                      e.int64s([crops[1] > 0 ? -crops[1] : end, crops[3] > 0 ? -crops[3] : end], hint: n.name + ":ends"),
                      e.int64s([2, 3], hint: n.name + ":axes")]
        ONNXNNMappings.finish(e, n, "Slice", inputs, [], channelsLast: true)
    }
}
