import Foundation
import TestSupport
import XCTest
@testable import TensorGraph

final class IDXTests: XCTestCase {
    func idx(_ type: UInt8, _ dims: [UInt32], _ payload: [UInt8]) -> [UInt8] {
        [0, 0, type, UInt8(dims.count)] + dims.flatMap { d in [24, 16, 8, 0].map { UInt8((d >> $0) & 0xFF) } } + payload
    }

    func testDecodesUInt8AndBigEndianInt32() throws {
        let bytes = try IDX.decode(idx(0x08, [2, 3], [1, 2, 3, 4, 5, 6]))
        XCTAssertEqual(bytes.shape, [2, 3])
        XCTAssertEqual(bytes.scalars(as: UInt8.self), [1, 2, 3, 4, 5, 6])
        let ints = try IDX.decode(idx(0x0C, [2], [0, 0, 1, 0, 0xFF, 0xFF, 0xFF, 0xFE]))
        XCTAssertEqual(ints.scalars(as: Int32.self), [256, -2])
    }

    func testRejectsBadInput() {
        assertThrows(["too short"]) { try IDX.decode([0, 0]) }
        assertThrows(["bad magic"]) { try IDX.decode([1, 0, 8, 1, 0, 0, 0, 0]) }
        assertThrows(["unsupported element type 0x7"]) { try IDX.decode(idx(0x07, [1], [0])) }
        assertThrows(["needs 10 bytes", "has 9"]) { try IDX.decode(idx(0x08, [2], [1])) }
        assertThrows(["declare more data"]) { try IDX.decode(idx(0x08, [0xFFFF_FFFF, 0xFFFF_FFFF], [])) }
        assertThrows(["no such file"]) { try IDX.read("/nonexistent/file.gz") }
    }

    func testReadsGzipAndReportsCorruption() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("idx-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let plain = dir.appendingPathComponent("a.idx").path
        try Data(idx(0x08, [3], [7, 8, 9])).write(to: URL(fileURLWithPath: plain))
        XCTAssertEqual(try IDX.read(plain).scalars(as: UInt8.self), [7, 8, 9])
        // The shipped MNIST labels are gzip files; a truncated copy must fail cleanly.
        let labels = try XCTUnwrap(MNIST.locateBundled()) + "/t10k-labels-idx1-ubyte.gz"
        let full = try IDX.read(labels)
        XCTAssertEqual(full.shape, [10_000])
        let truncated = dir.appendingPathComponent("t.gz").path
        try Data(try Data(contentsOf: URL(fileURLWithPath: labels)).prefix(2000)).write(to: URL(fileURLWithPath: truncated))
        assertThrows([truncated]) { try IDX.read(truncated) }
    }

    func testAtomicWriteLeavesNoPartialFile() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("atomic-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("out.bin").path
        try writeFileAtomically([1, 2, 3], to: path)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path)), Data([1, 2, 3]))
        assertThrows(["cannot create"]) { try writeFileAtomically([1], to: "/nonexistent-dir/x.bin") }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["out.bin"])
    }
}

final class MNISTTests: XCTestCase {
    func testBatchesInOrderAndShuffled() throws {
        let mnist = try MNIST(directory: XCTUnwrap(MNIST.locateBundled()))
        XCTAssertEqual(mnist.train.count, 60_000)
        XCTAssertEqual(mnist.test.images.shape, [10_000, 784])
        let pixels = mnist.train.images.scalars(as: Float.self).prefix(784 * 10)
        XCTAssert(pixels.allSatisfy { $0 >= 0 && $0 <= 1 } && pixels.contains(1))
        let small = mnist.train.subset(0..<100)
        let ordered = small.batches(of: 32)
        XCTAssertEqual(ordered.map(\.count), [32, 32, 32, 4])
        XCTAssertEqual(ordered[0].labels.scalars(as: Int32.self).prefix(5), [5, 0, 4, 1, 9])
        XCTAssertEqual(ordered[0].oneHotLabels.scalars(as: Float.self).prefix(10), [0, 0, 0, 0, 0, 1, 0, 0, 0, 0])
        let shuffled = small.batches(of: 100, shuffleSeed: 1)[0].labels.scalars(as: Int32.self)
        XCTAssertNotEqual(shuffled, small.labels.scalars(as: Int32.self))
        XCTAssertEqual(shuffled.sorted(), small.labels.scalars(as: Int32.self).sorted())
        XCTAssertEqual(shuffled, small.batches(of: 100, shuffleSeed: 1)[0].labels.scalars(as: Int32.self))
    }
}

final class NPYTests: XCTestCase {
    func testRoundTripEveryDType() throws {
        let tensors = [Tensor(shape: [2, 3], scalars: [Float(1), -2, 3, 4, 5, 6.5]), Tensor([1.5, -2.25]), Tensor([Int32(-1), 7]),
                       Tensor([Int64(1) << 40]), Tensor(shape: [2, 2], scalars: [UInt8(0), 255, 7, 9]), Tensor([true, false, true]), Tensor(Float(3))]
        for t in tensors { XCTAssertEqual(try NPY.decode(NPY.encode(t)), t, "\(t.dtype)") }
        XCTAssertEqual(NPY.encode(tensors[0]).count % 64, (tensors[0].byteCount) % 64, "header padded to 64 bytes")
    }

    func testRejectsBadFiles() {
        let good = NPY.encode(Tensor([Float(1), 2]))
        assertThrows(["magic"]) { try NPY.decode(Array(good.dropFirst())) }
        assertThrows(["needs 8 data bytes", "has 4"]) { try NPY.decode(Array(good.dropLast(4))) }
        var bigEndian = good
        let at = (0..<(good.count - 2)).first { good[$0] == UInt8(ascii: "<") && good[$0 + 1] == UInt8(ascii: "f") }!
        bigEndian[at] = UInt8(ascii: ">")
        assertThrows(["unsupported dtype '>f4'"]) { try NPY.decode(bigEndian) }
    }
}
