import Foundation

/// The NumPy `.npy` format (versions 1–3), little-endian, C order.
public enum NPY {
    static func descr(_ dtype: DType) -> String {
        switch dtype {
        case .float: return "<f4"
        case .double: return "<f8"
        case .int32: return "<i4"
        case .int64: return "<i8"
        case .uint8: return "|u1"
        case .bool: return "|b1"
        }
    }

    /// The .npy bytes of a tensor (version 1.0 header padded to 64 bytes).
    public static func encode(_ t: Tensor) -> [UInt8] {
        let shape = t.shape.count == 1 ? "(\(t.shape[0]),)" : "(" + t.shape.map(String.init).joined(separator: ", ") + ")"
        var header = "{'descr': '\(descr(t.dtype))', 'fortran_order': False, 'shape': \(shape), }"
        let total = 10 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - total % 64) % 64) + "\n"
        let length = header.utf8.count
        return [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(length & 0xFF), UInt8(length >> 8)] + Array(header.utf8) + t.bytes
    }

    /// Writes `t` as a version 1.0 `.npy` file (NumPy's `np.save`), atomically: readers never see a partial file.
    /// - Throws: `TensorGraphError.fileError` when the file cannot be created or written.
    public static func write(_ t: Tensor, to path: String) throws { try writeFileAtomically(encode(t), to: path) }

    /// Reads a `.npy` file (NumPy's `np.load`) of dtype `<f4`, `<f8`, `<i4`, `<i8`, `|u1` or `|b1`, in C order.
    /// - Throws: `TensorGraphError.fileError` when the file is missing or unreadable, or as `decode` does.
    public static func read(_ path: String) throws -> Tensor {
        try decode(readWholeFile(path), path: path)
    }

    /// Parses .npy bytes; `path` names the source in errors.
    public static func decode(_ bytes: [UInt8], path: String = "<memory>") throws -> Tensor {
        func fail(_ message: String) -> TensorGraphError { .fileError(path: path, message: "npy: \(message)") }
        guard bytes.count >= 10, bytes[0] == 0x93, Array(bytes[1..<6]) == Array("NUMPY".utf8) else {
            throw fail("missing the \\x93NUMPY magic string at byte offset 0")
        }
        let major = bytes[6]
        let headerStart: Int, headerLength: Int
        switch major {
        case 1:
            headerStart = 10
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
        case 2, 3:
            guard bytes.count >= 12 else { throw fail("truncated version \(major) header") }
            headerStart = 12
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24
        default:
            throw fail("unsupported format version \(major) at byte offset 6")
        }
        guard headerStart + headerLength <= bytes.count else { throw fail("header of \(headerLength) bytes runs past the end of the file") }
        let header = String(decoding: bytes[headerStart..<(headerStart + headerLength)], as: UTF8.self)
        func field(_ key: String) -> String? {
            guard let range = header.range(of: "'\(key)':") else { return nil }
            return String(header[range.upperBound...]).trimmingCharacters(in: .whitespaces)
        }
        guard let descrField = field("descr"), let q1 = descrField.firstIndex(where: { $0 == "'" || $0 == "\"" }) else { throw fail("header has no 'descr'") }
        let afterQuote = descrField[descrField.index(after: q1)...]
        guard let q2 = afterQuote.firstIndex(where: { $0 == "'" || $0 == "\"" }) else { throw fail("malformed 'descr'") }
        let descr = String(afterQuote[..<q2])
        let table: [String: DType] = ["<f4": .float, "<f8": .double, "<i4": .int32, "<i8": .int64, "|u1": .uint8, "|b1": .bool,
                                      "u1": .uint8, "b1": .bool, "<u1": .uint8, "|i1": .uint8]
        guard let dtype = table[descr] else { throw fail("unsupported dtype '\(descr)' (supported: <f4 <f8 <i4 <i8 |u1 |b1)") }
        if let fortran = field("fortran_order"), fortran.hasPrefix("True") { throw fail("fortran_order arrays are not supported") }
        guard let shapeField = field("shape"), let open = shapeField.firstIndex(of: "(") else { throw fail("header has no 'shape'") }
        // The closing parenthesis is searched after the opening one: `'shape': ), (` is malformed, not a range to trap on.
        guard let close = shapeField[open...].firstIndex(of: ")") else { throw fail("'shape' has no closing parenthesis") }
        var shape: [Int] = []
        var count = 1
        for part in shapeField[shapeField.index(after: open)..<close].split(separator: ",") {
            let text = part.trimmingCharacters(in: .whitespaces)
            if text.isEmpty { continue }
            guard let d = Int(text), d >= 0 else { throw fail("bad dimension '\(text)' in shape") }
            let (product, overflow) = count.multipliedReportingOverflow(by: d)
            guard !overflow, product <= bytes.count else { throw fail("shape declares more data than the file holds") }
            count = product
            shape.append(d)
        }
        let dataStart = headerStart + headerLength
        let expected = count * dtype.byteCount
        guard bytes.count - dataStart == expected else {
            throw fail("shape \(shape) of \(dtype) needs \(expected) data bytes but the file has \(bytes.count - dataStart)")
        }
        if dtype == .bool, bytes[dataStart...].contains(where: { $0 > 1 }) { throw fail("bool data holds bytes other than 0 and 1") }
        return try Tensor(dtype: dtype, shape: shape, bytes: bytes[dataStart...])
    }
}
