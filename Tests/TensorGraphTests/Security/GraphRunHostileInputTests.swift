import Foundation
import TestSupport
import XCTest
@testable import TensorGraph

/// The release `graphrun` against the hostile inputs of issue 15: every case exits with status 1 (64 for
/// a bad command line) and one `graphrun: error:` line naming the problem, never a signal.
final class GraphRunHostileInputTests: XCTestCase {
    var dir = ""

    override func setUpWithError() throws { dir = try temporaryDirectory("graphrun-hostile") }
    override func tearDown() { try? FileManager.default.removeItem(atPath: dir) }

    /// Writes a GraphDef of `nodes` and returns its path.
    func model(_ name: String, _ nodes: [HostileNode]) throws -> String {
        let path = "\(dir)/\(name).pb"
        try Data(hostileGraphDef(nodes)).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// Runs graphrun and checks its exit status and that stderr contains `fragment`.
    func expect(_ status: Int32, _ fragment: String, _ arguments: [String], file: StaticString = #filePath, line: UInt = #line) throws {
        let r = try runGraphrun(arguments, in: dir, anchor: GraphRunHostileInputTests.self)
        XCTAssertEqual(r.status, status, "\(arguments): \(r.stderr)", file: file, line: line)
        XCTAssert(r.stderr.contains(fragment), "\(arguments): stderr lacks '\(fragment)': \(r.stderr)", file: file, line: line)
    }

    var softmax: [HostileNode] { [.placeholder("x", dims: [-1, 3]), .unary("probs", "Softmax", "x")] }

    func testMalformedFilesAndGraphs() throws {
        // 1. An .npy header with ')' before '('.
        var header = "{'descr': '<f4', 'fortran_order': False, 'shape': ), (, }"
        header += String(repeating: " ", count: (64 - (10 + header.utf8.count + 1) % 64) % 64) + "\n"
        try Data([0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(header.utf8.count), 0] + Array(header.utf8)).write(to: URL(fileURLWithPath: dir + "/bad.npy"))
        let probs = try model("softmax", softmax)
        try expect(1, "'shape' has no closing parenthesis", ["run", probs, "--feed", "x=bad.npy", "--fetch", "probs"])
        // 2. A negative DataType in a Const's tensor.
        let negative = try model("negative-dtype", [HostileNode(name: "c", op: "Const", attrs: [("dtype", HostileNode.type(WireType.float)),
                                                                                                 ("value", HostileNode.tensor(dtype: -5, dims: [1], floats: [1]))])])
        try expect(1, "unsupported DataType -5", ["inspect", negative])
        // 4. An input `c:-1`.
        let input = try model("input-minus-one", [.const("c", dims: [1], floats: [1]), .unary("i", "Identity", "c:-1")])
        try expect(1, "reads output -1 of 'c'", ["inspect", input])
        // 6. Conv2D strides of Int64.max.
        let conv = try model("stride", [.placeholder("x", dims: [1, 8, 8, 1]), .const("w", dims: [3, 3, 1, 1], floats: [1]),
                                        HostileNode(name: "y", op: "Conv2D", inputs: ["x", "w"],
                                                    attrs: [("T", HostileNode.type(WireType.float)), ("strides", HostileNode.ints([1, Int64.max, Int64.max, 1])),
                                                            ("padding", HostileNode.string("SAME"))])])
        let ones = "[" + Array(repeating: "[" + Array(repeating: "[1]", count: 8).joined(separator: ",") + "]", count: 8).joined(separator: ",") + "]"
        try expect(1, "out of range for an int32", ["run", conv, "--feed", "x=[\(ones)]", "--fetch", "y"])
    }

    func testHostileCommandLinesAndFeeds() throws {
        let probs = try model("softmax", softmax)
        // 5. Negative output indices.
        try expect(1, "--fetch: no tensor named 'probs:-1'", ["run", probs, "--feed", "x=[[1,2,3]]", "--fetch", "probs:-1"])
        try expect(1, "--feed: no tensor named 'x:-1'", ["run", probs, "--feed", "x:-1=[[1,2,3]]", "--fetch", "probs"])
        // 10. A negative --top-k, a malformed --max-memory.
        try expect(64, "--top-k must be at least 1", ["run", probs, "--feed", "x=[[1,2,3]]", "--fetch", "probs", "--top-k=-1"])
        try expect(64, "--max-memory must be", ["run", probs, "--feed", "x=[[1,2,3]]", "--fetch", "probs", "--max-memory=-5G"])
        // 8. A placeholder whose dimensions overflow when multiplied, fed from a file.
        let huge = try model("huge-placeholder", [.placeholder("x", dims: [-1, 1 << 32, 1 << 32, 2]), .unary("y", "Identity", "x")])
        try NPY.write(Tensor(shape: [2, 3], scalars: [Float](repeating: 0, count: 6)), to: dir + "/small.npy")
        try expect(1, "Feed for placeholder 'x' has shape (2, 3)", ["run", huge, "--feed", "x=small.npy", "--fetch", "y"])
        // 9. JSON numbers that no integer type holds.
        for (dtype, name) in [(WireType.int64, "Int64"), (WireType.int32, "Int32"), (WireType.uint8, "UInt8")] {
            let ints = try model("ints-\(name)", [.placeholder("x", dtype: dtype, dims: [-1]), .unary("y", "Identity", "x", dtype: dtype)])
            try expect(1, "JSON value 1e+300 is not a whole number in the range of \(name)", ["run", ints, "--feed", "x=[1e300]", "--fetch", "y"])
            try expect(1, "is not a whole number", ["run", ints, "--feed", "x=[2.5]", "--fetch", "y"])
        }
        // A number before an array at the same depth trapped in Tensor(shape:scalars:) (SIGILL): the JSON-feed
        // fuzz target's findings, Tools/Fuzz/Findings/json, each fed as a literal and as a .json file.
        let findings = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Tools/Fuzz/Findings/json").path
        let names = try FileManager.default.contentsOfDirectory(atPath: findings).sorted()
        XCTAssertFalse(names.isEmpty)
        for name in names {
            // Byte 0 picks the dtype and byte 1 the shape in the fuzz target; the committed ones are float, unknown shape.
            let json = String(decoding: try Data(contentsOf: URL(fileURLWithPath: findings + "/" + name)).dropFirst(2), as: UTF8.self)
            try expect(1, "ragged JSON array", ["run", probs, "--feed", "x=\(json)", "--fetch", "probs"])
            try Data(json.utf8).write(to: URL(fileURLWithPath: dir + "/\(name).json"))
            try expect(1, "ragged JSON array", ["run", probs, "--feed", "x=\(name).json", "--fetch", "probs"])
        }
    }

    /// 11. Tiny graphs that ask for gigabytes stop at --max-memory (or the default) with the node and size.
    func testMemoryLimitAndTimeout() throws {
        let fill = try model("fill", [.const("d", dtype: WireType.int32, dims: [2], ints: [65536, 32768]), .const("v", dims: [], floats: [1]),
                                      HostileNode(name: "y", op: "Fill", inputs: ["d", "v"], attrs: [("T", HostileNode.type(WireType.float))])])
        try expect(1, "[Fill] node 'y': output 0 (float32 [65536, 32768]) needs 8589934592 bytes", ["run", fill, "--fetch", "y"])
        try expect(1, "over the session's limit of 536870912 bytes per tensor", ["run", fill, "--fetch", "y", "--max-memory", "512M"])
        let pad = try model("pad", [.const("x", dims: [1], floats: [1]), .const("p", dtype: WireType.int32, dims: [1, 2], ints: [0, 2_000_000_000]),
                                    HostileNode(name: "y", op: "Pad", inputs: ["x", "p"], attrs: [("T", HostileNode.type(WireType.float))])])
        try expect(1, "[Pad] node 'y'", ["run", pad, "--fetch", "y"])
        // The IDX header declares 2·10^9 bytes: refused before any data is inflated.
        var idx: [UInt8] = [0, 0, 8, 1]
        withUnsafeBytes(of: UInt32(2_000_000_000).bigEndian) { idx += $0 }
        try Data(idx + [0, 0, 0]).write(to: URL(fileURLWithPath: dir + "/bomb.idx"))
        let bytes = try model("bytes", [.placeholder("x", dtype: WireType.uint8, dims: [-1]), .unary("y", "Identity", "x", dtype: WireType.uint8)])
        try expect(1, "IDX: dimensions declare more than the limit of 1048576 bytes", ["run", bytes, "--feed", "x=bomb.idx", "--fetch", "y", "--max-memory", "1M"])
        // --timeout: a deadline already passed when the run starts.
        let probs = try model("softmax", softmax)
        try expect(1, "stopped after the --timeout of 1e-09 s", ["run", probs, "--feed", "x=[[1,2,3]]", "--fetch", "probs", "--timeout", "1e-9"])
        try expect(64, "--timeout must be a positive number", ["run", probs, "--feed", "x=[[1,2,3]]", "--fetch", "probs", "--timeout=-1"])
        // A loop that never ends stops at --max-loop-iterations (default 1,000,000) with the loop's name.
        let g = Graph()
        let start = try g.placeholder(default: g.constant(Float(0)), shape: [], name: "x")
        let loop = try g.whileLoop(cond: { h, v in try h.less(v[0], h.constant(Float(1e30))) }, body: { h, v in [try h.mul(v[0], h.constant(Float(1)))] },
                                   loopVars: [start], name: "forever")
        _ = try g.identity(loop[0], name: "y")
        try g.write(to: dir + "/forever.pb")
        try expect(1, "loop ran more than 1000 iterations", ["run", "forever.pb", "--fetch", "y", "--max-loop-iterations", "1000"])
        try expect(64, "--max-loop-iterations must be at least 1", ["run", "forever.pb", "--fetch", "y", "--max-loop-iterations", "0"])
        // A FIFO given as the model or a feed file is refused at once (reading it would wait for a writer forever).
        XCTAssertEqual(mkfifo(dir + "/model-pipe.pb", 0o600), 0)
        try expect(1, "is not a regular file (a FIFO)", ["inspect", "model-pipe.pb"])
        XCTAssertEqual(mkfifo(dir + "/feed-pipe.npy", 0o600), 0)
        try expect(1, "is not a regular file (a FIFO)", ["run", probs, "--feed", "x=feed-pipe.npy", "--fetch", "probs"])
    }

    /// --output never replaces what is not a regular file; `-` writes the .npy to standard output.
    func testOutputTargets() throws {
        let probs = try model("softmax", softmax)
        XCTAssertEqual(mkfifo(dir + "/pipe", 0o600), 0)
        try expect(1, "is not a regular file (a FIFO)", ["run", probs, "--feed", "x=[[1,2,3]]", "--fetch", "probs", "--output", "pipe"])
        let r = try runGraphrun(["run", probs, "--feed", "x=[[1,2,3]]", "--fetch", "probs", "--output", "-"], in: dir, anchor: GraphRunHostileInputTests.self)
        XCTAssertEqual(r.status, 0, r.stderr)
        // (The harness hands stdout over as text: the magic byte 0x93 is not UTF-8, the header is.)
        XCTAssert(r.stdout.contains("NUMPY") && r.stdout.contains("'shape': (1, 3)"), r.stdout)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasPrefix(".") }, [], "no temporary file left")
    }
}
