/// Per-session mutable state: variable values and random generator positions.
final class SessionState {
    let graph: Graph
    var variables: [Int: Tensor] = [:]
    var generators: [Int: RandomGenerator] = [:]
    /// Memory limits of `Session` (`maximumTensorBytes`, `maximumRunBytes`), read by `KernelContext`.
    var maximumTensorBytes = KernelContext.maximumBytes
    var maximumRunBytes = Int.max
    /// Bytes of new buffers allocated since the current run started (reused ones do not count).
    var bytesAllocatedThisRun = 0
    /// When the current run must stop (`DispatchTime` nanoseconds, from `Session.runTimeout`); nil: never.
    var deadline: UInt64?
    init(graph: Graph) { self.graph = graph }
}

/// A small, fast, seeded generator (SplitMix64 seeding xoshiro256**).
public final class RandomGenerator {
    private var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64

    init(seed: UInt64) {
        var x = seed
        func splitMix() -> UInt64 {
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s0 = splitMix(); s1 = splitMix(); s2 = splitMix(); s3 = splitMix()
    }

    @inline(__always) func next() -> UInt64 {
        let result = ((s1 &* 5) << 7 | (s1 &* 5) >> 57) &* 9
        let t = s1 << 17
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3
        s2 ^= t
        s3 = s3 << 45 | s3 >> 19
        return result
    }

    /// Uniform in [0, 1).
    @inline(__always) func nextUnit() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// Standard normal (Box–Muller).
    func nextNormal() -> Double {
        var u = nextUnit()
        while u == 0 { u = nextUnit() }
        let v = nextUnit()
        return (-2 * _log(u)).squareRoot() * _cos(2 * Double.pi * v)
    }
}

import Foundation
@inline(__always) private func _log(_ x: Double) -> Double { Foundation.log(x) }
@inline(__always) private func _cos(_ x: Double) -> Double { Foundation.cos(x) }
