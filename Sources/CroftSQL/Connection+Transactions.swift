extension Connection {
    /// Runs `body` in a transaction: COMMIT when it returns, ROLLBACK when it throws.
    ///
    /// ```swift
    /// try db.transaction(.immediate) { db in
    ///     try db.execute("UPDATE accounts SET balance = balance - 10 WHERE id = ?", 1)
    ///     try db.execute("UPDATE accounts SET balance = balance + 10 WHERE id = ?", 2)
    /// }
    /// ```
    public func transaction<T>(_ kind: TransactionKind = .deferred, _ body: (Connection) throws -> T) throws -> T {
        guard !isInTransaction else {
            throw SQLiteError.misuse("a transaction is already open; use savepoint(_:_:) to nest")
        }
        try execute("BEGIN \(kind.rawValue) TRANSACTION")
        let result: T
        do {
            result = try body(self)
        } catch {
            rollbackIfNeeded()
            throw error
        }
        do {
            try execute("COMMIT TRANSACTION")
        } catch {
            // A failed COMMIT (deferred foreign keys, a full disk) may leave the transaction open.
            rollbackIfNeeded()
            throw error
        }
        return result
    }

    /// Runs `body` inside a SAVEPOINT, rolling back to it when `body` throws; nests freely.
    /// https://sqlite.org/lang_savepoint.html
    public func savepoint<T>(_ name: String = "croft_savepoint", _ body: (Connection) throws -> T) throws -> T {
        let quoted = SQLIdentifier.quote(name)
        try executeScript("SAVEPOINT \(quoted)")
        do {
            let result = try body(self)
            try executeScript("RELEASE SAVEPOINT \(quoted)")
            return result
        } catch {
            try? executeScript("ROLLBACK TO SAVEPOINT \(quoted); RELEASE SAVEPOINT \(quoted)")
            throw error
        }
    }

    /// Rolls back the open transaction, if SQLite has not already done so.
    func rollbackIfNeeded() {
        if isInTransaction {
            _ = try? executeScript("ROLLBACK TRANSACTION")
        }
    }
}
