import Foundation

/// Where in the user's Swift code a node was built.
public struct SourceLocation: Hashable, Sendable, CustomStringConvertible {
    /// The source file, as `#fileID` spells it (`Module/File.swift`).
    public let file: String
    /// The 1-based line number.
    public let line: Int
    /// From a builder's `#fileID`/`#line` default arguments.
    public init(file: StaticString, line: UInt) {
        self.file = "\(file)"
        self.line = Int(line)
    }
    /// From a file and line held as values (e.g. to compare with a node's `location`).
    public init(file: String, line: Int) {
        self.file = file
        self.line = line
    }
    /// `file:line`, as compilers print locations.
    public var description: String { "\(file):\(line)" }
}

/// Every error TensorGraph throws. Each message names the thing that was wrong
/// (op, placeholder, variable, file) and what was expected.
public enum TensorGraphError: Error, Equatable, CustomStringConvertible, LocalizedError {
    /// Building a node failed shape or dtype inference.
    case invalidGraph(op: String, node: String, message: String, location: SourceLocation?)
    /// A placeholder needed by the fetches was not fed.
    case missingFeed(placeholder: String)
    /// A fed value has the wrong dtype.
    case feedDTypeMismatch(placeholder: String, expected: DType, got: DType)
    /// A fed value does not fit the placeholder's shape.
    case feedShapeMismatch(placeholder: String, expected: TensorShape, got: [Int])
    /// A variable was read before it was initialized.
    case uninitializedVariable(name: String)
    /// A fetch, feed or target belongs to a different graph than the session's.
    case foreignGraph(String)
    /// A feed key is not something that can be fed.
    case notFeedable(String)
    /// Differentiation reached an op with no gradient rule.
    case notDifferentiable(op: String, node: String)
    /// A kernel rejected its runtime inputs.
    case kernelFailure(op: String, node: String, message: String)
    /// Bytes cannot form a tensor of the stated dtype and shape.
    case invalidTensorData(String)
    /// A file could not be read, written or parsed.
    case fileError(path: String, message: String)
    /// Importing a graph met op types this build does not implement (all listed at once).
    case unsupportedOps([String])
    /// A name or argument given to the API is not valid.
    case invalidArgument(String)

    /// The message as TensorFlow phrases it, naming the op, node, placeholder or file involved.
    public var description: String {
        switch self {
        case let .invalidGraph(op, node, message, location):
            let place = location.map { " (built at \($0))" } ?? ""
            return "[\(op)] node '\(node)': \(message)\(place)"
        case let .missingFeed(placeholder):
            return "You must feed a value for placeholder '\(placeholder)'"
        case let .feedDTypeMismatch(placeholder, expected, got):
            return "Feed for placeholder '\(placeholder)' has dtype \(got), expected \(expected)"
        case let .feedShapeMismatch(placeholder, expected, got):
            return "Feed for placeholder '\(placeholder)' has shape \(TensorShape(got)), expected \(expected)"
        case let .uninitializedVariable(name):
            return "Attempting to use uninitialized variable '\(name)'; run its initializer (e.g. globalVariablesInitializer()) first"
        case let .foreignGraph(what):
            return "\(what) belongs to a different graph than this session's"
        case let .notFeedable(what):
            return "\(what) cannot be fed"
        case let .notDifferentiable(op, node):
            return "[\(op)] node '\(node)' has no gradient, but it lies on the path being differentiated"
        case let .kernelFailure(op, node, message):
            return "[\(op)] node '\(node)': \(message)"
        case let .invalidTensorData(message):
            return "Invalid tensor data: \(message)"
        case let .fileError(path, message):
            return "\(path): \(message)"
        case let .unsupportedOps(list):
            return "Unsupported ops: \(list.joined(separator: ", "))"
        case let .invalidArgument(message):
            return message
        }
    }

    /// Same as `description`, so `localizedDescription` shows the full message.
    public var errorDescription: String? { description }
}
