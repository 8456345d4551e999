import Foundation
import TestSupport
import XCTest
@testable import TensorGraph

final class LayerTests: XCTestCase {
    func testLayersCreateTFNamedVariables() throws {
        let g = Graph()
        let x = try g.placeholder(.float, shape: [nil, 28, 28, 1])
        let c1 = try g.layers.conv2d(x, filters: 8, kernelSize: (3, 3), activation: .relu)
        let c2 = try g.layers.conv2d(c1, filters: 4, kernelSize: (5, 5), padding: .same)
        let p = try g.layers.maxPooling2d(c2)
        let a = try g.layers.averagePooling2d(p, poolSize: (3, 3), strides: (1, 1), padding: .same)
        let f = try g.layers.flatten(a)
        let d = try g.layers.dense(f, units: 16, activation: .tanh)
        let out = try g.layers.dense(d, units: 10)
        let shapes = Dictionary(uniqueKeysWithValues: g.globalVariables.map { ($0.name, $0.shape) })
        XCTAssertEqual(shapes, ["conv2d/kernel": [3, 3, 1, 8], "conv2d/bias": [8], "conv2d_1/kernel": [5, 5, 8, 4], "conv2d_1/bias": [4],
                                "dense/kernel": [13 * 13 * 4, 16], "dense/bias": [16], "dense_1/kernel": [16, 10], "dense_1/bias": [10]])
        XCTAssertEqual(c1.shape, [nil, 26, 26, 8])
        XCTAssertEqual(p.shape, [nil, 13, 13, 4])
        XCTAssertEqual(f.shape, [nil, 676])
        XCTAssertEqual(out.shape, [nil, 10])
        let summary = g.summary()
        XCTAssert(summary.contains("conv2d (Conv2D)") && summary.contains("(None, 26, 26, 8)") && summary.contains("80"), summary)
        let total: Int = 80 + 804 + 676 * 16 + 16 + 170
        XCTAssert(summary.contains("Total params: \(total)"), summary)
    }

    func testEmbeddingLooksUpRows() throws {
        let g = Graph()
        let ids = try g.placeholder(.int32, shape: [nil, 3])
        let e = try g.layers.embedding(ids, inputDim: 10, outputDim: 2)
        XCTAssertEqual(e.shape, [nil, 3, 2])
        let table = try XCTUnwrap(g.globalVariables.first { $0.name == "embedding/embeddings" })
        let session = Session(graph: g)
        try session.run(g.globalVariablesInitializer())
        let values = try session.run(table.value).scalars(as: Float.self)
        XCTAssert(values.allSatisfy { Swift.abs($0) <= 0.05 })
        let rows = try session.run(e, feeding: [ids: Tensor(shape: [1, 3], scalars: [Int32(9), 0, 9])]).scalars(as: Float.self)
        XCTAssertEqual(rows, Array(values[18..<20]) + Array(values[0..<2]) + Array(values[18..<20]))
    }

    func testDropoutTrainsAndPassesThroughAtInference() throws {
        let g = Graph()
        let x = try g.placeholder(.float, shape: [nil, 1000])
        let training = try g.placeholder(default: g.constant(false), shape: [], name: "training")
        let y = try g.layers.dropout(x, rate: 0.4, training: training)
        let session = Session(graph: g)
        let ones = Tensor(shape: [2, 1000], scalars: [Float](repeating: 1, count: 2000))
        XCTAssertEqual(try session.run(y, feeding: [x: ones]).scalars(as: Float.self), ones.scalars(as: Float.self))
        let dropped = try session.run(y, feeding: [x: ones, training: Tensor(true)]).scalars(as: Float.self)
        let kept = dropped.filter { $0 != 0 }
        XCTAssert(kept.allSatisfy { Swift.abs($0 - 1 / 0.6) < 1e-5 })
        XCTAssertEqual(Double(kept.count) / 2000, 0.6, accuracy: 0.04)
        XCTAssertFalse(g.nodes.contains { OpRegistry.byName[$0.opName] == nil }, "dropout uses registered TF ops only")
    }
}
