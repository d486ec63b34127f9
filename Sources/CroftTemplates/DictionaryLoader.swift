/// Serves templates from an in-memory dictionary of name to source; for tests and embedded sites.
///
/// ```swift
/// let env = TemplateEnvironment(loader: DictionaryLoader(["base.html": "<main>{% block body %}{% endblock %}</main>"]))
/// ```
public struct DictionaryLoader: TemplateLoader {
    /// The templates by name.
    public let templates: [String: String]

    /// Creates a loader over `templates`.
    public init(_ templates: [String: String]) {
        self.templates = templates
    }

    /// The source of `name`, or a `.templateNotFound` error.
    public func source(named name: String) throws -> TemplateSource {
        guard let text = templates[name] else { throw TemplateError.templateNotFound(name) }
        return TemplateSource(text: text)
    }

    /// Always nil: the dictionary never changes.
    public func version(of name: String) -> TemplateVersion? { nil }

    /// The dictionary's keys, sorted.
    public func allTemplateNames() throws -> [String] { templates.keys.sorted() }
}
