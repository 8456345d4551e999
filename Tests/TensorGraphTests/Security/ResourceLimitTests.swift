import Foundation
import TestSupport
import XCTest
@testable import TensorGraph

/// Memory and time limits (issue 15, case 11): a tiny graph asking for gigabytes fails with an error naming
/// the node and the size before anything is allocated; a gzip bomb is refused from its header.
final class ResourceLimitTests: XCTestCase {
    func assertKernelFailure(_ node: String, _ fragment: String, file: StaticString = #filePath, line: UInt = #line, _ body: () throws -> Void) {
        do {
            try body()
            XCTFail("ran; expected a kernel failure in '\(node)'", file: file, line: line)
        } catch let TensorGraphError.kernelFailure(_, failing, message) {
            XCTAssertEqual(failing, node, file: file, line: line)
            XCTAssert(message.contains(fragment), message, file: file, line: line)
        } catch {
            XCTFail("unexpected error \(error)", file: file, line: line)
        }
    }

    /// Fill of 8 GiB, RandomUniform of 16 GiB, Pad by 2·10^9: each over a 64 MiB per-tensor limit.
    func testHugeOutputsHitTheTensorLimit() throws {
        let g = Graph()
        let fill = try g.fill(dims: g.constant(Tensor([Int32(65536), 32768])), value: g.constant(Float(1)), name: "fill")
        let random = try g.randomUniform(shape: g.constant(Tensor([Int32(65536), 65536])))
        let pad = try g.pad(g.constant(Tensor([Float(1)])), paddings: [[0, 2_000_000_000]], name: "pad")
        let session = Session(graph: g)
        session.maximumTensorBytes = 64 << 20
        assertKernelFailure("fill", "needs 8589934592 bytes, over the session's limit of 67108864 bytes per tensor") { _ = try session.run(fill) }
        assertKernelFailure(random.node.name, "needs 17179869184 bytes") { _ = try session.run(random) }
        assertKernelFailure("pad", "needs 8000000004 bytes") { _ = try session.run(pad) }
        // The default (16 GiB per tensor) still lets ordinary graphs run.
        XCTAssertEqual(try Session(graph: g).run(g.fill(dims: g.constant(Tensor([Int32(2)])), value: g.constant(Float(3)))).scalars(as: Float.self), [3, 3])
    }

    /// The per-run total counts new buffers: three 4 MiB outputs fit 16 MiB, not 10 MiB.
    func testRunTotalLimit() throws {
        let g = Graph()
        let x = try g.placeholder(.float, shape: [1 << 20], name: "x")
        let y = try g.exp(g.sin(g.cos(x, name: "a"), name: "b"), name: "c")
        let session = Session(graph: g)
        let input = Tensor(shape: [1 << 20], scalars: [Float](repeating: 0, count: 1 << 20))
        session.maximumRunBytes = 16 << 20
        XCTAssertEqual(try session.run(y, feeding: [x: input]).shape, [1 << 20])
        let fresh = Session(graph: g)
        fresh.maximumRunBytes = 10 << 20
        do {
            _ = try fresh.run(y, feeding: [x: input])
            // In-place elementwise steps may reuse the first buffer: then the run fits.
        } catch let TensorGraphError.kernelFailure(_, _, message) {
            XCTAssert(message.contains("bytes per run"), message)
        }
        let tiny = Session(graph: g)
        tiny.maximumRunBytes = 1 << 20
        assertKernelFailure("a", "over the session's limit of 1048576 bytes per run") { _ = try tiny.run(y, feeding: [x: input]) }
    }

    /// A run past `runTimeout` stops between steps with an error naming the next node.
    func testRunTimeout() throws {
        let g = Graph()
        let x = try g.placeholder(.float, shape: [4], name: "x")
        var y = x
        for i in 0..<50 { y = try g.sin(y, name: "s\(i)") }
        let session = Session(graph: g)
        session.runTimeout = 0
        do {
            _ = try session.run(y, feeding: [x: Tensor([Float](repeating: 1, count: 4))])
            XCTFail("a zero timeout must stop the run")
        } catch let TensorGraphError.kernelFailure(_, _, message) {
            XCTAssert(message.contains("timeout"), message)
        }
        session.runTimeout = 60
        XCTAssertEqual(try session.run(y, feeding: [x: Tensor([Float](repeating: 1, count: 4))]).shape, [4])
    }

    /// A gzip bomb: 64 MiB of zeros behind an IDX header, 64 KB on disk. Over the limit it is refused from
    /// the header alone; under it, it decodes.
    func testIDXGzipBombIsRefusedFromItsHeader() throws {
        let dir = try temporaryDirectory("idx-bomb")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let count = 64 << 20
        var plain = [UInt8](repeating: 0, count: 8 + count)
        plain[2] = 0x08
        plain[3] = 1
        withUnsafeBytes(of: UInt32(count).bigEndian) { for i in 0..<4 { plain[4 + i] = $0[i] } }
        try Data(plain).write(to: URL(fileURLWithPath: dir + "/bomb.idx"))
        let gzip = Process()
        gzip.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        gzip.arguments = ["gzip", "-9", dir + "/bomb.idx"]
        try gzip.run()
        gzip.waitUntilExit()
        XCTAssertEqual(gzip.terminationStatus, 0)
        let path = dir + "/bomb.idx.gz"
        XCTAssertLessThan(try XCTUnwrap(FileManager.default.attributesOfItem(atPath: path)[.size] as? Int), 1 << 20)
        do {
            _ = try IDX.read(path, maximumBytes: 1 << 20)
            XCTFail("a 64 MiB IDX must be refused under a 1 MiB limit")
        } catch let TensorGraphError.fileError(_, message) {
            XCTAssert(message.contains("more than the limit of 1048576 bytes"), message)
        }
        XCTAssertEqual(try IDX.read(path, maximumBytes: 128 << 20).shape, [count])
        // A plain reader limit: the decompressed stream stops at the limit.
        do {
            _ = try readPossiblyCompressedFile(path, limit: 1 << 20)
            XCTFail("over the limit")
        } catch let TensorGraphError.fileError(_, message) {
            XCTAssert(message.contains("more than the limit"), message)
        }
    }
}
