/// TensorFlow's sorted string table (`tensorflow/core/lib/io/table_builder.cc`, `block_builder.cc`,
/// `format.cc`; LevelDB's layout), the format of a checkpoint's `.index` file.
///
/// File: data blocks, a metaindex block, an index block, then a 48-byte footer — two block handles
/// (varint64 offset, varint64 size) padded to 40 bytes and the magic 0xdb4775248b80fb57 as fixed64.
/// Every block is followed by a 5-byte trailer: compression type (0 = none) and the masked CRC-32C
/// of the block and that type byte. A block holds entries (varint32 shared key prefix length,
/// varint32 unshared length, varint32 value length, key suffix, value), then the fixed32 offsets
/// of its restart points (entries stored with no shared prefix) and their fixed32 count.
/// Keys are sorted bytewise and unique; the index maps a key ≥ each block's last key to its handle.
enum SortedTable {
    /// `kTableMagicNumber` of `tensorflow/core/lib/io/format.h`.
    static let magic: UInt64 = 0xDB47_7524_8B80_FB57
    static let footerLength = 48
    static let blockTrailerLength = 5
    /// Block size at which the writer starts a new data block, and entries between restart points
    /// (TF's `block_restart_interval` default).
    static let targetBlockSize = 4096
    static let restartInterval = 16

    // MARK: Writing

    /// The table holding `entries`, which must be sorted bytewise with unique keys (the caller sorts).
    static func encode(_ entries: [(key: [UInt8], value: [UInt8])]) -> [UInt8] {
        var file = ByteWriter()
        var indexEntries: [(key: [UInt8], value: [UInt8])] = []
        var start = 0
        while start < entries.count {
            var end = start, size = 0
            while end < entries.count && (end == start || size < targetBlockSize) {
                size += entries[end].key.count + entries[end].value.count + 8
                end += 1
            }
            let block = Array(entries[start..<end])
            let handle = writeBlock(encodeBlock(block, restartInterval: restartInterval), to: &file)
            // The block's last key separates it from the next block: it is ≥ every key in it and < the next first key.
            indexEntries.append((block[block.count - 1].key, handle))
            start = end
        }
        let metaindex = writeBlock(encodeBlock([], restartInterval: 1), to: &file)
        let index = writeBlock(encodeBlock(indexEntries, restartInterval: 1), to: &file)
        var footer = ByteWriter()
        footer.append(metaindex)
        footer.append(index)
        footer.append([UInt8](repeating: 0, count: 40 - footer.bytes.count))
        footer.fixed64(magic)
        file.append(footer.bytes)
        return file.bytes
    }

    /// Entries with shared-prefix key compression, restart points every `restartInterval` entries.
    static func encodeBlock(_ entries: [(key: [UInt8], value: [UInt8])], restartInterval: Int) -> [UInt8] {
        var block = ByteWriter()
        var restarts: [UInt32] = []
        var previous: [UInt8] = []
        for (i, entry) in entries.enumerated() {
            var shared = 0
            if i % restartInterval == 0 {
                restarts.append(UInt32(block.bytes.count))
            } else {
                while shared < min(previous.count, entry.key.count) && previous[shared] == entry.key[shared] { shared += 1 }
            }
            block.varint(UInt64(shared))
            block.varint(UInt64(entry.key.count - shared))
            block.varint(UInt64(entry.value.count))
            block.append(entry.key[shared...])
            block.append(entry.value)
            previous = entry.key
        }
        if restarts.isEmpty { restarts = [0] }
        for restart in restarts { block.fixed32(restart) }
        block.fixed32(UInt32(restarts.count))
        return block.bytes
    }

    /// Appends block + trailer and returns the block's encoded handle.
    private static func writeBlock(_ contents: [UInt8], to file: inout ByteWriter) -> [UInt8] {
        var handle = ByteWriter()
        handle.varint(UInt64(file.bytes.count))
        handle.varint(UInt64(contents.count))
        file.append(contents)
        file.append([0])
        file.fixed32(CRC32C.mask(CRC32C.extend(CRC32C.value(contents), [0])))
        return handle.bytes
    }

    // MARK: Reading

    /// Every entry of the table in `bytes`, in key order; validates footer, handles, block
    /// checksums, entry encodings and key order. `path` names the file in errors.
    static func decode(_ bytes: [UInt8], path: String) throws -> [(key: [UInt8], value: ArraySlice<UInt8>)] {
        guard bytes.count >= footerLength else {
            throw FileFormatError.truncated(path: path, what: "the 48-byte table footer (file has \(bytes.count) bytes)")
        }
        var footer = ByteReader(bytes[(bytes.count - footerLength)...], path: path, what: "the table footer")
        var magicReader = ByteReader(bytes[(bytes.count - 8)...], path: path, what: "the magic number")
        let found = try magicReader.fixed64()
        guard found == magic else { throw FileFormatError.badMagic(path: path, expected: magic, found: found) }
        _ = try footer.varint()   // metaindex offset: TF's bundles keep nothing there
        _ = try footer.varint()
        let indexHandle = (offset: try footer.varint(), size: try footer.varint())
        let blocksEnd = bytes.count - footerLength
        let index = try readBlock(bytes, handle: indexHandle, limit: blocksEnd, path: path, what: "the index block")
        var entries: [(key: [UInt8], value: ArraySlice<UInt8>)] = []
        for (number, indexEntry) in try parseBlock(index, path: path, what: "the index block").enumerated() {
            var handleReader = ByteReader(indexEntry.value, path: path, what: "block handle \(number)")
            let handle = (offset: try handleReader.varint(), size: try handleReader.varint())
            let what = "data block \(number)"
            let block = try readBlock(bytes, handle: handle, limit: blocksEnd, path: path, what: what)
            for entry in try parseBlock(block, path: path, what: what) {
                if let last = entries.last, !last.key.lexicographicallyPrecedes(entry.key) {
                    throw FileFormatError.malformed(path: path, message: "keys out of order in \(what): '\(String(decoding: entry.key, as: UTF8.self))'")
                }
                entries.append(entry)
            }
        }
        return entries
    }

    /// The block contents at `handle`, after checking that block and trailer end before `limit`,
    /// the compression type and the trailer's CRC.
    private static func readBlock(_ bytes: [UInt8], handle: (offset: UInt64, size: UInt64), limit: Int,
                                  path: String, what: String) throws -> ArraySlice<UInt8> {
        let (end, overflow) = handle.offset.addingReportingOverflow(handle.size)
        guard !overflow, limit >= blockTrailerLength, end <= UInt64(limit - blockTrailerLength) else {
            throw FileFormatError.truncated(path: path, what: "\(what) (offset \(handle.offset), size \(handle.size); blocks end at \(limit))")
        }
        let start = Int(handle.offset), stop = Int(end)
        let type = bytes[stop]
        var trailer = ByteReader(bytes[(stop + 1)..<(stop + blockTrailerLength)], path: path, what: "\(what)'s trailer")
        let stored = CRC32C.unmask(try trailer.fixed32())
        guard CRC32C.extend(CRC32C.value(bytes[start..<stop]), [type]) == stored else {
            throw FileFormatError.checksumMismatch(path: path, what: what)
        }
        guard type == 0 else {
            throw FileFormatError.malformed(path: path, message: "\(what) has compression type \(type) (only uncompressed blocks are supported; 1 is snappy)")
        }
        return bytes[start..<stop]
    }

    /// The entries of one block, keys rebuilt from their shared prefixes.
    static func parseBlock(_ block: ArraySlice<UInt8>, path: String, what: String) throws -> [(key: [UInt8], value: ArraySlice<UInt8>)] {
        guard block.count >= 4 else { throw FileFormatError.truncated(path: path, what: "\(what)'s restart count") }
        var tail = ByteReader(block[(block.endIndex - 4)...], path: path, what: what)
        let restarts = Int(try tail.fixed32())
        guard restarts >= 1, restarts <= (block.count - 4) / 4 else {
            throw FileFormatError.malformed(path: path, message: "\(what) claims \(restarts) restart points, which do not fit in \(block.count) bytes")
        }
        let entriesEnd = block.endIndex - 4 - 4 * restarts
        var reader = ByteReader(block[block.startIndex..<entriesEnd], path: path, what: "an entry of \(what)")
        var entries: [(key: [UInt8], value: ArraySlice<UInt8>)] = []
        var key: [UInt8] = []
        while !reader.isAtEnd {
            let shared = try reader.length(), unshared = try reader.length(), valueLength = try reader.length()
            guard shared <= key.count else {
                throw FileFormatError.malformed(path: path, message: "an entry of \(what) shares \(shared) bytes with a \(key.count)-byte key")
            }
            key = Array(key[0..<shared]) + (try reader.take(unshared))
            entries.append((key, try reader.take(valueLength)))
        }
        return entries
    }
}
