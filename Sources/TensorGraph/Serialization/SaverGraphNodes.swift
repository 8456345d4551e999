import CTensorFlowProto

/// The NodeDefs `tf.compat.v1.train.Saver` adds to a graph, built for a MetaGraphDef export.
///
/// TensorFlow restores a MetaGraphDef's variables by running these nodes (`SaverDef`): it feeds the
/// checkpoint prefix to `save/Const:0` and runs `save/restore_all`. TensorGraph has no string
/// tensors, so the nodes are written straight into the exported GraphDef rather than built as
/// graph operations; the layout is the one TF1's `BaseSaverBuilder` makes (unsharded, V2):
///
///     save/filename/input    Const "model"                       (string scalar)
///     save/filename          PlaceholderWithDefault(save/filename/input)
///     save/Const             PlaceholderWithDefault(save/filename)   ← filename_tensor_name
///     save/SaveV2            SaveV2(save/Const, tensor_names, shape_and_slices, variables...)
///     save/control_dependency Identity(save/Const, ^save/SaveV2)  ← save_tensor_name
///     save/RestoreV2         RestoreV2(save/Const, tensor_names, shape_and_slices) → dtypes
///     save/Assign, save/Assign_1, ...  Assign(variable, save/RestoreV2:i)
///     save/restore_all       NoOp(^save/Assign, ...)              ← restore_op_name
struct SaverGraphNodes {
    /// The name scope: `save`, or `save_1`, `save_2`, ... when the graph already uses it.
    let scope: String
    /// The NodeDefs, in the order above.
    let nodes: [UnsafeMutablePointer<Tensorflow__NodeDef>]
    /// The `SaverDef` naming them.
    let saverDef: UnsafeMutablePointer<Tensorflow__SaverDef>

    init(saver: Saver, graph: Graph, arena: ProtoArena) {
        var scope = "save"
        var suffix = 0
        let names = graph.nodes.map(\.name)
        while names.contains(where: { $0 == scope || $0.hasPrefix(scope + "/") }) {
            suffix += 1
            scope = "save_\(suffix)"
        }
        self.scope = scope
        let builder = NodeDefBuilder(graph: graph, arena: arena)
        let count = saver.variables.count
        let dtypes = saver.variables.map(\.dtype)
        var nodes = [
            builder.node("\(scope)/filename/input", op: "Const", attrs: [
                ("dtype", builder.stringType()), ("value", builder.stringTensor(["model"], shape: []))]),
            builder.node("\(scope)/filename", op: "PlaceholderWithDefault", inputs: ["\(scope)/filename/input"], attrs: [
                ("dtype", builder.stringType()), ("shape", builder.attr(.shape(TensorShape([]))))]),
            builder.node("\(scope)/Const", op: "PlaceholderWithDefault", inputs: ["\(scope)/filename"], attrs: [
                ("dtype", builder.stringType()), ("shape", builder.attr(.shape(TensorShape([]))))]),
        ]
        for op in ["SaveV2", "RestoreV2"] {
            nodes.append(builder.node("\(scope)/\(op)/tensor_names", op: "Const", attrs: [
                ("dtype", builder.stringType()), ("value", builder.stringTensor(saver.keys, shape: [count]))]))
            nodes.append(builder.node("\(scope)/\(op)/shape_and_slices", op: "Const", attrs: [
                ("dtype", builder.stringType()), ("value", builder.stringTensor(Array(repeating: "", count: count), shape: [count]))]))
        }
        let head = ["\(scope)/Const", "\(scope)/SaveV2/tensor_names", "\(scope)/SaveV2/shape_and_slices"]
        nodes.append(builder.node("\(scope)/SaveV2", op: "SaveV2", inputs: head + saver.variables.map(\.name),
                                  attrs: [("dtypes", builder.attr(.types(dtypes)))]))
        nodes.append(builder.node("\(scope)/control_dependency", op: "Identity", inputs: ["\(scope)/Const", "^\(scope)/SaveV2"],
                                  attrs: [("T", builder.stringType())]))
        nodes.append(builder.node("\(scope)/RestoreV2", op: "RestoreV2",
                                  inputs: ["\(scope)/Const", "\(scope)/RestoreV2/tensor_names", "\(scope)/RestoreV2/shape_and_slices"],
                                  attrs: [("dtypes", builder.attr(.types(dtypes)))]))
        var assigns: [String] = []
        for (i, variable) in saver.variables.enumerated() {
            let name = i == 0 ? "\(scope)/Assign" : "\(scope)/Assign_\(i)"
            assigns.append(name)
            nodes.append(builder.node(name, op: "Assign", inputs: [variable.name, i == 0 ? "\(scope)/RestoreV2" : "\(scope)/RestoreV2:\(i)"], attrs: [
                ("T", builder.attr(.type(variable.dtype))), ("use_locking", builder.attr(.bool(true))),
                ("validate_shape", builder.attr(.bool(true)))]))
        }
        nodes.append(builder.node("\(scope)/restore_all", op: "NoOp", inputs: assigns.map { "^" + $0 }))
        self.nodes = nodes

        let def = arena.allocate(Tensorflow__SaverDef.self)
        tensorflow__saver_def__init(def)
        def.pointee.filename_tensor_name = arena.string("\(scope)/Const:0")
        def.pointee.save_tensor_name = arena.string("\(scope)/control_dependency:0")
        def.pointee.restore_op_name = arena.string("\(scope)/restore_all")
        // tf.compat.v1.train.Saver's defaults.
        def.pointee.max_to_keep = 5
        def.pointee.keep_checkpoint_every_n_hours = 10000
        def.pointee.version = TENSORFLOW__SAVER_DEF__CHECKPOINT_FORMAT_VERSION__V2
        saverDef = def
    }
}

/// NodeDefs written directly as protos, for nodes TensorGraph cannot hold (string tensors).
struct NodeDefBuilder {
    let graph: Graph
    let arena: ProtoArena

    /// A NodeDef; `attrs` are written in the order given, which callers keep sorted by name as TF does.
    func node(_ name: String, op: String, inputs: [String] = [],
              attrs: [(String, UnsafeMutablePointer<Tensorflow__AttrValue>)] = []) -> UnsafeMutablePointer<Tensorflow__NodeDef> {
        let def = arena.allocate(Tensorflow__NodeDef.self)
        tensorflow__node_def__init(def)
        def.pointee.name = arena.string(name)
        def.pointee.op = arena.string(op)
        def.pointee.device = arena.string("")
        def.pointee.n_input = inputs.count
        def.pointee.input = arena.array(inputs.map { Optional(arena.string($0)) })
        let entries = attrs.sorted { $0.0 < $1.0 }.map { key, value -> UnsafeMutablePointer<Tensorflow__NodeDef__AttrEntry>? in
            let entry = arena.allocate(Tensorflow__NodeDef__AttrEntry.self)
            tensorflow__node_def__attr_entry__init(entry)
            entry.pointee.key = arena.string(key)
            entry.pointee.value = value
            return entry
        }
        def.pointee.n_attr = entries.count
        def.pointee.attr = arena.array(entries)
        return def
    }

    /// An attribute TensorGraph can express, encoded as the GraphDef exporter does.
    func attr(_ value: AttrValue) -> UnsafeMutablePointer<Tensorflow__AttrValue> { graph.attrValue(value, arena) }

    /// `type: DT_STRING`.
    func stringType() -> UnsafeMutablePointer<Tensorflow__AttrValue> {
        let proto = arena.allocate(Tensorflow__AttrValue.self)
        tensorflow__attr_value__init(proto)
        proto.pointee.value_case = TENSORFLOW__ATTR_VALUE__VALUE_TYPE
        proto.pointee.type = TENSORFLOW__DATA_TYPE__DT_STRING
        return proto
    }

    /// `tensor:` a DT_STRING tensor of `values` (`string_val`, one per element) and `shape`.
    func stringTensor(_ values: [String], shape: [Int]) -> UnsafeMutablePointer<Tensorflow__AttrValue> {
        let tensor = arena.allocate(Tensorflow__TensorProto.self)
        tensorflow__tensor_proto__init(tensor)
        tensor.pointee.dtype = TENSORFLOW__DATA_TYPE__DT_STRING
        tensor.pointee.tensor_shape = ProtoConversion.shapeProto(TensorShape(shape), arena)
        tensor.pointee.n_string_val = values.count
        tensor.pointee.string_val = arena.array(values.map(binary))
        let proto = arena.allocate(Tensorflow__AttrValue.self)
        tensorflow__attr_value__init(proto)
        proto.pointee.value_case = TENSORFLOW__ATTR_VALUE__VALUE_TENSOR
        proto.pointee.tensor = tensor
        return proto
    }

    /// `string` as protobuf `bytes`.
    func binary(_ string: String) -> ProtobufCBinaryData {
        let utf8 = Array(string.utf8)
        return utf8.withUnsafeBytes { raw in
            guard let base = raw.baseAddress else { return ProtobufCBinaryData(len: 0, data: nil) }
            return arena.bytes(base, count: raw.count)
        }
    }
}
