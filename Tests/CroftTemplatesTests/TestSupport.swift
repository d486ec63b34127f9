import CroftTemplates
import Foundation

/// Renders `source` with an in-memory loader holding `templates`.
func render(
    _ source: String,
    _ context: [String: TemplateValue] = [:],
    templates: [String: String] = [:],
    autoescape: Bool = true
) throws -> String {
    let environment = TemplateEnvironment(loader: DictionaryLoader(templates), autoescape: autoescape)
    return try environment.render(source: source, name: "test.html", context: context)
}

/// Renders and returns the output, or the error's description prefixed with `error:`.
func outcome(_ source: String, _ context: [String: TemplateValue] = [:], templates: [String: String] = [:]) -> String {
    do {
        return try render(source, context, templates: templates)
    } catch {
        return "error: \(error)"
    }
}

/// Captures the TemplateError thrown by `body`, or nil.
func templateError(_ body: () throws -> Any) -> TemplateError? {
    do {
        _ = try body()
        return nil
    } catch let error as TemplateError {
        return error
    } catch {
        return nil
    }
}

/// A fresh empty temporary directory.
func makeTemporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("croft-templates-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}
