// The fuzz targets that need more than one call: JSON feeds (graphrun's FeedLoader, compiled in from
// Tools/graphrun through a symbolic link, since it lives in the executable) and SavedModels.
import Foundation
import TensorGraph

/// Placeholder shapes a JSON feed is fitted to (the fuzz input's second byte picks one).
let feedShapes: [TensorShape] = [.unknown, .scalar, [nil], [2], [nil, 2], [2, 3], [nil, 4, 1], [0], [nil, 1 << 40, 1 << 40]]

/// A JSON feed: byte 0 picks the placeholder's dtype, byte 1 its shape, the rest is the JSON text
/// (what `graphrun run --feed x=[...]` or a `.json` feed file holds).
func fuzzJSONFeed(_ bytes: [UInt8]) throws {
    guard bytes.count >= 2 else { return }
    let dtype = DType.allCases[Int(bytes[0]) % DType.allCases.count]
    let shape = feedShapes[Int(bytes[1]) % feedShapes.count]
    let graph = Graph()
    let x = try graph.placeholder(dtype, shape: shape, name: "x")
    _ = try FeedLoader(invert: false, maximumBytes: 1 << 24).fromJSON(Data(bytes[2...]), target: x, path: "fuzz.json")
}

/// The SavedModel directory: `saved_model.pb` is the fuzz input, `variables/` a valid copy of the
/// test fixture's (so graphs naming its variables restore them and run).
let savedModelDirectory = scratch + "-savedmodel"

/// Copies the fixture's variables into `savedModelDirectory` (once, from `LLVMFuzzerInitialize`).
func prepareSavedModelDirectory() {
    let root = ProcessInfo.processInfo.environment["TENSORGRAPH_FUZZ_ROOT"] ?? FileManager.default.currentDirectoryPath
    let fixture = root + "/Tests/Fixtures/savedmodel/simple/variables"
    let variables = savedModelDirectory + "/variables"
    try? FileManager.default.createDirectory(atPath: variables, withIntermediateDirectories: true)
    for name in ["variables.index", "variables.data-00000-of-00001"] {
        unlink(variables + "/" + name)
        if (try? FileManager.default.copyItem(atPath: fixture + "/" + name, toPath: variables + "/" + name)) == nil {
            FileHandle.standardError.write(Data("tgfuzz: savedmodel: no \(fixture)/\(name) (set TENSORGRAPH_FUZZ_ROOT to the repository)\n".utf8))
        }
    }
}

/// Loads a SavedModel whose `saved_model.pb` is the input; when it loads, runs every signature with
/// small zero inputs under the same tight limits as the GraphDef target.
func fuzzSavedModel(_ bytes: [UInt8]) throws {
    _ = try write(bytes, suffix: "-savedmodel/saved_model.pb")
    let model = try SavedModel.load(from: savedModelDirectory)
    for (_, signature) in model.signatures {
        var feeds: [Output: Tensor] = [:]
        for (_, input) in signature.inputs {
            guard let tensor = smallTensor(for: input) else { return }
            feeds[input] = tensor
        }
        limit(model.session)
        _ = try model.session.run(signature.outputs.values.sorted { $0.node.id < $1.node.id }.prefix(8).map { $0 }, feeding: feeds)
    }
}

/// Zeros of `output`'s dtype and shape, unknown dimensions as 1, or nil when that is over 4,096 elements.
func smallTensor(for output: Output) -> Tensor? {
    let shape = output.shape.dims.map { $0.map { $0 ?? 1 } } ?? []
    var count = 1
    for d in shape {
        let (next, overflow) = count.multipliedReportingOverflow(by: max(d, 0))
        guard !overflow, next <= 4096 else { return nil }
        count = next
    }
    return Tensor(zeros: output.dtype, shape: shape)
}

/// The limits a fuzzed run gets: 4 MiB per tensor, 16 MiB per run, 1 s, 1,000 loop iterations.
func limit(_ session: Session) {
    session.maximumTensorBytes = 1 << 22
    session.maximumRunBytes = 1 << 24
    session.runTimeout = 1
    session.maximumLoopIterations = 1000
}
