/// An ONNX model as plain Swift values: what `ONNXExport` builds and what `serialized()` writes as
/// ONNX's `ModelProto` (`Protos/onnx.proto`, ONNX's own field numbers).
///
/// Only the parts the exporter writes are modelled: one graph of default-domain nodes, dense
/// initializers in `raw_data`, and tensor-typed inputs and outputs.
public struct ONNXModel: Equatable, Sendable {
    /// `ModelProto.ir_version` (8 for opset 17).
    public var irVersion: Int
    /// The default-domain opset imported (`opset_import { domain: "" version: ... }`).
    public var opsetVersion: Int
    /// `ModelProto.producer_name`, e.g. `TensorGraph`.
    public var producerName: String
    /// `ModelProto.producer_version`.
    public var producerVersion: String
    /// `GraphProto.name`.
    public var graphName: String
    /// The nodes in a topological order, as ONNX requires.
    public var nodes: [ONNXNode]
    /// Constant tensors (`GraphProto.initializer`), each named by the value it defines.
    public var initializers: [ONNXTensor]
    /// The graph's inputs (placeholders), without the initializers.
    public var inputs: [ONNXValueInfo]
    /// The graph's outputs.
    public var outputs: [ONNXValueInfo]
}

/// An ONNX element type (`TensorProto.DataType`), for the dtypes TensorGraph has.
public enum ONNXDataType: Int32, Sendable {
    /// `FLOAT` (float32).
    case float = 1
    /// `UINT8`.
    case uint8 = 2
    /// `INT32`.
    case int32 = 6
    /// `INT64`.
    case int64 = 7
    /// `BOOL`.
    case bool = 9
    /// `DOUBLE` (float64).
    case double = 11

    /// The ONNX type of a TensorGraph dtype (every dtype has one).
    public init(_ dtype: DType) {
        switch dtype {
        case .float: self = .float
        case .double: self = .double
        case .int32: self = .int32
        case .int64: self = .int64
        case .uint8: self = .uint8
        case .bool: self = .bool
        }
    }
}

/// One dimension of an input's or output's shape: a size, or a symbolic name (`N` for the batch).
public enum ONNXDimension: Equatable, Sendable {
    /// `dim_value`: a fixed size.
    case value(Int)
    /// `dim_param`: a size fixed only when the model runs, named so equal names mean equal sizes.
    case param(String)
    /// Neither set: a size nothing is known about.
    case unknown
}

/// A graph input or output: name, element type and (when known) shape (`ValueInfoProto`).
public struct ONNXValueInfo: Equatable, Sendable {
    /// The value's name.
    public var name: String
    /// The element type (of the elements of the sequence's tensors for a sequence).
    public var elementType: ONNXDataType
    /// The dimensions; nil when the rank is unknown (no `shape` is written).
    public var dims: [ONNXDimension]?
    /// True for a sequence of tensors (`sequence_type`, how a TensorFlow TensorList is exported).
    public var isSequence = false
}

/// A subgraph (`GraphProto` in a `GRAPH` attribute): an `If` branch or a `Loop` body. Names of the
/// enclosing graphs are visible in it; its own names are unique across all of them (ONNX's SSA rule).
public struct ONNXGraph: Equatable, Sendable {
    /// `GraphProto.name`.
    public var name: String
    /// The nodes in a topological order.
    public var nodes: [ONNXNode]
    /// The subgraph's own constants.
    public var initializers: [ONNXTensor]
    /// The inputs (none for an `If` branch; iteration, condition and loop-carried values for a `Loop` body).
    public var inputs: [ONNXValueInfo]
    /// The outputs.
    public var outputs: [ONNXValueInfo]
}

/// A dense tensor (`TensorProto`) with its elements as little-endian `raw_data`.
public struct ONNXTensor: Equatable, Sendable {
    /// The name of the value it defines.
    public var name: String
    /// The element type.
    public var dataType: ONNXDataType
    /// The concrete shape (`[]` for a scalar).
    public var dims: [Int]
    /// The elements, row-major, little-endian (booleans one byte each).
    public var rawData: [UInt8]

    /// Builds an ONNX tensor holding `tensor`'s elements.
    public init(name: String, _ tensor: Tensor) {
        self.init(name: name, dataType: ONNXDataType(tensor.dtype), dims: tensor.shape, rawData: tensor.bytes)
    }

    /// Builds an ONNX tensor from its fields.
    public init(name: String, dataType: ONNXDataType, dims: [Int], rawData: [UInt8]) {
        self.name = name
        self.dataType = dataType
        self.dims = dims
        self.rawData = rawData
    }
}

/// A node attribute (`AttributeProto`) of the kinds the exporter writes.
public enum ONNXAttributeValue: Equatable, Sendable {
    /// `INT`.
    case int(Int)
    /// `FLOAT`.
    case float(Float)
    /// `STRING` (UTF-8).
    case string(String)
    /// `INTS`.
    case ints([Int])
    /// `FLOATS`.
    case floats([Float])
    /// `TENSOR` (e.g. `ConstantOfShape`'s `value`).
    case tensor(ONNXTensor)
    /// `GRAPH`: a subgraph (`If`'s `then_branch`/`else_branch`, `Loop`'s `body`).
    indirect case graph(ONNXGraph)
}

/// One node (`NodeProto`) of the default ONNX domain.
public struct ONNXNode: Equatable, Sendable {
    /// A unique node name (derived from the TensorFlow node it comes from).
    public var name: String
    /// The ONNX operator, e.g. `Conv`.
    public var opType: String
    /// Input value names; an empty string is an omitted optional input.
    public var inputs: [String]
    /// Output value names.
    public var outputs: [String]
    /// Attributes in the order they were given (sorted by name when serialized).
    public var attributes: [(String, ONNXAttributeValue)]

    /// Equal when all fields and attributes (in order) are equal.
    public static func == (a: ONNXNode, b: ONNXNode) -> Bool {
        a.name == b.name && a.opType == b.opType && a.inputs == b.inputs && a.outputs == b.outputs
            && a.attributes.count == b.attributes.count && zip(a.attributes, b.attributes).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
    }

    /// The attribute named `name`, or nil.
    public func attribute(_ name: String) -> ONNXAttributeValue? { attributes.first { $0.0 == name }?.1 }
}

extension ONNXModel {
    /// The ONNX operator types used, in node order without repeats (subgraphs' after their node's).
    public var opTypes: [String] {
        var seen = Set<String>()
        func walk(_ nodes: [ONNXNode]) -> [String] {
            nodes.flatMap { node in
                [node.opType] + node.attributes.flatMap { attribute -> [String] in
                    if case .graph(let g) = attribute.1 { return walk(g.nodes) }
                    return []
                }
            }
        }
        return walk(nodes).filter { seen.insert($0).inserted }
    }

    /// The initializer named `name`, or nil.
    public func initializer(named name: String) -> ONNXTensor? { initializers.first { $0.name == name } }
}
