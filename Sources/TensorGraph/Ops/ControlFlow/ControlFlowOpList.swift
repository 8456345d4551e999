extension OpRegistry {
    /// The control-flow family: TF's functional `If`/`While` ops (and their `Stateless` forms), whose
    /// bodies are functions of the graph's library and which plans run as `.subPlan` steps.
    nonisolated(unsafe) static let controlFlowFamily: [any Op.Type] = [StatelessIf.self, If.self, StatelessWhile.self, While.self]
}
