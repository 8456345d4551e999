import CPNG
import Foundation

/// Writes TensorBoard event files (TF1's `tf.summary.FileWriter`): scalars, histograms, images and
/// the graph, for `tensorboard --logdir`.
///
/// The file is `logDirectory/events.out.tfevents.<10-digit unix time>.<host>` (a `.1`, `.2`, ...
/// suffix if that name is taken), a sequence of `TFRecord` frames of `Event` protos, the first of
/// which carries `file_version: "brain.Event:2"` and is written when the writer is made. Later
/// events are queued and written when `maxQueue` are pending, when `flushSeconds` have passed since
/// the last write, on `flush()` and on `close()` (TF1's `max_queue=10`, `flush_secs=120`).
/// After `close()`, adding throws. A writer that is deallocated unclosed flushes and closes.
public final class SummaryWriter {
    /// The directory the event file is in.
    public let logDirectory: String
    /// The event file's path.
    public let path: String
    /// Events queued before they are written.
    public let maxQueue: Int
    /// Seconds after which an add writes the queue.
    public let flushSeconds: Double
    private var descriptor: Int32
    private var queue: [UInt8] = []
    private var queued = 0
    private var lastWrite = Date()

    /// Creates `logDirectory` if needed and starts a new event file in it.
    ///
    /// - Throws: `TensorGraphError.fileError` when the directory or file cannot be created; no file is left then.
    public init(logDirectory: String, maxQueue: Int = 10, flushSeconds: Double = 120) throws {
        self.logDirectory = logDirectory
        self.maxQueue = max(1, maxQueue)
        self.flushSeconds = flushSeconds
        do {
            try FileManager.default.createDirectory(atPath: logDirectory, withIntermediateDirectories: true)
        } catch {
            throw TensorGraphError.fileError(path: logDirectory, message: "cannot create the log directory (\(error.localizedDescription))")
        }
        var host = [CChar](repeating: 0, count: 256)
        let hostname = gethostname(&host, host.count - 1) == 0
            ? String(decoding: host.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) : "localhost"
        let base = logDirectory + "/events.out.tfevents." + String(format: "%010lld", Int64(Date().timeIntervalSince1970)) + "." + hostname
        var candidate = base, attempt = 0
        var fd = open(candidate, O_WRONLY | O_CREAT | O_EXCL | O_APPEND, 0o644)
        while fd < 0 && errno == EEXIST && attempt < 1000 {
            attempt += 1
            candidate = base + ".\(attempt)"
            fd = open(candidate, O_WRONLY | O_CREAT | O_EXCL | O_APPEND, 0o644)
        }
        guard fd >= 0 else { throw TensorGraphError.fileError(path: candidate, message: "cannot create (\(String(cString: strerror(errno))))") }
        path = candidate
        descriptor = fd
        do {
            try add(SummaryEvent(step: 0, content: .fileVersion("brain.Event:2")))
            try flush()
        } catch {
            Foundation.close(fd)
            unlink(candidate)
            descriptor = -1
            throw error
        }
    }

    deinit { try? close() }

    /// True after `close()`.
    public var isClosed: Bool { descriptor < 0 }

    /// Queues `event`; writes the queue when it is full or `flushSeconds` have passed.
    public func add(_ event: SummaryEvent) throws {
        guard !isClosed else { throw TensorGraphError.invalidArgument("SummaryWriter: \(path) is closed") }
        queue.append(contentsOf: TFRecord.frame(event.serialized()))
        queued += 1
        if queued >= maxQueue || Date().timeIntervalSince(lastWrite) >= flushSeconds { try flush() }
    }

    /// Logs `value` under `tag` at `step` (`simple_value`, TensorBoard's scalars dashboard).
    public func addScalar(_ tag: String, _ value: Double, step: Int) throws {
        try add(SummaryEvent(step: Int64(step), content: .summary([SummaryValue(tag: tag, kind: .scalar(Float(value)))])))
    }

    /// Logs the histogram of `values`' elements under `tag` at `step` (TF1's `tf.summary.histogram`).
    ///
    /// - Throws: `invalidArgument` for NaN or infinite elements or a bool tensor.
    public func addHistogram(_ tag: String, _ values: Tensor, step: Int) throws {
        try add(SummaryEvent(step: Int64(step), content: .summary([SummaryValue(tag: tag, kind: .histogram(try Histogram(values)))])))
    }

    /// Logs an image under `tag` at `step`, PNG-encoded (TF1's `tf.summary.image` for one image).
    ///
    /// `image` is `[height, width]` or `[height, width, channels]` with 1, 3 or 4 channels (gray,
    /// RGB, RGBA). `uint8` is stored as is; `float32`/`float64` is scaled as TF's `ImageSummary`:
    /// by `255 / max` when no value is negative, else by `127 / max|v|` around 128.
    public func addImage(_ tag: String, _ image: Tensor, step: Int) throws {
        guard image.rank == 2 || image.rank == 3, image.rank == 2 || [1, 3, 4].contains(image.shape[2]), image.count > 0 else {
            throw TensorGraphError.invalidArgument("SummaryWriter.addImage: '\(tag)' has shape \(image.shape); expected [height, width] or [height, width, 1|3|4]")
        }
        let pixels: [UInt8]
        switch image.dtype {
        case .uint8: pixels = image.scalars(as: UInt8.self)
        case .float, .double: pixels = Self.normalized(image.doubleValues)
        default: throw TensorGraphError.invalidArgument("SummaryWriter.addImage: '\(tag)' is \(image.dtype); expected uint8, float32 or float64")
        }
        let (height, width, channels) = (image.shape[0], image.shape[1], image.rank == 3 ? image.shape[2] : 1)
        let png = try Self.encodePNG(pixels, height: height, width: width, channels: channels, tag: tag)
        let value = SummaryImage(height: height, width: width, colorspace: channels, encoded: png)
        try add(SummaryEvent(step: Int64(step), content: .summary([SummaryValue(tag: tag, kind: .image(value))])))
    }

    /// Logs `graph` as its `GraphDef` for TensorBoard's graph dashboard (`add_graph`).
    public func addGraph(_ graph: Graph, step: Int = 0) throws {
        try add(SummaryEvent(step: Int64(step), content: .graphDef(try graph.graphDef())))
    }

    /// Writes every queued event to the file.
    public func flush() throws {
        guard !isClosed else { return }
        var written = 0
        while written < queue.count {
            let n = queue.withUnsafeBytes { Foundation.write(descriptor, $0.baseAddress! + written, $0.count - written) }
            guard n > 0 else { throw TensorGraphError.fileError(path: path, message: "write failed (\(String(cString: strerror(errno))))") }
            written += n
        }
        queue.removeAll(keepingCapacity: true)
        queued = 0
        lastWrite = Date()
    }

    /// Flushes, syncs to disk and closes the file; later adds throw. Closing twice does nothing.
    public func close() throws {
        guard !isClosed else { return }
        defer {
            Foundation.close(descriptor)
            descriptor = -1
        }
        try flush()
        guard fsync(descriptor) == 0 else { throw TensorGraphError.fileError(path: path, message: "cannot flush to disk (\(String(cString: strerror(errno))))") }
    }

    /// TF's `NormalizeFloatImage`: non-negative images scale so the maximum is 255; others map
    /// `[-m, m]` to `[1, 255]` around 128 with `m = max|v|`; non-finite values become 0.
    static func normalized(_ values: [Double]) -> [UInt8] {
        let finite = values.filter(\.isFinite)
        let low = finite.min() ?? 0, high = finite.max() ?? 0
        let (scale, offset): (Double, Double)
        if low < 0 {
            let m = max(abs(low), abs(high))
            (scale, offset) = (m < 1e-6 ? 0 : 127 / m, 128)
        } else {
            (scale, offset) = (high < 1e-6 ? 0 : 255 / high, 0)
        }
        return values.map { $0.isFinite ? UInt8(clamping: Int(($0 * scale + offset).rounded(.towardZero))) : 0 }
    }

    /// PNG bytes of 8-bit pixels, row-major, `channels` interleaved (libpng's simplified API).
    static func encodePNG(_ pixels: [UInt8], height: Int, width: Int, channels: Int, tag: String) throws -> [UInt8] {
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        image.width = UInt32(width)
        image.height = UInt32(height)
        // PNG_FORMAT_FLAG_COLOR (2) | PNG_FORMAT_FLAG_ALPHA (1); the composed macros do not import into Swift.
        image.format = UInt32([1: 0, 3: 2, 4: 3][channels] ?? 0)
        let stride = Int32(width * channels)
        var size = 0
        guard pixels.withUnsafeBytes({ png_image_write_to_memory(&image, nil, &size, 0, $0.baseAddress, stride, nil) }) != 0 else {
            throw TensorGraphError.invalidArgument("SummaryWriter.addImage: cannot encode '\(tag)' as PNG")
        }
        var buffer = [UInt8](repeating: 0, count: size)
        guard buffer.withUnsafeMutableBytes({ out in pixels.withUnsafeBytes { png_image_write_to_memory(&image, out.baseAddress, &size, 0, $0.baseAddress, stride, nil) } }) != 0 else {
            throw TensorGraphError.invalidArgument("SummaryWriter.addImage: cannot encode '\(tag)' as PNG")
        }
        return Array(buffer.prefix(size))
    }
}
