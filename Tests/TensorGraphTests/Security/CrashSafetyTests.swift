import Foundation
import TestSupport
import XCTest
@testable import TensorGraph

/// Checkpoints survive a process killed mid-save (SIGKILL at a random moment) and a full disk
/// (`RLIMIT_FSIZE`): the newest complete checkpoint always restores with exact values, and no temporary
/// file outlives the next save. The saving happens in a child process, `tgstress`.
///
/// `TENSORGRAPH_CRASH_ITERATIONS` (default 50) and `TENSORGRAPH_CRASH_FLOATS` (default 250,000: a 1 MB
/// checkpoint) size the kill loop; `Tools/soak.sh crash` runs it 300 times.
final class CrashSafetyTests: XCTestCase {
    var dir = ""
    override func setUpWithError() throws { dir = try temporaryDirectory("crash-safety") }
    override func tearDown() { try? FileManager.default.removeItem(atPath: dir) }

    func environment(_ name: String, default value: Int) -> Int {
        ProcessInfo.processInfo.environment[name].flatMap(Int.init) ?? value
    }

    /// The `tgstress` binary beside `graphrun` in the build products.
    func writer() throws -> URL {
        let bundle = Bundle(for: Self.self).bundleURL
        let candidates = [bundle.deletingLastPathComponent(), bundle].map { $0.appendingPathComponent("tgstress") }
        guard let binary = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
            throw XCTSkip("tgstress is not built; run `swift build` first")
        }
        return binary
    }

    func startWriter(_ arguments: [String]) throws -> Process {
        let process = Process()
        process.executableURL = try writer()
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        return process
    }

    func temporaries() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.contains(".tmp-") }
    }

    /// The newest checkpoint in `dir`, checked to hold `floats` copies of one whole number; returns it.
    func restoredStep(floats: Int, file: StaticString = #filePath, line: UInt = #line) throws -> Int? {
        guard let prefix = try CheckpointState.latestCheckpoint(in: dir) else { return nil }
        let tensors = try Saver.read(prefix)
        let values = try XCTUnwrap(tensors["weights"], "no 'weights' in \(prefix)", file: file, line: line).scalars(as: Float.self)
        XCTAssertEqual(values.count, floats, file: file, line: line)
        let step = Int(try XCTUnwrap(values.first, file: file, line: line))
        XCTAssert(values.allSatisfy { $0 == Float(step) }, "\(prefix): values are not all \(step)", file: file, line: line)
        XCTAssertEqual(prefix, "\(dir)/ckpt-\(step)", "the state file names the checkpoint holding its step", file: file, line: line)
        return step
    }

    /// The step in the state file's newest path (0 when none), read without touching the checkpoint itself.
    func newestRecordedStep() -> Int {
        guard let state = try? CheckpointState.read(directory: dir) else { return 0 }
        return Int(state.modelCheckpointPath.split(separator: "-").last ?? "") ?? 0
    }

    func testKilledSaverAlwaysLeavesTheNewestCompleteCheckpoint() throws {
        let iterations = environment("TENSORGRAPH_CRASH_ITERATIONS", default: 50)
        let floats = environment("TENSORGRAPH_CRASH_FLOATS", default: 250_000)
        var orphansSeen = 0, killedMidSave = 0, lastStep = 0
        var generator = SystemRandomNumberGenerator()
        for iteration in 0..<iterations {
            // Each child continues the numbering, so a restored step also shows which child wrote it.
            let child = try startWriter(["loop", dir, "\(floats)", "\(lastStep + 1)"])
            // Time one save cycle of this child (its first to its second checkpoint), then kill it at a
            // uniformly random moment of the next cycle: inside a write as often as writing takes of a cycle.
            let started = Date()
            while newestRecordedStep() <= lastStep, Date().timeIntervalSince(started) < 30 { usleep(200) }
            let first = Date()
            while newestRecordedStep() <= lastStep + 1, Date().timeIntervalSince(started) < 30 { usleep(200) }
            let cycle = max(Date().timeIntervalSince(first), 0.001)
            usleep(UInt32.random(in: 0...UInt32(cycle * 1e6), using: &generator))
            kill(child.processIdentifier, SIGKILL)
            child.waitUntilExit()
            XCTAssertEqual(child.terminationReason, .uncaughtSignal, "iteration \(iteration): the writer died on its own")

            let step = try XCTUnwrap(try restoredStep(floats: floats), "iteration \(iteration): no restorable checkpoint")
            XCTAssertGreaterThan(step, lastStep, "iteration \(iteration)")
            lastStep = step
            // Killed inside a save: its temporaries remain, or its data file was renamed in without an index.
            let orphans = try temporaries()
            orphansSeen += orphans.count
            let halfRenamed = FileManager.default.fileExists(atPath: "\(dir)/ckpt-\(step + 1).data-00000-of-00001")
            if !orphans.isEmpty || halfRenamed { killedMidSave += 1 }
        }
        // The next save (from a live process) sweeps the dead writers' temporaries.
        let g = Graph()
        _ = try g.variable(g.zeros([1]), name: "other")
        let session = Session(graph: g)
        try session.run(g.globalVariablesInitializer())
        try Saver(graph: g).save(session, to: dir + "/sweep")
        XCTAssertEqual(try temporaries(), [], "temporary files remain after the next save")
        print("CrashSafetyTests: \(iterations) kills, \(killedMidSave) inside a save (\(orphansSeen) orphaned temporaries, all removed by the next save), newest step \(lastStep)")
    }

    func testFullDiskFailsWithATypedErrorAndKeepsTheOldCheckpoint() throws {
        let floats = 200_000   // 800 KB of data
        let first = try startWriter(["once", dir, "\(floats)", "7"])
        first.waitUntilExit()
        XCTAssertEqual(first.terminationStatus, 0)
        XCTAssertEqual(try restoredStep(floats: floats), 7)
        let before = try FileManager.default.contentsOfDirectory(atPath: dir).sorted()

        for limit in [0, 4096, 500_000] {   // fails on the first byte, the first block, halfway through the data
            let process = Process()
            process.executableURL = try writer()
            process.arguments = ["once", dir, "\(floats)", "8", "\(limit)"]
            let out = Pipe()
            process.standardOutput = out
            try process.run()
            let printed = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            XCTAssertEqual(process.terminationReason, .exit, "limit \(limit): killed by a signal (SIGXFSZ not ignored?)")
            XCTAssertEqual(process.terminationStatus, 3, "limit \(limit): expected a typed error, got: \(printed)")
            XCTAssert(printed.contains("ckpt-8.data-00000-of-00001") && printed.contains("write failed"), printed)
            XCTAssertEqual(try restoredStep(floats: floats), 7, "limit \(limit): the old checkpoint is intact")
            XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir).sorted(), before,
                           "limit \(limit): no partial or temporary file")
        }
    }
}
