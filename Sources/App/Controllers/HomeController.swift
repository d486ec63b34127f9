import Croft

/// The home page and the health check.
enum HomeController {
    /// `GET /`: the starter's welcome page.
    @Sendable static func index(_ request: Request) async throws -> Response {
        .html("""
            <!doctype html>
            <html lang="en">
            <head>
              <meta charset="utf-8">
              <meta name="viewport" content="width=device-width, initial-scale=1">
              <title>Croft</title>
              <link rel="stylesheet" href="/static/css/app.css">
            </head>
            <body>
              <header class="site-header"><a class="brand" href="/">Croft</a></header>
              <main class="container">
                <h1>Your Croft site is running.</h1>
                <p>A Swift web stack on SQLite: everything lives in <code>data/</code>.</p>
                <ul>
                  <li>Edit routes in <code>Sources/App/Routes.swift</code>.</li>
                  <li>Static files are served from <code>Public/</code> at <code>/static/</code>.</li>
                  <li>Run the tests with <code>swift test</code>.</li>
                </ul>
              </main>
            </body>
            </html>
            """)
    }

    /// `GET /health`: 200 with a small JSON body while the site answers.
    @Sendable static func health(_ request: Request) async throws -> Response {
        try .json(["status": "ok", "version": Site.version])
    }
}
