/// A typed node attribute, as in TensorFlow's `AttrValue` (`T`, `shape`, `transpose_a`, ...).
public enum AttrValue: Equatable, Sendable, CustomStringConvertible {
    /// A dtype (TF `type`), e.g. `T`.
    case type(DType)
    /// A possibly partial shape (TF `shape`), e.g. a placeholder's `shape`.
    case shape(TensorShape)
    /// An integer (TF `int`), e.g. `N` or `axis`.
    case int(Int)
    /// A 32-bit float (TF `float`), e.g. `epsilon`.
    case float(Float)
    /// A flag (TF `bool`), e.g. `transpose_a`.
    case bool(Bool)
    /// A string (TF `string`), e.g. `padding`.
    case string(String)
    /// A constant tensor (TF `tensor`), e.g. a Const node's `value`.
    case tensor(Tensor)
    /// A list of integers (TF `list(int)`), e.g. `strides`.
    case ints([Int])
    /// A list of floats (TF `list(float)`).
    case floats([Float])
    /// A list of dtypes (TF `list(type)`).
    case types([DType])
    /// A list of strings (TF `list(string)`).
    case strings([String])
    /// A function of the graph's library (TF `func`, a `NameAttrList`), e.g. `If`'s `then_branch`.
    case function(FunctionReference)
    /// A list of possibly partial shapes (TF `list(shape)`), e.g. `While`'s `output_shapes`.
    case shapes([TensorShape])

    /// Short debug form: the value itself, strings quoted, tensors as `tensor<dtype[shape]>`.
    public var description: String {
        switch self {
        case let .type(t): return t.description
        case let .shape(s): return s.description
        case let .int(i): return String(i)
        case let .float(f): return String(f)
        case let .bool(b): return String(b)
        case let .string(s): return "\"\(s)\""
        case let .tensor(t): return "tensor<\(t.dtype)\(TensorShape(t.shape))>"
        case let .ints(v): return "\(v)"
        case let .floats(v): return "\(v)"
        case let .types(v): return "\(v.map(\.description))"
        case let .strings(v): return "\(v)"
        case let .function(f): return "func \(f.name)"
        case let .shapes(v): return "\(v.map(\.description))"
        }
    }
}

/// An ordered attribute map: deterministic iteration keeps serialization byte-stable.
public struct Attributes: Equatable, Sendable, ExpressibleByDictionaryLiteral {
    /// The (name, value) pairs, kept sorted by name.
    public private(set) var entries: [(String, AttrValue)] = []

    /// Builds the map from a literal; a repeated key keeps its last value.
    public init(dictionaryLiteral elements: (String, AttrValue)...) {
        for (key, value) in elements { self[key] = value }
    }

    /// The value named `key`, or nil. Assigning nil removes the entry; assigning a new key inserts it in sorted order.
    public subscript(key: String) -> AttrValue? {
        get { entries.first { $0.0 == key }?.1 }
        set {
            if let index = entries.firstIndex(where: { $0.0 == key }) {
                if let newValue { entries[index].1 = newValue } else { entries.remove(at: index) }
            } else if let newValue {
                entries.append((key, newValue))
                entries.sort { $0.0 < $1.0 }
            }
        }
    }

    /// Attribute names in sorted order.
    public var keys: [String] { entries.map(\.0) }

    /// Equal when both hold the same names with equal values (order is canonical, so compared pairwise).
    public static func == (a: Attributes, b: Attributes) -> Bool {
        a.entries.count == b.entries.count && zip(a.entries, b.entries).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
    }
}
