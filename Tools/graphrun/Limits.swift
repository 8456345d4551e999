import Foundation

/// `--max-memory` values: a byte count, optionally with a binary K/M/G/T suffix.
enum MemoryLimit {
    /// Bytes for `512M`, `2G`, `1.5G`, `4096`; nil for anything else (negative, zero, overflowing).
    static func parse(_ text: String) -> Int? {
        var number = text.trimmingCharacters(in: .whitespaces).uppercased()
        if number.hasSuffix("IB") { number.removeLast(2) } else if number.hasSuffix("B") { number.removeLast() }
        let scales: [Character: Double] = ["K": 0x1p10, "M": 0x1p20, "G": 0x1p30, "T": 0x1p40]
        var scale = 1.0
        if let last = number.last, let s = scales[last] {
            scale = s
            number.removeLast()
        }
        guard let value = Double(number), value.isFinite, value > 0, value * scale < 0x1p62 else { return nil }
        return Int(value * scale)
    }

    /// 4 GiB or half the physical memory, whichever is lower: a hostile graph fails long before the
    /// machine runs out of memory, and real models (MNIST, small CNNs) stay far below it.
    static var defaultBytes: Int {
        Swift.min(4 << 30, Int(clamping: ProcessInfo.processInfo.physicalMemory / 2))
    }
}

/// `--timeout`: a backstop for work between the session's deadline checks (loading a huge graph, one long
/// kernel). The session stops a run between steps; if the process is still busy a second past the limit,
/// the watchdog prints the same kind of one-line error and exits with status 1.
enum Watchdog {
    private static let start = DispatchTime.now()

    /// Seconds since the process armed (or first asked about) the watchdog.
    static var elapsedSeconds: Double { Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9 }

    /// Exits the process with status 1 once `seconds` (plus one second of grace) have passed.
    static func arm(seconds: Double) {
        _ = start
        DispatchQueue.global().asyncAfter(deadline: start + seconds + 1) {
            FileHandle.standardError.write(Data("graphrun: error: stopped after the --timeout of \(seconds) s\n".utf8))
            _exit(1)
        }
    }
}
