import ArgumentParser
import Foundation
import TensorGraph

// MARK: - bench

/// `graphrun bench`: latency (median, p90) of `session.run` over timed runs after warm-up, and
/// throughput in rows (images) per second. The first dimension of the batch feeds is the row count.
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Time a GraphDef, SavedModel or .meta + checkpoint: median and p90 latency, rows per second.")

    @OptionGroup var options: ModelOptions
    @Option(help: ArgumentHelp("Rows per run: every feed whose placeholder has an unknown first dimension is cut or repeated to N rows (default: as fed).", valueName: "N"))
    var batch: Int?
    @Option(help: "Timed runs (the median and p90 are taken over these).") var runs = 50
    @Option(help: "Untimed runs first (plan building, caches, worker threads).") var warmup = 10
    @Option(help: "Output format: table or json.") var format = "table"

    func validate() throws {
        if let batch { guard batch >= 1 else { throw ValidationError("--batch must be at least 1, got \(batch)") } }
        guard runs >= 1 else { throw ValidationError("--runs must be at least 1, got \(runs)") }
        guard warmup >= 0 else { throw ValidationError("--warmup must not be negative, got \(warmup)") }
        guard ["table", "json"].contains(format) else { throw ValidationError("--format must be table or json, got '\(format)'") }
    }

    func run() throws {
        if let timeout = options.timeout { Watchdog.arm(seconds: timeout) }
        try failing {
            // Without a signature or --fetch, the graph's likely outputs (as `inspect` lists them) are timed.
            let loaded = try options.load { graph in
                let outputs = GraphSummary(graph).outputs
                guard !outputs.isEmpty else { throw TensorGraphError.invalidArgument("nothing to fetch; pass --fetch NAME (see `graphrun inspect`)") }
                return try outputs.map { entry in
                    guard let output = graph.output(named: entry.name) else { throw TensorGraphError.invalidArgument("--fetch: no tensor named '\(entry.name)'") }
                    return (entry.name, output)
                }
            }
            let (feeds, rows) = try batched(loaded.feeds)
            let session = loaded.session
            session.runTimeout = options.timeout.map { Swift.max($0 - Watchdog.elapsedSeconds, 0) }
            let outputs = loaded.fetches.map(\.output)
            for _ in 0..<warmup { _ = try runWithLimits(session, outputs, feeding: feeds, timeout: options.timeout) }
            var seconds: [Double] = []
            seconds.reserveCapacity(runs)
            for _ in 0..<runs {
                let start = DispatchTime.now().uptimeNanoseconds
                _ = try runWithLimits(session, outputs, feeding: feeds, timeout: options.timeout)
                seconds.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
            }
            let report = BenchReport(model: options.model, fetches: loaded.fetches.map(\.name), rows: rows, runs: runs, warmup: warmup,
                                     threads: Parallelism.workers, seconds: seconds)
            print(format == "json" ? try report.json() : report.table())
        }
    }

    /// The feeds with `--batch` applied, and the rows per run (the first batch feed's first dimension; 1 without one).
    func batched(_ feeds: [Output: Tensor]) throws -> ([Output: Tensor], Int) {
        // A feed is a batch when its placeholder leaves the first dimension open ([?, 784]).
        let batchFeeds = feeds.filter { target, value in value.rank >= 1 && target.shape.dims?.first.map { $0 == nil } == true }
        guard let batch else { return (feeds, batchFeeds.sorted { $0.key.name < $1.key.name }.first?.value.shape[0] ?? 1) }
        guard !batchFeeds.isEmpty else {
            throw TensorGraphError.invalidArgument("--batch: no feed has a placeholder with an open first dimension to resize")
        }
        var result = feeds
        for (target, value) in batchFeeds {
            result[target] = try resized(value, rows: batch, name: target.name)
        }
        return (result, batch)
    }

    /// `value` with its rows cut to `rows` or repeated in order until there are `rows`.
    func resized(_ value: Tensor, rows: Int, name: String) throws -> Tensor {
        let have = value.shape[0]
        guard have > 0 else { throw TensorGraphError.invalidArgument("--batch: feed '\(name)' has no rows to repeat") }
        if rows <= have { return value.rows(0..<rows) }
        let rowBytes = value.byteCount / have
        guard let total = product([rows, rowBytes]), total <= options.memoryLimit else {
            throw TensorGraphError.invalidArgument("--batch \(rows): feed '\(name)' would exceed the --max-memory limit of \(options.memoryLimit) bytes")
        }
        let source = value.bytes
        var bytes: [UInt8] = []
        bytes.reserveCapacity(total)
        for row in 0..<rows { bytes += source[(row % have * rowBytes)..<((row % have + 1) * rowBytes)] }
        return try Tensor(dtype: value.dtype, shape: [rows] + value.shape.dropFirst(), bytes: bytes)
    }
}

/// The numbers `bench` prints: latency percentiles in milliseconds, throughput in rows per second.
struct BenchReport {
    let model: String
    let fetches: [String]
    let rows: Int
    let runs: Int
    let warmup: Int
    let threads: Int
    let seconds: [Double]

    /// The `p`-th percentile (0...1) of the sorted run times, linearly interpolated (NumPy's default).
    func percentile(_ p: Double) -> Double {
        let sorted = seconds.sorted()
        let position = p * Double(sorted.count - 1)
        let low = Int(position.rounded(.down)), high = Swift.min(low + 1, sorted.count - 1)
        return sorted[low] + (sorted[high] - sorted[low]) * (position - Double(low))
    }

    var medianMilliseconds: Double { percentile(0.5) * 1000 }
    var p90Milliseconds: Double { percentile(0.9) * 1000 }
    /// Rows per second at the median latency.
    var rowsPerSecond: Double { Double(rows) / percentile(0.5) }

    func table() -> String {
        """
        \(model): fetch \(fetches.joined(separator: ", "))
          batch            \(rows) rows
          runs             \(runs) timed after \(warmup) warm-up
          threads          \(threads)
          latency median   \(String(format: "%.3f", medianMilliseconds)) ms
          latency p90      \(String(format: "%.3f", p90Milliseconds)) ms
          throughput       \(String(format: "%.1f", rowsPerSecond)) rows/s
        """
    }

    func json() throws -> String {
        let object: [String: Any] = [
            "model": model, "fetches": fetches, "batch": rows, "runs": runs, "warmup": warmup, "threads": threads,
            "latency_median_ms": medianMilliseconds, "latency_p90_ms": p90Milliseconds, "rows_per_second": rowsPerSecond,
        ]
        let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self)
    }
}
