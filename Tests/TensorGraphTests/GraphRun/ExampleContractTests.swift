import Foundation
import TestSupport
import XCTest
@testable import TensorGraph

/// The examples' command-line contract (scripts call exactly these options): `--checkpoint PREFIX`
/// saves and resumes, `--logdir DIR` writes TensorBoard events, `--saved-model DIR` writes a SavedModel
/// `graphrun` runs. The real binaries run one or two epochs on a few hundred examples (`--limit`).
final class ExampleContractTests: XCTestCase {
    static let repository = GraphRunModelFormatsTests.repository

    /// Runs the built example `name` (`swift build` builds every product) from the repository root.
    func example(_ name: String, _ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        let testBundle = Bundle(for: Self.self).bundleURL
        let candidates = [testBundle.deletingLastPathComponent(), testBundle].map { $0.appendingPathComponent(name) }
        guard let binary = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
            throw XCTSkip("\(name) is not built; run `swift build` first")
        }
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: Self.repository)
        // stderr goes to a file so that neither stream can fill a pipe and block the child.
        let errorPath = FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(UUID().uuidString).stderr").path
        _ = FileManager.default.createFile(atPath: errorPath, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: errorPath) }
        let out = Pipe()
        process.standardOutput = out
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errorPath))
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let stderr = FileManager.default.contents(atPath: errorPath) ?? Data()
        return (process.terminationStatus, String(decoding: stdout, as: UTF8.self), String(decoding: stderr, as: UTF8.self))
    }

    /// The `Epoch 3/3: ...` line without its timing.
    func epochLine(_ output: String, _ epoch: String) -> String? {
        output.split(separator: "\n").first { $0.hasPrefix("Epoch \(epoch):") }.map { String($0.prefix { $0 != "(" }) }
    }

    /// mnist-dense: a checkpoint with `.meta` after each epoch (variables, Adam slots, global step), events
    /// with the graph, per-epoch scalars and weight histograms; resuming gives the uninterrupted run's epoch 3.
    func testCheckpointResumeAndLogdir() throws {
        let dir = try temporaryDirectory("example-contract")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let common = ["--limit", "600"]
        let first = try example("mnist-dense", common + ["--epochs", "2", "--checkpoint", dir + "/ckpt/model", "--logdir", dir + "/logs"])
        XCTAssertEqual(first.status, 0, first.stderr)
        for file in ["model.index", "model.data-00000-of-00001", "model.meta", "checkpoint"] {
            XCTAssert(FileManager.default.fileExists(atPath: dir + "/ckpt/" + file), file)
        }
        let stepsPerEpoch = (600 + 31) / 32
        var saved = try Saver.read(dir + "/ckpt/model")
        XCTAssertEqual(saved["global_step"]?.scalar(as: Int64.self), Int64(2 * stepsPerEpoch))
        XCTAssertNotNil(saved["dense/kernel/Adam_1"], "optimizer slots are saved: \(saved.keys.sorted())")
        let imported = try Saver.importMetaGraph(from: dir + "/ckpt/model.meta")
        XCTAssertNotNil(imported.trainOp, "the .meta names the train op")

        let eventFiles = try FileManager.default.contentsOfDirectory(atPath: dir + "/logs").filter { $0.hasPrefix("events.out.tfevents.") }
        XCTAssertEqual(eventFiles.count, 1)
        let events = try SummaryEvent.readAll(dir + "/logs/" + eventFiles[0])
        XCTAssertEqual(events.filter { if case .graphDef = $0.content { true } else { false } }.count, 1)
        var scalarSteps: [String: [Int64]] = [:], histogramTags = Set<String>()
        for event in events {
            guard case let .summary(values) = event.content else { continue }
            for value in values {
                switch value.kind {
                case .scalar: scalarSteps[value.tag, default: []].append(event.step)
                case .histogram: histogramTags.insert(value.tag)
                default: break
                }
            }
        }
        for tag in ["loss", "accuracy", "learning_rate", "test_loss", "test_accuracy"] { XCTAssertEqual(scalarSteps[tag], [1, 2], tag) }
        XCTAssert(histogramTags.isSuperset(of: ["dense/kernel", "dense/bias", "logits/kernel"]), "\(histogramTags)")

        // Resume to 3 epochs: one more epoch, the same numbers as 3 epochs in one go.
        let resumed = try example("mnist-dense", common + ["--epochs", "3", "--checkpoint", dir + "/ckpt/model", "--logdir", dir + "/logs"])
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        XCTAssert(resumed.stdout.contains("global step \(2 * stepsPerEpoch), 2 epochs done"), resumed.stdout)
        XCTAssertNil(epochLine(resumed.stdout, "2/3"), "epochs already done are not trained again")
        let straight = try example("mnist-dense", common + ["--epochs", "3"])
        XCTAssertEqual(straight.status, 0, straight.stderr)
        let resumedLine = try XCTUnwrap(epochLine(resumed.stdout, "3/3"), resumed.stdout)
        XCTAssertEqual(resumedLine, epochLine(straight.stdout, "3/3"))
        saved = try Saver.read(dir + "/ckpt/model")
        XCTAssertEqual(saved["global_step"]?.scalar(as: Int64.self), Int64(3 * stepsPerEpoch))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir + "/logs").count, 2, "a resumed run adds an event file")
    }

    /// mnist-lstm follows the same contract: one epoch on 64 examples saves a TF checkpoint with `.meta`
    /// (LSTM kernel, Adam slots, global step 1) and events; a second run finds the epoch done.
    func testLSTMCheckpointAndLogdir() throws {
        let dir = try temporaryDirectory("example-lstm")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let arguments = ["--limit", "64", "--epochs", "1", "--checkpoint", dir + "/ckpt/model", "--logdir", dir + "/logs"]
        let first = try example("mnist-lstm", arguments)
        XCTAssertEqual(first.status, 0, first.stderr)
        XCTAssertNotNil(epochLine(first.stdout, "1/1"), first.stdout)
        let saved = try Saver.read(dir + "/ckpt/model")
        XCTAssertEqual(saved["global_step"]?.scalar(as: Int64.self), 1)
        XCTAssertEqual(saved["rnn/basic_lstm_cell/kernel"]?.shape, [28 + 128, 4 * 128])
        XCTAssertNotNil(saved["rnn/basic_lstm_cell/kernel/Adam"], "optimizer slots are saved: \(saved.keys.sorted())")
        XCTAssertNotNil(try Saver.importMetaGraph(from: dir + "/ckpt/model.meta").trainOp)
        let eventFiles = try FileManager.default.contentsOfDirectory(atPath: dir + "/logs").filter { $0.hasPrefix("events.out.tfevents.") }
        XCTAssertEqual(eventFiles.count, 1)
        let again = try example("mnist-lstm", arguments)
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssert(again.stdout.contains("global step 1, 1 epochs done") && again.stdout.contains("Already trained 1 of 1 epochs"), again.stdout)
    }

    /// mnist-mlp and mnist-cnn `--saved-model`: signature `x` → `probs` / `probabilities`; graphrun's output on the
    /// SavedModel equals the golden output the example wrote from its own session.
    func testSavedModelsRunInGraphrun() throws {
        let dir = try temporaryDirectory("example-savedmodel")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for (name, output) in [("mnist-mlp", "probs"), ("mnist-cnn", "probabilities")] {
            var arguments = ["--epochs", "1", "--limit", "256", "--save", "\(dir)/\(name).pb", "--saved-model", "\(dir)/\(name)"]
            if name == "mnist-cnn" { arguments += ["--digits", dir + "/digits"] }
            let r = try example(name, arguments)
            XCTAssertEqual(r.status, 0, r.stderr)
            let loaded = try SavedModel.load(from: "\(dir)/\(name)")
            let signature = try XCTUnwrap(loaded.signatures[SavedModel.defaultSignatureKey])
            XCTAssertEqual(Array(signature.inputs.keys), ["x"])
            XCTAssertEqual(Array(signature.outputs.keys), [output])
            let run = try runGraphrun(["run", "\(dir)/\(name)", "--feed", "x=\(dir)/\(name).input.npy", "--output", "\(dir)/\(name).out.npy"],
                                      in: Self.repository, anchor: Self.self)
            XCTAssertEqual(run.status, 0, run.stderr)
            assertClose(try NPY.read("\(dir)/\(name).out.npy").doubleValues, try NPY.read("\(dir)/\(name).output.npy").doubleValues,
                        absolute: 1e-6, relative: 1e-5, name)
            // A second run refuses the existing SavedModel before training.
            let again = try example(name, arguments)
            XCTAssertNotEqual(again.status, 0)
            XCTAssert(again.stderr.contains("exists and is not empty"), again.stderr)
        }
    }
}
