/// TensorFlow op → ONNX (opset 17) mappings: one entry per TensorFlow op type, the one list of what
/// `ONNXExport` can write. The tables merged here by family: NN ops (`ONNXNNMappings`), array and image
/// ops (`ONNXArrayMappings`), math ops without one ONNX operator (`ONNXMathMappings`), split/reverse/
/// select (`ONNXSplitMappings`), control flow and TensorLists (`ONNXControlFlowMappings`), TF1
/// TensorArrays (`ONNXTensorArrayMappings`), gradient-graph ops (`ONNXGradientMappings`).
enum ONNXOpMappings {
    /// Writes the ONNX nodes computing `node`'s outputs.
    typealias Mapping = @Sendable (ONNXEmitter, Node) throws -> Void

    static let table: [String: Mapping] = {
        var t: [String: Mapping] = [
            "Identity": { e, n in try e.alias(n) },
            "Snapshot": { e, n in try e.alias(n) },
            "StopGradient": { e, n in try e.alias(n) },
            "PlaceholderWithDefault": { e, n in try e.alias(n) },
            "Relu6": relu6,
            "Rsqrt": { e, n in
                let root = e.add("Sqrt", [try e.input(n, 0)], hint: n.name)[0]
                e.emit(n, "Reciprocal", [root])
            },
            "Square": { e, n in let x = try e.input(n, 0); e.emit(n, "Mul", [x, x]) },
            "SquaredDifference": { e, n in
                let d = e.add("Sub", [try e.input(n, 0), try e.input(n, 1)], hint: n.name)[0]
                e.emit(n, "Mul", [d, d])
            },
            "LeakyRelu": { e, n in try unary(e, n, "LeakyRelu", ["alpha": .float(n.tfFloat("alpha") ?? 0.2)]) },
            "Elu": { e, n in try unary(e, n, "Elu", ["alpha": .float(1)]) },
            // TensorFlow's constants, which are also ONNX's defaults (in float32).
            "Selu": { e, n in try unary(e, n, "Selu", ["alpha": .float(1.6732632423543772), "gamma": .float(1.0507009873554805)]) },
            "Softmax": { e, n in e.emit(n, "Softmax", [try e.input(n, 0)], ["axis": .int(-1)]) },
            "LogSoftmax": { e, n in e.emit(n, "LogSoftmax", [try e.input(n, 0)], ["axis": .int(-1)]) },
            "BiasAdd": biasAdd,
            "AddN": { e, n in e.emit(n, "Sum", try n.inputs.indices.map { try e.input(n, $0) }) },
            "Cast": { e, n in e.emit(n, "Cast", [try e.input(n, 0)], ["to": .int(Int(ONNXDataType(n.tfType("DstT") ?? .float).rawValue))]) },
            "Shape": { e, n in
                let shape = e.add("Shape", [try e.input(n, 0)], hint: n.name)[0]
                if n.tfType("out_type") == .int64 { e.define(n, native: shape) } else { e.emit(n, "Cast", [shape], ["to": .int(Int(ONNXDataType.int32.rawValue))]) }
            },
            "Erfc": erfc,
            "Reshape": { e, n in
                // [N, C] → [N, 1, 1, C] (squeeze-and-excite) is [N, C, 1, 1] in NCHW: no Transpose for the convolution after it.
                if let to = e.constant(n, 1).map({ $0.doubleValues.map { Int($0) } }), to.count == 4, to[1] == 1, to[2] == 1, to[3] > 0,
                   e.spec(n, 0).shape.rank == 2, to[0] == -1 || to[0] > 0 {
                    let shape = e.int64s([to[0], to[3], 1, 1], hint: n.name + ":nchw-shape")
                    e.define(n, channelsFirst: e.add("Reshape", [try e.input(n, 0), shape], outputs: [e.fresh(n.name + ":nchw")], hint: n.name)[0])
                    return
                }
                let shape = try e.int64Input(n, 1)
                let zeros = e.constant(n, 1).map { $0.doubleValues.contains(0) } ?? true
                // TensorFlow's 0 is a dimension of size 0; ONNX's is "copy the input's" unless allowzero.
                e.emit(n, "Reshape", [try e.input(n, 0), shape], zeros ? ["allowzero": .int(1)] : [:])
            },
            "Squeeze": { e, n in
                let axes = n.tfInts("squeeze_dims") ?? []
                e.emit(n, "Squeeze", axes.isEmpty ? [try e.input(n, 0)] : [try e.input(n, 0), e.int64s(axes, hint: n.name + ":axes")])
            },
            "ExpandDims": { e, n in
                let axis = try e.constantInts(n, 1, what: "axis")
                e.emit(n, "Unsqueeze", [try e.input(n, 0), e.int64s(axis, hint: n.name + ":axes")])
            },
            "ConcatV2": concat,
            "Transpose": transpose,
            "GatherV2": { e, n in
                guard (n.tfInt("batch_dims") ?? 0) == 0 else { throw unsupported(n, "batch_dims other than 0") }
                let axis = try e.constantInts(n, 2, what: "axis")
                e.emit(n, "Gather", [try e.input(n, 0), try e.input(n, 1)], ["axis": .int(axis.first ?? 0)])
            },
            "Pad": { e, n in try pad(e, n, mode: "constant") },
            "PadV2": { e, n in try pad(e, n, mode: "constant") },
            "MirrorPad": { e, n in
                switch n.tfString("mode") {
                case "REFLECT": try pad(e, n, mode: "reflect")
                case "SYMMETRIC": try ONNXSplitMappings.symmetricPad(e, n)
                default: throw unsupported(n, "mode \(n.tfString("mode") ?? "?") (REFLECT or SYMMETRIC)")
                }
            },
            "Sum": { e, n in try reduce(e, n, "ReduceSum") },
            "Mean": { e, n in try reduce(e, n, "ReduceMean") },
            "Max": { e, n in try reduce(e, n, "ReduceMax") },
            "Min": { e, n in try reduce(e, n, "ReduceMin") },
            "Prod": { e, n in try reduce(e, n, "ReduceProd") },
            "ArgMax": { e, n in try argReduce(e, n, "ArgMax") },
            "ArgMin": { e, n in try argReduce(e, n, "ArgMin") },
            "RandomUniform": { e, n in
                let zero = ONNXTensor(name: "", Tensor(zeros: n.tfType("dtype") ?? .float, shape: [1]))
                let filled = e.add("ConstantOfShape", [try e.int64Input(n, 0)], ["value": .tensor(zero)], hint: n.name)[0]
                e.emit(n, "RandomUniformLike", [filled], ["dtype": .int(Int(ONNXDataType(n.tfType("dtype") ?? .float).rawValue))])
            },
        ]
        for (tf, onnx) in [("Relu", "Relu"), ("Tanh", "Tanh"), ("Sigmoid", "Sigmoid"), ("Exp", "Exp"), ("Log", "Log"), ("Sqrt", "Sqrt"),
                           ("Erf", "Erf"), ("Neg", "Neg"), ("Abs", "Abs"), ("Softplus", "Softplus"), ("Softsign", "Softsign"),
                           ("Reciprocal", "Reciprocal"), ("Floor", "Floor"), ("Ceil", "Ceil"), ("Sign", "Sign"), ("Sin", "Sin"),
                           ("Cos", "Cos"), ("LogicalNot", "Not"), ("Round", "Round")] {   // both round half to even
            t[tf] = { e, n in try unary(e, n, onnx) }
        }
        for (tf, onnx) in [("AddV2", "Add"), ("Sub", "Sub"), ("Mul", "Mul"), ("RealDiv", "Div"), ("Maximum", "Max"),
                           ("Minimum", "Min"), ("Pow", "Pow"), ("Greater", "Greater"), ("GreaterEqual", "GreaterOrEqual"),
                           ("Less", "Less"), ("LessEqual", "LessOrEqual"), ("Equal", "Equal"), ("LogicalAnd", "And"),
                           ("LogicalOr", "Or")] {
            t[tf] = { e, n in try binary(e, n, onnx) }
        }
        t["SelectV2"] = { e, n in e.emit(n, "Where", try (0..<3).map { try e.input(n, $0) }) }
        for (key, value) in ONNXNNMappings.table { t[key] = value }
        for (key, value) in ONNXArrayMappings.table { t[key] = value }
        for (key, value) in ONNXMathMappings.table { t[key] = value }
        for (key, value) in ONNXSplitMappings.table { t[key] = value }
        for (key, value) in ONNXControlFlowMappings.table { t[key] = value }
        for (key, value) in ONNXTensorArrayMappings.table { t[key] = value }
        for (key, value) in ONNXGradientMappings.table { t[key] = value }
        return t
    }()

    static func unsupported(_ n: Node, _ message: String) -> ONNXExportError {
        .unsupportedNode(op: n.opName, node: n.name, message: message)
    }

    /// An elementwise op of one input: computed in the layout its input is held in.
    static func unary(_ e: ONNXEmitter, _ n: Node, _ op: String, _ attributes: KeyValuePairs<String, ONNXAttributeValue> = [:]) throws {
        if e.isChannelsFirst(n, 0) {
            e.define(n, channelsFirst: e.add(op, [try e.channelsFirst(n, 0)], attributes, outputs: [e.fresh(n.name + ":nchw")], hint: n.name)[0])
        } else {
            e.emit(n, op, [try e.input(n, 0)], attributes)
        }
    }

    /// A broadcasting op of two inputs: in NCHW when both are held so, or one is and the other is a
    /// single element (which broadcasts the same in either layout) or a constant of rank ≤ 4 (stored
    /// transposed to NCHW, e.g. a per-channel `[C]` scale as `[1, C, 1, 1]`).
    static func binary(_ e: ONNXEmitter, _ n: Node, _ op: String) throws {
        let held = [e.isChannelsFirst(n, 0), e.isChannelsFirst(n, 1)]
        func single(_ i: Int) -> Bool { e.spec(n, i).shape.elementCount == 1 }
        func smallConstant(_ i: Int) -> Tensor? { e.constant(n, i).flatMap { $0.rank <= 4 ? $0 : nil } }
        func operand(_ i: Int) throws -> String {
            if held[i] { return try e.channelsFirst(n, i) }
            guard !single(i), let t = smallConstant(i) else { return try e.input(n, i) }
            let padded = try Tensor(dtype: t.dtype, shape: [Int](repeating: 1, count: 4 - t.rank) + t.shape, bytes: t.bytes)
            return e.initializer(ONNXNNMappings.permuted(padded, [0, 3, 1, 2]), hint: "\(n.name):\(i):nchw")
        }
        if held.contains(true), (0..<2).allSatisfy({ held[$0] || single($0) || smallConstant($0) != nil }) {
            let x = try operand(0), y = try operand(1)
            e.define(n, channelsFirst: e.add(op, [x, y], outputs: [e.fresh(n.name + ":nchw")], hint: n.name)[0])
        } else {
            e.emit(n, op, [try e.input(n, 0), try e.input(n, 1)])
        }
    }

    /// Erfc is `1 - Erf(x)` (ONNX has no Erfc), in the layout its input is held in; the absolute error
    /// stays that of Erf (float32 rounding near 1e-7), the relative one grows where erfc(x) is tiny.
    static func erfc(_ e: ONNXEmitter, _ n: Node) throws {
        let dtype = e.spec(n, 0).dtype
        let one = e.initializer(dtype == .double ? Tensor(Double(1)) : Tensor(Float(1)), hint: n.name + ":one")
        let channelsFirst = e.isChannelsFirst(n, 0)
        let erf = e.add("Erf", [channelsFirst ? try e.channelsFirst(n, 0) : try e.input(n, 0)], hint: n.name)[0]
        if channelsFirst {
            e.define(n, channelsFirst: e.add("Sub", [one, erf], outputs: [e.fresh(n.name + ":nchw")], hint: n.name)[0])
        } else {
            e.emit(n, "Sub", [one, erf])
        }
    }

    /// Relu6 is `Clip(x, 0, 6)`, with min and max as scalar inputs of x's dtype.
    static func relu6(_ e: ONNXEmitter, _ n: Node) throws {
        let dtype = e.spec(n, 0).dtype
        let bounds = dtype == .double ? [Tensor(Double(0)), Tensor(Double(6))] : [Tensor(Float(0)), Tensor(Float(6))]
        let low = e.initializer(bounds[0], hint: n.name + ":min"), high = e.initializer(bounds[1], hint: n.name + ":max")
        if e.isChannelsFirst(n, 0) {
            e.define(n, channelsFirst: e.add("Clip", [try e.channelsFirst(n, 0), low, high], outputs: [e.fresh(n.name + ":nchw")], hint: n.name)[0])
        } else {
            e.emit(n, "Clip", [try e.input(n, 0), low, high])
        }
    }

    /// `BiasAdd`: `Add` along the channel axis; on an NCHW value (or `data_format: NCHW`) the bias is
    /// reshaped to `[C, 1, 1]` so it broadcasts along axis 1.
    static func biasAdd(_ e: ONNXEmitter, _ n: Node) throws {
        let rank = e.spec(n, 0).shape.rank
        let nchwFormat = n.tfString("data_format") == "NCHW"
        let channelsFirst = !nchwFormat && rank == 4 && e.isChannelsFirst(n, 0)
        guard nchwFormat || channelsFirst else { e.emit(n, "Add", [try e.input(n, 0), try e.input(n, 1)]); return }
        guard let rank else { throw unsupported(n, "NCHW bias add needs the input's rank") }
        let trailing = [Int](repeating: 1, count: rank - 2)
        let bias: String
        if let b = e.constant(n, 1) {
            bias = e.initializer(try Tensor(dtype: b.dtype, shape: [b.count] + trailing, bytes: b.bytes), hint: n.name + ":bias")
        } else {
            bias = e.add("Reshape", [try e.input(n, 1), e.int64s([-1] + trailing, hint: n.name + ":shape")], hint: n.name)[0]
        }
        if channelsFirst {
            e.define(n, channelsFirst: e.add("Add", [try e.channelsFirst(n, 0), bias], outputs: [e.fresh(n.name + ":nchw")], hint: n.name)[0])
        } else {
            e.emit(n, "Add", [try e.input(n, 0), bias])
        }
    }

    /// `Transpose` with a constant `perm`. NHWC→NCHW of a value held as NCHW is that value; NCHW→NHWC
    /// is recorded as the NCHW form of its result, so transposes that undo each other are not written.
    static func transpose(_ e: ONNXEmitter, _ n: Node) throws {
        let perm = try e.constantInts(n, 1, what: "perm")
        if perm == [0, 3, 1, 2], e.isChannelsFirst(n, 0) {
            e.define(n, native: try e.channelsFirst(n, 0))
        } else if perm == [0, 2, 3, 1] {
            e.define(n, channelsFirst: try e.input(n, 0))
        } else {
            e.emit(n, "Transpose", [try e.input(n, 0)], ["perm": .ints(perm)])
        }
    }

    /// Pad/PadV2/MirrorPad: TensorFlow's `[rank, 2]` paddings become ONNX's `[begins..., ends...]`,
    /// in NCHW order when the input is held as NCHW (padding commutes with the transpose).
    static func pad(_ e: ONNXEmitter, _ n: Node, mode: String) throws {
        let p = try e.constantInts(n, 1, what: "paddings")
        let rank = p.count / 2
        let channelsFirst = rank == 4 && e.isChannelsFirst(n, 0)
        let order = channelsFirst ? [0, 3, 1, 2] : Array(0..<rank)
        let pads = order.map { p[2 * $0] } + order.map { p[2 * $0 + 1] }
        var inputs = [channelsFirst ? try e.channelsFirst(n, 0) : try e.input(n, 0), e.int64s(pads, hint: n.name + ":pads")]
        if n.opName == "PadV2" { inputs.append(try e.input(n, 2)) }
        if channelsFirst {
            e.define(n, channelsFirst: e.add("Pad", inputs, ["mode": .string(mode)], outputs: [e.fresh(n.name + ":nchw")], hint: n.name)[0])
        } else {
            e.emit(n, "Pad", inputs, ["mode": .string(mode)])
        }
    }

    /// Reductions over constant axes. Opset 17: `ReduceSum` takes axes as an input (since 13), the
    /// others as the `axes` attribute (an input only from opset 18). TensorFlow's empty axes reduce nothing.
    ///
    /// On a value held as NCHW the reduction runs there (axes moved to NCHW) when the result's axes
    /// keep TensorFlow's order: with keep_dims (the result is NCHW too), or when the channel or both
    /// spatial axes are reduced (e.g. global pooling `[N, H, W, C] → [N, C]`).
    static func reduce(_ e: ONNXEmitter, _ n: Node, _ op: String) throws {
        let keepDims = n.tfBool("keep_dims") == true
        let keep: ONNXAttributeValue = .int(keepDims ? 1 : 0)
        if op == "ReduceSum", e.constant(n, 1) == nil {
            // Axes computed at run time (gradients of broadcasts): ReduceSum takes them as an input.
            let axes = e.add("Reshape", [try e.int64Input(n, 1), e.int64s([-1], hint: n.name + ":flat")], hint: n.name)[0]
            e.emit(n, op, [try e.input(n, 0), axes], ["keepdims": keep, "noop_with_empty_axes": .int(1)])
            return
        }
        var axes = try e.constantInts(n, 1, what: "reduction axes")
        let nchw = [0, 2, 3, 1]   // NHWC axis → its NCHW position
        let normalized = Set(axes.map { $0 < 0 ? $0 + 4 : $0 })
        let channelsFirst = e.isChannelsFirst(n, 0) && !axes.isEmpty && normalized.allSatisfy { (0..<4).contains($0) }
            && (keepDims || normalized.contains(3) || normalized.isSuperset(of: [1, 2]))
        let x = channelsFirst ? try e.channelsFirst(n, 0) : try e.input(n, 0)
        if channelsFirst { axes = normalized.sorted().map { nchw[$0] } }
        let out = channelsFirst && keepDims ? e.fresh(n.name + ":nchw") : e.fresh(n.name)
        if op == "ReduceSum" {
            e.add(op, [x, e.int64s(axes, hint: n.name + ":axes")], ["keepdims": keep, "noop_with_empty_axes": .int(1)], outputs: [out], hint: n.name)
        } else if axes.isEmpty {
            e.add("Identity", [x], outputs: [out], hint: n.name)
        } else {
            e.add(op, [x], ["axes": .ints(axes), "keepdims": keep], outputs: [out], hint: n.name)
        }
        if channelsFirst && keepDims { e.define(n, channelsFirst: out) } else { e.define(n, native: out) }
    }

    /// ConcatV2 along a constant axis; in NCHW (the axis moved) when every input is held as NCHW.
    static func concat(_ e: ONNXEmitter, _ n: Node) throws {
        let count = n.inputs.count - 1
        let axis = try e.constantInts(n, count, what: "axis").first ?? 0
        if count > 0, (0..<count).allSatisfy({ e.isChannelsFirst(n, $0) }), (-4..<4).contains(axis) {
            let moved = [0, 2, 3, 1][axis < 0 ? axis + 4 : axis]
            let inputs = try (0..<count).map { try e.channelsFirst(n, $0) }
            e.define(n, channelsFirst: e.add("Concat", inputs, ["axis": .int(moved)], outputs: [e.fresh(n.name + ":nchw")], hint: n.name)[0])
        } else {
            e.emit(n, "Concat", try (0..<count).map { try e.input(n, $0) }, ["axis": .int(axis)])
        }
    }

    /// ArgMax/ArgMin: ONNX gives int64; TensorFlow's `output_type` (default int64) may ask for int32.
    static func argReduce(_ e: ONNXEmitter, _ n: Node, _ op: String) throws {
        let axis = try e.constantInts(n, 1, what: "dimension")
        let attributes: KeyValuePairs<String, ONNXAttributeValue> = ["axis": .int(axis.first ?? 0), "keepdims": .int(0)]
        if n.tfType("output_type") == .int32 {
            let index = e.add(op, [try e.input(n, 0)], attributes, hint: n.name)[0]
            e.emit(n, "Cast", [index], ["to": .int(Int(ONNXDataType.int32.rawValue))])
        } else {
            e.emit(n, op, [try e.input(n, 0)], attributes)
        }
    }
}

/// Typed reads of a node's TensorFlow attributes for the mappings.
extension Node {
    func tfInt(_ key: String) -> Int? { if case .int(let v)? = attrs[key] { return v }; return nil }
    func tfFloat(_ key: String) -> Float? { if case .float(let v)? = attrs[key] { return v }; return nil }
    func tfBool(_ key: String) -> Bool? { if case .bool(let v)? = attrs[key] { return v }; return nil }
    func tfString(_ key: String) -> String? { if case .string(let v)? = attrs[key] { return v }; return nil }
    func tfInts(_ key: String) -> [Int]? { if case .ints(let v)? = attrs[key] { return v }; return nil }
    func tfType(_ key: String) -> DType? { if case .type(let v)? = attrs[key] { return v }; return nil }
}
