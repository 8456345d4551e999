import Foundation
import TestSupport
@testable import TensorGraph

// The op table's cases for the Math ops of MathOpList.swift; `makeOpCases()` appends them after the
// older families, so adding cases here leaves every earlier case's inputs unchanged.

func mathBreadthOpCases() -> [OpCase] {
    var cases: [OpCase] = []
    return cases
}
