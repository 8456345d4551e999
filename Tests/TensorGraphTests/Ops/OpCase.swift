import Foundation
import TestSupport
@testable import TensorGraph

/// One op under test: inputs, how to build it, its plain-loop oracle, which inputs to
/// differentiate, and graphs that shape inference must reject.
struct OpCase {
    let op: String
    var label = ""
    let inputs: [Tensor]
    let build: (Graph, [Output]) throws -> Output
    let reference: ([Tensor]) -> Reference
    /// Inputs to check the gradient for (empty: not differentiable or not checked here).
    var wrt: [Int] = []
    var secondOrder = false
    /// The output shape depends on input values, so inference from placeholders cannot know it.
    var valueDependentShape = false
    /// Finite-difference step (larger for ops that round to float32).
    var epsilon = 1e-6
    /// Also run the kernel in float32 (inputs converted).
    var float32 = true
    /// Graph fragments that must throw at build time, naming the op.
    var invalid: [(Graph) throws -> Output] = []
}

/// Test data source for the table (rebuilt with the same seed each time the table is made).
private final class DataSource: @unchecked Sendable {
    var random = TestRandom(seed: 7)
}
private nonisolated(unsafe) var data = DataSource()

// The helpers the families in Ops/Array, Ops/Math and Ops/NN build their cases with.

/// A float64 tensor of uniform values in [lo, hi) from the table's source.
func r(_ shape: [Int], _ lo: Double = -1, _ hi: Double = 1) -> Tensor { data.random.tensor(shape, lo, hi) }
/// A float64 tensor of values at least 0.05 apart (away from kinks), from the table's source.
func distinct(_ shape: [Int]) -> Tensor { data.random.distinctTensor(shape) }
/// A placeholder, for the graph fragments that shape inference must reject.
func ph(_ g: Graph, _ shape: TensorShape, _ dtype: DType = .float) throws -> Output { try g.placeholder(dtype, shape: shape) }
/// One uniform scalar in [lo, hi) from the same source, for inputs built value by value.
func uniformScalar(_ lo: Double, _ hi: Double) -> Double { data.random.uniform(lo, hi) }

// MARK: - The table

/// The table; built once per test (tests must not share mutable closures).
///
/// The families live next to their ops (Ops/Array, Ops/Math, Ops/NN) but draw their random inputs
/// from the one seeded source above, in this order: reordering them, or the cases inside them,
/// changes the inputs of every later case.
func makeOpCases() -> [OpCase] {
    data = DataSource()
    var cases: [OpCase] = []
    cases += mathElementwiseOpCases()
    cases += mathMatMulAndReductionOpCases()
    cases += nnSoftmaxAndLossOpCases()
    cases += arrayShapeOpCases()
    cases += nnConvolutionAndPoolingOpCases()
    cases += arrayGatherAndRearrangeOpCases()
    cases += mathBreadthOpCases()
    cases += arrayBreadthOpCases()
    cases += nnBreadthOpCases()
    cases += trainingOpCases()
    return cases
}

/// Ops covered by dedicated tests rather than the table, and where.
let opsWithDedicatedTests: [String: String] = [
    "Placeholder": "SessionTests",
    "NoOp": "SessionTests.testGroupRunsAllControlInputs",
    "VariableV2": "VariableTests", "Assign": "VariableTests", "AssignAdd": "VariableTests", "AssignSub": "VariableTests",
    "ApplyGradientDescent": "OptimizerTests", "ApplyMomentum": "OptimizerTests", "ApplyAdam": "OptimizerTests",
    "ApplyRMSProp": "OptimizerTests",
    "TensorListReserve": "V1ControlFlowTests", "TensorListFromTensor": "V1ControlFlowTests", "TensorListGetItem": "V1ControlFlowTests", "TensorListSetItem": "V1ControlFlowTests", "TensorListStack": "V1ControlFlowTests", "TensorListLength": "V1ControlFlowTests", "TensorListElementShape": "V1ControlFlowTests",
    "TensorArrayV3": "V1ControlFlowTests", "TensorArrayWriteV3": "V1ControlFlowTests", "TensorArrayReadV3": "V1ControlFlowTests", "TensorArrayScatterV3": "V1ControlFlowTests", "TensorArrayGatherV3": "V1ControlFlowTests", "TensorArraySplitV3": "V1ControlFlowTests", "TensorArrayConcatV3": "V1ControlFlowTests", "TensorArraySizeV3": "TensorListTests", "TensorArrayCloseV3": "V1ControlFlowTests",
    "StatelessIf": "ControlFlowTests, ControlFlowGradientTests", "If": "ControlFlowTests, ControlFlowGradientTests",
    "StatelessWhile": "ControlFlowTests, ControlFlowGradientTests", "While": "ControlFlowTests, ControlFlowGradientTests",
    "RandomUniform": "RandomOpTests", "RandomStandardNormal": "RandomOpTests", "TruncatedNormal": "RandomOpTests",
]
