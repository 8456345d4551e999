/// A typed node attribute, as in TensorFlow's `AttrValue` (`T`, `shape`, `transpose_a`, ...).
public enum AttrValue: Equatable, Sendable, CustomStringConvertible {
    case type(DType)
    case shape(TensorShape)
    case int(Int)
    case float(Float)
    case bool(Bool)
    case string(String)
    case tensor(Tensor)
    case ints([Int])
    case floats([Float])
    case types([DType])
    case strings([String])

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
        }
    }
}

/// An ordered attribute map: deterministic iteration keeps serialization byte-stable.
public struct Attributes: Equatable, Sendable, ExpressibleByDictionaryLiteral {
    public private(set) var entries: [(String, AttrValue)] = []

    public init(dictionaryLiteral elements: (String, AttrValue)...) {
        for (key, value) in elements { self[key] = value }
    }

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

    public var keys: [String] { entries.map(\.0) }

    public static func == (a: Attributes, b: Attributes) -> Bool {
        a.entries.count == b.entries.count && zip(a.entries, b.entries).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
    }
}
