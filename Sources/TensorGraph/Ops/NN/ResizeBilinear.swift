/// Bilinear image resizing, NHWC (TF's `ResizeBilinear`, TF1's `tf.image.resize_bilinear`): images
/// [N, H, W, C] of any image dtype and size = [OH, OW] (int32) → float32 [N, OH, OW, C], as TF always outputs.
///
/// Output pixel (y, x) blends the four source pixels around (y·H/OH, x·W/OW), or around
/// ((y + ½)·H/OH − ½, ...) with `half_pixel_centers`, or with scale (H − 1)/(OH − 1) with `align_corners`;
/// neighbours are clamped to the image. Source positions are computed in float32 as TF computes them;
/// the blend runs in float32 (float64 for float64 images, rounded to float32 at the end).
///
/// Gradient (TF's `_ResizeBilinearGrad`): ResizeBilinearGrad(g, images) for the images; none for size.
public enum ResizeBilinear: Op {
    public static let wireName = "ResizeBilinear"
    public static let inputs: [ArgDef] = ["images: T", "size: int32"]
    public static let outputs: [ArgDef] = ["resized_images: float"]
    public typealias Attrs = ResizeAttributes<ResizeImageTypes>

    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] {
        [TensorSpec(.float, try ResizeAttributes<ResizeImageTypes>.resizedShape(ctx))]
    }

    public static func compute(_ ctx: KernelContext) throws {
        let images = ctx.input(0), attrs = ctx.attributes(ResizeBilinear.self)
        let plan = try ctx.derived(valuesOf: 0b10) { () throws -> BilinearResizePlan in
            BilinearResizePlan(try ctx.resizeShape(images: images.shape, size: ctx.input(1)), alignCorners: attrs.alignCorners,
                               halfPixelCenters: attrs.halfPixelCenters)
        }
        let out = try ctx.allocateOutput(0, .float, plan.shape.outputShape).pointer(Float.self)
        switch images.dtype {
        case .float: resizeBilinear(images.pointer(Float.self), plan, computingIn: Float.self, out)
        case .double: resizeBilinear(images.pointer(Double.self), plan, computingIn: Double.self, out)
        case .uint8: resizeBilinear(images.pointer(UInt8.self), plan, computingIn: Float.self, out)
        case .int32: resizeBilinear(images.pointer(Int32.self), plan, computingIn: Float.self, out)
        case .int64: resizeBilinear(images.pointer(Int64.self), plan, computingIn: Float.self, out)
        case .bool: throw ctx.error("no kernel for dtype \(images.dtype)")
        }
    }

    public static func gradient(_ ctx: GradientContext) throws -> [Output?] {
        let attrs = ctx.attributes(ResizeBilinear.self)
        return [try ctx.graph.resizeBilinearGrad(ctx.grad(), originalImage: ctx.input(0), alignCorners: attrs.alignCorners,
                                                 halfPixelCenters: attrs.halfPixelCenters), nil]
    }
}

/// The gradient of ResizeBilinear: float32 grads [N, OH, OW, C] and the original image [N, H, W, C] →
/// [N, H, W, C] of the image's dtype: each output pixel's gradient goes back to its four source pixels
/// with the forward weights (the adjoint of the blend).
///
/// Not differentiable, as TF declares it.
public enum ResizeBilinearGrad: FloatKernelOp, NonDifferentiableOp {
    public static let wireName = "ResizeBilinearGrad"
    public static let inputs: [ArgDef] = ["grads: float", "original_image: T"]
    public static let outputs: [ArgDef] = ["output: T"]
    /// TF allows float, double, half and bfloat16: float and double here.
    public typealias Attrs = ResizeAttributes<FloatTypes>
    /// Input 1 (`original_image`) picks the element type: `grads` is always float32.
    public static var dispatchInput: Int { 1 }

    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] {
        let grads = ctx.inputs[0].shape, image = ctx.inputs[1].shape
        if let rank = grads.rank, rank != 4 { throw ctx.error("grads must be rank 4 [N, OH, OW, C], got \(grads)") }
        if let rank = image.rank, rank != 4 { throw ctx.error("original_image must be rank 4 [N, H, W, C], got \(image)") }
        for axis in [0, 3] {
            if let a = grads.dims?[axis] ?? nil, let b = image.dims?[axis] ?? nil, a != b {
                throw ctx.error("grads \(grads) and original_image \(image) differ in dimension \(axis)")
            }
        }
        return [TensorSpec(ctx.inputs[1].dtype, image.rank == nil ? TensorShape([nil, nil, nil, nil]) : image)]
    }

    public static func compute<T: FloatScalar>(_ ctx: KernelContext, as _: T.Type) throws {
        let grads = ctx.input(0), image = ctx.input(1), attrs = ctx.attributes(ResizeBilinearGrad.self)
        let plan = try ctx.derived { () throws -> BilinearResizePlan in
            guard grads.rank == 4, image.rank == 4, grads.shape[0] == image.shape[0], grads.shape[3] == image.shape[3] else {
                throw ctx.error("grads \(grads.shape) do not match original_image \(image.shape)")
            }
            guard image.shape[1] > 0, image.shape[2] > 0, grads.shape[1] > 0, grads.shape[2] > 0 else {
                throw ctx.error("grads \(grads.shape) and original_image \(image.shape) must have non-zero height and width")
            }
            let shape = ResizeShape(batch: image.shape[0], inHeight: image.shape[1], inWidth: image.shape[2],
                                    outHeight: grads.shape[1], outWidth: grads.shape[2], channels: image.shape[3])
            return BilinearResizePlan(shape, alignCorners: attrs.alignCorners, halfPixelCenters: attrs.halfPixelCenters)
        }
        let out = try ctx.allocateOutput(0, image.dtype, image.shape)
        resizeBilinearGradient(grads.pointer(Float.self), plan, out.pointer(T.self))
    }
}

extension Graph {
    /// Bilinear resize of NHWC `images` to `size` = (height, width), as float32 (TF1's `tf.image.resize_bilinear`).
    public func resizeBilinear(_ images: Output, size: (Int, Int), alignCorners: Bool = false, halfPixelCenters: Bool = false,
                               name: String? = nil, file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try resizeBilinear(images, size: constant(Tensor([Int32(clamping: size.0), Int32(clamping: size.1)]), file: file, line: line),
                           alignCorners: alignCorners, halfPixelCenters: halfPixelCenters, name: name, file: file, line: line)
    }

    /// Bilinear resize of NHWC `images` to the int32 [2] tensor `size`, as float32.
    public func resizeBilinear(_ images: Output, size: Output, alignCorners: Bool = false, halfPixelCenters: Bool = false,
                               name: String? = nil, file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try addOutput(ResizeBilinear.self, name: name, [images, size],
                      ResizeAttributes(alignCorners: alignCorners, halfPixelCenters: halfPixelCenters), file: file, line: line)
    }

    /// The gradient of a bilinear resize: float32 `grads` back onto `originalImage`'s shape and dtype.
    public func resizeBilinearGrad(_ grads: Output, originalImage: Output, alignCorners: Bool = false, halfPixelCenters: Bool = false,
                                   file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try addOutput(ResizeBilinearGrad.self, [grads, originalImage],
                      ResizeAttributes(alignCorners: alignCorners, halfPixelCenters: halfPixelCenters), file: file, line: line)
    }
}
