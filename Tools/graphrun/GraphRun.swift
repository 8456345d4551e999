// graphrun: inspect, run and draw saved GraphDefs (TensorGraph's or TensorFlow's frozen graphs).
import ArgumentParser
import Foundation
import TensorGraph

@main
struct GraphRun: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "graphrun",
        abstract: "Inspect, run and draw TensorFlow GraphDef files.",
        subcommands: [Inspect.self, Run.self, Dot.self]
    )
}

/// Prints a TensorGraph error as one line on stderr and exits with status 1.
func failing<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as TensorGraphError {
        FileHandle.standardError.write(Data("graphrun: error: \(error.description.replacingOccurrences(of: "\n", with: " "))\n".utf8))
        throw ExitCode(1)
    }
}

// MARK: - inspect

struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List inputs, likely outputs, op counts and parameters.")

    @Argument(help: "A GraphDef (.pb) file.") var model: String
    @Flag(help: "Print machine-readable JSON.") var json = false

    func run() throws {
        let graph = try failing { try Graph(contentsOf: model) }
        let summary = GraphSummary(graph)
        if json {
            let object: [String: Any] = [
                "inputs": summary.inputs.map { ["name": $0.name, "dtype": $0.spec.dtype.description, "shape": shapeJSON($0.spec.shape)] },
                "outputs": summary.outputs.map { ["name": $0.name, "op": $0.opName, "dtype": $0.spec.dtype.description, "shape": shapeJSON($0.spec.shape)] },
                "ops": summary.histogram.reduce(into: [String: Int]()) { $0[$1.0] = $1.1 },
                "nodes": graph.nodes.count,
                "parameters": summary.parameters,
                "parameter_bytes": summary.parameterBytes,
            ]
            let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
            print(String(decoding: data, as: UTF8.self))
            return
        }
        print("\(model): \(graph.nodes.count) nodes")
        print("\nInputs:")
        for input in summary.inputs { print("  \(input.name)  \(input.spec.dtype)  \(input.spec.shape)") }
        print("\nLikely outputs:")
        for output in summary.outputs { print("  \(output.name)  (\(output.opName))  \(output.spec.dtype)  \(output.spec.shape)") }
        print("\nOps:")
        for (op, count) in summary.histogram { print("  \(op.padding(toLength: 36, withPad: " ", startingAt: 0)) \(count)") }
        print("\nParameters: \(summary.parameters) (\(summary.parameterBytes) bytes in constants)")
    }
}

func shapeJSON(_ shape: TensorShape) -> Any {
    guard let dims = shape.dims else { return NSNull() }
    return dims.map { $0.map { $0 as Any } ?? -1 }
}

struct GraphSummary {
    struct Entry {
        let name: String
        let opName: String
        let spec: TensorSpec
    }
    let inputs: [Entry]
    let outputs: [Entry]
    let histogram: [(String, Int)]
    let parameters: Int
    let parameterBytes: Int

    init(_ graph: Graph) {
        inputs = graph.nodes.filter { $0.opName == "Placeholder" || $0.opName == "PlaceholderWithDefault" }
            .map { Entry(name: $0.name, opName: $0.opName, spec: $0.outputs[0]) }
        var consumed = Set<Int>()
        for node in graph.nodes { for input in node.inputs { consumed.insert(input.node) }; consumed.formUnion(node.controlInputs) }
        let skipped: Set<String> = ["NoOp", "Assign", "AssignAdd", "AssignSub", "Const", "VariableV2", "Placeholder"]
        outputs = graph.nodes.filter { !consumed.contains($0.id) && !skipped.contains($0.opName) && !$0.outputs.isEmpty
            && !$0.opName.hasPrefix("Apply") }
            .map { Entry(name: $0.name, opName: $0.opName, spec: $0.outputs[0]) }
        var counts: [String: Int] = [:]
        for node in graph.nodes { counts[node.opName, default: 0] += 1 }
        histogram = counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
        // Parameters: floating-point constants (frozen variables) and variables.
        var params = 0, bytes = 0
        for node in graph.nodes {
            if node.op == Const.self, case let t = node.attributes(Const.self).value, t.dtype.isFloatingPoint, t.count > 1 {
                params += t.count
                bytes += t.byteCount
            } else if node.opName == "VariableV2", let n = node.outputs[0].shape.elementCount {
                params += n
                bytes += n * node.outputs[0].dtype.byteCount
            }
        }
        parameters = params
        parameterBytes = bytes
    }
}

// MARK: - run

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run a graph on fed inputs and print or save the fetched tensors.")

    @Argument(help: "A GraphDef (.pb) file.") var model: String
    @Option(name: .customLong("feed"), help: "NAME=FILE: .npy, .idx/.idx.gz, .json, or .png images (comma-separated files or a folder make a batch); NAME=[json literal] also works.")
    var feeds: [String] = []
    @Option(name: .customLong("fetch"), help: "A tensor to fetch: NAME or NAME:INDEX.") var fetches: [String] = []
    @Option(help: "Restore the graph's variables from this TensorGraph checkpoint first (entries the graph lacks are ignored).")
    var checkpoint: String?
    @Option(help: "Write the (single) fetched tensor to this .npy file ('-': standard output).") var output: String?
    @Option(help: "Output format: table or json.") var format: String = "table"
    @Option(help: "Show the top K classes for 2-D probability outputs.") var topK: Int = 3
    @Flag(help: "Invert PNG images (black digits on white paper).") var invert = false
    @Flag(help: "Fail at the first node that computes a NaN or Inf, naming it (also TENSORGRAPH_CHECK_NUMERICS=1).")
    var checkNumerics = false
    @Option(help: ArgumentHelp("The most memory one tensor, and all new tensors of the run together, may take: bytes, or with a K/M/G/T suffix (512M, 2G). Default: 4G or half the physical memory, whichever is lower; feeds are read under the same limit.",
                               valueName: "bytes"))
    var maxMemory: String?
    @Option(help: ArgumentHelp("Stop with an error when loading and running take longer than this many seconds.", valueName: "seconds"))
    var timeout: Double?

    func validate() throws {
        guard topK >= 1 else { throw ValidationError("--top-k must be at least 1, got \(topK)") }
        if let timeout { guard timeout.isFinite, timeout > 0, timeout < 1e9 else { throw ValidationError("--timeout must be a positive number of seconds, got \(timeout)") } }
        if let maxMemory { guard MemoryLimit.parse(maxMemory) != nil else { throw ValidationError("--max-memory must be bytes or a number with K, M, G or T (512M, 2G), got '\(maxMemory)'") } }
    }

    func run() throws {
        let memoryLimit = maxMemory.flatMap(MemoryLimit.parse) ?? MemoryLimit.defaultBytes
        if let timeout { Watchdog.arm(seconds: timeout) }
        try failing {
            let graph = try Graph(contentsOf: model)
            guard !fetches.isEmpty else { throw TensorGraphError.invalidArgument("nothing to fetch; pass --fetch NAME (see `graphrun inspect`)") }
            var feedDict: [Output: Tensor] = [:]
            for feed in feeds {
                guard let eq = feed.firstIndex(of: "=") else { throw TensorGraphError.invalidArgument("--feed '\(feed)' must be NAME=FILE") }
                let name = String(feed[..<eq]), source = String(feed[feed.index(after: eq)...])
                guard let target = graph.output(named: name) else {
                    throw TensorGraphError.invalidArgument("--feed: no tensor named '\(name)' in \(model)")
                }
                guard ["Placeholder", "PlaceholderWithDefault"].contains(target.node.opName) else {
                    throw TensorGraphError.notFeedable("'\(name)' (a \(target.node.opName), not a placeholder)")
                }
                feedDict[target] = try FeedLoader(invert: invert, maximumBytes: memoryLimit).load(source, for: target)
            }
            let outputs = try fetches.map { name -> Output in
                guard let o = graph.output(named: name) else { throw TensorGraphError.invalidArgument("--fetch: no tensor named '\(name)' in \(model)") }
                return o
            }
            let session = Session(graph: graph)
            session.maximumTensorBytes = memoryLimit
            session.maximumRunBytes = memoryLimit
            session.runTimeout = timeout.map { Swift.max($0 - Watchdog.elapsedSeconds, 0) }
            if let checkpoint {
                // TF1's `tf.train.Saver()`: every graph variable must be in the checkpoint; other entries (slots, global step) are ignored.
                guard !graph.globalVariables.isEmpty else {
                    throw TensorGraphError.invalidArgument("--checkpoint: \(model) has no variables to restore (a frozen graph holds its weights as constants)")
                }
                try Saver(graph: graph).restore(session, from: checkpoint)
            }
            if checkNumerics { session.checksNumerics = true }
            let results: [Tensor]
            do {
                if let timeout, Watchdog.elapsedSeconds >= timeout {
                    throw TensorGraphError.invalidArgument("stopped after the --timeout of \(timeout) s while loading the graph and feeds")
                }
                results = try session.run(outputs, feeding: feedDict)
            } catch let error as NumericsError {
                throw TensorGraphError.invalidArgument(error.description)   // one line on stderr, status 1, like every other error
            } catch let error as TensorGraphError {
                // The session's deadline is what remained of --timeout after loading: name the user's number.
                guard let timeout, Watchdog.elapsedSeconds >= timeout, case let .kernelFailure(op, node, _) = error else { throw error }
                throw TensorGraphError.invalidArgument("stopped after the --timeout of \(timeout) s, before [\(op)] node '\(node)'")
            }
            if let output {
                guard results.count == 1 else { throw TensorGraphError.invalidArgument("--output needs exactly one --fetch") }
                if output == "-" {
                    FileHandle.standardOutput.write(Data(NPY.encode(results[0])))
                    return
                }
                try NPY.write(results[0], to: output)
                print("wrote \(output): \(results[0].dtype) \(TensorShape(results[0].shape))")
                return
            }
            if format == "json" {
                let object = zip(fetches, results).map { name, t -> [String: Any] in
                    ["name": name, "dtype": t.dtype.description, "shape": t.shape, "values": t.doubleValues]
                }
                let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
                print(String(decoding: data, as: UTF8.self))
                return
            }
            guard format == "table" else { throw TensorGraphError.invalidArgument("--format must be table or json, got '\(format)'") }
            for (name, t) in zip(fetches, results) { print(table(name, t)) }
        }
    }

    func table(_ name: String, _ t: Tensor) -> String {
        var out = "\(name): \(t.dtype) \(TensorShape(t.shape))\n"
        let values = t.doubleValues
        if t.rank == 2, t.dtype.isFloatingPoint, t.shape[1] > 1, t.shape[1] <= 1000 {
            let classes = t.shape[1], k = Swift.min(topK, classes)
            let looksLikeProbabilities = (0..<t.shape[0]).allSatisfy { r in
                Swift.abs(values[(r * classes)..<((r + 1) * classes)].reduce(0, +) - 1) < 1e-3
            }
            out += "  row  argmax  " + (looksLikeProbabilities ? "top-\(k) (class: probability)" : "top-\(k) (class: value)") + "\n"
            for r in 0..<t.shape[0] {
                let row = Array(values[(r * classes)..<((r + 1) * classes)])
                let order = row.indices.sorted { row[$0] > row[$1] }
                let top = order.prefix(k).map { looksLikeProbabilities ? String(format: "%d: %.1f%%", $0, row[$0] * 100) : String(format: "%d: %.4g", $0, row[$0]) }
                out += String(format: "  %3d  %6d  ", r, order[0]) + top.joined(separator: "   ") + "\n"
            }
            return out
        }
        return out + t.description
    }
}

// MARK: - dot

struct Dot: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the graph in Graphviz DOT, name scopes as clusters.")

    @Argument(help: "A GraphDef (.pb) file.") var model: String

    func run() throws {
        let graph = try failing { try Graph(contentsOf: model) }
        print(dot(graph))
    }

    func dot(_ graph: Graph) -> String {
        func quoted(_ s: String) -> String { "\"" + s.replacingOccurrences(of: "\"", with: "\\\"") + "\"" }
        var lines = ["digraph G {", "  rankdir=TB;", "  node [shape=box, fontsize=10];"]
        // Group nodes by their first scope component.
        var scopes: [String: [Node]] = [:]
        var top: [Node] = []
        for node in graph.nodes {
            if let slash = node.name.firstIndex(of: "/") { scopes[String(node.name[..<slash]), default: []].append(node) } else { top.append(node) }
        }
        func label(_ node: Node) -> String { "  \(quoted(node.name)) [label=\(quoted("\(node.name.split(separator: "/").last ?? "")\\n\(node.opName)"))];" }
        for node in top { lines.append(label(node)) }
        for (i, scope) in scopes.keys.sorted().enumerated() {
            lines.append("  subgraph cluster_\(i) {")
            lines.append("    label=\(quoted(scope)); style=rounded; color=gray;")
            for node in scopes[scope]! { lines.append("  " + label(node)) }
            lines.append("  }")
        }
        for node in graph.nodes {
            for input in node.inputs { lines.append("  \(quoted(graph.nodes[input.node].name)) -> \(quoted(node.name));") }
            for control in node.controlInputs { lines.append("  \(quoted(graph.nodes[control].name)) -> \(quoted(node.name)) [style=dashed];") }
        }
        lines.append("}")
        return lines.joined(separator: "\n")
    }
}
