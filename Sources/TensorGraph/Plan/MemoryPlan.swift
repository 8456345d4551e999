/// Pass 5 of plan compilation: where each intermediate value dies, and which steps may write in place.
///
/// Computed once per plan as a table the executor walks: after step i runs, the values it read last
/// go to the plan's `BufferPool` for later steps (or the next run) to reuse; an elementwise step whose
/// input dies at that step may write its output over that input's buffer.
struct MemoryPlan {
    /// One output of one step.
    struct StepOutput: Hashable {
        let step: Int
        let output: Int
    }

    /// The values released after step `i` are `releaseSteps[k]`'s output `releaseOutputs[k]` for
    /// k in `releaseStart[i]..<releaseStart[i + 1]` (flat arrays: the executor walks them without allocating).
    let releaseStart: [Int]
    let releaseSteps: [KernelContext]
    let releaseOutputs: [Int]

    init(_ steps: [ExecutionPlan.Step], fetches: [ValueSource]) {
        let releases = MemoryPlan.liveness(steps, fetches: fetches)
        MemoryPlan.markInPlaceSteps(steps, releases: releases)
        var start = [0], contexts: [KernelContext] = [], outputs: [Int] = []
        for list in releases {
            for value in list { contexts.append(steps[value.step].context); outputs.append(value.output) }
            start.append(contexts.count)
        }
        (releaseStart, releaseSteps, releaseOutputs) = (start, contexts, outputs)
    }

    /// Where each intermediate value dies: after the last step that reads it (or right away when nothing
    /// does). Fetched values and shape steps' values (kept across runs) are never released.
    private static func liveness(_ steps: [ExecutionPlan.Step], fetches: [ValueSource]) -> [[StepOutput]] {
        var lastUse: [StepOutput: Int] = [:]   // → the last step that reads it
        var pinned = Set<StepOutput>()
        for source in fetches { if case let .step(s, o) = source { pinned.insert(StepOutput(step: s, output: o)) } }
        for (i, step) in steps.enumerated() {
            for source in step.sources { if case let .step(s, o) = source { lastUse[StepOutput(step: s, output: o)] = i } }
        }
        var releases = Array(repeating: [StepOutput](), count: steps.count)
        for (s, step) in steps.enumerated() where step.kind == .kernel {
            for o in step.node.outputs.indices {
                let value = StepOutput(step: s, output: o)
                if !pinned.contains(value) { releases[lastUse[value] ?? s].append(value) }
            }
        }
        return releases
    }

    /// An elementwise step may write its output over an input whose value dies at that step (no later
    /// reader, not fetched, not a shape value) and that feeds it only once.
    private static func markInPlaceSteps(_ steps: [ExecutionPlan.Step], releases: [[StepOutput]]) {
        for (i, step) in steps.enumerated() where step.node.op.writesElementwise && step.kind == .kernel {
            for (j, source) in step.sources.enumerated() {
                guard case let .step(s, o) = source, releases[i].contains(StepOutput(step: s, output: o)),
                      steps[s].kind == .kernel, step.sources.filter({ $0 == source }).count == 1 else { continue }
                step.donorCandidate = (j, steps[s].context, o)
                break
            }
        }
    }
}
