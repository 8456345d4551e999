import Foundation
import TestSupport
import XCTest
@testable import TensorGraph

/// TensorBoard event files (issue 14): TFRecord framing, TF's histogram buckets, the writer's files
/// and queue, corrupt files, and `Trainer`'s event logging. `Tools/interop-formats.py check` reads
/// what `InteropFormatsTests` writes with tensorboard's `EventAccumulator`.
final class SummaryWriterTests: XCTestCase {
    /// The bytes `tf.io.TFRecordWriter` writes for the record "abc".
    func testTFRecordFramingMatchesTensorFlow() throws {
        let tensorFlow: [UInt8] = [3, 0, 0, 0, 0, 0, 0, 0, 176, 153, 73, 14, 97, 98, 99, 110, 87, 241, 33]
        XCTAssertEqual(TFRecord.frame(Array("abc".utf8)), tensorFlow)
        XCTAssertEqual(try TFRecord.records(in: tensorFlow + TFRecord.frame([]), path: "p"), [Array("abc".utf8), []])
    }

    func testCorruptTFRecordsAreTypedErrors() {
        let good = TFRecord.frame(Array("abc".utf8)) + TFRecord.frame(Array("defg".utf8))
        var badLength = good
        badLength[19] ^= 1   // the second record's length
        XCTAssertThrowsError(try TFRecord.records(in: badLength, path: "p")) {
            XCTAssertEqual($0 as? FileFormatError, .checksumMismatch(path: "p", what: "the length of record 1"))
        }
        var badData = good
        badData[13] ^= 1
        XCTAssertThrowsError(try TFRecord.records(in: badData, path: "p")) {
            XCTAssertEqual($0 as? FileFormatError, .checksumMismatch(path: "p", what: "the data of record 0"))
        }
        for cut in [3, 12, 15, 20] {
            XCTAssertThrowsError(try TFRecord.records(in: Array(good.prefix(cut)), path: "p"), "\(cut)") {
                guard case .truncated("p", _)? = $0 as? FileFormatError else { return XCTFail("\($0)") }
            }
        }
        var huge = ByteWriter()
        huge.fixed64(UInt64.max)
        huge.fixed32(CRC32C.mask(CRC32C.value(huge.bytes)))
        XCTAssertThrowsError(try TFRecord.records(in: huge.bytes, path: "p")) { XCTAssert($0 is FileFormatError, "\($0)") }
        XCTAssertThrowsError(try SummaryEvent(serialized: [0xFF], path: "p", record: 4)) {
            XCTAssertEqual($0 as? FileFormatError, .malformed(path: "p", message: "record 4 is not an Event protobuf"))
        }
    }

    /// TF's default limits, and the histogram `tf.summary.histogram` made of the same values (Python, TF 2.21).
    func testHistogramMatchesTensorFlow() throws {
        let limits = Histogram.defaultBucketLimits
        XCTAssertEqual(limits.count, 1551, "774 positive limits below 1e20, their negatives, 0 and ±DBL_MAX")
        XCTAssertEqual(limits[775], 0)
        XCTAssertEqual(limits[776], 1e-12)
        XCTAssertEqual(limits[774], -1e-12)
        XCTAssertEqual(limits.last, .greatestFiniteMagnitude)
        XCTAssertEqual(limits.first, -.greatestFiniteMagnitude)
        XCTAssertEqual(limits[777], 1.1000000000000002e-12)
        for k in 1..<limits.count { XCTAssertLessThan(limits[k - 1], limits[k]) }
        let h = try Histogram([-3.5, -1e-13, 0, 0, 1e-12, 0.5, 2, 2, 7e5])
        XCTAssertEqual([h.min, h.max, h.count, h.sum, h.sumOfSquares], [-3.5, 700000, 9, 700001, 490000000020.5])
        XCTAssertEqual(h.bucketLimits, [-3.8315657995195243, -3.48324163592684, -1e-12, 0, 1e-12, 1.1000000000000002e-12, 0.47069243095356195,
                                        0.5177616740489182, 1.9661990955585713, 2.1628190051144287, 692225.0370167625, 761447.5407184388,
                                        .greatestFiniteMagnitude])
        XCTAssertEqual(h.bucketCounts, [0, 1, 0, 1, 2, 1, 0, 1, 0, 2, 0, 1, 0])
        XCTAssertEqual(try Histogram([Double]()).bucketCounts, [0], "an empty histogram keeps one bucket")
        assertThrows(["nan", "finite"]) { try Histogram([1, .nan]) }
    }

    /// The event file `tf.compat.v1.summary.FileWriter` wrote (Tests/Fixtures/tf-events) reads back:
    /// version, graph, scalars, TF's histogram (equal to ours of the same values) and its PNG.
    func testReadsAnEventFileWrittenByTensorFlow() throws {
        let path = TensorBundleTests.repository + "/Tests/Fixtures/tf-events/events.out.tfevents.fixture"
        let events = try SummaryEvent.readAll(path)
        XCTAssertEqual(events.first?.content, .fileVersion("brain.Event:2"))
        guard case let .graphDef(bytes)? = events.dropFirst().first?.content else { return XCTFail("\(events)") }
        // TF's graph holds string tensors (the summary tags), which TensorGraph's importer does not take.
        XCTAssertNotNil(String(decoding: bytes, as: UTF8.self).range(of: "HistogramSummary"), "a GraphDef with the summary ops")
        var scalars: [(Int64, Float)] = [], histogram: Histogram?, image: SummaryImage?
        for event in events {
            guard case let .summary(values) = event.content else { continue }
            for value in values {
                switch value.kind {
                case let .scalar(x): scalars.append((event.step, x))
                case let .histogram(h): histogram = h
                case let .image(i): image = i
                case .other: XCTFail("unexpected value \(value.tag)")
                }
            }
        }
        XCTAssertEqual(scalars.map(\.0), [1, 2])
        XCTAssertEqual(scalars.map(\.1), [2.5, 1.25])
        XCTAssertEqual(histogram, try Histogram([-3.5, -1e-13, 0, 0, 1e-12, 0.5, 2, 2, 7e5]))
        let digit = try XCTUnwrap(image)
        XCTAssertEqual([digit.height, digit.width, digit.colorspace], [4, 3, 1])
        XCTAssertEqual(try SummaryWriter.encodePNG((0..<12).map { UInt8($0 * 20) }, height: 4, width: 3, channels: 1, tag: "t").isEmpty, false)
        let dir = try temporaryDirectory("tf-events")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Data(digit.encoded).write(to: URL(fileURLWithPath: dir + "/digit.png"))
        XCTAssertEqual(try PNG.readGrayscale(dir + "/digit.png").pixels, (0..<12).map { UInt8($0 * 20) })
    }

    /// The file name, the version event first, the queue (written at `maxQueue`, `flush`, `close`),
    /// and each kind of value read back.
    func testWriterFilesQueueAndContents() throws {
        let dir = try temporaryDirectory("events")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let writer = try SummaryWriter(logDirectory: dir + "/run", maxQueue: 3)
        let name = URL(fileURLWithPath: writer.path).lastPathComponent
        XCTAssertNotNil(name.range(of: #"^events\.out\.tfevents\.\d{10}\..+$"#, options: .regularExpression), name)
        XCTAssertEqual(try SummaryEvent.readAll(writer.path).map(\.content), [.fileVersion("brain.Event:2")], "written at once")
        try writer.addScalar("loss", 0.5, step: 1)
        try writer.addScalar("loss", 0.25, step: 2)
        XCTAssertEqual(try SummaryEvent.readAll(writer.path).count, 1, "queued")
        try writer.addHistogram("w", Tensor([Float(1), 2, 2]), step: 2)
        XCTAssertEqual(try SummaryEvent.readAll(writer.path).count, 4, "written at maxQueue")
        let pixels = Tensor(shape: [2, 3], scalars: [UInt8(0), 50, 100, 150, 200, 255])
        try writer.addImage("digit", pixels, step: 3)
        let g = Graph()
        _ = try g.variable(g.constant(Float(1)), name: "v")
        try writer.addGraph(g)
        try writer.flush()
        try writer.close()
        try writer.close()
        assertThrows(["is closed"]) { try writer.addScalar("loss", 1, step: 3) }

        let events = try SummaryEvent.readAll(writer.path)
        XCTAssertEqual(events.map(\.step), [0, 1, 2, 2, 3, 0])
        XCTAssertEqual(events[1].content, .summary([SummaryValue(tag: "loss", kind: .scalar(0.5))]))
        XCTAssertEqual(events[3].content, .summary([SummaryValue(tag: "w", kind: .histogram(try Histogram([1, 2, 2])))]))
        XCTAssertEqual(events[5].content, .graphDef(try g.graphDef()))
        guard case let .summary(values) = events[4].content, case let .image(image)? = values.first?.kind else { return XCTFail("\(events[4])") }
        XCTAssertEqual([image.height, image.width, image.colorspace], [2, 3, 1])
        try Data(image.encoded).write(to: URL(fileURLWithPath: dir + "/digit.png"))
        let decoded = try PNG.readGrayscale(dir + "/digit.png")
        XCTAssertEqual(decoded.pixels, pixels.scalars(as: UInt8.self))
        XCTAssertLessThan(abs(events[0].wallTime - Date().timeIntervalSince1970), 600)
    }

    /// Float images scale as TF's `ImageSummary`; bad shapes and dtypes are errors naming the tag.
    func testImageNormalizationAndErrors() throws {
        XCTAssertEqual(SummaryWriter.normalized([0, 0.5, 1]), [0, 127, 255])
        XCTAssertEqual(SummaryWriter.normalized([-2, 0, 1, .nan]), [1, 128, 191, 0])
        let dir = try temporaryDirectory("events-images")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let writer = try SummaryWriter(logDirectory: dir)
        assertThrows(["'bad'", "[2, 2, 2]"]) { try writer.addImage("bad", Tensor(zeros: .uint8, shape: [2, 2, 2]), step: 0) }
        assertThrows(["'ints'", "int32"]) { try writer.addImage("ints", Tensor(zeros: .int32, shape: [2, 2]), step: 0) }
        try writer.close()
    }

    /// `Trainer.logEvents`: per epoch loss, accuracy, learning rate and weight histograms; the graph once.
    func testTrainerLogsEpochs() throws {
        let dir = try temporaryDirectory("trainer-events")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (trainer, data, g) = try Self.smallTrainer()
        try trainer.logEvents(to: dir, learningRate: g.constant(Float(0.1)))
        let history = try trainer.fit(data, epochs: 2, verbose: false)
        try trainer.eventWriter?.close()
        let events = try SummaryEvent.readAll(try XCTUnwrap(trainer.eventWriter?.path))
        XCTAssertEqual(events.filter { if case .graphDef = $0.content { return true } else { return false } }.count, 1)
        var scalars: [String: [(Int64, Float)]] = [:], histograms: [String: [Int64]] = [:]
        for event in events {
            guard case let .summary(values) = event.content else { continue }
            for value in values {
                if case let .scalar(x) = value.kind { scalars[value.tag, default: []].append((event.step, x)) }
                if case .histogram = value.kind { histograms[value.tag, default: []].append(event.step) }
            }
        }
        XCTAssertEqual(scalars["loss"]?.map(\.0), [1, 2])
        XCTAssertEqual(scalars["loss"]?.map(\.1), history.map { Float($0.loss) })
        XCTAssertEqual(scalars["accuracy"]?.map(\.1), history.map { Float($0.accuracy) })
        XCTAssertEqual(scalars["learning_rate"]?.map(\.1), [0.1, 0.1])
        XCTAssertEqual(histograms, ["dense/kernel": [1, 2], "dense/bias": [1, 2]])
    }

    /// A dense softmax classifier on 8 examples in batches of 4.
    static func smallTrainer() throws -> (Trainer, Dataset, Graph) {
        let g = Graph()
        let x = try g.placeholder(.float, shape: [nil, 2], name: "x")
        let labels = try g.placeholder(.int32, shape: [nil], name: "labels")
        let logits = try g.layers.dense(x, units: 2)
        let loss = try g.mean(g.sparseSoftmaxCrossEntropyWithLogits(labels: labels, logits: logits))
        let correct = try g.equal(g.cast(g.argMax(logits, axis: 1), to: .int32), labels)
        let accuracy = try g.mean(g.cast(correct, to: .float))
        let train = try GradientDescentOptimizer(learningRate: 0.1).minimize(loss)
        let session = Session(graph: g)
        try session.run(g.globalVariablesInitializer())
        let features = Tensor(shape: [8, 2], scalars: (0..<16).map { Float($0 % 5) - 2 })
        let classes = Tensor((0..<8).map { Int32($0 % 2) })
        let data = try Dataset(tensors: [features, classes]).batch(4)
        return (Trainer(session: session, loss: loss, accuracy: accuracy, trainOp: train, inputs: [x, labels]), data, g)
    }
}
