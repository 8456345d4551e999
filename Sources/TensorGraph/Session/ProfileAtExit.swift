import Foundation
import Synchronization

/// Prints the profile of sessions still alive when the process exits (`TENSORGRAPH_PROFILE`): a
/// session at the top level of a program is never released, so its `deinit` report would never print.
enum ProfileAtExit {
    private final class WeakSession: @unchecked Sendable {
        weak var session: Session?
        init(_ session: Session) { self.session = session }
    }
    private static let sessions = Mutex<[WeakSession]>([])
    private static let installHandler: Void = { atexit { ProfileAtExit.printLiveSessions() } }()

    /// Registers a profiling session (once per session, when it first runs a kernel with profiling on).
    static func register(_ session: Session) {
        _ = installHandler
        sessions.withLock { list in
            list.removeAll { $0.session == nil }
            list.append(WeakSession(session))
        }
    }

    private static func printLiveSessions() {
        for report in takeLiveReports() { print(report) }
    }

    /// The reports of registered sessions that are still alive and have not printed theirs (each once).
    static func takeLiveReports() -> [String] {
        let live = sessions.withLock { list in list.compactMap(\.session) }
        return live.compactMap { $0.takeProfileReport() }
    }
}
