/// Nearest-neighbor image resizing, NHWC (TF's `ResizeNearestNeighbor`, TF1's `tf.image.resize_nearest_neighbor`):
/// images [N, H, W, C] and size = [OH, OW] (int32) → [N, OH, OW, C] of the images' dtype.
///
/// Output pixel (y, x) copies source pixel (⌊y·H/OH⌋, ⌊x·W/OW⌋); `align_corners` maps the corner pixels onto
/// each other and rounds (scale (H − 1)/(OH − 1)); `half_pixel_centers` samples at pixel centres,
/// ⌊(y + ½)·H/OH⌋. Both together are rejected, as TF's kernel rejects them. Any image dtype runs (the kernel
/// copies whole pixels).
///
/// Gradient (TF's `_ResizeNearestNeighborGrad`): ResizeNearestNeighborGrad(g, [H, W]) for the images; none for size.
public enum ResizeNearestNeighbor: Op {
    public static let wireName = "ResizeNearestNeighbor"
    public static let inputs: [ArgDef] = ["images: T", "size: int32"]
    public static let outputs: [ArgDef] = ["resized_images: T"]
    public typealias Attrs = ResizeAttributes<ResizeImageTypes>

    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] {
        [TensorSpec(ctx.inputs[0].dtype, try ResizeAttributes<ResizeImageTypes>.resizedShape(ctx))]
    }

    public static func compute(_ ctx: KernelContext) throws {
        let images = ctx.input(0), attrs = ctx.attributes(ResizeNearestNeighbor.self)
        let plan = try ctx.derived(valuesOf: 0b10) { () throws -> NearestResizePlan in
            NearestResizePlan(try ctx.resizeShape(images: images.shape, size: ctx.input(1)), alignCorners: attrs.alignCorners,
                              halfPixelCenters: attrs.halfPixelCenters)
        }
        let out = try ctx.allocateOutput(0, images.dtype, plan.shape.outputShape)
        resizeNearest(images.storage.pointer, plan, elementBytes: images.dtype.byteCount, out.storage.pointer)
    }

    public static func gradient(_ ctx: GradientContext) throws -> [Output?] {
        let graph = ctx.graph, image = ctx.input(0), attrs = ctx.attributes(ResizeNearestNeighbor.self)
        return [try graph.resizeNearestNeighborGrad(ctx.grad(), size: graph.spatialSize(of: image), alignCorners: attrs.alignCorners,
                                                    halfPixelCenters: attrs.halfPixelCenters), nil]
    }
}

/// The gradient of ResizeNearestNeighbor: grads [N, OH, OW, C] and size = [H, W] (the original image's) →
/// [N, H, W, C], each source pixel summing the gradients of the output pixels that copied it.
///
/// TF registers no gradient for it, so differentiating through it is an error.
public enum ResizeNearestNeighborGrad: FloatKernelOp {
    public static let wireName = "ResizeNearestNeighborGrad"
    public static let inputs: [ArgDef] = ["grads: T", "size: int32"]
    public static let outputs: [ArgDef] = ["output: T"]
    /// TF also allows integer and half types; TensorGraph's kernel sums in float or double.
    public typealias Attrs = ResizeAttributes<FloatTypes>
    /// Missing, as in TF: no gradient rule for this gradient op.
    public static var differentiability: Differentiability { .missing }

    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] {
        [TensorSpec(ctx.inputs[0].dtype, try ResizeAttributes<FloatTypes>.resizedShape(ctx))]
    }

    public static func compute<T: FloatScalar>(_ ctx: KernelContext, as _: T.Type) throws {
        let grads = ctx.input(0), attrs = ctx.attributes(ResizeNearestNeighborGrad.self)
        let plan = try ctx.derived(valuesOf: 0b10) { () throws -> NearestResizePlan in
            // The forward resize ran from the original size (input 1) to the gradient's size.
            let resized = try ctx.resizeShape(images: grads.shape, size: ctx.input(1))
            let original = ResizeShape(batch: resized.batch, inHeight: resized.outHeight, inWidth: resized.outWidth,
                                       outHeight: resized.inHeight, outWidth: resized.inWidth, channels: resized.channels)
            return NearestResizePlan(original, alignCorners: attrs.alignCorners, halfPixelCenters: attrs.halfPixelCenters)
        }
        let out = try ctx.allocateOutput(0, grads.dtype, plan.shape.inputShape)
        resizeNearestGradient(grads.pointer(T.self), plan, out.pointer(T.self))
    }
}

/// The attributes of the resize ops and their gradients (`T`, `align_corners`, `half_pixel_centers`), as TF declares them.
public struct ResizeAttributes<Allowed: DTypeSet>: OpAttributes {
    /// TF attribute `T`: the images' element type.
    public var T: DType = .float
    /// TF attribute `align_corners`: the corner pixels of input and output coincide (scale (in − 1)/(out − 1)).
    public var alignCorners = false
    /// TF attribute `half_pixel_centers`: sample at pixel centres (TF2's `tf.image.resize` convention).
    public var halfPixelCenters = false
    public static var defaults: Self { Self() }
    public static var fields: [AttrField<Self>] {
        [.type("T", \.T, oneOf: Allowed.types), .bool("align_corners", \.alignCorners), .bool("half_pixel_centers", \.halfPixelCenters)]
    }
    public func validate() throws(AttributeError) {
        guard !(alignCorners && halfPixelCenters) else {
            throw AttributeError("half_pixel_centers", "cannot be true when align_corners is true")
        }
    }

    /// [N, OH, OW, C] from images (input 0, rank 4) and an int32 [2] size (input 1), as far as known while building.
    static func resizedShape(_ ctx: InferenceContext) throws -> TensorShape {
        let images = ctx.inputs[0].shape, size = ctx.inputs[1].shape
        if let rank = images.rank, rank != 4 { throw ctx.error("images must be rank 4 [N, H, W, C], got \(images)") }
        if let rank = size.rank, rank != 1 { throw ctx.error("size must be a vector [height, width], got shape \(size)") }
        if let count = size.dims?.first ?? nil, count != 2 { throw ctx.error("size must have 2 elements [height, width], got \(count)") }
        if let values = ctx.constantInts(1), values.contains(where: { $0 <= 0 }) {
            throw ctx.error("output dimensions must be positive, got size \(values)")
        }
        let dims = ctx.shapeFromTensor(1).dims
        let (height, width): (Int?, Int?) = dims?.count == 2 ? (dims?[0] ?? nil, dims?[1] ?? nil) : (nil, nil)
        return TensorShape([images.dims?[0] ?? nil, height, width, images.dims?[3] ?? nil])
    }
}

/// The image dtypes the resize kernels take: TF's list without the 8/16-bit integer and half types TensorGraph lacks.
public enum ResizeImageTypes: DTypeSet {
    /// uint8, int32, int64, float and double.
    public static let types: [DType] = [.uint8, .int32, .int64, .float, .double]
}

extension KernelContext {
    /// The sizes of a resize from `images` ([N, H, W, C]) to the int32 `size` [OH, OW], checked as TF's kernels check them.
    func resizeShape(images: [Int], size: Tensor) throws -> ResizeShape {
        guard images.count == 4 else { throw error("images must be rank 4 [N, H, W, C], got \(images)") }
        guard size.rank == 1, size.count == 2, size.dtype == .int32 else { throw error("size must be an int32 vector of 2 elements, got \(size.shape)") }
        let height = size.integer(at: 0), width = size.integer(at: 1)
        guard height > 0, width > 0 else { throw error("output dimensions must be positive, got [\(height), \(width)]") }
        guard images[1] > 0, images[2] > 0 else { throw error("input image must be of non-zero size, got \(images)") }
        guard let count = checkedProduct([images[0], height, width, images[3]]), count <= KernelContext.maximumBytes else {
            throw error("resizing \(images) to [\(height), \(width)] gives too many elements")
        }
        // The per-row and per-column tables are built before the output is allocated (and checked): bound
        // OH·OW by the session's per-tensor limit first, so a size of [2^30, 4] on an empty batch cannot
        // allocate gigabytes of tables (found by Tools/fuzz.sh graphdef, Tools/Fuzz/Findings/graphdef).
        guard let pixels = checkedProduct([height, width, 4]), pixels <= state.maximumTensorBytes else {
            throw error("resizing to [\(height), \(width)] needs more than the session's limit of \(state.maximumTensorBytes) bytes per tensor (Session.maximumTensorBytes)")
        }
        return ResizeShape(batch: images[0], inHeight: images[1], inWidth: images[2], outHeight: height, outWidth: width, channels: images[3])
    }
}

extension Graph {
    /// Nearest-neighbor resize of NHWC `images` to `size` = (height, width) (TF1's `tf.image.resize_nearest_neighbor`).
    public func resizeNearestNeighbor(_ images: Output, size: (Int, Int), alignCorners: Bool = false, halfPixelCenters: Bool = false,
                                      name: String? = nil, file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try resizeNearestNeighbor(images, size: constant(Tensor([Int32(clamping: size.0), Int32(clamping: size.1)]), file: file, line: line),
                                  alignCorners: alignCorners, halfPixelCenters: halfPixelCenters, name: name, file: file, line: line)
    }

    /// Nearest-neighbor resize of NHWC `images` to the int32 [2] tensor `size`.
    public func resizeNearestNeighbor(_ images: Output, size: Output, alignCorners: Bool = false, halfPixelCenters: Bool = false,
                                      name: String? = nil, file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try addOutput(ResizeNearestNeighbor.self, name: name, [images, size],
                      ResizeAttributes(alignCorners: alignCorners, halfPixelCenters: halfPixelCenters), file: file, line: line)
    }

    /// The gradient of a nearest-neighbor resize back to the original `size` [H, W].
    public func resizeNearestNeighborGrad(_ grads: Output, size: Output, alignCorners: Bool = false, halfPixelCenters: Bool = false,
                                          file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try addOutput(ResizeNearestNeighborGrad.self, [grads, size],
                      ResizeAttributes(alignCorners: alignCorners, halfPixelCenters: halfPixelCenters), file: file, line: line)
    }

    /// [H, W] of an NHWC tensor as int32: a constant when known while building, else a slice of its runtime shape.
    func spatialSize(of image: Output) throws -> Output {
        if let dims = image.shape.dims, dims.count == 4, let h = dims[1], let w = dims[2] {
            return try constant(Tensor([Int32(clamping: h), Int32(clamping: w)]))
        }
        return try stridedSlice(shape(of: image), begin: [1], end: [3], strides: [1])
    }
}

extension ResizeAttributes {
    init(alignCorners: Bool, halfPixelCenters: Bool) {
        self.init()
        (self.alignCorners, self.halfPixelCenters) = (alignCorners, halfPixelCenters)
    }
}
