import CTensorFlowProto

/// `ONNXModel` to and from ONNX's `ModelProto` wire format, through libprotobuf-c.
extension ONNXModel {
    /// The model as serialized `ModelProto` bytes. Deterministic: the same model gives the same
    /// bytes (nodes, initializers, inputs and outputs in order; each node's attributes sorted by name).
    public func serialized() throws -> [UInt8] {
        let arena = ProtoArena()
        var model = Onnx__ModelProto()
        onnx__model_proto__init(&model)
        model.ir_version = Int64(irVersion)
        let opset = arena.allocate(Onnx__OperatorSetIdProto.self)
        onnx__operator_set_id_proto__init(opset)
        opset.pointee.domain = arena.string("")
        opset.pointee.version = Int64(opsetVersion)
        model.n_opset_import = 1
        model.opset_import = arena.array([Optional(opset)])
        model.producer_name = arena.string(producerName)
        model.producer_version = arena.string(producerVersion)

        model.graph = Self.graphProto(ONNXGraph(name: graphName, nodes: nodes, initializers: initializers, inputs: inputs, outputs: outputs), arena)

        let size = onnx__model_proto__get_packed_size(&model)
        var bytes = [UInt8](repeating: 0, count: size)
        let written = bytes.withUnsafeMutableBufferPointer { onnx__model_proto__pack(&model, $0.baseAddress!) }
        guard written == size else { throw TensorGraphError.invalidArgument("ONNX ModelProto packing wrote \(written) of \(size) bytes") }
        return bytes
    }

    private static func graphProto(_ g: ONNXGraph, _ arena: ProtoArena) -> UnsafeMutablePointer<Onnx__GraphProto> {
        let graph = arena.allocate(Onnx__GraphProto.self)
        onnx__graph_proto__init(graph)
        graph.pointee.name = arena.string(g.name)
        graph.pointee.n_node = g.nodes.count
        graph.pointee.node = arena.array(g.nodes.map { Optional(nodeProto($0, arena)) })
        graph.pointee.n_initializer = g.initializers.count
        graph.pointee.initializer = arena.array(g.initializers.map { Optional(tensorProto($0, arena)) })
        graph.pointee.n_input = g.inputs.count
        graph.pointee.input = arena.array(g.inputs.map { Optional(valueInfoProto($0, arena)) })
        graph.pointee.n_output = g.outputs.count
        graph.pointee.output = arena.array(g.outputs.map { Optional(valueInfoProto($0, arena)) })
        return graph
    }

    private static func nodeProto(_ node: ONNXNode, _ arena: ProtoArena) -> UnsafeMutablePointer<Onnx__NodeProto> {
        let proto = arena.allocate(Onnx__NodeProto.self)
        onnx__node_proto__init(proto)
        proto.pointee.name = arena.string(node.name)
        proto.pointee.op_type = arena.string(node.opType)
        proto.pointee.domain = arena.string("")
        proto.pointee.n_input = node.inputs.count
        proto.pointee.input = arena.array(node.inputs.map { Optional(arena.string($0)) })
        proto.pointee.n_output = node.outputs.count
        proto.pointee.output = arena.array(node.outputs.map { Optional(arena.string($0)) })
        let attributes = node.attributes.sorted { $0.0 < $1.0 }
        proto.pointee.n_attribute = attributes.count
        proto.pointee.attribute = arena.array(attributes.map { Optional(attributeProto($0.0, $0.1, arena)) })
        return proto
    }

    private static func attributeProto(_ name: String, _ value: ONNXAttributeValue, _ arena: ProtoArena) -> UnsafeMutablePointer<Onnx__AttributeProto> {
        let proto = arena.allocate(Onnx__AttributeProto.self)
        onnx__attribute_proto__init(proto)
        proto.pointee.name = arena.string(name)
        switch value {
        case .int(let i):
            proto.pointee.type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT
            proto.pointee.i = Int64(i)
        case .float(let f):
            proto.pointee.type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT
            proto.pointee.f = f
        case .string(let s):
            proto.pointee.type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRING
            proto.pointee.s = bytes(Array(s.utf8), arena)
        case .ints(let v):
            proto.pointee.type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS
            proto.pointee.n_ints = v.count
            proto.pointee.ints = arena.array(v.map(Int64.init))
        case .floats(let v):
            proto.pointee.type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOATS
            proto.pointee.n_floats = v.count
            proto.pointee.floats = arena.array(v)
        case .tensor(let t):
            proto.pointee.type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__TENSOR
            proto.pointee.t = tensorProto(t, arena)
        case .graph(let g):
            proto.pointee.type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__GRAPH
            proto.pointee.g = graphProto(g, arena)
        }
        return proto
    }

    private static func bytes(_ data: [UInt8], _ arena: ProtoArena) -> ProtobufCBinaryData {
        data.withUnsafeBytes { arena.bytes($0.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!, count: data.count) }
    }

    private static func tensorProto(_ tensor: ONNXTensor, _ arena: ProtoArena) -> UnsafeMutablePointer<Onnx__TensorProto> {
        let proto = arena.allocate(Onnx__TensorProto.self)
        onnx__tensor_proto__init(proto)
        proto.pointee.name = arena.string(tensor.name)
        proto.pointee.data_type = tensor.dataType.rawValue
        proto.pointee.n_dims = tensor.dims.count
        proto.pointee.dims = arena.array(tensor.dims.map(Int64.init))
        proto.pointee.raw_data = bytes(tensor.rawData, arena)
        return proto
    }

    private static func valueInfoProto(_ info: ONNXValueInfo, _ arena: ProtoArena) -> UnsafeMutablePointer<Onnx__ValueInfoProto> {
        let tensorType = arena.allocate(Onnx__TypeProto__Tensor.self)
        onnx__type_proto__tensor__init(tensorType)
        tensorType.pointee.elem_type = info.elementType.rawValue
        if let dims = info.dims {
            let shape = arena.allocate(Onnx__TensorShapeProto.self)
            onnx__tensor_shape_proto__init(shape)
            shape.pointee.n_dim = dims.count
            shape.pointee.dim = arena.array(dims.map { d -> UnsafeMutablePointer<Onnx__TensorShapeProto__Dimension>? in
                let dim = arena.allocate(Onnx__TensorShapeProto__Dimension.self)
                onnx__tensor_shape_proto__dimension__init(dim)
                switch d {
                case .value(let v):
                    dim.pointee.value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE
                    dim.pointee.dim_value = Int64(v)
                case .param(let name):
                    dim.pointee.value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM
                    dim.pointee.dim_param = arena.string(name)
                case .unknown:
                    break
                }
                return dim
            })
            tensorType.pointee.shape = shape
        }
        var type = arena.allocate(Onnx__TypeProto.self)
        onnx__type_proto__init(type)
        type.pointee.value_case = ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE
        type.pointee.tensor_type = tensorType
        if info.isSequence {
            let sequence = arena.allocate(Onnx__TypeProto__Sequence.self)
            onnx__type_proto__sequence__init(sequence)
            sequence.pointee.elem_type = type
            type = arena.allocate(Onnx__TypeProto.self)
            onnx__type_proto__init(type)
            type.pointee.value_case = ONNX__TYPE_PROTO__VALUE_SEQUENCE_TYPE
            type.pointee.sequence_type = sequence
        }
        let proto = arena.allocate(Onnx__ValueInfoProto.self)
        onnx__value_info_proto__init(proto)
        proto.pointee.name = arena.string(info.name)
        proto.pointee.type = type
        return proto
    }
}

extension ONNXModel {
    /// Reads a `ModelProto` with the parts `serialized()` writes (used to check written files).
    ///
    /// - Throws: `invalidTensorData` for bytes that are not a ModelProto, a model without a graph,
    ///   an element type TensorGraph lacks, or an attribute kind not modelled here.
    public init(serialized bytes: [UInt8]) throws {
        guard let proto = bytes.withUnsafeBufferPointer({ onnx__model_proto__unpack(nil, $0.count, $0.baseAddress) }) else {
            throw TensorGraphError.invalidTensorData("not a valid ONNX ModelProto (truncated or corrupt protobuf, \(bytes.count) bytes)")
        }
        defer { onnx__model_proto__free_unpacked(proto, nil) }
        let m = proto.pointee
        guard let g = m.graph?.pointee else { throw TensorGraphError.invalidTensorData("ONNX model has no graph") }
        func text(_ p: UnsafeMutablePointer<CChar>?) -> String { p.map { String(cString: $0) } ?? "" }
        func data(_ b: ProtobufCBinaryData) -> [UInt8] { b.len == 0 ? [] : Array(UnsafeBufferPointer(start: b.data, count: b.len)) }
        func elementType(_ raw: Int32) throws -> ONNXDataType {
            guard let t = ONNXDataType(rawValue: raw) else { throw TensorGraphError.invalidTensorData("ONNX element type \(raw) is not supported") }
            return t
        }
        func tensor(_ t: Onnx__TensorProto) throws -> ONNXTensor {
            ONNXTensor(name: text(t.name), dataType: try elementType(t.data_type), dims: (0..<t.n_dims).map { Int(t.dims[$0]) }, rawData: data(t.raw_data))
        }
        func valueInfo(_ v: Onnx__ValueInfoProto) throws -> ONNXValueInfo {
            var type = v.type?.pointee
            let isSequence = type?.value_case == ONNX__TYPE_PROTO__VALUE_SEQUENCE_TYPE
            if isSequence { type = type?.sequence_type?.pointee.elem_type?.pointee }
            guard let type, type.value_case == ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE, let t = type.tensor_type?.pointee else {
                throw TensorGraphError.invalidTensorData("ONNX value '\(text(v.name))' is not a tensor or a sequence of tensors")
            }
            let dims = t.shape.map { s in (0..<s.pointee.n_dim).map { i -> ONNXDimension in
                let d = s.pointee.dim[i]!.pointee
                switch d.value_case {
                case ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE: return .value(Int(d.dim_value))
                case ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM: return .param(text(d.dim_param))
                default: return .unknown
                }
            } }
            return ONNXValueInfo(name: text(v.name), elementType: try elementType(t.elem_type), dims: dims, isSequence: isSequence)
        }
        func nodeList(_ g: Onnx__GraphProto, depth: Int) throws -> [ONNXNode] {
            guard depth < 64 else { throw TensorGraphError.invalidTensorData("ONNX subgraphs nested more than 64 deep") }
            var nodes: [ONNXNode] = []
            for i in 0..<g.n_node {
                guard let n = g.node[i]?.pointee else { continue }
                var attributes: [(String, ONNXAttributeValue)] = []
                for k in 0..<n.n_attribute {
                    guard let a = n.attribute[k]?.pointee else { continue }
                    let value: ONNXAttributeValue
                    switch a.type {
                    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT: value = .int(Int(a.i))
                    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT: value = .float(a.f)
                    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRING: value = .string(String(decoding: data(a.s), as: UTF8.self))
                    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS: value = .ints((0..<a.n_ints).map { Int(a.ints[$0]) })
                    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOATS: value = .floats((0..<a.n_floats).map { a.floats[$0] })
                    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__TENSOR:
                        guard let t = a.t?.pointee else { throw TensorGraphError.invalidTensorData("ONNX attribute '\(text(a.name))' has no tensor") }
                        value = .tensor(try tensor(t))
                    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__GRAPH:
                        guard let sub = a.g?.pointee else { throw TensorGraphError.invalidTensorData("ONNX attribute '\(text(a.name))' has no graph") }
                        value = .graph(ONNXGraph(name: text(sub.name), nodes: try nodeList(sub, depth: depth + 1),
                                                 initializers: try (0..<sub.n_initializer).compactMap { sub.initializer[$0]?.pointee }.map(tensor),
                                                 inputs: try (0..<sub.n_input).compactMap { sub.input[$0]?.pointee }.map(valueInfo),
                                                 outputs: try (0..<sub.n_output).compactMap { sub.output[$0]?.pointee }.map(valueInfo)))
                    default:
                        throw TensorGraphError.invalidTensorData("ONNX attribute '\(text(a.name))' has unsupported type \(a.type.rawValue)")
                    }
                    attributes.append((text(a.name), value))
                }
                nodes.append(ONNXNode(name: text(n.name), opType: text(n.op_type), inputs: (0..<n.n_input).map { text(n.input[$0]) },
                                      outputs: (0..<n.n_output).map { text(n.output[$0]) }, attributes: attributes))
            }
            return nodes
        }
        let nodes = try nodeList(g, depth: 0)
        let opset = (0..<m.n_opset_import).compactMap { m.opset_import[$0]?.pointee }.first { text($0.domain).isEmpty }
        self.init(irVersion: Int(m.ir_version), opsetVersion: Int(opset?.version ?? 0), producerName: text(m.producer_name),
                  producerVersion: text(m.producer_version), graphName: text(g.name), nodes: nodes,
                  initializers: try (0..<g.n_initializer).compactMap { g.initializer[$0]?.pointee }.map(tensor),
                  inputs: try (0..<g.n_input).compactMap { g.input[$0]?.pointee }.map(valueInfo),
                  outputs: try (0..<g.n_output).compactMap { g.output[$0]?.pointee }.map(valueInfo))
    }
}
