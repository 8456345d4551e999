extension OpRegistry {
    /// The Math ops added for graphrun's coverage and training breadth (issues 12 and 13), in this folder.
    nonisolated(unsafe) static let mathFamily: [any Op.Type] = [
    ]
}
