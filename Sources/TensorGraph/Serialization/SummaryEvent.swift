import CTensorFlowProto
import Foundation

/// One record of a TensorBoard event file: TensorFlow's `Event` proto (`tensorflow/core/util/event.proto`).
public struct SummaryEvent: Equatable, Sendable {
    /// Seconds since 1970 when the event was written.
    public var wallTime: Double
    /// The training step (or epoch) the event belongs to.
    public var step: Int64
    /// What the event carries.
    public var content: Content

    /// The `what` of an `Event`; kinds this library does not write read as `.other`.
    public enum Content: Equatable, Sendable {
        /// `file_version`, `"brain.Event:2"` in the first event of every file.
        case fileVersion(String)
        /// A serialized `GraphDef`, for TensorBoard's graph dashboard.
        case graphDef([UInt8])
        /// Tagged values: scalars, histograms, images.
        case summary([SummaryValue])
        /// A log message, session log, run metadata or meta graph.
        case other
    }

    /// An event of `content` at `step`, stamped now unless `wallTime` is given.
    public init(step: Int64, content: Content, wallTime: Double = Date().timeIntervalSince1970) {
        (self.wallTime, self.step, self.content) = (wallTime, step, content)
    }
}

/// One tagged value of a `Summary` (`Summary.Value`).
public struct SummaryValue: Equatable, Sendable {
    /// The name TensorBoard groups and plots by (`loss`, `dense/kernel`).
    public var tag: String
    /// The value.
    public var kind: Kind

    /// The value kinds (`simple_value`, `histo`, `image`); others read as `.other`.
    public enum Kind: Equatable, Sendable {
        /// `simple_value`: one float32 point of a TensorBoard scalar plot.
        case scalar(Float)
        /// `histo`: TF's `HistogramProto`.
        case histogram(Histogram)
        /// `image`: an encoded image.
        case image(SummaryImage)
        /// Audio, tensors and obsolete histograms, which this library does not decode.
        case other
    }

    /// A tagged value.
    public init(tag: String, kind: Kind) { (self.tag, self.kind) = (tag, kind) }
}

/// An encoded image of a summary (`Summary.Image`): PNG bytes with their size and channel count
/// (`colorspace` 1 grayscale, 3 RGB, 4 RGBA).
public struct SummaryImage: Equatable, Sendable {
    /// Rows, columns and channels (`colorspace`) of the decoded image.
    public var height: Int, width: Int, colorspace: Int
    /// The PNG file's bytes.
    public var encoded: [UInt8]

    /// An image summary of already encoded bytes.
    public init(height: Int, width: Int, colorspace: Int, encoded: [UInt8]) {
        (self.height, self.width, self.colorspace, self.encoded) = (height, width, colorspace, encoded)
    }
}

extension SummaryEvent {
    /// The serialized `Event` proto.
    public func serialized() -> [UInt8] {
        let arena = ProtoArena()
        var event = Tensorflow__Event()
        tensorflow__event__init(&event)
        event.wall_time = wallTime
        event.step = step
        switch content {
        case let .fileVersion(version):
            event.what_case = TENSORFLOW__EVENT__WHAT_FILE_VERSION
            event.file_version = arena.string(version)
        case let .graphDef(bytes):
            event.what_case = TENSORFLOW__EVENT__WHAT_GRAPH_DEF
            event.graph_def = arena.binary(bytes)
        case let .summary(values):
            let summary = arena.allocate(Tensorflow__Summary.self)
            tensorflow__summary__init(summary)
            let list = arena.allocate(UnsafeMutablePointer<Tensorflow__Summary__Value>?.self, count: values.count)
            for (i, value) in values.enumerated() { list[i] = Self.valueProto(value, arena) }
            summary.pointee.n_value = values.count
            summary.pointee.value = list
            event.what_case = TENSORFLOW__EVENT__WHAT_SUMMARY
            event.summary = summary
        case .other:
            break
        }
        var bytes = [UInt8](repeating: 0, count: tensorflow__event__get_packed_size(&event))
        _ = bytes.withUnsafeMutableBufferPointer { tensorflow__event__pack(&event, $0.baseAddress) }
        return bytes
    }

    private static func valueProto(_ value: SummaryValue, _ arena: ProtoArena) -> UnsafeMutablePointer<Tensorflow__Summary__Value> {
        let proto = arena.allocate(Tensorflow__Summary__Value.self)
        tensorflow__summary__value__init(proto)
        proto.pointee.tag = arena.string(value.tag)
        switch value.kind {
        case let .scalar(number):
            proto.pointee.value_case = TENSORFLOW__SUMMARY__VALUE__VALUE_SIMPLE_VALUE
            proto.pointee.simple_value = number
        case let .histogram(histogram):
            let histo = arena.allocate(Tensorflow__HistogramProto.self)
            tensorflow__histogram_proto__init(histo)
            histo.pointee.min = histogram.min
            histo.pointee.max = histogram.max
            histo.pointee.num = histogram.count
            histo.pointee.sum = histogram.sum
            histo.pointee.sum_squares = histogram.sumOfSquares
            histo.pointee.n_bucket_limit = histogram.bucketLimits.count
            histo.pointee.bucket_limit = arena.array(histogram.bucketLimits)
            histo.pointee.n_bucket = histogram.bucketCounts.count
            histo.pointee.bucket = arena.array(histogram.bucketCounts)
            proto.pointee.value_case = TENSORFLOW__SUMMARY__VALUE__VALUE_HISTO
            proto.pointee.histo = histo
        case let .image(image):
            let imageProto = arena.allocate(Tensorflow__Summary__Image.self)
            tensorflow__summary__image__init(imageProto)
            imageProto.pointee.height = Int32(clamping: image.height)
            imageProto.pointee.width = Int32(clamping: image.width)
            imageProto.pointee.colorspace = Int32(clamping: image.colorspace)
            imageProto.pointee.encoded_image_string = arena.binary(image.encoded)
            proto.pointee.value_case = TENSORFLOW__SUMMARY__VALUE__VALUE_IMAGE
            proto.pointee.image = imageProto
        case .other:
            break
        }
        return proto
    }

    /// Decodes a serialized `Event`; `path` and `record` name it in errors.
    ///
    /// - Throws: `FileFormatError.malformed` when the bytes are not an `Event` proto.
    public init(serialized bytes: [UInt8], path: String, record: Int) throws {
        guard let proto = bytes.withUnsafeBufferPointer({ tensorflow__event__unpack(nil, $0.count, $0.baseAddress) }) else {
            throw FileFormatError.malformed(path: path, message: "record \(record) is not an Event protobuf")
        }
        defer { tensorflow__event__free_unpacked(proto, nil) }
        let event = proto.pointee
        wallTime = event.wall_time
        step = event.step
        switch event.what_case {
        case TENSORFLOW__EVENT__WHAT_FILE_VERSION:
            content = .fileVersion(event.file_version.map { String(cString: $0) } ?? "")
        case TENSORFLOW__EVENT__WHAT_GRAPH_DEF:
            content = .graphDef(Self.bytes(event.graph_def))
        case TENSORFLOW__EVENT__WHAT_SUMMARY:
            var values: [SummaryValue] = []
            if let summary = event.summary?.pointee {
                for i in 0..<summary.n_value {
                    guard let value = summary.value[i]?.pointee else { continue }
                    values.append(SummaryValue(tag: value.tag.map { String(cString: $0) } ?? "", kind: Self.kind(value)))
                }
            }
            content = .summary(values)
        default:
            content = .other
        }
    }

    private static func kind(_ value: Tensorflow__Summary__Value) -> SummaryValue.Kind {
        switch value.value_case {
        case TENSORFLOW__SUMMARY__VALUE__VALUE_SIMPLE_VALUE:
            return .scalar(value.simple_value)
        case TENSORFLOW__SUMMARY__VALUE__VALUE_HISTO:
            guard let h = value.histo?.pointee else { return .other }
            return .histogram(Histogram(min: h.min, max: h.max, count: h.num, sum: h.sum, sumOfSquares: h.sum_squares,
                                        bucketLimits: Array(UnsafeBufferPointer(start: h.bucket_limit, count: h.n_bucket_limit)),
                                        bucketCounts: Array(UnsafeBufferPointer(start: h.bucket, count: h.n_bucket))))
        case TENSORFLOW__SUMMARY__VALUE__VALUE_IMAGE:
            guard let image = value.image?.pointee else { return .other }
            return .image(SummaryImage(height: Int(image.height), width: Int(image.width), colorspace: Int(image.colorspace),
                                       encoded: bytes(image.encoded_image_string)))
        default:
            return .other
        }
    }

    private static func bytes(_ data: ProtobufCBinaryData) -> [UInt8] {
        guard let pointer = data.data, data.len > 0 else { return [] }
        return Array(UnsafeBufferPointer(start: pointer, count: data.len))
    }

    /// Every event of the event file at `path` (our tests' reader; TensorBoard reads the same files).
    ///
    /// - Throws: `FileFormatError` for a truncated record, a checksum mismatch or a record that is
    ///   not an `Event`; `TensorGraphError.fileError` for a missing file.
    public static func readAll(_ path: String) throws -> [SummaryEvent] {
        try TFRecord.read(path).enumerated().map { try SummaryEvent(serialized: $1, path: path, record: $0) }
    }
}

private extension ProtoArena {
    /// A copy of `bytes` as protobuf-c binary data (empty arrays included).
    func binary(_ bytes: [UInt8]) -> ProtobufCBinaryData {
        let pointer = allocate(UInt8.self, count: bytes.count)
        pointer.update(from: bytes, count: bytes.count)
        return ProtobufCBinaryData(len: bytes.count, data: pointer)
    }
}
