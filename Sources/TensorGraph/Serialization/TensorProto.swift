import CTensorFlowProto

/// Conversions between `Tensor` and TensorFlow's `TensorProto`, and the other small protos.
enum ProtoConversion {
    /// Tensors larger than this many elements are rejected on import (a corrupt size would otherwise allocate wildly).
    static let maximumElements = 1 << 28

    static func dataType(_ dtype: DType) -> Tensorflow__DataType { Tensorflow__DataType(rawValue: UInt32(dtype.rawValue)) }

    /// Our dtype for a TF `DataType` (reference types map to their value type).
    ///
    /// `raw` is the enum's bits as protobuf-c stores them: a negative value on the wire (a proto3 enum
    /// is an int32) arrives as a large `UInt32`, so it is read back as signed before any arithmetic.
    static func dtype(_ raw: UInt32, context: String) throws -> DType {
        let signed = Int32(bitPattern: raw)
        let value = signed > 100 ? signed - 100 : signed
        guard let dtype = DType(rawValue: value) else {
            throw TensorGraphError.invalidTensorData("\(context): unsupported DataType \(signed)")
        }
        return dtype
    }

    static func shapeProto(_ shape: TensorShape, _ arena: ProtoArena) -> UnsafeMutablePointer<Tensorflow__TensorShapeProto> {
        let proto = arena.allocate(Tensorflow__TensorShapeProto.self)
        tensorflow__tensor_shape_proto__init(proto)
        guard let dims = shape.dims else {
            proto.pointee.unknown_rank = 1
            return proto
        }
        let list = arena.allocate(UnsafeMutablePointer<Tensorflow__TensorShapeProto__Dim>?.self, count: dims.count)
        for (i, d) in dims.enumerated() {
            let dim = arena.allocate(Tensorflow__TensorShapeProto__Dim.self)
            tensorflow__tensor_shape_proto__dim__init(dim)
            dim.pointee.size = Int64(d ?? -1)
            dim.pointee.name = arena.string("")
            list[i] = dim
        }
        proto.pointee.n_dim = dims.count
        proto.pointee.dim = list
        return proto
    }

    static func shape(_ proto: UnsafePointer<Tensorflow__TensorShapeProto>?) -> TensorShape {
        guard let proto else { return .scalar }
        if proto.pointee.unknown_rank != 0 { return .unknown }
        return TensorShape((0..<proto.pointee.n_dim).map { i -> Int? in
            let size = proto.pointee.dim[i]!.pointee.size
            return size < 0 ? nil : Int(size)
        })
    }

    /// A TensorProto with the elements in `tensor_content` (raw little-endian bytes), as TF writes them.
    static func tensorProto(_ t: Tensor, _ arena: ProtoArena) -> UnsafeMutablePointer<Tensorflow__TensorProto> {
        let proto = arena.allocate(Tensorflow__TensorProto.self)
        tensorflow__tensor_proto__init(proto)
        proto.pointee.dtype = dataType(t.dtype)
        proto.pointee.tensor_shape = shapeProto(TensorShape(t.shape), arena)
        proto.pointee.tensor_content = arena.bytes(t.storage.pointer, count: t.byteCount)
        return proto
    }

    /// Decodes a TensorProto: `tensor_content`, or the typed value list where a shorter list repeats its
    /// last value to fill the shape (TF's rule; a single value fills everything, none means zeros).
    static func tensor(_ proto: UnsafePointer<Tensorflow__TensorProto>, context: String) throws -> Tensor {
        let p = proto.pointee
        let dtype = try dtype(p.dtype.rawValue, context: context)
        let shape = self.shape(p.tensor_shape)
        guard let dims = shape.concrete else { throw TensorGraphError.invalidTensorData("\(context): tensor shape \(shape) is not fully defined") }
        var count = 1
        for d in dims {
            let (product, overflow) = count.multipliedReportingOverflow(by: d)
            guard !overflow, product <= maximumElements else {
                throw TensorGraphError.invalidTensorData("\(context): shape \(dims) is too large")
            }
            count = product
        }
        if p.tensor_content.len > 0 || count == 0 {
            guard p.tensor_content.len == count * dtype.byteCount else {
                throw TensorGraphError.invalidTensorData(
                    "\(context): tensor_content has \(p.tensor_content.len) bytes but \(dtype) shape \(dims) needs \(count * dtype.byteCount)")
            }
            return try Tensor(dtype: dtype, shape: dims, bytes: UnsafeRawBufferPointer(start: p.tensor_content.data, count: p.tensor_content.len))
        }
        func fill<S, T: TensorScalar>(_ values: UnsafeMutablePointer<S>?, _ n: Int, _ convert: (S) -> T) throws -> Tensor {
            guard n <= count else {
                throw TensorGraphError.invalidTensorData("\(context): \(n) values for a tensor of \(count) elements")
            }
            guard n > 0, let values else { return Tensor(zeros: dtype, shape: dims) }
            var out = [T]()
            out.reserveCapacity(count)
            for i in 0..<count { out.append(convert(values[Swift.min(i, n - 1)])) }
            return Tensor(shape: dims, scalars: out)
        }
        switch dtype {
        case .float: return try fill(p.float_val, p.n_float_val) { (v: Float) in v }
        case .double: return try fill(p.double_val, p.n_double_val) { (v: Double) in v }
        case .int32: return try fill(p.int_val, p.n_int_val) { (v: Int32) in v }
        case .uint8: return try fill(p.int_val, p.n_int_val) { (v: Int32) in UInt8(truncatingIfNeeded: v) }
        case .int64: return try fill(p.int64_val, p.n_int64_val) { (v: Int64) in v }
        case .bool: return try fill(p.bool_val, p.n_bool_val) { (v: protobuf_c_boolean) in v != 0 }
        }
    }
}
