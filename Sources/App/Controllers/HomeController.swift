import Croft

/// The home page and the health check.
enum HomeController {
    /// `GET /`: the starter's welcome page.
    @Sendable static func index(_ request: Request) async throws -> Response {
        try request.render("home.html")
    }

    /// `GET /health`: 200 with a small JSON body when the database answers a read, 503 otherwise.
    @Sendable static func health(_ request: Request) async throws -> Response {
        do {
            _ = try await request.db.read { db in try db.fetchValue(Int.self, "SELECT 1") }
            return try .json(["status": "ok", "database": "ok", "version": Site.version])
        } catch {
            request.application.logger.error("health check failed: \(error)", metadata: ["request_id": "\(request.id)"])
            return try .json(["status": "unavailable", "database": "error", "version": Site.version],
                             status: .serviceUnavailable)
        }
    }
}
