/// Little-endian fixed-width integers and LevelDB/protobuf varints, appended to a byte array.
struct ByteWriter {
    var bytes: [UInt8] = []

    mutating func fixed32(_ value: UInt32) {
        for shift in stride(from: 0, to: 32, by: 8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt32(shift))) }
    }

    mutating func fixed64(_ value: UInt64) {
        for shift in stride(from: 0, to: 64, by: 8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
    }

    /// Seven bits per byte, low bits first; the high bit says another byte follows.
    mutating func varint(_ value: UInt64) {
        var rest = value
        while rest >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
    }

    mutating func append(_ other: some Sequence<UInt8>) { bytes.append(contentsOf: other) }
}

/// A bounds-checked cursor over untrusted bytes: every read past the end throws `truncated`.
struct ByteReader {
    let bytes: ArraySlice<UInt8>
    var position: Int
    /// The file the bytes came from and what they are, for errors.
    let path: String
    let what: String

    init(_ bytes: ArraySlice<UInt8>, path: String, what: String) {
        self.bytes = bytes
        position = bytes.startIndex
        self.path = path
        self.what = what
    }

    var isAtEnd: Bool { position >= bytes.endIndex }

    mutating func take(_ count: Int) throws -> ArraySlice<UInt8> {
        guard count >= 0, count <= bytes.endIndex - position else { throw FileFormatError.truncated(path: path, what: what) }
        defer { position += count }
        return bytes[position..<position + count]
    }

    mutating func fixed32() throws -> UInt32 {
        try take(4).reversed().reduce(0) { $0 << 8 | UInt32($1) }
    }

    mutating func fixed64() throws -> UInt64 {
        try take(8).reversed().reduce(0) { $0 << 8 | UInt64($1) }
    }

    /// A varint of at most `maxBytes` bytes (5 for 32-bit values, 10 for 64-bit ones).
    mutating func varint(maxBytes: Int = 10) throws -> UInt64 {
        var value: UInt64 = 0
        for index in 0..<maxBytes {
            let byte = try take(1).first ?? 0
            value |= UInt64(byte & 0x7F) << UInt64(7 * index)
            if byte < 0x80 { return value }
        }
        throw FileFormatError.malformed(path: path, message: "varint longer than \(maxBytes) bytes in \(what)")
    }

    /// A varint32 that must fit in `Int` as a length or count.
    mutating func length() throws -> Int {
        let value = try varint(maxBytes: 5)
        guard value <= UInt64(UInt32.max) else {
            throw FileFormatError.malformed(path: path, message: "varint32 overflows in \(what)")
        }
        return Int(value)
    }
}
