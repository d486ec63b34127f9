/// Why a backup, restore or check did not happen, with what to do about it.
public struct BackupError: Error, Sendable, CustomStringConvertible, Equatable {
    /// What went wrong and what to do.
    public let description: String

    /// Creates an error with its message.
    public init(_ description: String) {
        self.description = description
    }
}
