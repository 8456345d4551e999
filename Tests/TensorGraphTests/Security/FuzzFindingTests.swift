import Foundation
import TestSupport
import XCTest
@testable import TensorGraph

/// Every input the libFuzzer targets (Tools/Fuzz, Tools/fuzz.sh) ever crashed on, minimized and committed
/// under Tools/Fuzz/Findings/TARGET/, replayed through the same reader calls as the fuzz target: each must
/// now decode or throw, never trap. (The JSON-feed target's findings run through graphrun: its
/// FeedLoader lives in the executable: `GraphRunHostileInputTests.testHostileCommandLinesAndFeeds`.)
final class FuzzFindingTests: XCTestCase {
    /// The repository's Tools/Fuzz/Findings.
    static let findings = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Tools/Fuzz/Findings").path

    /// The committed findings of `target`, as (file name, bytes).
    func inputs(_ target: String) throws -> [(String, [UInt8])] {
        let dir = FuzzFindingTests.findings + "/" + target
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
        return try names.filter { !$0.hasPrefix(".") }.sorted().map { ($0, Array(try Data(contentsOf: URL(fileURLWithPath: dir + "/" + $0)))) }
    }

    /// Runs `body` on every finding of `target`; a typed error is a pass, any other error a failure.
    func replay(_ target: String, _ body: ([UInt8]) throws -> Void) throws {
        for (name, bytes) in try inputs(target) {
            do { try body(bytes) } catch is TensorGraphError {} catch {
                XCTFail("\(target)/\(name): untyped error \(error)")
            }
        }
    }

    func testGraphDefFindings() throws {
        try replay("graphdef", runGraphDef)
    }

    /// The fuzzer's first graphdef finding: a ResizeBilinear whose size input asks for billions of output
    /// rows built a 4 GB row table before its output was checked against the session's limit.
    func testResizeTableFindingStopsAtTheTensorLimit() throws {
        let bytes = try inputs("graphdef").first { $0.0 == "resize-bilinear-table-oom.pb" }?.1
        let finding = try XCTUnwrap(bytes)
        XCTAssertThrowsError(try runGraphDef(finding)) { error in
            XCTAssert("\(error)".contains("over the session's limit") || "\(error)".contains("resizing"), "\(error)")
        }
    }

    /// Imports `bytes` and, as the fuzz target does, runs it: small feeds, every unread output fetched, tight limits.
    func runGraphDef(_ bytes: [UInt8]) throws {
        let graph = try Graph(graphDef: bytes)
        var feeds: [Output: Tensor] = [:]
        var consumed = Set<Int>()
        for node in graph.nodes {
            for input in node.inputs { consumed.insert(input.node) }
            if node.opName == "Placeholder", !node.outputs.isEmpty {
                let p = Output(graph: graph, node: node, index: 0)
                let shape = p.shape.dims.map { $0.map { $0 ?? 1 } } ?? []
                guard shape.reduce(1, { $0 * max($1, 0) }) <= 4096 else { return }
                feeds[p] = Tensor(zeros: p.dtype, shape: shape)
            }
        }
        let fetches = graph.nodes.filter { !consumed.contains($0.id) && !$0.outputs.isEmpty && $0.opName != "Placeholder" }
            .prefix(8).map { Output(graph: graph, node: $0, index: 0) }
        guard !fetches.isEmpty else { return }
        let session = Session(graph: graph)
        session.maximumTensorBytes = 1 << 22
        session.maximumRunBytes = 1 << 24
        session.runTimeout = 1
        session.maximumLoopIterations = 1000
        _ = try session.run(fetches, feeding: feeds)
    }

    func testFileReaderFindings() throws {
        let dir = try temporaryDirectory("fuzz-findings")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        func write(_ bytes: [UInt8], _ name: String) throws -> String {
            try Data(bytes).write(to: URL(fileURLWithPath: dir + "/" + name))
            return dir + "/" + name
        }
        try replay("npy") { _ = try NPY.decode($0) }
        try replay("idx") { _ = try IDX.decode($0) }
        try replay("idx-gz") { _ = try IDX.read(write($0, "x.idx.gz"), maximumBytes: 1 << 24) }
        try replay("png") { _ = try PNG.readGrayscale(write($0, "x.png")) }
        try replay("checkpoint") { bytes in
            _ = try write(bytes, "ckpt.index")
            _ = try write([], "ckpt.data-00000-of-00001")
            _ = try Saver.read(dir + "/ckpt")
        }
        try replay("tfrecord") { _ = try TFRecord.read(write($0, "x.tfrecord")) }
        try replay("events") { _ = try SummaryEvent.readAll(write($0, "events")) }
    }
}
