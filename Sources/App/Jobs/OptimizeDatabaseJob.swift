import Croft

/// Runs `PRAGMA optimize` so the query planner's statistics follow the data (scheduled every 6 hours).
/// https://sqlite.org/pragma.html#pragma_optimize
struct OptimizeDatabaseJob: Job {
    static let name = "croft.optimize"

    func run(_ context: JobContext) async throws {
        try await context.database.optimize()
    }
}
