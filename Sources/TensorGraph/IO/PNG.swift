import CPNG
import Foundation

/// PNG images as grayscale pixels (libpng), for feeding hand-drawn digits to a model.
public enum PNG {
    /// Decodes a PNG file to 8-bit grayscale: returns (height, width, pixels row-major).
    public static func readGrayscale(_ path: String) throws -> (height: Int, width: Int, pixels: [UInt8]) {
        let data = try readWholeFile(path)
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        let ok = data.withUnsafeBytes { png_image_begin_read_from_memory(&image, $0.baseAddress, $0.count) }
        guard ok != 0 else {
            let message = withUnsafeBytes(of: image.message) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            png_image_free(&image)
            throw TensorGraphError.fileError(path: path, message: "not a readable PNG (\(message))")
        }
        image.format = UInt32(PNG_FORMAT_GRAY)
        let width = Int(image.width), height = Int(image.height)
        guard width > 0, height > 0, width * height <= 1 << 26 else {
            png_image_free(&image)
            throw TensorGraphError.fileError(path: path, message: "image size \(width)x\(height) is not supported")
        }
        var pixels = [UInt8](repeating: 0, count: width * height)
        let finished = pixels.withUnsafeMutableBytes { png_image_finish_read(&image, nil, $0.baseAddress, Int32(width), nil) }
        guard finished != 0 else {
            let message = withUnsafeBytes(of: image.message) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            png_image_free(&image)
            throw TensorGraphError.fileError(path: path, message: "corrupt PNG (\(message))")
        }
        return (height, width, pixels)
    }

    /// Writes 8-bit grayscale pixels as a PNG file (atomically).
    public static func writeGrayscale(_ pixels: [UInt8], height: Int, width: Int, to path: String) throws {
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        image.width = UInt32(width)
        image.height = UInt32(height)
        image.format = UInt32(PNG_FORMAT_GRAY)
        var size = 0
        guard pixels.withUnsafeBytes({ png_image_write_to_memory(&image, nil, &size, 0, $0.baseAddress, Int32(width), nil) }) != 0 else {
            throw TensorGraphError.fileError(path: path, message: "cannot encode PNG")
        }
        var buffer = [UInt8](repeating: 0, count: size)
        guard buffer.withUnsafeMutableBytes({ out in pixels.withUnsafeBytes { png_image_write_to_memory(&image, out.baseAddress, &size, 0, $0.baseAddress, Int32(width), nil) } }) != 0 else {
            throw TensorGraphError.fileError(path: path, message: "cannot encode PNG")
        }
        try writeFileAtomically(Array(buffer.prefix(size)), to: path)
    }

    /// Nearest-neighbour-free box resize (area average) of grayscale pixels.
    public static func resize(_ pixels: [UInt8], height: Int, width: Int, toHeight h: Int, width w: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: h * w)
        for y in 0..<h {
            let y0 = y * height / h, y1 = Swift.max((y + 1) * height / h, y0 + 1)
            for x in 0..<w {
                let x0 = x * width / w, x1 = Swift.max((x + 1) * width / w, x0 + 1)
                var sum = 0
                for yy in y0..<y1 { for xx in x0..<x1 { sum += Int(pixels[yy * width + xx]) } }
                out[y * w + x] = UInt8(sum / ((y1 - y0) * (x1 - x0)))
            }
        }
        return out
    }
}
