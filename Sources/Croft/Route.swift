/// One registered route: a method, a path pattern, an optional name and the wrapped handler.
public struct Route: Sendable {
    /// The method it answers.
    public let method: HTTPMethod
    /// The pattern as registered (`/notes/:id`).
    public let pattern: String
    /// The name used for URL reversing (`note.detail`), if any.
    public let name: String?
    /// The handler; in a built ``Router``, with its group's middleware applied.
    public let handler: Handler
    /// Middleware still to wrap around `handler` (empty once the router is built).
    let middleware: [any Middleware]

    init(method: HTTPMethod, pattern: String, name: String?, handler: @escaping Handler, middleware: [any Middleware]) {
        self.method = method
        self.pattern = pattern
        self.name = name
        self.handler = handler
        self.middleware = middleware
    }

    /// This route with its middleware composed around the handler, each layer's error turned into a
    /// response by `funnel` when there is one (as global middleware is), so every layer receives a response.
    func composed(funnel: (@Sendable (any Error, Request) -> Response)?) -> Route {
        guard !middleware.isEmpty else { return self }
        guard let funnel else { return Route(method: method, pattern: pattern, name: name, handler: middleware.wrap(handler), middleware: []) }
        let handler = self.handler
        // The handler's own errors become a response before the innermost middleware sees them, as the
        // application's dispatch does for global middleware.
        let inner: Handler = { request in
            do { return try await handler(request) } catch { return funnel(error, request) }
        }
        let wrapped = middleware.wrap(inner, funnel: funnel)
        return Route(method: method, pattern: pattern, name: name, handler: wrapped, middleware: [])
    }
}

/// A parsed path pattern: literal segments, `:name` parameters and a trailing `*name` catch-all.
enum PathSegment: Sendable, Equatable {
    case literal(String)
    case parameter(String)
    case catchAll(String)

    static func parse(_ pattern: String) throws(RouterError) -> [PathSegment] {
        let parts = pattern.split(separator: "/", omittingEmptySubsequences: true)
        var segments: [PathSegment] = []
        for (index, part) in parts.enumerated() {
            if part.hasPrefix(":") {
                let name = String(part.dropFirst())
                guard !name.isEmpty else { throw .invalidPattern(pattern, "empty parameter name") }
                segments.append(.parameter(name))
            } else if part.hasPrefix("*") {
                guard index == parts.count - 1 else { throw .invalidPattern(pattern, "'*' must be the last segment") }
                segments.append(.catchAll(part.count > 1 ? String(part.dropFirst()) : "path"))
            } else {
                segments.append(.literal(String(part)))
            }
        }
        return segments
    }
}

/// Mistakes in route registration or URL reversing, found at start-up or by the caller.
public enum RouterError: Error, Sendable, CustomStringConvertible, Equatable {
    /// The pattern cannot be parsed.
    case invalidPattern(String, String)
    /// The same method and pattern were registered twice.
    case duplicateRoute(HTTPMethod, String)
    /// Two routes share a name.
    case duplicateName(String)
    /// Two parameters at the same position have different names (`/a/:id` and `/a/:slug`).
    case conflictingParameter(String, String)
    /// `url(for:)` was asked for an unknown name.
    case unknownRouteName(String)
    /// `url(for:)` lacks a parameter the pattern needs.
    case missingParameter(route: String, parameter: String)

    public var description: String {
        switch self {
        case .invalidPattern(let pattern, let reason): "invalid route pattern '\(pattern)': \(reason)"
        case .duplicateRoute(let method, let pattern): "route \(method) \(pattern) is registered twice"
        case .duplicateName(let name): "route name '\(name)' is used twice"
        case .conflictingParameter(let pattern, let existing):
            "route '\(pattern)' names a parameter differently from an existing route at the same position (':\(existing)')"
        case .unknownRouteName(let name): "no route is named '\(name)'"
        case .missingParameter(let route, let parameter): "route '\(route)' needs a value for '\(parameter)'"
        }
    }
}
