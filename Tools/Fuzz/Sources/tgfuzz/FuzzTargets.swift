// libFuzzer entry point: every input goes to the reader TENSORGRAPH_FUZZ_TARGET names. Each reader
// must return or throw a TensorGraphError; a trap, an ASan report, a leak or a hang is a finding.
import Foundation
import TensorGraph

/// The fuzz targets, by the name Tools/fuzz.sh takes.
enum FuzzTarget: String, CaseIterable {
    case graphdef, npy, idx, idxgz = "idx-gz", png, checkpoint, tfrecord, events, json, savedmodel
}

nonisolated(unsafe) var target = FuzzTarget.graphdef
/// A per-process scratch file for readers that take a path: in /dev/shm when there is one (no disk).
let scratch = (access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp") + "/tgfuzz-\(getpid())"

@_cdecl("LLVMFuzzerInitialize")
public func fuzzerInitialize(_ argc: UnsafeMutablePointer<Int32>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> Int32 {
    let name = ProcessInfo.processInfo.environment["TENSORGRAPH_FUZZ_TARGET"] ?? "graphdef"
    guard let chosen = FuzzTarget(rawValue: name) else {
        FileHandle.standardError.write(Data("tgfuzz: unknown TENSORGRAPH_FUZZ_TARGET \(name); one of \(FuzzTarget.allCases.map(\.rawValue))\n".utf8))
        exit(64)
    }
    target = chosen
    if chosen == .savedmodel { prepareSavedModelDirectory() }
    atexit {
        for suffix in ["", ".gz", ".png", ".index", ".data-00000-of-00001"] { unlink(scratch + suffix) }
        try? FileManager.default.removeItem(atPath: savedModelDirectory)
    }
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    do {
        switch target {
        case .graphdef: try fuzzGraphDef(bytes)
        case .npy: _ = try NPY.decode(bytes)
        case .idx: _ = try IDX.decode(bytes)
        case .idxgz: _ = try IDX.read(write(bytes, suffix: ".gz"), maximumBytes: 1 << 24)
        case .png: _ = try PNG.readGrayscale(write(bytes, suffix: ".png"))
        case .checkpoint:
            // The input is the index; the data shard is empty, so entries pointing into it are rejected.
            _ = try write(bytes, suffix: ".index")
            _ = try write([], suffix: ".data-00000-of-00001")
            _ = try Saver.read(scratch)
        case .tfrecord: _ = try TFRecord.read(write(bytes, suffix: ""))
        case .events: _ = try SummaryEvent.readAll(write(bytes, suffix: ""))
        case .json: try fuzzJSONFeed(bytes)
        case .savedmodel: try fuzzSavedModel(bytes)
        }
    } catch is TensorGraphError {
        // Rejected with a typed error: what bad input should get.
    } catch {
        // Any other error type is acceptable too (the readers' FileFormatError); only crashes count.
    }
    return 0
}

/// Writes `bytes` to the scratch file with `suffix` and returns its path. Plain `open`/`write`:
/// `FileManager.createFile` writes atomically through a temporary file and made the file-reading
/// targets spend most of their time waiting (about 120 executions per second instead of thousands).
func write(_ bytes: [UInt8], suffix: String) throws -> String {
    let path = scratch + suffix
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    guard fd >= 0 else { throw TensorGraphError.fileError(path: path, message: "cannot write the fuzz input") }
    defer { close(fd) }
    let written = bytes.withUnsafeBytes { Foundation.write(fd, $0.baseAddress, $0.count) }
    guard written == bytes.count else { throw TensorGraphError.fileError(path: path, message: "cannot write the fuzz input") }
    return path
}

/// Imports a GraphDef; when it imports, compiles and runs it with small fed tensors under tight
/// session limits (memory, time, loop iterations), fetching every output no node reads.
func fuzzGraphDef(_ bytes: [UInt8]) throws {
    let graph = try Graph(graphDef: bytes)
    var feeds: [Output: Tensor] = [:]
    var consumed = Set<Int>()
    for node in graph.nodes {
        for input in node.inputs { consumed.insert(input.node) }
        if node.opName == "Placeholder", !node.outputs.isEmpty {
            // Unknown dimensions become 1, an unknown rank a scalar; over 4,096 elements is not run.
            let placeholder = Output(graph: graph, node: node, index: 0)
            guard let tensor = smallTensor(for: placeholder) else { return }
            feeds[placeholder] = tensor
        }
    }
    let fetches = graph.nodes.filter { !consumed.contains($0.id) && !$0.outputs.isEmpty && $0.opName != "Placeholder" }
        .prefix(8).map { Output(graph: graph, node: $0, index: 0) }
    guard !fetches.isEmpty else { return }
    let session = Session(graph: graph)
    limit(session)
    _ = try session.run(fetches, feeding: feeds)
}

/// libFuzzer's driver, called from our own entry point.
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<Int32>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                         _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> Int32) -> Int32

/// SwiftPM links executables with `main` defined as `<module>_main`, so libFuzzer's own `main` is never
/// pulled in: this is that entry point, handing control to libFuzzer's driver (which calls `LLVMFuzzerInitialize`).
@_cdecl("tgfuzz_main")
public func tgfuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    var count = argc
    var arguments = argv
    return LLVMFuzzerRunDriver(&count, &arguments) { data, size in fuzzerTestOneInput(data, size) }
}
