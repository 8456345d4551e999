import CTensorFlowProto
import Foundation

/// TensorFlow's checkpoint V2 ("tensor bundle", `tensorflow/core/util/tensor_bundle/tensor_bundle.cc`):
/// what `tf.train.Saver` writes and `tf.train.load_checkpoint` reads.
///
/// A checkpoint is a prefix `P` naming two files: `P.index`, a `SortedTable` mapping the empty key to a
/// `BundleHeaderProto` (shard count, endianness, version) and each tensor's name to a `BundleEntryProto`
/// (dtype, shape, shard id, offset, size, masked CRC-32C of the bytes); and `P.data-00000-of-00001`,
/// the tensors' raw little-endian bytes back to back. TensorGraph writes one shard; it reads any
/// shard count. Partitioned (sliced) variables and string tensors are not supported.
public enum TensorBundle {
    /// `kTensorBundleVersion`: the producer version written, and the newest `min_consumer` accepted.
    static let version: Int32 = 1

    /// The path of `prefix`'s index file: `prefix.index`.
    public static func indexPath(prefix: String) -> String { prefix + ".index" }

    /// The path of data shard `shard` of `shards`: `prefix.data-00000-of-00001` for a single shard.
    public static func dataPath(prefix: String, shard: Int = 0, of shards: Int = 1) -> String {
        prefix + ".data-" + String(format: "%05d-of-%05d", shard, shards)
    }

    /// The index and data file contents for `tensors` (names unique), entries in bytewise name order.
    ///
    /// Deterministic: the same tensors give the same bytes. Throws `invalidArgument` for a repeated
    /// or empty name (the empty key holds the header).
    public static func encode(_ tensors: [(name: String, tensor: Tensor)]) throws -> (index: [UInt8], data: [UInt8]) {
        let sorted = tensors.map { (key: Array($0.name.utf8), tensor: $0.tensor) }
            .sorted { $0.key.lexicographicallyPrecedes($1.key) }
        for (a, b) in zip(sorted, sorted.dropFirst()) where a.key == b.key {
            throw TensorGraphError.invalidArgument("TensorBundle: the name '\(String(decoding: a.key, as: UTF8.self))' is given twice")
        }
        if sorted.first?.key.isEmpty == true {
            throw TensorGraphError.invalidArgument("TensorBundle: a tensor name must not be empty (the empty key holds the header)")
        }
        var data: [UInt8] = []
        var entries: [(key: [UInt8], value: [UInt8])] = [([], header())]
        for (key, tensor) in sorted {
            let bytes = tensor.bytes
            entries.append((key, entry(tensor, offset: data.count, crc: CRC32C.value(bytes))))
            data.append(contentsOf: bytes)
        }
        return (SortedTable.encode(entries), data)
    }

    /// Writes `tensors` as the checkpoint `prefix` (`prefix.index`, `prefix.data-00000-of-00001`).
    ///
    /// Both files are written to temporary files first and renamed into place data first, index last,
    /// so a failure leaves the previous checkpoint and no temporary file; a crash between the two
    /// renames leaves an index whose checksums reject the new data rather than a silent mix.
    public static func write(_ tensors: [(name: String, tensor: Tensor)], prefix: String) throws {
        let (index, data) = try encode(tensors)
        try writeFilesAtomically([(dataPath(prefix: prefix), data), (indexPath(prefix: prefix), index)])
    }

    /// Every tensor of the checkpoint `prefix`, by name.
    ///
    /// Validates the table (footer magic, block checksums, key order), the header (endianness,
    /// version, shard count) and each entry (supported dtype, fully known shape, size = elements ×
    /// dtype size, bytes inside its shard, CRC-32C of the bytes).
    /// - Throws: `FileFormatError` naming the file and what is wrong; `TensorGraphError.fileError`
    ///   when a file cannot be read.
    public static func read(prefix: String) throws -> [String: Tensor] {
        let indexFile = indexPath(prefix: prefix)
        let entries = try SortedTable.decode(try readWholeFile(indexFile), path: indexFile)
        guard let first = entries.first, first.key.isEmpty else {
            throw FileFormatError.malformed(path: indexFile, message: "no BundleHeaderProto under the empty key")
        }
        let shards = try readHeader(first.value, path: indexFile)
        var shardBytes: [Int: [UInt8]] = [:]
        var result: [String: Tensor] = [:]
        for (key, value) in entries.dropFirst() {
            let name = String(decoding: key, as: UTF8.self)
            let entry = try Entry(value, name: name, shards: shards, path: indexFile)
            if shardBytes[entry.shard] == nil { shardBytes[entry.shard] = try readWholeFile(dataPath(prefix: prefix, shard: entry.shard, of: shards)) }
            let data = shardBytes[entry.shard] ?? []
            let file = dataPath(prefix: prefix, shard: entry.shard, of: shards)
            guard entry.offset <= data.count, entry.size <= data.count - entry.offset else {
                throw FileFormatError.invalidEntry(path: indexFile, key: name,
                    message: "bytes \(entry.offset)..<\(entry.offset + entry.size) lie outside \(file) (\(data.count) bytes)")
            }
            let bytes = data[entry.offset..<(entry.offset + entry.size)]
            guard CRC32C.value(bytes) == entry.crc else {
                throw FileFormatError.checksumMismatch(path: file, what: "the bytes of '\(name)'")
            }
            if entry.dtype == .bool, let bad = bytes.first(where: { $0 > 1 }) {
                throw FileFormatError.invalidEntry(path: indexFile, key: name, message: "bool element byte \(bad) is neither 0 nor 1")
            }
            result[name] = try Tensor(dtype: entry.dtype, shape: entry.shape, bytes: bytes)
        }
        return result
    }

    /// True when `bytes` end with the table magic number: the file is an index, not a TensorGraph checkpoint.
    static func looksLikeIndex(_ bytes: [UInt8]) -> Bool {
        guard bytes.count >= SortedTable.footerLength else { return false }
        var reader = ByteReader(bytes[(bytes.count - 8)...], path: "", what: "")
        return (try? reader.fixed64()) == SortedTable.magic
    }

    // MARK: Protos

    private static func header() -> [UInt8] {
        var version = Tensorflow__VersionDef()
        tensorflow__version_def__init(&version)
        version.producer = TensorBundle.version
        var header = Tensorflow__BundleHeaderProto()
        tensorflow__bundle_header_proto__init(&header)
        header.num_shards = 1
        header.endianness = TENSORFLOW__BUNDLE_HEADER_PROTO__ENDIANNESS__LITTLE
        return withUnsafeMutablePointer(to: &version) { versionPointer in
            header.version = versionPointer
            var bytes = [UInt8](repeating: 0, count: tensorflow__bundle_header_proto__get_packed_size(&header))
            _ = bytes.withUnsafeMutableBufferPointer { tensorflow__bundle_header_proto__pack(&header, $0.baseAddress) }
            return bytes
        }
    }

    private static func entry(_ tensor: Tensor, offset: Int, crc: UInt32) -> [UInt8] {
        let arena = ProtoArena()
        var entry = Tensorflow__BundleEntryProto()
        tensorflow__bundle_entry_proto__init(&entry)
        entry.dtype = ProtoConversion.dataType(tensor.dtype)
        entry.shape = ProtoConversion.shapeProto(TensorShape(tensor.shape), arena)
        entry.shard_id = 0
        entry.offset = Int64(offset)
        entry.size = Int64(tensor.byteCount)
        entry.crc32c = CRC32C.mask(crc)
        var bytes = [UInt8](repeating: 0, count: tensorflow__bundle_entry_proto__get_packed_size(&entry))
        _ = bytes.withUnsafeMutableBufferPointer { tensorflow__bundle_entry_proto__pack(&entry, $0.baseAddress) }
        return bytes
    }

    /// The shard count, after checking endianness and version.
    private static func readHeader(_ value: ArraySlice<UInt8>, path: String) throws -> Int {
        let bytes = Array(value)
        guard let header = bytes.withUnsafeBufferPointer({ tensorflow__bundle_header_proto__unpack(nil, $0.count, $0.baseAddress) }) else {
            throw FileFormatError.malformed(path: path, message: "the BundleHeaderProto is not a valid protobuf")
        }
        defer { tensorflow__bundle_header_proto__free_unpacked(header, nil) }
        let h = header.pointee
        guard h.endianness == TENSORFLOW__BUNDLE_HEADER_PROTO__ENDIANNESS__LITTLE else {
            throw FileFormatError.malformed(path: path, message: "big-endian checkpoints are not supported")
        }
        if let version = h.version?.pointee, version.min_consumer > TensorBundle.version {
            throw FileFormatError.malformed(path: path, message: "checkpoint needs bundle version \(version.min_consumer); this reader is version \(TensorBundle.version)")
        }
        guard h.num_shards >= 1, h.num_shards <= 99_999 else {
            throw FileFormatError.malformed(path: path, message: "header claims \(h.num_shards) shards")
        }
        return Int(h.num_shards)
    }

    /// One decoded, self-consistent `BundleEntryProto`.
    private struct Entry {
        let dtype: DType, shape: [Int], shard: Int, offset: Int, size: Int, crc: UInt32

        init(_ value: ArraySlice<UInt8>, name: String, shards: Int, path: String) throws {
            func invalid(_ message: String) -> FileFormatError { .invalidEntry(path: path, key: name, message: message) }
            let bytes = Array(value)
            guard let proto = bytes.withUnsafeBufferPointer({ tensorflow__bundle_entry_proto__unpack(nil, $0.count, $0.baseAddress) }) else {
                throw invalid("not a valid BundleEntryProto")
            }
            defer { tensorflow__bundle_entry_proto__free_unpacked(proto, nil) }
            let e = proto.pointee
            guard let dtype = DType(rawValue: Int32(bitPattern: e.dtype.rawValue)) else {
                throw invalid("unsupported DataType \(e.dtype.rawValue)")
            }
            let tensorShape = ProtoConversion.shape(e.shape)
            guard let dims = tensorShape.dims, dims.allSatisfy({ ($0 ?? -1) >= 0 }) else {
                throw invalid("shape \(tensorShape) is not fully known")
            }
            let shape = dims.map { $0 ?? 0 }
            var elements = 1
            for d in shape {
                let (product, overflow) = elements.multipliedReportingOverflow(by: d)
                guard !overflow, product <= ProtoConversion.maximumElements else { throw invalid("shape \(shape) is too large") }
                elements = product
            }
            guard e.shard_id >= 0, Int(e.shard_id) < shards else { throw invalid("shard \(e.shard_id) of \(shards)") }
            guard e.offset >= 0, e.size >= 0 else { throw invalid("negative offset \(e.offset) or size \(e.size)") }
            guard e.size == Int64(elements * dtype.byteCount) else {
                throw invalid("\(e.size) bytes cannot hold \(dtype)\(TensorShape(shape)) (\(elements * dtype.byteCount) bytes)")
            }
            (self.dtype, self.shape, shard, offset, size) = (dtype, shape, Int(e.shard_id), Int(e.offset), Int(e.size))
            crc = CRC32C.unmask(e.crc32c)
        }
    }
}

