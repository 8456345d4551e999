import Foundation

/// The `checkpoint` state file TF1's `Saver` keeps beside its checkpoints, which
/// `tf.train.latest_checkpoint(directory)` and `tf.train.get_checkpoint_state` read.
///
/// A text-format `CheckpointState` proto: `model_checkpoint_path: "model.ckpt-20"`, then one
/// `all_model_checkpoint_paths: "..."` line per checkpoint still kept, oldest first, the newest last.
/// Paths are relative to the directory when the checkpoint is in it, as TF writes them.
public struct CheckpointState: Equatable {
    /// The newest checkpoint prefix.
    public var modelCheckpointPath: String
    /// The checkpoints kept, oldest first; the last is `modelCheckpointPath`.
    public var allModelCheckpointPaths: [String]

    /// TF1's `Saver(max_to_keep=5)`: how many prefixes the state file lists (older files are not deleted).
    public static let maximumKept = 5

    /// The state file of `directory`: `directory/checkpoint`.
    public static func path(in directory: String) -> String { directory + "/checkpoint" }

    /// The state file's text.
    public var text: String {
        ([("model_checkpoint_path", modelCheckpointPath)] + allModelCheckpointPaths.map { ("all_model_checkpoint_paths", $0) })
            .map { "\($0.0): \"\(Self.escape($0.1))\"\n" }.joined()
    }

    /// Reads `directory/checkpoint`; `nil` when there is none.
    ///
    /// - Throws: `TensorGraphError.fileError` when the file is not a readable `CheckpointState`.
    public static func read(directory: String) throws -> CheckpointState? {
        let file = path(in: directory)
        guard FileManager.default.fileExists(atPath: file) else { return nil }
        let text = String(decoding: try readWholeFile(file), as: UTF8.self)
        var newest: String?
        var all: [String] = []
        for line in text.split(whereSeparator: \.isNewline) where !line.trimmingCharacters(in: .whitespaces).isEmpty {
            guard let colon = line.firstIndex(of: ":") else {
                throw TensorGraphError.fileError(path: file, message: "not a CheckpointState line: \(line)")
            }
            let field = line[..<colon].trimmingCharacters(in: .whitespaces)
            let value = try unquote(line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces), path: file)
            switch field {
            case "model_checkpoint_path": newest = value
            case "all_model_checkpoint_paths": all.append(value)
            default: continue   // TF2 adds timestamps; they do not matter here
            }
        }
        guard let newest else { throw TensorGraphError.fileError(path: file, message: "no model_checkpoint_path") }
        return CheckpointState(modelCheckpointPath: newest, allModelCheckpointPaths: all)
    }

    /// The newest checkpoint prefix of `directory`, made absolute if it was relative
    /// (`tf.train.latest_checkpoint`); `nil` when there is no state file or its index file is gone.
    public static func latestCheckpoint(in directory: String) throws -> String? {
        guard let state = try read(directory: directory) else { return nil }
        let prefix = state.modelCheckpointPath.hasPrefix("/") ? state.modelCheckpointPath : directory + "/" + state.modelCheckpointPath
        return FileManager.default.fileExists(atPath: TensorBundle.indexPath(prefix: prefix)) ? prefix : nil
    }

    /// Records `prefix` as the newest checkpoint of its directory, keeping the last `maximumKept`
    /// paths whose index files still exist. Written atomically.
    static func record(prefix: String) throws {
        let url = URL(fileURLWithPath: prefix)
        let directory = url.deletingLastPathComponent().path
        let name = url.lastPathComponent
        let previous = (try? read(directory: directory))?.allModelCheckpointPaths ?? []
        let kept = previous.filter { path in
            path != name && FileManager.default.fileExists(atPath: TensorBundle.indexPath(prefix: path.hasPrefix("/") ? path : directory + "/" + path))
        }
        let state = CheckpointState(modelCheckpointPath: name, allModelCheckpointPaths: Array((kept + [name]).suffix(maximumKept)))
        try writeFileAtomically(Array(state.text.utf8), to: path(in: directory))
    }

    private static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "\n", with: "\\n")
    }

    private static func unquote(_ s: String, path: String) throws -> String {
        guard s.count >= 2, s.hasPrefix("\""), s.hasSuffix("\"") else {
            throw TensorGraphError.fileError(path: path, message: "expected a quoted string, found \(s)")
        }
        var result = "", escaped = false
        for c in s.dropFirst().dropLast() {
            if escaped {
                result.append(c == "n" ? "\n" : c)
                escaped = false
            } else if c == "\\" {
                escaped = true
            } else {
                result.append(c)
            }
        }
        return result
    }
}

/// Writes several files so that either all are replaced or none is: each goes to a temporary file
/// beside it (fsynced) first; only when all are written are they renamed into place, in order.
/// On failure every temporary file is removed and the old files stay.
func writeFilesAtomically(_ files: [(path: String, bytes: [UInt8])]) throws {
    var temporaries: [String] = []
    var committed = 0
    defer { for temporary in temporaries.dropFirst(committed) { unlink(temporary) } }
    for (path, bytes) in files {
        let url = URL(fileURLWithPath: path)
        let temporary = "\(url.deletingLastPathComponent().path)/.\(url.lastPathComponent).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL, 0o644)
        guard fd >= 0 else { throw TensorGraphError.fileError(path: path, message: "cannot create (\(String(cString: strerror(errno))))") }
        temporaries.append(temporary)
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + written, $0.count - written) }
            guard n > 0 else {
                close(fd)
                throw TensorGraphError.fileError(path: path, message: "write failed (\(String(cString: strerror(errno))))")
            }
            written += n
        }
        let synced = fsync(fd) == 0
        guard close(fd) == 0, synced else {
            throw TensorGraphError.fileError(path: path, message: "cannot flush to disk (\(String(cString: strerror(errno))))")
        }
    }
    for (temporary, file) in zip(temporaries, files) {
        guard rename(temporary, file.path) == 0 else {
            throw TensorGraphError.fileError(path: file.path, message: "cannot rename into place (\(String(cString: strerror(errno))))")
        }
        committed += 1
    }
}
