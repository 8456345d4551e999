/// ONNX mappings of TensorFlow's NN ops: MatMul, convolutions, pooling, batch normalization.
///
/// TensorFlow's NHWC ops run in ONNX's NCHW: their data input is read in NCHW form and their result
/// is defined in NCHW form (see `ONNXEmitter`). Filters are HWIO in TensorFlow and OIHW in ONNX.
enum ONNXNNMappings {
    static let table: [String: ONNXOpMappings.Mapping] = [
        "MatMul": matMul,
        "BatchMatMulV2": batchMatMul,
        "Conv2D": { e, n in try convolution(e, n, depthwise: false) },
        "DepthwiseConv2dNative": { e, n in try convolution(e, n, depthwise: true) },
        "MaxPool": { e, n in try pool(e, n, "MaxPool") },
        "AvgPool": { e, n in try pool(e, n, "AveragePool") },
        "FusedBatchNorm": batchNorm,
        "FusedBatchNormV2": batchNorm,
        "FusedBatchNormV3": batchNorm,
    ]

    /// `[m, k] · [k, n] → [m, n]`: `MatMul`, or `Gemm` with `transA`/`transB` when an operand is transposed.
    static func matMul(_ e: ONNXEmitter, _ n: Node) throws {
        let ta = n.tfBool("transpose_a") == true, tb = n.tfBool("transpose_b") == true
        let a = try e.input(n, 0), b = try e.input(n, 1)
        if ta || tb {
            e.emit(n, "Gemm", [a, b], ["transA": .int(ta ? 1 : 0), "transB": .int(tb ? 1 : 0)])
        } else {
            e.emit(n, "MatMul", [a, b])
        }
    }

    /// Batched `MatMul`; `adj_x`/`adj_y` transpose the last two dimensions (rank must be known).
    static func batchMatMul(_ e: ONNXEmitter, _ n: Node) throws {
        func operand(_ i: Int, _ adjoint: Bool) throws -> String {
            let x = try e.input(n, i)
            guard adjoint else { return x }
            guard let rank = e.spec(n, i).shape.rank, rank >= 2 else { throw ONNXOpMappings.unsupported(n, "adj_x/adj_y need operands of known rank") }
            let perm = Array(0..<(rank - 2)) + [rank - 1, rank - 2]
            return e.add("Transpose", [x], ["perm": .ints(perm)], hint: n.name)[0]
        }
        e.emit(n, "MatMul", [try operand(0, n.tfBool("adj_x") == true), try operand(1, n.tfBool("adj_y") == true)])
    }

    /// ONNX `pads` `[top, left, bottom, right]` for one window: TensorFlow's SAME puts the odd pixel at
    /// the end (ONNX's SAME_UPPER); nil when SAME meets an unknown spatial size (then `auto_pad` is used).
    static func pads(_ n: Node, input: [Int?], kernel: [Int], strides: [Int], dilations: [Int], channelsLast: Bool) throws -> [Int]? {
        switch n.tfString("padding") ?? "VALID" {
        case "VALID":
            return [0, 0, 0, 0]
        case "EXPLICIT":
            let p = n.tfInts("explicit_paddings") ?? []
            guard p.count == 8 else { throw ONNXOpMappings.unsupported(n, "explicit_paddings must have 8 entries") }
            let (h, w) = channelsLast ? (1, 2) : (2, 3)
            return [p[2 * h], p[2 * w], p[2 * h + 1], p[2 * w + 1]]
        default:
            var begin: [Int] = [], end: [Int] = []
            for k in 0..<2 {
                guard let size = input[k] else { return nil }
                let effective = (kernel[k] - 1) * dilations[k] + 1
                let out = (size + strides[k] - 1) / strides[k]
                let total = Swift.max((out - 1) * strides[k] + effective - size, 0)
                begin.append(total / 2)
                end.append(total - total / 2)
            }
            return begin + end
        }
    }

    /// The (H, W) entries of a 4-element NHWC or NCHW list attribute.
    static func spatial(_ n: Node, _ key: String, channelsLast: Bool) throws -> [Int] {
        guard let v = n.tfInts(key), v.count == 4 else { throw ONNXOpMappings.unsupported(n, "\(key) must have 4 entries") }
        return channelsLast ? [v[1], v[2]] : [v[2], v[3]]
    }

    /// Conv2D and DepthwiseConv2dNative (`Conv` with `group = C`). A constant filter is stored already
    /// in ONNX's layout: Conv2D `[KH, KW, C, F]` → `[F, C, KH, KW]`; depthwise `[KH, KW, C, M]` →
    /// `[C·M, 1, KH, KW]` (output channel `c·M + m`, TensorFlow's order).
    static func convolution(_ e: ONNXEmitter, _ n: Node, depthwise: Bool) throws {
        let channelsLast = (n.tfString("data_format") ?? "NHWC") == "NHWC"
        guard let f = e.spec(n, 1).shape.concrete, f.count == 4 else { throw ONNXOpMappings.unsupported(n, "the filter's shape must be known") }
        // SpaceToBatchND → VALID convolution → BatchToSpaceND is TensorFlow's dilated convolution: one
        // `Conv` dilated by the block on the SpaceToBatchND's input, padded by its paddings.
        let batched = e.spaceToBatch[n.inputs[0].node]
        if let batched { try ONNXArrayMappings.checkBatchedConvolution(e, n, block: batched.block, channelsLast: channelsLast) }
        let x = try batched.map { _ in try e.channelsFirst(e.graph.nodes[n.inputs[0].node], 0) }
            ?? (channelsLast ? try e.channelsFirst(n, 0) : try e.input(n, 0))
        let weights: String
        if let filter = e.constant(n, 1) {
            let oihw = depthwise ? permuted(filter, [2, 3, 0, 1]) : permuted(filter, [3, 2, 0, 1])   // depthwise: [C, M, KH, KW]
            let shape = depthwise ? [f[2] * f[3], 1, f[0], f[1]] : oihw.shape
            weights = e.initializer(try Tensor(dtype: oihw.dtype, shape: shape, bytes: oihw.bytes), hint: n.name + ":weights")
        } else if depthwise {
            let flat = e.add("Reshape", [try e.input(n, 1), e.int64s([f[0], f[1], 1, f[2] * f[3]], hint: n.name + ":shape")], hint: n.name)[0]
            weights = e.add("Transpose", [flat], ["perm": .ints([3, 2, 0, 1])], hint: n.name)[0]
        } else {
            weights = e.add("Transpose", [try e.input(n, 1)], ["perm": .ints([3, 2, 0, 1])], hint: n.name)[0]
        }
        let strides = try spatial(n, "strides", channelsLast: channelsLast)
        let dilations = try batched?.block ?? spatial(n, "dilations", channelsLast: channelsLast)
        let dims = e.spec(n, 0).shape.dims ?? [nil, nil, nil, nil]
        let input = channelsLast ? [dims[1], dims[2]] : [dims[2], dims[3]]
        let padding = try batched.map { b in [b.paddings[0], b.paddings[2], b.paddings[1], b.paddings[3]] }
            ?? pads(n, input: input, kernel: [f[0], f[1]], strides: strides, dilations: dilations, channelsLast: channelsLast)
        // A Conv2D filter whose in-depth divides the input depth is a grouped convolution (ONNX `group`;
        // TF's [KH, KW, C/G, F] permutes to ONNX's [F, C/G, KH, KW] with the same grouping of filters).
        let channels = channelsLast ? dims[3] : dims[1]
        let group = depthwise ? f[2] : channels.map { $0 != f[2] && f[2] > 0 && $0 % f[2] == 0 ? $0 / f[2] : 1 } ?? 1
        let common: KeyValuePairs<String, ONNXAttributeValue> = ["kernel_shape": .ints([f[0], f[1]]), "strides": .ints(strides),
                                                                 "dilations": .ints(dilations), "group": .int(group)]
        var attributes = Array(common)
        attributes.append(padding.map { ("pads", .ints($0)) } ?? ("auto_pad", .string("SAME_UPPER")))
        finish(e, n, "Conv", [x, weights], attributes, channelsLast: channelsLast)
    }

    /// MaxPool → `MaxPool`; AvgPool → `AveragePool` (padding excluded from the average, as TensorFlow does).
    static func pool(_ e: ONNXEmitter, _ n: Node, _ op: String) throws {
        let channelsLast = (n.tfString("data_format") ?? "NHWC") == "NHWC"
        let kernel = try spatial(n, "ksize", channelsLast: channelsLast)
        let strides = try spatial(n, "strides", channelsLast: channelsLast)
        let x = channelsLast ? try e.channelsFirst(n, 0) : try e.input(n, 0)
        let dims = e.spec(n, 0).shape.dims ?? [nil, nil, nil, nil]
        let input = channelsLast ? [dims[1], dims[2]] : [dims[2], dims[3]]
        let padding = try pads(n, input: input, kernel: kernel, strides: strides, dilations: [1, 1], channelsLast: channelsLast)
        var attributes: [(String, ONNXAttributeValue)] = [("kernel_shape", .ints(kernel)), ("strides", .ints(strides))]
        attributes.append(padding.map { ("pads", .ints($0)) } ?? ("auto_pad", .string("SAME_UPPER")))
        if op == "AveragePool" { attributes.append(("count_include_pad", .int(0))) }
        finish(e, n, op, [x], attributes, channelsLast: channelsLast)
    }

    /// Inference batch normalization → `BatchNormalization` (output 0; the batch statistics outputs
    /// exist only in training, which ONNX inference cannot express).
    static func batchNorm(_ e: ONNXEmitter, _ n: Node) throws {
        let channelsLast = (n.tfString("data_format") ?? "NHWC") == "NHWC"
        if n.tfBool("is_training") != false { try trainingBatchNorm(e, n, channelsLast: channelsLast); return }
        let x = channelsLast ? try e.channelsFirst(n, 0) : try e.input(n, 0)
        let inputs = [x] + (try (1...4).map { try e.input(n, $0) })
        finish(e, n, "BatchNormalization", inputs, [("epsilon", .float(n.tfFloat("epsilon") ?? 1e-4))], channelsLast: channelsLast)
        // batch_mean/batch_variance and reserve_space_1/2 pass the given statistics through.
        for (output, input) in [(1, 3), (2, 4), (3, 3), (4, 4)] where output < n.outputs.count && input < n.inputs.count {
            try e.alias(n, output, input: input)
        }
    }

    /// Training-mode batch normalization (NHWC or NDHWC, as TensorGraph's kernel): normalized by the
    /// batch's own mean μ and biased variance σ² over every axis but the last, `(x − μ) / √(σ² + ε) ·
    /// scale + offset`. Outputs 1 and 2 are the moving statistics with the unbiased variance
    /// (`σ² · n / max(n − 1, 1)`, mixed with the given ones by `exponential_avg_factor` f when f ≠ 1),
    /// outputs 3 and 4 are μ and σ²; `reserve_space_3` is not exported.
    static func trainingBatchNorm(_ e: ONNXEmitter, _ n: Node, channelsLast: Bool) throws {
        // TensorFlow checks the rank (4 or 5); an unknown rank is taken as 4.
        let rank = e.spec(n, 0).shape.rank ?? 4
        guard channelsLast, rank == 4 || rank == 5 else { throw ONNXOpMappings.unsupported(n, "training batch norm needs an NHWC or NDHWC input") }
        let axes = Array(0..<(rank - 1))
        let x = try e.input(n, 0)
        func reduceMean(_ v: String, keep: Bool) -> String { e.add("ReduceMean", [v], ["axes": .ints(axes), "keepdims": .int(keep ? 1 : 0)], hint: n.name)[0] }
        func scalar(_ v: Float, _ hint: String) -> String { e.initializer(Tensor(v), hint: n.name + ":" + hint) }
        let mean = reduceMean(x, keep: true)
        let centered = e.add("Sub", [x, mean], hint: n.name)[0]
        let variance = reduceMean(e.add("Mul", [centered, centered], hint: n.name)[0], keep: true)
        let deviation = e.add("Sqrt", [e.add("Add", [variance, scalar(n.tfFloat("epsilon") ?? 1e-4, "epsilon")], hint: n.name)[0]], hint: n.name)[0]
        let scaled = e.add("Mul", [e.add("Div", [centered, deviation], hint: n.name)[0], try e.input(n, 1)], hint: n.name)[0]
        e.emit(n, "Add", [scaled, try e.input(n, 2)])

        let flatAxes = e.int64s(axes, hint: n.name + ":axes")
        let batchMean = e.add("Squeeze", [mean, flatAxes], hint: n.name)[0], batchVariance = e.add("Squeeze", [variance, flatAxes], hint: n.name)[0]
        // n = elements per channel = Size(x) / C, as float; Bessel's factor n / max(n − 1, 1).
        let shape = e.add("Shape", [x], hint: n.name)[0]
        let channels = e.add("Gather", [shape, e.int64s([-1], hint: n.name + ":last", scalar: true)], ["axis": .int(0)], hint: n.name)[0]
        let count = e.add("Cast", [e.add("Div", [e.add("Size", [x], hint: n.name)[0], channels], hint: n.name)[0]],
                          ["to": .int(Int(ONNXDataType.float.rawValue))], hint: n.name)[0]
        let denominator = e.add("Max", [e.add("Sub", [count, scalar(1, "one")], hint: n.name)[0], scalar(1, "floor")], hint: n.name)[0]
        let unbiased = e.add("Mul", [batchVariance, e.add("Div", [count, denominator], hint: n.name)[0]], hint: n.name)[0]
        var moving = [batchMean, unbiased]
        let factor = n.tfFloat("exponential_avg_factor") ?? 1
        if factor != 1 {
            moving = try [(batchMean, 3), (unbiased, 4)].map { value, i in
                let old = e.add("Mul", [try e.input(n, i), scalar(1 - factor, "keep")], hint: n.name)[0]
                return e.add("Add", [old, e.add("Mul", [value, scalar(factor, "factor")], hint: n.name)[0]], hint: n.name)[0]
            }
        }
        for (i, value) in (moving + [batchMean, batchVariance]).enumerated() where i + 1 < n.outputs.count {
            e.define(n, i + 1, native: value)
        }
    }

    /// Adds the node and defines output 0: as the NCHW form of an NHWC op, or natively for NCHW.
    static func finish(_ e: ONNXEmitter, _ n: Node, _ op: String, _ inputs: [String], _ attributes: [(String, ONNXAttributeValue)], channelsLast: Bool) {
        let name = e.fresh(channelsLast ? n.name + ":nchw" : n.name)
        e.nodesAppend(ONNXNode(name: n.name, opType: op, inputs: inputs, outputs: [name], attributes: attributes))
        if channelsLast { e.define(n, channelsFirst: name) } else { e.define(n, native: name) }
    }

    /// `tensor` with its axes permuted (`out.shape[i] = in.shape[perm[i]]`), on raw element bytes.
    static func permuted(_ tensor: Tensor, _ perm: [Int]) -> Tensor {
        let shape = perm.map { tensor.shape[$0] }
        var strides = [Int](repeating: 1, count: tensor.rank)
        for i in stride(from: tensor.rank - 2, through: 0, by: -1) { strides[i] = strides[i + 1] * tensor.shape[i + 1] }
        let size = tensor.dtype.byteCount, source = tensor.bytes
        var out = [UInt8](repeating: 0, count: source.count)
        var index = [Int](repeating: 0, count: tensor.rank)
        for k in 0..<tensor.count {
            var offset = 0
            for (i, p) in perm.enumerated() { offset += index[i] * strides[p] }
            for b in 0..<size { out[k * size + b] = source[offset * size + b] }
            var d = tensor.rank - 1   // advance the output index, last axis fastest
            while d >= 0 {
                index[d] += 1
                if index[d] < shape[d] { break }
                index[d] = 0
                d -= 1
            }
        }
        return (try? Tensor(dtype: tensor.dtype, shape: shape, bytes: out)) ?? tensor
    }
}
