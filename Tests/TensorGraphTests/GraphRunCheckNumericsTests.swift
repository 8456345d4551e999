import Foundation
import TestSupport
import XCTest
@testable import TensorGraph

extension GraphRunTests {
    /// `graphrun run --check-numerics` stops at the first node that computes a NaN or Inf, with one line
    /// on stderr naming it; without the flag the NaN is printed as a value.
    func testCheckNumericsFlagNamesTheFirstNonFiniteNode() throws {
        let dir = try temporaryDirectory("graphrun-numerics")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let g = Graph()
        let x = try g.placeholder(.float, shape: [nil], name: "x")
        _ = try g.sqrt(g.log(x, name: "log"), name: "root")
        try g.write(to: dir + "/nan.pb")

        let unchecked = try graphrun(["run", dir + "/nan.pb", "--feed", "x=[4,-1]", "--fetch", "root"])
        XCTAssertEqual(unchecked.status, 0, unchecked.stderr)
        XCTAssert(unchecked.stdout.lowercased().contains("nan"), unchecked.stdout)

        let checked = try graphrun(["run", dir + "/nan.pb", "--feed", "x=[4,-1]", "--fetch", "root", "--check-numerics"])
        XCTAssertNotEqual(checked.status, 0, checked.stdout)
        XCTAssertEqual(checked.stderr.split(separator: "\n").count, 1, checked.stderr)
        XCTAssertEqual(checked.stderr, "graphrun: error: [Log] node 'log': Session.checksNumerics: output 0 had NaN values, "
                       + "first at flat index 1 of float32 (2,)\n")
        XCTAssert(checked.stdout.isEmpty, checked.stdout)
    }
}
