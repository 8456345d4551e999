/// ONNX (opset 17) mappings of TensorFlow ops that split, reverse, fill or select along an axis:
/// `Split`, `SplitV`, `Unpack`, `ReverseV2`, `Fill`, `OneHot`, `TopKV2`.
enum ONNXSplitMappings {
    static let table: [String: ONNXOpMappings.Mapping] = [
        "Split": split,
        "SplitV": splitV,
        "Unpack": unpack,
        "ReverseV2": reverse,
        // Expand broadcasts the scalar value to `dims` (ConstantOfShape would need a constant value).
        "Fill": { e, n in e.emit(n, "Expand", [try e.input(n, 1), try e.int64Input(n, 0)]) },
        "OneHot": oneHot,
        "TopKV2": topK,
    ]

    /// Defines output `i` of `n` as each of `names`, in TensorFlow's layout.
    static func defineAll(_ e: ONNXEmitter, _ n: Node, _ names: [String]) {
        for (i, name) in names.enumerated() { e.define(n, i, native: name) }
    }

    /// Fresh output names for the `count` outputs of `n` (`n`, `n:1`, ...).
    static func outputNames(_ e: ONNXEmitter, _ n: Node, _ count: Int) -> [String] {
        (0..<count).map { e.fresh($0 == 0 ? n.name : "\(n.name):\($0)") }
    }

    /// Split (`split_dim` constant, `num_split` equal parts) → ONNX `Split` without sizes (opset 17:
    /// as many equal parts as outputs).
    static func split(_ e: ONNXEmitter, _ n: Node) throws {
        let axis = try e.constantInts(n, 0, what: "split_dim").first ?? 0
        let count = n.tfInt("num_split") ?? n.outputs.count
        var inputs = [try e.input(n, 1)]
        // Explicit sizes where the axis' size is known: onnxruntime 1.32 merges two sizeless Splits of
        // one value on one axis even when their output counts differ (seen with Split next to Unpack).
        if let dims = e.spec(n, 1).shape.dims, dims.indices.contains(axis < 0 ? axis + dims.count : axis),
           let size = dims[axis < 0 ? axis + dims.count : axis], count > 0, size % count == 0 {
            inputs.append(e.int64s([Int](repeating: size / count, count: count), hint: n.name + ":sizes"))
        }
        defineAll(e, n, e.add("Split", inputs, ["axis": .int(axis)], outputs: outputNames(e, n, count), hint: n.name))
    }

    /// SplitV (constant sizes and axis) → ONNX `Split` with int64 sizes; TensorFlow's one `-1` size is
    /// resolved from the axis' static size (a typed error when that size is unknown).
    static func splitV(_ e: ONNXEmitter, _ n: Node) throws {
        var sizes = try e.constantInts(n, 1, what: "size_splits")
        var axis = try e.constantInts(n, 2, what: "split_dim").first ?? 0
        if let open = sizes.firstIndex(of: -1) {
            let dims = e.spec(n, 0).shape.dims
            if axis < 0, let dims { axis += dims.count }
            guard let dims, dims.indices.contains(axis), let size = dims[axis] else {
                throw ONNXOpMappings.unsupported(n, "a -1 in size_splits needs the split axis' size")
            }
            sizes[open] = size - sizes.enumerated().filter { $0.offset != open }.map(\.element).reduce(0, +)
        }
        let inputs = [try e.input(n, 0), e.int64s(sizes, hint: n.name + ":sizes")]
        defineAll(e, n, e.add("Split", inputs, ["axis": .int(axis)], outputs: outputNames(e, n, sizes.count), hint: n.name))
    }

    /// Unpack along `axis`: `Split` into `num` parts of size 1, each squeezed at `axis`.
    static func unpack(_ e: ONNXEmitter, _ n: Node) throws {
        let count = n.tfInt("num") ?? n.outputs.count
        var axis = n.tfInt("axis") ?? 0
        if axis < 0 {
            guard let rank = e.spec(n, 0).shape.rank else { throw ONNXOpMappings.unsupported(n, "a negative axis needs the input's rank") }
            axis += rank
        }
        let sizes = e.int64s([Int](repeating: 1, count: count), hint: n.name + ":sizes")
        let parts = e.add("Split", [try e.input(n, 0), sizes], ["axis": .int(axis)], outputCount: count, hint: n.name)
        let axes = e.int64s([axis], hint: n.name + ":axes")
        let names = outputNames(e, n, count)
        for (part, name) in zip(parts, names) { e.add("Squeeze", [part, axes], outputs: [name], hint: n.name) }
        defineAll(e, n, names)
    }

    /// ReverseV2 over constant axes: one `Slice` stepping −1 from the last element to before the first
    /// on each axis (ONNX has no Reverse). No axes is the input itself.
    static func reverse(_ e: ONNXEmitter, _ n: Node) throws {
        let axes = try e.constantInts(n, 1, what: "axis")
        let x = try e.input(n, 0)
        guard !axes.isEmpty else { e.emit(n, "Identity", [x]); return }
        let inputs = [x, e.int64s(axes.map { _ in -1 }, hint: n.name + ":starts"),
                      e.int64s(axes.map { _ in ONNXArrayMappings.start }, hint: n.name + ":ends"),
                      e.int64s(axes, hint: n.name + ":axes"), e.int64s(axes.map { _ in -1 }, hint: n.name + ":steps")]
        e.emit(n, "Slice", inputs)
    }

    /// OneHot → ONNX `OneHot(indices, depth, [off, on])` with the same `axis`. TensorFlow gives an
    /// all-off row for any negative index, ONNX counts `[-depth, -1]` from the end: negative indices
    /// are replaced by `depth` (out of range, so all off in both).
    static func oneHot(_ e: ONNXEmitter, _ n: Node) throws {
        let indexType = e.spec(n, 0).dtype
        var indices = try e.input(n, 0)
        let depth = try e.input(n, 1)
        if indexType != .uint8 {
            let zero = e.initializer(Tensor(zeros: indexType, shape: []), hint: n.name + ":zero")
            let negative = e.add("Less", [indices, zero], hint: n.name)[0]
            let depthAsIndex = indexType == .int32 ? depth : e.add("Cast", [depth], ["to": .int(Int(ONNXDataType(indexType).rawValue))], hint: n.name)[0]
            indices = e.add("Where", [negative, depthAsIndex, indices], hint: n.name)[0]
        }
        let axes = e.int64s([0], hint: n.name + ":axes")
        let off = e.add("Unsqueeze", [try e.input(n, 3), axes], hint: n.name)[0], on = e.add("Unsqueeze", [try e.input(n, 2), axes], hint: n.name)[0]
        let values = e.add("Concat", [off, on], ["axis": .int(0)], hint: n.name)[0]
        e.emit(n, "OneHot", [indices, depth, values], ["axis": .int(n.tfInt("axis") ?? -1)])
    }

    /// TopKV2 → ONNX `TopK` on the last axis, largest first; ties keep the lower index first in both.
    /// `sorted: false` still sorts (TensorFlow leaves that order unspecified). ONNX's int64 indices are
    /// cast to `index_type` (int32 by default).
    static func topK(_ e: ONNXEmitter, _ n: Node) throws {
        let k = e.add("Reshape", [try e.int64Input(n, 1), e.int64s([1], hint: n.name + ":one")], hint: n.name)[0]
        let values = e.fresh(n.name), indices = e.fresh(n.name + ":1:int64")
        e.add("TopK", [try e.input(n, 0), k], ["axis": .int(-1), "largest": .int(1), "sorted": .int(1)], outputs: [values, indices], hint: n.name)
        e.define(n, 0, native: values)
        if (n.tfType("index_type") ?? .int32) == .int64 {
            e.define(n, 1, native: indices)
        } else {
            e.define(n, 1, native: e.add("Cast", [indices], ["to": .int(Int(ONNXDataType.int32.rawValue))], outputs: [e.fresh(n.name + ":1")], hint: n.name)[0])
        }
    }

    /// MirrorPad `SYMMETRIC` (the edge repeated; ONNX's `reflect` skips it): axis by axis, the first
    /// `before` and last `after` elements reversed (a `Slice` stepping −1) and concatenated around the value.
    static func symmetricPad(_ e: ONNXEmitter, _ n: Node) throws {
        let p = try e.constantInts(n, 1, what: "paddings")
        var x = try e.input(n, 0)
        for axis in 0..<(p.count / 2) where p[2 * axis] > 0 || p[2 * axis + 1] > 0 {
            let before = p[2 * axis], after = p[2 * axis + 1]
            func reversed(from: Int, to: Int) -> String {
                let inputs = [x, e.int64s([from], hint: n.name + ":starts"), e.int64s([to], hint: n.name + ":ends"),
                              e.int64s([axis], hint: n.name + ":axes"), e.int64s([-1], hint: n.name + ":steps")]
                return e.add("Slice", inputs, hint: n.name)[0]
            }
            var parts: [String] = []
            if before > 0 { parts.append(reversed(from: before - 1, to: ONNXArrayMappings.start)) }
            parts.append(x)
            if after > 0 { parts.append(reversed(from: -1, to: -after - 1)) }
            x = e.add("Concat", parts, ["axis": .int(axis)], hint: n.name)[0]
        }
        e.emit(n, "Identity", [x])
    }
}
