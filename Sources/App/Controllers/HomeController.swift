import Croft

/// The home page and the health check.
enum HomeController {
    /// `GET /`: the starter's welcome page.
    @Sendable static func index(_ request: Request) async throws -> Response {
        try request.render("home.html")
    }

    /// `GET /health`: 200 with a small JSON body while the site answers.
    @Sendable static func health(_ request: Request) async throws -> Response {
        try .json(["status": "ok", "version": Site.version])
    }
}
