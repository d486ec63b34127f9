/// Adds the browser security headers every response should carry, unless a handler set its own.
///
/// `Content-Security-Policy` allows only same-origin resources; `X-Frame-Options: DENY` forbids framing;
/// `X-Content-Type-Options: nosniff` stops MIME sniffing; `Referrer-Policy` keeps paths off other sites.
public struct SecurityHeadersMiddleware: Middleware {
    /// The headers added when absent.
    public var headers: HTTPHeaders = [
        "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "same-origin",
        "Cross-Origin-Opener-Policy": "same-origin",
    ]

    /// The default set of headers.
    public init() {}

    public func respond(to request: Request, next: Handler) async throws -> Response {
        var response = try await next(request)
        for field in headers where !response.headers.contains(field.name) {
            response.headers.add(name: field.name, value: field.value)
        }
        return response
    }
}
