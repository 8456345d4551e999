import Foundation

/// A minimal protobuf writer for GraphDefs no well-behaved producer writes: negative enum values,
/// `name:-1` inputs, strides near `Int.max`. Field numbers are those of TensorFlow's
/// `graph.proto`, `node_def.proto`, `attr_value.proto`, `tensor.proto` and `tensor_shape.proto`.
struct ProtoMessage {
    private(set) var bytes: [UInt8] = []

    private mutating func varint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(v & 0x7F) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    /// A varint field; negative values take ten bytes, as protobuf writes int32/int64/enum.
    mutating func int(_ field: Int, _ value: Int64) {
        varint(UInt64(field << 3))
        varint(UInt64(bitPattern: value))
    }

    /// A length-delimited field (string, bytes, submessage, packed list).
    mutating func bytes(_ field: Int, _ payload: [UInt8]) {
        varint(UInt64(field << 3 | 2))
        varint(UInt64(payload.count))
        bytes += payload
    }

    mutating func string(_ field: Int, _ text: String) { bytes(field, Array(text.utf8)) }
    mutating func message(_ field: Int, _ build: (inout ProtoMessage) -> Void) {
        var m = ProtoMessage()
        build(&m)
        bytes(field, m.bytes)
    }
    /// A packed repeated varint field.
    mutating func packed(_ field: Int, _ values: [Int64]) {
        var m = ProtoMessage()
        for v in values { m.varint(UInt64(bitPattern: v)) }
        bytes(field, m.bytes)
    }
    /// A packed repeated float field.
    mutating func packedFloats(_ field: Int, _ values: [Float]) {
        bytes(field, values.flatMap { withUnsafeBytes(of: $0.bitPattern.littleEndian, Array.init) })
    }
}

/// One NodeDef of a hostile GraphDef.
struct HostileNode {
    var name: String
    var op: String
    var inputs: [String] = []
    /// Attributes as `AttrValue` messages.
    var attrs: [(String, (inout ProtoMessage) -> Void)] = []

    static func type(_ raw: Int64) -> (inout ProtoMessage) -> Void { { $0.int(6, raw) } }
    static func ints(_ values: [Int64]) -> (inout ProtoMessage) -> Void { { m in m.message(1) { $0.packed(3, values) } } }
    static func string(_ text: String) -> (inout ProtoMessage) -> Void { { $0.string(2, text) } }
    static func shape(_ dims: [Int64]) -> (inout ProtoMessage) -> Void {
        { m in m.message(7) { s in for d in dims { s.message(2) { $0.int(1, d) } } } }
    }
    /// A TensorProto attribute: `dtype`, shape, and `float_val` or `int_val` values.
    static func tensor(dtype: Int64, dims: [Int64], floats: [Float] = [], ints: [Int64] = []) -> (inout ProtoMessage) -> Void {
        { m in
            m.message(8) { t in
                t.int(1, dtype)
                t.message(2) { s in for d in dims { s.message(2) { $0.int(1, d) } } }
                if !floats.isEmpty { t.packedFloats(5, floats) }
                if !ints.isEmpty { t.packed(7, ints) }
            }
        }
    }

    static func placeholder(_ name: String, dtype: Int64 = 1, dims: [Int64]) -> HostileNode {
        HostileNode(name: name, op: "Placeholder", attrs: [("dtype", type(dtype)), ("shape", shape(dims))])
    }
    static func const(_ name: String, dtype: Int64 = 1, dims: [Int64], floats: [Float] = [], ints: [Int64] = []) -> HostileNode {
        HostileNode(name: name, op: "Const", attrs: [("dtype", type(dtype)), ("value", tensor(dtype: dtype, dims: dims, floats: floats, ints: ints))])
    }
    static func unary(_ name: String, _ op: String, _ input: String, dtype: Int64 = 1) -> HostileNode {
        HostileNode(name: name, op: op, inputs: [input], attrs: [("T", type(dtype))])
    }
}

/// Serialized GraphDef bytes of `nodes`.
func hostileGraphDef(_ nodes: [HostileNode]) -> [UInt8] {
    var graph = ProtoMessage()
    for node in nodes {
        graph.message(1) { n in
            n.string(1, node.name)
            n.string(2, node.op)
            for input in node.inputs { n.string(3, input) }
            for (key, value) in node.attrs {
                n.message(5) { entry in
                    entry.string(1, key)
                    entry.message(2, value)
                }
            }
        }
    }
    return graph.bytes
}

/// TF `DataType` values used by the hostile graphs.
enum WireType {
    static let float: Int64 = 1, int32: Int64 = 3, uint8: Int64 = 4, int64: Int64 = 9
}
