import Foundation

/// An exclusive advisory lock (`flock`) on `<database>.migrate-lock`, held for a whole migrate run.
///
/// Each migration has its own `BEGIN IMMEDIATE` transaction, so SQLite's lock alone would let two
/// processes interleave migrations; this file lock makes one process apply them all while the
/// other waits, then finds nothing pending. The kernel releases it if the process dies.
struct MigrationLock {
    private let descriptor: Int32

    /// Waits up to `timeout` seconds for the lock; `nil` for in-memory databases, which no one else can see.
    ///
    /// Polls with `LOCK_NB` rather than blocking, so a process stuck mid-migration produces a clear
    /// error in the other one instead of a hang.
    static func acquire(databasePath: String, timeout: Double = 300) throws -> MigrationLock? {
        guard databasePath != ":memory:", !databasePath.hasPrefix("file:"), !databasePath.isEmpty else { return nil }
        let lockPath = databasePath + ".migrate-lock"
        let descriptor = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw DatabaseOpenError(path: lockPath, reason: "cannot open migration lock: \(String(cString: strerror(errno)))")
        }
        let deadline = Date().addingTimeInterval(timeout)
        while flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            let code = errno
            guard code == EWOULDBLOCK || code == EINTR else {
                close(descriptor)
                throw DatabaseOpenError(path: lockPath, reason: "cannot lock: \(String(cString: strerror(code)))")
            }
            guard Date() < deadline else {
                close(descriptor)
                throw DatabaseOpenError(path: lockPath, reason: "another process has been migrating for over \(Int(timeout))s")
            }
            usleep(20_000)
        }
        return MigrationLock(descriptor: descriptor)
    }

    /// Releases the lock.
    func release() {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}
