import ArgumentParser
import Foundation
import TensorGraph

/// The options `run` and `bench` share: which model to load (a GraphDef, a SavedModel directory, or a
/// `.meta` file with its checkpoint), what to feed it, what to fetch, and the resource limits.
struct ModelOptions: ParsableArguments {
    @Argument(help: "A GraphDef (.pb) file, a SavedModel directory, or a MetaGraphDef (.meta) file (with --checkpoint).")
    var model: String
    @Option(name: .customLong("feed"), help: "NAME=FILE: .npy, .idx/.idx.gz, .json, or .png images (comma-separated files or a folder make a batch); NAME=[json literal] also works. NAME is a signature input key or a tensor name.")
    var feeds: [String] = []
    @Option(name: .customLong("fetch"), help: "A signature output key, or a tensor NAME or NAME:INDEX (default: every output of the signature).")
    var fetches: [String] = []
    @Option(help: ArgumentHelp("SavedModel: the tags of the MetaGraphDef to load, comma-separated.", valueName: "tags"))
    var tagSet = SavedModel.serveTag
    @Option(help: ArgumentHelp("SavedModel or .meta: the signature whose keys --feed and --fetch name (default: serving_default when present).", valueName: "key"))
    var signatureDef: String?
    @Option(help: ArgumentHelp(".pb: restore the graph's variables from this checkpoint first (entries the graph lacks are ignored). .meta: the checkpoint to restore (default: the .meta path without its extension).", valueName: "prefix"))
    var checkpoint: String?
    @Flag(help: "Invert PNG images (black digits on white paper).") var invert = false
    @Option(help: ArgumentHelp("The most memory one tensor, and all new tensors of the run together, may take: bytes, or with a K/M/G/T suffix (512M, 2G). Default: 4G or half the physical memory, whichever is lower; feeds are read under the same limit.",
                               valueName: "bytes"))
    var maxMemory: String?
    @Option(help: ArgumentHelp("Stop with an error when loading and running take longer than this many seconds.", valueName: "seconds"))
    var timeout: Double?
    @Option(help: ArgumentHelp("The most iterations one while loop may run in one execution before the run stops with an error naming the loop (a graph from a stranger may loop forever). The library's default is 10,000,000.",
                               valueName: "n"))
    var maxLoopIterations = 1_000_000

    func validate() throws {
        if let timeout { guard timeout.isFinite, timeout > 0, timeout < 1e9 else { throw ValidationError("--timeout must be a positive number of seconds, got \(timeout)") } }
        guard maxLoopIterations >= 1 else { throw ValidationError("--max-loop-iterations must be at least 1, got \(maxLoopIterations)") }
        if let maxMemory { guard MemoryLimit.parse(maxMemory) != nil else { throw ValidationError("--max-memory must be bytes or a number with K, M, G or T (512M, 2G), got '\(maxMemory)'") } }
        guard !ModelFormat.tags(tagSet).isEmpty else { throw ValidationError("--tag-set must name at least one tag") }
    }

    var memoryLimit: Int { maxMemory.flatMap(MemoryLimit.parse) ?? MemoryLimit.defaultBytes }
}

/// A model ready to run: its session (variables restored, limits set), the resolved feeds and fetches.
struct LoadedModel {
    let graph: Graph
    let session: Session
    let feeds: [Output: Tensor]
    /// Fetches in order, each under the name the user gave (or the signature's output key).
    let fetches: [(name: String, output: Output)]
}

extension ModelOptions {
    /// Loads the model, restores its variables and resolves `--feed` and `--fetch`.
    ///
    /// Without `--fetch`, the chosen signature's outputs are fetched (sorted by key); without a
    /// signature, `defaultFetches(graph)` decides (`run` throws, `bench` takes the likely outputs).
    func load(defaultFetches: (Graph) throws -> [(name: String, output: Output)]) throws -> LoadedModel {
        let (graph, session, signatures) = try loadGraph()
        session.maximumTensorBytes = memoryLimit
        session.maximumRunBytes = memoryLimit
        session.maximumLoopIterations = maxLoopIterations
        let signature = try chooseSignature(signatures)

        var feedDict: [Output: Tensor] = [:]
        for feed in feeds {
            guard let eq = feed.firstIndex(of: "=") else { throw TensorGraphError.invalidArgument("--feed '\(feed)' must be NAME=FILE") }
            let name = String(feed[..<eq]), source = String(feed[feed.index(after: eq)...])
            guard let target = signature?.inputs[name] ?? graph.output(named: name) else {
                throw TensorGraphError.invalidArgument("--feed: no \(signature == nil ? "" : "signature input or ")tensor named '\(name)' in \(model)"
                                                       + keyList("signature inputs", signature?.inputs))
            }
            guard ["Placeholder", "PlaceholderWithDefault"].contains(target.node.opName) else {
                throw TensorGraphError.notFeedable("'\(name)' (a \(target.node.opName), not a placeholder)")
            }
            feedDict[target] = try FeedLoader(invert: invert, maximumBytes: memoryLimit).load(source, for: target)
        }

        var outputs: [(name: String, output: Output)]
        if fetches.isEmpty {
            if let signature {
                outputs = signature.outputs.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
            } else {
                outputs = try defaultFetches(graph)
            }
        } else {
            outputs = try fetches.map { name in
                guard let output = signature?.outputs[name] ?? graph.output(named: name) else {
                    throw TensorGraphError.invalidArgument("--fetch: no \(signature == nil ? "" : "signature output or ")tensor named '\(name)' in \(model)"
                                                           + keyList("signature outputs", signature?.outputs))
                }
                return (name, output)
            }
        }
        return LoadedModel(graph: graph, session: session, feeds: feedDict, fetches: outputs)
    }

    /// The graph and a session with the variables restored, and the model's signatures (none for a `.pb`).
    private func loadGraph() throws -> (Graph, Session, [String: SignatureDef]) {
        switch ModelFormat(path: model) {
        case .savedModel:
            guard checkpoint == nil else {
                throw TensorGraphError.invalidArgument("--checkpoint: a SavedModel restores its own variables (\(model)/variables)")
            }
            let loaded = try SavedModel.load(from: model, tags: ModelFormat.tags(tagSet))
            return (loaded.graph, loaded.session, loaded.signatures)
        case .metaGraph:
            let prefix = checkpoint ?? String(model.dropLast(".meta".count))
            guard FileManager.default.fileExists(atPath: prefix + ".index") else {
                throw TensorGraphError.invalidArgument(checkpoint == nil
                    ? "\(model) needs its checkpoint: pass --checkpoint PREFIX (no \(prefix).index beside it)"
                    : "--checkpoint: no checkpoint \(prefix) (\(prefix).index is missing)")
            }
            let imported = try Saver.importMetaGraph(from: model)
            let session = Session(graph: imported.graph)
            try imported.saver.restore(session, from: prefix)
            return (imported.graph, session, imported.signatures)
        case .graphDef:
            let graph = try Graph(contentsOf: model)
            let session = Session(graph: graph)
            if let checkpoint {
                // TF1's `tf.train.Saver()`: every graph variable must be in the checkpoint; other entries (slots, global step) are ignored.
                guard !graph.globalVariables.isEmpty else {
                    throw TensorGraphError.invalidArgument("--checkpoint: \(model) has no variables to restore (a frozen graph holds its weights as constants)")
                }
                try Saver(graph: graph).restore(session, from: checkpoint)
            }
            return (graph, session, [:])
        }
    }

    /// `--signature-def`, or `serving_default` when the model has it; nil for a model without signatures.
    private func chooseSignature(_ signatures: [String: SignatureDef]) throws -> SignatureDef? {
        guard let key = signatureDef else { return signatures[SavedModel.defaultSignatureKey] }
        guard let signature = signatures[key] else {
            throw TensorGraphError.invalidArgument("--signature-def: \(model) has no signature '\(key)'"
                                                   + (signatures.isEmpty ? " (it has none)" : " (it has: \(signatures.keys.sorted().joined(separator: ", ")))"))
        }
        return signature
    }

    private func keyList(_ label: String, _ keys: [String: Output]?) -> String {
        guard let keys, !keys.isEmpty else { return "" }
        return " (\(label): \(keys.keys.sorted().joined(separator: ", ")))"
    }
}
