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
    @Option(help: "Write the (single) fetched tensor to this .npy file.") var output: String?
    @Option(help: "Output format: table or json.") var format: String = "table"
    @Option(help: "Show the top K classes for 2-D probability outputs.") var topK: Int = 3
    @Flag(help: "Invert PNG images (black digits on white paper).") var invert = false
    @Flag(help: "Fail at the first node that computes a NaN or Inf, naming it (also TENSORGRAPH_CHECK_NUMERICS=1).")
    var checkNumerics = false

    func run() throws {
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
                feedDict[target] = try FeedLoader(invert: invert).load(source, for: target)
            }
            let outputs = try fetches.map { name -> Output in
                guard let o = graph.output(named: name) else { throw TensorGraphError.invalidArgument("--fetch: no tensor named '\(name)' in \(model)") }
                return o
            }
            let session = Session(graph: graph)
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
                results = try session.run(outputs, feeding: feedDict)
            } catch let error as NumericsError {
                throw TensorGraphError.invalidArgument(error.description)   // one line on stderr, status 1, like every other error
            }
            if let output {
                guard results.count == 1 else { throw TensorGraphError.invalidArgument("--output needs exactly one --fetch") }
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

/// Turns a feed source (file or JSON literal) into a tensor that fits a placeholder.
struct FeedLoader {
    let invert: Bool

    func load(_ source: String, for target: Output) throws -> Tensor {
        // JSON literals: numbers, nested arrays, and `true`/`false` for bool placeholders.
        if source.hasPrefix("[") || Double(source) != nil || source == "true" || source == "false" {
            return try fromJSON(Data(source.utf8), target: target, path: "--feed")
        }
        var files = source.split(separator: ",").map(String.init)
        var isDirectory: ObjCBool = false
        if files.count == 1, FileManager.default.fileExists(atPath: source, isDirectory: &isDirectory), isDirectory.boolValue {
            files = try FileManager.default.contentsOfDirectory(atPath: source).filter { $0.lowercased().hasSuffix(".png") }.sorted()
                .map { "\(source)/\($0)" }
            guard !files.isEmpty else { throw TensorGraphError.fileError(path: source, message: "folder holds no .png files") }
        }
        if files.allSatisfy({ $0.lowercased().hasSuffix(".png") }) { return try images(files, target: target) }
        guard files.count == 1 else { throw TensorGraphError.invalidArgument("only PNG feeds may list several files") }
        let path = files[0], lower = path.lowercased()
        let tensor: Tensor
        if lower.hasSuffix(".npy") {
            tensor = try NPY.read(path)
        } else if lower.hasSuffix(".json") {
            guard let data = FileManager.default.contents(atPath: path) else { throw TensorGraphError.fileError(path: path, message: "no such file") }
            return try fromJSON(data, target: target, path: path)
        } else if lower.contains(".idx") || lower.contains("-ubyte") {
            tensor = try IDX.read(path)
        } else {
            throw TensorGraphError.fileError(path: path, message: "unknown feed format (use .npy, .idx[.gz], .json or .png)")
        }
        return try fit(tensor, to: target, path: path)
    }

    /// Converts dtype (uint8 images become floats in [0, 1]) and reshapes [N, 28, 28] ↔ [N, 784] style to fit.
    func fit(_ tensor: Tensor, to target: Output, path: String) throws -> Tensor {
        var t = tensor
        if t.dtype != target.dtype {
            if t.dtype == .uint8 && target.dtype == .float {
                t = Tensor(shape: t.shape, scalars: t.scalars(as: UInt8.self).map { Float($0) / 255 })
            } else if t.dtype == .double && target.dtype == .float {
                t = Tensor(shape: t.shape, scalars: t.scalars(as: Double.self).map(Float.init))
            } else {
                throw TensorGraphError.feedDTypeMismatch(placeholder: target.node.name, expected: target.dtype, got: t.dtype)
            }
        }
        if target.shape.accepts(t.shape) { return t }
        if let dims = target.shape.dims, t.rank >= 1 {
            let perExample = t.shape.dropFirst().reduce(1, *)
            let wanted = dims.dropFirst()
            if wanted.allSatisfy({ $0 != nil }), wanted.reduce(1, { $0 * $1! }) == perExample {
                return t.reshaped(to: [t.shape[0]] + wanted.map { $0! })
            }
        }
        throw TensorGraphError.feedShapeMismatch(placeholder: target.node.name, expected: target.shape, got: t.shape)
    }

    func fromJSON(_ data: Data, target: Output, path: String) throws -> Tensor {
        guard let object = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) else {
            throw TensorGraphError.fileError(path: path, message: "not valid JSON")
        }
        var shape: [Int] = []
        var values: [Double] = []
        func walk(_ value: Any, depth: Int) throws {
            if let array = value as? [Any] {
                if depth == shape.count { shape.append(array.count) } else if shape[depth] != array.count {
                    throw TensorGraphError.fileError(path: path, message: "ragged JSON array")
                }
                for element in array { try walk(element, depth: depth + 1) }
            } else if let flag = value as? Bool, target.dtype == .bool {
                guard depth == shape.count else { throw TensorGraphError.fileError(path: path, message: "ragged JSON array") }
                values.append(flag ? 1 : 0)
            } else if let number = value as? NSNumber {
                guard depth == shape.count else { throw TensorGraphError.fileError(path: path, message: "ragged JSON array") }
                values.append(number.doubleValue)
            } else {
                throw TensorGraphError.fileError(path: path, message: "JSON feeds must be (nested arrays of) numbers")
            }
        }
        try walk(object, depth: 0)
        let tensor: Tensor
        switch target.dtype {
        case .float: tensor = Tensor(shape: shape, scalars: values.map(Float.init))
        case .double: tensor = Tensor(shape: shape, scalars: values)
        case .int32: tensor = Tensor(shape: shape, scalars: values.map { Int32(clamping: Int64($0)) })
        case .int64: tensor = Tensor(shape: shape, scalars: values.map { Int64($0) })
        case .uint8: tensor = Tensor(shape: shape, scalars: values.map { UInt8(clamping: Int($0)) })
        case .bool: tensor = Tensor(shape: shape, scalars: values.map { $0 != 0 })
        }
        return try fit(tensor, to: target, path: path)
    }

    /// PNGs as a batch in [0, 1], resized to the placeholder's height and width ([N, H, W, 1] or [N, H·W]).
    func images(_ files: [String], target: Output) throws -> Tensor {
        guard target.dtype == .float, let dims = target.shape.dims, dims.count == 4 || dims.count == 2 else {
            throw TensorGraphError.invalidArgument("PNG feeds need a float placeholder of shape [N, H, W, 1] or [N, H·W], '\(target.node.name)' is \(target.dtype)\(target.shape)")
        }
        let (h, w): (Int, Int)
        if dims.count == 4 {
            guard let hh = dims[1], let ww = dims[2], dims[3] == 1 || dims[3] == nil else {
                throw TensorGraphError.invalidArgument("placeholder '\(target.node.name)' \(target.shape) needs known height and width and 1 channel")
            }
            (h, w) = (hh, ww)
        } else {
            guard let n = dims[1], let side = Optional(Int(Double(n).squareRoot())), side * side == n else {
                throw TensorGraphError.invalidArgument("placeholder '\(target.node.name)' \(target.shape) is not a square image size")
            }
            (h, w) = (side, side)
        }
        var values: [Float] = []
        for file in files {
            let image = try PNG.readGrayscale(file)
            let pixels = image.height == h && image.width == w ? image.pixels
                : PNG.resize(image.pixels, height: image.height, width: image.width, toHeight: h, width: w)
            values += pixels.map { invert ? Float(255 - $0) / 255 : Float($0) / 255 }
        }
        let shape = dims.count == 4 ? [files.count, h, w, 1] : [files.count, h * w]
        return Tensor(shape: shape, scalars: values)
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
