import App
import Croft
import Foundation
import Testing

/// Every route name the site's templates and code use exists: a renamed route fails here, not as a 500
/// on the page that links to it.
@Suite struct RouteNamesTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// The first string argument of every match of `pattern` in the files under `folder` ending in `suffix`.
    static func names(in folder: String, suffix: String, pattern: String) throws -> [(file: String, name: String)] {
        let root = repository.appendingPathComponent(folder)
        let expression = try NSRegularExpression(pattern: pattern)
        var found: [(String, String)] = []
        let files = FileManager.default.enumerator(atPath: root.path)?.compactMap { $0 as? String } ?? []
        for file in files where file.hasSuffix(suffix) {
            let text = try String(contentsOf: root.appendingPathComponent(file), encoding: .utf8)
            for match in expression.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                guard let range = Range(match.range(at: 1), in: text) else { continue }
                found.append((folder + "/" + file, String(text[range])))
            }
        }
        return found
    }

    @Test func everyRouteNameUsedInTemplatesAndCodeExists() throws {
        let app = try Site.makeApplication(settings: Settings(environment: ["BASE_DIR": NSTemporaryDirectory()]))
        let used = try Self.names(in: "Templates", suffix: ".html", pattern: #"\{%\s*url\s+"([^"]+)""#)
            + Self.names(in: "Sources/App", suffix: ".swift", pattern: #"url\(for:\s*"([^"]+)""#)
            + Self.names(in: "Sources/App", suffix: ".swift", pattern: #"\("(staff[a-z._]*)",\s*""#)
        #expect(used.count > 20, "the scan found \(used.count) uses: has the syntax changed?")
        for use in used {
            #expect(app.router.hasRoute(named: use.name), "\(use.file) names the route '\(use.name)', which does not exist")
        }
        // The scan itself can fail: a name no route has is reported.
        #expect(!app.router.hasRoute(named: "note.detial"))
    }
}
