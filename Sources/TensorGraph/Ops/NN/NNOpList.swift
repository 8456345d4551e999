extension OpRegistry {
    /// The NN ops added for graphrun's coverage and training breadth (issues 12 and 13), in this folder.
    nonisolated(unsafe) static let nnFamily: [any Op.Type] = [
    ]
}
