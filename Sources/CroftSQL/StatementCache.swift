/// A bounded per-connection cache of prepared statements, keyed by SQL text.
///
/// Preparing is the costly part of a small query; a web app runs the same few dozen statements
/// over and over, so a small cache keeps them all. When full, the oldest entry is dropped.
struct StatementCache {
    private var statements: [String: Statement] = [:]
    private var insertionOrder: [String] = []
    private let capacity: Int

    init(capacity: Int) {
        self.capacity = max(0, capacity)
    }

    /// The cached statement for `sql`, if any.
    func statement(for sql: String) -> Statement? {
        statements[sql]
    }

    /// Stores `statement`, evicting the oldest entries beyond capacity.
    mutating func insert(_ statement: Statement) {
        guard capacity > 0 else { return }
        if statements.updateValue(statement, forKey: statement.sql) == nil {
            insertionOrder.append(statement.sql)
        }
        while insertionOrder.count > capacity {
            let oldest = insertionOrder.removeFirst()
            if let evicted = statements[oldest], evicted.isInUse {
                // Still being stepped by a caller; keep it and try the next oldest later.
                insertionOrder.append(oldest)
                break
            }
            statements[oldest] = nil
        }
    }

    /// Drops every statement (before closing, or after a schema change by hand).
    mutating func removeAll() {
        statements.removeAll()
        insertionOrder.removeAll()
    }

    /// The number of cached statements.
    var count: Int { statements.count }
}
