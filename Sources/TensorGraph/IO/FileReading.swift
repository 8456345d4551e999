import CZlib
import Foundation

/// A file read through zlib's `gzread`, which inflates gzip and passes plain files through.
final class PossiblyCompressedFile {
    let path: String
    private let file: gzFile

    /// Opens `path`; throws `fileError` when it is missing or cannot be opened.
    init(_ path: String) throws {
        // gzopen on a FIFO or a device would block or read forever: the descriptor is checked first.
        let (fd, _) = try openRegularFile(path)
        guard let file = gzdopen(fd, "rb") else {
            close(fd)
            throw TensorGraphError.fileError(path: path, message: "cannot open (\(String(cString: strerror(errno))))")
        }
        self.path = path
        self.file = file
    }

    deinit { gzclose(file) }

    /// `prefix` followed by the next `count` decompressed bytes (fewer at the end of the file).
    ///
    /// Memory grows with the bytes actually read, so a size taken from a hostile header allocates nothing
    /// by itself; `reserving` reserves `count` up front instead (for a size already checked against a
    /// limit: untouched pages of the reservation are never resident, and the buffer is not regrown).
    func read(upTo count: Int, after prefix: [UInt8] = [], reserving: Bool = false) throws -> [UInt8] {
        var result = prefix
        if reserving { result.reserveCapacity(prefix.count + count) }
        var chunk = [UInt8](repeating: 0, count: Swift.min(Swift.max(count, 0), 1 << 20))
        let end = prefix.count + count
        while result.count < end {
            let want = Swift.min(chunk.count, end - result.count)
            let n = chunk.withUnsafeMutableBytes { gzread(file, $0.baseAddress, UInt32(want)) }
            if n < 0 {
                var code: Int32 = 0
                let message = gzerror(file, &code).map { String(cString: $0) } ?? "read error"
                throw TensorGraphError.fileError(path: path, message: "corrupt compressed data (\(message))")
            }
            if n == 0 { break }
            result.append(contentsOf: chunk[0..<Int(n)])
        }
        return result
    }
}

/// Reads a whole file, transparently inflating gzip.
///
/// `limit` caps the decompressed size: reading stops, with a `fileError`, as soon as the data passes
/// it, so a gzip bomb or a corrupt file allocates at most `limit` plus one chunk.
func readPossiblyCompressedFile(_ path: String, limit: Int = 1 << 31) throws -> [UInt8] {
    let file = try PossiblyCompressedFile(path)
    let bytes = try file.read(upTo: limit == Int.max ? limit : limit + 1)
    guard bytes.count <= limit else {
        throw TensorGraphError.fileError(path: path, message: "decompresses to more than the limit of \(limit) bytes")
    }
    return bytes
}

/// The whole regular file at `path` (symbolic links followed), read with `open`/`fstat`/`read`.
///
/// Throws `TensorGraphError.fileError` when the file is missing or unreadable, and when it is not a
/// regular file: a FIFO or a character device (`/dev/zero`, a terminal) would block or never end, and a
/// directory has no bytes. Files bigger than `limit` bytes are refused before anything is allocated.
/// (Foundation's `FileManager.contents(atPath:)`, used before, blocks on a FIFO and leaked 4 KB for each
/// empty file it read.)
public func readWholeFile(_ path: String, limit: Int = Int.max) throws -> [UInt8] {
    func failure(_ what: String) -> TensorGraphError { .fileError(path: path, message: "\(what) (\(String(cString: strerror(errno))))") }
    let (fd, size) = try openRegularFile(path)
    defer { close(fd) }
    guard size <= limit else {
        throw TensorGraphError.fileError(path: path, message: "is \(size) bytes, more than the limit of \(limit)")
    }
    var bytes = [UInt8](repeating: 0, count: size)
    var filled = 0
    while filled < size {
        let n = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress! + filled, size - filled) }
        if n < 0 && (errno == EINTR || errno == EAGAIN) { continue }
        guard n >= 0 else { throw failure("read failed") }
        if n == 0 { break }   // truncated while being read: what is there
        filled += n
    }
    if filled < size { bytes.removeLast(size - filled) }
    return bytes
}

/// A read-only descriptor of the regular file at `path` (links followed) and its size; the caller closes it.
/// A FIFO, a device or a directory is a `fileError` before anything is read from it.
private func openRegularFile(_ path: String) throws -> (Int32, Int) {
    // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer before fstat can refuse it
    // (it changes nothing for a regular file).
    let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
    guard fd >= 0 else {
        throw TensorGraphError.fileError(path: path, message: errno == ENOENT ? "no such file" : "cannot open (\(String(cString: strerror(errno))))")
    }
    var info = stat()
    guard fstat(fd, &info) == 0 else {
        let message = "cannot inspect (\(String(cString: strerror(errno))))"
        close(fd)
        throw TensorGraphError.fileError(path: path, message: message)
    }
    guard info.st_mode & S_IFMT == S_IFREG else {
        close(fd)
        throw TensorGraphError.fileError(path: path, message: "is not a regular file (\(fileKind(info.st_mode)))")
    }
    return (fd, Int(info.st_size))
}

/// Writes `bytes` atomically: to a temporary file in the same directory, fsync, rename, then fsync the
/// directory so the rename itself survives a crash.
///
/// A failure leaves no partial or temporary file and the previous file, if any, intact. A symbolic link
/// is followed: the file it points to is replaced and the link kept. Only regular files are replaced: a
/// FIFO, a device such as `/dev/null` or a directory at `path` is refused with a `fileError` (renaming
/// over it would replace the device node itself, not write to it), as is a link that points nowhere.
public func writeFileAtomically(_ bytes: [UInt8], to path: String) throws {
    var target = path
    var info = stat()
    if lstat(path, &info) == 0 {
        if info.st_mode & S_IFMT == S_IFLNK {
            guard let resolved = realpath(path, nil) else {
                throw TensorGraphError.fileError(path: path, message: "is a symbolic link to a missing file (\(String(cString: strerror(errno))))")
            }
            target = String(cString: resolved)
            free(resolved)
            guard stat(target, &info) == 0 else {
                throw TensorGraphError.fileError(path: path, message: "cannot inspect the link's target (\(String(cString: strerror(errno))))")
            }
        }
        guard info.st_mode & S_IFMT == S_IFREG else {
            throw TensorGraphError.fileError(path: path, message: "is not a regular file (\(fileKind(info.st_mode))); only regular files are replaced")
        }
    }
    let url = URL(fileURLWithPath: target)
    let directory = url.deletingLastPathComponent().path
    let temporary = "\(directory)/.\(url.lastPathComponent).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    func failure(_ what: String) -> TensorGraphError {
        .fileError(path: path, message: "\(what) (\(String(cString: strerror(errno))))")
    }
    let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
    guard fd >= 0 else { throw failure("cannot create a temporary file in \(directory)") }
    var renamed = false, closed = false
    defer {
        if !closed { close(fd) }
        if !renamed { unlink(temporary) }
    }
    var written = 0
    while written < bytes.count {
        let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + written, $0.count - written) }
        if n < 0 && errno == EINTR { continue }
        guard n > 0 else { throw failure("write failed") }
        written += n
    }
    guard fsync(fd) == 0 else { throw failure("cannot flush to disk") }
    closed = true
    guard close(fd) == 0 else { throw failure("cannot close") }
    guard rename(temporary, target) == 0 else { throw failure("cannot rename into place") }
    renamed = true
    // The new directory entry is durable only once the directory is synced (best effort: some file systems refuse).
    let directoryFD = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    if directoryFD >= 0 {
        _ = fsync(directoryFD)
        close(directoryFD)
    }
}

/// A short name for a non-regular file type, for errors.
private func fileKind(_ mode: mode_t) -> String {
    switch mode & S_IFMT {
    case S_IFIFO: return "a FIFO"
    case S_IFCHR: return "a character device"
    case S_IFBLK: return "a block device"
    case S_IFDIR: return "a directory"
    case S_IFSOCK: return "a socket"
    default: return "not a regular file"
    }
}
