import Foundation
import TensorGraph

/// Runs the built `graphrun` binary with `arguments` (in `directory` when given) and returns its exit
/// status and output. The binary sits next to the test bundle in the build products directory (a bundle
/// on Apple platforms, a file on Linux); `anchor` is any class of the test bundle.
public func runGraphrun(_ arguments: [String], in directory: String? = nil, anchor: AnyClass) throws
    -> (status: Int32, stdout: String, stderr: String) {
    let testBinary = Bundle(for: anchor).bundleURL
    let candidates = [testBinary.deletingLastPathComponent(), testBinary, URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()]
        .map { $0.appendingPathComponent("graphrun") }
    guard let binary = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
        throw TensorGraphError.fileError(path: candidates[0].path, message: "graphrun is not built; run `swift build` first")
    }
    let process = Process()
    process.executableURL = binary
    process.arguments = arguments
    if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let stdout = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    return (process.terminationStatus, stdout, stderr)
}
