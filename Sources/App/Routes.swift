import Croft

extension Site {
    /// The site's URL map: one line per page, like Django's `urls.py`.
    static func registerRoutes(_ app: Application) throws {
        let router = app.router
        try router.get("/", name: "home", HomeController.index)
        try router.get("/health", name: "health", HomeController.health)
        try app.serveStatic(prefix: "/static", directory: app.settings.publicDirectory)
    }
}
