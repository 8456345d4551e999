import Foundation
import TestSupport
import XCTest
@testable import TensorGraph

/// Mutated .pb, .npy, IDX and checkpoint bytes must never crash: each case either decodes
/// (a flipped weight byte is still a valid file) or throws a `TensorGraphError`.
final class FuzzTests: XCTestCase {
    enum Outcome { case decoded, rejected }

    func mutate(_ bytes: [UInt8], _ random: inout TestRandom, case k: Int) -> [UInt8] {
        var b = bytes
        switch k % 4 {
        case 0:  // truncation
            return Array(b.prefix(Int(random.next() % UInt64(b.count))))
        case 1:  // random byte flips
            for _ in 0..<(1 + Int(random.next() % 8)) { b[Int(random.next() % UInt64(b.count))] ^= UInt8(1 + random.next() % 255) }
            return b
        case 2:  // a huge varint (declared size / length) written over a random position
            let at = Int(random.next() % UInt64(b.count))
            let huge: [UInt8] = [0xFF, 0xFF, 0xFF, 0xFF, 0x0F]
            for (i, v) in huge.enumerated() where at + i < b.count { b[at + i] = v }
            return b
        default:  // a flipped byte in the header region, where sizes and dtypes live
            let at = Int(random.next() % UInt64(Swift.min(b.count, 128)))
            b[at] = UInt8(truncatingIfNeeded: random.next())
            return b
        }
    }

    func check(_ name: String, _ seed: [UInt8], cases: Int, _ decode: ([UInt8]) throws -> Void) -> (decoded: Int, rejected: Int) {
        var random = TestRandom(seed: UInt64(name.utf8.count))
        var decoded = 0, rejected = 0
        for k in 0..<cases {
            let bytes = mutate(seed, &random, case: k)
            do {
                try decode(bytes)
                decoded += 1
            } catch is TensorGraphError {
                rejected += 1
            } catch {
                XCTFail("\(name) case \(k): untyped error \(error)")
            }
        }
        XCTAssertEqual(decoded + rejected, cases)
        XCTAssertGreaterThan(rejected, cases / 4, "\(name): most mutations must be caught")
        print("fuzz \(name): \(cases) mutations, \(rejected) rejected with typed errors, \(decoded) still valid")
        return (decoded, rejected)
    }

    func testMutatedGraphDefs() throws {
        let g = Graph()
        let x = try g.placeholder(.float, shape: [nil, 8], name: "x")
        let w = try g.constant(Tensor(shape: [8, 4], scalars: (0..<32).map { Float($0) / 32 }), name: "w")
        let y = try g.softmax(g.biasAdd(g.matMul(x, w), g.constant(Tensor([Float(0.1), 0.2, 0.3, 0.4]))), name: "y")
        _ = try g.argMax(y, axis: 1)
        _ = try g.maxPool(g.reshape(x, to: [-1, 2, 4, 1]), ksize: (2, 2), strides: (1, 1), padding: .same)
        let input = Tensor(shape: [2, 8], scalars: (0..<16).map { Float($0) })
        _ = check("GraphDef", try g.graphDef(), cases: 2000) { bytes in
            let imported = try Graph(graphDef: bytes)
            // Whatever imports must also run or fail cleanly.
            if let out = imported.output(named: "y"), let feed = imported.output(named: "x"), feed.node.opName == "Placeholder" {
                _ = try Session(graph: imported).run(out, feeding: [feed: input])
            }
        }
    }

    func testMutatedNPYAndIDXAndCheckpoints() throws {
        let npy = NPY.encode(Tensor(shape: [3, 5], scalars: (0..<15).map { Float($0) }))
        _ = check("npy", npy, cases: 2000) { _ = try NPY.decode($0) }
        let idxBytes: [UInt8] = [0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 3] + (0..<18).map { UInt8($0) }
        _ = check("idx", idxBytes, cases: 2000) { _ = try IDX.decode($0) }
        let dir = try temporaryDirectory("fuzz")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let g = Graph()
        _ = try g.variable(g.constant(Tensor(shape: [2, 3], scalars: [Float](repeating: 1, count: 6))), name: "v")
        let s = Session(graph: g)
        try s.run(g.globalVariablesInitializer())
        // TensorGraph's single-file checkpoint.
        try Saver(graph: g).save(s, to: dir + "/seed.ckpt", format: .tensorGraph)
        let seed = [UInt8](try Data(contentsOf: URL(fileURLWithPath: dir + "/seed.ckpt")))
        _ = check("checkpoint", seed, cases: 1000) { bytes in
            try Data(bytes).write(to: URL(fileURLWithPath: dir + "/m.ckpt"))
            try Saver(graph: g).restore(s, from: dir + "/m.ckpt")
        }
        // TensorFlow's checkpoint V2: the index (sizes, offsets, dtypes, CRCs) mutated beside an intact data file.
        try Saver(graph: g).save(s, to: dir + "/v2")
        let index = [UInt8](try Data(contentsOf: URL(fileURLWithPath: dir + "/v2.index")))
        try FileManager.default.copyItem(atPath: dir + "/v2.data-00000-of-00001", toPath: dir + "/m2.data-00000-of-00001")
        _ = check("checkpoint index", index, cases: 500) { bytes in
            try Data(bytes).write(to: URL(fileURLWithPath: dir + "/m2.index"))
            try Saver(graph: g).restore(s, from: dir + "/m2")
        }
    }
}
