/// A custom filter: receives the value and the arguments after `:` (zero or one, like Django).
///
/// Return `.safeString` when the result is HTML that must not be escaped again.
///
/// ```swift
/// env.registerFilter("shout") { value, _ in .string(value.text.uppercased() + "!") }
/// ```
public typealias TemplateFilterFunction =
    @Sendable (_ value: TemplateValue, _ arguments: [TemplateValue]) throws -> TemplateValue

/// A custom simple tag `{% name arg1 arg2 %}`: receives the evaluated arguments and read access
/// to the context; its result is printed like a variable (escaped unless safe).
public typealias SimpleTagFunction =
    @Sendable (_ arguments: [TemplateValue], _ context: TemplateVariables) throws -> TemplateValue

/// A custom block tag `{% name args %}...{% endname %}`: receives the rendered (already escaped)
/// body, the evaluated arguments and the context; the returned HTML is inserted as is.
public typealias BlockTagFunction =
    @Sendable (_ content: String, _ arguments: [TemplateValue], _ context: TemplateVariables) throws -> String

/// Resolves a route name and arguments to a URL for `{% url "name" arg %}`; supplied by the
/// framework, so templates know nothing of routers.
public typealias URLResolver = @Sendable (_ name: String, _ arguments: [TemplateValue]) throws -> String

/// Maps a static asset path to its public URL for `{% static "css/app.css" %}`, typically with a
/// content hash for cache busting (see ``StaticAssetHasher``).
public typealias StaticURLBuilder = @Sendable (_ path: String) -> String
