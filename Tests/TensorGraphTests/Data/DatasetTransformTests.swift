import Foundation
import TestSupport
import XCTest
@testable import TensorGraph

/// shuffle, batch, map, repeat, prefetch, and iteration.
final class DatasetTransformTests: XCTestCase {
    /// Elements [i as float32 [1], i as int32 []] for i in 0..<n.
    func numbers(_ n: Int) throws -> Dataset {
        try Dataset(tensors: [Tensor(shape: [n, 1], scalars: (0..<n).map(Float.init)), Tensor((0..<n).map(Int32.init))])
    }

    /// The int32 labels of one pass, flattened across batches.
    func labels(_ pass: some Sequence<[Tensor]>) -> [Int32] { pass.flatMap { $0[1].scalars(as: Int32.self) } }

    func labels(_ dataset: Dataset, iteration: Int) -> [Int32] {
        labels(IteratorSequence(dataset.makeIterator(iteration: iteration)))
    }

    func testShuffleIsASeededPermutationRedrawnEachIteration() throws {
        let shuffled = try numbers(50).shuffle(seed: 3)
        let first = labels(shuffled), second = labels(shuffled), third = labels(shuffled)
        XCTAssertEqual(first.sorted(), (0..<50).map(Int32.init), "a permutation")
        XCTAssertNotEqual(first, (0..<50).map(Int32.init))
        XCTAssertNotEqual(first, second, "reshuffled each iteration")
        XCTAssertNotEqual(second, third)
        // A freshly built pipeline replays the same epochs; makeIterator(iteration:) picks one.
        let rebuilt = try numbers(50).shuffle(seed: 3)
        XCTAssertEqual([labels(rebuilt), labels(rebuilt)], [first, second])
        XCTAssertEqual(labels(rebuilt, iteration: 2), third)
        XCTAssertNotEqual(labels(try numbers(50).shuffle(seed: 4), iteration: 0), first, "another seed")

        let fixed = try numbers(50).shuffle(seed: 3, reshuffleEachIteration: false)
        XCTAssertEqual(labels(fixed), first)
        XCTAssertEqual(labels(fixed), first, "reshuffleEachIteration: false keeps the first permutation")
    }

    func testShuffleAgreesWithLabeledImagesBatches() throws {
        let images = Tensor(shape: [20, 1, 1], scalars: (0..<20).map(UInt8.init))
        let data = try LabeledImages(images: images, labels: Tensor(shape: [20], scalars: (0..<20).map { UInt8($0 % 10) }),
                                     classes: 10, path: "test")
        let dataset = try Dataset(tensors: [data.pixels]).shuffle(seed: 9).batch(20)
        for epoch in 0..<3 {
            let fromBatches = data.batches(of: 20, shuffleSeed: 9, epoch: epoch)[0].pixels
            XCTAssertEqual(Array(IteratorSequence(dataset.makeIterator(iteration: epoch)))[0][0], fromBatches)
        }
    }

    func testBatchWithAndWithoutRemainder() throws {
        let batched = try numbers(10).batch(4)
        XCTAssertEqual(batched.count, 3)
        let batches = Array(batched)
        XCTAssertEqual(batches.map { $0[0].shape }, [[4, 1], [4, 1], [2, 1]])
        XCTAssertEqual(batches[2][1], Tensor([Int32(8), 9]))
        XCTAssertEqual(batches[1][0], Tensor(shape: [4, 1], scalars: [Float(4), 5, 6, 7]))

        let dropped = try numbers(10).batch(4, dropRemainder: true)
        XCTAssertEqual(dropped.count, 2)
        XCTAssertEqual(Array(dropped).map { $0[1].shape }, [[4], [4]])
        XCTAssertEqual(Array(try numbers(3).batch(4, dropRemainder: true)).count, 0)
        assertThrows(["Dataset.batch", "batch size 0 must be positive"]) { try numbers(3).batch(0) }
        // Batching batches stacks them: [2, 2, 1].
        XCTAssertEqual(Array(try numbers(8).batch(2).batch(2)).first?[0].shape, [2, 2, 1])
    }

    func testShuffledBatchesGatherTheShuffledRows() throws {
        let order = labels(try numbers(12).shuffle(seed: 5), iteration: 0)
        let batches = Array(IteratorSequence(try numbers(12).shuffle(seed: 5).batch(5).makeIterator(iteration: 0)))
        XCTAssertEqual(labels(batches), order)
        XCTAssertEqual(batches[0][0].scalars(as: Float.self), order.prefix(5).map(Float.init), "features follow their labels")
    }

    func testMapBeforeAndAfterBatch() throws {
        let perElement = try numbers(5).map { [$0[0], Tensor($0[1].scalar(as: Int32.self) * 10)] }.batch(2)
        XCTAssertEqual(labels(perElement), [0, 10, 20, 30, 40])
        let perBatch = try numbers(5).batch(2).map { [Tensor(Int32($0[1].shape[0]))] }
        XCTAssertEqual(Array(perBatch).map { $0[0].scalar(as: Int32.self) }, [2, 2, 1], "after batch, map sees whole batches")
        XCTAssertEqual(perBatch.count, 3)
        // Without context, `map` is the dataset's (lazy) map, not Sequence's eager one.
        let unannotated = try numbers(3).map { $0 }
        XCTAssertEqual(Array(try unannotated.batch(3)).count, 1)

        // A map whose results cannot be stacked: nextElement() throws (next() would stop the program).
        let ragged = try numbers(4).map { [Tensor(shape: [Int($0[1].scalar(as: Int32.self)) + 1], scalars: [Float](repeating: 0, count: Int($0[1].scalar(as: Int32.self)) + 1))] }.batch(2)
        var iterator = ragged.makeIterator()
        assertThrows(["Dataset.batch", "component 0 of element 1 is float32 [2]", "element 0's is float32 [1]"]) { try iterator.nextElement() }
    }

    func testRepeatReshufflesEachRepetition() throws {
        let repeated = try numbers(6).shuffle(seed: 1).repeat(3)
        XCTAssertEqual(repeated.count, 18)
        let pass = labels(repeated, iteration: 0)
        let single = try numbers(6).shuffle(seed: 1)
        // Repetition r of iteration 0 is iteration r of the shuffle.
        XCTAssertEqual(pass, (0..<3).flatMap { labels(single, iteration: $0) })
        XCTAssertEqual(labels(repeated, iteration: 1), (3..<6).flatMap { labels(single, iteration: $0) })
        XCTAssertEqual(labels(try numbers(6).repeat(2).batch(4)), [0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 5], "batches cross repetitions")
        XCTAssertEqual(Array(try numbers(6).repeat(0)).count, 0)
        assertThrows(["Dataset.repeat", "count -1"]) { try numbers(6).repeat(-1) }
    }

    func testPrefetchGivesTheSameSequence() throws {
        func pipeline(prefetch: Int?) throws -> Dataset {
            var dataset = try numbers(103).shuffle(seed: 8).map { [$0[0], $0[1]] }.batch(10).repeat(2)
            if let prefetch { dataset = try dataset.prefetch(prefetch) }
            return dataset
        }
        let plain = try pipeline(prefetch: nil), prefetched = try pipeline(prefetch: 3)
        XCTAssertEqual(prefetched.count, plain.count)
        for iteration in 0..<2 {
            let expected = Array(IteratorSequence(plain.makeIterator(iteration: iteration)))
            XCTAssertEqual(Array(IteratorSequence(prefetched.makeIterator(iteration: iteration))), expected)
        }
        // Prefetch before batch, twice nested, and a pass abandoned early: the threads end.
        let nested = try numbers(40).prefetch(1).batch(8).prefetch(2)
        XCTAssertEqual(labels(nested), (0..<40).map(Int32.init))
        for _ in 0..<20 { _ = Array(nested.prefix(1)) }
        assertThrows(["Dataset.prefetch", "buffer size 0 must be positive"]) { try numbers(3).prefetch(0) }
    }

    func testPrefetchPassesErrorsOn() throws {
        let ragged = try numbers(4).map { [Tensor(shape: [Int($0[1].scalar(as: Int32.self)) + 1], scalars: [Float](repeating: 0, count: Int($0[1].scalar(as: Int32.self)) + 1))] }.batch(2).prefetch(2)
        var iterator = ragged.makeIterator()
        assertThrows(["Dataset.batch", "component 0 of element 1"]) { try iterator.nextElement() }
        XCTAssertNil(try iterator.nextElement(), "the pass ends after the error")
    }

    func testForLoopIteratesTheCurrentIteration() throws {
        let dataset = try numbers(7).shuffle(seed: 2).batch(3)
        var seen: [[Int32]] = []
        for _ in 0..<2 {
            var pass: [Int32] = []
            for batch in dataset { pass += batch[1].scalars(as: Int32.self) }
            seen.append(pass)
        }
        XCTAssertEqual(seen, [labels(dataset, iteration: 0), labels(dataset, iteration: 1)])
        XCTAssertEqual(dataset.underestimatedCount, 3)
    }
}
