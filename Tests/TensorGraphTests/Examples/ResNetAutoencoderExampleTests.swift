import Foundation
import TestSupport
import XCTest
@testable import TensorGraph

/// fashion-resnet and mnist-autoencoder keep the examples' contract (`--checkpoint` saves and resumes; without
/// dropout, to the uninterrupted run's numbers) and write what they promise: a frozen GraphDef without batch norms whose
/// golden output it reproduces, and a PNG grid of inputs above reconstructions. The real (debug) binaries run
/// on a few hundred examples.
final class ResNetAutoencoderExampleTests: XCTestCase {
    /// Runs the built example `name` from the repository root: (status, stdout, stderr).
    func example(_ name: String, _ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        let bundle = Bundle(for: Self.self).bundleURL
        let candidates = [bundle.deletingLastPathComponent(), bundle].map { $0.appendingPathComponent(name) }
        guard let binary = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
            throw XCTSkip("\(name) is not built; run `swift build` first")
        }
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: GraphRunModelFormatsTests.repository)
        // Both streams go to files, so that neither can fill a pipe and block the child.
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(UUID().uuidString)").path
        _ = FileManager.default.createFile(atPath: base + ".out", contents: nil)
        _ = FileManager.default.createFile(atPath: base + ".err", contents: nil)
        defer { for suffix in [".out", ".err"] { try? FileManager.default.removeItem(atPath: base + suffix) } }
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: base + ".out"))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: base + ".err"))
        try process.run()
        process.waitUntilExit()
        let read = { (path: String) in String(decoding: FileManager.default.contents(atPath: path) ?? Data(), as: UTF8.self) }
        return (process.terminationStatus, read(base + ".out"), read(base + ".err"))
    }

    /// The `Epoch e/n: ...` line without its timing.
    func epochLine(_ output: String, _ epoch: String) -> String? {
        output.split(separator: "\n").first { $0.hasPrefix("Epoch \(epoch):") }.map { String($0.prefix { $0 != "(" }) }
    }

    func testFashionResNetResumesAndWritesAFoldedGraph() throws {
        guard FileManager.default.fileExists(atPath: MNIST.fashionDebianDirectory + "/train-images-idx3-ubyte.gz") else {
            throw XCTSkip("Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist)")
        }
        let dir = try temporaryDirectory("fashion-resnet")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let common = ["--limit", "200", "--save", dir + "/resnet.pb"]
        let first = try example("fashion-resnet", common + ["--epochs", "1", "--checkpoint", dir + "/ckpt/model"])
        XCTAssertEqual(first.status, 0, first.stderr)
        let resumed = try example("fashion-resnet", common + ["--epochs", "2", "--checkpoint", dir + "/ckpt/model"])
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        XCTAssertTrue(resumed.stdout.contains("1 epochs done"), resumed.stdout)
        XCTAssertNotNil(epochLine(resumed.stdout, "2/2"), resumed.stdout)
        // Dropout draws fresh masks after a restart (random ops keep no state in a checkpoint, as in TF1), so the
        // resumed epoch's numbers differ from the uninterrupted run's; the step count and the moving statistics go on.
        let saved = try Saver.read(dir + "/ckpt/model")
        XCTAssertEqual(saved["global_step"]?.scalar(as: Int64.self), 2 * ((200 + 127) / 128))
        XCTAssertNotNil(saved["batch_normalization/moving_mean"], "\(saved.keys.sorted())")

        let frozen = try Graph(graphDef: Array(try Data(contentsOf: URL(fileURLWithPath: dir + "/resnet.pb"))))
        XCTAssertFalse(frozen.nodes.contains { $0.opName.hasPrefix("FusedBatchNorm") }, "\(Set(frozen.nodes.map(\.opName)))")
        let session = Session(graph: frozen)
        let output = try session.run(try XCTUnwrap(frozen.output(named: "probabilities")),
                                     feeding: [try XCTUnwrap(frozen.output(named: "x")): NPY.read(dir + "/resnet.input.npy")])
        assertClose(output.doubleValues, try NPY.read(dir + "/resnet.output.npy").doubleValues, absolute: 1e-6, relative: 1e-5)
    }

    func testAutoencoderResumesAndWritesItsGrid() throws {
        let dir = try temporaryDirectory("mnist-autoencoder")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let common = ["--limit", "256", "--image", dir + "/grid.png"]
        let whole = try example("mnist-autoencoder", common + ["--epochs", "2"])
        XCTAssertEqual(whole.status, 0, whole.stderr)
        let first = try example("mnist-autoencoder", common + ["--epochs", "1", "--checkpoint", dir + "/ckpt/model"])
        XCTAssertEqual(first.status, 0, first.stderr)
        let resumed = try example("mnist-autoencoder", common + ["--epochs", "2", "--checkpoint", dir + "/ckpt/model"])
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        XCTAssertNotNil(epochLine(whole.stdout, "2/2"), whole.stdout)
        XCTAssertEqual(epochLine(resumed.stdout, "2/2"), epochLine(whole.stdout, "2/2"))

        // Ten test digits (top row) and their reconstructions (bottom row), 28×28 each.
        let grid = try PNG.readGrayscale(dir + "/grid.png")
        XCTAssertEqual(grid.height, 56)
        XCTAssertEqual(grid.width, 280)
        let mnist = try MNIST(directory: try XCTUnwrap(MNIST.locateBundled()))
        let firstDigit = mnist.test.pixels.rows(0..<1).scalars(as: UInt8.self)
        XCTAssertEqual((0..<28).flatMap { y in grid.pixels[(y * 280)..<(y * 280 + 28)] }, firstDigit)
    }
}
