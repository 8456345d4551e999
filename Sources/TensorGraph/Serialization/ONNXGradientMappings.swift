/// ONNX (opset 17) mappings of the ops TensorFlow's gradients put in a graph (`tf.gradients` of
/// einsums, broadcasts and slices): `BroadcastGradientArgs`, `BroadcastTo`, `DynamicStitch`,
/// `MatrixBandPart`, `StridedSliceGrad`. Shapes are often known only at run time here, so the
/// index arithmetic runs in the model (int64 vectors).
enum ONNXGradientMappings {
    static let table: [String: ONNXOpMappings.Mapping] = [
        "BroadcastGradientArgs": broadcastGradientArgs,
        "BroadcastTo": { e, n in e.emit(n, "Expand", [try e.input(n, 0), try e.int64Input(n, 1)]) },
        "DynamicStitch": dynamicStitch,
        "MatrixBandPart": bandPart,
        "StridedSliceGrad": stridedSliceGrad,
    ]

    static func cast(_ e: ONNXEmitter, _ n: Node, _ value: String, to dtype: DType) -> String {
        e.add("Cast", [value], ["to": .int(Int(ONNXDataType(dtype).rawValue))], hint: n.name)[0]
    }

    /// BroadcastGradientArgs(s0, s1) → (r0, r1): both shapes padded with leading 1s to the longer
    /// one's length (lengths must be static); `rj` lists the axes where operand j's padded size is 1,
    /// ascending — TensorFlow's kernel (BCast without the fewer-dims optimization) reduces those, also
    /// where both sizes are 1.
    static func broadcastGradientArgs(_ e: ONNXEmitter, _ n: Node) throws {
        let lengths = try (0..<2).map { i -> Int in
            guard let dims = e.spec(n, i).shape.dims, dims.count == 1, let length = dims[0] else {
                throw ONNXOpMappings.unsupported(n, "the shapes' lengths (ranks) must be known")
            }
            return length
        }
        let rank = lengths.max() ?? 0
        let one = e.int64s([1], hint: n.name + ":one")
        for i in 0..<2 {
            var padded = try e.int64Input(n, i)
            if lengths[i] < rank {
                padded = e.add("Concat", [e.int64s([Int](repeating: 1, count: rank - lengths[i]), hint: n.name + ":ones"), padded], ["axis": .int(0)], hint: n.name)[0]
            }
            let positions = e.add("NonZero", [e.add("Equal", [padded, one], hint: n.name)[0]], hint: n.name)[0]   // [1, k]
            let flat = e.add("Reshape", [positions, e.int64s([-1], hint: n.name + ":flat")], hint: n.name)[0]
            let dtype = n.outputs[i].dtype
            let out = e.add("Cast", [flat], ["to": .int(Int(ONNXDataType(dtype).rawValue))], outputs: [e.fresh(i == 0 ? n.name : "\(n.name):1")], hint: n.name)[0]
            e.define(n, i, native: out)
        }
    }

    /// DynamicStitch: `merged[indices[m][i...]] = data[m][i...]`, later pieces winning — every index
    /// list flattened to `[k, 1]` and every data piece to `[k] + slice shape`, concatenated, and
    /// written by `ScatterND` into zeros of `[max index + 1] + slice shape` (index ranks must be known).
    static func dynamicStitch(_ e: ONNXEmitter, _ n: Node) throws {
        let count = n.inputs.count / 2
        guard count > 0 else { throw ONNXOpMappings.unsupported(n, "no inputs") }
        var indices: [String] = [], pieces: [String] = []
        var sliceShape = ""
        for m in 0..<count {
            guard let rank = e.spec(n, m).shape.rank else { throw ONNXOpMappings.unsupported(n, "the indices' ranks must be known") }
            indices.append(e.add("Reshape", [try e.int64Input(n, m), e.int64s([-1, 1], hint: n.name + ":column")], hint: n.name)[0])
            let shape = e.add("Shape", [try e.input(n, count + m)], hint: n.name)[0]
            let slice = e.add("Slice", [shape, e.int64s([rank], hint: n.name + ":start"), e.int64s([ONNXArrayMappings.end], hint: n.name + ":end")], hint: n.name)[0]
            if m == 0 { sliceShape = slice }
            let flatShape = e.add("Concat", [e.int64s([-1], hint: n.name + ":rows"), slice], ["axis": .int(0)], hint: n.name)[0]
            pieces.append(e.add("Reshape", [try e.input(n, count + m), flatShape], hint: n.name)[0])
        }
        let allIndices = count == 1 ? indices[0] : e.add("Concat", indices, ["axis": .int(0)], hint: n.name)[0]
        let allData = count == 1 ? pieces[0] : e.add("Concat", pieces, ["axis": .int(0)], hint: n.name)[0]
        let largest = e.add("ReduceMax", [allIndices], ["keepdims": .int(0)], hint: n.name)[0]
        let size = e.add("Reshape", [e.add("Add", [largest, e.int64s([1], hint: n.name + ":one", scalar: true)], hint: n.name)[0],
                                     e.int64s([1], hint: n.name + ":vector")], hint: n.name)[0]
        let shape = e.add("Concat", [size, sliceShape], ["axis": .int(0)], hint: n.name)[0]
        let zero = ONNXTensor(name: "", Tensor(zeros: e.spec(n, count).dtype, shape: [1]))
        let zeros = e.add("ConstantOfShape", [shape], ["value": .tensor(zero)], hint: n.name)[0]
        e.emit(n, "ScatterND", [zeros, allIndices, allData])
    }

    /// MatrixBandPart with constant bounds → `Trilu`: `num_upper ≥ 0` keeps `j − i ≤ num_upper`
    /// (lower form, k = num_upper), `num_lower ≥ 0` keeps `i − j ≤ num_lower` (upper form,
    /// k = −num_lower); a negative bound keeps that whole side.
    static func bandPart(_ e: ONNXEmitter, _ n: Node) throws {
        guard let lower = try e.constantInts(n, 1, what: "num_lower").first, let upper = try e.constantInts(n, 2, what: "num_upper").first else {
            throw ONNXOpMappings.unsupported(n, "num_lower and num_upper must be scalars")
        }
        var x = try e.input(n, 0)
        if upper >= 0 { x = e.add("Trilu", [x, e.int64s([upper], hint: n.name + ":upper", scalar: true)], ["upper": .int(0)], hint: n.name)[0] }
        if lower >= 0 { x = e.add("Trilu", [x, e.int64s([-lower], hint: n.name + ":lower", scalar: true)], ["upper": .int(1)], hint: n.name)[0] }
        e.emit(n, "Identity", [x])
    }

    /// StridedSliceGrad with unit strides: `dy` (unsqueezed at the shrunk axes) padded with zeros to
    /// `shape` — before each axis by the resolved begin, after it by `size − end` — with begin/end
    /// resolved at run time as TensorFlow does (negative from the end, masks open, clamped to the size).
    static func stridedSliceGrad(_ e: ONNXEmitter, _ n: Node) throws {
        guard (n.tfInt("ellipsis_mask") ?? 0) == 0, (n.tfInt("new_axis_mask") ?? 0) == 0 else {
            throw ONNXOpMappings.unsupported(n, "ellipsis_mask and new_axis_mask must be 0")
        }
        let strides = try e.constantInts(n, 3, what: "strides")
        let shrink = n.tfInt("shrink_axis_mask") ?? 0
        guard strides.enumerated().allSatisfy({ $0.element == 1 || shrink >> $0.offset & 1 == 1 }) else {
            throw ONNXOpMappings.unsupported(n, "only unit strides are exported")
        }
        guard let dims = e.spec(n, 0).shape.dims, dims.count == 1, let rank = dims[0], rank >= strides.count else {
            throw ONNXOpMappings.unsupported(n, "the shape's length (rank) must be known")
        }
        let count = strides.count
        func mask(_ bits: Int, _ hint: String) -> String { e.initializer(Tensor((0..<count).map { bits >> $0 & 1 == 1 }), hint: n.name + ":" + hint) }
        func int64s(_ values: [Int], _ hint: String) -> String { e.int64s(values, hint: n.name + ":" + hint) }
        let shape = try e.int64Input(n, 0)
        let sizes = count == rank ? shape : e.add("Slice", [shape, int64s([0], "zero"), int64s([count], "count")], hint: n.name)[0]
        let zero = int64s([0], "zero"), one = int64s([1], "one")
        func fromEnd(_ v: String) -> String {
            e.add("Where", [e.add("Less", [v, zero], hint: n.name)[0], e.add("Add", [v, sizes], hint: n.name)[0], v], hint: n.name)[0]
        }
        func clamped(_ v: String) -> String { e.add("Min", [e.add("Max", [v, zero], hint: n.name)[0], sizes], hint: n.name)[0] }
        let begin = fromEnd(try e.int64Input(n, 1)), end = fromEnd(try e.int64Input(n, 2))
        let beginMask = n.tfInt("begin_mask") ?? 0, endMask = n.tfInt("end_mask") ?? 0
        var first = clamped(e.add("Where", [mask(beginMask, "beginmask"), zero, begin], hint: n.name)[0])
        var last = clamped(e.add("Where", [mask(endMask, "endmask"), sizes, end], hint: n.name)[0])
        var dy = try e.input(n, 4)
        if shrink & ((1 << count) - 1) != 0 {
            first = e.add("Where", [mask(shrink, "shrinkmask"), begin, first], hint: n.name)[0]
            last = e.add("Where", [mask(shrink, "shrinkmask"), e.add("Add", [begin, one], hint: n.name)[0], last], hint: n.name)[0]
            dy = e.add("Unsqueeze", [dy, int64s((0..<count).filter { shrink >> $0 & 1 == 1 }, "axes")], hint: n.name)[0]
        }
        var before = first, after = e.add("Sub", [sizes, last], hint: n.name)[0]
        if count < rank {
            let rest = int64s([Int](repeating: 0, count: rank - count), "rest")
            before = e.add("Concat", [before, rest], ["axis": .int(0)], hint: n.name)[0]
            after = e.add("Concat", [after, rest], ["axis": .int(0)], hint: n.name)[0]
        }
        e.emit(n, "Pad", [dy, e.add("Concat", [before, after], ["axis": .int(0)], hint: n.name)[0]], ["mode": .string("constant")])
    }
}
