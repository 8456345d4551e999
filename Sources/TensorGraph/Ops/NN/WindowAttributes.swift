/// The attributes of Conv2D and its two backprop ops (and the window part of `_FusedConv2D`), as TF
/// declares them. TensorGraph runs NHWC, SAME/VALID and dilation 1: other values are declared (so
/// TF's graphs decode) and rejected by `validate` with the attribute's name.
public struct ConvolutionAttributes: OpAttributes {
    /// TF attribute `T`: the element type (float or double here).
    public var T: DType = .float
    /// TF attribute `strides`: the filter's step per input dimension, `[1, sy, sx, 1]` in NHWC.
    public var strides: [Int] = []
    /// TF attribute `use_cudnn_on_gpu`: a GPU hint; kept so graphs round-trip, never read.
    public var useCudnnOnGPU = true
    /// TF attribute `padding`: `SAME` (output size ⌈in / stride⌉) or `VALID` (no padding); `EXPLICIT` is rejected.
    public var padding = "VALID"
    /// TF attribute `explicit_paddings`: per-dimension (before, after) padding for `EXPLICIT`; unused here.
    public var explicitPaddings: [Int] = []
    /// TF attribute `data_format`: the input layout; only `NHWC` is supported.
    public var dataFormat = "NHWC"
    /// TF attribute `dilations`: the filter's dilation per input dimension; only all ones is supported.
    public var dilations = [1, 1, 1, 1]
    public static let defaults = ConvolutionAttributes()
    public static let fields: [AttrField<ConvolutionAttributes>] = [
        .type("T", \.T, oneOf: .floats), .ints("strides", \.strides, required: true), .bool("use_cudnn_on_gpu", \.useCudnnOnGPU),
        .string("padding", \.padding, oneOf: ["SAME", "VALID", "EXPLICIT"], required: true),
        .ints("explicit_paddings", \.explicitPaddings), .string("data_format", \.dataFormat, oneOf: ["NHWC", "NCHW"]),
        .ints("dilations", \.dilations),
    ]
    public func validate() throws(AttributeError) {
        try WindowAttributes.check(strides: strides, padding: padding, dataFormat: dataFormat)
        guard dilations.count == 4, dilations.allSatisfy({ $0 == 1 }) else { throw AttributeError("dilations", "only dilations of 1 are supported, got \(dilations)") }
    }
    /// Strides and padding as the kernels use them (valid after `validate`).
    var window: WindowAttributes { WindowAttributes(strides: (strides[1], strides[2]), padding: Padding(rawValue: padding) ?? .valid, kernel: nil) }
}

/// The attributes of the pooling ops: `ksize`, `strides`, `padding`, `data_format` and `T`, plus
/// `explicit_paddings` on MaxPool and MaxPoolGrad (`Explicit` is their `HasExplicitPaddings`).
public struct PoolingAttributes<Variant: PoolingVariant>: OpAttributes {
    /// TF attribute `ksize`: the window size `[1, kh, kw, 1]` in NHWC.
    public var ksize: [Int] = []
    /// TF attribute `strides`: the window step `[1, sy, sx, 1]` in NHWC.
    public var strides: [Int] = []
    /// TF attribute `padding`: `SAME` (output size ⌈in / stride⌉) or `VALID` (windows inside the input); `EXPLICIT` is
    /// rejected.
    public var padding = "VALID"
    /// TF attribute `explicit_paddings` (MaxPool and MaxPoolGrad only): padding for `EXPLICIT`; unused here.
    public var explicitPaddings: [Int] = []
    /// TF attribute `data_format`: the input layout; only `NHWC` is supported.
    public var dataFormat = "NHWC"
    /// TF attribute `T`: the element type (float or double here).
    public var T: DType = .float
    public static var defaults: Self { Self() }
    public static var fields: [AttrField<Self>] {
        var list: [AttrField<Self>] = [
            .ints("ksize", \.ksize, required: true), .ints("strides", \.strides, required: true),
            .string("padding", \.padding, oneOf: Variant.hasExplicitPaddings ? ["SAME", "VALID", "EXPLICIT"] : ["SAME", "VALID"], required: true),
        ]
        if Variant.hasExplicitPaddings { list.append(.ints("explicit_paddings", \.explicitPaddings)) }
        list.append(.string("data_format", \.dataFormat, oneOf: Variant.dataFormats))
        list.append(.type("T", \.T, oneOf: .floats, required: !Variant.defaultsToFloat))
        return list
    }
    public func validate() throws(AttributeError) {
        try WindowAttributes.check(strides: strides, padding: padding, dataFormat: dataFormat)
        guard ksize.count == 4, ksize[0] == 1, ksize[3] == 1, ksize[1] > 0, ksize[2] > 0 else {
            throw AttributeError("ksize", "must be [1, kh, kw, 1] with positive kh, kw; got \(ksize)")
        }
    }
    var window: WindowAttributes {
        WindowAttributes(strides: (strides[1], strides[2]), padding: Padding(rawValue: padding) ?? .valid, kernel: (ksize[1], ksize[2]))
    }
    /// The attributes for a window (builders).
    init(ksize: (Int, Int), strides: (Int, Int), padding: Padding) {
        self.ksize = [1, ksize.0, ksize.1, 1]
        self.strides = [1, strides.0, strides.1, 1]
        self.padding = padding.rawValue
    }
    init() {}
}

/// What differs between the pooling ops' attribute lists in TF.
public protocol PoolingVariant {
    static var hasExplicitPaddings: Bool { get }
    static var dataFormats: [String] { get }
    static var defaultsToFloat: Bool { get }
}
/// MaxPool: explicit paddings, `NCHW_VECT_C` allowed, `T = DT_FLOAT`.
public enum MaxPoolVariant: PoolingVariant {
    /// MaxPool declares `explicit_paddings`, also accepts `NCHW_VECT_C`, and defaults `T` to float.
    public static let hasExplicitPaddings = true, dataFormats = ["NHWC", "NCHW", "NCHW_VECT_C"], defaultsToFloat = true
}
/// MaxPoolGrad: explicit paddings, `T = DT_FLOAT`.
public enum MaxPoolGradVariant: PoolingVariant {
    /// MaxPoolGrad declares `explicit_paddings` and defaults `T` to float.
    public static let hasExplicitPaddings = true, dataFormats = ["NHWC", "NCHW"], defaultsToFloat = true
}
/// AvgPool and AvgPoolGrad: SAME/VALID only, `T` required.
public enum AvgPoolVariant: PoolingVariant {
    /// AvgPool and AvgPoolGrad have no `explicit_paddings`, and `T` has no default.
    public static let hasExplicitPaddings = false, dataFormats = ["NHWC", "NCHW"], defaultsToFloat = false
}

/// Strides, padding and (for pools) window size of a node, as the kernels use them.
struct WindowAttributes {
    let strides: (Int, Int)
    let padding: Padding
    let kernel: (Int, Int)?

    /// The checks every window op shares (after the allowed-value checks of the schema).
    static func check(strides: [Int], padding: String, dataFormat: String) throws(AttributeError) {
        guard strides.count == 4, strides[0] == 1, strides[3] == 1, strides[1] > 0, strides[2] > 0 else {
            throw AttributeError("strides", "must be [1, sy, sx, 1] with positive sy, sx; got \(strides)")
        }
        // TensorFlow reads strides as int32 and rejects larger values at import; so do we.
        guard strides.allSatisfy({ Int32(exactly: $0) != nil }) else {
            throw AttributeError("strides", "\(strides) has a value out of range for an int32")
        }
        guard padding != "EXPLICIT" else { throw AttributeError("padding", "EXPLICIT padding is not supported (SAME or VALID)") }
        guard dataFormat == "NHWC" else { throw AttributeError("data_format", "only NHWC is supported, got \(dataFormat)") }
    }

    /// Output spatial size for a possibly unknown input size.
    func outputSize(_ n: Int?, kernel k: Int?, stride s: Int) -> Int? {
        guard let n else { return nil }
        switch padding {
        // ceil(n / s) written so that a stride near Int.max cannot overflow (n + s - 1 would).
        case .same: return n == 0 ? 0 : (n - 1) / s + 1
        case .valid:
            guard let k else { return nil }
            return n >= k ? (n - k) / s + 1 : nil
        }
    }

    /// Output shape [N, OH, OW, channels] for an NHWC input shape; throws when the window does not fit.
    func outputShape(input: TensorShape, kernel: (Int?, Int?), channels: Int?, fail: (String) -> TensorGraphError) throws -> TensorShape {
        guard let dims = input.dims else { return TensorShape([nil, nil, nil, channels]) }
        guard dims.count == 4 else { throw fail("input must be rank 4 (NHWC), got \(input)") }
        if padding == .valid, let h = dims[1], let w = dims[2], let kh = kernel.0, let kw = kernel.1, h < kh || w < kw {
            throw fail("window \(kh)x\(kw) is larger than the \(h)x\(w) input with VALID padding")
        }
        return TensorShape([dims[0], outputSize(dims[1], kernel: kernel.0, stride: strides.0),
                            outputSize(dims[2], kernel: kernel.1, stride: strides.1), channels])
    }

    /// Output spec of a pooling op (MaxPool, AvgPool): window from `ksize`, channels kept.
    static func poolOutputs(_ ctx: InferenceContext, _ w: WindowAttributes) throws -> [TensorSpec] {
        let shape = try w.outputShape(input: ctx.inputs[0].shape, kernel: (w.kernel?.0, w.kernel?.1),
                                      channels: ctx.inputs[0].shape.dims?.last ?? nil, fail: ctx.error)
        return [TensorSpec(ctx.inputs[0].dtype, shape)]
    }
}

extension KernelContext {
    /// A pooling op's window geometry over `x` and its output shape [N, OH, OW, C], cached across runs
    /// while `x`'s shape stays the same.
    func pooledGeometry(of x: Tensor, _ w: WindowAttributes) throws -> (WindowGeometry, [Int]) {
        try derived { () throws -> (WindowGeometry, [Int]) in
            let g = try geometry(input: x.shape, kernel: w.kernel ?? (1, 1), w)
            return (g, [g.batch, g.outHeight, g.outWidth, g.channels])
        }
    }

    /// The geometry for an input shape, or an error naming the shapes.
    func geometry(input: [Int], kernel: (Int, Int), _ window: WindowAttributes) throws -> WindowGeometry {
        guard let g = WindowGeometry(input: input, kernel: kernel, strides: window.strides, padding: window.padding) else {
            throw error("window \(kernel) does not fit input \(input) with \(window.padding.rawValue) padding")
        }
        return g
    }
}
