import Testing
@testable import Croft

@Suite struct RouterTests {
    private func text(_ value: String) -> Handler { { _ in .text(value) } }

    private func makeBuilder() throws -> RouterBuilder {
        let router = RouterBuilder()
        try router.get("/", name: "home", text("home"))
        try router.get("/notes", name: "notes", text("list"))
        try router.post("/notes", text("create"))
        try router.get("/notes/new", text("new"))
        try router.get("/notes/:id", name: "note.detail", text("detail"))
        try router.delete("/notes/:id", text("delete"))
        try router.get("/notes/:id/edit", name: "note.edit", text("edit"))
        try router.get("/files/*path", name: "files", text("files"))
        return router
    }

    private func makeRouter() throws -> Router { try makeBuilder().build() }

    static let matches: [(String, String, String?, [String: String])] = [
        ("GET", "/", "/", [:]),
        ("GET", "/notes", "/notes", [:]),
        ("GET", "/notes/", "/notes", [:]),
        ("POST", "/notes", "/notes", [:]),
        ("GET", "/notes/new", "/notes/new", [:]),
        ("GET", "/notes/42", "/notes/:id", ["id": "42"]),
        ("GET", "/notes/a%20b", "/notes/:id", ["id": "a b"]),
        ("GET", "/notes/7/edit", "/notes/:id/edit", ["id": "7"]),
        ("HEAD", "/notes/7", "/notes/:id", ["id": "7"]),
        ("GET", "/files/css/app.css", "/files/*path", ["path": "css/app.css"]),
        ("GET", "/files", "/files/*path", ["path": ""]),
    ]

    @Test(arguments: matches)
    func matchesStaticParameterAndCatchAllSegments(_ testCase: (String, String, String?, [String: String])) throws {
        let (method, path, pattern, parameters) = testCase
        guard case .found(let route, let found) = try makeRouter().match(HTTPMethod(method), path: path) else {
            Issue.record("\(method) \(path) did not match")
            return
        }
        #expect(route.pattern == pattern)
        #expect(found == parameters)
    }

    @Test func answers405WithAllowedMethodsAnd404ForUnknownPaths() throws {
        let router = try makeRouter()
        guard case .methodNotAllowed(let allowed) = router.match(.put, path: "/notes/3") else {
            Issue.record("expected 405")
            return
        }
        #expect(allowed.map(\.rawValue) == ["DELETE", "GET", "HEAD"])
        guard case .notFound = router.match(.get, path: "/nope") else { Issue.record("expected 404"); return }
        guard case .notFound = router.match(.get, path: "/notes/3/edit/more") else { Issue.record("expected 404"); return }
    }

    @Test func reversesNamedRoutesWithEncoding() throws {
        let router = try makeRouter()
        #expect(try router.url(for: "home") == "/")
        #expect(try router.url(for: "note.detail", ["id": 3]) == "/notes/3")
        #expect(try router.url(for: "note.edit", ["id": "a b/c"]) == "/notes/a%20b%2Fc/edit")
        #expect(try router.url(for: "files", ["path": "img/logo.png"]) == "/files/img/logo.png")
        #expect(throws: RouterError.unknownRouteName("missing")) { try router.url(for: "missing") }
        #expect(throws: RouterError.missingParameter(route: "note.detail", parameter: "id")) {
            try router.url(for: "note.detail")
        }
    }

    @Test func refusesDuplicatesAndConflictingParameterNames() throws {
        let router = try makeBuilder()
        #expect(throws: RouterError.duplicateRoute(.get, "/notes/:id")) { try router.get("/notes/:id", text("x")) }
        #expect(throws: RouterError.duplicateName("home")) { try router.get("/home", name: "home", text("x")) }
        #expect(throws: RouterError.self) { try router.get("/notes/:slug/raw", text("x")) }
        #expect(throws: RouterError.self) { try router.get("/a/*rest/b", text("x")) }
    }

    @Test func groupsAddPrefixAndMiddleware() async throws {
        let builder = ApplicationBuilder(settings: Settings(environment: ["ALLOWED_HOSTS": "*"]))
        let tag = MiddlewareFunction { request, next in
            var response = try await next(request)
            response.headers["X-Group"] = "staff"
            return response
        }
        try builder.router.group("/staff", middleware: [tag]) { staff in
            try staff.get("/", name: "staff.home") { _ in .text("staff home") }
            try staff.group("/users") { users in
                try users.get("/:id", name: "staff.user") { request in .text("user \(request.parameters["id"]!)") }
            }
        }
        try builder.router.get("/public") { _ in .text("public") }
        let app = builder.build()
        let inner = await app.respond(to: Request(method: .get, target: "/staff/users/9"))
        #expect(inner.headers["X-Group"] == "staff")
        #expect(inner.body.text == "user 9")
        #expect(await app.respond(to: Request(method: .get, target: "/public")).headers["X-Group"] == nil)
        #expect(try app.router.url(for: "staff.user", ["id": 9]) == "/staff/users/9")
    }
}

extension ResponseBody {
    /// The in-memory body as text (tests only).
    var text: String {
        if case .bytes(let bytes) = self { return String(decoding: bytes, as: UTF8.self) }
        return ""
    }
}
