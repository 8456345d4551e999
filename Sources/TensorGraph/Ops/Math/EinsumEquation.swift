/// An `Einsum` equation as TensorFlow's kernel reads it (tensorflow/core/kernels/linalg/einsum_op_impl.h):
/// `"<subscripts>,<subscripts>-><subscripts>"`, one or two inputs, exactly one `->`. A subscript is a
/// sequence of letter labels with at most one `...` standing for the broadcast (batch) dimensions.
///
/// Labels are resolved to integers: a letter is its ASCII code; the dimensions an ellipsis covers are
/// negative, counted from the right (`-1` is the ellipsis' last dimension), so ellipses of different
/// lengths line up on the right as numpy broadcasting does.
struct EinsumEquation: Equatable {
    /// One subscript: the labels before and after its ellipsis (`after` is empty without one).
    struct Subscript: Equatable {
        var before: [Int]
        var hasEllipsis: Bool
        var after: [Int]
        /// How many dimensions the ellipsis covers in an operand of `rank`, or nil when the rank cannot match.
        func ellipsisLength(rank: Int) -> Int? {
            let named = before.count + after.count
            if hasEllipsis { return rank >= named ? rank - named : nil }
            return rank == named ? 0 : nil
        }
        /// The labels of each dimension, the ellipsis expanded to `ellipsis` broadcast labels.
        func labels(ellipsis: Int) -> [Int] { before + (0..<ellipsis).map { $0 - ellipsis } + after }
    }

    let inputs: [Subscript]
    let output: Subscript

    /// Parses `text`; the message of the thrown string says what was wrong.
    static func parse(_ text: String, inputCount: Int) -> Result<EinsumEquation, EinsumError> {
        let sides = text.components(separatedBy: "->")
        guard sides.count == 2 else { return .failure(EinsumError("expecting exactly one '->' in equation '\(text)'")) }
        let inputTexts = sides[0].components(separatedBy: ",")
        guard inputTexts.count == 1 || inputTexts.count == 2 else {
            return .failure(EinsumError("expecting 1 or 2 input subscripts in equation '\(text)', got \(inputTexts.count)"))
        }
        guard inputTexts.count == inputCount else {
            return .failure(EinsumError("equation '\(text)' has \(inputTexts.count) input subscripts for \(inputCount) inputs"))
        }
        func parseSubscript(_ s: String) -> Subscript? {
            let parts = s.components(separatedBy: "...")
            guard parts.count <= 2 else { return nil }
            func letters(_ p: String) -> [Int]? {
                var codes: [Int] = []
                for c in p.unicodeScalars {
                    guard (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") else { return nil }
                    codes.append(Int(c.value))
                }
                return codes
            }
            guard let before = letters(parts[0]), let after = parts.count == 2 ? letters(parts[1]) : [] else { return nil }
            return Subscript(before: before, hasEllipsis: parts.count == 2, after: after)
        }
        var parsed: [Subscript] = []
        for s in inputTexts + [sides[1]] {
            guard let sub = parseSubscript(s) else {
                return .failure(EinsumError("subscript '\(s)' of equation '\(text)' is not letters with at most one '...'"))
            }
            parsed.append(sub)
        }
        let output = parsed.removeLast()
        let inputLabels = Set(parsed.flatMap { $0.before + $0.after })
        if let missing = (output.before + output.after).first(where: { !inputLabels.contains($0) }) {
            return .failure(EinsumError("output label '\(Character(UnicodeScalar(UInt8(missing))))' of equation '\(text)' appears in no input"))
        }
        return .success(EinsumEquation(inputs: parsed, output: output))
    }
}

/// A malformed equation or operands that do not fit it.
struct EinsumError: Error {
    let message: String
    init(_ message: String) { self.message = message }
}

/// Label sizes for operands of known rank: named labels must agree exactly (TF broadcasts only the
/// ellipsis dimensions); ellipsis dimensions broadcast numpy-style (1 stretches).
struct EinsumLabels {
    /// Each operand's label per dimension.
    var operandLabels: [[Int]] = []
    /// The size of each label (nil: unknown while building).
    var sizes: [Int: Int?] = [:]
    /// The output's labels per dimension.
    var outputLabels: [Int] = []

    init(_ equation: EinsumEquation, shapes: [[Int?]]) throws(EinsumError) {
        var ellipsis = 0
        for (k, (sub, shape)) in zip(equation.inputs, shapes).enumerated() {
            guard let length = sub.ellipsisLength(rank: shape.count) else {
                throw EinsumError("input \(k) has rank \(shape.count), its subscript names \(sub.before.count + sub.after.count) dimensions\(sub.hasEllipsis ? " and '...'" : "")")
            }
            ellipsis = max(ellipsis, length)
            let labels = sub.labels(ellipsis: length)
            operandLabels.append(labels)
            for (axis, (label, dim)) in zip(labels, shape).enumerated() {
                guard let known = sizes[label] else { sizes[label] = dim; continue }
                guard let dim else { continue }
                guard let existing = known else { sizes[label] = dim; continue }
                if existing == dim { continue }
                if label < 0, existing == 1 || dim == 1 { sizes[label] = max(existing, dim); continue }
                throw EinsumError("input \(k) has dimension \(dim) at axis \(axis) where \(label < 0 ? "the broadcast dimensions give" : "label '\(Character(UnicodeScalar(UInt8(label))))' has") \(existing)")
            }
        }
        if ellipsis > 0 && !equation.output.hasEllipsis {
            throw EinsumError("the inputs have \(ellipsis) broadcast dimension(s) but the output subscripts have no '...'")
        }
        outputLabels = equation.output.labels(ellipsis: equation.output.hasEllipsis ? ellipsis : 0)
    }

    /// The output's static shape.
    var outputShape: [Int?] { outputLabels.map { sizes[$0] ?? nil } }
}

/// Row-major strides of `dims`.
func einsumStrides(_ dims: [Int]) -> [Int] {
    var strides = [Int](repeating: 1, count: dims.count), step = 1
    for d in stride(from: dims.count - 1, through: 0, by: -1) {
        strides[d] = step
        step *= dims[d]
    }
    return strides
}

/// Visits the `dims` index space in row-major order, calling `body(i, offset)` with the linear index `i`
/// and `sum(index * strides)`; the innermost dimension runs as a plain loop.
@inline(__always)
func einsumForEach(_ dims: [Int], _ strides: [Int], _ body: (Int, Int) -> Void) {
    let count = dims.reduce(1, *)
    guard count > 0 else { return }
    guard let last = dims.indices.last else { return body(0, 0) }
    let inner = dims[last], innerStride = strides[last]
    var index = [Int](repeating: 0, count: dims.count)
    var base = 0, linear = 0
    while linear < count {
        for j in 0..<inner { body(linear + j, base + j * innerStride) }
        linear += inner
        var d = last - 1
        while d >= 0 {
            index[d] += 1
            base += strides[d]
            if index[d] < dims[d] { break }
            base -= strides[d] * dims[d]
            index[d] = 0
            d -= 1
        }
        if d < 0 { break }
    }
}
