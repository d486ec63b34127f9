/// How far a WAL checkpoint goes. https://sqlite.org/pragma.html#pragma_wal_checkpoint
public enum CheckpointMode: String, Sendable {
    /// Copy what it can without waiting for readers.
    case passive = "PASSIVE"
    /// Wait for the writer lock and copy everything readers allow.
    case full = "FULL"
    /// Like full, then wait for readers so the WAL restarts from the beginning.
    case restart = "RESTART"
    /// Like restart, then truncate the WAL file to zero bytes.
    case truncate = "TRUNCATE"
}
