/// The signature of anything that turns a request into a response: handlers and the rest of a chain.
public typealias Handler = @Sendable (Request) async throws -> Response

/// Code that runs around a handler: it can change the request, answer early, or change the response.
///
/// ```swift
/// struct Timing: Middleware {
///     func respond(to request: Request, next: Handler) async throws -> Response {
///         var response = try await next(request)
///         response.headers["X-Handled-By"] = "croft"
///         return response
///     }
/// }
/// ```
public protocol Middleware: Sendable {
    /// Handles `request`, calling `next` to continue the chain (or not, to answer early).
    func respond(to request: Request, next: Handler) async throws -> Response
}

/// A middleware from a closure.
public struct MiddlewareFunction: Middleware {
    private let body: @Sendable (Request, Handler) async throws -> Response

    /// Wraps `body` as middleware.
    public init(_ body: @escaping @Sendable (Request, Handler) async throws -> Response) {
        self.body = body
    }

    public func respond(to request: Request, next: Handler) async throws -> Response {
        try await body(request, next)
    }
}

extension Array where Element == any Middleware {
    /// Wraps `handler` so the first middleware runs first (outermost).
    func wrap(_ handler: @escaping Handler) -> Handler {
        reversed().reduce(handler) { next, middleware in
            { request in try await middleware.respond(to: request, next: next) }
        }
    }

    /// Wraps `handler` so the first middleware runs first, and an error thrown by any layer becomes a response
    /// (through `funnel`) before the layer outside it sees it: every middleware receives a response.
    func wrap(_ handler: @escaping Handler, funnel: @escaping @Sendable (any Error, Request) -> Response) -> Handler {
        reversed().reduce(handler) { next, middleware in
            { request in
                do {
                    return try await middleware.respond(to: request, next: next)
                } catch {
                    return funnel(error, request)
                }
            }
        }
    }
}
