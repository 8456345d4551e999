import Foundation
import XCTest
@testable import TensorGraph

/// Found by Tools/hostile-table.py: `graphrun run` on a 2 MB IDX gzip bomb (2·10^9 uint8 values, under the
/// 4 GiB default limit) peaked at 16 GB printing its output, because `Tensor.description` copied every
/// element to a `[Double]` to show at most a few hundred. It now reads only the elements it shows.
final class TensorDescriptionMemoryTests: XCTestCase {
    /// The process's peak resident set, in bytes (`VmHWM` in /proc/self/status, in kB).
    func peakRSS() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
              let kB = line.split(separator: " ").dropFirst().first.flatMap({ Int($0) }) else { return 0 }
        return kB * 1024
    }

    /// The current resident set, in bytes (`/proc/self/statm`, second field, in pages).
    func currentRSS() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8),
              let pages = text.split(separator: " ").dropFirst().first.flatMap({ Int($0) }) else { return 0 }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    func testDescribingALargeTensorDoesNotCopyIt() {
        // 96 Mi uint8 zeros: calloc'd pages stay untouched; as doubles they were 768 MiB.
        let big = Tensor(zeros: .uint8, shape: [96 << 20])
        let before = max(peakRSS(), currentRSS())
        let text = big.description
        XCTAssertEqual(text, "[0, 0, 0, ..., 0, 0, 0]")
        XCTAssertLessThan(peakRSS() - before, 256 << 20, "describing the tensor raised the peak RSS by \(peakRSS() - before) bytes")
    }

    func testDescriptionsOfEveryDTypeAreUnchanged() {
        XCTAssertEqual(Tensor(shape: [2, 2], scalars: [Float(1), 2.5, -3, 1e7]).description, "[[1.0, 2.5],\n [-3.0, 1e+07]]")
        XCTAssertEqual(Tensor(shape: [3], scalars: [0.5, 2.0, 3.25]).description, "[0.5, 2.0, 3.25]")
        XCTAssertEqual(Tensor(shape: [2], scalars: [Int32(-7), 8]).description, "[-7, 8]")
        XCTAssertEqual(Tensor(shape: [2], scalars: [Int64(1) << 40, -1]).description, "[1099511627776, -1]")
        XCTAssertEqual(Tensor(shape: [10], scalars: (0..<10).map { UInt8($0) }).description, "[0, 1, 2, ..., 7, 8, 9]")
        XCTAssertEqual(Tensor(shape: [2], scalars: [true, false]).description, "[True, False]")
        XCTAssertEqual(Tensor(Float(4)).description, "4.0")
        XCTAssertEqual(Tensor(shape: [0], scalars: [Float]()).description, "[]")
    }
}
