/// Runs a middleware except for paths under some prefixes (static files and health checks need no session).
public struct ExcludingMiddleware: Middleware {
    let wrapped: any Middleware
    let prefixes: [String]

    /// Wraps `middleware`, skipping it for paths that start with any of `prefixes`.
    public init(_ middleware: any Middleware, prefixes: [String]) {
        wrapped = middleware
        self.prefixes = prefixes
    }

    public func respond(to request: Request, next: Handler) async throws -> Response {
        let path = request.path
        if prefixes.contains(where: { path.hasPrefix($0) }) { return try await next(request) }
        return try await wrapped.respond(to: request, next: next)
    }
}

extension Middleware {
    /// This middleware, skipped for paths under `prefixes`.
    public func excluding(_ prefixes: String...) -> ExcludingMiddleware {
        ExcludingMiddleware(self, prefixes: prefixes)
    }
}
