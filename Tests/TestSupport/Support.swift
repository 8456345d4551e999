import Foundation
import TensorGraph
import XCTest

/// Deterministic pseudo-random test data (no dependence on the library's generators).
public struct TestRandom {
    private var state: UInt64
    public init(seed: UInt64) { state = seed &+ 0x9E37_79B9_7F4A_7C15 }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [lo, hi).
    public mutating func uniform(_ lo: Double = -1, _ hi: Double = 1) -> Double {
        lo + (hi - lo) * Double(next() >> 11) * 0x1.0p-53
    }

    /// A float64 tensor of uniform values.
    public mutating func tensor(_ shape: [Int], _ lo: Double = -1, _ hi: Double = 1) -> Tensor {
        Tensor(shape: shape, scalars: (0..<shape.reduce(1, *)).map { _ in uniform(lo, hi) })
    }

    /// A float64 tensor whose values are at least `gap` apart (for max/min/relu/argmax, away from kinks).
    public mutating func distinctTensor(_ shape: [Int], gap: Double = 0.05) -> Tensor {
        let n = shape.reduce(1, *)
        var values = (0..<n).map { Double($0) * gap - Double(n) * gap / 2 + gap / 2 }
        for i in stride(from: n - 1, to: 0, by: -1) { values.swapAt(i, Int(next() % UInt64(i + 1))) }
        return Tensor(shape: shape, scalars: values)
    }
}

/// Converts a float64 tensor to float32 (or leaves other dtypes alone).
public func toFloat32(_ t: Tensor) -> Tensor {
    t.dtype == .double ? Tensor(shape: t.shape, scalars: t.scalars(as: Double.self).map(Float.init)) : t
}

/// Creates a fresh directory under the system temporary directory, unique to this process and call.
public func temporaryDirectory(_ name: String) throws -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// Asserts two arrays agree elementwise within `absolute + relative·|expected|`.
public func assertClose(_ actual: [Double], _ expected: [Double], absolute: Double = 1e-6, relative: Double = 1e-5,
                        _ message: @autoclosure () -> String = "", file: StaticString = #filePath, line: UInt = #line) {
    guard actual.count == expected.count else {
        return XCTFail("count \(actual.count) != \(expected.count) \(message())", file: file, line: line)
    }
    for i in actual.indices {
        let a = actual[i], e = expected[i]
        if a.isNaN && e.isNaN { continue }
        if Swift.abs(a - e) > absolute + relative * Swift.abs(e) {
            return XCTFail("element \(i): \(a) vs expected \(e) \(message())", file: file, line: line)
        }
    }
}

/// Asserts `body` throws a `TensorGraphError` whose description contains every string in `fragments`.
public func assertThrows<T>(_ fragments: [String], file: StaticString = #filePath, line: UInt = #line,
                            _ body: () throws -> T) {
    do {
        _ = try body()
        XCTFail("expected an error containing \(fragments)", file: file, line: line)
    } catch let error as TensorGraphError {
        for fragment in fragments where !error.description.contains(fragment) {
            XCTFail("error '\(error.description)' does not contain '\(fragment)'", file: file, line: line)
        }
    } catch {
        XCTFail("expected TensorGraphError, got \(error)", file: file, line: line)
    }
}

/// Gradient checks against central finite differences in float64.
public enum GradientCheck {
    /// Checks d(Σ w·f(inputs))/d(inputs[i]) for each i in `wrt` against central differences.
    ///
    /// `w` are fixed random weights so every output element contributes. With `secondOrder`,
    /// also checks the gradient of Σ w₂·(first gradient), i.e. gradients of gradients.
    public static func check(_ label: String = "", _ inputs: [Tensor], wrt: [Int], secondOrder: Bool = false, epsilon: Double = 1e-6,
                             absolute: Double = 1e-6, relative: Double = 1e-4,
                             file: StaticString = #filePath, line: UInt = #line,
                             _ build: (Graph, [Output]) throws -> Output) throws {
        let g = Graph()
        let placeholders = try inputs.enumerated().map { i, t in
            try g.placeholder(t.dtype, shape: TensorShape(t.shape), name: "input\(i)")
        }
        let y = try build(g, placeholders)
        let session = Session(graph: g)
        var feeds: [Output: Tensor] = [:]
        for (p, t) in zip(placeholders, inputs) { feeds[p] = t }
        let yValue = try session.run(y, feeding: feeds)
        var random = TestRandom(seed: 99)
        let weights = try g.constant(random.tensor(yValue.shape))
        var objective = try g.sum(y * weights)
        var targets = wrt
        if secondOrder {
            let first = try g.gradients(of: objective, with: wrt.map { placeholders[$0] })
            var terms: [Output] = []
            for (k, grad) in first.enumerated() {
                guard let grad else { continue }
                let w2 = try g.constant(random.tensor(inputs[wrt[k]].shape))
                terms.append(try g.sum(grad * w2))
            }
            guard !terms.isEmpty else { return XCTFail("\(label): no first-order gradients", file: file, line: line) }
            objective = terms.count == 1 ? terms[0] : try g.addN(terms)
            targets = wrt
        }
        let symbolic = try g.gradients(of: [objective], with: targets.map { placeholders[$0] }, unconnected: .zero)
        let analytic = try session.run(symbolic.map { $0! }, feeding: feeds)
        for (k, i) in targets.enumerated() {
            var values = inputs[i].scalars(as: Double.self)
            var numeric = [Double](repeating: 0, count: values.count)
            for j in values.indices {
                let original = values[j]
                values[j] = original + epsilon
                feeds[placeholders[i]] = Tensor(shape: inputs[i].shape, scalars: values)
                let plus = try session.run(objective, feeding: feeds).scalar(as: Double.self)
                values[j] = original - epsilon
                feeds[placeholders[i]] = Tensor(shape: inputs[i].shape, scalars: values)
                let minus = try session.run(objective, feeding: feeds).scalar(as: Double.self)
                values[j] = original
                numeric[j] = (plus - minus) / (2 * epsilon)
            }
            feeds[placeholders[i]] = inputs[i]
            XCTAssertEqual(analytic[k].shape, inputs[i].shape, "gradient shape for input \(i)", file: file, line: line)
            assertClose(analytic[k].doubleValues, numeric, absolute: absolute, relative: relative,
                        "\(label): gradient for input \(i)\(secondOrder ? " (second order)" : "")", file: file, line: line)
        }
    }
}

/// Runs one output of a freshly built graph on constant inputs fed through placeholders.
public func evaluate(_ inputs: [Tensor], unknownDims: Bool = false, _ build: (Graph, [Output]) throws -> Output) throws -> (Tensor, TensorSpec) {
    let g = Graph()
    let placeholders = try inputs.enumerated().map { i, t in
        try g.placeholder(t.dtype, shape: unknownDims ? TensorShape([Int?](repeating: nil, count: t.rank)) : TensorShape(t.shape),
                          name: "input\(i)")
    }
    let y = try build(g, placeholders)
    var feeds: [Output: Tensor] = [:]
    for (p, t) in zip(placeholders, inputs) { feeds[p] = t }
    let value = try Session(graph: g).run(y, feeding: feeds)
    return (value, y.spec)
}
