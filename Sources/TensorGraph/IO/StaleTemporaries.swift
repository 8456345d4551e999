import Foundation

/// Removes the temporary files that atomic writes into `directory` left when their process was killed
/// (SIGKILL, OOM killer) before renaming them: entries named `.NAME.tmp-PID-RANDOM` whose PID no longer runs.
///
/// `Saver.save` calls it, so a directory a crashing training job checkpoints into does not fill with
/// orphans of checkpoints that were never completed (and whose names are never written again).
/// Temporaries of live processes (this one's included) are left alone; a PID reused by an unrelated
/// process keeps its orphan until that process ends. Best effort: errors are ignored.
func removeStaleTemporaries(in directory: String) {
    guard let entries = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return }
    for entry in entries where entry.hasPrefix(".") {
        guard let marker = entry.range(of: ".tmp-", options: .backwards) else { continue }
        let parts = entry[marker.upperBound...].split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, let pid = Int32(parts[0]), pid > 0, UInt32(parts[1]) != nil else { continue }
        // kill(pid, 0) probes without signalling: ESRCH means no such process.
        if kill(pid, 0) != 0 && errno == ESRCH { unlink(directory + "/" + entry) }
    }
}
