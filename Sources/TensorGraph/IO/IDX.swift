/// The IDX format of the MNIST files: big-endian magic (0, 0, type, rank), big-endian
/// uint32 dimensions, then the elements. Plain or gzip-compressed.
public enum IDX {
    /// Reads an IDX file (`.gz` or plain) into a tensor of its element type
    /// (uint8 → uint8, int32 → int32, float32 → float, float64 → double).
    ///
    /// The header is read first: a file whose dimensions declare more than `maximumBytes` (default 2 GiB)
    /// is rejected before its data is inflated or allocated (a 2 MB gzip bomb stays 2 MB), and reading
    /// stops one byte past the declared size.
    /// - Throws: `TensorGraphError.fileError` naming the file: missing, corrupt, over the limit, or as `decode` does.
    public static func read(_ path: String, maximumBytes: Int = 1 << 31) throws -> Tensor {
        let file = try PossiblyCompressedFile(path)
        var header = try file.read(upTo: 4)
        // Too short, or a bad magic number or type: `decode` names the problem.
        guard header.count == 4, header[0] == 0, header[1] == 0, let size = elementSize(header[2]) else { return try decode(header, path: path) }
        header += try file.read(upTo: 4 * Int(header[3]))
        guard header.count == 4 + 4 * Int(header[3]) else { return try decode(header, path: path) }
        var total = size
        for d in 0..<Int(header[3]) {
            let o = 4 + 4 * d
            let dim = Int(header[o]) << 24 | Int(header[o + 1]) << 16 | Int(header[o + 2]) << 8 | Int(header[o + 3])
            let (product, overflow) = total.multipliedReportingOverflow(by: dim)
            guard !overflow, product <= maximumBytes - header.count else {
                throw TensorGraphError.fileError(path: path, message: "IDX: dimensions declare more than the limit of \(maximumBytes) bytes")
            }
            total = product
        }
        // One byte past the declared size tells a file with trailing data from an exact one.
        return try decode(file.read(upTo: total == Int.max ? total : total + 1, after: header, reserving: true), path: path)
    }

    /// Bytes per element of an IDX type code, nil for codes this reader does not support.
    static func elementSize(_ code: UInt8) -> Int? {
        switch code {
        case 0x08: return 1
        case 0x0C, 0x0D: return 4
        case 0x0E: return 8
        default: return nil
        }
    }

    /// Decodes IDX bytes; `path` names the source in errors.
    public static func decode(_ bytes: [UInt8], path: String = "<memory>") throws -> Tensor {
        func fail(_ message: String) -> TensorGraphError { .fileError(path: path, message: "IDX: \(message)") }
        guard bytes.count >= 4 else { throw fail("file of \(bytes.count) bytes is too short for the 4-byte magic number") }
        guard bytes[0] == 0, bytes[1] == 0 else {
            throw fail("bad magic number: first two bytes are \(bytes[0]), \(bytes[1]); expected 0, 0")
        }
        let dtype: DType
        let elementSize: Int
        switch bytes[2] {
        case 0x08: (dtype, elementSize) = (.uint8, 1)
        case 0x0C: (dtype, elementSize) = (.int32, 4)
        case 0x0D: (dtype, elementSize) = (.float, 4)
        case 0x0E: (dtype, elementSize) = (.double, 8)
        default: throw fail("unsupported element type 0x\(String(bytes[2], radix: 16)) at byte offset 2")
        }
        let rank = Int(bytes[3])
        guard rank >= 1 else { throw fail("rank 0 at byte offset 3") }
        let headerSize = 4 + 4 * rank
        guard bytes.count >= headerSize else {
            throw fail("header declares \(rank) dimensions but the file has only \(bytes.count) bytes")
        }
        var shape: [Int] = []
        var count = 1
        for d in 0..<rank {
            let o = 4 + 4 * d
            let dim = Int(bytes[o]) << 24 | Int(bytes[o + 1]) << 16 | Int(bytes[o + 2]) << 8 | Int(bytes[o + 3])
            let (product, overflow) = count.multipliedReportingOverflow(by: dim)
            guard !overflow, product <= bytes.count else {
                throw fail("dimensions \(shape + [dim]) declare more data than the file's \(bytes.count) bytes")
            }
            count = product
            shape.append(dim)
        }
        let expected = headerSize + count * elementSize
        guard bytes.count == expected else {
            throw fail("shape \(shape) needs \(expected) bytes but the file has \(bytes.count)")
        }
        // IDX is big-endian; tensors are little-endian. Bytes need no swap (and no extra copy).
        if elementSize == 1 { return try Tensor(dtype: dtype, shape: shape, bytes: bytes[headerSize...]) }
        var payload = Array(bytes[headerSize...])
        if elementSize > 1 {
            for i in stride(from: 0, to: payload.count, by: elementSize) {
                payload[i..<(i + elementSize)].reverse()
            }
        }
        return try Tensor(dtype: dtype, shape: shape, bytes: payload)
    }
}
