import Foundation

/// A dense, row-major array of one dtype with a concrete shape.
///
/// Tensors are values: copying a `Tensor` shares its storage, and nothing a
/// session does changes a tensor it has returned to you.
public struct Tensor: @unchecked Sendable {
    /// Element type of every element.
    public let dtype: DType
    /// Concrete dimensions, outermost first; `[]` for a scalar.
    public let shape: [Int]
    var storage: TensorStorage
    /// The list a TensorList handle holds (TF's `DT_VARIANT` scalar; see `Ops/List`), nil for every
    /// other tensor. The handle itself is an int32 scalar (the element count) until `DType` has a
    /// `variant` case.
    var list: TensorListValue? = nil

    /// Number of elements (1 for a scalar).
    public var count: Int { shape.reduce(1, *) }
    /// Number of dimensions (0 for a scalar).
    public var rank: Int { shape.count }
    /// Size of the element data in bytes (`count * dtype.byteCount`).
    public var byteCount: Int { count * dtype.byteCount }

    init(dtype: DType, shape: [Int], storage: TensorStorage) {
        self.dtype = dtype
        self.shape = shape
        self.storage = storage
    }

    /// A tensor of the given shape whose elements are uninitialized memory (kernels fill it).
    init(uninitialized dtype: DType, shape: [Int]) {
        let count = shape.reduce(1, *)
        self.init(dtype: dtype, shape: shape, storage: TensorStorage(byteCount: count * dtype.byteCount))
    }

    /// A tensor of zeros.
    public init(zeros dtype: DType, shape: [Int]) {
        let count = shape.reduce(1, *)
        self.init(dtype: dtype, shape: shape, storage: .zeroed(byteCount: count * dtype.byteCount))
    }

    /// A tensor from Swift scalars in row-major order.
    ///
    /// - Precondition: `scalars.count` equals the product of `shape`.
    public init<T: TensorScalar>(shape: [Int], scalars: [T]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "Tensor: negative dimension in \(shape)")
        precondition(shape.reduce(1, *) == scalars.count,
                     "Tensor: \(scalars.count) scalars do not fill shape \(shape)")
        self.init(uninitialized: T.dtype, shape: shape)
        scalars.withUnsafeBufferPointer { source in
            storage.pointer.bindMemory(to: T.self, capacity: max(scalars.count, 1))
                .update(from: source.baseAddress!, count: scalars.count)
        }
    }

    /// A rank-1 tensor.
    public init<T: TensorScalar>(_ scalars: [T]) { self.init(shape: [scalars.count], scalars: scalars) }

    /// A scalar tensor.
    public init<T: TensorScalar>(_ scalar: T) { self.init(shape: [], scalars: [scalar]) }

    /// A tensor from raw little-endian bytes, as stored in files and in TensorFlow's `tensor_content`.
    public init(dtype: DType, shape: [Int], bytes: some Collection<UInt8>) throws {
        let count = shape.reduce(1, *)
        guard shape.allSatisfy({ $0 >= 0 }), bytes.count == count * dtype.byteCount else {
            throw TensorGraphError.invalidTensorData(
                "\(bytes.count) bytes cannot hold a \(dtype) tensor of shape \(shape) (\(count * dtype.byteCount) bytes expected)")
        }
        self.init(uninitialized: dtype, shape: shape)
        let destination = UnsafeMutableRawBufferPointer(start: storage.pointer, count: bytes.count)
        destination.copyBytes(from: bytes)
    }

    /// The elements as a Swift array.
    ///
    /// - Precondition: `T` matches `dtype`.
    public func scalars<T: TensorScalar>(as type: T.Type = T.self) -> [T] {
        precondition(T.dtype == dtype, "Tensor.scalars: tensor is \(dtype), asked for \(T.dtype)")
        return Array(UnsafeBufferPointer(start: storage.pointer.assumingMemoryBound(to: T.self), count: count))
    }

    /// The single element of a one-element tensor.
    public func scalar<T: TensorScalar>(as type: T.Type = T.self) -> T {
        precondition(count == 1, "Tensor.scalar: tensor of shape \(shape) has \(count) elements")
        return scalars(as: T.self)[0]
    }

    /// All elements converted to Double (for printing and tests).
    public var doubleValues: [Double] {
        switch dtype {
        case .float: return scalars(as: Float.self).map(Double.init)
        case .double: return scalars(as: Double.self)
        case .int32: return scalars(as: Int32.self).map(Double.init)
        case .int64: return scalars(as: Int64.self).map(Double.init)
        case .uint8: return scalars(as: UInt8.self).map(Double.init)
        case .bool: return scalars(as: Bool.self).map { $0 ? 1 : 0 }
        }
    }

    /// The raw little-endian bytes of the elements.
    public var bytes: [UInt8] {
        Array(UnsafeRawBufferPointer(start: storage.pointer, count: byteCount))
    }

    /// The same elements with another shape of equal element count (shares storage).
    public func reshaped(to newShape: [Int]) -> Tensor {
        precondition(newShape.reduce(1, *) == count, "Tensor.reshaped: \(shape) to \(newShape)")
        return Tensor(dtype: dtype, shape: newShape, storage: storage)
    }

    /// A deep copy with its own storage (a TensorList handle's copy holds the same list).
    public func copy() -> Tensor {
        var result = Tensor(uninitialized: dtype, shape: shape)
        result.storage.pointer.copyMemory(from: storage.pointer, byteCount: byteCount)
        result.list = list
        return result
    }

    /// Rows `range` of the first dimension, copied.
    public func rows(_ range: Range<Int>) -> Tensor {
        precondition(rank >= 1 && range.lowerBound >= 0 && range.upperBound <= shape[0], "Tensor.rows: \(range) out of \(shape)")
        let rowBytes = shape.dropFirst().reduce(1, *) * dtype.byteCount
        let result = Tensor(uninitialized: dtype, shape: [range.count] + shape.dropFirst())
        result.storage.pointer.copyMemory(from: storage.pointer + range.lowerBound * rowBytes,
                                          byteCount: range.count * rowBytes)
        return result
    }

    /// Typed read access for kernels.
    @inline(__always)
    func pointer<T>(_ type: T.Type) -> UnsafeMutablePointer<T> {
        storage.pointer.assumingMemoryBound(to: T.self)
    }
}

extension Tensor: Equatable {
    /// Same dtype, shape and bytes.
    public static func == (a: Tensor, b: Tensor) -> Bool {
        a.dtype == b.dtype && a.shape == b.shape && memcmp(a.storage.pointer, b.storage.pointer, a.byteCount) == 0
    }
}

extension Tensor: CustomStringConvertible {
    /// Numpy-like nested brackets, abbreviated for large tensors.
    public var description: String {
        // Element by element, not `doubleValues`: that copy (8 bytes per element) took 16 GB to print
        // a 2·10^9-element uint8 tensor of which at most a few hundred values are shown.
        func value(_ i: Int) -> Double {
            func load<T>(_: T.Type) -> T { storage.pointer.load(fromByteOffset: i * MemoryLayout<T>.stride, as: T.self) }
            switch dtype {
            case .float: return Double(load(Float.self))
            case .double: return load(Double.self)
            case .int32: return Double(load(Int32.self))
            case .int64: return Double(load(Int64.self))
            case .uint8: return Double(load(UInt8.self))
            case .bool: return load(Bool.self) ? 1 : 0
            }
        }
        func format(_ v: Double) -> String {
            switch dtype {
            case .bool: return v != 0 ? "True" : "False"
            case .float, .double:
                return v == v.rounded() && abs(v) < 1e6 ? String(format: "%.1f", v) : String(format: "%.6g", v)
            default: return String(Int64(v))
            }
        }
        if shape.isEmpty { return format(value(0)) }
        var out = ""
        func emit(_ dim: Int, _ offset: Int) {
            let n = shape[dim]
            let stride = shape[(dim + 1)...].reduce(1, *)
            let shown: [Int] = n > 8 ? Array(0..<3) + [-1] + Array((n - 3)..<n) : Array(0..<n)
            out += "["
            for (k, i) in shown.enumerated() {
                if k > 0 { out += dim == shape.count - 1 ? ", " : ",\n" + String(repeating: " ", count: dim + 1) }
                if i < 0 { out += "..."; continue }
                if dim == shape.count - 1 { out += format(value(offset + i)) } else { emit(dim + 1, offset + i * stride) }
            }
            out += "]"
        }
        emit(0, 0)
        return out
    }
}
