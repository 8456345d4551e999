import CZlib
import Foundation

/// Reads a whole file, transparently inflating gzip (zlib's gzread passes plain files through).
///
/// `limit` caps the decompressed size so a corrupt or hostile file cannot exhaust memory.
func readPossiblyCompressedFile(_ path: String, limit: Int = 1 << 31) throws -> [UInt8] {
    guard FileManager.default.fileExists(atPath: path) else {
        throw TensorGraphError.fileError(path: path, message: "no such file")
    }
    guard let file = gzopen(path, "rb") else {
        throw TensorGraphError.fileError(path: path, message: "cannot open (\(String(cString: strerror(errno))))")
    }
    defer { gzclose(file) }
    var result: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 1 << 20)
    while true {
        let n = chunk.withUnsafeMutableBytes { gzread(file, $0.baseAddress, UInt32($0.count)) }
        if n < 0 {
            var code: Int32 = 0
            let message = gzerror(file, &code).map { String(cString: $0) } ?? "read error"
            throw TensorGraphError.fileError(path: path, message: "corrupt compressed data (\(message))")
        }
        if n == 0 { break }
        result.append(contentsOf: chunk[0..<Int(n)])
        if result.count > limit { throw TensorGraphError.fileError(path: path, message: "larger than \(limit) bytes") }
    }
    return result
}

/// Writes `bytes` atomically: to a temporary file in the same directory, fsync, then rename.
/// A failure leaves no partial file and the previous file, if any, intact.
public func writeFileAtomically(_ bytes: [UInt8], to path: String) throws {
    let url = URL(fileURLWithPath: path)
    let directory = url.deletingLastPathComponent().path
    let temporary = "\(directory)/.\(url.lastPathComponent).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL, 0o644)
    guard fd >= 0 else {
        throw TensorGraphError.fileError(path: path, message: "cannot create (\(String(cString: strerror(errno))))")
    }
    var ok = false
    defer {
        if !ok { unlink(temporary) }
    }
    var written = 0
    while written < bytes.count {
        let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + written, $0.count - written) }
        if n <= 0 {
            close(fd)
            throw TensorGraphError.fileError(path: path, message: "write failed (\(String(cString: strerror(errno))))")
        }
        written += n
    }
    guard fsync(fd) == 0, close(fd) == 0 else {
        throw TensorGraphError.fileError(path: path, message: "cannot flush to disk (\(String(cString: strerror(errno))))")
    }
    guard rename(temporary, path) == 0 else {
        throw TensorGraphError.fileError(path: path, message: "cannot rename into place (\(String(cString: strerror(errno))))")
    }
    ok = true
}
