import Foundation

/// A histogram summary as TensorFlow builds it (`tensorflow/core/lib/histogram/histogram.cc`), for
/// TensorBoard's histogram and distribution dashboards (`HistogramProto`).
///
/// Buckets use TF's default limits: `-DBL_MAX`, the negatives of `1e-12 · 1.1^k` from the largest
/// below 1e20 up to `-1e-12`, `0`, then `1e-12 · 1.1^k` up to the last below 1e20, and `DBL_MAX`
/// (1551 limits). Bucket `i` counts values `v` with `limit[i-1] <= v < limit[i]`. As TF's
/// `EncodeToProto(preserve_zero_buckets: false)` each run of empty buckets is written as one
/// empty bucket ending at the run's last limit.
public struct Histogram: Equatable, Sendable {
    /// Smallest and largest value, count, sum and sum of squares (`DBL_MAX`/`-DBL_MAX`/0 when empty).
    public var min: Double, max: Double, count: Double, sum: Double, sumOfSquares: Double
    /// Right edges of the stored buckets, increasing (`bucket_limit`).
    public var bucketLimits: [Double]
    /// Values per stored bucket (`bucket`).
    public var bucketCounts: [Double]

    /// TF's default bucket limits, shared by every histogram.
    public static let defaultBucketLimits: [Double] = {
        var positive: [Double] = []
        var v = 1.0e-12
        while v < 1.0e20 {
            positive.append(v)
            v *= 1.1
        }
        positive.append(Double.greatestFiniteMagnitude)
        return positive.reversed().map { -$0 } + [0] + positive
    }()

    /// A histogram of stored fields as read from a file.
    public init(min: Double, max: Double, count: Double, sum: Double, sumOfSquares: Double, bucketLimits: [Double], bucketCounts: [Double]) {
        (self.min, self.max, self.count, self.sum, self.sumOfSquares) = (min, max, count, sum, sumOfSquares)
        (self.bucketLimits, self.bucketCounts) = (bucketLimits, bucketCounts)
    }

    /// The histogram of `values` (TF1's `tf.summary.histogram`).
    ///
    /// - Throws: `TensorGraphError.invalidArgument` for a NaN or infinite value, as TF's
    ///   `HistogramSummary` kernel rejects them.
    public init(_ values: some Sequence<Double>) throws {
        let limits = Self.defaultBucketLimits
        var counts = [Double](repeating: 0, count: limits.count)
        (min, max, count, sum, sumOfSquares) = (Double.greatestFiniteMagnitude, -Double.greatestFiniteMagnitude, 0, 0, 0)
        for value in values {
            guard value.isFinite else { throw TensorGraphError.invalidArgument("Histogram: \(value) in summary histogram (values must be finite)") }
            counts[Self.upperBound(limits, value)] += 1
            min = Swift.min(min, value)
            max = Swift.max(max, value)
            count += 1
            sum += value
            sumOfSquares += value * value
        }
        bucketLimits = []
        bucketCounts = []
        var i = 0
        while i < counts.count {
            var end = limits[i], bucket = counts[i]
            i += 1
            if bucket <= 0 {
                while i < counts.count && counts[i] <= 0 {
                    (end, bucket) = (limits[i], counts[i])
                    i += 1
                }
            }
            bucketLimits.append(end)
            bucketCounts.append(bucket)
        }
    }

    /// The histogram of a numeric tensor's elements (bool is not numeric).
    public init(_ tensor: Tensor) throws {
        guard tensor.dtype != .bool else { throw TensorGraphError.invalidArgument("Histogram: a bool tensor has no histogram") }
        try self.init(tensor.doubleValues)
    }

    /// The index of the first limit greater than `value` (`std::upper_bound`).
    private static func upperBound(_ limits: [Double], _ value: Double) -> Int {
        var low = 0, high = limits.count
        while low < high {
            let middle = (low + high) / 2
            if limits[middle] <= value { low = middle + 1 } else { high = middle }
        }
        return Swift.min(low, limits.count - 1)
    }
}
