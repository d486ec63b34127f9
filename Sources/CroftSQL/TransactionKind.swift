/// How a transaction takes its locks. https://sqlite.org/lang_transaction.html
public enum TransactionKind: String, Sendable {
    /// Takes locks on first use: a read snapshot starts at the first SELECT.
    case deferred = "DEFERRED"
    /// Takes the write lock at BEGIN, so a write transaction never fails half-way for a lock.
    case immediate = "IMMEDIATE"
    /// Like immediate; in WAL mode the same as immediate.
    case exclusive = "EXCLUSIVE"
}
