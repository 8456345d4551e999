/// The window attributes shared by Conv2D and the pools: `strides`, `padding`, `ksize`,
/// `data_format` (NHWC only), `dilations` (1 only).
struct WindowAttributes {
    let strides: (Int, Int)
    let padding: Padding
    let kernel: (Int, Int)?

    init(_ attrs: Attributes, needsKernel: Bool, fail: (String) -> TensorGraphError) throws {
        guard case .ints(let s)? = attrs["strides"], s.count == 4 else { throw fail("'strides' must be a list of 4 ints") }
        guard s[0] == 1, s[3] == 1, s[1] > 0, s[2] > 0 else { throw fail("strides must be [1, sy, sx, 1] with positive sy, sx; got \(s)") }
        guard case .string(let p)? = attrs["padding"], let padding = Padding(rawValue: p) else {
            throw fail("'padding' must be SAME or VALID")
        }
        if case .string(let format)? = attrs["data_format"], format != "NHWC" {
            throw fail("only data_format NHWC is supported, got \(format)")
        }
        if case .ints(let d)? = attrs["dilations"], d.contains(where: { $0 != 1 }) {
            throw fail("only dilations of 1 are supported, got \(d)")
        }
        strides = (s[1], s[2])
        self.padding = padding
        if needsKernel {
            guard case .ints(let k)? = attrs["ksize"], k.count == 4, k[0] == 1, k[3] == 1, k[1] > 0, k[2] > 0 else {
                throw fail("'ksize' must be [1, kh, kw, 1]")
            }
            kernel = (k[1], k[2])
        } else {
            kernel = nil
        }
    }

    /// Output spatial size for a possibly unknown input size.
    func outputSize(_ n: Int?, kernel k: Int?, stride s: Int) -> Int? {
        guard let n else { return nil }
        switch padding {
        case .same: return (n + s - 1) / s
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

    /// Output spec of a pooling op (MaxPool, AvgPool): one float input, window from `ksize`, channels kept.
    static func poolOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] {
        try ctx.checkInputCount(1)
        try ctx.requireFloat(ctx.inputs[0].dtype)
        let w = try WindowAttributes(ctx.attrs, needsKernel: true, fail: ctx.error)
        let shape = try w.outputShape(input: ctx.inputs[0].shape, kernel: (w.kernel!.0, w.kernel!.1),
                                      channels: ctx.inputs[0].shape.dims?.last ?? nil, fail: ctx.error)
        return [TensorSpec(ctx.inputs[0].dtype, shape)]
    }

    /// The attributes of an existing node (for gradient rules).
    static func of(_ node: Node) throws -> WindowAttributes {
        try WindowAttributes(node.attrs, needsKernel: node.attrs["ksize"] != nil) {
            .invalidGraph(op: node.opName, node: node.name, message: $0, location: node.location)
        }
    }

    static func attributes(strides: (Int, Int), padding: Padding, kernel: (Int, Int)? = nil) -> Attributes {
        var attrs: Attributes = ["strides": .ints([1, strides.0, strides.1, 1]), "padding": .string(padding.rawValue),
                                 "data_format": .string("NHWC")]
        if let kernel { attrs["ksize"] = .ints([1, kernel.0, kernel.1, 1]) }
        return attrs
    }
}

extension KernelContext {
    /// Window attributes of this node (validated at build time, so failure here means a corrupt graph).
    func windowAttributes(needsKernel: Bool) throws -> WindowAttributes {
        try WindowAttributes(node.attrs, needsKernel: needsKernel, fail: error)
    }

    /// A pooling op's window geometry over `x` and its output shape [N, OH, OW, C], cached across runs
    /// while `x`'s shape stays the same.
    func pooledGeometry(of x: Tensor) throws -> (WindowGeometry, [Int]) {
        try derived { () throws -> (WindowGeometry, [Int]) in
            let w = try windowAttributes(needsKernel: true)
            let g = try geometry(input: x.shape, kernel: w.kernel!, w)
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
