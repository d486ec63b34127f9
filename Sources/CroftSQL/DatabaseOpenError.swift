/// A database file that could not be opened or written, naming the path and the reason.
///
/// Raised by ``Connection/init(path:configuration:role:)`` and ``DatabasePool/init(path:configuration:)``
/// when, for instance, the path is a directory or its parent cannot be created.
public struct DatabaseOpenError: Error, Sendable, CustomStringConvertible {
    /// The path that was being opened.
    public let path: String
    /// Why it failed, in words.
    public let reason: String
    /// The SQLite error underneath, when there is one.
    public let underlying: SQLiteError?

    /// Creates an error from its parts.
    public init(path: String, reason: String, underlying: SQLiteError? = nil) {
        self.path = path
        self.reason = reason
        self.underlying = underlying
    }

    /// "cannot open database at <path>: <reason>", and the statement that failed when there was one.
    public var description: String {
        let statement = underlying?.sql.map { " (while running: \($0))" } ?? ""
        return "cannot open database at \(path): \(reason)\(statement)"
    }
}
