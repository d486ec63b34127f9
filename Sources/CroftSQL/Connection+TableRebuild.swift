extension Connection {
    /// Changes a table's definition in one call with SQLite's 12-step rebuild: create the new table,
    /// copy the rows, drop the old one, rename, recreate indexes and triggers, check foreign keys.
    ///
    /// `newDefinition` is the column list of the new table, parentheses included. Columns found in
    /// both tables are copied by name; `columnMapping` gives an SQL expression over the old columns
    /// for new or renamed ones. Views that depend on the table's columns must be recreated by hand.
    ///
    /// ```swift
    /// try db.rebuildTable("notes",
    ///     newDefinition: "(id INTEGER PRIMARY KEY, title TEXT NOT NULL, summary TEXT NOT NULL DEFAULT '')",
    ///     columnMapping: ["summary": "coalesce(body, '')"])
    /// ```
    ///
    /// Outside a transaction it turns foreign keys off and runs its own transaction. Inside one (a
    /// migration), foreign keys must already be off: declare the migration with
    /// `disablesForeignKeys: true`, because the pragma cannot change inside a transaction and
    /// `DROP TABLE` with foreign keys on would delete or cascade.
    /// https://sqlite.org/lang_altertable.html#otheralter
    public func rebuildTable(_ table: String, newDefinition: String, columnMapping: [String: String] = [:]) throws {
        let foreignKeysOn = try pragma("foreign_keys") == .integer(1)
        if isInTransaction {
            guard !foreignKeysOn else {
                throw SQLiteError.misuse("rebuildTable(\(table)) inside a transaction needs foreign keys off; "
                    + "declare the migration with disablesForeignKeys: true")
            }
            try savepoint("croft_rebuild") { db in try db.rebuildSteps(table, newDefinition, columnMapping) }
            return
        }
        // Step 1: foreign keys off, outside any transaction.
        if foreignKeysOn { try executeScript("PRAGMA foreign_keys = OFF") }
        defer { if foreignKeysOn { try? executeScript("PRAGMA foreign_keys = ON") } }
        // Steps 2 and 11: one transaction around the rebuild.
        try transaction(.immediate) { db in try db.rebuildSteps(table, newDefinition, columnMapping) }
    }

    /// Steps 3 to 10 of https://sqlite.org/lang_altertable.html#otheralter.
    private func rebuildSteps(_ table: String, _ newDefinition: String, _ columnMapping: [String: String]) throws {
        let quoted = SQLIdentifier.quote(table)
        let temporaryName = "croft_new_\(table)"
        let quotedTemporary = SQLIdentifier.quote(temporaryName)
        guard try fetchValue(Int.self, "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = ?", table) == 1 else {
            throw SQLiteError.misuse("rebuildTable: no table named \(table)")
        }
        // Step 3: remember the indexes and triggers that belong to the table (auto-indexes have no SQL).
        let dependents = try fetchAll(
            "SELECT sql FROM sqlite_schema WHERE tbl_name = ? AND type IN ('index', 'trigger') AND sql IS NOT NULL",
            table
        ).map { try $0.string("sql") }
        // Step 4: create the new table under a temporary name.
        try executeScript("CREATE TABLE \(quotedTemporary) \(newDefinition)")
        // Step 5: copy the rows.
        let oldColumns = Set(try columnNames(of: table))
        var targets: [String] = []
        var sources: [String] = []
        for column in try columnNames(of: temporaryName) {
            if let expression = columnMapping[column] {
                targets.append(SQLIdentifier.quote(column))
                sources.append(expression)
            } else if oldColumns.contains(column) {
                targets.append(SQLIdentifier.quote(column))
                sources.append(SQLIdentifier.quote(column))
            }
        }
        if !targets.isEmpty {
            try executeScript("INSERT INTO \(quotedTemporary) (\(targets.joined(separator: ", "))) SELECT \(sources.joined(separator: ", ")) FROM \(quoted)")
        }
        // Steps 6 and 7: drop the old table, rename the new one into place.
        try executeScript("DROP TABLE \(quoted)")
        try executeScript("ALTER TABLE \(quotedTemporary) RENAME TO \(quoted)")
        // Step 8: recreate indexes and triggers.
        for sql in dependents { try executeScript(sql) }
        // Step 10: the new definition must not break references from or to the table.
        let violations = try fetchAll("PRAGMA foreign_key_check")
        if !violations.isEmpty {
            throw SQLiteError(code: 19, extendedCode: 787, message: "rebuildTable(\(table)) left \(violations.count) foreign key violation(s)", sql: nil)
        }
        clearStatementCache()
    }

    /// The column names of `table`, in order. https://sqlite.org/pragma.html#pragma_table_info
    public func columnNames(of table: String) throws -> [String] {
        try fetchAll("SELECT name FROM pragma_table_info(?) ORDER BY cid", table).map { try $0.string("name") }
    }
}
