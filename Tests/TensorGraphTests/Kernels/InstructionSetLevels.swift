import CKernels

/// Runs `body` with each instruction-set level this CPU has (AVX-512, AVX2+FMA, baseline) forced in turn for
/// TensorGraph's C loops, labelled "level N (name)". Callers reset the level in `tearDown`
/// (`tg_set_isa_level(-1)`: back to the CPU's best, capped by the environment).
func forEachInstructionSetLevel(_ body: (String) throws -> Void) rethrows {
    var seen: [Int32] = []
    for requested in [2, 1, 0] as [Int32] {
        let level = tg_set_isa_level(requested)
        guard !seen.contains(level) else { continue }   // the CPU lacks the requested level
        seen.append(level)
        try body("level \(level) (\(String(cString: tg_kernels_isa())))")
    }
}
