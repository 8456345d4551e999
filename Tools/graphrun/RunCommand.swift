import ArgumentParser
import Foundation
import TensorGraph

// MARK: - run

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a GraphDef, SavedModel or .meta + checkpoint on fed inputs and print or save the fetched tensors.")

    @OptionGroup var options: ModelOptions
    @Option(help: "Write the (single) fetched tensor to this .npy file ('-': standard output).") var output: String?
    @Option(help: "Output format: table or json.") var format: String = "table"
    @Option(help: "Show the top K classes for 2-D probability outputs.") var topK: Int = 3
    @Flag(help: "Fail at the first node that computes a NaN or Inf, naming it (also TENSORGRAPH_CHECK_NUMERICS=1).")
    var checkNumerics = false

    func validate() throws {
        guard topK >= 1 else { throw ValidationError("--top-k must be at least 1, got \(topK)") }
    }

    func run() throws {
        if let timeout = options.timeout { Watchdog.arm(seconds: timeout) }
        try failing {
            let loaded = try options.load { _ in
                throw TensorGraphError.invalidArgument("nothing to fetch; pass --fetch NAME (see `graphrun inspect`)")
            }
            let session = loaded.session
            session.runTimeout = options.timeout.map { Swift.max($0 - Watchdog.elapsedSeconds, 0) }
            if checkNumerics { session.checksNumerics = true }
            let results = try runWithLimits(session, loaded.fetches.map(\.output), feeding: loaded.feeds, timeout: options.timeout)
            let names = loaded.fetches.map(\.name)
            if let output {
                guard results.count == 1 else { throw TensorGraphError.invalidArgument("--output needs exactly one fetched tensor, got \(results.count) (\(names.joined(separator: ", ")))") }
                if output == "-" {
                    FileHandle.standardOutput.write(Data(NPY.encode(results[0])))
                    return
                }
                try NPY.write(results[0], to: output)
                print("wrote \(output): \(results[0].dtype) \(TensorShape(results[0].shape))")
                return
            }
            if format == "json" {
                let object = zip(names, results).map { name, t -> [String: Any] in
                    ["name": name, "dtype": t.dtype.description, "shape": t.shape, "values": t.doubleValues]
                }
                let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
                print(String(decoding: data, as: UTF8.self))
                return
            }
            guard format == "table" else { throw TensorGraphError.invalidArgument("--format must be table or json, got '\(format)'") }
            for (name, t) in zip(names, results) { print(table(name, t)) }
        }
    }

    func table(_ name: String, _ t: Tensor) -> String {
        var out = "\(name): \(t.dtype) \(TensorShape(t.shape))\n"
        if t.rank == 2, t.dtype.isFloatingPoint, t.shape[1] > 1, t.shape[1] <= 1000 {
            // Only here: as doubles, a 2·10^9-element output (an IDX gzip bomb under the 4 GiB default
            // limit, fetched through Identity) took 16 GB just to be summarized.
            let values = t.doubleValues
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

/// One `session.run` under `--timeout`, with numerics and deadline errors turned into one-line messages.
func runWithLimits(_ session: Session, _ outputs: [Output], feeding feeds: [Output: Tensor], timeout: Double?) throws -> [Tensor] {
    do {
        if let timeout, Watchdog.elapsedSeconds >= timeout {
            throw TensorGraphError.invalidArgument("stopped after the --timeout of \(timeout) s while loading the graph and feeds")
        }
        return try session.run(outputs, feeding: feeds)
    } catch let error as NumericsError {
        throw TensorGraphError.invalidArgument(error.description)   // one line on stderr, status 1, like every other error
    } catch let error as TensorGraphError {
        // The session's deadline is what remained of --timeout after loading: name the user's number.
        guard let timeout, Watchdog.elapsedSeconds >= timeout, case let .kernelFailure(op, node, _) = error else { throw error }
        throw TensorGraphError.invalidArgument("stopped after the --timeout of \(timeout) s, before [\(op)] node '\(node)'")
    }
}
