import CroftTesting
import Foundation
import Testing
@testable import Croft

@Suite struct ApplicationTests {
    static func makeApp(_ middleware: [any Middleware] = []) throws -> Application {
        let app = ApplicationBuilder(settings: Settings(environment: ["ALLOWED_HOSTS": "*"]))
        for layer in middleware { app.use(layer) }
        try app.router.get("/notes/:id") { request in
            let id: Int = try request.parameter("id")
            return .text("note \(id)")
        }
        try app.router.get("/boom") { _ in throw CocoaError(.fileNoSuchFile) }
        try app.router.get("/teapot") { _ in throw HTTPError(HTTPStatus(code: 418, reasonPhrase: "I'm a teapot"), message: "Short and stout.") }
        return app.build()
    }

    @Test func typedParametersAnswer400OnBadValues() async throws {
        let app = try Self.makeApp()
        #expect(await app.respond(to: Request(method: .get, target: "/notes/12")).body.text == "note 12")
        let bad = await app.respond(to: Request(method: .get, target: "/notes/twelve"))
        #expect(bad.status == .badRequest)
        #expect(bad.body.text.contains("invalid value"))
    }

    @Test func unknownPathsAre404AndWrongMethodsAre405WithAllow() async throws {
        let app = try Self.makeApp()
        let missing = await app.respond(to: Request(method: .get, target: "/nowhere"))
        #expect(missing.status == .notFound)
        let wrong = await app.respond(to: Request(method: .post, target: "/notes/1"))
        #expect(wrong.status == .methodNotAllowed)
        #expect(wrong.headers["Allow"] == "GET, HEAD")
        let options = await app.respond(to: Request(method: .options, target: "/notes/1"))
        #expect(options.status == .noContent)
    }

    @Test func thrownErrorsBecomeResponsesThatMiddlewareStillSees() async throws {
        let app = try Self.makeApp([MiddlewareFunction { request, next in
            var response = try await next(request)
            response.headers["X-Seen"] = "\(response.status.code)"
            return response
        }])
        let crashed = await app.respond(to: Request(method: .get, target: "/boom", id: "abc123"))
        #expect(crashed.status == .internalServerError)
        #expect(crashed.headers["X-Seen"] == "500")
        #expect(crashed.body.text.contains("abc123"))
        let teapot = await app.respond(to: Request(method: .get, target: "/teapot"))
        #expect(teapot.status.code == 418)
        #expect(teapot.body.text.contains("Short and stout."))
    }

    @Test func middlewareCanAnswerEarlyAndRunsInOrder() async throws {
        let app = try Self.makeApp([
            MiddlewareFunction { request, next in
                var response = try await next(request)
                response.headers.add(name: "X-Order", value: "outer")
                return response
            },
            MiddlewareFunction { request, next in
                if request.headers["X-Block"] != nil { return .text("blocked", status: .forbidden) }
                var response = try await next(request)
                response.headers.add(name: "X-Order", value: "inner")
                return response
            },
        ])
        let normal = await app.respond(to: Request(method: .get, target: "/notes/1"))
        #expect(normal.headers.values(for: "X-Order") == ["inner", "outer"])
        let blocked = await app.respond(to: Request(method: .get, target: "/notes/1", headers: ["X-Block": "1"]))
        #expect(blocked.status == .forbidden)
        #expect(blocked.headers.values(for: "X-Order") == ["outer"])
    }

    @Test func addsSecurityHeadersToEveryResponse() async throws {
        let app = try Self.makeApp()
        for target in ["/notes/1", "/nowhere", "/boom"] {
            let response = await app.respond(to: Request(method: .get, target: target))
            #expect(response.headers["X-Content-Type-Options"] == "nosniff")
            #expect(response.headers["X-Frame-Options"] == "DENY")
            #expect(response.headers["Content-Security-Policy"]?.contains("default-src 'self'") == true)
        }
    }

    @Test func readsSettingsFromEnvironmentAndDotEnv() throws {
        let directory = try TemporaryDirectory()
        try "# comment\nPORT=9001\nexport HOST=0.0.0.0\nDEBUG=\"true\"\nLOG_LEVEL=warning # inline\n"
            .write(toFile: directory.path + "/.env", atomically: true, encoding: .utf8)
        let settings = Settings(environment: ["BASE_DIR": directory.path, "PORT": "9002"])
        #expect(settings.port == 9002)  // the process environment wins
        #expect(settings.host == "0.0.0.0")
        #expect(settings.debug)
        #expect(settings.logLevel == .warning)
        #expect(settings.databasePath == directory.path + "/data/db.sqlite3")
    }
}
