/// Moves blocks of the spatial dimensions into the batch (TF's `SpaceToBatchND`, `tf.space_to_batch_nd`):
/// input [N] + spatial [S1…SM] + rest, `block_shape` [M], `paddings` [M, 2] →
/// [N·∏B] + [(Sk + before_k + after_k) / Bk] + rest.
///
/// As TF defines it: zero-pad the spatial dimensions, split each into (Sk' / Bk, Bk), move the block
/// offsets in front of the batch and flatten them into it, so output batch `b·N + n` holds the
/// positions `o·B + b` of image `n` (`b` the block offset in row-major order). TF's
/// `tf.nn.convolution` computes a dilated convolution (Keras `Conv2D(dilation_rate=2)`) as
/// SpaceToBatchND → Conv2D (VALID) → BatchToSpaceND. Every padded size must divide by its block.
///
/// Gradient (as TF's `_SpaceToBatchNDGrad`): BatchToSpaceND(g, block_shape, paddings).
public enum SpaceToBatchND: Op {
    public static let wireName = "SpaceToBatchND"
    public static let inputs: [ArgDef] = ["input: T", "block_shape: Tblock_shape", "paddings: Tpaddings"]
    public static let outputs: [ArgDef] = ["output: T"]
    /// The attributes of `SpaceToBatchND`, with TensorFlow's names and defaults.
    public struct Attrs: OpAttributes {
        /// TF attribute `T`: the element type of the input and output.
        public var T: DType = .float
        /// TF attribute `Tblock_shape`: the dtype of `block_shape` (int32 or int64; default int32).
        public var Tblock_shape: DType = .int32
        /// TF attribute `Tpaddings`: the dtype of `paddings` (int32 or int64; default int32).
        public var Tpaddings: DType = .int32
        public static let defaults = Attrs()
        public static let fields: [AttrField<Attrs>] = [
            .type("T", \.T), .type("Tblock_shape", \.Tblock_shape, oneOf: .indices, required: false),
            .type("Tpaddings", \.Tpaddings, oneOf: .indices, required: false),
        ]
    }

    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] {
        [TensorSpec(ctx.inputs[0].dtype, try BlockSpace.shape(ctx, toBatch: true))]
    }

    public static func compute(_ ctx: KernelContext) throws {
        let x = ctx.input(0)
        let space = try BlockSpace(ctx, spaceShape: x.shape)
        let out = try ctx.allocateOutput(0, x.dtype, space.batchShape)
        // Padding positions stay zero.
        out.storage.pointer.initializeMemory(as: UInt8.self, repeating: 0, count: out.byteCount)
        space.forEachRun { batchOffset, spaceOffset, bytes in
            (out.storage.pointer + batchOffset).copyMemory(from: x.storage.pointer + spaceOffset, byteCount: bytes)
        }
    }

    public static func gradient(_ ctx: GradientContext) throws -> [Output?] {
        [try ctx.graph.batchToSpaceND(ctx.grad(), blockShape: ctx.input(1), crops: ctx.input(2)), nil, nil]
    }
}

/// Moves blocks of the batch back into the spatial dimensions (TF's `BatchToSpaceND`,
/// `tf.batch_to_space`), the inverse of `SpaceToBatchND`: input [N·∏B] + [S1…SM] + rest,
/// `block_shape` [M], `crops` [M, 2] → [N] + [Sk·Bk − crop_start_k − crop_end_k] + rest.
/// The batch must divide by ∏B and the crops must not exceed Sk·Bk.
///
/// Gradient (as TF's `_BatchToSpaceNDGrad`): SpaceToBatchND(g, block_shape, crops).
public enum BatchToSpaceND: Op {
    public static let wireName = "BatchToSpaceND"
    public static let inputs: [ArgDef] = ["input: T", "block_shape: Tblock_shape", "crops: Tcrops"]
    public static let outputs: [ArgDef] = ["output: T"]
    /// The attributes of `BatchToSpaceND`, with TensorFlow's names and defaults.
    public struct Attrs: OpAttributes {
        /// TF attribute `T`: the element type of the input and output.
        public var T: DType = .float
        /// TF attribute `Tblock_shape`: the dtype of `block_shape` (int32 or int64; default int32).
        public var Tblock_shape: DType = .int32
        /// TF attribute `Tcrops`: the dtype of `crops` (int32 or int64; default int32).
        public var Tcrops: DType = .int32
        public static let defaults = Attrs()
        public static let fields: [AttrField<Attrs>] = [
            .type("T", \.T), .type("Tblock_shape", \.Tblock_shape, oneOf: .indices, required: false),
            .type("Tcrops", \.Tcrops, oneOf: .indices, required: false),
        ]
    }

    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] {
        [TensorSpec(ctx.inputs[0].dtype, try BlockSpace.shape(ctx, toBatch: false))]
    }

    public static func compute(_ ctx: KernelContext) throws {
        let x = ctx.input(0)
        let space = try BlockSpace(ctx, batchShape: x.shape)
        let out = try ctx.allocateOutput(0, x.dtype, space.spaceShape)
        // Every output position has exactly one source; cropped positions of the input are skipped.
        space.forEachRun { batchOffset, spaceOffset, bytes in
            (out.storage.pointer + spaceOffset).copyMemory(from: x.storage.pointer + batchOffset, byteCount: bytes)
        }
    }

    public static func gradient(_ ctx: GradientContext) throws -> [Output?] {
        [try ctx.graph.spaceToBatchND(ctx.grad(), blockShape: ctx.input(1), paddings: ctx.input(2)), nil, nil]
    }
}

/// The correspondence between a space tensor [N] + spatial + rest and its batch tensor
/// [N·∏B] + spatial / B + rest, with `margins` (paddings or crops) [M, 2] before and after.
struct BlockSpace {
    let block: [Int], margins: [Int]
    let spaceShape: [Int], batchShape: [Int]
    let elementBytes: Int

    /// Checks `block_shape` (input 1) and `margins` (input 2) and derives the output shape of either op.
    static func shape(_ ctx: InferenceContext, toBatch: Bool) throws -> TensorShape {
        let input = ctx.inputs[0].shape
        let block = ctx.constantInts(1), margins = ctx.constantInts(2)
        let what = toBatch ? "paddings" : "crops"
        if let blockShape = ctx.inputs[1].shape.dims, blockShape.count != 1 { throw ctx.error("block_shape must be 1-D, got \(ctx.inputs[1].shape)") }
        if let marginShape = ctx.inputs[2].shape.dims, marginShape.count != 2 || marginShape[1].map({ $0 != 2 }) == true {
            throw ctx.error("\(what) must be [M, 2], got \(ctx.inputs[2].shape)")
        }
        guard let block else { return TensorShape(input.dims.map { $0.map { _ in nil } }) }
        let m = block.count
        guard m >= 1, block.allSatisfy({ $0 >= 1 }) else { throw ctx.error("block_shape \(block) must hold at least one size ≥ 1") }
        if let margins, margins.count != 2 * m || margins.contains(where: { $0 < 0 }) {
            throw ctx.error("\(what) \(margins) must be non-negative [\(m), 2] for block_shape \(block)")
        }
        guard let dims = input.dims else { return .unknown }
        guard dims.count >= m + 1 else { throw ctx.error("input \(input) needs rank ≥ \(m + 1) for block_shape \(block)") }
        let blocks = block.reduce(1, *)
        var out = dims
        if toBatch {
            out[0] = dims[0].map { $0 * blocks }
        } else {
            if let n = dims[0], n % blocks != 0 { throw ctx.error("batch \(n) of input \(input) does not divide by the block size \(blocks)") }
            out[0] = dims[0].map { $0 / blocks }
        }
        for k in 0..<m {
            guard let size = dims[k + 1], let margins else { out[k + 1] = nil; continue }
            if toBatch {
                let padded = size + margins[2 * k] + margins[2 * k + 1]
                guard padded % block[k] == 0 else {
                    throw ctx.error("padded spatial dimension \(k + 1) (\(padded)) does not divide by block size \(block[k])")
                }
                out[k + 1] = padded / block[k]
            } else {
                let cropped = size * block[k] - margins[2 * k] - margins[2 * k + 1]
                guard cropped >= 0 else { throw ctx.error("crops \(margins) exceed spatial dimension \(k + 1) (\(size * block[k]))") }
                out[k + 1] = cropped
            }
        }
        return TensorShape(out)
    }

    /// SpaceToBatchND: from the space (input) shape.
    init(_ ctx: KernelContext, spaceShape: [Int]) throws {
        let (block, margins) = try BlockSpace.arguments(ctx, rank: spaceShape.count, what: "paddings")
        var batchShape = spaceShape
        batchShape[0] = spaceShape[0] * block.reduce(1, *)
        for k in block.indices {
            let padded = spaceShape[k + 1] + margins[2 * k] + margins[2 * k + 1]
            guard padded % block[k] == 0 else { throw ctx.error("padded spatial dimension \(k + 1) (\(padded)) does not divide by block size \(block[k])") }
            batchShape[k + 1] = padded / block[k]
        }
        self.init(block: block, margins: margins, spaceShape: spaceShape, batchShape: batchShape, elementBytes: ctx.input(0).dtype.byteCount)
    }

    /// BatchToSpaceND: from the batch (input) shape.
    init(_ ctx: KernelContext, batchShape: [Int]) throws {
        let (block, margins) = try BlockSpace.arguments(ctx, rank: batchShape.count, what: "crops")
        let blocks = block.reduce(1, *)
        guard batchShape[0] % blocks == 0 else { throw ctx.error("batch \(batchShape[0]) does not divide by the block size \(blocks)") }
        var spaceShape = batchShape
        spaceShape[0] = batchShape[0] / blocks
        for k in block.indices {
            let cropped = batchShape[k + 1] * block[k] - margins[2 * k] - margins[2 * k + 1]
            guard cropped >= 0 else { throw ctx.error("crops \(margins) exceed spatial dimension \(k + 1) (\(batchShape[k + 1] * block[k]))") }
            spaceShape[k + 1] = cropped
        }
        self.init(block: block, margins: margins, spaceShape: spaceShape, batchShape: batchShape, elementBytes: ctx.input(0).dtype.byteCount)
    }

    private init(block: [Int], margins: [Int], spaceShape: [Int], batchShape: [Int], elementBytes: Int) {
        self.block = block
        self.margins = margins
        self.spaceShape = spaceShape
        self.batchShape = batchShape
        self.elementBytes = elementBytes
    }

    private static func arguments(_ ctx: KernelContext, rank: Int, what: String) throws -> ([Int], [Int]) {
        guard ctx.input(1).rank == 1, let block = integerValues(ctx.input(1)), !block.isEmpty, block.allSatisfy({ $0 >= 1 }) else {
            throw ctx.error("block_shape must be a 1-D list of sizes ≥ 1")
        }
        guard ctx.input(2).shape == [block.count, 2], let margins = integerValues(ctx.input(2)), margins.allSatisfy({ $0 >= 0 }) else {
            throw ctx.error("\(what) must be non-negative [\(block.count), 2]")
        }
        guard rank >= block.count + 1 else { throw ctx.error("input needs rank ≥ \(block.count + 1) for block_shape \(block)") }
        return (block, margins)
    }

    /// Calls `body(batchByteOffset, spaceByteOffset, byteCount)` for each run of `rest` elements that
    /// has a position in both tensors (padding and cropped positions have none).
    func forEachRun(_ body: (Int, Int, Int) -> Void) {
        let m = block.count, n = spaceShape[0]
        let rest = spaceShape[(m + 1)...].reduce(1, *)
        let run = rest * elementBytes
        guard run > 0, batchShape.allSatisfy({ $0 > 0 }) else { return }
        // Strides of the space tensor's [N, S1, …, SM] in units of runs.
        var strides = [Int](repeating: 1, count: m + 1)
        for k in stride(from: m - 1, through: 0, by: -1) { strides[k] = strides[k + 1] * spaceShape[k + 1] }
        let outer = batchShape[1...m]
        var batchRun = 0
        for b in 0..<batchShape[0] {
            // Batch b = offset·N + image, the block offset in row-major order over block_shape.
            var offset = b / n, within = [Int](repeating: 0, count: m)
            for k in stride(from: m - 1, through: 0, by: -1) { within[k] = offset % block[k]; offset /= block[k] }
            var index = [Int](repeating: 0, count: m)
            for _ in 0..<outer.reduce(1, *) {
                var spaceRun = (b % n) * strides[0], inside = true
                for k in 0..<m {
                    let position = index[k] * block[k] + within[k] - margins[2 * k]
                    if position < 0 || position >= spaceShape[k + 1] { inside = false; break }
                    spaceRun += position * strides[k + 1]
                }
                if inside { body(batchRun * run, spaceRun * run, run) }
                batchRun += 1
                var k = m - 1
                while k >= 0 {
                    index[k] += 1
                    if index[k] < batchShape[k + 1] { break }
                    index[k] = 0
                    k -= 1
                }
            }
        }
    }
}

extension Graph {
    /// `x` with blocks of its spatial dimensions moved into the batch (TF's `tf.space_to_batch_nd`).
    public func spaceToBatchND(_ x: Output, blockShape: Output, paddings: Output, name: String? = nil,
                               file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try addOutput(SpaceToBatchND.self, name: name, [x, blockShape, paddings], attrs: [:], file: file, line: line)
    }

    /// `x` with blocks of its batch moved back into the spatial dimensions (TF's `tf.batch_to_space`).
    public func batchToSpaceND(_ x: Output, blockShape: Output, crops: Output, name: String? = nil,
                               file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try addOutput(BatchToSpaceND.self, name: name, [x, blockShape, crops], attrs: [:], file: file, line: line)
    }

    /// `spaceToBatchND` with constant `blockShape` [M] and `paddings` [[before, after]] × M.
    public func spaceToBatchND(_ x: Output, blockShape: [Int], paddings: [[Int]], name: String? = nil,
                               file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        let block = try constant(Tensor(blockShape.map(Int32.init)), name: "SpaceToBatchND/block_shape", file: file, line: line)
        let p = try constant(Tensor(shape: [paddings.count, 2], scalars: paddings.flatMap { $0.map(Int32.init) }),
                             name: "SpaceToBatchND/paddings", file: file, line: line)
        return try spaceToBatchND(x, blockShape: block, paddings: p, name: name, file: file, line: line)
    }

    /// `batchToSpaceND` with constant `blockShape` [M] and `crops` [[start, end]] × M.
    public func batchToSpaceND(_ x: Output, blockShape: [Int], crops: [[Int]], name: String? = nil,
                               file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        let block = try constant(Tensor(blockShape.map(Int32.init)), name: "BatchToSpaceND/block_shape", file: file, line: line)
        let c = try constant(Tensor(shape: [crops.count, 2], scalars: crops.flatMap { $0.map(Int32.init) }),
                             name: "BatchToSpaceND/crops", file: file, line: line)
        return try batchToSpaceND(x, blockShape: block, crops: c, name: name, file: file, line: line)
    }
}
