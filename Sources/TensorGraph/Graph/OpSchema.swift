/// The typed op schema: what TensorFlow's `REGISTER_OP(...)` declares, once per op.
///
/// An op names its inputs and outputs with the type attribute that constrains them
/// (`"a: T"`, `"indices: Tidx"`, `"values: N * T"`, `"ref: Ref(T)"`, `"y: int32"`) and its
/// attributes as a Swift struct whose fields list TF's names, kinds and defaults:
///
/// ```swift
/// public struct Attrs: OpAttributes {
///     public var T: DType = .float
///     public var transposeA = false
///     public static let defaults = Attrs()
///     public static let fields: [AttrField<Attrs>] = [
///         .type("T", \.T, oneOf: .floats), .bool("transpose_a", \.transposeA)]
/// }
/// ```
///
/// Builders use the struct's memberwise initializer (`MatMul.Attrs(transposeA: true)`); type
/// attributes that inputs determine (`T`) are filled in from the inputs, not from the struct.
/// ```
/// ```
///
/// `Graph.addNode` decodes a node's attributes into that struct once (at build or import),
/// rejecting unknown names, wrong kinds, missing required values and types outside the
/// allowed set with an error naming op, node and attribute; it infers type attributes
/// left out by a builder from the inputs; and it stores every attribute, defaults included,
/// so GraphDef export writes what TensorFlow writes. Shape inference, kernel, gradient and
/// export all read the one decoded struct (`attributes(MatMul.self)`).

/// The kind of a TensorFlow attribute (`AttrDef.type`).
public enum AttrKind: String, Sendable {
    /// Scalar kinds; the raw value is TF's `AttrDef.type` spelling.
    case type, shape, int, float, bool, string, tensor
    /// List kinds, spelled `list(...)` as in TF.
    case ints = "list(int)", floats = "list(float)", types = "list(type)", strings = "list(string)"
    /// A function of the graph's library (TF `func`) and a list of shapes (TF `list(shape)`).
    case function = "func", shapes = "list(shape)"

    /// Whether `value` has this kind. An empty list (TF writes `list {}`) fits every list kind.
    func admits(_ value: AttrValue) -> Bool {
        switch (self, value) {
        case (.type, .type), (.shape, .shape), (.int, .int), (.float, .float), (.bool, .bool), (.string, .string),
             (.tensor, .tensor), (.ints, .ints), (.floats, .floats), (.types, .types), (.strings, .strings),
             (.function, .function), (.shapes, .shapes): return true
        case (.floats, .ints([])), (.types, .ints([])), (.strings, .ints([])), (.shapes, .ints([])): return true
        default: return false
        }
    }
}

/// One declared attribute of an op's attribute struct: TF name, kind, default and allowed values.
public struct AttrField<Root>: Sendable {
    /// The attribute's TensorFlow name, e.g. `transpose_a`.
    public let name: String
    /// The value kind a node must supply for it.
    public let kind: AttrKind
    /// True when TensorFlow gives no default (the node must carry it, or, for a type attribute, an input must imply it).
    public let isRequired: Bool
    /// Allowed values (TF's `T: {float, double}` or `padding: {"SAME", "VALID"}`); nil allows any.
    public let allowed: [AttrValue]?
    let read: @Sendable (Root) -> AttrValue
    let write: @Sendable (inout Root, AttrValue) -> Void

    init(_ name: String, _ kind: AttrKind, required: Bool, allowed: [AttrValue]?,
         read: @escaping @Sendable (Root) -> AttrValue, write: @escaping @Sendable (inout Root, AttrValue) -> Void) {
        (self.name, self.kind, self.isRequired, self.allowed, self.read, self.write) = (name, kind, required, allowed, read, write)
    }

    /// A dtype attribute, required by default (inputs usually imply it); `oneOf` restricts the allowed dtypes.
    public static func type(_ name: String, _ path: WritableKeyPath<Root, DType> & Sendable, oneOf: [DType]? = nil,
                            required: Bool = true) -> Self {
        Self(name, .type, required: required, allowed: oneOf?.map { .type($0) },
             read: { .type($0[keyPath: path]) }, write: { if case .type(let v) = $1 { $0[keyPath: path] = v } })
    }
    /// A bool attribute; never required, its default is the struct field's initial value.
    public static func bool(_ name: String, _ path: WritableKeyPath<Root, Bool> & Sendable) -> Self {
        Self(name, .bool, required: false, allowed: nil,
             read: { .bool($0[keyPath: path]) }, write: { if case .bool(let v) = $1 { $0[keyPath: path] = v } })
    }
    /// An int attribute; optional (struct default) unless `required`.
    public static func int(_ name: String, _ path: WritableKeyPath<Root, Int> & Sendable, required: Bool = false) -> Self {
        Self(name, .int, required: required, allowed: nil,
             read: { .int($0[keyPath: path]) }, write: { if case .int(let v) = $1 { $0[keyPath: path] = v } })
    }
    /// A float attribute; optional (struct default) unless `required`.
    public static func float(_ name: String, _ path: WritableKeyPath<Root, Float> & Sendable, required: Bool = false) -> Self {
        Self(name, .float, required: required, allowed: nil,
             read: { .float($0[keyPath: path]) }, write: { if case .float(let v) = $1 { $0[keyPath: path] = v } })
    }
    /// A string attribute; `oneOf` restricts its values (`padding: {"SAME", "VALID"}`); optional unless `required`.
    public static func string(_ name: String, _ path: WritableKeyPath<Root, String> & Sendable, oneOf: [String]? = nil,
                              required: Bool = false) -> Self {
        Self(name, .string, required: required, allowed: oneOf?.map { .string($0) },
             read: { .string($0[keyPath: path]) }, write: { if case .string(let v) = $1 { $0[keyPath: path] = v } })
    }
    /// A shape attribute; optional (struct default) unless `required`.
    public static func shape(_ name: String, _ path: WritableKeyPath<Root, TensorShape> & Sendable, required: Bool = false) -> Self {
        Self(name, .shape, required: required, allowed: nil,
             read: { .shape($0[keyPath: path]) }, write: { if case .shape(let v) = $1 { $0[keyPath: path] = v } })
    }
    /// A tensor attribute (Const's `value`); always required.
    public static func tensor(_ name: String, _ path: WritableKeyPath<Root, Tensor> & Sendable) -> Self {
        Self(name, .tensor, required: true, allowed: nil,
             read: { .tensor($0[keyPath: path]) }, write: { if case .tensor(let v) = $1 { $0[keyPath: path] = v } })
    }
    /// A `list(int)` attribute; optional (struct default) unless `required`.
    public static func ints(_ name: String, _ path: WritableKeyPath<Root, [Int]> & Sendable, required: Bool = false) -> Self {
        Self(name, .ints, required: required, allowed: nil,
             read: { .ints($0[keyPath: path]) }, write: { if case .ints(let v) = $1 { $0[keyPath: path] = v } })
    }
    /// A `list(type)` attribute; an empty `list {}` (read as `.ints([])`) decodes to `[]`.
    public static func types(_ name: String, _ path: WritableKeyPath<Root, [DType]> & Sendable, required: Bool = false) -> Self {
        Self(name, .types, required: required, allowed: nil, read: { .types($0[keyPath: path]) }, write: {
            if case .types(let v) = $1 { $0[keyPath: path] = v } else if case .ints([]) = $1 { $0[keyPath: path] = [] }
        })
    }
    /// A `list(string)` attribute, never required; an empty `list {}` decodes to `[]`.
    public static func strings(_ name: String, _ path: WritableKeyPath<Root, [String]> & Sendable) -> Self {
        Self(name, .strings, required: false, allowed: nil, read: { .strings($0[keyPath: path]) }, write: {
            if case .strings(let v) = $1 { $0[keyPath: path] = v } else if case .ints([]) = $1 { $0[keyPath: path] = [] }
        })
    }
}

/// An op's attributes as a typed struct: `defaults` holds TensorFlow's defaults, `fields` the declarations.
public protocol OpAttributes: Sendable {
    /// Every field at TF's default (required fields at a placeholder that decoding always overwrites).
    static var defaults: Self { get }
    /// The declared attributes, in TF's order; decoding rejects any name not listed (except `_`-prefixed ones).
    static var fields: [AttrField<Self>] { get }
    /// Checks that relate several fields or need more than an allowed-value list (`strides` of 4
    /// positive ints, ...); the message names the attribute.
    func validate() throws(AttributeError)
}

extension OpAttributes {
    public func validate() throws(AttributeError) {}
}

/// A problem with one attribute, raised by `OpAttributes.validate` and turned into an error naming op and node.
public struct AttributeError: Error {
    /// TF name of the offending attribute.
    public let attribute: String
    /// What is wrong with its value.
    public let message: String
    /// An error about `attribute`, e.g. `AttributeError("strides", "must have 4 elements")`.
    public init(_ attribute: String, _ message: String) { (self.attribute, self.message) = (attribute, message) }
}

/// Ops without attributes (`NoOp`).
public struct NoAttributes: OpAttributes {
    public static let defaults = NoAttributes()
    public static let fields: [AttrField<NoAttributes>] = []
}

/// The allowed element types of a type attribute, as a type so one attribute struct serves many ops.
public protocol DTypeSet { static var types: [DType] { get } }
/// `{float, double}`: TensorGraph's float kernels.
public enum FloatTypes: DTypeSet { public static let types: [DType] = [.float, .double] }
/// `{float, double, int32, int64}`: arithmetic that also runs on integers.
public enum NumericTypes: DTypeSet { public static let types: [DType] = [.float, .double, .int32, .int64] }
/// `{int32, int64}`: index and shape operands.
public enum IndexTypes: DTypeSet { public static let types: [DType] = [.int32, .int64] }
/// Every dtype TensorGraph has.
public enum AnyTypes: DTypeSet { public static let types: [DType] = DType.allCases }

/// The attributes of the many ops whose only attribute is the element type `T`.
public struct TypeAttributes<Allowed: DTypeSet>: OpAttributes {
    /// The element type (TF's `T`), filled in from the inputs when a builder leaves it out.
    public var T: DType = .float
    public static var defaults: Self { Self() }
    public static var fields: [AttrField<Self>] { [.type("T", \.T, oneOf: Allowed.types)] }
}

extension Array where Element == DType {
    /// `[.float, .double]`, for `oneOf:` in attribute fields.
    public static var floats: [DType] { FloatTypes.types }
    /// `[.int32, .int64]`, for `oneOf:` in attribute fields.
    public static var indices: [DType] { IndexTypes.types }
    /// `[.float, .double, .int32, .int64]`, for `oneOf:` in attribute fields.
    public static var numeric: [DType] { NumericTypes.types }
}

// MARK: - Decoded attributes on nodes

/// A node's decoded attribute struct, boxed once so kernels read it with a class cast, not a dynamic existential cast.
public class AttributeBox: @unchecked Sendable {}
final class TypedAttributeBox<A: OpAttributes>: AttributeBox, @unchecked Sendable {
    let value: A
    init(_ value: A) { self.value = value }
}

extension Node {
    /// This node's attributes as op `O` declares them. `O` must be the node's op (or share its attribute struct).
    public func attributes<O: Op>(_: O.Type) -> O.Attrs {
        if let box = decodedAttributes as? TypedAttributeBox<O.Attrs> { return box.value }
        assertionFailure("\(name) (\(opName)) has no \(O.Attrs.self) attributes")
        return O.Attrs.defaults
    }
}

// MARK: - Input and output arguments

/// One input or output argument as TF's op definitions write it: `"a: T"`, `"y: int32"`,
/// `"values: N * T"`, `"ref: Ref(T)"`, `"indices: Tidx"`.
public struct ArgDef: Sendable, ExpressibleByStringLiteral, CustomStringConvertible {
    /// What constrains the argument's dtype.
    public enum Element: Sendable, Equatable {
        /// Constrained by a type attribute (`T`, `Tidx`, `dtype`).
        case attribute(String)
        /// A fixed dtype.
        case fixed(DType)
        /// Any dtype, checked by shape inference.
        case any
    }
    /// The argument name, e.g. `a` in `"a: T"`.
    public let name: String
    /// The dtype constraint after the colon.
    public let element: Element
    /// For a list argument, the int attribute that gives its length (`N`).
    public let countAttribute: String?
    /// True for `Ref(T)`: the op takes the variable itself (it mutates it), not a read of its value.
    public let isReference: Bool

    /// Parses TF's argument syntax, `"name: [N *] [Ref(]T | dtype | *[)]"`; a missing or `*` type means any dtype.
    public init(stringLiteral text: String) {
        let parts = text.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
        name = parts[0]
        var spec = parts.count > 1 ? parts[1] : ""
        if let star = spec.firstIndex(of: "*") {
            countAttribute = spec[..<star].trimmingCharacters(in: .whitespaces)
            spec = spec[spec.index(after: star)...].trimmingCharacters(in: .whitespaces)
        } else {
            countAttribute = nil
        }
        isReference = spec.hasPrefix("Ref(")
        if isReference { spec = String(spec.dropFirst(4).dropLast()) }
        if spec == "*" || spec.isEmpty {
            element = .any
        } else if let fixed = DType.allCases.first(where: { $0.description == spec }) {
            element = .fixed(fixed)
        } else {
            element = .attribute(spec)
        }
    }

    /// The argument in TF's syntax, e.g. `values: N * T`.
    public var description: String {
        let type: String
        switch element {
        case .attribute(let a): type = a
        case .fixed(let d): type = d.description
        case .any: type = "*"
        }
        return "\(name): \(countAttribute.map { "\($0) * " } ?? "")\(isReference ? "Ref(\(type))" : type)"
    }
}

import Foundation
