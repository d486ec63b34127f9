extension Connection {
    /// Runs `PRAGMA quick_check` (or `integrity_check` when `full`) and returns the problems found: empty when healthy.
    ///
    /// `quick_check` skips index-content verification and runs in O(N); `integrity_check` also checks that
    /// every index matches its table. https://sqlite.org/pragma.html#pragma_integrity_check
    public func integrityProblems(full: Bool = false) throws -> [String] {
        let rows = try fetchAll(full ? "PRAGMA integrity_check" : "PRAGMA quick_check")
        let messages = try rows.map { try $0.get(0, as: String.self) }
        return messages == ["ok"] ? [] : messages
    }

    /// Runs `PRAGMA foreign_key_check` and describes each violation: empty when every reference resolves.
    /// https://sqlite.org/pragma.html#pragma_foreign_key_check
    public func foreignKeyViolations() throws -> [String] {
        try fetchAll("PRAGMA foreign_key_check").map { row in
            let table: String = try row.get(0)
            let parent: String = try row.get(2)
            let rowid = row[1].isNull ? "?" : row[1].description
            return "\(table) row \(rowid) refers to a missing row of \(parent)"
        }
    }

    /// The database's page size, page count and free-list page count, from their pragmas.
    public func pageCounts() throws -> (pageSize: Int, pages: Int, freePages: Int) {
        (try fetchValue(Int.self, "PRAGMA page_size") ?? 0,
         try fetchValue(Int.self, "PRAGMA page_count") ?? 0,
         try fetchValue(Int.self, "PRAGMA freelist_count") ?? 0)
    }
}
