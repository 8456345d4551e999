/// A shape known at graph-building time: each dimension may be unknown (`nil`),
/// and the rank itself may be unknown.
///
/// `[nil, 784]` is TensorFlow's `(?, 784)`: a batch of any size of 784-vectors.
public struct TensorShape: Hashable, Sendable, CustomStringConvertible, ExpressibleByArrayLiteral {
    /// The dimensions, or `nil` when even the rank is unknown.
    public var dims: [Int?]?

    /// A shape from optional dimensions; `nil` means unknown rank.
    public init(_ dims: [Int?]?) { self.dims = dims }
    /// A fully known shape, e.g. a runtime tensor's `shape`.
    public init(_ dims: [Int]) { self.dims = dims.map { Optional($0) } }
    /// `[nil, 784]` is TF's `(?, 784)`; a literal always has known rank.
    public init(arrayLiteral elements: Int?...) { self.dims = elements }

    /// A shape of unknown rank.
    public static let unknown = TensorShape(nil as [Int?]?)
    /// The shape of a scalar.
    public static let scalar = TensorShape([Int]())

    /// Number of dimensions, or nil when the rank is unknown.
    public var rank: Int? { dims?.count }
    /// True when every dimension is known.
    public var isFullyDefined: Bool { dims.map { $0.allSatisfy { $0 != nil } } ?? false }
    /// The dimensions when all are known.
    public var concrete: [Int]? { isFullyDefined ? dims!.map { $0! } : nil }
    /// The element count when all dimensions are known.
    public var elementCount: Int? { concrete.flatMap(checkedProduct) }

    /// Whether a runtime shape fits this (possibly partial) shape.
    public func accepts(_ shape: [Int]) -> Bool {
        guard let dims else { return true }
        guard dims.count == shape.count else { return false }
        return zip(dims, shape).allSatisfy { $0 == nil || $0 == $1 }
    }

    /// Whether two partial shapes could describe the same tensor.
    public func isCompatible(with other: TensorShape) -> Bool {
        guard let a = dims, let b = other.dims else { return true }
        guard a.count == b.count else { return false }
        return zip(a, b).allSatisfy { $0 == nil || $1 == nil || $0 == $1 }
    }

    /// The most specific shape compatible with both (assumes `isCompatible`).
    public func merged(with other: TensorShape) -> TensorShape {
        guard let a = dims else { return other }
        guard let b = other.dims else { return self }
        return TensorShape(zip(a, b).map { $0 ?? $1 })
    }

    /// TensorFlow's spelling: `(?, 784)`, `()` for a scalar, `<unknown>` for unknown rank.
    public var description: String {
        guard let dims else { return "<unknown>" }
        let parts = dims.map { $0.map(String.init) ?? "?" }
        return "(" + parts.joined(separator: ", ") + (dims.count == 1 ? ",)" : ")")
    }

    /// Numpy-style broadcasting of two partial shapes; `nil` when they cannot broadcast.
    public static func broadcast(_ x: TensorShape, _ y: TensorShape) -> TensorShape? {
        guard let a = x.dims, let b = y.dims else { return .unknown }
        let rank = max(a.count, b.count)
        var result = [Int?](repeating: nil, count: rank)
        for i in 0..<rank {
            let da = i < rank - a.count ? 1 : a[i - (rank - a.count)]
            let db = i < rank - b.count ? 1 : b[i - (rank - b.count)]
            switch (da, db) {
            case let (p?, q?):
                if p == q || q == 1 { result[i] = p } else if p == 1 { result[i] = q } else { return nil }
            case let (p?, nil): result[i] = p == 1 ? nil : p
            case let (nil, q?): result[i] = q == 1 ? nil : q
            case (nil, nil): result[i] = nil
            }
        }
        return TensorShape(result)
    }
}

/// The product of `dims`, or nil when it overflows or a dimension is negative.
func checkedProduct(_ dims: [Int]) -> Int? {
    var product = 1
    for d in dims {
        guard d >= 0 else { return nil }
        let (p, overflow) = product.multipliedReportingOverflow(by: d)
        if overflow { return nil }
        product = p
    }
    return product
}

/// Numpy-style broadcasting of two concrete shapes; `nil` when they cannot broadcast.
func broadcastShapes(_ a: [Int], _ b: [Int]) -> [Int]? {
    if a == b { return a }
    let rank = max(a.count, b.count)
    var result = [Int](repeating: 1, count: rank)
    for i in 0..<rank {
        let da = i < rank - a.count ? 1 : a[i - (rank - a.count)]
        let db = i < rank - b.count ? 1 : b[i - (rank - b.count)]
        if da == db || db == 1 { result[i] = da } else if da == 1 { result[i] = db } else { return nil }
    }
    return result
}

/// A dtype with a build-time shape: what shape inference produces for each node output.
public struct TensorSpec: Hashable, Sendable, CustomStringConvertible {
    /// Element type of the output.
    public var dtype: DType
    /// Static, possibly partial shape of the output.
    public var shape: TensorShape
    /// Pairs a dtype with a build-time shape.
    public init(_ dtype: DType, _ shape: TensorShape) {
        self.dtype = dtype
        self.shape = shape
    }
    /// Dtype then shape, e.g. `float32(?, 784)`.
    public var description: String { "\(dtype)\(shape)" }
}
