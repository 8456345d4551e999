/// Decoding a node's attributes against its op's schema (see `OpSchema.swift`), once per node.
extension Op {
    /// The schema's attributes as TensorFlow's `OpDef.attr` lists them: name, kind, default (nil when required).
    public static var attributeDefinitions: [(name: String, kind: AttrKind, defaultValue: AttrValue?)] {
        let defaults = Attrs.defaults
        return Attrs.fields.map { ($0.name, $0.kind, $0.isRequired ? nil : $0.read(defaults)) }
    }

    /// Validates `given` against the schema and the inputs' dtypes, infers type and list-length
    /// attributes the inputs imply, and returns the decoded struct plus the complete attribute map
    /// (every declared attribute, defaults included, and any `_`-prefixed internal ones TF allows).
    static func decodeAttributes(_ given: Attributes, inputs: [TensorSpec],
                                 fail: (String) -> TensorGraphError) throws -> (AttributeBox, Attributes) {
        let fields = Attrs.fields
        for key in given.keys where !key.hasPrefix("_") && !fields.contains(where: { $0.name == key }) {
            let known = fields.map(\.name).joined(separator: ", ")
            throw fail("unknown attribute '\(key)' (\(wireName) has \(known.isEmpty ? "none" : known))")
        }
        var attrs = given
        try Self.inferArgumentAttributes(&attrs, inputs: inputs, fail: fail)

        var value = Attrs.defaults
        for field in fields {
            guard let v = attrs[field.name] else {
                if field.isRequired { throw fail("missing required attribute '\(field.name)' (\(field.kind.rawValue))") }
                continue
            }
            guard field.kind.admits(v) else {
                throw fail("attribute '\(field.name)' must be \(field.kind.rawValue), got \(v)")
            }
            if let allowed = field.allowed, !allowed.contains(v) {
                throw fail("attribute '\(field.name)' is \(v); allowed: \(allowed.map(\.description).joined(separator: ", "))")
            }
            field.write(&value, v)
        }
        do {
            try value.validate()
        } catch {
            throw fail("attribute '\(error.attribute)': \(error.message)")
        }
        var complete = Attributes()
        for field in fields { complete[field.name] = field.read(value) }
        for (key, v) in given.entries where key.hasPrefix("_") { complete[key] = v }
        return (TypedAttributeBox(value), complete)
    }

    /// A builder's attribute struct as a node's attribute map, without the attributes the inputs
    /// determine (type attributes of the declared inputs, and the length of a single list input),
    /// which decoding infers.
    static func builderAttributes(_ attrs: Attrs) -> Attributes {
        var inferred = Set<String>()
        let lists = Self.inputs.compactMap(\.countAttribute)
        if lists.count == 1 { inferred.insert(lists[0]) }
        for arg in Self.inputs {
            if case .attribute(let name) = arg.element { inferred.insert(name) }
        }
        var result = Attributes()
        for field in Attrs.fields where !inferred.contains(field.name) { result[field.name] = field.read(attrs) }
        return result
    }

    /// Checks the inputs against the declared arguments (count, fixed dtypes, one dtype per type
    /// attribute, one dtype per entry of a `list(type)` attribute) and fills in type attributes, type
    /// lists and list lengths (`T`, `N`) the builder left out.
    private static func inferArgumentAttributes(_ attrs: inout Attributes, inputs: [TensorSpec],
                                                fail: (String) -> TensorGraphError) throws {
        let args = Self.inputs
        // An argument typed by a `list(type)` attribute (IdentityN's `input: T`) is a list of its own.
        let typeLists = Set(Attrs.fields.filter { $0.kind == .types }.map(\.name))
        func typeList(_ arg: ArgDef) -> String? {
            if arg.countAttribute == nil, case .attribute(let name) = arg.element, typeLists.contains(name) { return name }
            return nil
        }
        let lists = args.filter { $0.countAttribute != nil || typeList($0) != nil }
        // A single list argument takes whatever inputs the others leave.
        let rest = inputs.count - (args.count - 1)
        if lists.count == 1, let n = lists[0].countAttribute, attrs[n] == nil { attrs[n] = .int(rest) }
        var counts: [Int] = []
        for arg in args {
            if let n = arg.countAttribute {
                guard case .int(let count)? = attrs[n], count >= 0 else { throw fail("list length '\(n)' must be a non-negative int") }
                counts.append(count)
            } else if let name = typeList(arg) {
                if case .types(let types)? = attrs[name] {
                    counts.append(types.count)
                } else if lists.count == 1, rest >= 0 {
                    counts.append(rest)
                } else {
                    throw fail("type list '\(name)' must be given")
                }
            } else {
                counts.append(1)
            }
        }
        let expected = counts.reduce(0, +)
        guard inputs.count == expected else {
            throw fail("expected \(expected) inputs (\(args.map(\.description).joined(separator: ", "))), got \(inputs.count)")
        }
        var position = 0
        for (arg, count) in zip(args, counts) {
            let dtypes = inputs[position..<(position + count)].map(\.dtype)
            if let name = typeList(arg) {
                if case .types(let declared)? = attrs[name], declared != dtypes {
                    throw fail("inputs \(position)..<\(position + count) ('\(arg.name)') are \(dtypes) but \(name) is \(declared)")
                }
                attrs[name] = .types(dtypes)
                position += count
                continue
            }
            for dtype in dtypes {
                switch arg.element {
                case .fixed(let d) where d != dtype:
                    throw fail("input \(position) ('\(arg.name)') must be \(d), got \(dtype)")
                case .attribute(let name):
                    if case .type(let t)? = attrs[name], t != dtype {
                        throw fail("input \(position) ('\(arg.name)') is \(dtype) but \(name) is \(t)")
                    }
                    attrs[name] = .type(dtype)
                default:
                    break
                }
                position += 1
            }
        }
    }
}
