import Foundation

/// A lock file in `data/` (`data/croft.lock`) that says "a server or worker is using this database".
///
/// Servers and workers hold it shared (`flock(LOCK_SH)`); a restore takes it exclusively, so a restore
/// refuses while any of them runs, and a server cannot start in the middle of a restore. The kernel drops
/// the lock when its process dies, even by `kill -9`, so a stale file never blocks anything.
public final class ProcessLock: Sendable {
    /// The lock file.
    public let path: String
    private let descriptor: Int32

    private init(path: String, descriptor: Int32) {
        self.path = path
        self.descriptor = descriptor
    }

    deinit { close(descriptor) }

    /// The lock file of a data directory.
    public static func path(dataDirectory: String) -> String { dataDirectory + "/croft.lock" }

    /// Takes the lock without waiting: shared (servers, workers) or exclusive (restore). Nil when it is held
    /// incompatibly by another process.
    public static func acquire(path: String, exclusive: Bool) throws -> ProcessLock? {
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o640)
        guard descriptor >= 0 else {
            throw BackupError("cannot open the lock file \(path): \(String(cString: strerror(errno)))")
        }
        guard flock(descriptor, (exclusive ? LOCK_EX : LOCK_SH) | LOCK_NB) == 0 else {
            close(descriptor)
            return nil
        }
        return ProcessLock(path: path, descriptor: descriptor)
    }

    /// Releases the lock now (it is also released when the value is freed or the process exits).
    public func release() { _ = flock(descriptor, LOCK_UN) }
}
