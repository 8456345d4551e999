import Foundation
import TestSupport
import XCTest
@testable import TensorGraph

/// `writeFileAtomically` replaces regular files only, follows links to them, and leaves no temporary
/// file behind; every reader refuses a FIFO or a directory at once instead of blocking. Everything
/// happens in a temporary directory (never on the real `/dev/null`).
final class AtomicWriteTests: XCTestCase {
    var dir = ""

    override func setUpWithError() throws { dir = try temporaryDirectory("atomic-write") }
    override func tearDown() { try? FileManager.default.removeItem(atPath: dir) }

    func entries() throws -> [String] { try FileManager.default.contentsOfDirectory(atPath: dir).sorted() }

    func assertRefused(_ path: String, _ fragment: String, file: StaticString = #filePath, line: UInt = #line) {
        do {
            try writeFileAtomically([1, 2, 3], to: path)
            XCTFail("wrote over \(path)", file: file, line: line)
        } catch let TensorGraphError.fileError(_, message) {
            XCTAssert(message.contains(fragment), message, file: file, line: line)
        } catch {
            XCTFail("untyped error \(error)", file: file, line: line)
        }
    }

    func testRefusesFIFOAndDirectory() throws {
        XCTAssertEqual(mkfifo(dir + "/pipe", 0o600), 0)
        assertRefused(dir + "/pipe", "is not a regular file (a FIFO)")
        var info = stat()
        XCTAssertEqual(lstat(dir + "/pipe", &info), 0)
        XCTAssertEqual(info.st_mode & S_IFMT, S_IFIFO, "the FIFO is still a FIFO")
        try FileManager.default.createDirectory(atPath: dir + "/sub", withIntermediateDirectories: false)
        assertRefused(dir + "/sub", "a directory")
        XCTAssertEqual(try entries(), ["pipe", "sub"], "no temporary file is left behind")
    }

    func testSymlinksAreFollowedToRegularFilesOnly() throws {
        try writeFileAtomically([9], to: dir + "/real.bin")
        XCTAssertEqual(symlink(dir + "/real.bin", dir + "/link.bin"), 0)
        try writeFileAtomically([4, 5], to: dir + "/link.bin")
        XCTAssertEqual([UInt8](try Data(contentsOf: URL(fileURLWithPath: dir + "/real.bin"))), [4, 5], "the link's target is replaced")
        XCTAssertEqual(try FileManager.default.destinationOfSymbolicLink(atPath: dir + "/link.bin"), dir + "/real.bin", "the link is kept")

        XCTAssertEqual(mkfifo(dir + "/pipe", 0o600), 0)
        XCTAssertEqual(symlink(dir + "/pipe", dir + "/to-pipe"), 0)
        assertRefused(dir + "/to-pipe", "a FIFO")
        XCTAssertEqual(symlink(dir + "/missing", dir + "/dangling"), 0)
        assertRefused(dir + "/dangling", "symbolic link to a missing file")
        XCTAssertEqual(try entries(), ["dangling", "link.bin", "pipe", "real.bin", "to-pipe"], "no temporary file is left behind")
    }

    func testFailureLeavesNoFile() throws {
        assertRefused(dir + "/no-such-dir/out.npy", "cannot create a temporary file")
        XCTAssertEqual(try entries(), [])
        try NPY.write(Tensor([Float(1), 2]), to: dir + "/out.npy")
        XCTAssertEqual(try NPY.read(dir + "/out.npy").scalars(as: Float.self), [1, 2])
        XCTAssertEqual(try entries(), ["out.npy"])
    }

    /// Reading a FIFO would block until a writer appears (Foundation's `contents(atPath:)` and `gzopen` do):
    /// every file reader refuses it, and a directory, with a typed error. An empty file reads as empty.
    func testReadersRefuseFIFOsAndDirectoriesWithoutBlocking() throws {
        XCTAssertEqual(mkfifo(dir + "/pipe", 0o600), 0)
        try FileManager.default.createDirectory(atPath: dir + "/sub", withIntermediateDirectories: false)
        let readers: [(String, (String) throws -> Any)] = [
            ("readWholeFile", { try readWholeFile($0) }), ("GraphDef", { try Graph(contentsOf: $0) }), ("NPY", { try NPY.read($0) }),
            ("IDX", { try IDX.read($0) }), ("PNG", { try PNG.readGrayscale($0) }), ("CSV", { try Dataset(csvFile: $0) }),
            ("TFRecord", { try TFRecord.read($0) }), ("checkpoint", { try Saver.read($0) }),
        ]
        for (name, read) in readers {
            for (path, kind) in [(dir + "/pipe", "a FIFO"), (dir + "/sub", "a directory")] {
                do {
                    _ = try read(path)
                    XCTFail("\(name) read \(kind)")
                } catch let TensorGraphError.fileError(_, message) {
                    XCTAssert(message.contains("not a regular file") || message.contains(kind), "\(name), \(kind): \(message)")
                } catch {
                    XCTFail("\(name), \(kind): untyped error \(error)")
                }
            }
        }
        XCTAssert(FileManager.default.createFile(atPath: dir + "/empty", contents: Data()))
        XCTAssertEqual(try readWholeFile(dir + "/empty"), [])
        try writeFileAtomically([1, 2, 3], to: dir + "/three")
        XCTAssertEqual(try readWholeFile(dir + "/three"), [1, 2, 3])
        XCTAssertThrowsError(try readWholeFile(dir + "/three", limit: 2), "over the limit")
    }
}
