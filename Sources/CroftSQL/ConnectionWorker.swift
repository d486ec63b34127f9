import Dispatch

/// A connection and the serial queue that is the only place it is ever used.
///
/// The queue runs on Dispatch's threads, not on Swift's cooperative pool, so a slow query never
/// starves async tasks. The connection may be opened on first use (spare readers of a pool, so an
/// idle app does not hold connections it never reads through). `@unchecked Sendable` is sound
/// because `connection`, `open` and `isClosed` are touched only on `queue`.
final class ConnectionWorker: @unchecked Sendable {
    /// The serial queue that owns the connection.
    let queue: DispatchQueue
    /// The connection once open; use only on `queue`.
    private var connection: Connection?
    /// Opens the connection on first use, when it was not opened up front; use only on `queue`.
    private var open: (() throws -> Connection)?
    /// Set on `queue` when the connection has been closed.
    private var isClosed = false
    private let queueKey = DispatchSpecificKey<Bool>()

    /// A worker for a connection already open.
    init(connection: Connection, label: String) {
        self.connection = connection
        self.queue = DispatchQueue(label: label)
        queue.setSpecific(key: queueKey, value: true)
    }

    /// A worker that opens its connection with `open` the first time it runs something.
    init(label: String, open: @escaping () throws -> Connection) {
        self.open = open
        self.queue = DispatchQueue(label: label)
        queue.setSpecific(key: queueKey, value: true)
    }

    /// True when the caller is already running on this worker's queue (where `sync` would deadlock).
    var isCurrent: Bool { DispatchQueue.getSpecific(key: queueKey) == true }

    /// Runs `body` with the connection, opening it first if needed; call only on `queue`.
    ///
    /// A failed open throws (``DatabaseOpenError``) and is tried again on the next use.
    func run<T>(_ body: (Connection) throws -> T) throws -> T {
        dispatchPrecondition(condition: .onQueue(queue))
        guard !isClosed else { throw SQLiteError.misuse("the database pool is closed") }
        if let connection { return try body(connection) }
        guard let open else { throw SQLiteError.misuse("the database pool is closed") }
        let opened = try open()
        connection = opened
        self.open = nil
        return try body(opened)
    }

    /// Runs `body` only if the connection is open (never opening a spare one); nil otherwise. Call only on `queue`.
    func runIfOpen<T>(_ body: (Connection) throws -> T) rethrows -> T? {
        dispatchPrecondition(condition: .onQueue(queue))
        guard !isClosed, let connection else { return nil }
        return try body(connection)
    }

    /// Closes the connection, if it was ever opened, after running `beforeClose`; call only on `queue`.
    func close(beforeClose: (Connection) -> Void = { _ in }) {
        dispatchPrecondition(condition: .onQueue(queue))
        guard !isClosed else { return }
        isClosed = true
        open = nil
        guard let connection else { return }
        beforeClose(connection)
        connection.close()
        self.connection = nil
    }
}
