extension Connection {
    /// How many rows per index `ANALYZE` samples when run from ``optimize(alsoAnalyzing:)``:
    /// SQLite's advice for `PRAGMA optimize` before closing, so a large table never stalls shutdown.
    /// https://sqlite.org/lang_analyze.html
    static let optimizeAnalysisLimit = 400

    /// The `ANALYZE` statements `PRAGMA optimize` would run for the tables this connection has
    /// queried, without running them (optimize's debug bit, `0x01`).
    ///
    /// A reader is `query_only` and cannot run `ANALYZE` itself, but it is where the app's queries
    /// run, so its suggestions are handed to the writer. Lines other than `ANALYZE` are ignored.
    func pendingAnalyzeStatements() throws -> [String] {
        try fetchAll("PRAGMA optimize(0x03)") { row in try row.get(0, as: String.self) }
            .filter { $0.hasPrefix("ANALYZE ") }
    }

    /// Runs the `ANALYZE` statements other connections asked for (``pendingAnalyzeStatements()``),
    /// then `PRAGMA optimize` for this connection's own queries, under `analysis_limit=400`;
    /// the connection's previous limit is restored afterwards.
    ///
    /// Outside a transaction only: `ANALYZE` and `PRAGMA optimize` each write in their own.
    func optimize(alsoAnalyzing statements: [String]) throws {
        let previousLimit = try fetchValue(Int.self, "PRAGMA analysis_limit") ?? 0
        try executeScript("PRAGMA analysis_limit = \(Connection.optimizeAnalysisLimit)")
        defer { try? executeScript("PRAGMA analysis_limit = \(previousLimit)") }
        for statement in Set(statements).sorted() where statement.hasPrefix("ANALYZE ") {
            try executeScript(statement)
        }
        try executeScript("PRAGMA optimize")
    }
}
