import CroftTemplates
import Foundation
import Testing

struct TemplateLoaderTests {
    @Test func directoryLoaderReloadsWhenTheFileChanges() throws {
        let root = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let file = root.appendingPathComponent("page.html")
        try "v1 {{ x }}".write(to: file, atomically: true, encoding: .utf8)
        let environment = TemplateEnvironment(loader: DirectoryLoader(root: root, reloadOnChange: true))
        #expect(try environment.render("page.html", context: ["x": 1]) == "v1 1")
        try "version two {{ x }}".write(to: file, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(5)], ofItemAtPath: file.path)
        #expect(try environment.render("page.html", context: ["x": 1]) == "version two 1")
    }

    @Test func directoryLoaderWithoutReloadKeepsTheParsedTemplate() throws {
        let root = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let file = root.appendingPathComponent("page.html")
        try "v1".write(to: file, atomically: true, encoding: .utf8)
        let environment = TemplateEnvironment(loader: DirectoryLoader(root: root, reloadOnChange: false))
        #expect(try environment.render("page.html") == "v1")
        try "v2".write(to: file, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(5)], ofItemAtPath: file.path)
        #expect(try environment.render("page.html") == "v1")
        environment.clearCache()
        #expect(try environment.render("page.html") == "v2")
    }

    @Test func precompileAllParsesEveryTemplateAndFailsOnABrokenOne() throws {
        let root = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.createDirectory(at: root.appendingPathComponent("notes"), withIntermediateDirectories: true)
        try "{% block a %}{% endblock %}".write(to: root.appendingPathComponent("base.html"), atomically: true, encoding: .utf8)
        try "{% extends \"base.html\" %}".write(to: root.appendingPathComponent("notes/list.html"), atomically: true, encoding: .utf8)
        try "not a template".write(to: root.appendingPathComponent("notes/readme.bin"), atomically: true, encoding: .utf8)
        let loader = DirectoryLoader(root: root)
        #expect(try loader.allTemplateNames() == ["base.html", "notes/list.html"])
        #expect(try TemplateEnvironment(loader: loader).precompileAll() == 2)
        try "line\n{% for x in y %}".write(to: root.appendingPathComponent("notes/broken.html"), atomically: true, encoding: .utf8)
        let error = templateError { try TemplateEnvironment(loader: loader).precompileAll() }
        #expect(error?.template == "notes/broken.html")
        #expect(error?.kind == .unclosedTag)
        #expect(error?.line == 2)
    }

    @Test(arguments: ["../secret.html", "/etc/passwd", "a/../../b.html", ""])
    func directoryLoaderRefusesNamesOutsideTheRoot(name: String) throws {
        let loader = DirectoryLoader(root: try makeTemporaryDirectory())
        #expect(templateError { try loader.source(named: name) }?.kind == .templateNotFound)
    }

    @Test func staticAssetHasherAddsAContentHash() throws {
        let root = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        try "body{}".write(to: root.appendingPathComponent("app.css"), atomically: true, encoding: .utf8)
        let hasher = StaticAssetHasher(root: root, prefix: "/static/")
        let url = hasher.url(for: "app.css")
        #expect(url.hasPrefix("/static/app.css?v=") && url.count == "/static/app.css?v=".count + 16)
        #expect(hasher.url(for: "missing.js") == "/static/missing.js")
        let environment = TemplateEnvironment(loader: DictionaryLoader([:]), staticURL: hasher.url(for:))
        #expect(try environment.render(source: "{% static \"app.css\" %}") == url)
    }

    @Test func environmentIsUsableFromManyThreads() async throws {
        let environment = TemplateEnvironment(loader: DictionaryLoader(["t.html": "{% for x in xs %}{{ x }}{% endfor %}"]))
        let results = try await withThrowingTaskGroup(of: String.self) { group in
            for index in 0..<8 {
                group.addTask { try environment.render("t.html", context: ["xs": [.int(index), 0]]) }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(Set(results) == Set((0..<8).map { "\($0)0" }))
    }
}
