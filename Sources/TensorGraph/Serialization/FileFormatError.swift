/// What is wrong with a TensorFlow-format file (checkpoint table, TFRecord, event file).
///
/// Thrown by `TensorBundle`, `TFRecord` and `EventFileReader`; `Saver` reports it as
/// `TensorGraphError.fileError` with the same message. Every case names the file.
public enum FileFormatError: Error, Equatable, CustomStringConvertible {
    /// The file ends before a structure it announces (`what`) is complete.
    case truncated(path: String, what: String)
    /// A stored CRC-32C does not match the bytes it covers (`what`).
    case checksumMismatch(path: String, what: String)
    /// The file does not end or start with the magic number of its format.
    case badMagic(path: String, expected: UInt64, found: UInt64)
    /// A structure is malformed: bad varint, unsorted keys, undecodable protobuf, unsupported feature.
    case malformed(path: String, message: String)
    /// A checkpoint entry contradicts itself or the data file: dtype, shape, size, offset or shard.
    case invalidEntry(path: String, key: String, message: String)

    /// The file named in the error.
    public var path: String {
        switch self {
        case let .truncated(path, _), let .checksumMismatch(path, _), let .badMagic(path, _, _),
             let .malformed(path, _), let .invalidEntry(path, _, _):
            return path
        }
    }

    /// The problem without the path.
    public var message: String {
        switch self {
        case let .truncated(_, what): return "truncated: the file ends inside \(what)"
        case let .checksumMismatch(_, what): return "crc32c mismatch in \(what) (corrupt file)"
        case let .badMagic(_, expected, found):
            return "bad magic number 0x\(String(found, radix: 16)), expected 0x\(String(expected, radix: 16)) (not this file format)"
        case let .malformed(_, message): return message
        case let .invalidEntry(_, key, message): return "entry '\(key)': \(message)"
        }
    }

    /// `path: message`, as `TensorGraphError.fileError` prints.
    public var description: String { "\(path): \(message)" }
}
