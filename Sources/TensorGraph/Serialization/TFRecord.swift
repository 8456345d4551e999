import Foundation

/// TFRecord framing (`tensorflow/core/lib/io/record_writer.cc`), the container of TensorBoard event files.
///
/// Each record: the data length as uint64 little-endian, the masked CRC-32C of those 8 bytes,
/// the data, and the masked CRC-32C of the data.
public enum TFRecord {
    /// The framed bytes of one record holding `data`.
    public static func frame(_ data: [UInt8]) -> [UInt8] {
        var out = ByteWriter()
        out.fixed64(UInt64(data.count))
        out.fixed32(CRC32C.mask(CRC32C.value(out.bytes)))
        out.append(data)
        out.fixed32(CRC32C.mask(CRC32C.value(data)))
        return out.bytes
    }

    /// The records framed in `bytes`, checking both checksums of each.
    ///
    /// - Throws: `FileFormatError.truncated` for a file that ends inside a record (a writer that
    ///   was cut off), `.checksumMismatch` for a corrupt length or data, naming `path` and the record.
    public static func records(in bytes: [UInt8], path: String) throws -> [[UInt8]] {
        var records: [[UInt8]] = []
        var reader = ByteReader(bytes[...], path: path, what: "record 0")
        while !reader.isAtEnd {
            let number = records.count
            reader = ByteReader(bytes[reader.position...], path: path, what: "record \(number)")
            let lengthBytes = try reader.take(8)
            guard CRC32C.unmask(try reader.fixed32()) == CRC32C.value(lengthBytes) else {
                throw FileFormatError.checksumMismatch(path: path, what: "the length of record \(number)")
            }
            var lengthReader = ByteReader(lengthBytes, path: path, what: "record \(number)")
            let length = try lengthReader.fixed64()
            guard length <= UInt64(bytes.count) else {
                throw FileFormatError.truncated(path: path, what: "record \(number) (\(length) bytes announced)")
            }
            let data = try reader.take(Int(length))
            guard CRC32C.unmask(try reader.fixed32()) == CRC32C.value(data) else {
                throw FileFormatError.checksumMismatch(path: path, what: "the data of record \(number)")
            }
            records.append(Array(data))
        }
        return records
    }

    /// The records of the file at `path`.
    public static func read(_ path: String) throws -> [[UInt8]] {
        try records(in: readWholeFile(path), path: path)
    }
}
