/// ONNX (opset 17) mappings of TF1's `TensorArrayV3` family and `Range`.
///
/// TensorGraph's TensorArray `flow` carries the array's elements (see `TensorArrayOps.swift`), so the
/// flow is exported as an ONNX sequence, exactly as a TensorList is (`ONNXControlFlowMappings`); the
/// `handle` carries nothing and is an int32 scalar 0. Arrays with `dynamic_size` are not exported
/// (a write past the end would need a run-time choice between replacing and appending).
enum ONNXTensorArrayMappings {
    static let table: [String: ONNXOpMappings.Mapping] = [
        "Range": { e, n in e.emit(n, "Range", try (0..<3).map { try e.input(n, $0) }) },
        "TensorArrayV3": tensorArray,
        "TensorArrayWriteV3": { e, n in
            let element = try ONNXControlFlowMappings.sequence(e, n, 3)
            let index = try e.input(n, 1)
            let erased = e.add("SequenceErase", [try e.input(n, 3), index], hint: n.name)[0]
            e.define(n, sequence: e.add("SequenceInsert", [erased, try e.input(n, 2), index], outputs: [e.fresh(n.name)], hint: n.name)[0], element: element)
        },
        "TensorArrayReadV3": { e, n in _ = try ONNXControlFlowMappings.sequence(e, n, 2); e.emit(n, "SequenceAt", [try e.input(n, 2), try e.input(n, 1)]) },
        // The elements stacked along a new axis 0, then the rows `indices` picked.
        "TensorArrayGatherV3": { e, n in
            _ = try ONNXControlFlowMappings.sequence(e, n, 2)
            let stacked = e.add("ConcatFromSequence", [try e.input(n, 2)], ["axis": .int(0), "new_axis": .int(1)], hint: n.name)[0]
            e.emit(n, "Gather", [stacked, try e.input(n, 1)], ["axis": .int(0)])
        },
        "TensorArrayScatterV3": scatter,
        // Every element replaced by the pieces of `value` (TensorFlow requires one length per element).
        "TensorArraySplitV3": { e, n in
            let element = try ONNXControlFlowMappings.sequence(e, n, 3)
            let pieces = e.add("SplitToSequence", [try e.input(n, 1), try e.int64Input(n, 2)], ["axis": .int(0), "keepdims": .int(1)],
                               outputs: [e.fresh(n.name)], hint: n.name)[0]
            e.define(n, sequence: pieces, element: element)
        },
        // Output 0 only: the elements concatenated along axis 0 (the per-element `lengths` are not exported).
        "TensorArrayConcatV3": { e, n in
            _ = try ONNXControlFlowMappings.sequence(e, n, 1)
            e.emit(n, "ConcatFromSequence", [try e.input(n, 1)], ["axis": .int(0), "new_axis": .int(0)])
        },
        "TensorArraySizeV3": { e, n in
            _ = try ONNXControlFlowMappings.sequence(e, n, 1)
            e.emit(n, "Cast", [e.add("SequenceLength", [try e.input(n, 1)], hint: n.name)[0]], ["to": .int(Int(ONNXDataType.int32.rawValue))])
        },
        "TensorArrayCloseV3": { _, _ in },   // no outputs; closing changes nothing a reader sees
    ]

    /// TensorArrayV3: the flow is `size` empty elements of the element shape's rank (as
    /// `TensorListReserve`), the handle an int32 0.
    static func tensorArray(_ e: ONNXEmitter, _ n: Node) throws {
        let a = n.attributes(TensorArrayV3.self)
        guard !a.dynamicSize else { throw ONNXOpMappings.unsupported(n, "dynamic_size arrays are not exported") }
        let count = e.add("Reshape", [try e.int64Input(n, 0), e.int64s([1], hint: n.name + ":one")], hint: n.name)[0]
        let empty = e.int64s([Int](repeating: 0, count: a.elementShape.rank ?? 1), hint: n.name + ":empty")
        let shape = e.add("Concat", [count, empty], ["axis": .int(0)], hint: n.name)[0]
        let zeros = e.add("ConstantOfShape", [shape], ["value": .tensor(ONNXTensor(name: "", Tensor(zeros: a.dtype, shape: [1])))], hint: n.name)[0]
        e.define(n, 0, native: e.initializer(Tensor(Int32(0)), hint: n.name + ":handle"))
        e.define(n, 1, sequence: e.add("SplitToSequence", [zeros], ["axis": .int(0), "keepdims": .int(0)], outputs: [e.fresh(n.name + ":1")], hint: n.name)[0],
                 element: a.dtype)
    }

    /// TensorArrayScatterV3: row `k` of `value` written at `indices[k]`, one `SequenceErase` +
    /// `SequenceInsert` per row in a `Loop` over the rows.
    static func scatter(_ e: ONNXEmitter, _ n: Node) throws {
        let element = try ONNXControlFlowMappings.sequence(e, n, 3)
        let indices = try e.input(n, 1), value = try e.input(n, 2)
        let rows = e.add("Squeeze", [e.add("Shape", [indices], hint: n.name)[0]], hint: n.name)[0]
        let body = ONNXEmitter(graph: e.graph, state: e.state, prefix: e.state.uniquePrefix(e.prefix + n.name + "|scatter"))
        let iteration = body.fresh("iteration"), condition = body.fresh("condition"), list = body.fresh("list")
        let index = body.add("Gather", [indices, iteration], ["axis": .int(0)], hint: "index")[0]
        let row = body.add("Gather", [value, iteration], ["axis": .int(0)], hint: "row")[0]
        let erased = body.add("SequenceErase", [list, index], hint: "erase")[0]
        let written = body.add("SequenceInsert", [erased, row, index], outputs: [body.fresh("list_out")], hint: "insert")[0]
        let conditionOut = body.add("Identity", [condition], outputs: [body.fresh("condition_out")], hint: "condition_out")[0]
        let graph = ONNXGraph(name: body.prefix + "body", nodes: body.nodes, initializers: body.initializers,
                              inputs: [ONNXValueInfo(name: iteration, elementType: .int64, dims: []),
                                       ONNXValueInfo(name: condition, elementType: .bool, dims: []),
                                       ONNXValueInfo(name: list, elementType: ONNXDataType(element), dims: nil, isSequence: true)],
                              outputs: [ONNXValueInfo(name: conditionOut, elementType: .bool, dims: []),
                                        ONNXValueInfo(name: written, elementType: ONNXDataType(element), dims: nil, isSequence: true)])
        let out = e.add("Loop", [rows, "", try e.input(n, 3)], ["body": .graph(graph)], outputs: [e.fresh(n.name)], hint: n.name)[0]
        e.define(n, sequence: out, element: element)
    }
}
