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
        "Einsum": einsum,
        "Slice": slice,
        // TensorFlow's [k, rank] int64 coordinates of the true (nonzero) elements; NonZero gives [rank, k].
        "Where": { e, n in e.emit(n, "Transpose", [e.add("NonZero", [try e.input(n, 0)], hint: n.name)[0]], ["perm": .ints([1, 0])]) },
        "Size": { e, n in try count(e, n, e.add("Size", [try e.input(n, 0)], hint: n.name)[0]) },
        "Rank": { e, n in try count(e, n, e.add("Size", [e.add("Shape", [try e.input(n, 0)], hint: n.name)[0]], hint: n.name)[0]) },
        "Select": select,
        // ONNX cannot fail a run on NaN or infinity: in an exported inference model the check is dropped.
        "CheckNumerics": { e, n in try e.alias(n) },
        "NotEqual": { e, n in e.emit(n, "Not", [e.add("Equal", [try e.input(n, 0), try e.input(n, 1)], hint: n.name)[0]]) },
        // ConstantOfShape of a float 1, cast to x's dtype (not x / x, which is NaN at 0).
        "OnesLike": { e, n in
            let one = ONNXTensor(name: "", Tensor(shape: [1], scalars: [Float(1)]))
            let ones = e.add("ConstantOfShape", [e.add("Shape", [try e.input(n, 0)], hint: n.name)[0]], ["value": .tensor(one)], hint: n.name)[0]
            e.emit(n, "Cast", [ones], ["to": .int(Int(ONNXDataType(e.spec(n, 0).dtype).rawValue))])
        },
        // ConstantOfShape, not x - x (which is NaN where x is infinite or NaN).
        "ZerosLike": { e, n in
            let zero = ONNXTensor(name: "", Tensor(zeros: e.spec(n, 0).dtype, shape: [1]))
            e.emit(n, "ConstantOfShape", [e.add("Shape", [try e.input(n, 0)], hint: n.name)[0]], ["value": .tensor(zero)])
        },
    ]

    /// Einsum keeps its equation. An output subscript repeated (TensorFlow's gradient of a diagonal,
    /// `ai->aii`), which ONNX's Einsum rejects, gets a fresh letter and an identity-matrix operand tying
    /// the two (`ai,ij->aij`), its size read from an input that has the letter.
    static func einsum(_ e: ONNXEmitter, _ n: Node) throws {
        guard let equation = n.tfString("equation") else { throw ONNXOpMappings.unsupported(n, "no equation") }
        guard let arrow = equation.range(of: "->") else {   // implicit output: no repeated letters possible
            e.emit(n, "Einsum", try n.inputs.indices.map { try e.input(n, $0) }, ["equation": .string(equation)])
            return
        }
        var terms = equation[..<arrow.lowerBound].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        var output = String(equation[arrow.upperBound...])
        var inputs = try n.inputs.indices.map { try e.input(n, $0) }
        var unused = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ").filter { !equation.contains($0) }
        var seen = Set<Character>(), rewritten = ""
        for letter in output {
            guard letter.isLetter, seen.contains(letter) else { seen.insert(letter); rewritten.append(letter); continue }
            guard let fresh = unused.popLast(),
                  let (k, term) = terms.enumerated().first(where: { $0.element.contains(letter) }).map({ ($0.offset, $0.element) }) else {
                throw ONNXOpMappings.unsupported(n, "repeated output subscript '\(letter)' not found in an input")
            }
            // The letter's axis: counted from the start before an ellipsis, from the end after it.
            let parts = term.components(separatedBy: "...")
            let axis = parts[0].contains(letter) ? Array(parts[0]).firstIndex(of: letter)! : Array(parts[1]).firstIndex(of: letter)! - parts[1].count
            let shape = e.add("Shape", [inputs[k]], hint: n.name)[0]
            let size = e.add("Gather", [shape, e.int64s([axis], hint: n.name + ":axis")], ["axis": .int(0)], hint: n.name)[0]
            let square = e.add("Concat", [size, size], ["axis": .int(0)], hint: n.name)[0]
            let zero = ONNXTensor(name: "", Tensor(zeros: e.spec(n, 0).dtype, shape: [1]))
            inputs.append(e.add("EyeLike", [e.add("ConstantOfShape", [square], ["value": .tensor(zero)], hint: n.name)[0]], hint: n.name)[0])
            terms.append(String([letter, fresh]))
            rewritten.append(fresh)
        }
        output = rewritten
        e.emit(n, "Einsum", inputs, ["equation": .string(terms.joined(separator: ",") + "->" + output)])
    }

    /// An int64 count as TensorFlow's `out_type` (int32 by default; `Rank` is always int32).
    static func count(_ e: ONNXEmitter, _ n: Node, _ value: String) throws {
        if n.tfType("out_type") == .int64 { e.emit(n, "Identity", [value]) } else { e.emit(n, "Cast", [value], ["to": .int(Int(ONNXDataType.int32.rawValue))]) }
    }

    /// TF's `Slice(input, begin, size)` → ONNX `Slice` with `ends = begin + size`, or to the end where
    /// size is −1 (run-time values allowed; begin's length must be known).
    static func slice(_ e: ONNXEmitter, _ n: Node) throws {
        guard let dims = e.spec(n, 1).shape.dims, dims.count == 1, let count = dims[0] else { throw ONNXOpMappings.unsupported(n, "begin's length must be known") }
        let begin = try e.int64Input(n, 1), size = try e.int64Input(n, 2)
        let open = e.add("Equal", [size, e.int64s([-1], hint: n.name + ":minus1")], hint: n.name)[0]
        let ends = e.add("Where", [open, e.int64s([end], hint: n.name + ":end"), e.add("Add", [begin, size], hint: n.name)[0]], hint: n.name)[0]
        e.emit(n, "Slice", [try e.input(n, 0), begin, ends, e.int64s(Array(0..<count), hint: n.name + ":axes")])
    }

    /// TF1's `Select`: `Where` when the condition has the values' shape (or is a scalar); a vector
    /// condition picks whole rows of higher-rank values, so it is reshaped to `[n, 1, ...]` first.
    static func select(_ e: ONNXEmitter, _ n: Node) throws {
        var condition = try e.input(n, 0)
        let conditionRank = e.spec(n, 0).shape.rank, valueRank = e.spec(n, 1).shape.rank
        if conditionRank == 1, valueRank.map({ $0 > 1 }) ?? true {
            guard let valueRank else { throw ONNXOpMappings.unsupported(n, "a vector condition needs the values' rank") }
            condition = e.add("Reshape", [condition, e.int64s([-1] + [Int](repeating: 1, count: valueRank - 1), hint: n.name + ":rows")], hint: n.name)[0]
        }
        e.emit(n, "Where", [condition, try e.input(n, 1), try e.input(n, 2)])
    }

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
        guard e.constant(n, 1) != nil, e.constant(n, 2) != nil else { try runtimeStridedSlice(e, n); return }
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

    /// `StridedSlice` with `begin`/`end` computed at run time (e.g. `x[i]` in a loop) and constant
    /// strides: the bounds are cast to int64 and the masks applied with `Where` on constant masks
    /// (masked begins/ends become open bounds; a shrunk axis ends at `begin + 1`, or at the end for −1).
    static func runtimeStridedSlice(_ e: ONNXEmitter, _ n: Node) throws {
        let strides = try e.constantInts(n, 3, what: "strides")
        guard !strides.contains(0) else { throw ONNXOpMappings.unsupported(n, "strides must be nonzero") }
        let count = strides.count
        let beginMask = n.tfInt("begin_mask") ?? 0, endMask = n.tfInt("end_mask") ?? 0, shrink = n.tfInt("shrink_axis_mask") ?? 0
        func bits(_ mask: Int) -> Tensor { Tensor((0..<count).map { mask >> $0 & 1 == 1 }) }
        func masked(_ value: String, _ mask: Int, open: [Int], _ hint: String) -> String {
            guard mask & ((1 << count) - 1) != 0 else { return value }
            let condition = e.initializer(bits(mask), hint: n.name + ":\(hint)mask")
            return e.add("Where", [condition, e.int64s(open, hint: n.name + ":\(hint)open"), value], hint: n.name)[0]
        }
        let begin = masked(try e.int64Input(n, 1), beginMask & ~shrink, open: strides.map { $0 > 0 ? 0 : end }, "begin")
        var stop = masked(try e.int64Input(n, 2), endMask & ~shrink, open: strides.map { $0 > 0 ? end : start }, "end")
        if shrink != 0 {
            let next = e.add("Add", [begin, e.int64s([1], hint: n.name + ":one")], hint: n.name)[0]
            let last = e.add("Equal", [begin, e.int64s([-1], hint: n.name + ":minus1")], hint: n.name)[0]
            let shrunkEnd = e.add("Where", [last, e.int64s([end], hint: n.name + ":open"), next], hint: n.name)[0]
            stop = e.add("Where", [e.initializer(bits(shrink), hint: n.name + ":shrinkmask"), shrunkEnd, stop], hint: n.name)[0]
        }
        let steps = (0..<count).map { shrink >> $0 & 1 == 1 ? 1 : strides[$0] }
        let inputs = [try e.input(n, 0), begin, stop, e.int64s(Array(0..<count), hint: n.name + ":axes"), e.int64s(steps, hint: n.name + ":steps")]
        let squeezed = (0..<count).filter { shrink >> $0 & 1 == 1 }
        guard (n.tfInt("ellipsis_mask") ?? 0) == 0, (n.tfInt("new_axis_mask") ?? 0) == 0 else {
            throw ONNXOpMappings.unsupported(n, "ellipsis_mask and new_axis_mask must be 0")
        }
        if squeezed.isEmpty {
            e.emit(n, "Slice", inputs)
        } else {
            e.emit(n, "Squeeze", [e.add("Slice", inputs, hint: n.name)[0], e.int64s(squeezed, hint: n.name + ":squeeze")])
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
