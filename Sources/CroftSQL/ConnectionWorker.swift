import Dispatch

/// A connection and the serial queue that is the only place it is ever used.
///
/// The queue runs on Dispatch's threads, not on Swift's cooperative pool, so a slow query never
/// starves async tasks. `@unchecked Sendable` is sound because `connection` is touched only on `queue`.
final class ConnectionWorker: @unchecked Sendable {
    /// The serial queue that owns the connection.
    let queue: DispatchQueue
    /// The connection; use only on `queue`.
    let connection: Connection
    /// Set on `queue` when the connection has been closed.
    private var isClosed = false
    private let queueKey = DispatchSpecificKey<Bool>()

    init(connection: Connection, label: String) {
        self.connection = connection
        self.queue = DispatchQueue(label: label)
        queue.setSpecific(key: queueKey, value: true)
    }

    /// True when the caller is already running on this worker's queue (where `sync` would deadlock).
    var isCurrent: Bool { DispatchQueue.getSpecific(key: queueKey) == true }

    /// Runs `body` with the connection; call only on `queue`.
    func run<T>(_ body: (Connection) throws -> T) throws -> T {
        dispatchPrecondition(condition: .onQueue(queue))
        guard !isClosed else { throw SQLiteError.misuse("the database pool is closed") }
        return try body(connection)
    }

    /// Closes the connection after running `beforeClose`; call only on `queue`.
    func close(beforeClose: (Connection) -> Void = { _ in }) {
        dispatchPrecondition(condition: .onQueue(queue))
        guard !isClosed else { return }
        beforeClose(connection)
        isClosed = true
        connection.close()
    }
}
