import CroftTesting
import Foundation
import Testing
@testable import Croft

/// Templates as the framework uses them: `request.render`, `{% url %}`, `{% static %}`, error pages.
@Suite struct TemplateIntegrationTests {
    let directory: TemporaryDirectory

    init() throws {
        directory = try TemporaryDirectory()
        let templates = directory.path + "/Templates"
        try FileManager.default.createDirectory(atPath: templates + "/errors", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: directory.path + "/Public/css", withIntermediateDirectories: true)
        try "body{}".write(toFile: directory.path + "/Public/css/app.css", atomically: true, encoding: .utf8)
        try write("base.html", "<title>{% block title %}Site{% endblock %}</title>{% block content %}{% endblock %}")
        try write("note.html", """
            {% extends "base.html" %}{% block content %}<a href="{% url "note.detail" note.id %}">{{ note.title }}</a>\
            <link href="{% static "css/app.css" %}">{{ request.path }}{% endblock %}
            """)
        try write("broken.html", "line one\n{% if %}\n")
        try write("errors/error.html", "{% extends \"base.html\" %}{% block content %}E{{ status }}: {{ message }}{% endblock %}")
    }

    private func write(_ name: String, _ text: String) throws {
        try text.write(toFile: directory.path + "/Templates/" + name, atomically: true, encoding: .utf8)
    }

    private func makeApp(debug: Bool = false, production: Bool = false) throws -> Application {
        let builder = ApplicationBuilder(settings: Settings(environment: [
            "BASE_DIR": directory.path, "ALLOWED_HOSTS": "*", "DEBUG": debug ? "1" : "0",
            "ENVIRONMENT": production ? "production" : "development",
        ]))
        try builder.router.get("/notes/:id", name: "note.detail") { request in
            try request.render("note.html", ["note": ["id": 7, "title": "<b>Hi</b>"]])
        }
        try builder.router.get("/broken") { request in try request.render("broken.html") }
        let app = builder.build()
        return app
    }

    @Test func rendersWithURLReversingStaticHashesAndEscaping() async throws {
        let response = await (try makeApp()).respond(to: Request(method: .get, target: "/notes/7"))
        let html = response.body.text
        #expect(response.status == .ok)
        #expect(response.headers["Content-Type"] == "text/html; charset=utf-8")
        #expect(html.contains("<a href=\"/notes/7\">&lt;b&gt;Hi&lt;/b&gt;</a>"))
        #expect(html.contains("/static/css/app.css?v="))
        #expect(html.contains("/notes/7"))
    }

    @Test func errorPagesUseTheSiteTemplates() async throws {
        let response = await (try makeApp()).respond(to: Request(method: .get, target: "/missing"))
        #expect(response.status == .notFound)
        #expect(response.body.text.contains("<title>Site</title>E404: There is no page at this address."))
    }

    @Test func aTemplateErrorIsAPlain500WithoutDebug() async throws {
        let response = await (try makeApp()).respond(to: Request(method: .get, target: "/broken", id: "req-1"))
        #expect(response.status == .internalServerError)
        #expect(response.body.text.contains("E500"))
        #expect(!response.body.text.contains("{% if %}"))
    }

    @Test func debugShowsTheTemplateExcerptWithLineAndColumn() async throws {
        let response = await (try makeApp(debug: true)).respond(to: Request(method: .get, target: "/broken"))
        #expect(response.status == .internalServerError)
        let html = response.body.text
        #expect(html.contains("broken.html"))
        #expect(html.contains("line 2"))
        #expect(html.contains("{% if %}"))
    }

    @Test func precompilingFailsOnABrokenTemplate() throws {
        let app = try makeApp(production: true)
        #expect(throws: TemplateError.self) { try app.precompileTemplates() }
        try FileManager.default.removeItem(atPath: directory.path + "/Templates/broken.html")
        #expect(try app.precompileTemplates() == 3)
    }
}
