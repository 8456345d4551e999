/// `tf.layers`-style builders: each creates its variables under a unique name scope with
/// TensorFlow's names (`dense/kernel`, `conv2d/bias`, `embedding/embeddings`) and Keras's
/// default initializers (Glorot uniform kernels, zero biases), and records itself for `summary()`.

/// The activation applied at the end of a layer.
public enum Activation: Sendable {
    /// `linear` is the identity; the others apply that op (`softmax` over the last axis).
    case linear, relu, tanh, sigmoid, softmax

    func apply(_ x: Output, in graph: Graph) throws -> Output {
        switch self {
        case .linear: return x
        case .relu: return try graph.relu(x)
        case .tanh: return try graph.tanh(x)
        case .sigmoid: return try graph.sigmoid(x)
        case .softmax: return try graph.softmax(x)
        }
    }
}

/// One layer as `summary()` prints it.
public struct LayerRecord: Sendable {
    /// The layer's unique scope name, e.g. `dense_1`.
    public let name: String
    /// The Keras class name, e.g. `Dense`, `Conv2D`, `Flatten`.
    public let kind: String
    /// The layer output's static shape (`?` prints as `None`, as in Keras).
    public let outputShape: TensorShape
    /// Element count of the layer's variables, trainable or not (0 for variables of unknown shape).
    public let parameters: Int
    /// How many of `parameters` belong to non-trainable variables (a batch norm's moving statistics).
    public let nonTrainableParameters: Int
}

extension Graph {
    func record(_ name: String, _ kind: String, _ output: Output, _ parameters: [Output] = []) {
        let count = parameters.map { $0.shape.elementCount ?? 0 }.reduce(0, +)
        let frozen = parameters.filter { variable(for: $0)?.isTrainable == false }.map { $0.shape.elementCount ?? 0 }.reduce(0, +)
        layerRecords.append(LayerRecord(name: name, kind: kind, outputShape: output.shape, parameters: count, nonTrainableParameters: frozen))
    }

    /// The scope name the next `withNameScope(base)` will get.
    func layerScope<R>(_ base: String, _ body: (String) throws -> R) rethrows -> R {
        try withNameScope(base) { try body(String(currentScope.dropLast()).split(separator: "/").last.map(String.init) ?? base) }
    }

    /// Fully connected layer: x [N, in] · kernel [in, units] + bias → activation.
    func denseLayer(_ x: Output, units: Int, activation: Activation = .linear, useBias: Bool = true,
                      kernelInitializer: Initializer = .glorotUniform, name: String = "dense",
                      file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        guard let inputs = x.shape.dims?.last ?? nil, x.shape.rank == 2 else {
            throw TensorGraphError.invalidGraph(op: "dense", node: name, message: "input must be [batch, features] with known features, got \(x.shape)",
                                                location: SourceLocation(file: file, line: line))
        }
        return try layerScope(name) { scope in
            let kernel = try variable(name: "kernel", shape: [inputs, units], dtype: x.dtype, initializer: kernelInitializer, file: file, line: line)
            var y = try matMul(x, kernel, file: file, line: line)
            var params = [kernel]
            if useBias {
                let bias = try variable(name: "bias", shape: [units], dtype: x.dtype, initializer: .zeros, file: file, line: line)
                y = try biasAdd(y, bias, file: file, line: line)
                params.append(bias)
            }
            let out = try activation.apply(y, in: self)
            record(scope, "Dense", out, params)
            return out
        }
    }

    /// 2-D convolution layer on NHWC input: kernel [kh, kw, in, filters] + bias → activation.
    func conv2dLayer(_ x: Output, filters: Int, kernelSize: (Int, Int), strides: (Int, Int) = (1, 1), padding: Padding = .valid,
                       activation: Activation = .linear, useBias: Bool = true, name: String = "conv2d",
                       file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        guard x.shape.rank == 4, let channels = x.shape.dims?[3] ?? nil else {
            throw TensorGraphError.invalidGraph(op: "conv2d", node: name, message: "input must be NHWC with known channels, got \(x.shape)",
                                                location: SourceLocation(file: file, line: line))
        }
        return try layerScope(name) { scope in
            let kernel = try variable(name: "kernel", shape: [kernelSize.0, kernelSize.1, channels, filters], dtype: x.dtype, file: file, line: line)
            var y = try conv2D(x, filter: kernel, strides: strides, padding: padding, file: file, line: line)
            var params = [kernel]
            if useBias {
                let bias = try variable(name: "bias", shape: [filters], dtype: x.dtype, initializer: .zeros, file: file, line: line)
                y = try biasAdd(y, bias, file: file, line: line)
                params.append(bias)
            }
            let out = try activation.apply(y, in: self)
            record(scope, "Conv2D", out, params)
            return out
        }
    }

    /// Max pooling layer (strides default to the pool size, as in Keras).
    func maxPooling2dLayer(_ x: Output, poolSize: (Int, Int) = (2, 2), strides: (Int, Int)? = nil, padding: Padding = .valid,
                             name: String = "max_pooling2d", file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try layerScope(name) { scope in
            let out = try maxPool(x, ksize: poolSize, strides: strides ?? poolSize, padding: padding, file: file, line: line)
            record(scope, "MaxPooling2D", out)
            return out
        }
    }

    /// Average pooling layer (strides default to the pool size).
    func averagePooling2dLayer(_ x: Output, poolSize: (Int, Int) = (2, 2), strides: (Int, Int)? = nil, padding: Padding = .valid,
                                 name: String = "average_pooling2d", file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try layerScope(name) { scope in
            let out = try avgPool(x, ksize: poolSize, strides: strides ?? poolSize, padding: padding, file: file, line: line)
            record(scope, "AveragePooling2D", out)
            return out
        }
    }

    /// Flattens all but the first dimension: [N, d1, d2, ...] → [N, d1·d2·...].
    func flattenLayer(_ x: Output, name: String = "flatten", file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        guard let dims = x.shape.dims, dims.count >= 1, dims.dropFirst().allSatisfy({ $0 != nil }) else {
            throw TensorGraphError.invalidGraph(op: "flatten", node: name, message: "needs known non-batch dimensions, got \(x.shape)",
                                                location: SourceLocation(file: file, line: line))
        }
        return try layerScope(name) { scope in
            let out = try reshape(x, to: [-1, dims.dropFirst().reduce(1) { $0 * $1! }], file: file, line: line)
            record(scope, "Flatten", out)
            return out
        }
    }

    /// Dropout: during training (when `training` is fed true) zeroes each element with probability
    /// `rate` and scales the rest by 1/(1 − rate); otherwise the identity.
    ///
    /// Built from TF ops only — RandomUniform, GreaterEqual, Cast, Mul, RealDiv — with the effective
    /// rate `rate · cast(training)`, so no control flow is needed and inference leaves x unchanged.
    func dropoutLayer(_ x: Output, rate: Double, training: Output, seed: Int? = nil, name: String = "dropout",
                        file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        guard (0..<1).contains(rate) else {
            throw TensorGraphError.invalidGraph(op: "dropout", node: name, message: "rate must be in [0, 1), got \(rate)",
                                                location: SourceLocation(file: file, line: line))
        }
        return try layerScope(name) { scope in
            let effective = try cast(training, to: x.dtype) * constant(rate, like: x)
            let uniform = try randomUniform(shape: shape(of: x), dtype: x.dtype, seed: seed, file: file, line: line)
            let keep = try cast(greaterEqual(uniform, effective), to: x.dtype)
            let out = try x * keep / (constant(1.0, like: x) - effective)
            record(scope, "Dropout", out)
            return out
        }
    }

    /// Embedding lookup: integer ids [...] → [..., outputDim] rows of `embeddings` [inputDim, outputDim]
    /// (Keras default initializer: uniform in [−0.05, 0.05]).
    func embeddingLayer(_ ids: Output, inputDim: Int, outputDim: Int, name: String = "embedding",
                          file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try layerScope(name) { scope in
            let table = try variable(name: "embeddings", shape: [inputDim, outputDim], initializer: .randomUniform(min: -0.05, max: 0.05),
                                     file: file, line: line)
            let out = try gather(table, indices: ids, file: file, line: line)
            record(scope, "Embedding", out, [table])
            return out
        }
    }

    /// A Keras-style table of the recorded layers: name (type), output shape, parameter count, totals.
    public func summary(title: String = "model") -> String {
        func shape(_ s: TensorShape) -> String { s.description.replacingOccurrences(of: "?", with: "None") }
        let rows = layerRecords.map { ("\($0.name) (\($0.kind))", shape($0.outputShape), String($0.parameters)) }
        let w0 = Swift.max(28, (rows.map(\.0.count).max() ?? 0) + 2), w1 = Swift.max(26, (rows.map(\.1.count).max() ?? 0) + 2)
        func pad(_ s: String, _ w: Int) -> String { s + String(repeating: " ", count: Swift.max(w - s.count, 1)) }
        let rule = String(repeating: "=", count: w0 + w1 + 10)
        var out = "Model: \"\(title)\"\n" + pad("Layer (type)", w0) + pad("Output Shape", w1) + "Param #\n" + rule + "\n"
        for r in rows { out += pad(r.0, w0) + pad(r.1, w1) + r.2 + "\n" }
        // Like Keras, count the layers' weights; optimizer slots and counters are listed apart.
        let total = layerRecords.map(\.parameters).reduce(0, +), frozen = layerRecords.map(\.nonTrainableParameters).reduce(0, +)
        let everything = globalVariables.map { $0.shape.elementCount ?? 0 }.reduce(0, +)
        out += rule + "\nTotal params: \(total)\nTrainable params: \(total - frozen)\nNon-trainable params: \(frozen)\n"
        if everything > total { out += "Other variables (optimizer slots, counters): \(everything - total) values\n" }
        return out
    }
}

/// The `tf.layers`-style builders, reached as `g.layers.dense(...)`: a layer creates variables under a
/// name scope and records itself for `summary()`, so it is kept apart from the ops it builds
/// (`g.layers.conv2d` the layer, `g.conv2D` the op).
public struct Layers {
    /// The graph the layers are added to.
    public let graph: Graph

    /// Fully connected layer: x [N, in] · kernel [in, units] + bias → activation (`dense/kernel`, `dense/bias`).
    public func dense(_ x: Output, units: Int, activation: Activation = .linear, useBias: Bool = true,
                      kernelInitializer: Initializer = .glorotUniform, name: String = "dense",
                      file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try graph.denseLayer(x, units: units, activation: activation, useBias: useBias, kernelInitializer: kernelInitializer,
                             name: name, file: file, line: line)
    }

    /// 2-D convolution layer on NHWC input: kernel [kh, kw, in, filters] + bias → activation.
    public func conv2d(_ x: Output, filters: Int, kernelSize: (Int, Int), strides: (Int, Int) = (1, 1), padding: Padding = .valid,
                       activation: Activation = .linear, useBias: Bool = true, name: String = "conv2d",
                       file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try graph.conv2dLayer(x, filters: filters, kernelSize: kernelSize, strides: strides, padding: padding, activation: activation,
                              useBias: useBias, name: name, file: file, line: line)
    }

    /// Max pooling layer (strides default to the pool size, as in Keras).
    public func maxPooling2d(_ x: Output, poolSize: (Int, Int) = (2, 2), strides: (Int, Int)? = nil, padding: Padding = .valid,
                             name: String = "max_pooling2d", file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try graph.maxPooling2dLayer(x, poolSize: poolSize, strides: strides, padding: padding, name: name, file: file, line: line)
    }

    /// Average pooling layer (strides default to the pool size).
    public func averagePooling2d(_ x: Output, poolSize: (Int, Int) = (2, 2), strides: (Int, Int)? = nil, padding: Padding = .valid,
                                 name: String = "average_pooling2d", file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try graph.averagePooling2dLayer(x, poolSize: poolSize, strides: strides, padding: padding, name: name, file: file, line: line)
    }

    /// Flattens all but the first dimension: [N, d1, d2, ...] → [N, d1·d2·...].
    public func flatten(_ x: Output, name: String = "flatten", file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try graph.flattenLayer(x, name: name, file: file, line: line)
    }

    /// Dropout: zeroes each element with probability `rate` and scales the rest by 1/(1 − rate) when
    /// `training` is true; the identity otherwise.
    public func dropout(_ x: Output, rate: Double, training: Output, seed: Int? = nil, name: String = "dropout",
                        file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try graph.dropoutLayer(x, rate: rate, training: training, seed: seed, name: name, file: file, line: line)
    }

    /// Embedding lookup: ids [...] → [..., outputDim] from a trainable table [inputDim, outputDim].
    public func embedding(_ ids: Output, inputDim: Int, outputDim: Int, name: String = "embedding",
                          file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try graph.embeddingLayer(ids, inputDim: inputDim, outputDim: outputDim, name: name, file: file, line: line)
    }
}

extension Graph {
    /// The layer builders (`g.layers.dense(x, units: 10)`).
    public var layers: Layers { Layers(graph: self) }
}
