import Foundation
import TensorGraph

/// Turns a feed source (file or JSON literal) into a tensor that fits a placeholder.
struct FeedLoader {
    let invert: Bool
    /// The most bytes a feed may decode to (`--max-memory`): IDX headers and PNG batches are checked against it.
    var maximumBytes = Int.max

    func load(_ source: String, for target: Output) throws -> Tensor {
        // JSON literals: numbers, nested arrays, and `true`/`false` for bool placeholders.
        if source.hasPrefix("[") || Double(source) != nil || source == "true" || source == "false" {
            return try fromJSON(Data(source.utf8), target: target, path: "--feed")
        }
        var files = source.split(separator: ",").map(String.init)
        var isDirectory: ObjCBool = false
        if files.count == 1, FileManager.default.fileExists(atPath: source, isDirectory: &isDirectory), isDirectory.boolValue {
            files = try FileManager.default.contentsOfDirectory(atPath: source).filter { $0.lowercased().hasSuffix(".png") }.sorted()
                .map { "\(source)/\($0)" }
            guard !files.isEmpty else { throw TensorGraphError.fileError(path: source, message: "folder holds no .png files") }
        }
        if files.allSatisfy({ $0.lowercased().hasSuffix(".png") }) { return try images(files, target: target) }
        guard files.count == 1 else { throw TensorGraphError.invalidArgument("only PNG feeds may list several files") }
        let path = files[0], lower = path.lowercased()
        // A plain .npy or .json is read whole: its size is checked first (IDX checks its header instead).
        if let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int, size > maximumBytes {
            throw TensorGraphError.fileError(path: path, message: "\(size) bytes is over the --max-memory limit of \(maximumBytes) bytes")
        }
        let tensor: Tensor
        if lower.hasSuffix(".npy") {
            tensor = try NPY.read(path)
        } else if lower.hasSuffix(".json") {
            return try fromJSON(Data(readWholeFile(path, limit: maximumBytes)), target: target, path: path)
        } else if lower.contains(".idx") || lower.contains("-ubyte") {
            tensor = try IDX.read(path, maximumBytes: maximumBytes)
        } else {
            throw TensorGraphError.fileError(path: path, message: "unknown feed format (use .npy, .idx[.gz], .json or .png)")
        }
        return try fit(tensor, to: target, path: path)
    }

    /// Converts dtype (uint8 images become floats in [0, 1]) and reshapes [N, 28, 28] ↔ [N, 784] style to fit.
    func fit(_ tensor: Tensor, to target: Output, path: String) throws -> Tensor {
        var t = tensor
        if t.dtype != target.dtype {
            if t.dtype == .uint8 && target.dtype == .float {
                t = Tensor(shape: t.shape, scalars: t.scalars(as: UInt8.self).map { Float($0) / 255 })
            } else if t.dtype == .double && target.dtype == .float {
                t = Tensor(shape: t.shape, scalars: t.scalars(as: Double.self).map(Float.init))
            } else {
                throw TensorGraphError.feedDTypeMismatch(placeholder: target.node.name, expected: target.dtype, got: t.dtype)
            }
        }
        if target.shape.accepts(t.shape) { return t }
        // A placeholder's dimensions may be anything a GraphDef holds ([?, 2^32, 2^32, 2]): their product
        // is checked for overflow, so such a placeholder is a shape mismatch rather than a trap.
        if let dims = target.shape.dims, t.rank >= 1, let perExample = product(t.shape.dropFirst()) {
            let wanted = dims.dropFirst().compactMap { $0 }
            if wanted.count == dims.count - 1, product(wanted) == perExample {
                return t.reshaped(to: [t.shape[0]] + wanted)
            }
        }
        throw TensorGraphError.feedShapeMismatch(placeholder: target.node.name, expected: target.shape, got: t.shape)
    }

    func fromJSON(_ data: Data, target: Output, path: String) throws -> Tensor {
        guard let object = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) else {
            throw TensorGraphError.fileError(path: path, message: "not valid JSON")
        }
        var shape: [Int] = []
        var values: [Double] = []
        func walk(_ value: Any, depth: Int) throws {
            if let array = value as? [Any] {
                if depth == shape.count {
                    // A number already stands at this depth ([1, [2, 3]]): the array is ragged (it trapped
                    // in Tensor(shape:scalars:); found writing the JSON fuzz target, Tools/Fuzz/Findings/json).
                    guard values.isEmpty else { throw TensorGraphError.fileError(path: path, message: "ragged JSON array") }
                    shape.append(array.count)
                } else if shape[depth] != array.count {
                    throw TensorGraphError.fileError(path: path, message: "ragged JSON array")
                }
                for element in array { try walk(element, depth: depth + 1) }
            } else if let flag = value as? Bool, target.dtype == .bool {
                guard depth == shape.count else { throw TensorGraphError.fileError(path: path, message: "ragged JSON array") }
                values.append(flag ? 1 : 0)
            } else if let number = value as? NSNumber {
                guard depth == shape.count else { throw TensorGraphError.fileError(path: path, message: "ragged JSON array") }
                values.append(number.doubleValue)
            } else {
                throw TensorGraphError.fileError(path: path, message: "JSON feeds must be (nested arrays of) numbers")
            }
        }
        try walk(object, depth: 0)
        let tensor: Tensor
        switch target.dtype {
        case .float: tensor = Tensor(shape: shape, scalars: values.map(Float.init))
        case .double: tensor = Tensor(shape: shape, scalars: values)
        case .int32: tensor = Tensor(shape: shape, scalars: try values.map { try integer($0, Int32.self, path: path) })
        case .int64: tensor = Tensor(shape: shape, scalars: try values.map { try integer($0, Int64.self, path: path) })
        case .uint8: tensor = Tensor(shape: shape, scalars: try values.map { try integer($0, UInt8.self, path: path) })
        case .bool: tensor = Tensor(shape: shape, scalars: values.map { $0 != 0 })
        }
        return try fit(tensor, to: target, path: path)
    }

    /// `value` as an integer of type `I`: whole numbers in range only (`1e300`, `2.5`, `-1` for uint8 are
    /// errors naming the value and the type, not traps or silent clamping).
    func integer<I: FixedWidthInteger>(_ value: Double, _ type: I.Type, path: String) throws -> I {
        guard let exact = I(exactly: value) else {
            throw TensorGraphError.fileError(path: path, message: "JSON value \(value) is not a whole number in the range of \(I.self) (\(I.min)...\(I.max))")
        }
        return exact
    }

    /// PNGs as a batch in [0, 1], resized to the placeholder's height and width ([N, H, W, 1] or [N, H·W]).
    func images(_ files: [String], target: Output) throws -> Tensor {
        guard target.dtype == .float, let dims = target.shape.dims, dims.count == 4 || dims.count == 2 else {
            throw TensorGraphError.invalidArgument("PNG feeds need a float placeholder of shape [N, H, W, 1] or [N, H·W], '\(target.node.name)' is \(target.dtype)\(target.shape)")
        }
        let (h, w): (Int, Int)
        if dims.count == 4 {
            guard let hh = dims[1], let ww = dims[2], dims[3] == 1 || dims[3] == nil else {
                throw TensorGraphError.invalidArgument("placeholder '\(target.node.name)' \(target.shape) needs known height and width and 1 channel")
            }
            (h, w) = (hh, ww)
        } else {
            guard let n = dims[1], let side = Optional(Int(Double(n).squareRoot())), side * side == n else {
                throw TensorGraphError.invalidArgument("placeholder '\(target.node.name)' \(target.shape) is not a square image size")
            }
            (h, w) = (side, side)
        }
        // The placeholder's height and width come from the graph: bounded before any buffer is sized by them.
        guard let pixels = product([files.count, h, w]), pixels <= maximumBytes / MemoryLayout<Float>.stride, pixels <= 1 << 31 else {
            throw TensorGraphError.invalidArgument("placeholder '\(target.node.name)' \(target.shape): \(files.count) images of \(h)x\(w) exceed the memory limit")
        }
        var values: [Float] = []
        for file in files {
            let image = try PNG.readGrayscale(file)
            let pixels = image.height == h && image.width == w ? image.pixels
                : PNG.resize(image.pixels, height: image.height, width: image.width, toHeight: h, width: w)
            values += pixels.map { invert ? Float(255 - $0) / 255 : Float($0) / 255 }
        }
        let shape = dims.count == 4 ? [files.count, h, w, 1] : [files.count, h * w]
        return Tensor(shape: shape, scalars: values)
    }
}

/// The product of `dims`, or nil when it overflows `Int`.
func product(_ dims: some Sequence<Int>) -> Int? {
    var result = 1
    for d in dims {
        let (next, overflow) = result.multipliedReportingOverflow(by: d)
        if overflow { return nil }
        result = next
    }
    return result
}
