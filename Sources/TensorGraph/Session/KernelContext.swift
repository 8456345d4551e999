/// What a kernel sees while it runs: its node, input values, and output slots.
///
/// One context lives per plan step and is reused across runs: an output slot keeps
/// last run's tensor, and `allocateOutput` hands that storage back when nothing
/// else still holds it, so steady-state steps do not allocate.
public final class KernelContext {
    /// The node being computed; kernels read its attributes and name it in errors.
    public let node: Node
    var inputs: [Tensor]
    var outputs: [Tensor]
    /// For each input that is a variable reference, the variable's node id.
    let refVariables: [Int: Int]
    unowned let state: SessionState

    /// Buffers of the plan's dead intermediate values, shared by all its steps.
    unowned let pool: BufferPool

    init(node: Node, refVariables: [Int: Int], state: SessionState, pool: BufferPool) {
        self.node = node
        self.refVariables = refVariables
        self.state = state
        self.pool = pool
        inputs = []
        inputs.reserveCapacity(node.inputs.count)
        outputs = Array(repeating: Tensor.empty, count: node.outputs.count)
    }

    /// Value of data input `i` in declared order; `i` must be below `inputCount` (out of range traps).
    @inline(__always) public func input(_ i: Int) -> Tensor { inputs[i] }
    /// The node's attributes as op `O` declares them.
    public func attributes<O: Op>(_ op: O.Type) -> O.Attrs { node.attributes(op) }
    /// Number of data inputs (list ops such as `AddN` and `ConcatV2` read their length from it).
    public var inputCount: Int { inputs.count }

    /// The largest tensor a kernel may allocate (16 GiB): corrupt shapes fail cleanly instead of exhausting memory.
    static let maximumBytes = 1 << 34

    /// Storage for output `i`, reusing last run's when it has the same dtype and shape and is unshared.
    public func allocateOutput(_ i: Int, _ dtype: DType, _ shape: [Int]) throws -> Tensor {
        var previous = outputs[i]
        outputs[i] = Tensor.empty
        if i == 0, let storage = donor, let count = checkedProduct(shape), storage.byteCount == count * dtype.byteCount {
            // In place: the buffer of an input that dies at this step (see `takeDonor`).
            donor = nil
            inPlaceRuns += 1
            if BufferPool.accepts(&previous) { pool.give(previous.storage) }
            let value = Tensor(dtype: dtype, shape: shape, storage: storage)
            outputs[i] = value
            return value
        }
        if previous.dtype == dtype, previous.shape == shape, !previous.storage.isVariable,
           isKnownUniquelyReferenced(&previous.storage) {
            outputs[i] = previous
            return previous
        }
        guard let count = checkedProduct(shape), count <= KernelContext.maximumBytes / dtype.byteCount else {
            throw error("output shape \(shape) is invalid or too large")
        }
        // A buffer another step's value no longer needs, else a new one (checked against the limits first).
        let fresh: Tensor
        if let storage = pool.take(byteCount: count * dtype.byteCount) {
            fresh = Tensor(dtype: dtype, shape: shape, storage: storage)
        } else {
            try reserve(count * dtype.byteCount, for: "output \(i) (\(dtype) \(shape))")
            fresh = Tensor(uninitialized: dtype, shape: shape)
        }
        outputs[i] = fresh
        return fresh
    }

    /// The storage `allocateOutput` uses for output 0 in this call: the buffer of an input that dies
    /// at this step, handed over by the executor (see `MemoryPlan`).
    var donor: TensorStorage?
    /// Runs in which this step wrote over its input (for tests and diagnostics).
    var inPlaceRuns = 0

    /// Takes input `j`'s buffer (output `o` of `producer`) for this call's output when nothing but this
    /// step still holds it (large values only, like the pool, so steady-state runs still allocate nothing).
    func takeDonor(input j: Int, producer: KernelContext, output o: Int) {
        guard inputs[j].storage.byteCount >= BufferPool.minimumBytes, producer.outputs[o].storage === inputs[j].storage else { return }
        var value = inputs[j]
        inputs[j] = Tensor.empty
        producer.outputs[o] = Tensor.empty
        if BufferPool.accepts(&value) {
            donor = value.storage
            inputs[j] = value
        } else {
            inputs[j] = value
            producer.outputs[o] = value
        }
    }

    /// Hands output `i` to the plan's pool once its last reader has run (liveness), unless something
    /// else still holds its storage (an alias such as Reshape's output, or a tensor returned to the caller).
    func releaseOutput(_ i: Int) {
        // Small values keep their own buffers: pooling them would save little memory and cost time in
        // overhead-bound steps (an MLP step runs in about 50 µs).
        guard outputs[i].storage.byteCount >= BufferPool.minimumBytes else { return }
        var value = outputs[i]
        outputs[i] = Tensor.empty
        if BufferPool.accepts(&value) {
            pool.give(value.storage)
        } else {
            outputs[i] = value
        }
    }

    /// A scratch buffer of at least `count` elements, kept across runs (im2col columns and the like).
    /// Valid only during this kernel call.
    public func scratch<T>(_ type: T.Type, count: Int, slot: Int = 0) throws -> UnsafeMutablePointer<T> {
        guard count >= 0, count <= KernelContext.maximumBytes / MemoryLayout<T>.stride else { throw error("scratch buffer of \(count) elements is too large") }
        let bytes = count * MemoryLayout<T>.stride
        while scratchBuffers.count <= slot { scratchBuffers.append(TensorStorage(byteCount: 0)) }
        if scratchBuffers[slot].byteCount < bytes {
            try reserve(bytes, for: "scratch buffer \(slot)")
            scratchBuffers[slot] = TensorStorage(byteCount: bytes)
        }
        return scratchBuffers[slot].pointer.bindMemory(to: T.self, capacity: Swift.max(count, 1))
    }
    private var scratchBuffers: [TensorStorage] = []

    /// Counts a new buffer of `bytes` against the session's memory limits before it is allocated, so a
    /// hostile graph (a Fill of 16 GiB, a Pad by 2^31) fails with an error naming this node and the size
    /// instead of a failed allocation that kills the process.
    func reserve(_ bytes: Int, for what: String) throws {
        guard bytes <= state.maximumTensorBytes else {
            throw error("\(what) needs \(bytes) bytes, over the session's limit of \(state.maximumTensorBytes) bytes per tensor (Session.maximumTensorBytes)")
        }
        let total = state.bytesAllocatedThisRun.addingReportingOverflow(bytes)
        guard !total.overflow, total.partialValue <= state.maximumRunBytes else {
            throw error("\(what) needs \(bytes) bytes after \(state.bytesAllocatedThisRun) allocated in this run, over the session's limit of \(state.maximumRunBytes) bytes per run (Session.maximumRunBytes)")
        }
        state.bytesAllocatedThisRun = total.partialValue
    }

    /// Something a kernel derives from its inputs' shapes (an output shape, resolved axes, strides),
    /// kept across runs and rebuilt only when those shapes change, or the contents of the small integer
    /// inputs flagged in `valuesOf` (bit `i` for input `i`: a Reshape's shape, a reduction's axes).
    /// Steady-state runs then reuse the arrays instead of allocating new ones. One value per kernel call.
    public func derived<T>(valuesOf mask: Int = 0, _ make: () throws -> T) throws -> T {
        if let cached = derivedValue as? T, derivedKeyMatches(mask) { return cached }
        derivedValue = nil
        let value = try make()
        derivedShapes = inputs.map(\.shape)
        derivedInts = []
        for i in inputs.indices where mask & (1 << i) != 0 {
            guard let values = integerValues(inputs[i]) else { throw error("input \(i) must be int32 or int64") }
            derivedInts.append(values)
        }
        derivedValue = value
        return value
    }
    private var derivedValue: Any?

    /// A kernel's long-lived resources for this step (oneDNN primitives for the current geometry), kept
    /// across runs; the kernel checks they still fit its inputs and replaces them when not.
    var kernelResources: AnyObject?
    private var derivedShapes: [[Int]] = []
    private var derivedInts: [[Int]] = []

    /// Whether the inputs of this call have exactly these shapes (compared without allocating).
    func inputShapesMatch(_ shapes: [[Int]]) -> Bool {
        shapes.count == inputs.count && zip(shapes, inputs).allSatisfy { $0 == $1.shape }
    }

    private func derivedKeyMatches(_ mask: Int) -> Bool {
        guard inputShapesMatch(derivedShapes) else { return false }
        var k = 0
        for i in inputs.indices where mask & (1 << i) != 0 {
            guard k < derivedInts.count, derivedInts[k].count == inputs[i].count else { return false }
            let t = inputs[i]
            switch t.dtype {
            case .int32:
                let p = t.pointer(Int32.self)
                for j in derivedInts[k].indices where derivedInts[k][j] != Int(p[j]) { return false }
            case .int64:
                let p = t.pointer(Int64.self)
                for j in derivedInts[k].indices where derivedInts[k][j] != Int(p[j]) { return false }
            default: return false
            }
            k += 1
        }
        return true
    }

    /// Sets output `i` to an existing tensor (Identity, Reshape and Const share storage).
    public func setOutput(_ i: Int, _ tensor: Tensor) {
        outputs[i] = tensor
        holdsAliases = true
    }

    /// True once an output shares another tensor's storage; the session drops such outputs after
    /// each run so the producer's buffer is unshared, and reusable, on the next one.
    var holdsAliases = false

    /// Forgets outputs that share storage with other tensors.
    func releaseAliases() {
        guard holdsAliases else { return }
        for i in outputs.indices { outputs[i] = Tensor.empty }
        holdsAliases = false
    }

    /// A runtime error naming this node.
    public func error(_ message: String) -> TensorGraphError {
        // Where the user built the node, as build-time errors say it.
        .kernelFailure(op: node.opName, node: node.name, message: node.location.map { "\(message) (built at \($0))" } ?? message)
    }

    // MARK: Variables

    /// The current value of the variable behind ref input `i`, or nil when uninitialized.
    func variableValue(_ i: Int) -> Tensor? { refVariables[i].flatMap { state.variables[$0] } }

    /// Replaces the value of the variable behind ref input `i`, reusing its storage when shapes match.
    @discardableResult
    func assignVariable(_ i: Int, _ value: Tensor) -> Tensor {
        let id = refVariables[i]!
        if let current = state.variables[id], current.dtype == value.dtype, current.shape == value.shape {
            current.storage.pointer.copyMemory(from: value.storage.pointer, byteCount: value.byteCount)
            return current
        }
        let owned = value.copy()
        owned.storage.isVariable = true
        state.variables[id] = owned
        return owned
    }

    /// The variable behind ref input `i`, which must be initialized (for in-place updates).
    func mutableVariable(_ i: Int) throws -> Tensor {
        guard let value = variableValue(i) else {
            throw TensorGraphError.uninitializedVariable(name: state.graph.nodes[refVariables[i]!].name)
        }
        return value
    }

    /// This node's random generator, seeded from its `seed`/`seed2` attributes on first use.
    func randomGenerator() -> RandomGenerator {
        if let existing = state.generators[node.id] { return existing }
        var seed = 0, seed2 = 0
        if let box = node.decodedAttributes as? TypedAttributeBox<RandomAttributes> { (seed, seed2) = (box.value.seed, box.value.seed2) }
        let generator = RandomGenerator(seed: UInt64(bitPattern: Int64(seed)) &* 0x9E37_79B9_7F4A_7C15 ^ UInt64(bitPattern: Int64(seed2)))
        state.generators[node.id] = generator
        return generator
    }
}

extension Tensor {
    /// A shared empty tensor used to clear slots without allocating.
    static let empty = Tensor(zeros: .float, shape: [0])

    /// A shared zero scalar of each dtype (read-only operands of kernels).
    static func zeroScalar(_ dtype: DType) -> Tensor { zeroScalars[dtype]! }
    private static let zeroScalars = Dictionary(uniqueKeysWithValues: DType.allCases.map { ($0, Tensor(zeros: $0, shape: [])) })
}
