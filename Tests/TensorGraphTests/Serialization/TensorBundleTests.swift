import Foundation
import TestSupport
import XCTest
@testable import TensorGraph

/// TensorFlow's checkpoint V2 (issue 14): CRC-32C, varints and the table layout at the byte level,
/// `Saver`'s files, a checkpoint written by `tf.compat.v1.train.Saver` (Tests/Fixtures/tf-checkpoint,
/// made by `Tools/interop-formats.py fixtures`), and corrupt files.
final class TensorBundleTests: XCTestCase {
    /// TF's published vectors (`crc32c_test.cc`, RFC 3720 B.4) and its mask.
    func testCRC32CAndMaskMatchTensorFlowsVectors() {
        XCTAssertEqual(CRC32C.value([UInt8](repeating: 0, count: 32)), 0x8A91_36AA)
        XCTAssertEqual(CRC32C.value([UInt8](repeating: 0xFF, count: 32)), 0x62A8_AB43)
        XCTAssertEqual(CRC32C.value((0..<32).map { UInt8($0) }), 0x46DD_794E)
        XCTAssertEqual(CRC32C.value((0..<32).reversed().map { UInt8($0) }), 0x113F_DB5C)
        XCTAssertEqual(CRC32C.value(Array("123456789".utf8)), 0xE306_9283)
        XCTAssertEqual(CRC32C.extend(CRC32C.value(Array("1234".utf8)), Array("56789".utf8)), 0xE306_9283)
        XCTAssertEqual(CRC32C.mask(0x8A91_36AA), 0x0FD7_FFFA)
        XCTAssertEqual(CRC32C.mask(0xE306_9283), 0xC78A_B0E5)
        XCTAssertEqual(CRC32C.mask(0), 0xA282_EAD8)
        for crc: UInt32 in [0, 1, 0x8A91_36AA, 0xFFFF_FFFF] {
            XCTAssertEqual(CRC32C.unmask(CRC32C.mask(crc)), crc)
            XCTAssertNotEqual(CRC32C.mask(crc), crc)
            XCTAssertNotEqual(CRC32C.mask(CRC32C.mask(crc)), CRC32C.mask(crc))
        }
    }

    func testVarintsAndFixedIntegers() throws {
        let cases: [(UInt64, [UInt8])] = [(0, [0]), (127, [0x7F]), (128, [0x80, 0x01]), (300, [0xAC, 0x02]),
                                          (UInt64.max, [UInt8](repeating: 0xFF, count: 9) + [0x01])]
        for (value, bytes) in cases {
            var writer = ByteWriter()
            writer.varint(value)
            XCTAssertEqual(writer.bytes, bytes, "\(value)")
            var reader = ByteReader(bytes[...], path: "p", what: "a varint")
            XCTAssertEqual(try reader.varint(), value)
            XCTAssertTrue(reader.isAtEnd)
        }
        var fixed = ByteWriter()
        fixed.fixed32(0x0102_0304)
        fixed.fixed64(0xDB47_7524_8B80_FB57)
        XCTAssertEqual(fixed.bytes, [4, 3, 2, 1, 0x57, 0xFB, 0x80, 0x8B, 0x24, 0x75, 0x47, 0xDB])
        var overlong = ByteReader([UInt8](repeating: 0x80, count: 11)[...], path: "p", what: "x")
        XCTAssertThrowsError(try overlong.varint()) { XCTAssertEqual($0 as? FileFormatError, .malformed(path: "p", message: "varint longer than 10 bytes in x")) }
        var cut = ByteReader([0x80, 0x80][...], path: "p", what: "x")
        XCTAssertThrowsError(try cut.varint()) { XCTAssertEqual($0 as? FileFormatError, .truncated(path: "p", what: "x")) }
    }

    /// The 48-byte footer: metaindex and index handles, zero padding to 40 bytes, the magic; each
    /// block followed by type 0 and the masked CRC of block + type.
    func testIndexFileLayout() throws {
        let (index, data) = try TensorBundle.encode([("w", Tensor(shape: [2], scalars: [Float(1), 2])), ("b", Tensor(Int64(7)))])
        XCTAssertEqual(data, Tensor(Int64(7)).bytes + Tensor(shape: [2], scalars: [Float(1), 2]).bytes, "entries in key order: b, w")
        XCTAssertEqual(Array(index.suffix(8)), [0x57, 0xFB, 0x80, 0x8B, 0x24, 0x75, 0x47, 0xDB])
        var footer = ByteReader(index[(index.count - 48)...], path: "p", what: "footer")
        let meta = (offset: Int(try footer.varint()), size: Int(try footer.varint()))
        let indexBlock = (offset: Int(try footer.varint()), size: Int(try footer.varint()))
        XCTAssertEqual(index[footer.position..<(index.count - 8)].allSatisfy { $0 == 0 }, true, "padding")
        XCTAssertEqual(meta.offset + meta.size + 5, indexBlock.offset, "the metaindex block precedes the index block")
        XCTAssertEqual(indexBlock.offset + indexBlock.size + 5, index.count - 48, "the index block ends at the footer")
        XCTAssertEqual(Array(index[meta.offset..<(meta.offset + meta.size)]), [0, 0, 0, 0, 1, 0, 0, 0], "empty block: one restart at 0")
        for block in [meta, indexBlock] {
            let end = block.offset + block.size
            XCTAssertEqual(index[end], 0, "compression type none")
            var trailer = ByteReader(index[(end + 1)..<(end + 5)], path: "p", what: "trailer")
            XCTAssertEqual(try trailer.fixed32(), CRC32C.mask(CRC32C.value(index[block.offset...end])))
        }
        let entries = try SortedTable.decode(index, path: "p")
        XCTAssertEqual(entries.map { String(decoding: $0.key, as: UTF8.self) }, ["", "b", "w"])
        XCTAssertEqual(Array(entries[0].value), [0x08, 0x01, 0x1A, 0x02, 0x08, 0x01], "header: num_shards 1, version { producer 1 }, as TF writes it")
    }

    /// Shared-prefix keys with restart points round-trip, over several data blocks.
    func testSharedPrefixKeysAndManyBlocks() throws {
        let entries = (0..<600).map { i in (key: Array("layer\(i / 100)/kernel/slot\(String(format: "%03d", i))".utf8), value: [UInt8](repeating: UInt8(i % 256), count: 9)) }
            .sorted { $0.key.lexicographicallyPrecedes($1.key) }
        let table = SortedTable.encode(entries)
        let block = SortedTable.encodeBlock(Array(entries.prefix(20)), restartInterval: 16)
        XCTAssertEqual(Array(block.suffix(4)), [2, 0, 0, 0], "20 entries, restart interval 16: two restart points")
        let decoded = try SortedTable.decode(table, path: "p")
        XCTAssertEqual(decoded.map(\.key), entries.map(\.key))
        XCTAssertEqual(decoded.map { Array($0.value) }, entries.map(\.value))
        XCTAssertLessThan(table.count, entries.reduce(0) { $0 + $1.key.count + $1.value.count }, "shared prefixes are not stored twice")
    }

    /// `Saver.save` writes TF's two files and the `checkpoint` state file, byte-identically each time, and no temporary file.
    func testSaverWritesTensorFlowCheckpointFiles() throws {
        let dir = try temporaryDirectory("bundle-save")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (g, session) = try Self.modelWithEveryDType()
        try Saver(graph: g).save(session, to: dir + "/model.ckpt")
        let first = try Data(contentsOf: URL(fileURLWithPath: dir + "/model.ckpt.index"))
        try Saver(graph: g).save(session, to: dir + "/model.ckpt-2")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir).sorted(),
                       ["checkpoint", "model.ckpt-2.data-00000-of-00001", "model.ckpt-2.index", "model.ckpt.data-00000-of-00001", "model.ckpt.index"])
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: dir + "/model.ckpt-2.index")), first, "deterministic bytes")
        XCTAssertEqual(try String(contentsOfFile: dir + "/checkpoint", encoding: .utf8),
                       "model_checkpoint_path: \"model.ckpt-2\"\nall_model_checkpoint_paths: \"model.ckpt\"\nall_model_checkpoint_paths: \"model.ckpt-2\"\n")
        XCTAssertEqual(try CheckpointState.latestCheckpoint(in: dir), dir + "/model.ckpt-2")
        let read = try Saver.read(dir + "/model.ckpt")
        XCTAssertEqual(try Saver.read(dir + "/model.ckpt.index"), read, "the index file's path works too")
        for variable in g.globalVariables { XCTAssertEqual(read[variable.name], session.value(of: variable), variable.name) }
    }

    /// TensorGraph's earlier single-file checkpoints still restore.
    func testTensorGraphFormatStillRestores() throws {
        let dir = try temporaryDirectory("bundle-legacy")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (g, session) = try Self.modelWithEveryDType()
        try Saver(graph: g).save(session, to: dir + "/old.ckpt", format: .tensorGraph)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir), ["old.ckpt"])
        let (g2, fresh) = try Self.modelWithEveryDType(zeros: true)
        try Saver(graph: g2).restore(fresh, from: dir + "/old.ckpt")
        for (a, b) in zip(g.globalVariables, g2.globalVariables) { XCTAssertEqual(fresh.value(of: b), session.value(of: a), a.name) }
    }

    /// The checkpoint `tf.compat.v1.train.Saver` wrote (shared-prefix keys, TF's index separators)
    /// reads with the names, dtypes, shapes and values `tf.train.load_checkpoint` reported, and
    /// restores into a graph with the same variable names.
    func testRestoresACheckpointWrittenByTensorFlow() throws {
        let fixture = Self.repository + "/Tests/Fixtures/tf-checkpoint"
        let expected = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: fixture + "/expected.json"))) as? [String: [String: Any]])
        let read = try Saver.read(fixture + "/model.ckpt")
        XCTAssertEqual(read.keys.sorted(), expected.keys.sorted())
        XCTAssertEqual(try CheckpointState.latestCheckpoint(in: fixture), fixture + "/model.ckpt")
        let g = Graph()
        var variables: [(Variable, Tensor)] = []
        for (name, entry) in expected.sorted(by: { $0.key < $1.key }) {
            let tensor = try XCTUnwrap(read[name])
            XCTAssertEqual(tensor.dtype.description, entry["dtype"] as? String, name)
            XCTAssertEqual(tensor.shape, entry["shape"] as? [Int], name)
            // Raw little-endian bytes as hex: exact, unlike decimal floats through JSON.
            XCTAssertEqual(tensor.bytes.map { String(format: "%02x", $0) }.joined(), entry["bytes"] as? String, name)
            let handle = try g.variable(g.constant(Tensor(zeros: tensor.dtype, shape: tensor.shape)), name: name)
            variables.append((try XCTUnwrap(g.variable(for: handle)), tensor))
        }
        let session = Session(graph: g)
        try session.run(g.globalVariablesInitializer())
        try Saver(graph: g).restore(session, from: fixture + "/model.ckpt")
        for (variable, tensor) in variables { XCTAssertEqual(session.value(of: variable), tensor, variable.name) }
    }

    // MARK: Corrupt files

    func testCorruptIndexFilesAreTypedErrors() throws {
        let dir = try temporaryDirectory("bundle-corrupt")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let prefix = dir + "/m.ckpt", indexPath = prefix + ".index"
        try TensorBundle.write([("a", Tensor(shape: [3], scalars: [Float(1), 2, 3]))], prefix: prefix)
        let good = try [UInt8](Data(contentsOf: URL(fileURLWithPath: indexPath)))
        func expect(_ bytes: [UInt8], _ check: (FileFormatError) -> Bool, line: UInt = #line) throws {
            try Data(bytes).write(to: URL(fileURLWithPath: indexPath))
            XCTAssertThrowsError(try TensorBundle.read(prefix: prefix), line: line) { error in
                XCTAssert((error as? FileFormatError).map(check) ?? false, "\(error)", line: line)
            }
        }
        try expect(Array(good.prefix(20))) { if case .truncated(indexPath, _) = $0 { return true } else { return false } }
        try expect(Array(good.dropLast())) { if case .badMagic(indexPath, SortedTable.magic, _) = $0 { return true } else { return false } }
        var flipped = good
        flipped[3] ^= 0x20
        try expect(flipped) { $0 == .checksumMismatch(path: indexPath, what: "data block 0") }
        // A handle pointing past the blocks: the footer's index handle rewritten.
        var handle = ByteWriter()
        handle.varint(0); handle.varint(0); handle.varint(5000); handle.varint(10)
        let badHandle = Array(good.prefix(good.count - 48)) + handle.bytes + [UInt8](repeating: 0, count: 40 - handle.bytes.count) + Array(good.suffix(8))
        try expect(badHandle) { if case .truncated(indexPath, let what) = $0 { return what.hasPrefix("the index block") } else { return false } }
        // Saver reports the same problem as a TensorGraphError naming the file.
        try Data(flipped).write(to: URL(fileURLWithPath: indexPath))
        assertThrows([indexPath, "crc32c mismatch in data block 0"]) { try Saver.read(prefix) }
    }

    /// Entries that contradict themselves or the data file.
    func testInvalidEntriesAreTypedErrors() throws {
        let dir = try temporaryDirectory("bundle-entries")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let prefix = dir + "/m.ckpt", indexPath = prefix + ".index"
        try Data([UInt8](repeating: 1, count: 12)).write(to: URL(fileURLWithPath: TensorBundle.dataPath(prefix: prefix)))
        let header: [UInt8] = [0x08, 0x01, 0x1A, 0x02, 0x08, 0x01]
        // BundleEntryProto fields: 1 dtype, 2 shape { 2 dim { 1 size } }, 3 shard_id, 4 offset, 5 size, 6 crc32c.
        let shape3: [UInt8] = [0x12, 0x04, 0x12, 0x02, 0x08, 0x03]
        let cases: [([UInt8], String)] = [
            ([0x08, 0x01] + shape3 + [0x28, 0x08], "8 bytes cannot hold float32(3,) (12 bytes)"),
            ([0x08, 0x01] + shape3 + [0x20, 0x04, 0x28, 0x0C], "bytes 4..<16 lie outside"),
            ([0x08, 0x01] + shape3 + [0x18, 0x03, 0x28, 0x0C], "shard 3 of 1"),
            ([0x08, 0x07] + shape3, "unsupported DataType 7"),
            ([0x08, 0x01, 0x12, 0x0D, 0x12, 0x0B, 0x08, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01], "is not fully known"),
            ([0x08, 0x01, 0x12], "not a valid BundleEntryProto"),
        ]
        for (entry, message) in cases {
            try Data(SortedTable.encode([([], header), (Array("v".utf8), entry)])).write(to: URL(fileURLWithPath: indexPath))
            XCTAssertThrowsError(try TensorBundle.read(prefix: prefix)) { error in
                guard case let .invalidEntry(path, key, text)? = error as? FileFormatError else { return XCTFail("\(error)") }
                XCTAssertEqual([path, key], [indexPath, "v"])
                XCTAssert(text.contains(message), "\(text) lacks \(message)")
            }
        }
        // A consistent entry whose stored CRC does not match the data.
        try Data(SortedTable.encode([([], header), (Array("v".utf8), [0x08, 0x01] + shape3 + [0x28, 0x0C, 0x35, 1, 2, 3, 4])]))
            .write(to: URL(fileURLWithPath: indexPath))
        XCTAssertThrowsError(try TensorBundle.read(prefix: prefix)) {
            XCTAssertEqual($0 as? FileFormatError, .checksumMismatch(path: TensorBundle.dataPath(prefix: prefix), what: "the bytes of 'v'"))
        }
        try Data(SortedTable.encode([(Array("v".utf8), [])])).write(to: URL(fileURLWithPath: indexPath))
        XCTAssertThrowsError(try TensorBundle.read(prefix: prefix)) {
            XCTAssertEqual($0 as? FileFormatError, .malformed(path: indexPath, message: "no BundleHeaderProto under the empty key"))
        }
        try FileManager.default.removeItem(atPath: TensorBundle.dataPath(prefix: prefix))
        try TensorBundle.write([("v", Tensor(Float(1)))], prefix: prefix + "2")
        try FileManager.default.removeItem(atPath: TensorBundle.dataPath(prefix: prefix + "2"))
        assertThrows(["m.ckpt2.data-00000-of-00001", "no such file"]) { try Saver.read(prefix + "2") }
    }

    /// Random byte edits, truncations and extensions of a checkpoint's index and data files are
    /// read or rejected with a typed error: never a crash or a hang.
    func testMutatedCheckpointsNeverCrash() throws {
        let dir = try temporaryDirectory("bundle-fuzz")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let prefix = dir + "/m.ckpt"
        let (g, session) = try Self.modelWithEveryDType()
        try Saver(graph: g).save(session, to: prefix)
        let files = [TensorBundle.indexPath(prefix: prefix), TensorBundle.dataPath(prefix: prefix)]
        let originals = try files.map { try [UInt8](Data(contentsOf: URL(fileURLWithPath: $0))) }
        var generator = SystemRandomNumberGenerator()
        var rejected = 0
        for round in 0..<600 {
            let which = round % 2
            var bytes = originals[which]
            switch round % 3 {
            case 0: for _ in 0...Int.random(in: 0..<3, using: &generator) { bytes[Int.random(in: 0..<bytes.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator) }
            case 1: bytes = Array(bytes.prefix(Int.random(in: 0..<bytes.count, using: &generator)))
            default: bytes.insert(UInt8.random(in: 0...255, using: &generator), at: Int.random(in: 0...bytes.count, using: &generator))
            }
            try Data(bytes).write(to: URL(fileURLWithPath: files[which]))
            do {
                _ = try TensorBundle.read(prefix: prefix)
            } catch is FileFormatError {
                rejected += 1
            } catch let error as TensorGraphError {
                XCTFail("expected a FileFormatError, got \(error)")
            }
            try Data(originals[which]).write(to: URL(fileURLWithPath: files[which]))
        }
        XCTAssertGreaterThan(rejected, 500, "nearly every mutation is caught by a checksum, the magic or a bounds check")
    }

    /// A failed write removes its temporary files and leaves the previous files as they were.
    func testFailedWriteLeavesOldFilesAndNoTemporaryFile() throws {
        let dir = try temporaryDirectory("bundle-atomic")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: dir + "/a"))
        XCTAssertThrowsError(try writeFilesAtomically([(dir + "/a", [9, 9]), (dir + "/missing/b", [7])]))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir), ["a"])
        XCTAssertEqual(try [UInt8](Data(contentsOf: URL(fileURLWithPath: dir + "/a"))), [1, 2, 3])
        let (g, session) = try Self.modelWithEveryDType()
        assertThrows(["missing"]) { try Saver(graph: g).save(session, to: dir + "/missing/model.ckpt") }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir), ["a"])
    }

    // MARK: Helpers

    static var repository: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    }

    /// Variables of every dtype, with a slot-like name, initialized (or zeros).
    static func modelWithEveryDType(zeros: Bool = false) throws -> (Graph, Session) {
        let g = Graph()
        let values: [(String, Tensor)] = [
            ("dense/kernel", Tensor(shape: [2, 3], scalars: (0..<6).map { Float($0) * 0.5 - 1 })),
            ("dense/kernel/Adam", Tensor(shape: [2, 3], scalars: [Float](repeating: 0.25, count: 6))),
            ("global_step", Tensor(Int64(42))), ("counts", Tensor([Int32(-1), 7])), ("table", Tensor([1e-300, -2.5])),
            ("pixels", Tensor([UInt8(0), 255])), ("flags", Tensor([true, false])), ("empty", Tensor(zeros: .float, shape: [0, 4])),
        ]
        for (name, value) in values {
            _ = try g.variable(g.constant(zeros ? Tensor(zeros: value.dtype, shape: value.shape) : value), name: name)
        }
        let session = Session(graph: g)
        try session.run(g.globalVariablesInitializer())
        return (g, session)
    }
}
