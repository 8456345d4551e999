// graphrun lint: report graph mistakes that import and run without an error (Graph.lint).
import ArgumentParser
import Foundation
import TensorGraph

struct Lint: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Report unused placeholders, double softmax, float64 in a float32 model and other graph mistakes.",
        discussion: "Exits with status 0 when nothing is found, 2 when there are findings, 1 on an error.")

    @Argument(help: "A GraphDef (.pb) file.") var model: String
    @Option(name: .customLong("fetch"), help: "An output the program fetches (repeatable); placeholders none of them depends on are reported.")
    var fetches: [String] = []
    @Option(help: "The training loss output; trainable variables it does not depend on are reported.") var loss: String?
    @Flag(help: "Print machine-readable JSON.") var json = false

    func run() throws {
        let graph = try failing { try Graph(contentsOf: model) }
        func output(_ name: String) throws -> Output {
            guard let output = graph.output(named: name) else {
                FileHandle.standardError.write(Data("graphrun: error: \(model) has no output '\(name)'\n".utf8))
                throw ExitCode(1)
            }
            return output
        }
        let findings = graph.lint(fetches: try fetches.map(output), loss: try loss.map(output))
        if json {
            let objects: [[String: Any]] = findings.map {
                ["kind": $0.kind.rawValue, "node": $0.node, "message": $0.message]
            }
            let data = try JSONSerialization.data(withJSONObject: objects, options: [.prettyPrinted, .sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        } else {
            for finding in findings { print(finding) }
            print("\(model): \(findings.count) finding\(findings.count == 1 ? "" : "s")")
        }
        if !findings.isEmpty { throw ExitCode(2) }
    }
}
