import Foundation

extension Application {
    /// Creates the template environment from the settings: `Templates/` reloaded on change in development,
    /// `{% url %}` reversing this router, `{% static %}` adding a content hash for cache busting.
    static func makeTemplates(settings: Settings, paths: RoutePaths, hasher: StaticAssetHasher,
                              globals: [String: TemplateValue]) -> TemplateEnvironment {
        TemplateEnvironment(
            loader: DirectoryLoader(root: URL(fileURLWithPath: settings.templatesDirectory),
                                    reloadOnChange: !settings.isProduction),
            globals: globals.merging(["debug": .bool(settings.debug)]) { own, _ in own },
            urlResolver: { name, arguments in
                do {
                    return try paths.url(for: name, positional: arguments.map(\.text))
                } catch {
                    throw TemplateError(kind: .render, template: "", line: 0, column: 0, message: "\(error)")
                }
            },
            staticURL: hasher.url(for:))
            .registering("field", fieldTag(arguments:context:))
    }

    /// Renders a template into an HTML response.
    ///
    /// ```swift
    /// return try app.render("notes/list.html", ["notes": try TemplateValue(encoding: notes)])
    /// ```
    public func render(_ name: String, _ context: [String: TemplateValue] = [:], status: HTTPStatus = .ok) throws
        -> Response
    {
        .html(try templates.render(name, context: context), status: status)
    }

    /// Parses every template now, so a broken one fails start-up (and the deploy) instead of a request.
    @discardableResult
    public func precompileTemplates() throws -> Int {
        try templates.precompileAll()
    }

    /// The error page: `errors/<code>.html`, else `errors/error.html`, else a built-in page. In DEBUG a
    /// template error shows its source excerpt.
    static func errorPage(templates: TemplateEnvironment, debug: Bool, status: HTTPStatus, message: String,
                          error: (any Error)?, request: Request) -> Response {
        if debug, let templateError = error as? TemplateError {
            return ErrorResponder.templateDebugPage(templateError, request: request)
        }
        let context: [String: TemplateValue] = [
            "status": .int(status.code), "reason": .string(status.reasonPhrase), "message": .string(message),
            "request_id": .string(request.id),
        ]
        for name in ["errors/\(status.code).html", "errors/error.html"] {
            if let html = try? templates.render(name, context: context) { return .html(html, status: status) }
        }
        return ErrorResponder.plainPage(status: status, message: message, request: request)
    }
}

/// The application handling a request, attached by `Application.respond(to:)`.
enum ApplicationKey: RequestStorageKey {
    typealias Value = Application
}

extension Request {
    /// The application handling this request.
    public var application: Application {
        guard let application = storage[ApplicationKey.self] else {
            preconditionFailure("request.application used outside Application.respond(to:)")
        }
        return application
    }

    /// Renders a template with the application's environment; `request` is added to the context.
    ///
    /// ```swift
    /// @Sendable static func index(_ request: Request) async throws -> Response {
    ///     try request.render("home.html", ["title": "Welcome"])
    /// }
    /// ```
    public func render(_ name: String, _ context: [String: TemplateValue] = [:], status: HTTPStatus = .ok) throws
        -> Response
    {
        var context = context
        if context["request"] == nil {
            context["request"] = templateValue
        }
        for (key, value) in storage[TemplateContextKey.self] ?? [:] where context[key] == nil { context[key] = value }
        if context["csrf_token"] == nil, let token = csrfToken { context["csrf_token"] = .string(token) }
        if context["messages"] == nil, session != nil {
            context["messages"] = .array(takeFlashMessages().map { ["level": .string($0.level), "text": .string($0.text)] })
        }
        return try application.render(name, context, status: status)
    }

    /// What templates see as `request`: `path`, `method`, `id`, the raw `query_string` and `GET`, the
    /// query's fields (the last value of a repeated name), as Django's `request.GET`.
    var templateValue: TemplateValue {
        let query = queryString.map(String.init) ?? ""
        return ["path": .string(String(path)), "method": .string(method.rawValue), "id": .string(id),
                "query_string": .string(query), "GET": .queryFields(query)]
    }

    /// Renders a template with an `Encodable` context: a struct of view data whose properties become
    /// the template's top-level names in snake_case (`Page`s and models encode as they are shown).
    ///
    /// ```swift
    /// struct NotesPage: Encodable { let notes: Page<Note>; let q: String }
    /// return try request.render("notes/list.html", NotesPage(notes: page, q: search))
    /// ```
    public func render(_ name: String, _ context: some Encodable, status: HTTPStatus = .ok) throws -> Response {
        guard case .dictionary(let values) = try TemplateValue(encoding: context) else {
            throw TemplateError(kind: .render, template: name, line: 0, column: 0,
                                message: "a template context must encode as a keyed container (a struct), not \(type(of: context))")
        }
        return try render(name, values, status: status)
    }
}

/// Values middleware adds to every template rendered for a request (the user, the CSRF token, messages).
public enum TemplateContextKey: RequestStorageKey {
    public typealias Value = [String: TemplateValue]
}
