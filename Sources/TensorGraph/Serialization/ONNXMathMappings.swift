/// ONNX (opset 17) mappings of TensorFlow math ops ONNX has no single operator for: `Expm1`, `Log1p`,
/// `FloorDiv`, `FloorMod` (TensorFlow's sign conventions), the boolean reductions `All`/`Any`, and
/// `Cumsum`.
enum ONNXMathMappings {
    static let table: [String: ONNXOpMappings.Mapping] = [
        // Exp(x) − 1 and Log(1 + x): the absolute error is ONNX's Exp/Log rounding (float32 ~1e-7);
        // the relative error grows for |x| far below 1e-4, where TF's expm1/log1p stay exact.
        "Expm1": { e, n in e.emit(n, "Sub", [e.add("Exp", [try e.input(n, 0)], hint: n.name)[0], one(e, n)]) },
        "Log1p": { e, n in e.emit(n, "Log", [e.add("Add", [try e.input(n, 0), one(e, n)], hint: n.name)[0]]) },
        "FloorDiv": floorDiv,
        "FloorMod": floorMod,
        "All": { e, n in try booleanReduce(e, n, "ReduceMin") },
        "Any": { e, n in try booleanReduce(e, n, "ReduceMax") },
        "Cumsum": { e, n in
            // Same contract as ONNX's CumSum: axis a scalar int32/int64 input, exclusive and reverse flags.
            e.emit(n, "CumSum", [try e.input(n, 0), try e.input(n, 1)],
                   ["exclusive": .int(n.tfBool("exclusive") == true ? 1 : 0), "reverse": .int(n.tfBool("reverse") == true ? 1 : 0)])
        },
    ]

    /// A scalar 1 of input 0's dtype.
    static func one(_ e: ONNXEmitter, _ n: Node) -> String {
        e.initializer(e.spec(n, 0).dtype == .double ? Tensor(Double(1)) : Tensor(Float(1)), hint: n.name + ":one")
    }

    /// FloorDiv: `Floor(x / y)` for floats; for integers `(x − FloorMod(x, y)) / y`, an exact division
    /// (ONNX's integer `Div` truncates toward zero, TensorFlow's FloorDiv rounds toward −∞).
    static func floorDiv(_ e: ONNXEmitter, _ n: Node) throws {
        let x = try e.input(n, 0), y = try e.input(n, 1)
        if e.spec(n, 0).dtype.isFloatingPoint {
            e.emit(n, "Floor", [e.add("Div", [x, y], hint: n.name)[0]])
        } else {
            let remainder = e.add("Mod", [x, y], ["fmod": .int(0)], hint: n.name)[0]
            e.emit(n, "Div", [e.add("Sub", [x, remainder], hint: n.name)[0], y])
        }
    }

    /// FloorMod: the remainder with the divisor's sign. Integers: ONNX `Mod` with `fmod = 0` is exactly
    /// that. Floats (ONNX requires `fmod = 1`, the C `fmod` with the dividend's sign): `m = fmod(x, y)`,
    /// then `m + y` where `m ≠ 0` and the signs of `m` and `y` differ, as TensorFlow's kernel does.
    static func floorMod(_ e: ONNXEmitter, _ n: Node) throws {
        let x = try e.input(n, 0), y = try e.input(n, 1)
        let dtype = e.spec(n, 0).dtype
        guard dtype.isFloatingPoint else { e.emit(n, "Mod", [x, y], ["fmod": .int(0)]); return }
        let m = e.add("Mod", [x, y], ["fmod": .int(1)], hint: n.name)[0]
        let zero = e.initializer(Tensor(zeros: dtype, shape: []), hint: n.name + ":zero")
        let nonzero = e.add("Not", [e.add("Equal", [m, zero], hint: n.name)[0]], hint: n.name)[0]
        let signsDiffer = e.add("Xor", [e.add("Less", [m, zero], hint: n.name)[0], e.add("Less", [y, zero], hint: n.name)[0]], hint: n.name)[0]
        let fix = e.add("And", [nonzero, signsDiffer], hint: n.name)[0]
        e.emit(n, "Where", [fix, e.add("Add", [m, y], hint: n.name)[0], m])
    }

    /// All/Any over constant axes: opset 17's ReduceMin/ReduceMax take no booleans, so the input is
    /// cast to int32, reduced (min is "all", max is "any"), and cast back. Empty axes reduce nothing.
    static func booleanReduce(_ e: ONNXEmitter, _ n: Node, _ op: String) throws {
        let axes = try e.constantInts(n, 1, what: "reduction axes")
        let x = try e.input(n, 0)
        guard !axes.isEmpty else { e.emit(n, "Identity", [x]); return }
        let asInt = e.add("Cast", [x], ["to": .int(Int(ONNXDataType.int32.rawValue))], hint: n.name)[0]
        let reduced = e.add(op, [asInt], ["axes": .ints(axes), "keepdims": .int(n.tfBool("keep_dims") == true ? 1 : 0)], hint: n.name)[0]
        e.emit(n, "Cast", [reduced], ["to": .int(Int(ONNXDataType.bool.rawValue))])
    }
}
